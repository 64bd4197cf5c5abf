/**
 * T-SQL LIKE semantics for contains/startswith/endswith: Dataverse turns them into LIKE, so `%`, `_`, `[abc]`,
 * `[a-z]` and `[^a]` inside the searched value act as wildcards (wrap one in brackets to match it literally).
 * Matching is case- and accent-insensitive like the default collation.
 */
import { foldString } from './values';

const cache = new Map<string, RegExp>();

// Unicode-mode regular expressions only allow escaping syntax characters, and a different set inside classes.
function escapeOutside(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeInside(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
}

/** Converts a LIKE pattern to an anchored regular expression over folded text. */
export function likeToRegExp(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const p = foldString(pattern);
  let source = '';
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else if (ch === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = p.slice(i + 1, close);
      const negate = body.startsWith('^') && body.length > 1;
      if (negate) body = body.slice(1);
      const set = [...body].map((c, k) => (c === '-' && k > 0 && k < body.length - 1 ? '-' : escapeInside(c))).join('');
      source += `[${negate ? '^' : ''}${set}]`;
      i = close;
    } else source += escapeOutside(ch);
  }
  const re = new RegExp(`^${source}$`, 'u');
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** `value LIKE pattern`, ignoring trailing spaces of the value as SQL Server does for comparisons. */
export function like(value: string, pattern: string): boolean {
  return likeToRegExp(pattern).test(foldString(value.replace(/ +$/, '')));
}
