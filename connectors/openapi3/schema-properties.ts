/**
 * The `properties` of an entity schema as two parallel lists instead of an object. A type's read, create and update
 * schemas hold the same property schemas under the same names; as objects they would be three dictionaries of up to
 * hundreds of keys each (every distinct key set a new hidden class) serialized three times over. As lists, the
 * streaming writer serializes each property schema once (propertiesText) and toOpenApi3 turns them into the plain
 * object a document holds (plainSchema).
 */
import type { JsonSchema } from '../edm-schema';

export class SchemaProperties {
  readonly names: string[] = [];
  readonly schemas: JsonSchema[] = [];
  /** For a selection of `source`'s entries (create, update): where each entry is in `source`. */
  readonly from: number[] = [];
  /** The text of each `"name":schema` member, kept by SchemaText for the selections that follow. */
  memberTexts: string[] | undefined;
  /** Selections made of this list and not serialized yet: memberTexts is let go when the last one is. */
  pendingSelections = 0;

  constructor(readonly source?: SchemaProperties) {
    if (source) source.pendingSelections++;
  }

  /** Appends a property whose name is not in the list yet; its index. */
  add(name: string, schema: JsonSchema): number {
    this.names.push(name);
    this.schemas.push(schema);
    return this.names.length - 1;
  }

  /** Appends `source`'s entry `at`, as it is now. */
  take(at: number): void {
    const source = this.source!;
    this.names.push(source.names[at]);
    this.schemas.push(source.schemas[at]);
    this.from.push(at);
  }

  /** Sets a property that may already be listed: it keeps its place and takes the new schema, as an assignment would. */
  set(name: string, schema: JsonSchema): void {
    const at = this.names.indexOf(name);
    if (at < 0) this.add(name, schema);
    else this.schemas[at] = schema;
  }

  toObject(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (let i = 0; i < this.names.length; i++) {
      // `__proto__` stays an ordinary key.
      Object.defineProperty(out, this.names[i], { value: this.schemas[i], enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}

/** The schema as a document holds it: `properties` as a plain object. */
export function plainSchema(schema: JsonSchema): JsonSchema {
  const properties = schema.properties;
  return properties instanceof SchemaProperties ? { ...schema, properties: properties.toObject() } : schema;
}

/** Property schema texts kept for reuse (shared schemas are far fewer in any real document). */
const MAX_KEPT_TEXTS = 10_000;

/**
 * JSON text of values nested `depth` deep, exactly as JSON.stringify(document, null, indent) writes them there, with
 * the text of each property schema kept (by identity) so that a schema shared by several lists, or by several
 * properties, is serialized once.
 */
export class SchemaText {
  /**
   * Texts of property schemas that may be shared (those without a description: one with a description belongs to
   * one property, whose text the read list keeps for create and update). A bounded Map rather than a WeakMap of
   * every schema: measured, the WeakMap's texts lived on through young collections and were promoted.
   */
  private readonly texts = new Map<JsonSchema, string>();
  private readonly colon: string;
  private textDepth: number | undefined;

  constructor(private readonly indent: number) {
    this.colon = indent ? ': ' : ':';
  }

  pad(depth: number): string {
    return this.indent ? `\n${' '.repeat(this.indent * depth)}` : '';
  }

  /** JSON.stringify(value, null, indent) of a value nested `depth` deep: every line break of it indented further. */
  value(value: unknown, depth: number): string {
    const text = JSON.stringify(value, null, this.indent);
    return this.indent && depth ? text.replace(/\n/g, this.pad(depth)) : text;
  }

  member(key: string, value: unknown, depth: number): string {
    return `${JSON.stringify(key)}${this.colon}${this.value(value, depth)}`;
  }

  /** A schema whose `properties` may be a SchemaProperties; the same text as value() of its plainSchema(). */
  schema(schema: JsonSchema, depth: number): string {
    if (!(schema.properties instanceof SchemaProperties)) return this.value(schema, depth);
    let out = '{';
    let first = true;
    for (const key of Object.keys(schema)) {
      const value = schema[key];
      if (value === undefined) continue;
      const text = value instanceof SchemaProperties ? this.properties(value, depth + 1) : this.value(value, depth + 1);
      out += `${first ? '' : ','}${this.pad(depth + 1)}${JSON.stringify(key)}${this.colon}${text}`;
      first = false;
    }
    return `${out}${first ? '' : this.pad(depth)}}`;
  }

  /** The member texts of a list are kept only while selections of it are still to be serialized. */
  private properties(list: SchemaProperties, depth: number): string {
    const source = list.source;
    const known = source?.memberTexts;
    const kept = source === undefined && list.pendingSelections > 0 ? (list.memberTexts = []) : undefined;
    const text = this.propertiesText(list, known, kept, depth);
    if (source !== undefined && --source.pendingSelections <= 0) source.memberTexts = undefined;
    return text;
  }

  private propertiesText(list: SchemaProperties, known: string[] | undefined, kept: string[] | undefined, depth: number): string {
    const { names, schemas, source } = list;
    if (names.length === 0) return '{}';
    const pad = this.pad(depth + 1);
    let out = '{';
    for (let i = 0; i < names.length; i++) {
      let member: string | undefined;
      if (known) {
        const at = list.from[i];
        if (source!.schemas[at] === schemas[i]) member = known[at];
      }
      member ??= `${JSON.stringify(names[i])}${this.colon}${this.propertyText(schemas[i], depth + 1)}`;
      if (kept) kept.push(member);
      out += `${i ? ',' : ''}${pad}${member}`;
    }
    return `${out}${this.pad(depth)}}`;
  }

  private propertyText(schema: JsonSchema, depth: number): string {
    // The text depends on the depth when indented; property schemas all sit at one depth, the first one seen.
    this.textDepth ??= depth;
    if (depth !== this.textDepth) return this.value(schema, depth);
    if (schema.description !== undefined) return this.value(schema, depth);
    let text = this.texts.get(schema);
    if (text === undefined) {
      text = this.value(schema, depth);
      if (this.texts.size < MAX_KEPT_TEXTS) this.texts.set(schema, text);
    }
    return text;
  }
}
