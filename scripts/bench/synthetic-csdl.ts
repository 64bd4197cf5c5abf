/**
 * Synthetic $metadata documents for benchmarks and stress tests of the connector generator, written to a file as
 * a stream (memory does not grow with the document) and deterministic (same options, same bytes).
 *
 * Dataverse-shaped (odata.md §5): namespace Microsoft.Dynamics.CRM alias mscrm, abstract crmbaseentity, container
 * System, Guid key `<table>id`, computed versionnumber, lookups as `_x_value` columns with a single-valued
 * navigation property, a ReferentialConstraint and a partner collection on the target (systemuser becomes a hub),
 * global option sets as EnumTypes (some IsFlags, for multi-select choices) used by choice columns, alternate keys
 * (OData.Community.Keys.V1.AlternateKeys) on one table in ten, Core.Description on every property, and bound
 * (overloaded) and unbound actions and functions with their imports. 2,000 types × 60 properties ≈ 30 MB.
 *
 * Finance & Operations-shaped (finance-operations.md §2.1): namespace Microsoft.Dynamics.DataEntities, container
 * Resources, 3,000 data entities of 40 columns (about 11 MB), composite keys led by dataAreaId, public collection
 * names (`…s` sets), columns mostly strings with many NoYes and other enum columns, navigation properties whose
 * referential constraints pair dataAreaId and the target's key, and bound actions.
 */
import { once } from 'node:events';
import * as fs from 'node:fs';

export interface SyntheticDataverseOptions {
  /** Entity types, crmbaseentity included (default 2,000). */
  entityTypes?: number;
  /** Structural properties per table, key and lookups included (default 60, at least 16). */
  propertiesPerType?: number;
  /** Global option sets (EnumTypes; default 40). */
  optionSets?: number;
  seed?: number;
}

export interface SyntheticFnoOptions {
  /** Data entities (default 3,000). */
  entityTypes?: number;
  /** Properties per entity, keys included (default 40, at least 8). */
  propertiesPerType?: number;
  /** Enum types besides NoYes (default 60). */
  enums?: number;
  seed?: number;
}

export interface SyntheticStats {
  bytes: number;
  entityTypes: number;
  entitySets: number;
  enumTypes: number;
  properties: number;
  navigationProperties: number;
  actions: number;
  functions: number;
}

/** xorshift32: small, fast and the same on every machine. */
function random(seed: number): () => number {
  let state = (seed >>> 0) || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)];
const pad = (n: number, width = 4) => String(n).padStart(width, '0');
const WORDS = ['account', 'balance', 'region', 'contract', 'priority', 'delivery', 'source', 'channel', 'segment', 'rating', 'budget', 'stage'];
const NAMES = ['Customer', 'Vendor', 'SalesOrder', 'PurchOrder', 'Invoice', 'Product', 'Warehouse', 'Ledger', 'Project', 'Worker', 'Asset', 'Budget'];

/** A write stream with backpressure and byte counting; every document goes through one. */
async function withStream(file: string, body: (write: (text: string) => Promise<void>) => Promise<void>): Promise<number> {
  const stream = fs.createWriteStream(file, { encoding: 'utf8' });
  const failed = once(stream, 'error').then(([e]) => Promise.reject(e));
  failed.catch(() => undefined);
  let bytes = 0;
  try {
    await body(async (text) => {
      bytes += Buffer.byteLength(text);
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
    });
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
  } catch (e) {
    stream.destroy();
    throw e;
  }
  return bytes;
}

const describe = (text: string) => `\n\t\t\t\t\t<Annotation Term="Org.OData.Core.V1.Description" String="${text}" />\n\t\t\t\t`;

