/**
 * A small, strict XML reader for CSDL and FetchXML: builds an element tree from the events of the streaming
 * tokenizer (xml-events.ts), which refuses hostile documents rather than tolerating them: any DOCTYPE is rejected
 * (so no external entity is ever resolved and no entity can expand), only the five predefined entities and
 * character references are decoded, and depth, element count, attributes and input size are bounded.
 */
import { tokenizeXml, XmlError, type XmlTokenizerLimits } from './xml-events';

export { XmlError };

export interface XmlElement {
  /** Qualified name as written, e.g. `edmx:Edmx`. */
  name: string;
  /** Name without its prefix, e.g. `Edmx`. */
  local: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export type XmlLimits = XmlTokenizerLimits;

export function parseXml(input: string, limits: XmlLimits = {}): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  tokenizeXml(
    input,
    {
      open(name, attrs) {
        const colon = name.indexOf(':');
        const element: XmlElement = { name, local: colon >= 0 ? name.slice(colon + 1) : name, attrs, children: [], text: '' };
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(element);
        else root = element;
        stack.push(element);
      },
      close() {
        stack.pop();
      },
      text(text) {
        stack[stack.length - 1].text += text;
      },
    },
    limits,
  );
  return root as XmlElement;
}

/** Escapes text for use inside XML attribute values or character data. */
export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

export function childrenNamed(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c) => c.local === local);
}
