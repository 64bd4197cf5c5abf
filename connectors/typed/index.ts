/**
 * The typed connector style: one operation per table and verb, each with full schemas from the metadata
 * (List/Get/Create/Update/Upsert/Delete<Table>, Relate/Unrelate<Table> on Dataverse), the actions and functions
 * bound to the chosen tables, and the unbound ones (in the first document). Pure: metadata model and options in,
 * Swagger 2.0 documents out.
 *
 * Every document stays within Power Automate's limits (LIMITS.maxSchemas definitions, LIMITS.maxSwaggerBytes as
 * written). A selection that does not fit is refused (TooLarge) unless `options.split`, which packs the tables
 * into as many documents as needed, in the order chosen, titled "… 1", "… 2" and so on.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { CsdlModel, EntitySet, EntityType } from '../../client/metadata/model';
import { baseDocument } from '../document';
import { GeneratorError } from '../errors';
import { limitProblem, measureDocument, memberBytes, formatBytes } from '../limits';
import { OperationIds, connectorTitle, pascalCase } from '../names';
import { LIMITS, type GenerateOptions, type GeneratorWarning } from '../types';
import { DefinitionNames, MAX_IDENTIFIER, identifier, safeTypeName } from './naming';
import { boundOperationPaths, unboundOperationPaths } from './actions';
import { rowAddress, tablePaths, TYPED_PARAMETERS } from './operations';
import { relationshipPaths } from './relationships';
import { SchemaBuilder, type TableDefinitionNames } from './schemas';
import { selectEntitySets } from './select';
import { addTypedTriggers } from '../triggers';
import { addFnoTypedExtras } from '../fno';
import type { JsonSchema } from '../edm-schema';

export { selectEntitySets, closeMatches } from './select';
export { TYPED_PARAMETERS, keySegment } from './operations';

/** Everything one table (or the unbound operations, without `set`) adds to a document. */
interface TableFragment {
  set?: EntitySet;
  /** The table's entity set name, or what the fragment holds. */
  label: string;
  paths: Record<string, OpenAPIV2.PathItemObject>;
  definitions: Record<string, JsonSchema>;
  /** Names of the shared complex definitions it needs. */
  complex: Set<string>;
}

export function buildTypedDocuments(model: CsdlModel, options: GenerateOptions, warnings: GeneratorWarning[]): OpenAPIV2.Document[] {
  const sets = selectEntitySets(model, options.tables);
  const fragments = buildFragments(model, options, sets, warnings);
  const builder = fragments.builder;

  // Sizes of the parts, measured once: a document's size is its base plus the members it holds.
  const baseBytes = measureDocument(assemble(model, options, [], new Map(), builder, [], undefined)).bytes;
  let ownBytes = fragments.tables.map(
    (f) =>
      Object.entries(f.paths).reduce((n, [k, v]) => n + memberBytes(k, v, 2), 0) +
      Object.entries(f.definitions).reduce((n, [k, v]) => n + memberBytes(k, v, 2), 0),
  );
  const complexBytes = new Map<string, number>();
  for (const f of fragments.tables) {
    for (const name of f.complex) if (!complexBytes.has(name)) complexBytes.set(name, memberBytes(name, builder.complexDefinition(name), 2));
  }

  // Room for the description and title, which change with the tables a document covers.
  const slack = 1024;
  // The unbound operations are an extra, never the reason a selection of tables is refused: without --split they
  // are left out when they do not fit next to the tables (with --split they get a connector of their own).
  const unbound = fragments.tables[0]?.set ? undefined : fragments.tables[0];
  if (unbound) {
    const complex = [...unbound.complex].reduce((n, name) => n + (complexBytes.get(name) ?? 0), 0);
    const alone = baseBytes + ownBytes[0] + complex;
    const fitsAlone = alone <= LIMITS.maxSwaggerBytes - slack && unbound.complex.size <= LIMITS.maxSchemas;
    const fitsWith = () => pack(fragments.tables, ownBytes, complexBytes, baseBytes, LIMITS.maxSwaggerBytes - slack, options).length === 1;
    if (!fitsAlone || (!options.split && !fitsWith())) {
      const count = Object.values(unbound.paths).reduce((n, item) => n + Object.keys(item).length, 0);
      fragments.tables.shift();
      ownBytes = ownBytes.slice(1);
      const why = fitsAlone ? 'next to the chosen tables; generate with --split to get them in a connector of their own' : 'in one connector';
      warnings.push({
        code: 'SkippedOperation',
        message: `The ${count} unbound actions and functions (${formatBytes(alone)}, ${unbound.complex.size} schemas) do not fit ${why}; they are left out.`,
        where: 'unbound actions and functions',
      });
    }
  }
  for (let budget = LIMITS.maxSwaggerBytes - slack; budget > LIMITS.maxSwaggerBytes / 4; budget = Math.floor(budget * 0.9)) {
    const groups = pack(fragments.tables, ownBytes, complexBytes, baseBytes, budget, options);
    if (groups.length > 1 && !options.split) {
      const all = assemble(model, options, fragments.tables, complexBytes, builder, [], undefined);
      const measure = measureDocument(all);
      throw new GeneratorError(
        `The connector for ${sets.length} tables would hold ${measure.schemas} schemas in ${formatBytes(measure.bytes)}; ` +
          `the limits are ${LIMITS.maxSchemas} schemas and ${formatBytes(LIMITS.maxSwaggerBytes)}: use --split or fewer --tables.`,
        'TooLarge',
      );
    }
    const docs: OpenAPIV2.Document[] = [];
    const docWarnings: GeneratorWarning[] = [];
    for (let i = 0; i < groups.length; i++) {
      const scratch: GeneratorWarning[] = [];
      const suffix = groups.length > 1 ? ` ${i + 1}` : undefined;
      docs.push(assemble(model, options, groups[i], complexBytes, builder, i === 0 ? docWarnings : scratch, suffix));
    }
    const measures = docs.map((d) => measureDocument(d));
    if (measures.some((m) => limitProblem(m))) continue; // the estimate was short; pack tighter
    warnings.push(...docWarnings);
    if (groups.length > 1) {
      warnings.push({
        code: 'Split',
        message: `The ${sets.length} tables do not fit in one connector (${LIMITS.maxSchemas} schemas, ${formatBytes(LIMITS.maxSwaggerBytes)}); they were split into ${groups.length} connectors.`,
      });
      groups.forEach((g, i) =>
        warnings.push({
          code: 'Split',
          message: `'${docs[i].info.title}' covers ${g.length} table${g.length > 1 ? 's' : ''}: ${covers(g.map((f) => f.label))} (${measures[i].schemas} schemas, ${formatBytes(measures[i].bytes)}).`,
          where: '/info/title',
        }),
      );
    }
    return docs;
  }
  throw new GeneratorError('The tables could not be packed within the connector limits: use fewer --tables.', 'TooLarge');
}

