/**
 * Names the typed style hands out: definition names (unique, case-insensitively, across the whole selection so a
 * split keeps them stable) and length-capped PascalCase identifiers. Collisions and cuts are warnings.
 */
import { isReservedWord, pascalCase } from '../names';
import type { GeneratorWarning } from '../types';

/** Longest operationId or definition name written; longer names are cut and made unique with a short hash. */
export const MAX_IDENTIFIER = 64;

/** PascalCase, at most MAX_IDENTIFIER characters (cut names end with 4 hex characters of a hash of the full name). */
export function identifier(text: string, warnings: GeneratorWarning[], where?: string, max: number = MAX_IDENTIFIER): string {
  const full = pascalCase(text);
  if (full.length <= max) return full;
  const cut = `${full.slice(0, max - 5)}H${hash4(full)}`;
  warnings.push({ code: 'NameTruncated', message: `'${full}' is longer than ${max} characters; '${cut}' is used instead.`, where });
  return cut;
}

/** A PascalCase name for a table or type that is not a reserved word (`Delete` → `DeleteRecord`). */
export function safeTypeName(name: string, warnings: GeneratorWarning[], where?: string): string {
  if (!isReservedWord(name)) return name;
  warnings.push({ code: 'ReservedWord', message: `'${name}' is a reserved word; generated names use '${name}Record'.`, where });
  return `${name}Record`;
}

export function hash4(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 0) & 0xffff).toString(16).padStart(4, '0');
}

/** Unique definition names: a collision gets a numeric suffix and a warning. */
export class DefinitionNames {
  private readonly used = new Set<string>();

  constructor(private readonly warnings: GeneratorWarning[]) {}

  take(wanted: string, where?: string): string {
    const base = identifier(wanted, this.warnings, where);
    if (!this.used.has(base.toLowerCase())) {
      this.used.add(base.toLowerCase());
      return base;
    }
    let n = 2;
    while (this.used.has(`${base}${n}`.toLowerCase())) n++;
    const name = `${base}${n}`;
    this.used.add(name.toLowerCase());
    this.warnings.push({ code: 'NameCollision', message: `Schema name '${base}' is already used; '${name}' is used instead.`, where });
    return name;
  }
}