function alternateKeyXml(columns: string[]): string {
  const refs = columns.map((c) => '\t\t\t\t\t\t\t\t\t<Record Type="OData.Community.Keys.V1.PropertyRef">\n'
    + `\t\t\t\t\t\t\t\t\t\t<PropertyValue Property="Alias" String="${c}" />\n\t\t\t\t\t\t\t\t\t\t<PropertyValue Property="Name" PropertyPath="${c}" />\n`
    + '\t\t\t\t\t\t\t\t\t</Record>\n').join('');
  return '\t\t\t\t<Annotation Term="OData.Community.Keys.V1.AlternateKeys">\n\t\t\t\t\t<Collection>\n\t\t\t\t\t\t<Record Type="OData.Community.Keys.V1.AlternateKey">\n'
    + `\t\t\t\t\t\t\t<PropertyValue Property="Key">\n\t\t\t\t\t\t\t\t<Collection>\n${refs}\t\t\t\t\t\t\t\t</Collection>\n\t\t\t\t\t\t\t</PropertyValue>\n`
    + '\t\t\t\t\t\t</Record>\n\t\t\t\t\t</Collection>\n\t\t\t\t</Annotation>\n';
}

// ---------------------------------------------------------------------------------------------------------------
// Dataverse

interface DvLookup { name: string; target: string; partner: string }
interface DvTable { name: string; lookups: DvLookup[]; collections: { name: string; source: string; lookup: string }[] }

const DV_SYSTEM_LOOKUPS = ['createdby', 'modifiedby', 'owninguser'];
const DV_FIXED = 7; // id, versionnumber, name, createdon, modifiedon, statecode, statuscode
const DV_CHOICES = 3;
const DV_TYPES: [string, string][] = [
  ['Edm.String', ' MaxLength="100"'], ['Edm.String', ' MaxLength="2000"'], ['Edm.Int32', ''], ['Edm.Decimal', ' Scale="Variable"'],
  ['Edm.Boolean', ''], ['Edm.DateTimeOffset', ''], ['Edm.Double', ''], ['Edm.Int64', ''], ['Edm.Guid', ''], ['Edm.Date', ''],
];

function planDataverse(count: number, customLookups: number, next: () => number): DvTable[] {
  const tables: DvTable[] = [{ name: 'systemuser', lookups: [], collections: [] }];
  for (let i = 1; i < count; i++) tables.push({ name: `new_table${pad(i)}`, lookups: [], collections: [] });
  for (const table of tables) {
    table.lookups = DV_SYSTEM_LOOKUPS.map((name) => ({ name, target: 'systemuser', partner: `lk_${table.name}_${name}` }));
    for (let k = 0; k < customLookups; k++) {
      const target = tables[1 + Math.floor(next() * (tables.length - 1))].name;
      const name = `new_ref${k}id`;
      table.lookups.push({ name, target, partner: `new_${target}_${table.name}_${name}` });
    }
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const t of tables) for (const l of t.lookups) byName.get(l.target)!.collections.push({ name: l.partner, source: t.name, lookup: l.name });
  return tables;
}

