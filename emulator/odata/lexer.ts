/**
 * On-demand tokenizer for decoded query option values. It is lazy (tokens are produced as the parser asks for
 * them) so that a parser can step outside the expression grammar, e.g. to read a raw `$search` value inside
 * `$expand=x($search=...)`, without the lexer having choked on it first.
 */
import type { LiteralType } from './ast';
import { syntaxError, unterminatedLiteral, ODataSyntaxError } from './errors';
import {
  BASE64URL,
  DATE_PREFIX,
  DATE_TIME_OFFSET,
  DURATION,
  ENUM_MEMBERS,
  GUID,
  NUMBER,
  TIME_OF_DAY,
  isIdentifierPart,
  isIdentifierStart,
  isValidDateParts,
  isValidTimeParts,
  numericLiteralType,
  numericValue,
} from './literals';

export type TokenKind =
  /** odataIdentifier, possibly dot-qualified (`Microsoft.Dynamics.CRM.In`), or `$`-prefixed (`$it`, `$count`). */
  | 'identifier'
  /** `@name`, `@Namespace.Term` or `@Term#qualifier`: a parameter alias or an annotation. */
  | 'at'
  | 'literal'
  /** Double-quoted JSON string, only meaningful inside arrays and objects. */
  | 'jsonString'
  | 'punct'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Raw text of the token. */
  text: string;
  start: number;
  end: number;
  /** Whitespace separates this token from the previous one. */
  spaceBefore: boolean;
  literalType?: LiteralType;
  value?: string | number | boolean | null;
  enumType?: string;
}

const PUNCTUATION = '(),/:=;*[]{}.-';
const TYPED_STRING_PREFIXES: Record<string, LiteralType> = {
  binary: 'Edm.Binary',
  duration: 'Edm.Duration',
  geography: 'Edm.Geography',
  geometry: 'Edm.Geometry',
};

export function isPunct(token: Token, ch: string): boolean {
  return token.kind === 'punct' && token.text === ch;
}

