/**
 * The definitions of one table in the typed style: the row as read (`Account`), the body of a create
 * (`AccountCreate`) and of an update/upsert (`AccountUpdate`), plus the complex types they use (shared between
 * tables, counted once per document). Navigation properties stay out of every schema (no deep recursion); Dataverse
 * lookups are written as `<navigation>@odata.bind` strings.
 */
import type { CsdlModel, EntitySet, EntityType, NavigationProperty, Property } from '../../client/metadata/model';
import { edmSchema, label, type EdmSchemaContext, type JsonSchema, type TypeRef } from '../edm-schema';
import { isReservedWord, sentence } from '../names';
import type { GeneratorWarning, ServiceKind } from '../types';
import type { DefinitionNames } from './naming';

export interface TableDefinitionNames {
  row: string;
  create: string;
  update: string;
}

/** Shared state while building the definitions of a selection. */
export class SchemaBuilder {
  /** Complex type (qualified) → definition name. */
  private readonly complexNames = new Map<string, string>();
  /** Definition name → schema and the complex definitions it refers to directly. */
  private readonly complexDefs = new Map<string, { schema: JsonSchema; uses: Set<string> }>();
  private readonly warned = new Set<string>();
  /** Entity types (qualified) whose reserved-word properties were already reported. */
  private readonly reportedTypes = new Set<string>();

  constructor(
    private readonly model: CsdlModel,
    private readonly service: ServiceKind,
    private readonly names: DefinitionNames,
    private readonly warnings: GeneratorWarning[],
  ) {}