function dataverseTypeXml(table: DvTable, perType: number, optionSets: number, next: () => number, stats: SyntheticStats): string {
  const t = table.name;
  const out = [`\t\t\t<EntityType Name="${t}" BaseType="mscrm.crmbaseentity">\n\t\t\t\t<Key>\n\t\t\t\t\t<PropertyRef Name="${t}id" />\n\t\t\t\t</Key>\n`];
  const property = (name: string, type: string, facets: string, text: string, extra = '') =>
    out.push(`\t\t\t\t<Property Name="${name}" Type="${type}"${facets}>${describe(text)}${extra}</Property>\n`);
  const readOnly = '\t<Annotation Term="Org.OData.Core.V1.Permissions">\n\t\t\t\t\t\t<EnumMember>Org.OData.Core.V1.PermissionType/Read</EnumMember>\n\t\t\t\t\t</Annotation>\n\t\t\t\t';
  property(`${t}id`, 'Edm.Guid', '', `Unique identifier of the ${t} row.`);
  property('versionnumber', 'Edm.Int64', ' ConcurrencyMode="Fixed"', 'Version number of the row.', '\t<Annotation Term="Org.OData.Core.V1.Computed" Bool="true" />\n\t\t\t\t');
  property('name', 'Edm.String', ' MaxLength="100"', `Primary name of the ${t} row.`);
  property('createdon', 'Edm.DateTimeOffset', ' Precision="0"', 'Date and time when the row was created.', readOnly);
  property('modifiedon', 'Edm.DateTimeOffset', ' Precision="0"', 'Date and time when the row was last updated.', readOnly);
  property('statecode', 'Edm.Int32', '', 'Status of the row: Active or Inactive.');
  property('statuscode', 'Edm.Int32', '', 'Reason for the status of the row.');
  for (const l of table.lookups) property(`_${l.name}_value`, 'Edm.Guid', '', `Unique identifier of the ${l.target} (${l.name}).`);
  for (let c = 0; c < DV_CHOICES; c++) {
    const set = Math.floor(next() * optionSets);
    property(`new_choice${c}`, `mscrm.new_optionset${pad(set, 3)}`, '', `A choice of the row (option set ${set}).`);
  }
  const filler = perType - DV_FIXED - table.lookups.length - DV_CHOICES;
  for (let i = 0; i < filler; i++) {
    const [type, facets] = pick(next, DV_TYPES);
    const word = pick(next, WORDS);
    property(`new_${word}${i}`, type, facets, `The ${word} of the row (R&amp;D).`);
  }
  stats.properties += DV_FIXED + table.lookups.length + DV_CHOICES + Math.max(0, filler);
  for (const l of table.lookups) {
    out.push(`\t\t\t\t<NavigationProperty Name="${l.name}" Type="mscrm.${l.target}" Partner="${l.partner}">\n`
      + `\t\t\t\t\t<ReferentialConstraint Property="_${l.name}_value" ReferencedProperty="${l.target}id" />\n\t\t\t\t</NavigationProperty>\n`);
  }
  for (const c of table.collections) out.push(`\t\t\t\t<NavigationProperty Name="${c.name}" Type="Collection(mscrm.${c.source})" Partner="${c.lookup}" />\n`);
  stats.navigationProperties += table.lookups.length + table.collections.length;
  if (t !== 'systemuser' && next() < 0.1) out.push(alternateKeyXml(next() < 0.5 ? ['name'] : ['name', 'new_choice0']));
  out.push('\t\t\t</EntityType>\n');
  return out.join('');
}

function optionSetXml(index: number, next: () => number): string {
  const flags = index % 10 === 9;
  const members = 3 + Math.floor(next() * 6);
  const out = [`\t\t\t<EnumType Name="new_optionset${pad(index, 3)}" UnderlyingType="Edm.Int32"${flags ? ' IsFlags="true"' : ''}>\n`];
  for (let m = 0; m < members; m++) {
    const value = flags ? 2 ** m : 100_000_000 + m;
    out.push(`\t\t\t\t<Member Name="${pick(next, WORDS)}_${m}" Value="${value}" />\n`);
  }
  out.push('\t\t\t</EnumType>\n');
  return out.join('');
}

