/**
 * Which entity sets a typed connector covers: `--tables` names entity sets (`accounts`), entity type names or
 * logical names (`account`), or qualified type names (`Microsoft.Dynamics.CRM.account`); `*` or nothing means
 * every entity set. An unknown name is refused with the closest names the service has.
 */
import type { CsdlModel, EntitySet } from '../../client/metadata/model';
import { GeneratorError } from '../errors';

export function selectEntitySets(model: CsdlModel, tables: string[] | undefined): EntitySet[] {
  const all = [...model.entitySets.values()];
  if (!tables || tables.length === 0 || tables.some((t) => t.trim() === '*')) {
    if (!all.length) throw new GeneratorError('The metadata declares no entity sets, so there is nothing to generate.', 'NoTables');
    return all;
  }
  const byLower = new Map<string, EntitySet>();
  for (const set of all) if (!byLower.has(set.name.toLowerCase())) byLower.set(set.name.toLowerCase(), set);
  const byTypeName = new Map<string, EntitySet>();
  for (const set of all) {
    const type = model.entityTypes.get(set.entityType);
    const short = (type?.name ?? set.entityType.slice(set.entityType.lastIndexOf('.') + 1)).toLowerCase();
    if (!byTypeName.has(short)) byTypeName.set(short, set);
    if (!byTypeName.has(set.entityType.toLowerCase())) byTypeName.set(set.entityType.toLowerCase(), set);
  }
  const chosen: EntitySet[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  for (const raw of tables) {
    const name = raw.trim();
    if (!name) continue;
    const lower = name.toLowerCase();
    const set = model.entitySets.get(name) ?? byLower.get(lower) ?? byTypeName.get(lower) ?? qualifiedByAlias(model, lower, byTypeName);
    if (!set) {
      unknown.push(name);
      continue;
    }
    if (!seen.has(set.name)) {
      seen.add(set.name);
      chosen.push(set);
    }
  }
  if (unknown.length) {
    const candidates = [...new Set([...all.map((s) => s.name), ...all.map((s) => model.entityTypes.get(s.entityType)?.name ?? '')])].filter(Boolean);
    const parts = unknown.map((name) => {
      const close = closeMatches(name, candidates);
      return close.length ? `'${name}' (did you mean ${close.map((c) => `'${c}'`).join(', ')}?)` : `'${name}'`;
    });
    throw new GeneratorError(`Unknown table${unknown.length > 1 ? 's' : ''} ${parts.join(', ')}: not an entity set or entity type of this service.`, 'UnknownTable');
  }
  if (!chosen.length) throw new GeneratorError('No tables were chosen; name entity sets with --tables or use *.', 'NoTables');
  return chosen;
}

/** `mscrm.account` when the schema has an alias. */
function qualifiedByAlias(model: CsdlModel, lower: string, byTypeName: Map<string, EntitySet>): EntitySet | undefined {
  if (!model.alias || !lower.startsWith(`${model.alias.toLowerCase()}.`)) return undefined;
  return byTypeName.get(`${model.namespace.toLowerCase()}.${lower.slice(model.alias.length + 1)}`);
}

/** Up to three names within a small edit distance, or containing / contained in the wanted one. */
export function closeMatches(wanted: string, candidates: string[], max = 3): string[] {
  const w = wanted.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const c = name.toLowerCase();
    if (Math.abs(c.length - w.length) > limit && !(c.includes(w) || (c.length >= 4 && w.includes(c)))) continue;
    let score = editDistance(w, c, limit + 1);
    if (score > limit) {
      if (c.includes(w) || (c.length >= 4 && w.includes(c))) score = limit + 1;
      else continue;
    }
    scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.length - b.name.length || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

/** Levenshtein distance, stopping early once every cell of a row exceeds `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > cap) return cap + 1;
    prev = row;
  }
  return prev[b.length];
}
