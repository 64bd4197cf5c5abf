/**
 * The script parts a generated document needs, kept beside the document rather than inside it (the swagger must
 * not carry them). Whoever adds an operation that needs custom code adds its part where the operation is added:
 * `addScriptParts(doc, [part])`; packageFor then writes script.csx, `scriptOperations` and settings.json `script`.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { ScriptPart } from './types';

const partsByDocument = new WeakMap<OpenAPIV2.Document, ScriptPart[]>();

export function addScriptParts(doc: OpenAPIV2.Document, parts: readonly ScriptPart[]): void {
  if (parts.length === 0) return;
  const list = partsByDocument.get(doc) ?? [];
  list.push(...parts);
  partsByDocument.set(doc, list);
}

/** The parts added to this document, in the order they were added (empty when none). */
export function scriptPartsOf(doc: OpenAPIV2.Document): ScriptPart[] {
  return [...(partsByDocument.get(doc) ?? [])];
}