export async function writeSyntheticDataverseCsdl(file: string, options: SyntheticDataverseOptions = {}): Promise<SyntheticStats> {
  const entityTypes = options.entityTypes ?? 2000;
  const perType = options.propertiesPerType ?? 60;
  const optionSets = Math.max(1, options.optionSets ?? 40);
  if (perType < 16) throw new Error('propertiesPerType must be at least 16');
  const next = random(options.seed ?? 1);
  const customLookups = Math.min(5, perType - DV_FIXED - DV_SYSTEM_LOOKUPS.length - DV_CHOICES - 2);
  const tables = planDataverse(Math.max(2, entityTypes - 1), customLookups, next);
  const stats: SyntheticStats = {
    bytes: 0, entityTypes: tables.length + 1, entitySets: tables.length, enumTypes: optionSets, properties: 0, navigationProperties: 0, actions: 0, functions: 0,
  };
  stats.bytes = await withStream(file, async (write) => {
    await write('<?xml version="1.0" encoding="utf-8"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n'
      + '\t<edmx:Reference Uri="http://vocabularies.odata.org/OData.Community.Keys.V1.xml">\n\t\t<edmx:Include Namespace="OData.Community.Keys.V1" Alias="Keys" />\n'
      + '\t\t<edmx:IncludeAnnotations TermNamespace="OData.Community.Keys.V1" />\n\t</edmx:Reference>\n'
      + '\t<edmx:Reference Uri="http://docs.oasis-open.org/odata/odata/v4.0/os/vocabularies/Org.OData.Core.V1.xml">\n\t\t<edmx:Include Namespace="Org.OData.Core.V1" Alias="Core" />\n\t</edmx:Reference>\n'
      + '\t<edmx:DataServices>\n\t\t<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">\n'
      + '\t\t\t<EntityType Name="crmbaseentity" Abstract="true" />\n');
    for (let i = 0; i < optionSets; i++) await write(optionSetXml(i, next));
    for (const table of tables) await write(dataverseTypeXml(table, perType, optionSets, next, stats));
    const imports: string[] = [];
    for (let i = 1; i < tables.length; i += 10) {
      const t = tables[i].name;
      await write(`\t\t\t<Action Name="new_Recalculate" IsBound="true">\n\t\t\t\t<Parameter Name="entity" Type="mscrm.${t}" Nullable="false" />\n`
        + `\t\t\t\t<Parameter Name="Depth" Type="Edm.Int32" />\n\t\t\t\t<ReturnType Type="mscrm.${t}" Nullable="false" />\n\t\t\t</Action>\n`
        + `\t\t\t<Function Name="new_Score${i}" IsBound="true">\n\t\t\t\t<Parameter Name="entity" Type="mscrm.${t}" Nullable="false" />\n`
        + '\t\t\t\t<Parameter Name="Model" Type="Edm.String" MaxLength="50" />\n\t\t\t\t<ReturnType Type="Edm.Decimal" Precision="18" Scale="4" />\n\t\t\t</Function>\n');
      stats.actions++;
      stats.functions++;
    }
    for (let i = 0; i < Math.max(1, Math.floor(tables.length / 100)); i++) {
      await write(`\t\t\t<Action Name="new_Import${i}">\n\t\t\t\t<Parameter Name="Payload" Type="Edm.String" Nullable="false" />\n`
        + `\t\t\t\t<Parameter Name="Mode" Type="mscrm.new_optionset000" />\n\t\t\t\t<ReturnType Type="Collection(mscrm.${tables[1].name})" />\n\t\t\t</Action>\n`
        + `\t\t\t<Function Name="new_Count${i}">\n\t\t\t\t<Parameter Name="Filter" Type="Edm.String" />\n\t\t\t\t<ReturnType Type="Edm.Int64" Nullable="false" />\n\t\t\t</Function>\n`);
      imports.push(`\t\t\t\t<ActionImport Name="new_Import${i}" Action="mscrm.new_Import${i}" />\n`,
        `\t\t\t\t<FunctionImport Name="new_Count${i}" Function="mscrm.new_Count${i}" IncludeInServiceDocument="false" />\n`);
      stats.actions++;
      stats.functions++;
    }
    await write('\t\t\t<EntityContainer Name="System">\n');
    for (const table of tables) {
      const bindings = [
        ...table.lookups.map((l) => `\t\t\t\t\t<NavigationPropertyBinding Path="${l.name}" Target="${l.target}s" />\n`),
        ...table.collections.map((c) => `\t\t\t\t\t<NavigationPropertyBinding Path="${c.name}" Target="${c.source}s" />\n`),
      ];
      await write(`\t\t\t\t<EntitySet Name="${table.name}s" EntityType="Microsoft.Dynamics.CRM.${table.name}">\n${bindings.join('')}`
        + '\t\t\t\t\t<Annotation Term="Org.OData.Capabilities.V1.ChangeTracking">\n\t\t\t\t\t\t<Record>\n'
        + '\t\t\t\t\t\t\t<PropertyValue Property="Supported" Bool="true" />\n\t\t\t\t\t\t</Record>\n\t\t\t\t\t</Annotation>\n\t\t\t\t</EntitySet>\n');
    }
    await write(`${imports.join('')}\t\t\t</EntityContainer>\n\t\t</Schema>\n\t</edmx:DataServices>\n</edmx:Edmx>\n`);
  });
  return stats;
}

