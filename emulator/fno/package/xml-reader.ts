/**
 * A small strict XML reader for the two package descriptors (Manifest.xml, PackageHeader.xml). Uploaded packages
 * are untrusted, so it refuses rather than tolerates: any DOCTYPE (no entity, external or internal, is ever
 * declared, resolved or expanded), unknown entity references, mismatched tags and oversized or deeply nested input.
 * Only the five predefined entities and character references are decoded. Bytes are decoded by their BOM
 * (UTF-8, UTF-16 LE/BE; UTF-8 without one), because F&O and its tooling write both UTF-8 and UTF-16 descriptors.
 */

export interface XmlNode {
  /** Name without its prefix. */
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export interface XmlReadLimits {
  maxChars: number;
  maxDepth: number;
  maxElements: number;
}

const DEFAULT_LIMITS: XmlReadLimits = { maxChars: 4 * 1024 * 1024, maxDepth: 32, maxElements: 100_000 };

export class XmlReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlReadError';
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_][\w.\-:]*/y;

/** Decodes descriptor bytes by their byte order mark. */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

export function readXml(input: string, limits: Partial<XmlReadLimits> = {}): XmlNode {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  if (input.length > lim.maxChars) throw new XmlReadError(`The document is longer than ${lim.maxChars} characters.`);
  const stack: { node: XmlNode; qname: string }[] = [];
  let root: XmlNode | undefined;
  let elements = 0;
  let i = 0;
  const line = (at: number) => input.slice(0, at).split('\n').length;
  const fail = (message: string, at = i): never => {
    throw new XmlReadError(`${message} (line ${line(at)}).`);
  };

  while (i < input.length) {
    const lt = input.indexOf('<', i);
    const textEnd = lt < 0 ? input.length : lt;
    if (textEnd > i) {
      const raw = input.slice(i, textEnd);
      if (stack.length > 0) stack[stack.length - 1].node.text += decodeEntities(raw, i, fail);
      else if (raw.trim() !== '') fail('Text outside the root element');
    }
    if (lt < 0) break;
    i = lt;
    if (input.startsWith('<?', i)) {
      const end = input.indexOf('?>', i);
      if (end < 0) fail('Unterminated processing instruction');
      i = end + 2;
    } else if (input.startsWith('<!--', i)) {
      const end = input.indexOf('-->', i + 4);
      if (end < 0) fail('Unterminated comment');
      i = end + 3;
    } else if (input.startsWith('<![CDATA[', i)) {
      const end = input.indexOf(']]>', i);
      if (end < 0) fail('Unterminated CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      stack[stack.length - 1].node.text += input.slice(i + 9, end);
      i = end + 3;
    } else if (input.startsWith('<!', i)) {
      fail(/^<!DOCTYPE/i.test(input.slice(i, i + 9))
        ? 'DOCTYPE declarations are not allowed: entities are never declared, resolved or expanded'
        : 'Markup declarations are not allowed');
    } else if (input.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(input) ?? fail('Malformed end tag');
      const close = input.indexOf('>', NAME.lastIndex);
      if (close < 0 || input.slice(NAME.lastIndex, close).trim() !== '') fail('Malformed end tag');
      const open = stack.pop();
      if (!open || open.qname !== m[0]) fail(`End tag </${m[0]}> does not match ${open ? `<${open.qname}>` : 'any open element'}`);
      i = close + 1;
    } else {
      if (root && stack.length === 0) fail('More than one root element');
      NAME.lastIndex = i + 1;
      const m = NAME.exec(input) ?? fail('Malformed start tag');
      const qname = m[0];
      let p = NAME.lastIndex;
      const attrs: Record<string, string> = {};
      for (;;) {
        while (/\s/.test(input[p] ?? '')) p++;
        if (p >= input.length) fail(`Unterminated start tag <${qname}>`);
        if (input[p] === '>' || input.startsWith('/>', p)) break;
        NAME.lastIndex = p;
        const a = NAME.exec(input) ?? fail(`Malformed attribute in <${qname}>`, p);
        p = NAME.lastIndex;
        while (/\s/.test(input[p] ?? '')) p++;
        if (input[p] !== '=') fail(`Attribute ${a[0]} in <${qname}> has no value`, p);
        p++;
        while (/\s/.test(input[p] ?? '')) p++;
        const quote = input[p];
        if (quote !== '"' && quote !== "'") fail(`Attribute ${a[0]} in <${qname}> is not quoted`, p);
        const endQuote = input.indexOf(quote, p + 1);
        if (endQuote < 0) fail(`Unterminated attribute ${a[0]} in <${qname}>`, p);
        const value = input.slice(p + 1, endQuote);
        if (value.includes('<')) fail(`Attribute ${a[0]} in <${qname}> contains '<'`, p);
        if (a[0] in attrs) fail(`Attribute ${a[0]} appears twice in <${qname}>`, p);
        attrs[a[0]] = decodeEntities(value, p, fail);
        p = endQuote + 1;
      }
      const selfClosing = input[p] === '/';
      if (++elements > lim.maxElements) fail(`More than ${lim.maxElements} elements`);
      const colon = qname.indexOf(':');
      const node: XmlNode = { local: colon >= 0 ? qname.slice(colon + 1) : qname, attrs, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1].node.children.push(node);
      else root = node;
      if (!selfClosing) {
        stack.push({ node, qname });
        if (stack.length > lim.maxDepth) fail(`Elements are nested deeper than ${lim.maxDepth} levels`);
      }
      i = p + (selfClosing ? 2 : 1);
    }
  }
  if (stack.length > 0) fail(`Element <${stack[stack.length - 1].qname}> is not closed`);
  if (!root) throw new XmlReadError('The document has no root element.');
  return root;
}

function decodeEntities(raw: string, at: number, fail: (message: string, at?: number) => never): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;\s&<]{0,32});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) return fail(`Unterminated entity reference '${whole}'`, at);
    if (ref in PREDEFINED) return PREDEFINED[ref];
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(ref) ? parseInt(ref.slice(2), 16) : /^#[0-9]{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN;
    if (Number.isNaN(code)) return fail(`Unknown entity reference '&${ref};' (only the predefined entities are allowed)`, at);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return fail(`Invalid character reference '&${ref};'`, at);
    return String.fromCodePoint(code);
  });
}

/** Escapes text for character data and attribute values. */
export function escapeXmlText(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

export function child(node: XmlNode, local: string): XmlNode | undefined {
  return node.children.find((c) => c.local === local);
}

export function childText(node: XmlNode, local: string): string | undefined {
  const c = child(node, local);
  return c === undefined ? undefined : c.text.trim();
}
