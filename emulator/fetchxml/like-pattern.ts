/**
 * T-SQL LIKE patterns (`%`, `_`, `[abc]`, `[a-f]`, `[^x]`) matched without regular expressions, so a hostile pattern
 * such as `%a%a%a%…` costs at most pattern × text steps instead of exponential backtracking.
 */

type Token =
  | { type: 'any' }
  | { type: 'one' }
  | { type: 'char'; char: string }
  | { type: 'set'; negate: boolean; ranges: Array<[string, string]> };

export type LikePattern = Token[];

/** Compiles a pattern; case-insensitivity comes from lower-casing both pattern and text. */
export function compileLike(pattern: string): LikePattern {
  const source = pattern.toLowerCase();
  const tokens: Token[] = [];
  // Next ']' at or after each index, precomputed so '[[[[…' stays linear.
  const nextClose = new Array<number>(source.length + 1).fill(-1);
  for (let i = source.length - 1; i >= 0; i--) nextClose[i] = source[i] === ']' ? i : nextClose[i + 1];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '%') {
      if (tokens[tokens.length - 1]?.type !== 'any') tokens.push({ type: 'any' });
    } else if (c === '_') {
      tokens.push({ type: 'one' });
    } else if (c === '[') {
      const close = i + 2 <= source.length ? nextClose[i + 2] : -1;
      if (close < 0) {
        tokens.push({ type: 'char', char: c });
        continue;
      }
      let body = source.slice(i + 1, close);
      const negate = body.startsWith('^') && body.length > 1;
      if (negate) body = body.slice(1);
      const ranges: Array<[string, string]> = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j], body[j + 2]]);
          j += 2;
        } else {
          ranges.push([body[j], body[j]]);
        }
      }
      tokens.push({ type: 'set', negate, ranges });
      i = close;
    } else {
      tokens.push({ type: 'char', char: c });
    }
  }
  return tokens;
}

function matchesOne(token: Token, c: string): boolean {
  switch (token.type) {
    case 'one':
      return true;
    case 'char':
      return token.char === c;
    case 'set':
      return token.ranges.some(([low, high]) => c >= low && c <= high) !== token.negate;
    default:
      return false;
  }
}

export function matchLike(pattern: LikePattern, value: string): boolean {
  const text = value.toLowerCase();
  let t = 0;
  let p = 0;
  let starAt = -1;
  let starText = 0;
  while (t < text.length) {
    const token = pattern[p];
    if (token && token.type !== 'any' && matchesOne(token, text[t])) {
      p++;
      t++;
    } else if (token?.type === 'any') {
      starAt = p++;
      starText = t;
    } else if (starAt >= 0) {
      // Let the last % absorb one more character and retry from there.
      p = starAt + 1;
      t = ++starText;
    } else {
      return false;
    }
  }
  while (pattern[p]?.type === 'any') p++;
  return p === pattern.length;
}
