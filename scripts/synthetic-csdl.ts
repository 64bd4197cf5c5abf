/**
 * Writes a synthetic $metadata shaped like a Dataverse one (see odata.md §5), at any size, for stress tests and
 * benchmarks of CSDL readers and generators: Namespace Microsoft.Dynamics.CRM alias mscrm, abstract
 * crmbaseentity, EntityContainer System, a Guid key `<name>id`, a computed Int64 versionnumber, lookups as
 * `_x_value` plus a single-valued navigation property with a ReferentialConstraint and a partner collection on
 * the target, createdby/modifiedby/owninguser on every table pointing at systemuser (which so becomes a hub with
 * thousands of collections), a Core.Description on every property, and bound and unbound actions and functions
 * (with overloads: one bound action name on many tables) and their imports.
 *
 * The document is written table by table to a file stream (2,000 tables × 60 properties ≈ 30 MB) without ever
 * holding it whole. The same seed always gives the same file.
 */
import * as fs from 'node:fs';
import { once } from 'node:events';
import { escapeXml } from '../client/metadata/xml';

export interface SyntheticCsdlOptions {
  /** Entity types in the document, crmbaseentity included. */
  entityTypes: number;
  /** Structural properties per table, key and lookup columns included (at least 12). */
  propertiesPerType: number;
  seed: number;
}

export interface SyntheticCsdlStats {
  bytes: number;
  entityTypes: number;
  entitySets: number;
  properties: number;
  navigationProperties: number;
  actions: number;
  functions: number;
}

interface Lookup {
  /** Lookup column and single-valued navigation name on the referencing table. */
  name: string;
  target: string;
  /** Collection on the target table, named like Dataverse relationships. */
  partner: string;
}

interface Table {
  name: string;
  lookups: Lookup[];
  /** Partner collections pointing back at this table. */
  collections: { name: string; source: string; lookup: string }[];
}

const SYSTEM_LOOKUPS = ['createdby', 'modifiedby', 'owninguser'];
const FIXED_COLUMNS = 7; // id, versionnumber, name, createdon, modifiedon, statecode, statuscode
const COLUMN_TYPES: [string, string][] = [
  ['Edm.String', ' MaxLength="100"'], ['Edm.String', ' MaxLength="2000"'], ['Edm.Int32', ''], ['Edm.Decimal', ' Scale="Variable"'],
  ['Edm.Boolean', ''], ['Edm.DateTimeOffset', ''], ['Edm.Double', ''], ['Edm.Int64', ''], ['Edm.Guid', ''],
];
const WORDS = ['account', 'balance', 'region', 'contract', 'priority', 'delivery', 'source', 'channel', 'segment', 'rating', 'budget', 'stage'];

/** A small deterministic generator (xorshift32): the file must not change between runs with the same seed. */
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

function planTables(options: SyntheticCsdlOptions, next: () => number): Table[] {
  // crmbaseentity is one of the entity types asked for.
  const count = Math.max(2, options.entityTypes - 1);
  const tables: Table[] = [{ name: 'systemuser', lookups: [], collections: [] }];
  for (let i = 1; i < count; i++) tables.push({ name: `new_table${String(i).padStart(4, '0')}`, lookups: [], collections: [] });
  const customLookups = Math.min(5, Math.max(0, options.propertiesPerType - FIXED_COLUMNS - SYSTEM_LOOKUPS.length - 2));
  for (const table of tables) {
    const lookups: Lookup[] = SYSTEM_LOOKUPS.map((name) => ({ name, target: 'systemuser', partner: `lk_${table.name}_${name}` }));
    for (let k = 0; k < customLookups; k++) {
      const target = tables[1 + Math.floor(next() * (tables.length - 1))].name;
      const name = `new_ref${k}id`;
      lookups.push({ name, target, partner: `new_${target}_${table.name}_${name}` });
    }
    table.lookups = lookups;
  }
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const table of tables) {
    for (const l of table.lookups) byName.get(l.target)!.collections.push({ name: l.partner, source: table.name, lookup: l.name });
  }
  return tables;
}

function description(text: string): string {
  return `\n\t\t\t\t\t<Annotation Term="Org.OData.Core.V1.Description" String="${escapeXml(text)}" />\n\t\t\t\t`;
}

