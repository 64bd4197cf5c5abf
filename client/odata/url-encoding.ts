/**
 * Percent-encoding of one OData expression (a query option value or a key predicate), done once, after the
 * expression is built (odata.md §1.3). The encoder knows where literals are: inside '…' strings and "…" JSON
 * strings every character but letters, digits and `-_.!~*'()` is encoded (the ABNF rejects a raw '/', '?' or space
 * there, Dataverse asks for `$ , / : ; = ? @` to be encoded); outside them the OData punctuation
 * `$ , / = : @ ; ( ) * '` stays readable. `&`, `#`, `+`, `%`, spaces and non-ASCII text are encoded everywhere, so
 * nothing in a value can end the option, start a fragment, or be read back as a different character.
 */

const READABLE_OUTSIDE_LITERALS = new Set("$,/=:@;()*'!".split(''));

function encodeChar(ch: string): string {
  try {
    return encodeURIComponent(ch);
  } catch {
    throw new TypeError('Cannot percent-encode text that contains an unpaired UTF-16 surrogate.');
  }
}

function encodeOutside(ch: string): string {
  return READABLE_OUTSIDE_LITERALS.has(ch) ? ch : encodeChar(ch);
}

/** Percent-encodes an OData expression, keeping its punctuation readable and encoding inside its literals. */
export function encodeODataText(text: string): string {
  const chars = Array.from(text);
  let out = '';
  let state: 'code' | 'string' | 'json' = 'code';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (state === 'code') {
      if (ch === "'") state = 'string';
      if (ch === '"') state = 'json';
      out += encodeOutside(ch);
    } else if (state === 'string') {
      if (ch === "'" && chars[i + 1] === "'") {
        out += "''";
        i++;
      } else {
        if (ch === "'") state = 'code';
        out += ch === "'" ? ch : encodeChar(ch);
      }
    } else if (ch === '\\' && i + 1 < chars.length) {
      // A JSON escape: the escaped character (maybe a quote) does not end the string.
      out += encodeChar(ch) + encodeChar(chars[++i]);
    } else {
      if (ch === '"') state = 'code';
      out += encodeChar(ch);
    }
  }
  return out;
}

/** Encodes an opaque value (a skip token) as a whole: no punctuation is kept readable. */
export function encodeOpaque(text: string): string {
  return Array.from(text).map(encodeChar).join('');
}