  /** Definitions of one table and the complex definitions they need (transitively). */
  table(set: EntitySet, type: EntityType, defNames: TableDefinitionNames): { definitions: Record<string, JsonSchema>; complex: Set<string> } {
    const uses = new Set<string>();
    const ctx = this.context(uses, set.name);
    const keys = new Set(type.keyProperties);
    const lookupValues = this.lookupValueProperties(type);
    const tableLabel = label(type.name);
    const reportReserved = !this.reportedTypes.has(type.qualifiedName);
    this.reportedTypes.add(type.qualifiedName);

    const row: Record<string, JsonSchema> = {};
    const create: Record<string, JsonSchema> = {};
    const update: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const prop of type.allProperties.values()) {
      if (reportReserved && isReservedWord(prop.name)) {
        this.warnings.push({
          code: 'ReservedWord',
          message: `Column '${prop.name}' of ${set.name} is a reserved word; it keeps its name in request and response bodies.`,
          where: `${set.name}/${prop.name}`,
        });
      }
      if (prop.type === 'Edm.Stream') continue; // media, read and written through /$value, never in the JSON body
      const base = this.propertySchema(prop, ctx, tableLabel);
      const readOnly = prop.computed || prop.readOnly || (prop.permissions?.length === 1 && prop.permissions[0] === 'Read');
      const isKey = keys.has(prop.name);
      row[prop.name] = readOnly || isKey ? withReadOnly(base) : base;
      if (readOnly || lookupValues.has(prop.name)) continue;
      create[prop.name] = base;
      if (!prop.nullable && !isKey && prop.defaultValue === undefined) required.push(prop.name);
      if (!isKey && !prop.immutable) update[prop.name] = base;
    }
    if (this.service === 'dataverse') {
      for (const nav of type.allNavigation.values()) {
        if (nav.collection || !nav.constraints.length) continue;
        const bind = this.bindSchema(set, nav);
        create[`${nav.name}@odata.bind`] = bind;
        update[`${nav.name}@odata.bind`] = bind;
      }
    }
    const description = set.description ?? type.description;
    const definitions: Record<string, JsonSchema> = {
      [defNames.row]: {
        type: 'object',
        description: sentence(description ?? `A row of the ${set.name} table`),
        properties: row,
      },
      [defNames.create]: {
        type: 'object',
        description: sentence(`The columns of a new ${tableLabel} row`),
        ...(required.length ? { required } : {}),
        properties: create,
      },
      [defNames.update]: {
        type: 'object',
        description: sentence(`The columns of a ${tableLabel} row to change`),
        properties: update,
      },
    };
    return { definitions, complex: this.closure(uses) };
  }

  /**
   * The schema of an operation parameter or return type. Complex types become shared definitions whose names are
   * added to `uses`; `closureOf(uses)` then gives every definition the operation needs.
   */
  typeSchema(ref: TypeRef, where: string, uses: Set<string>): JsonSchema {
    return edmSchema(ref, this.context(uses, where));
  }

  closureOf(direct: Set<string>): Set<string> {
    return this.closure(direct);
  }

  /** The schema of a complex definition by name (built by an earlier `table` call). */
  complexDefinition(name: string): JsonSchema {
    return this.complexDefs.get(name)!.schema;
  }

  private context(uses: Set<string>, where: string): EdmSchemaContext {
    return {
      model: this.model,
      dialect: 'swagger2',
      warnings: this.warnings,
      warned: this.warned,
      where,
      refFor: (qualifiedName, kind) => {
        if (kind !== 'complex') return undefined; // enums inline; entity-typed values as plain objects
        const name = this.complexName(qualifiedName);
        uses.add(name);
        return `#/definitions/${name}`;
      },
    };
  }

  private propertySchema(prop: Property, ctx: EdmSchemaContext, owner: string): JsonSchema {
    const schema = edmSchema(prop, ctx);
    if (typeof schema.$ref === 'string') return schema;
    const out: JsonSchema = {
      ...schema,
      description: truncate(sentence(prop.description ?? `${label(prop.name)} of the ${owner}`)),
      'x-ms-summary': label(prop.name),
    };
    if (prop.defaultValue !== undefined && !prop.collection) {
      const value = defaultValue(prop.defaultValue, schema.type);
      if (value !== undefined && (!Array.isArray(schema.enum) || schema.enum.includes(value))) out.default = value;
    }
    return out;
  }

  private bindSchema(set: EntitySet, nav: NavigationProperty): JsonSchema {
    const target = set.navigationBindings.get(nav.name) ?? this.model.entitySetByType.get(nav.type)?.name;
    const targetLabel = target ?? nav.type.slice(nav.type.lastIndexOf('.') + 1);
    const example = `${target ?? targetLabel}(00000000-0000-0000-0000-000000000000)`;
    return {
      type: 'string',
      description: truncate(sentence(`${nav.description ?? `Related ${targetLabel} row`}, written as '${example}'`)),
      'x-ms-summary': `${label(nav.name)} (lookup)`,
    };
  }

  /** Dataverse lookup columns (`_parentaccountid_value`): read-only, written through `<nav>@odata.bind`. */
  private lookupValueProperties(type: EntityType): Set<string> {
    const out = new Set<string>();
    if (this.service !== 'dataverse') return out;
    for (const nav of type.allNavigation.values()) {
      if (nav.collection) continue;
      for (const c of nav.constraints) if (/^_.*_value$/.test(c.property)) out.add(c.property);
    }
    return out;
  }

  private complexName(qualifiedName: string): string {
    let name = this.complexNames.get(qualifiedName);
    if (name) return name;
    const type = this.model.complexTypes.get(qualifiedName)!;
    name = this.names.take(type.name, qualifiedName);
    this.complexNames.set(qualifiedName, name);
    // Reserve the name before building, so recursive complex types refer to themselves.
    const uses = new Set<string>();
    const entry = { schema: {} as JsonSchema, uses };
    this.complexDefs.set(name, entry);
    const ctx = this.context(uses, qualifiedName);
    const properties: Record<string, JsonSchema> = {};
    const typeLabel = label(type.name);
    for (const prop of type.allProperties.values()) {
      if (prop.type === 'Edm.Stream') continue;
      properties[prop.name] = this.propertySchema(prop, ctx, typeLabel);
    }
    entry.schema = { type: 'object', description: sentence(type.description ?? `${typeLabel} value`), properties };
    return name;
  }

  private closure(direct: Set<string>): Set<string> {
    const out = new Set<string>();
    const stack = [...direct];
    while (stack.length) {
      const name = stack.pop()!;
      if (out.has(name)) continue;
      out.add(name);
      for (const next of this.complexDefs.get(name)?.uses ?? []) if (!out.has(next)) stack.push(next);
    }
    return out;
  }
}

function withReadOnly(schema: JsonSchema): JsonSchema {
  if (typeof schema.$ref === 'string') return schema; // siblings of $ref are ignored; the reference stays clean
  return { ...schema, readOnly: true };
}

function truncate(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 496).trimEnd()}...`;
}

function defaultValue(raw: string, type: unknown): unknown {
  if (type === 'string') return raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
