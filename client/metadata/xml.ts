/**
 * A small, strict XML reader for CSDL and FetchXML.
 *
 * Hostile documents are refused rather than tolerated: any DOCTYPE is rejected (so no external entity is ever
 * resolved and no entity can expand), only the five predefined entities and character references are decoded,
 * and depth, element count and input size are bounded.
 */

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

export interface XmlLimits {
  maxDepth?: number;
  maxElements?: number;
  maxLength?: number;
}

export class XmlError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} (line ${line}, column ${column})`);
    this.name = 'XmlError';
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;

export function parseXml(input: string, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? 256;
  const maxElements = limits.maxElements ?? 5_000_000;
  const maxLength = limits.maxLength ?? 256 * 1024 * 1024;
  if (input.length > maxLength) throw new XmlError(`document is larger than ${maxLength} characters`, 1, 1);

  let pos = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  let elementCount = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;

  const fail = (message: string, at = pos): never => {
    let line = 1;
    let lastBreak = -1;
    for (let i = 0; i < at && i < input.length; i++) {
      if (input.charCodeAt(i) === 10) {
        line++;
        lastBreak = i;
      }
    }
    throw new XmlError(message, line, at - lastBreak);
  };

  const decode = (raw: string, at: number): string => {
    if (raw.indexOf('&') < 0) return raw;
    return raw.replace(/&([^;&\s]*);?/g, (match, ref: string) => {
      if (!match.endsWith(';')) fail(`unterminated entity reference '${match}'`, at);
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) fail(`invalid character reference '&${ref};'`, at);
        return String.fromCodePoint(code);
      }
      const value = PREDEFINED[ref];
      if (value === undefined) fail(`undefined entity '&${ref};' (only the predefined XML entities are accepted)`, at);
      return value;
    });
  };

  const readName = (): string => {
    const start = pos;
    if (!NAME_START.test(input[pos] ?? '')) fail('expected a name');
    pos++;
    while (pos < input.length && NAME_CHAR.test(input[pos])) pos++;
    return input.slice(start, pos);
  };

  const skipSpace = () => {
    while (pos < input.length) {
      const c = input.charCodeAt(pos);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      pos++;
    }
  };

  const appendText = (text: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
    else if (text.trim() !== '') fail('text outside the root element');
  };

  while (pos < input.length) {
    const lt = input.indexOf('<', pos);
    if (lt < 0) {
      appendText(decode(input.slice(pos), pos));
      pos = input.length;
      break;
    }
    if (lt > pos) appendText(decode(input.slice(pos, lt), pos));
    pos = lt;

    if (input.startsWith('<!--', pos)) {
      const end = input.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (input.startsWith('<![CDATA[', pos)) {
      const end = input.indexOf(']]>', pos + 9);
      if (end < 0) fail('unterminated CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      appendText(input.slice(pos + 9, end));
      pos = end + 3;
    } else if (input.startsWith('<!', pos)) {
      const kind = input.slice(pos + 2, pos + 9).toUpperCase();
      fail(
        kind === 'DOCTYPE'
          ? 'DOCTYPE declarations are not allowed: entities (external or internal) are never resolved or expanded'
          : 'markup declarations are not allowed',
      );
    } else if (input.startsWith('<?', pos)) {
      const end = input.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (input.startsWith('</', pos)) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (input[pos] !== '>') fail(`expected '>' to close </${name}`);
      pos++;
      const open = stack.pop();
      if (!open) fail(`unexpected closing tag </${name}>`);
      else if (open.name !== name) fail(`closing tag </${name}> does not match <${open.name}>`);
    } else {
      pos++;
      const name = readName();
      const colon = name.indexOf(':');
      const element: XmlElement = {
        name,
        local: colon >= 0 ? name.slice(colon + 1) : name,
        attrs: {},
        children: [],
        text: '',
      };
      if (++elementCount > maxElements) fail(`more than ${maxElements} elements`);
      for (;;) {
        const before = pos;
        skipSpace();
        const c = input[pos];
        if (c === '>' || c === '/') break;
        if (pos === before) fail(`expected whitespace before an attribute in <${name}>`);
        if (c === undefined) fail(`unterminated start tag <${name}>`);
        const attr = readName();
        skipSpace();
        if (input[pos] !== '=') fail(`expected '=' after attribute '${attr}'`);
        pos++;
        skipSpace();
        const quote = input[pos];
        if (quote !== '"' && quote !== "'") fail(`attribute '${attr}' value must be quoted`);
        const end = input.indexOf(quote, pos + 1);
        if (end < 0) fail(`unterminated value of attribute '${attr}'`);
        const raw = input.slice(pos + 1, end);
        if (raw.includes('<')) fail(`'<' is not allowed in the value of attribute '${attr}'`);
        if (Object.prototype.hasOwnProperty.call(element.attrs, attr)) fail(`duplicate attribute '${attr}'`);
        element.attrs[attr] = decode(raw, pos);
        pos = end + 1;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail('more than one root element');
      else root = element;
      if (input[pos] === '/') {
        if (input[pos + 1] !== '>') fail(`expected '/>' in <${name}>`);
        pos += 2;
      } else {
        pos++;
        stack.push(element);
        if (stack.length > maxDepth) fail(`elements nested deeper than ${maxDepth}`);
      }
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1].name}>`);
  if (!root) fail('no root element');
  return root as XmlElement;
}

/** Escapes text for use inside XML attribute values or character data. */
export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

export function childrenNamed(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c) => c.local === local);
}
