#!/usr/bin/env node
/**
 * Derives the emulator's default Dataverse model from the real Dynamics 365 v8.2 $metadata (MIT, see
 * emulator/model/LICENSE-Simple.OData.Client.txt): keeps the chosen entity sets, the types they reach and the
 * operations whose signatures stay inside the kept types, then appends the project's own additions
 * (emulator/model/extensions.xml: a custom table with a file column, alternate keys real orgs define).
 *
 *   node dist/scripts/derive-model.js ../shared/fixtures/metadata/dataverse/crm-v8.2-schema.xml emulator/model/dataverse.xml
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childrenNamed, escapeXml, parseXml, XmlElement } from '../client/metadata/xml';

const KEEP_SETS = [
  'accounts', 'contacts', 'tasks', 'phonecalls', 'emails', 'activitypointers', 'annotations', 'leads',
  'opportunities', 'incidents', 'systemusers', 'teams', 'businessunits', 'transactioncurrencies', 'organizations',
  'EntityDefinitions', 'GlobalOptionSetDefinitions', 'RelationshipDefinitions',
];
const KEEP_OPERATIONS = new Set([
  'WhoAmI', 'RetrieveTotalRecordCount', 'RetrieveVersion', 'InitializeFrom', 'Merge', 'QualifyLead', 'WinOpportunity',
  'CalculateRollupField', 'RetrieveUserPrivileges', 'AddToQueue', 'SendEmail', 'GrantAccess', 'RevokeAccess',
  'RetrievePrincipalAccess', 'SetState',
]);

function serialize(el: XmlElement, indent = ''): string {
  const attrs = Object.entries(el.attrs).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  const text = el.text.trim();
  if (el.children.length === 0 && !text) return `${indent}<${el.name}${attrs} />`;
  if (el.children.length === 0) return `${indent}<${el.name}${attrs}>${escapeXml(text)}</${el.name}>`;
  const inner = el.children.map((c) => serialize(c, indent + '  ')).join('\n');
  return `${indent}<${el.name}${attrs}>\n${inner}\n${indent}</${el.name}>`;
}

function main() {
  const [source, target] = process.argv.slice(2);
  if (!source || !target) throw new Error('usage: derive-model <source $metadata> <target file>');
  const root = parseXml(fs.readFileSync(source, 'utf8'));
  const schema = childrenNamed(childrenNamed(root, 'DataServices')[0], 'Schema')[0];
  const extensions = parseXml(fs.readFileSync(path.join(__dirname, '../emulator/model/extensions.xml'), 'utf8'));
  const extSchema = childrenNamed(childrenNamed(extensions, 'DataServices')[0], 'Schema')[0];
  const localName = (t: string) => t.replace(/^Collection\((.*)\)$/, '$1').replace(/^(mscrm|Microsoft\.Dynamics\.CRM)\./, '');

  const byName = new Map<string, XmlElement>();
  for (const el of schema.children) if (el.attrs.Name && el.local !== 'EntityContainer') byName.set(el.attrs.Name, el);
  // An extension type with a name the source has adds children to it (partner navigation, alternate keys).
  for (const el of extSchema.children) {
    if (!el.attrs.Name || el.local === 'EntityContainer') continue;
    const existing = byName.get(el.attrs.Name);
    if (existing) existing.children.push(...el.children);
    else {
      byName.set(el.attrs.Name, el);
      schema.children.push(el);
    }
  }
  const container = childrenNamed(schema, 'EntityContainer')[0];
  const extContainer = childrenNamed(extSchema, 'EntityContainer')[0];
  const sets = [...childrenNamed(container, 'EntitySet'), ...childrenNamed(extContainer, 'EntitySet')].filter(
    (s) => KEEP_SETS.includes(s.attrs.Name) || extContainer.children.includes(s),
  );

  // Closure over base types and property types; navigation targets only count when they are kept entity types.
  const kept = new Set<string>();
  const keep = (name: string) => {
    const el = byName.get(name);
    if (!el || kept.has(name) || name.startsWith('Edm.')) return;
    kept.add(name);
    if (el.attrs.BaseType) keep(localName(el.attrs.BaseType));
    for (const p of childrenNamed(el, 'Property')) keep(localName(p.attrs.Type));
    for (const p of el.local === 'Action' || el.local === 'Function' ? childrenNamed(el, 'Parameter') : []) keep(localName(p.attrs.Type));
    for (const r of childrenNamed(el, 'ReturnType')) keep(localName(r.attrs.Type));
  };
  for (const s of sets) keep(localName(s.attrs.EntityType));
  for (const el of byName.values()) {
    if (el.attrs.BaseType && kept.has(localName(el.attrs.BaseType)) && el.local === 'EntityType' && /Metadata/.test(el.attrs.Name)) keep(el.attrs.Name);
  }
  const entityOk = (t: string) => {
    const el = byName.get(localName(t));
    return !el || el.local !== 'EntityType' || kept.has(localName(t));
  };
  const operations = schema.children.filter(
    (el) => (el.local === 'Action' || el.local === 'Function') && KEEP_OPERATIONS.has(el.attrs.Name) &&
      [...childrenNamed(el, 'Parameter'), ...childrenNamed(el, 'ReturnType')].every((p) => entityOk(p.attrs.Type)),
  );
  for (const op of operations) for (const p of [...childrenNamed(op, 'Parameter'), ...childrenNamed(op, 'ReturnType')]) keep(localName(p.attrs.Type));
  // Query functions (In, LastXDays, ...) are part of the filter surface; keep every Boolean-returning unbound function.
  const queryFunctions = schema.children.filter(
    (el) => el.local === 'Function' && el.attrs.IsBound !== 'true' &&
      childrenNamed(el, 'ReturnType').some((r) => r.attrs.Type === 'Edm.Boolean') && childrenNamed(el, 'Parameter').some((p) => p.attrs.Name === 'PropertyName'),
  );

  const out: XmlElement[] = [];
  for (const el of schema.children) {
    if ((el.local === 'EntityType' || el.local === 'ComplexType' || el.local === 'EnumType') && kept.has(el.attrs.Name)) {
      el.children = el.children.filter((c) => c.local !== 'NavigationProperty' || entityOk(c.attrs.Type));
      out.push(el);
    }
  }
  out.push(...operations, ...queryFunctions.filter((f) => !operations.includes(f)));
  const keptSetNames = new Set(sets.map((s) => s.attrs.Name));
  for (const s of sets) s.children = s.children.filter((b) => keptSetNames.has(b.attrs.Target));
  const opNames = new Set(out.filter((e) => e.local === 'Action' || e.local === 'Function').map((e) => e.attrs.Name));
  const imports = container.children.filter(
    (c) => (c.local === 'ActionImport' || c.local === 'FunctionImport') && opNames.has(c.attrs.Name),
  );
  container.children = [...sets, ...imports];
  schema.children = [...out, container];

  const header = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Derived from the Dynamics 365 v8.2 $metadata published in simple-odata-client/Simple.OData.Client (MIT licence,',
    '     see LICENSE-Simple.OData.Client.txt beside this file) by scripts/derive-model.ts, with the additions in extensions.xml. -->',
  ].join('\n');
  fs.writeFileSync(target, `${header}\n${serialize(root)}\n`);
  process.stdout.write(`wrote ${target}: ${sets.length} entity sets, ${kept.size} types, ${out.length - kept.size} operations\n`);
}

main();
