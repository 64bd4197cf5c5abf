/**
 * An incremental (SAX-style) XML tokenizer: fed chunks of text, it reports start tags, end tags and character data
 * as soon as each is complete, so a document of any size is read while holding only the unfinished construct and
 * the stack of open element names.
 *
 * Hostile documents are refused rather than tolerated: any DOCTYPE is rejected (so no external entity is ever
 * resolved and no entity can expand), only the five predefined entities and character references are decoded,
 * and depth, element count, attribute count and length, text runs and total input size are bounded. Limits are
 * checked while a construct is still arriving, so an oversized attribute fails before it is buffered whole.
 */
import { setOwn } from './own-string';

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

export interface XmlEventHandler {
  /** A start tag; `selfClosing` start tags are followed at once by their close(). */
  open(name: string, attrs: Record<string, string>, selfClosing: boolean): void;
  close(name: string): void;
  /** Decoded character data inside the root element; one run may arrive as several calls (around CDATA). */
  text(text: string): void;
  /**
   * Optional: when it returns false, character data made only of whitespace (no references) is not reported,
   * sparing a string per indentation run for handlers that ignore it there.
   */
  wantsWhitespace?(): boolean;
}

export interface XmlTokenizerLimits {
  maxDepth?: number;
  maxElements?: number;
  /** Characters in the whole document. */
  maxLength?: number;
  maxAttributes?: number;
  /** Characters in one attribute value as written. */
  maxAttributeLength?: number;
  /** Characters in one start tag, attribute values included. */
  maxTagLength?: number;
  /** Characters in one run of character data, CDATA section, comment or processing instruction. */
  maxTextLength?: number;
}

export const DEFAULT_XML_LIMITS: Required<XmlTokenizerLimits> = {
  maxDepth: 256,
  maxElements: 5_000_000,
  maxLength: 256 * 1024 * 1024,
  maxAttributes: 256,
  maxAttributeLength: 1024 * 1024,
  maxTagLength: 4 * 1024 * 1024,
  maxTextLength: 16 * 1024 * 1024,
};

export const DOCTYPE_REFUSED =
  'DOCTYPE declarations are not allowed: entities (external or internal) are never resolved or expanded';

/** Names and whitespace inside a tag are short in any real document; a long run there is an attack or garbage. */
const MAX_MARKUP_RUN = 64 * 1024;
const LT = 60;
const GT = 62;
const SLASH = 47;
const QUOTE = 34;
const APOS = 39;
const EQUALS = 61;
/** Names up to this length are cached (see XmlTokenizer.name). */
const MAX_CACHED_NAME = 48;
const NAME_CACHE_SLOTS = (MAX_CACHED_NAME + 1) << 7;
/** Character data of only whitespace (as short as characterData() drops it) and the '<' after it (sticky). */
const WHITESPACE_THEN_LT = /[ \t\n\r]{0,255}</y;
/** An XML name as isNameStart and isNameChar read it (code units, so any from U+00C0 on). */
const NAME = '[A-Za-z_:\\u00C0-\\uFFFF][-.0-9A-Za-z_:\\u00B7\\u00C0-\\uFFFF]*';
/** '<' and the element name (sticky; only tested: the name is taken from the cache of names). */
const START_TAG_NAME = new RegExp(`<${NAME}`, 'y');
/**
 * Whitespace and one attribute — [1] its name, [2] a double-quoted or [3] a single-quoted value, neither holding
 * '<' — or the end of the start tag, '>' or '/>' (sticky).
 */
const ATTRIBUTE_OR_TAG_END = new RegExp(`[ \\t\\n\\r]+(${NAME})[ \\t\\n\\r]*=[ \\t\\n\\r]*(?:"([^"<]*)"|'([^'<]*)')|[ \\t\\n\\r]*/?>`, 'y');
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const isNameStart = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c >= 0xc0;
const isNameChar = (c: number) =>
  isNameStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 0xb7;