// ---------------------------------------------------------------------------------------------------------------
// Finance & Operations

const FNO_NS = 'Microsoft.Dynamics.DataEntities';
/**
 * Column types of a data entity, weighted as F&O writes them: mostly strings (codes, names, descriptions, memo
 * fields without a MaxLength), many NoYes flags and other enums (`NOYES` and `ENUM` stand for those), then amounts,
 * record ids, dates and times.
 */
const NOYES = 'NoYes';
const ENUM = 'Enum';
const FNO_TYPES: [string, string][] = [
  ['Edm.String', ' MaxLength="10"'], ['Edm.String', ' MaxLength="20"'], ['Edm.String', ' MaxLength="20"'], ['Edm.String', ' MaxLength="60"'],
  ['Edm.String', ' MaxLength="100"'], ['Edm.String', ''], [NOYES, ''], [NOYES, ''], [ENUM, ''],
  ['Edm.Decimal', ' Precision="32" Scale="6"'], ['Edm.Int32', ''], ['Edm.Int64', ''], ['Edm.Date', ''], ['Edm.DateTimeOffset', ''],
];

interface FnoEntity { type: string; set: string; key: string; refs: { name: string; target: number }[] }

export async function writeSyntheticFnoCsdl(file: string, options: SyntheticFnoOptions = {}): Promise<SyntheticStats> {
  const count = options.entityTypes ?? 3000;
  const perType = options.propertiesPerType ?? 40;
  const enums = Math.max(1, options.enums ?? 60);
  if (perType < 8) throw new Error('propertiesPerType must be at least 8');
  const next = random(options.seed ?? 1);
  const entities: FnoEntity[] = [];
  for (let i = 0; i < count; i++) {
    const base = `${NAMES[i % NAMES.length]}${pad(i)}`;
    entities.push({ type: `${base}V2`, set: `${base}sV2`, key: `${NAMES[i % NAMES.length]}Id`, refs: [] });
  }
  for (const [i, e] of entities.entries()) {
    const refs = 1 + Math.floor(next() * 2);
    for (let r = 0; r < refs; r++) {
      let target = Math.floor(next() * count);
      if (target === i) target = (target + 1) % count;
      e.refs.push({ name: `${entities[target].type}Ref${r}`, target });
    }
  }
  const stats: SyntheticStats = {
    bytes: 0, entityTypes: count, entitySets: count, enumTypes: enums + 1, properties: 0, navigationProperties: 0, actions: 0, functions: 0,
  };
  stats.bytes = await withStream(file, async (write) => {
    await write('<?xml version="1.0" encoding="utf-8"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n'
      + `\t<edmx:DataServices>\n\t\t<Schema Namespace="${FNO_NS}" xmlns="http://docs.oasis-open.org/odata/ns/edm">\n`
      + '\t\t\t<EnumType Name="NoYes">\n\t\t\t\t<Member Name="No" Value="0" />\n\t\t\t\t<Member Name="Yes" Value="1" />\n\t\t\t</EnumType>\n');
    for (let i = 0; i < enums; i++) {
      const members = 2 + Math.floor(next() * 8);
      const lines = Array.from({ length: members }, (_, m) => `\t\t\t\t<Member Name="${NAMES[(i + m) % NAMES.length]}${m}" Value="${m}" />\n`).join('');
      await write(`\t\t\t<EnumType Name="SynthEnum${pad(i, 3)}">\n${lines}\t\t\t</EnumType>\n`);
    }
    for (const e of entities) {
      const out = [`\t\t\t<EntityType Name="${e.type}">\n\t\t\t\t<Key>\n\t\t\t\t\t<PropertyRef Name="dataAreaId" />\n\t\t\t\t\t<PropertyRef Name="${e.key}" />\n\t\t\t\t</Key>\n`,
        '\t\t\t\t<Property Name="dataAreaId" Type="Edm.String" Nullable="false" MaxLength="4" />\n',
        `\t\t\t\t<Property Name="${e.key}" Type="Edm.String" Nullable="false" MaxLength="20" />\n`];
      for (const r of e.refs) out.push(`\t\t\t\t<Property Name="${r.name}Id" Type="Edm.String" MaxLength="20" />\n`);
      out.push(`\t\t\t\t<Property Name="IsActive" Type="${FNO_NS}.NoYes" Nullable="false" />\n`,
        `\t\t\t\t<Property Name="Status" Type="${FNO_NS}.SynthEnum${pad(Math.floor(next() * enums), 3)}" Nullable="false" />\n`);
      const filler = perType - 4 - e.refs.length;
      for (let p = 0; p < filler; p++) {
        const [type, facets] = pick(next, FNO_TYPES);
        const name = `${pick(next, NAMES)}${pick(next, WORDS)}${p}`;
        if (type === NOYES) out.push(`\t\t\t\t<Property Name="${name}" Type="${FNO_NS}.NoYes" Nullable="false" />\n`);
        else if (type === ENUM) out.push(`\t\t\t\t<Property Name="${name}" Type="${FNO_NS}.SynthEnum${pad(Math.floor(next() * enums), 3)}" Nullable="false" />\n`);
        else out.push(`\t\t\t\t<Property Name="${name}" Type="${type}"${facets} />\n`);
      }
      stats.properties += 4 + e.refs.length + Math.max(0, filler);
      for (const r of e.refs) {
        const target = entities[r.target];
        out.push(`\t\t\t\t<NavigationProperty Name="${r.name}" Type="${FNO_NS}.${target.type}">\n`
          + '\t\t\t\t\t<ReferentialConstraint Property="dataAreaId" ReferencedProperty="dataAreaId" />\n'
          + `\t\t\t\t\t<ReferentialConstraint Property="${r.name}Id" ReferencedProperty="${target.key}" />\n\t\t\t\t</NavigationProperty>\n`);
      }
      stats.navigationProperties += e.refs.length;
      out.push('\t\t\t</EntityType>\n');
      await write(out.join(''));
    }
    for (let i = 0; i < count; i += 25) {
      await write(`\t\t\t<Action Name="Validate${entities[i].type}" IsBound="true">\n\t\t\t\t<Parameter Name="${entities[i].type}" Type="${FNO_NS}.${entities[i].type}" />\n`
        + '\t\t\t\t<Parameter Name="Strict" Type="Edm.Boolean" />\n\t\t\t\t<ReturnType Type="Edm.String" />\n\t\t\t</Action>\n');
      stats.actions++;
    }
    await write('\t\t\t<EntityContainer Name="Resources">\n');
    for (const e of entities) {
      const bindings = e.refs.map((r) => `\t\t\t\t\t<NavigationPropertyBinding Path="${r.name}" Target="${entities[r.target].set}" />\n`).join('');
      await write(`\t\t\t\t<EntitySet Name="${e.set}" EntityType="${FNO_NS}.${e.type}">\n${bindings}\t\t\t\t</EntitySet>\n`);
    }
    await write('\t\t\t</EntityContainer>\n\t\t</Schema>\n\t</edmx:DataServices>\n</edmx:Edmx>\n');
  });
  return stats;
}

/** `node dist/scripts/bench/synthetic-csdl.js dataverse|fno <file> [entityTypes] [propertiesPerType] [seed]` */
if (require.main === module) {
  const [kind, file, types, properties, seed] = process.argv.slice(2);
  if ((kind !== 'dataverse' && kind !== 'fno') || !file) {
    process.stderr.write('usage: synthetic-csdl dataverse|fno <file> [entityTypes] [propertiesPerType] [seed]\n');
    process.exit(2);
  }
  const options = {
    entityTypes: types ? Number(types) : undefined,
    propertiesPerType: properties ? Number(properties) : undefined,
    seed: seed ? Number(seed) : undefined,
  };
  (kind === 'dataverse' ? writeSyntheticDataverseCsdl(file, options) : writeSyntheticFnoCsdl(file, options))
    .then((stats) => process.stdout.write(`${JSON.stringify(stats)}\n`))
    .catch((e) => {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    });
}