function entityTypeXml(table: Table, options: SyntheticCsdlOptions, next: () => number, stats: SyntheticCsdlStats): string {
  const t = table.name;
  const out: string[] = [`\t\t\t<EntityType Name="${t}" BaseType="mscrm.crmbaseentity">\n\t\t\t\t<Key>\n\t\t\t\t\t<PropertyRef Name="${t}id" />\n\t\t\t\t</Key>\n`];
  const property = (name: string, type: string, facets: string, text: string, extra = '') =>
    out.push(`\t\t\t\t<Property Name="${name}" Type="${type}"${facets}>${description(text)}${extra}</Property>\n`);
  const readOnly = '\t<Annotation Term="Org.OData.Core.V1.Permissions">\n\t\t\t\t\t\t<EnumMember>Org.OData.Core.V1.PermissionType/Read</EnumMember>\n\t\t\t\t\t</Annotation>\n\t\t\t\t';
  property(`${t}id`, 'Edm.Guid', '', `Unique identifier of the ${t} row.`);
  property('versionnumber', 'Edm.Int64', ' ConcurrencyMode="Fixed"', 'Version number of the row.',
    '\t<Annotation Term="Org.OData.Core.V1.Computed" Bool="true" />\n\t\t\t\t');
  property('name', 'Edm.String', ' MaxLength="100"', `Primary name of the ${t} row.`);
  property('createdon', 'Edm.DateTimeOffset', ' Precision="0"', 'Date and time when the row was created.', readOnly);
  property('modifiedon', 'Edm.DateTimeOffset', ' Precision="0"', 'Date and time when the row was last updated.', readOnly);
  property('statecode', 'Edm.Int32', '', 'Status of the row: Active or Inactive.');
  property('statuscode', 'Edm.Int32', '', 'Reason for the status of the row.');
  for (const l of table.lookups) property(`_${l.name}_value`, 'Edm.Guid', '', `Unique identifier of the ${l.target} (${l.name}).`);
  const filler = options.propertiesPerType - FIXED_COLUMNS - table.lookups.length;
  for (let i = 0; i < filler; i++) {
    const [type, facets] = COLUMN_TYPES[Math.floor(next() * COLUMN_TYPES.length)];
    const word = WORDS[Math.floor(next() * WORDS.length)];
    property(`new_${word}${i}`, type, facets, `The ${word} of the row (R&D).`);
  }
  stats.properties += FIXED_COLUMNS + table.lookups.length + Math.max(0, filler);
  for (const l of table.lookups) {
    out.push(`\t\t\t\t<NavigationProperty Name="${l.name}" Type="mscrm.${l.target}" Nullable="false" Partner="${l.partner}">\n`
      + `\t\t\t\t\t<ReferentialConstraint Property="_${l.name}_value" ReferencedProperty="${l.target}id" />\n\t\t\t\t</NavigationProperty>\n`);
  }
  for (const c of table.collections) {
    out.push(`\t\t\t\t<NavigationProperty Name="${c.name}" Type="Collection(mscrm.${c.source})" Partner="${c.lookup}" />\n`);
  }
  stats.navigationProperties += table.lookups.length + table.collections.length;
  if (table.name !== 'systemuser' && next() < 0.1) out.push(alternateKey('name'));
  out.push('\t\t\t</EntityType>\n');
  return out.join('');
}

function alternateKey(column: string): string {
  return `\t\t\t\t<Annotation Term="OData.Community.Keys.V1.AlternateKeys">\n\t\t\t\t\t<Collection>\n\t\t\t\t\t\t<Record Type="OData.Community.Keys.V1.AlternateKey">\n`
    + `\t\t\t\t\t\t\t<PropertyValue Property="Key">\n\t\t\t\t\t\t\t\t<Collection>\n\t\t\t\t\t\t\t\t\t<Record Type="OData.Community.Keys.V1.PropertyRef">\n`
    + `\t\t\t\t\t\t\t\t\t\t<PropertyValue Property="Alias" String="${column}" />\n\t\t\t\t\t\t\t\t\t\t<PropertyValue Property="Name" PropertyPath="${column}" />\n`
    + '\t\t\t\t\t\t\t\t\t</Record>\n\t\t\t\t\t\t\t\t</Collection>\n\t\t\t\t\t\t\t</PropertyValue>\n\t\t\t\t\t\t</Record>\n\t\t\t\t\t</Collection>\n\t\t\t\t</Annotation>\n';
}