/**
 * A construct that ends at a known terminator (character data at '<', a comment at '-->'…) and has not ended yet.
 * Further chunks are only probed for the terminator and queued, not appended: appending would copy the whole
 * pending text once per chunk, which is quadratic for a long run.
 */
interface Awaited {
  terminator: string;
  what: string;
}

/** Progress through a start tag that has not fully arrived, so that scanning resumes instead of restarting. */
interface TagScan {
  /** Offset from the tag's '<' where scanning resumes. */
  offset: number;
  /** Quote character code while inside an attribute value, else 0. */
  quote: number;
  /** Offset of the opening quote of the current value, or of the start of the current unquoted run. */
  runStart: number;
  values: number;
}

export class XmlTokenizer {
  private readonly limits: Required<XmlTokenizerLimits>;
  private buf = '';
  /** Index in `buf` of the first character not yet consumed. */
  private pos = 0;
  /** Absolute offset of buf[0] in the document. */
  private base = 0;
  private received = 0;
  private line = 1;
  /** Absolute offset of the first character of the current line. */
  private lineStart = 0;
  /** Absolute offset of the next known line break at or after the consumed point, or -1 when not yet found. */
  private nextBreak = -1;
  /** Absolute offset before which there is no unconsumed line break (so searches never rescan). */
  private breakScannedTo = 0;
  /** How far (relative to pos) an incomplete construct has been searched for its end. */
  private searched = 0;
  private tagScan: TagScan | undefined;
  private awaited: Awaited | undefined;
  /** Chunks received while `awaited` is unresolved, their total length, and the last characters seen. */
  private queued: string[] = [];
  private queuedLength = 0;
  private queuedTail = '';
  private readonly open: string[] = [];
  /** Element and attribute names seen so far, bucketed by length and first character (see name()). */
  private readonly nameCache: (string[] | undefined)[] = new Array<string[] | undefined>(NAME_CACHE_SLOTS).fill(undefined);
  private elements = 0;
  private rootSeen = false;
  private started = false;
  private finished = false;

  constructor(
    private readonly handler: XmlEventHandler,
    limits: XmlTokenizerLimits = {},
  ) {
    this.limits = { ...DEFAULT_XML_LIMITS, ...stripUndefined(limits) };
  }

  /** Depth of open elements (the root is depth 1). */
  get depth(): number {
    return this.open.length;
  }

  write(chunk: string): void {
    if (this.finished) throw new Error('XmlTokenizer: write() after end()');
    if (chunk.length === 0) return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.received += chunk.length;
    if (this.received > this.limits.maxLength) this.fail(`document is larger than ${this.limits.maxLength} characters`, this.buf.length);
    if (this.awaited && !this.queue(chunk, this.awaited)) return;
    // Only the unfinished construct is kept; everything before pos has been reported.
    this.base += this.pos;
    this.buf = joinFlat(this.pos > 0 ? this.buf.slice(this.pos) : this.buf, chunk);
    this.pos = 0;
    this.drain(false);
  }

  end(): void {
    if (this.finished) return;
    this.unqueue();
    this.drain(true);
    this.finished = true;
    if (this.open.length > 0) {
      this.fail(`unexpected end of document: <${this.open[this.open.length - 1]}> is not closed`, this.buf.length);
    }
    if (!this.rootSeen) this.fail('unexpected end of document: no root element', this.buf.length);
    this.buf = '';
    this.pos = 0;
  }

  /** Line and column of the construct being reported (for errors raised by the handler). */
  position(): { line: number; column: number } {
    return this.locate(this.pos);
  }