/** Operators and keywords are case-insensitive, as in the ABNF. */
export function isKeyword(token: Token, word: string): boolean {
  return token.kind === 'identifier' && token.text.toLowerCase() === word;
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

export class Lexer {
  private lookahead: Token[] = [];
  private scanPos: number;
  private lastEnd: number;

  constructor(
    readonly text: string,
    start = 0,
  ) {
    this.scanPos = start;
    this.lastEnd = start;
  }

  peek(offset = 0): Token {
    while (this.lookahead.length <= offset) {
      const token = this.scan(this.scanPos);
      this.lookahead.push(token);
      this.scanPos = token.end;
    }
    return this.lookahead[offset];
  }

  next(): Token {
    const token = this.peek();
    this.lookahead.shift();
    this.lastEnd = token.end;
    return token;
  }

  /** End offset of the last consumed token. */
  get position(): number {
    return this.lastEnd;
  }

  /** Drops lookahead and continues scanning at `pos` (after the caller consumed raw text up to there). */
  seek(pos: number): void {
    this.lookahead = [];
    this.scanPos = pos;
    this.lastEnd = pos;
  }

  /**
   * Consumes a raw option value (for $search, whose grammar is not an expression) up to the next `;` or the `)`
   * that closes the enclosing option list, honouring balanced parentheses and quoted phrases.
   */
  readRawOptionValue(): string {
    const text = this.text;
    const start = this.lastEnd;
    let depth = 0;
    let pos = start;
    for (; pos < text.length; pos++) {
      const ch = text[pos];
      if (ch === '"' || ch === "'") {
        const close = text.indexOf(ch, pos + 1);
        if (close < 0) break;
        pos = close;
      } else if (ch === '(') depth++;
      else if (ch === ')') {
        if (depth === 0) break;
        depth--;
      } else if (ch === ';' && depth === 0) break;
    }
    this.seek(pos);
    return text.slice(start, pos);
  }

  error(position: number): ODataSyntaxError {
    return syntaxError(this.text, position);
  }

  private scan(from: number): Token {
    const text = this.text;
    let pos = from;
    while (isSpace(text[pos])) pos++;
    const spaceBefore = pos > from;
    const ch = text[pos];
    const make = (kind: TokenKind, end: number, extra: Partial<Token> = {}): Token => ({
      kind,
      text: text.slice(pos, end),
      start: pos,
      end,
      spaceBefore,
      ...extra,
    });
    if (ch === undefined) return make('eof', pos);
    if (ch === "'") {
      const { value, end } = this.scanQuoted(pos);
      return make('literal', end, { literalType: 'Edm.String', value });
    }
    if (ch === '"') return this.scanJsonString(pos, make);
    if ((ch === '-' || ch === '+') && (/[0-9]/.test(text[pos + 1] ?? '') || text.startsWith('INF', pos + 1))) {
      return this.scanNumeric(pos, make);
    }
    if (/[0-9]/.test(ch)) return this.scanNumeric(pos, make);
    if (ch === '$' && isIdentifierStart(text[pos + 1])) {
      return make('identifier', this.identifierEnd(pos + 1, false));
    }
    if (ch === '@' && isIdentifierStart(text[pos + 1])) {
      let end = this.identifierEnd(pos + 1, true);
      if (text[end] === '#' && isIdentifierStart(text[end + 1])) end = this.identifierEnd(end + 1, false);
      return make('at', end);
    }
    if (isIdentifierStart(ch)) return this.scanWord(pos, make);
    if (PUNCTUATION.includes(ch)) return make('punct', pos + 1);
    throw new ODataSyntaxError(
      `Syntax error: character '${ch}' is not valid at position ${pos} in '${text}'.`,
      pos,
      text,
    );
  }

  private identifierEnd(pos: number, qualified: boolean): number {
    let end = pos;
    while (isIdentifierPart(this.text[end])) end++;
    while (qualified && this.text[end] === '.' && isIdentifierStart(this.text[end + 1])) {
      end++;
      while (isIdentifierPart(this.text[end])) end++;
    }
    return end;
  }

  /** Scans `'...'` with doubled-quote escapes starting at the opening quote. */
  private scanQuoted(start: number): { value: string; end: number } {
    const text = this.text;
    let value = '';
    let pos = start + 1;
    for (;;) {
      const close = text.indexOf("'", pos);
      if (close < 0) throw unterminatedLiteral(text);
      value += text.slice(pos, close);
      if (text[close + 1] === "'") {
        value += "'";
        pos = close + 2;
        continue;
      }
      return { value, end: close + 1 };
    }
  }

  private scanJsonString(start: number, make: (k: TokenKind, e: number, x?: Partial<Token>) => Token): Token {
    const text = this.text;
    const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    let value = '';
    let pos = start + 1;
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] !== '\\') {
        value += text[pos++];
        continue;
      }
      const esc = text[pos + 1];
      if (esc === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        value += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
        pos += 6;
      } else if (esc !== undefined && esc in escapes) {
        value += escapes[esc];
        pos += 2;
      } else {
        throw this.error(pos);
      }
    }
    if (pos >= text.length) throw unterminatedLiteral(text);
    return make('jsonString', pos + 1, { literalType: 'Edm.String', value });
  }

  /** Guid, DateTimeOffset, Date, TimeOfDay or number, optionally signed. */
  private scanNumeric(start: number, make: (k: TokenKind, e: number, x?: Partial<Token>) => Token): Token {
    const text = this.text;
    const rest = text.slice(start);
    const finish = (end: number, literalType: LiteralType, value: string | number): Token => {
      if (isIdentifierPart(text[end])) throw this.error(end);
      return make('literal', end, { literalType, value });
    };
    const signed = rest[0] === '-' || rest[0] === '+';
    const guid = signed ? null : GUID.exec(rest);
    if (guid && !isIdentifierPart(text[start + guid[0].length])) {
      return make('literal', start + guid[0].length, { literalType: 'Edm.Guid', value: guid[0] });
    }
    if (rest[0] !== '+' && DATE_PREFIX.test(rest)) {
      const dto = DATE_TIME_OFFSET.exec(rest);
      if (dto) {
        const offset = /^[+-](\d{2}):(\d{2})$/.exec(dto[8]);
        const ok =
          isValidDateParts(dto[1], dto[2], dto[3]) &&
          isValidTimeParts(dto[4], dto[5], dto[6]) &&
          (!offset || isValidTimeParts(offset[1], offset[2]));
        if (!ok) throw this.unrecognized('Edm.DateTimeOffset', start, start + dto[0].length);
        return finish(start + dto[0].length, 'Edm.DateTimeOffset', dto[0]);
      }
      const date = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(rest)!;
      if (/[Tt]/.test(text[start + date[0].length] ?? '')) throw this.error(start + date[0].length);
      if (!isValidDateParts(date[1], date[2], date[3])) throw this.unrecognized('Edm.Date', start, start + date[0].length);
      return finish(start + date[0].length, 'Edm.Date', date[0]);
    }
    const time = signed ? null : TIME_OF_DAY.exec(rest);
    if (time) {
      if (!isValidTimeParts(time[1], time[2], time[3])) throw this.unrecognized('Edm.TimeOfDay', start, start + time[0].length);
      return finish(start + time[0].length, 'Edm.TimeOfDay', time[0]);
    }
    const sign = signed ? rest[0] : '';
    if (rest.startsWith('INF', sign.length)) {
      const raw = rest.slice(0, sign.length + 3);
      return finish(start + raw.length, 'Edm.Double', numericValue(raw));
    }
    const num = NUMBER.exec(rest.slice(sign.length))!;
    const raw = sign + num[0];
    return finish(start + raw.length, numericLiteralType(raw), numericValue(raw));
  }

  /** Identifier, or a prefixed quoted literal such as binary'..', duration'..', Namespace.Enum'..'. */
  private scanWord(start: number, make: (k: TokenKind, e: number, x?: Partial<Token>) => Token): Token {
    const text = this.text;
    const guid = GUID.exec(text.slice(start));
    if (guid && !isIdentifierPart(text[start + guid[0].length])) {
      return make('literal', start + guid[0].length, { literalType: 'Edm.Guid', value: guid[0] });
    }
    const end = this.identifierEnd(start, true);
    const word = text.slice(start, end);
    if (text[end] !== "'") {
      if (word === 'INF' || word === 'NaN') return make('literal', end, { literalType: 'Edm.Double', value: numericValue(word) });
      return make('identifier', end);
    }
    // Scan first: an unbalanced quote must report "unterminated literal" like ODL, whatever the prefix.
    const { value, end: quoteEnd } = this.scanQuoted(end);
    const prefixType = TYPED_STRING_PREFIXES[word.toLowerCase()];
    if (prefixType) {
      const valid =
        prefixType === 'Edm.Binary' ? BASE64URL.test(value) : prefixType === 'Edm.Duration' ? DURATION.test(value) : true;
      if (!valid) throw this.unrecognized(prefixType, start, quoteEnd);
      return make('literal', quoteEnd, { literalType: prefixType, value });
    }
    if (word.includes('.')) {
      if (!ENUM_MEMBERS.test(value)) throw this.unrecognized(word, start, quoteEnd);
      return make('literal', quoteEnd, { literalType: 'Enum', value, enumType: word });
    }
    throw this.error(start);
  }

  private unrecognized(type: string, start: number, end: number): ODataSyntaxError {
    return new ODataSyntaxError(
      `Unrecognized '${type}' literal '${this.text.slice(start, end)}' at '${start}' in '${this.text}'.`,
      start,
      this.text,
    );
  }
}
