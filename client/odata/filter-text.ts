/**
 * The Filter value: OData boolean-expression text made only by the builder (or by an explicit raw() call), kept
 * with its precedence so combinations add exactly the parentheses they need. Values that travel as parameter
 * aliases are kept as placeholders and numbered when the whole query is rendered, so filters built apart never
 * collide on alias names.
 */

const FILTER = Symbol('odata.filter');

/** Loosest to tightest binding; the builder wraps an operand in parentheses when it binds looser than needed. */
export type FilterLevel = 'or' | 'and' | 'not' | 'comparison' | 'primary';

/** A value that is rendered as `@pN`, with `@pN=<text>` added to the query string. */
export interface AliasPart {
  readonly aliasValue: string;
}

export type FilterPart = string | AliasPart;

export interface Filter {
  readonly [FILTER]: true;
  readonly level: FilterLevel;
  readonly parts: readonly FilterPart[];
}

export function isFilter(value: unknown): value is Filter {
  return typeof value === 'object' && value !== null && (value as Partial<Filter>)[FILTER] === true;
}

export function makeFilter(level: FilterLevel, parts: readonly FilterPart[]): Filter {
  return { [FILTER]: true, level, parts };
}

/** True when parentheses outside '…' and "…" literals are balanced and quotes are closed. */
function isBalanced(text: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === '"' && ch === '\\') i++;
    else if (quote !== undefined) {
      if (ch === quote && !(quote === "'" && text[i + 1] === "'")) quote = undefined;
      else if (ch === quote) i++;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0 && quote === undefined;
}

/**
 * OData filter text taken as written, for expressions the builder does not offer. It is still percent-encoded
 * when the query is built, so it cannot break out of `$filter`, and it must be balanced (parentheses, quotes) so
 * it cannot break out of the group it is combined into; the rest of its content is the caller's responsibility.
 */
export function raw(text: string): Filter {
  if (typeof text !== 'string' || text.trim() === '') throw new TypeError('raw() needs non-empty OData filter text.');
  if (!isBalanced(text)) throw new TypeError(`raw() filter text has unbalanced parentheses or quotes: ${text}`);
  // Its own precedence is unknown: taken as the loosest, so and()/not() put it in parentheses.
  return makeFilter('or', [text]);
}

export function parenthesized(filter: Filter): readonly FilterPart[] {
  return filter.level === 'primary' ? filter.parts : ['(', ...filter.parts, ')'];
}

/** Hands out `@p1`, `@p2`… for one query, skipping names the caller already uses. */
export class AliasAllocator {
  private readonly values = new Map<string, string>();
  private counter = 0;

  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  add(valueText: string): string {
    let name: string;
    do name = `@p${++this.counter}`;
    while (this.reserved.has(name));
    this.values.set(name, valueText);
    return name;
  }

  entries(): [string, string][] {
    return [...this.values];
  }
}

/** The filter's OData text; alias placeholders become names from `aliases` (required when the filter has some). */
export function renderFilter(filter: Filter | string, aliases?: AliasAllocator): string {
  if (typeof filter === 'string') return filter;
  if (!isFilter(filter)) throw new TypeError('Expected a Filter from the filter builder, raw(), or filter text.');
  return filter.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (!aliases) throw new TypeError('This filter uses parameter aliases; build it with buildQueryString().');
      return aliases.add(part.aliasValue);
    })
    .join('');
}