  private drain(final: boolean): void {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const pos = this.pos;
      if (buf.charCodeAt(pos) !== LT) {
        if (this.open.length > 0 && this.searched === 0 && this.handler.wantsWhitespace?.() === false) {
          // Indentation between elements, found and skipped natively.
          WHITESPACE_THEN_LT.lastIndex = pos;
          if (WHITESPACE_THEN_LT.test(buf)) {
            this.consume(WHITESPACE_THEN_LT.lastIndex - 1);
            continue;
          }
        }
        let lt = buf.indexOf('<', pos + this.searched);
        if (lt < 0) {
          if (buf.length - pos > this.limits.maxTextLength) this.fail(`character data longer than ${this.limits.maxTextLength} characters`);
          if (this.open.length === 0) this.checkOutsideText(buf.slice(pos + this.searched), pos);
          if (!final) return this.waitFor(buf.length - pos, { terminator: '<', what: 'character data' });
          lt = buf.length;
        }
        this.characterData(pos, lt);
        this.consume(lt);
        continue;
      }
      // Read in bounds only: a read past the end is NaN, which would throw optimized code away.
      const c1 = pos + 1 < buf.length ? buf.charCodeAt(pos + 1) : 0;
      if (c1 === SLASH) {
        if (!this.endTag(final)) return;
      } else if (c1 === 33 /* ! */) {
        if (!this.declaration(final)) return;
      } else if (c1 === 63 /* ? */) {
        if (!this.delimited('?>', 2, 'processing instruction', final)) return;
      } else if (pos + 1 >= buf.length && !final) {
        return;
      } else {
        if (!this.startTag(final)) return;
      }
    }
  }

  /** Remember how far an incomplete construct was searched; the next chunk resumes from there. */
  private waitFor(searched: number, awaited?: Awaited): void {
    this.searched = Math.max(0, searched);
    this.awaited = awaited;
    this.queuedTail = this.buf.slice(-3);
  }

  /** Queues `chunk` while it does not end the awaited construct; false when queued (nothing to tokenize yet). */
  private queue(chunk: string, awaited: Awaited): boolean {
    const { terminator } = awaited;
    const probe = this.queuedTail + chunk;
    if (probe.indexOf(terminator) >= 0) {
      this.unqueue();
      return true;
    }
    if (terminator === '<') this.checkOutsideText(chunk, this.pos);
    const pending = this.buf.length - this.pos + this.queuedLength + chunk.length;
    if (pending > this.limits.maxTextLength) this.fail(`${awaited.what} longer than ${this.limits.maxTextLength} characters`);
    this.queued.push(chunk);
    this.queuedLength += chunk.length;
    this.queuedTail = probe.slice(-3);
    return false;
  }

  /** Puts queued chunks back into the buffer, remembering that they hold no terminator. */
  private unqueue(): void {
    if (!this.awaited) return;
    this.awaited = undefined;
    if (this.queued.length === 0) return;
    this.searched = this.buf.length - this.pos + this.queuedLength;
    this.base += this.pos;
    this.buf = [this.buf.slice(this.pos), ...this.queued].join('');
    this.pos = 0;
    this.queued = [];
    this.queuedLength = 0;
  }

  /** Everything up to `to` has been reported: advance, keeping line numbers without rescanning. */
  private consume(to: number): void {
    const toAbs = this.base + to;
    for (;;) {
      if (this.nextBreak < 0) {
        const from = Math.max(this.breakScannedTo - this.base, this.pos);
        const i = this.buf.indexOf('\n', from);
        if (i < 0 || i >= this.buf.length) {
          this.breakScannedTo = this.base + this.buf.length;
          break;
        }
        this.nextBreak = this.base + i;
      }
      if (this.nextBreak >= toAbs) break;
      this.line++;
      this.lineStart = this.nextBreak + 1;
      this.breakScannedTo = this.nextBreak + 1;
      this.nextBreak = -1;
    }
    this.pos = to;
    this.searched = 0;
    this.tagScan = undefined;
  }

  private locate(at: number): { line: number; column: number } {
    let line = this.line;
    let lineStart = this.lineStart;
    const end = Math.min(at, this.buf.length);
    for (let i = this.buf.indexOf('\n', this.pos); i >= 0 && i < end; i = this.buf.indexOf('\n', i + 1)) {
      line++;
      lineStart = this.base + i + 1;
    }
    return { line, column: this.base + at - lineStart + 1 };
  }

  private fail(message: string, at = this.pos): never {
    const { line, column } = this.locate(at);
    this.finished = true;
    throw new XmlError(message, line, column);
  }

  /** Text before or after the root element may only be whitespace: anything else (a JSON or HTML body) fails at once. */
  private checkOutsideText(text: string, at: number): void {
    if (this.open.length === 0 && text.trim() !== '') this.fail('text outside the root element', at);
  }

  private characterData(from: number, to: number): void {
    if (this.open.length > 0 && to - from < 256 && this.handler.wantsWhitespace?.() === false) {
      const buf = this.buf;
      let i = from;
      while (i < to && isSpace(buf.charCodeAt(i))) i++;
      if (i === to) return;
    }
    const text = this.decode(this.buf.slice(from, to), from);
    if (this.open.length > 0) this.handler.text(text);
    else if (text.trim() !== '') this.fail('text outside the root element', from);
  }

  /** Comments, CDATA and processing instructions: find the terminator, resuming where the last search stopped. */
  private delimited(terminator: string, prefix: number, what: string, final: boolean): boolean {
    const buf = this.buf;
    const from = this.pos + Math.max(prefix, this.searched - terminator.length + 1);
    const end = buf.indexOf(terminator, from);
    if (end < 0) {
      if (buf.length - this.pos > this.limits.maxTextLength) this.fail(`${what} longer than ${this.limits.maxTextLength} characters`);
      if (final) this.fail(`unexpected end of document: unterminated ${what}`, buf.length);
      this.waitFor(buf.length - this.pos, { terminator, what });
      return false;
    }
    if (what === 'CDATA section') {
      if (this.open.length === 0) this.fail('CDATA outside the root element');
      this.handler.text(buf.slice(this.pos + prefix, end));
    }
    this.consume(end + terminator.length);
    return true;
  }

  private declaration(final: boolean): boolean {
    const buf = this.buf;
    const head = buf.slice(this.pos, this.pos + 9);
    if (head.length < 9 && !final && ('<!--'.startsWith(head.slice(0, 4)) || '<![CDATA['.startsWith(head) || '<!DOCTYPE'.startsWith(head.toUpperCase()))) {
      return false;
    }
    if (head.startsWith('<!--')) return this.delimited('-->', 4, 'comment', final);
    if (head === '<![CDATA[') return this.delimited(']]>', 9, 'CDATA section', final);
    this.fail(head.slice(2).toUpperCase() === 'DOCTYPE' ? DOCTYPE_REFUSED : 'markup declarations are not allowed');
  }

  private endTag(final: boolean): boolean {
    const buf = this.buf;
    // The usual case: `</Name>` closing the innermost open element, already complete in the buffer.
    const top = this.open.length > 0 ? this.open[this.open.length - 1] : undefined;
    const gtAt = this.pos + 2 + (top === undefined ? 0 : top.length);
    if (top !== undefined && gtAt < buf.length && buf.charCodeAt(gtAt) === GT && buf.startsWith(top, this.pos + 2)) {
      this.open.pop();
      this.handler.close(top);
      this.consume(this.pos + 3 + top.length);
      return true;
    }
    const gt = buf.indexOf('>', this.pos + Math.max(2, this.searched));
    if (gt < 0) {
      if (buf.length - this.pos > MAX_MARKUP_RUN) this.fail(`end tag longer than ${MAX_MARKUP_RUN} characters`);
      if (final) this.fail('unexpected end of document inside an end tag', buf.length);
      this.waitFor(buf.length - this.pos);
      return false;
    }
    let i = this.pos + 2;
    const nameEnd = this.readName(i);
    const name = buf.slice(i, nameEnd);
    i = nameEnd;
    while (isSpace(buf.charCodeAt(i))) i++;
    if (i !== gt) this.fail(`expected '>' to close </${name}`, i);
    const open = this.open.pop();
    if (open === undefined) this.fail(`unexpected closing tag </${name}>`);
    if (open !== name) this.fail(`closing tag </${name}> does not match <${open}>`);
    this.handler.close(name);
    this.consume(gt + 1);
    return true;
  }

  /** Index just after the name starting at `i` (which must start one). */
  private readName(i: number): number {
    const buf = this.buf;
    if (!isNameStart(buf.charCodeAt(i))) this.fail('expected a name', i);
    i++;
    while (i < buf.length && isNameChar(buf.charCodeAt(i))) i++;
    return i;
  }

  private startTag(final: boolean): boolean {
    if (this.tagScan === undefined && this.fastStartTag()) return true;
    const gt = this.findTagEnd();
    if (gt < 0) {
      if (final) this.fail('unexpected end of document inside a start tag', this.buf.length);
      return false;
    }
    const buf = this.buf;
    let i = this.pos + 1;
    const nameEnd = this.readName(i);
    const name = this.name(i, nameEnd);
    i = nameEnd;
    const attrs: Record<string, string> = {};
    let count = 0;
    let selfClosing = false;
    for (;;) {
      const before = i;
      while (isSpace(buf.charCodeAt(i))) i++;
      const c = buf.charCodeAt(i);
      if (c === GT) break;
      if (c === SLASH) {
        if (i + 1 !== gt) this.fail(`expected '/>' in <${name}>`, i);
        selfClosing = true;
        break;
      }
      if (i === before) this.fail(`expected whitespace before an attribute in <${name}>`, i);
      const attrEnd = this.readName(i);
      const attr = this.name(i, attrEnd);
      i = attrEnd;
      while (isSpace(buf.charCodeAt(i))) i++;
      if (buf.charCodeAt(i) !== EQUALS) this.fail(`expected '=' after attribute '${attr}'`, i);
      i++;
      while (isSpace(buf.charCodeAt(i))) i++;
      const quote = buf.charCodeAt(i);
      if (quote !== QUOTE && quote !== APOS) this.fail(`attribute '${attr}' value must be quoted`, i);
      const end = buf.indexOf(quote === QUOTE ? '"' : "'", i + 1);
      const raw = buf.slice(i + 1, end);
      if (raw.includes('<')) this.fail(`'<' is not allowed in the value of attribute '${attr}'`, i);
      if (Object.prototype.hasOwnProperty.call(attrs, attr)) this.fail(`duplicate attribute '${attr}'`, i);
      if (++count > this.limits.maxAttributes) this.fail(`more than ${this.limits.maxAttributes} attributes in <${name}>`, i);
      setOwn(attrs, attr, this.decode(raw, i));
      i = end + 1;
    }
    this.openElement(name, attrs, selfClosing, gt);
    return true;
  }

  /**
   * A start tag that is complete in the buffer and well-formed within every limit, read in one pass. Returns false,
   * having changed nothing, on anything else (incomplete, malformed, over a limit): the general path then reads it
   * and reports exactly the error it always did. Entity references are decoded only once the whole tag has passed,
   * since the general path checks the tag's extent before any attribute value.
   *
   * Sticky regular expressions do the per-character work: they run as native code from the first tag on, where a
   * character loop in JavaScript runs interpreted until the JIT has warmed up, which for a document of a few
   * megabytes is most of the read.
   */
  private fastStartTag(): boolean {
    const buf = this.buf;
    const pos = this.pos;
    const limits = this.limits;
    // Below both bounds no run outside attribute values can exceed MAX_MARKUP_RUN, nor the tag maxTagLength.
    const limit = pos + Math.min(MAX_MARKUP_RUN, limits.maxTagLength);
    START_TAG_NAME.lastIndex = pos;
    if (!START_TAG_NAME.test(buf)) return false;
    // Element names stay open (on the stack) for long: an own, shared copy rather than a slice of this chunk.
    const name = this.name(pos + 1, START_TAG_NAME.lastIndex);
    const attrs: Record<string, string> = {};
    let count = 0;
    /** Attributes whose value holds a reference, as name and quote position pairs, decoded once the tag has passed. */
    let encoded: (string | number)[] | undefined;
    let i = START_TAG_NAME.lastIndex;
    for (;;) {
      ATTRIBUTE_OR_TAG_END.lastIndex = i;
      const m = ATTRIBUTE_OR_TAG_END.exec(buf);
      if (m === null) return false;
      i = ATTRIBUTE_OR_TAG_END.lastIndex;
      if (i > limit) return false;
      const attr = m[1];
      if (attr === undefined) break;
      const double = m[2];
      const raw = double === undefined ? m[3] : double;
      if (raw.length > limits.maxAttributeLength) return false;
      // A name already set (or one of Object.prototype's: the general path tells them apart) is left to the general path.
      if (++count > limits.maxAttributes || attr === '__proto__' || attrs[attr] !== undefined) return false;
      if (raw.indexOf('&') >= 0) (encoded ??= []).push(attr, i - raw.length - 2);
      attrs[attr] = raw;
    }
    if (encoded !== undefined) {
      for (let e = 0; e < encoded.length; e += 2) {
        const attr = encoded[e] as string;
        attrs[attr] = this.decode(attrs[attr], encoded[e + 1] as number);
      }
    }
    // i is just after the '>' (of '>' or '/>').
    this.openElement(name, attrs, buf.charCodeAt(i - 2) === SLASH, i - 1);
    return true;
  }

  /** The checks and events after a start tag ending at `gt` has been read. */
  private openElement(name: string, attrs: Record<string, string>, selfClosing: boolean, gt: number): void {
    if (++this.elements > this.limits.maxElements) this.fail(`more than ${this.limits.maxElements} elements`);
    if (this.open.length === 0) {
      if (this.rootSeen) this.fail('more than one root element');
      this.rootSeen = true;
    }
    if (!selfClosing) {
      this.open.push(name);
      if (this.open.length > this.limits.maxDepth) this.fail(`elements nested deeper than ${this.limits.maxDepth}`);
    }
    // The handler runs before consuming, so that position() names this tag in the handler's own errors.
    this.handler.open(name, attrs, selfClosing);
    if (selfClosing) this.handler.close(name);
    this.consume(gt + 1);
  }

  /**
   * The name buf[from, to), one shared string per distinct name: names repeat on every element, so a short probe
   * of a few known candidates (same length and first character) replaces a slice and its hashing as a key.
   * Buckets are small and bounded, so a document with many distinct names only falls back to slicing.
   */
  private name(from: number, to: number): string {
    const buf = this.buf;
    const length = to - from;
    if (length > MAX_CACHED_NAME) return buf.slice(from, to);
    const key = (length << 7) | (buf.charCodeAt(from) & 127);
    const bucket = this.nameCache[key];
    if (bucket === undefined) {
      const name = ownCopy(buf.slice(from, to));
      this.nameCache[key] = [name];
      return name;
    }
    for (let b = 0; b < bucket.length; b++) {
      if (buf.startsWith(bucket[b], from)) return bucket[b];
    }
    const name = ownCopy(buf.slice(from, to));
    if (bucket.length < 8) bucket.push(name);
    return name;
  }

  /**
   * Index of the '>' ending the start tag at pos (quotes respected), or -1 when it has not arrived yet. Bounds are
   * enforced on the partial tag, so a huge attribute fails as soon as it exceeds its limit.
   */
  private findTagEnd(): number {
    const buf = this.buf;
    const start = this.pos;
    const scan = (this.tagScan ??= { offset: 1, quote: 0, runStart: 1, values: 0 });
    let i = start + scan.offset;
    const n = buf.length;
    while (i < n) {
      if (scan.quote !== 0) {
        const close = buf.indexOf(scan.quote === QUOTE ? '"' : "'", i);
        if (close < 0) {
          i = n;
          break;
        }
        if (close - (start + scan.runStart) - 1 > this.limits.maxAttributeLength) this.attributeTooLong(start + scan.runStart);
        scan.quote = 0;
        i = close + 1;
        scan.runStart = i - start;
        continue;
      }
      const c = buf.charCodeAt(i);
      if (c === GT) {
        if (i - start >= this.limits.maxTagLength) this.tagTooLong();
        return i;
      }
      if (c === QUOTE || c === APOS) {
        if (++scan.values > this.limits.maxAttributes) this.fail(`more than ${this.limits.maxAttributes} attributes in a start tag`, i);
        scan.quote = c;
        scan.runStart = i - start;
      } else if (c === LT) {
        this.fail("'<' inside a start tag", i);
      } else if (i - start - scan.runStart > MAX_MARKUP_RUN) {
        this.fail(`start tag has more than ${MAX_MARKUP_RUN} characters outside its attribute values`, i);
      }
      i++;
    }
    if (scan.quote !== 0 && n - (start + scan.runStart) - 1 > this.limits.maxAttributeLength) this.attributeTooLong(start + scan.runStart);
    // An unfinished tag is kept whole (and recopied as chunks arrive), so its total size is bounded too.
    if (n - start >= this.limits.maxTagLength) this.tagTooLong();
    scan.offset = i - start;
    return -1;
  }

  private tagTooLong(): never {
    this.fail(`start tag longer than ${this.limits.maxTagLength} characters`);
  }

  private attributeTooLong(at: number): never {
    this.fail(`attribute value longer than ${this.limits.maxAttributeLength} characters`, at);
  }

  private decode(raw: string, at: number): string {
    let amp = raw.indexOf('&');
    if (amp < 0) return raw;
    let out = '';
    let last = 0;
    while (amp >= 0) {
      out += raw.slice(last, amp);
      // The predefined entities by far the most common; anything else takes the general reading below.
      let length: number;
      let value: string;
      if (raw.startsWith('amp;', amp + 1)) {
        length = 5;
        value = '&';
      } else if (raw.startsWith('lt;', amp + 1)) {
        length = 4;
        value = '<';
      } else if (raw.startsWith('gt;', amp + 1)) {
        length = 4;
        value = '>';
      } else if (raw.startsWith('quot;', amp + 1)) {
        length = 6;
        value = '"';
      } else if (raw.startsWith('apos;', amp + 1)) {
        length = 6;
        value = "'";
      } else {
        ENTITY.lastIndex = amp;
        const match = ENTITY.exec(raw)!;
        length = match[0].length;
        value = this.entity(match[0], match[1], at);
      }
      out += value;
      last = amp + length;
      amp = raw.indexOf('&', last);
    }
    return out + raw.slice(last);
  }

  private entity(match: string, ref: string, at: number): string {
    if (!match.endsWith(';')) this.fail(`unterminated entity reference '${match}'`, at);
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code < 0 || code > 0x10ffff) this.fail(`invalid character reference '&${ref};'`, at);
      return String.fromCodePoint(code);
    }
    const value = Object.prototype.hasOwnProperty.call(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
    if (value === undefined) this.fail(`undefined entity '&${ref};' (only the predefined XML entities are accepted)`, at);
    return value;
  }
}

/** One entity or character reference, read from its '&' (sticky): the name up to ';', '&' or whitespace. */
const ENTITY = /&([^;&\s]*);?/y;

/**
 * `rest + chunk` as one flat string. A plain `+` makes a V8 cons string, and every charCodeAt on it then goes
 * through the indirection; a join copies the two once per chunk instead.
 */
function joinFlat(rest: string, chunk: string): string {
  return rest.length === 0 ? chunk : [rest, chunk].join('');
}

/** A flat copy of a short name, so that a cached name never keeps a chunk of the document alive. */
function ownCopy(value: string): string {
  // Two non-empty parts: join returns a lone non-empty part as it is, sliced or not.
  return [value.slice(0, 1), value.slice(1)].join('');
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Tokenizes a whole document held in memory. */
export function tokenizeXml(input: string, handler: XmlEventHandler, limits?: XmlTokenizerLimits): void {
  const tokenizer = new XmlTokenizer(handler, limits);
  tokenizer.write(input);
  tokenizer.end();
}
