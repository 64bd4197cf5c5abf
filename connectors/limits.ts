/**
 * Measuring a generated Swagger against Power Automate's limits (LIMITS in types.ts): the number of schemas
 * (`definitions`) and the size of the file. Sizes are UTF-8 bytes of the document as written with 4-space
 * indentation (the coding standards' layout), which is larger than compact JSON, so a document that fits here
 * fits however it is written.
 */
import { LIMITS } from './types';

export const SWAGGER_INDENT = 4;

export interface DocumentMeasure {
  /** UTF-8 bytes of `JSON.stringify(doc, null, 4)`. */
  bytes: number;
  /** Entries of `definitions` (Swagger 2) or `components.schemas` (OpenAPI 3). */
  schemas: number;
}

export function measureDocument(doc: object, indent: number = SWAGGER_INDENT): DocumentMeasure {
  const d = doc as { definitions?: object; components?: { schemas?: object } };
  const schemas = Object.keys(d.definitions ?? d.components?.schemas ?? {}).length;
  return { bytes: Buffer.byteLength(JSON.stringify(doc, null, indent), 'utf8'), schemas };
}

/** Whether a measure is within the limits, and if not, a sentence naming the first limit it breaks. */
export function limitProblem(measure: DocumentMeasure): string | undefined {
  if (measure.schemas > LIMITS.maxSchemas) return `${measure.schemas} schemas exceed the limit of ${LIMITS.maxSchemas}`;
  if (measure.bytes > LIMITS.maxSwaggerBytes) {
    return `${formatBytes(measure.bytes)} exceeds the limit of ${formatBytes(LIMITS.maxSwaggerBytes)}`;
  }
  return undefined;
}

/**
 * Bytes one `"key": value` member adds to an object written at `depth` (the object's members are indented by
 * depth × indent), including the separating comma and line break. Exact for JSON.stringify(…, null, indent).
 */
export function memberBytes(key: string, value: unknown, depth: number, indent: number = SWAGGER_INDENT): number {
  const text = JSON.stringify(value, null, indent);
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  // `<indent*depth>"key": <text>,\n` where every inner line of text gets depth*indent more spaces.
  return depth * indent + Buffer.byteLength(JSON.stringify(key), 'utf8') + 2 + Buffer.byteLength(text, 'utf8') + lines * depth * indent + 2;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}
