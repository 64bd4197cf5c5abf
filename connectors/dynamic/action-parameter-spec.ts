/**
 * The parameters of the connector's actions, known from $metadata at generation time, in the compact form the
 * GetActionParameters script embeds (action-parameters-script.ts turns it into a JSON Schema at design time).
 *
 * One action is one string of parameters separated by `;`; one parameter is `[+][*]Name:Type` where `+` means
 * required (Nullable="false"), `*` a collection, and Type is
 *   - an Edm primitive without its namespace (`String`, `Guid`, `Int32`, `DateTimeOffset`, …);
 *   - `@table`: an entity type (a row, sent with "@odata.type"); `#Name`: a complex type;
 *   - `%Name=A,B`: an enum type with its members (`^Name=A,B` for a flags enum);
 *   - empty: any JSON value (a type the script cannot describe, or overloads that disagree).
 * Types of the model's namespace are written without it; the script puts it back.
 *
 * The binding parameter of a bound action is not an input: the row in the URL is. When one name is bound to
 * several tables (AddItemCampaign to campaign, list, product and salesliterature), the designer asks by name only,
 * so the spec is the union of the overloads: every parameter any of them declares, required only when every
 * overload requires it, and untyped when they give it different types. Keying by table would need the entity set
 * to entity type map in the script for a case where, in the Dataverse metadata seen so far, the overloads agree.
 */
import type { CsdlModel, Operation, Parameter } from '../../client/metadata/model';

/** What the script can map to a JSON Schema type (Edm namespace left out). */
const PRIMITIVES = new Set([
  'String', 'Guid', 'Boolean', 'Byte', 'SByte', 'Int16', 'Int32', 'Int64', 'Decimal', 'Double', 'Single',
  'Date', 'DateTimeOffset', 'TimeOfDay', 'Duration', 'Binary',
]);

/** Everything a spec may hold: identifiers (Unicode letters and digits) and the spec's own marks. */
const SPEC_TEXT = /^[\p{L}\p{N}_.@#%^=,:;+*]*$/u;
export const ACTION_NAME = /^[\p{L}_][\p{L}\p{N}_]{0,127}$/u;

export interface ActionSpecs {
  /** Action name → compact parameter spec, sorted by name. */
  specs: Map<string, string>;
  /** Parameters left untyped or dropped, for the generator's warnings. */
  notes: string[];
}

/** The specs of these actions (the binding parameter of bound ones left out), overloads merged by name. */
export function actionParameterSpecs(model: CsdlModel, actions: Operation[]): ActionSpecs {
  const notes: string[] = [];
  const byName = new Map<string, Operation[]>();
  for (const action of actions) byName.set(action.name, [...(byName.get(action.name) ?? []), action]);
  const specs = new Map<string, string>();
  for (const name of [...byName.keys()].sort((a, b) => a.localeCompare(b))) {
    if (!ACTION_NAME.test(name)) {
      notes.push(`The action '${name}' has a name the designer cannot ask for; its parameters are not described.`);
      continue;
    }
    const overloads = byName.get(name)!;
    const merged = mergeOverloads(model, overloads, notes);
    specs.set(name, merged.join(';'));
  }
  return { specs, notes };
}

interface Merged {
  token: string;
  collection: boolean;
  required: boolean;
  count: number;
}

function mergeOverloads(model: CsdlModel, overloads: Operation[], notes: string[]): string[] {
  const merged = new Map<string, Merged>();
  for (const action of overloads) {
    for (const p of inputs(action)) {
      const token = typeToken(model, p.type);
      const seen = merged.get(p.name);
      if (!seen) {
        merged.set(p.name, { token, collection: p.collection, required: !p.nullable, count: 1 });
        continue;
      }
      seen.count++;
      seen.required &&= !p.nullable;
      if (seen.token !== token || seen.collection !== p.collection) {
        if (seen.token !== '') notes.push(`The overloads of '${action.name}' give the parameter '${p.name}' different types; it accepts any value.`);
        seen.token = '';
        seen.collection = false;
      }
    }
  }
  const out: string[] = [];
  for (const [name, m] of merged) {
    const required = m.required && m.count === overloads.length;
    const text = `${required ? '+' : ''}${m.collection ? '*' : ''}${name}:${m.token}`;
    if (!SPEC_TEXT.test(text) || !ACTION_NAME.test(name)) {
      notes.push(`The parameter '${name}' of '${overloads[0].name}' cannot be described; it is left out of the designer's fields.`);
      continue;
    }
    out.push(text);
  }
  return out;
}

/** The input parameters: a bound action's first parameter is its binding, given by the URL. */
function inputs(action: Operation): Parameter[] {
  return action.bound ? action.parameters.slice(1) : action.parameters;
}

function typeToken(model: CsdlModel, type: string): string {
  if (type.startsWith('Edm.')) {
    const local = type.slice(4);
    return PRIMITIVES.has(local) ? local : '';
  }
  const local = type.startsWith(`${model.namespace}.`) ? type.slice(model.namespace.length + 1) : type;
  if (model.entityTypes.has(type)) return `@${local}`;
  if (model.complexTypes.has(type)) return `#${local}`;
  const enumType = model.enumTypes.get(type);
  if (enumType) return `${enumType.isFlags ? '^' : '%'}${local}=${enumType.members.map((m) => m.name).join(',')}`;
  return '';
}

/** A C# regular string literal of spec text (SPEC_TEXT needs no escapes; JSON escapes are C# escapes anyway). */
export function csharpString(text: string): string {
  return JSON.stringify(text);
}