/** Every tenth table gets its own bound action and function; `new_Recalculate` is bound on all of them (overloads). */
function operationsXml(tables: Table[], stats: SyntheticCsdlStats): { xml: string; imports: string } {
  const out: string[] = [];
  const imports: string[] = [];
  for (let i = 1; i < tables.length; i += 10) {
    const t = tables[i].name;
    out.push(`\t\t\t<Action Name="new_Recalculate" IsBound="true">\n\t\t\t\t<Parameter Name="entity" Type="mscrm.${t}" Nullable="false" />\n`
      + `\t\t\t\t<Parameter Name="Depth" Type="Edm.Int32" />\n\t\t\t\t<ReturnType Type="mscrm.${t}" Nullable="false" />\n\t\t\t</Action>\n`);
    out.push(`\t\t\t<Function Name="new_Score${i}" IsBound="true">\n\t\t\t\t<Parameter Name="entity" Type="mscrm.${t}" Nullable="false" />\n`
      + '\t\t\t\t<Parameter Name="Model" Type="Edm.String" MaxLength="50" Unicode="false" />\n\t\t\t\t<ReturnType Type="Edm.Decimal" Precision="18" Scale="4" />\n\t\t\t</Function>\n');
    stats.actions++;
    stats.functions++;
  }
  for (let i = 0; i < Math.max(1, Math.floor(tables.length / 100)); i++) {
    out.push(`\t\t\t<Action Name="new_Import${i}">\n\t\t\t\t<Parameter Name="Payload" Type="Edm.String" Nullable="false" />\n`
      + `\t\t\t\t<ReturnType Type="Collection(mscrm.${tables[1].name})" />\n\t\t\t</Action>\n`);
    out.push(`\t\t\t<Function Name="new_Count${i}">\n\t\t\t\t<Parameter Name="Filter" Type="Edm.String" />\n\t\t\t\t<ReturnType Type="Edm.Int64" Nullable="false" />\n\t\t\t</Function>\n`);
    imports.push(`\t\t\t\t<ActionImport Name="new_Import${i}" Action="mscrm.new_Import${i}" />\n`);
    imports.push(`\t\t\t\t<FunctionImport Name="new_Count${i}" Function="mscrm.new_Count${i}" />\n`);
    stats.actions++;
    stats.functions++;
  }
  return { xml: out.join(''), imports: imports.join('') };
}

function entitySetXml(table: Table): string {
  const bindings = [
    ...table.lookups.map((l) => `\t\t\t\t\t<NavigationPropertyBinding Path="${l.name}" Target="${l.target}s" />\n`),
    ...table.collections.map((c) => `\t\t\t\t\t<NavigationPropertyBinding Path="${c.name}" Target="${c.source}s" />\n`),
  ];
  return `\t\t\t\t<EntitySet Name="${table.name}s" EntityType="Microsoft.Dynamics.CRM.${table.name}">\n${bindings.join('')}`
    + '\t\t\t\t\t<Annotation Term="Org.OData.Capabilities.V1.ChangeTracking">\n\t\t\t\t\t\t<Record>\n'
    + '\t\t\t\t\t\t\t<PropertyValue Property="Supported" Bool="true" />\n\t\t\t\t\t\t</Record>\n\t\t\t\t\t</Annotation>\n\t\t\t\t</EntitySet>\n';
}

export async function writeSyntheticDataverseCsdl(file: string, options: SyntheticCsdlOptions): Promise<SyntheticCsdlStats> {
  if (options.propertiesPerType < 12) throw new Error('propertiesPerType must be at least 12');
  const next = random(options.seed);
  const tables = planTables(options, next);
  const stats: SyntheticCsdlStats = { bytes: 0, entityTypes: tables.length + 1, entitySets: tables.length, properties: 0, navigationProperties: 0, actions: 0, functions: 0 };
  const stream = fs.createWriteStream(file, { encoding: 'utf8' });
  const failed = once(stream, 'error').then(([e]) => Promise.reject(e));
  failed.catch(() => undefined);
  const write = async (text: string) => {
    stats.bytes += Buffer.byteLength(text);
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
  };
  await write('<?xml version="1.0" encoding="utf-8"?>\n<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">\n'
    + '\t<edmx:Reference Uri="http://vocabularies.odata.org/OData.Community.Keys.V1.xml">\n\t\t<edmx:Include Namespace="OData.Community.Keys.V1" Alias="Keys" />\n'
    + '\t\t<edmx:IncludeAnnotations TermNamespace="OData.Community.Keys.V1" />\n\t</edmx:Reference>\n\t<edmx:DataServices>\n'
    + '\t\t<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">\n'
    + '\t\t\t<EntityType Name="crmbaseentity" Abstract="true" />\n');
  for (const table of tables) await write(entityTypeXml(table, options, next, stats));
  const operations = operationsXml(tables, stats);
  await write(operations.xml);
  await write('\t\t\t<EntityContainer Name="System">\n');
  for (const table of tables) await write(entitySetXml(table));
  await write(`${operations.imports}\t\t\t</EntityContainer>\n\t\t</Schema>\n\t</edmx:DataServices>\n</edmx:Edmx>\n`);
  stream.end();
  await Promise.race([once(stream, 'finish'), failed]);
  return stats;
}

/** `node dist/scripts/synthetic-csdl.js <file> [entityTypes=2000] [propertiesPerType=60] [seed=1]` */
if (require.main === module) {
  const [file, types = '2000', properties = '60', seed = '1'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: synthetic-csdl <file> [entityTypes] [propertiesPerType] [seed]');
    process.exit(2);
  }
  writeSyntheticDataverseCsdl(file, { entityTypes: Number(types), propertiesPerType: Number(properties), seed: Number(seed) })
    .then((stats) => console.log(JSON.stringify(stats)))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
