/**
 * What the client learns from the environment itself, once per client: the CSDL `$metadata` (key fields and their
 * Edm or enum types, which entities are company-specific) and the legal entities. Key literals depend on the
 * declared type (`NoYes'Yes'` is an enum, `'Yes'` a string, `2024-01-31` a date), so keys are built from it.
 */
import { parseCsdlStream } from '../metadata/csdl';
import type { CsdlModel, EntityType } from '../metadata/model';
import type { ColumnTypeLookup } from '../odata/edm-types';
import { quoteString } from '../odata/literals';
import { buildQueryString } from '../odata/query';
import { callOptions, parseJson, type CallOptions, type FnoContext } from './context';
import { unknownCompany } from './errors';

export interface EntitySetShape {
  set: string;
  type?: EntityType;
  /** Key fields in declaration order. */
  key: string[];
  /** The entity has a `dataAreaId` field (its rows belong to one legal entity); undefined when unknown. */
  companySpecific?: boolean;
  columnType: ColumnTypeLookup;
}

interface Caches {
  model?: Promise<CsdlModel>;
  companies?: Promise<string[] | undefined>;
}

const caches = new WeakMap<FnoContext, Caches>();

function cacheOf(ctx: FnoContext): Caches {
  let c = caches.get(ctx);
  if (!c) caches.set(ctx, (c = {}));
  return c;
}

async function* chunks(body: Buffer): AsyncGenerator<Buffer> {
  for (let start = 0; start < body.length; start += 64 * 1024) yield body.subarray(start, start + 64 * 1024);
}

/** The environment's `$metadata`, downloaded once per client (failures are not kept). */
export function loadModel(ctx: FnoContext, options: CallOptions = {}): Promise<CsdlModel> {
  const cache = cacheOf(ctx);
  if (!cache.model) {
    cache.model = ctx
      .execute({ method: 'GET', path: 'data/$metadata', headers: { accept: 'application/xml' }, idempotent: true, operation: 'F&O $metadata', ...callOptions(options) })
      .then((response) => parseCsdlStream(chunks(response.body)));
    cache.model.catch(() => (cache.model = undefined));
  }
  return cache.model;
}

const NO_TYPES: ColumnTypeLookup = () => undefined;

/** Key and company facts of an entity set; without metadata, only what the caller's key says. */
export async function entitySetShape(ctx: FnoContext, set: string, options: CallOptions = {}): Promise<EntitySetShape> {
  if (!ctx.useMetadata) return { set, key: [], columnType: NO_TYPES };
  const model = await loadModel(ctx, options);
  const entitySet = model.entitySets.get(set);
  const type = entitySet ? model.entityTypes.get(entitySet.entityType) : undefined;
  if (!type) return { set, key: [], companySpecific: false, columnType: NO_TYPES };
  const props = allProperties(model, type);
  const key = keyOf(model, type);
  const columnType: ColumnTypeLookup = (column) => {
    const t = props.get(column);
    return t && (t.startsWith('Edm.') || model.enumTypes.has(t)) ? t : undefined;
  };
  return { set, type, key, companySpecific: props.has('dataAreaId'), columnType };
}

function allProperties(model: CsdlModel, type: EntityType): Map<string, string> {
  const out = new Map<string, string>();
  for (let t: EntityType | undefined = type, depth = 0; t && depth < 10; t = t.baseType ? model.entityTypes.get(t.baseType) : undefined, depth++) {
    for (const [name, p] of t.properties) if (!out.has(name)) out.set(name, p.type);
  }
  return out;
}

function keyOf(model: CsdlModel, type: EntityType): string[] {
  for (let t: EntityType | undefined = type, depth = 0; t && depth < 10; t = t.baseType ? model.entityTypes.get(t.baseType) : undefined, depth++) {
    if (t.key.length) return t.key;
  }
  return [];
}

/**
 * Checks a company against the environment's legal entities (read once per client), so that a query in a
 * company that does not exist fails clearly instead of returning no rows. Environments without a LegalEntities
 * set are taken at their word.
 */
export async function checkCompany(ctx: FnoContext, company: string, options: CallOptions = {}): Promise<void> {
  const cache = cacheOf(ctx);
  if (!cache.companies) {
    cache.companies = readCompanies(ctx, options);
    cache.companies.catch(() => (cache.companies = undefined));
  }
  const known = await cache.companies;
  if (known && !known.includes(company.toLowerCase())) throw unknownCompany(company, known);
}

async function readCompanies(ctx: FnoContext, options: CallOptions): Promise<string[] | undefined> {
  if (ctx.useMetadata) {
    const model = await loadModel(ctx, options);
    if (!model.entitySets.has('LegalEntities')) return undefined;
  }
  const query = buildQueryString({ select: ['LegalEntityId'] });
  const companies: string[] = [];
  let path: string | undefined = `data/LegalEntities${query}`;
  for (let page = 0; path && page < 100; page++) {
    const response = await ctx.execute({ method: 'GET', path, idempotent: true, operation: 'list legal entities', ...callOptions(options) });
    const body = parseJson<{ value?: { LegalEntityId?: unknown }[]; '@odata.nextLink'?: string }>(response);
    for (const row of body?.value ?? []) if (typeof row.LegalEntityId === 'string') companies.push(row.LegalEntityId.toLowerCase());
    path = body?.['@odata.nextLink'] ? ctx.linkUrl(body['@odata.nextLink'], '@odata.nextLink') : undefined;
  }
  return companies;
}

/** `dataAreaId eq 'usmf'` */
export function companyFilter(company: string): string {
  return `dataAreaId eq ${quoteString(company)}`;
}