function buildFragments(model: CsdlModel, options: GenerateOptions, sets: EntitySet[], warnings: GeneratorWarning[]) {
  const defNames = new DefinitionNames(warnings);
  // Parameters live under #/parameters; definitions must not be named like them only for readability, so no clash to avoid.
  const ids = new OperationIds(warnings);
  const builder = new SchemaBuilder(model, options.service, defNames, warnings);
  const actions = { model, builder, ids, warnings };
  const typeUse = new Map<string, number>();
  for (const set of sets) typeUse.set(set.entityType, (typeUse.get(set.entityType) ?? 0) + 1);

  const tables: TableFragment[] = [];
  const total = sets.length;
  for (const set of sets) {
    const type = model.entityTypes.get(set.entityType);
    if (!type) {
      warnings.push({ code: 'UnknownType', message: `Entity set ${set.name} refers to the unknown type '${set.entityType}'; it is left out.`, where: set.name });
      options.onProgress?.(tables.length, total);
      continue;
    }
    const singularBase = (typeUse.get(set.entityType) ?? 0) > 1 ? set.name : type.name;
    // Room for the longest verb (Upsert) and a collision suffix within MAX_IDENTIFIER.
    const room = MAX_IDENTIFIER - 8;
    const singular = safeTypeName(identifier(singularBase, warnings, set.name, room), warnings, set.name);
    const plural = safeTypeName(identifier(set.name, warnings, set.name, room), warnings, set.name);
    const names: TableDefinitionNames = {
      row: defNames.take(singular, set.name),
      create: defNames.take(`${singular}Create`, set.name),
      update: defNames.take(`${singular}Update`, set.name),
    };
    const built = builder.table(set, type as EntityType, names);
    const tableNames = { plural: pascalCase(plural), singular: pascalCase(singular) };
    const paths = tablePaths(set, type, tableNames, names, ids, warnings);
    const address = rowAddress(set, type);
    if (address && options.service === 'dataverse') {
      Object.assign(paths, relationshipPaths({ model, set, type, names: tableNames, byKey: address.byKey, keyParams: address.keyParams, ids }));
    }
    const bound = boundOperationPaths(actions, { set, type, names: tableNames, byKey: address?.byKey, keyParams: address?.keyParams ?? [] });
    Object.assign(paths, bound.paths);
    tables.push({ set, label: set.name, paths, definitions: built.definitions, complex: new Set([...built.complex, ...bound.complex]) });
    options.onProgress?.(tables.length, total);
  }
  if (!tables.length) throw new GeneratorError('None of the chosen tables has a known entity type.', 'NoTables');
  const used = new Set(tables.flatMap((t) => Object.entries(t.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`))));
  const unbound = unboundOperationPaths(actions, used);
  if (Object.keys(unbound.paths).length) {
    tables.unshift({ label: 'unbound actions and functions', paths: unbound.paths, definitions: {}, complex: unbound.complex });
  }
  return { tables, builder };
}

/** Greedy packing in the given order; a table that does not fit even alone is refused. */
function pack(
  tables: TableFragment[],
  ownBytes: number[],
  complexBytes: Map<string, number>,
  baseBytes: number,
  budget: number,
  options: GenerateOptions,
): TableFragment[][] {
  const groups: TableFragment[][] = [];
  let current: TableFragment[] = [];
  let bytes = baseBytes;
  let schemas = 0;
  let complex = new Set<string>();
  const cost = (i: number, within: Set<string>) => {
    let b = ownBytes[i];
    let s = Object.keys(tables[i].definitions).length;
    for (const name of tables[i].complex) {
      if (within.has(name)) continue;
      b += complexBytes.get(name) ?? 0;
      s++;
    }
    return { b, s };
  };
  for (let i = 0; i < tables.length; i++) {
    let { b, s } = cost(i, complex);
    if (current.length && (bytes + b > budget || schemas + s > LIMITS.maxSchemas)) {
      groups.push(current);
      current = [];
      bytes = baseBytes;
      schemas = 0;
      complex = new Set();
      ({ b, s } = cost(i, complex));
    }
    if (baseBytes + b > LIMITS.maxSwaggerBytes || s > LIMITS.maxSchemas) {
      throw new GeneratorError(
        `${tables[i].set ? `Table ${tables[i].label}` : `The ${tables[i].label}`} alone need${tables[i].set ? 's' : ''} ${s} schemas in ${formatBytes(baseBytes + b)}; the limits are ${LIMITS.maxSchemas} schemas and ` +
          `${formatBytes(LIMITS.maxSwaggerBytes)}, so it cannot be generated in the typed style${options.split ? '' : ': use --split or fewer --tables'}.`,
        'TooLarge',
      );
    }
    current.push(tables[i]);
    bytes += b;
    schemas += s;
    for (const name of tables[i].complex) complex.add(name);
  }
  if (current.length) groups.push(current);
  return groups;
}

function assemble(
  model: CsdlModel,
  options: GenerateOptions,
  tables: TableFragment[],
  _complexBytes: Map<string, number>,
  builder: SchemaBuilder,
  warnings: GeneratorWarning[],
  suffix: string | undefined,
): OpenAPIV2.Document {
  const names = tables.flatMap((t) => (t.set ? [t.set.name] : []));
  let title = options.title;
  if (suffix) {
    const base = connectorTitle(options.title ?? (options.service === 'dataverse' ? 'Dataverse Tables' : 'Finance and Operations Data'), warnings);
    title = `${base.slice(0, LIMITS.titleLength - suffix.length).trim()}${suffix}`;
  }
  const doc = baseDocument({ options: { ...options, title }, covers: names.length ? covers(names) : 'tables', warnings });
  const complex = new Set<string>();
  for (const t of tables) {
    Object.assign(doc.paths, t.paths);
    Object.assign(doc.definitions!, t.definitions);
    for (const name of t.complex) complex.add(name);
  }
  for (const name of [...complex].sort()) doc.definitions![name] = builder.complexDefinition(name) as OpenAPIV2.SchemaObject;
  doc.parameters = { ...TYPED_PARAMETERS };
  // Webhook triggers for the tables of this document and their actions (Dataverse callback registrations).
  if (options.service === 'dataverse') addTypedTriggers(doc, tables.flatMap((t) => (t.set ? [t.set] : [])), warnings, model);
  // F&O: company scope and $skip on the operations, and the business event trigger (connectors/fno).
  if (options.service === 'fno') addFnoTypedExtras(doc, warnings);
  return doc;
}

/** "accounts, contacts and 3 more tables". */
function covers(names: string[]): string {
  if (names.length === 1) return `the ${names[0]} table`;
  if (names.length <= 3) return `the ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} tables`;
  return `the ${names.slice(0, 3).join(', ')} and ${names.length - 3} more tables`;
}
