/**
 * Power Automate's naming rules, in one place for the generator and the validate command: PascalCase unique
 * operationIds, summaries of at most 80 characters without restricted characters or trailing punctuation, titles
 * of at most 30 characters without restricted words.
 */
import { LIMITS, type GeneratorWarning } from './types';

/** Characters a summary must not contain (certification message: "[/\<>*%&?]"). */
export const SUMMARY_RESTRICTED = /[/\\<>*%&?]/g;
export const TITLE_RESTRICTED_WORDS = ['api', 'connector'];
export const DESCRIPTION_RESTRICTED_WORDS = ['power apps', 'power automate', 'logic apps'];

/** JavaScript/C# words that make poor identifiers in generated client code and in some designers. */
const RESERVED = new Set(['delete', 'new', 'default', 'class', 'function', 'return', 'var', 'null', 'true', 'false', 'this', 'in', 'if', 'for', 'while']);

/** `new_customer_table` → `NewCustomerTable`; `WhoAmI` stays; digits first get a prefix; nothing left → `Item`. */
export function pascalCase(text: string): string {
  if (isPlainName(text)) return text.charCodeAt(0) >= 97 ? text[0].toUpperCase() + text.slice(1) : text;
  const words = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  let out = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  if (!out) out = 'Item';
  if (/^[0-9]/.test(out)) out = `N${out}`;
  return out;
}

/**
 * Letters and digits only, starting with a letter: every word after the first then starts with its capital already,
 * so the PascalCase form is the name with its first letter raised (operationIds are made of such names thousands of
 * times over).
 */
function isPlainName(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

/** Hands out unique operationIds: a collision gets a numeric suffix and a warning, never invalid output. */
export class OperationIds {
  private readonly used = new Map<string, number>();

  constructor(private readonly warnings: GeneratorWarning[]) {}

  take(wanted: string, where?: string): string {
    const base = pascalCase(wanted);
    const key = base.toLowerCase();
    const seen = this.used.get(key) ?? 0;
    this.used.set(key, seen + 1);
    if (seen === 0) return base;
    let n = seen + 1;
    while (this.used.has(`${key}${n}`)) n++;
    this.used.set(`${key}${n}`, 1);
    this.warnings.push({ code: 'NameCollision', message: `operationId '${base}' is already used; '${base}${n}' is used instead.`, where });
    return `${base}${n}`;
  }
}

/** A summary Power Automate accepts: restricted characters removed, ≤80 characters, ending with a letter or digit. */
export function summary(text: string): string {
  let out = text.replace(SUMMARY_RESTRICTED, ' ').replace(/\s+/g, ' ').trim();
  if (out.length > LIMITS.summaryLength) out = out.slice(0, LIMITS.summaryLength).replace(/\s+\S*$/, '');
  out = out.replace(/[^A-Za-z0-9]+$/, '');
  return out || 'Run the operation';
}

/** A description as a sentence: capitalised, ending with a period. */
export function sentence(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (!t) return 'No description.';
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** Whether `text` contains one of `words` as a word (case-insensitive). */
export function containsWord(text: string, words: string[]): string | undefined {
  const lower = text.toLowerCase();
  return words.find((w) => new RegExp(`(^|[^a-z0-9])${w.replace(/ /g, '\\s+')}([^a-z0-9]|$)`).test(lower));
}

/** A title within 30 characters and without restricted words; the reason is reported when it had to change. */
export function connectorTitle(wanted: string, warnings: GeneratorWarning[]): string {
  let title = wanted.replace(/\s+/g, ' ').trim();
  for (let word = containsWord(title, TITLE_RESTRICTED_WORDS); word; word = containsWord(title, TITLE_RESTRICTED_WORDS)) {
    title = title.replace(new RegExp(`(^|[^A-Za-z0-9])${word}(?=[^A-Za-z0-9]|$)`, 'i'), '$1').replace(/\s+/g, ' ').trim();
    warnings.push({ code: 'ReservedWord', message: `The title may not contain the word '${word}'; it was removed.`, where: '/info/title' });
  }
  if (title.length > LIMITS.titleLength) {
    title = title.slice(0, LIMITS.titleLength).trim();
    warnings.push({ code: 'NameTruncated', message: `The title was cut to ${LIMITS.titleLength} characters: '${title}'.`, where: '/info/title' });
  }
  return title || 'Dynamics 365';
}

/** A safe identifier for a property or parameter name that collides with a reserved word. */
export function isReservedWord(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}
