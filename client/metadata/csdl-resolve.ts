/**
 * The steps that need the whole document: aliases may be declared after their first use and out-of-line
 * annotations may come before their targets, so names are qualified and `<Annotations Target>` applied at the end.
 */
import { applyAnnotation, type Annotation, type AnnotationTarget } from './csdl-annotation-terms';
import { ownString } from './csdl-elements';
import { CsdlError } from './csdl-error';
import type { CsdlModel, Operation, Parameter } from './model';

export interface PendingAnnotation {
  /** The Target attribute as written. */
  target: string;
  annotation: Annotation;
}

type Qualify = (name: string) => string;

export function finishModel(
  model: CsdlModel,
  aliases: Map<string, string>,
  containers: Set<string>,
  pending: PendingAnnotation[],
): void {
  const qualify = qualifier(aliases);
  qualifyTypeNames(model, qualify);
  for (const set of model.entitySets.values()) {
    if (!model.entitySetByType.has(set.entityType)) model.entitySetByType.set(set.entityType, set);
  }
  if (pending.length) {
    const resolver = new TargetResolver(model, new Set([...containers].map(qualify)), qualify);
    for (const { target, annotation } of pending) {
      for (const resolved of resolver.resolve(target)) applyAnnotation(resolved, annotation);
    }
  }
  resolveInheritance(model);
}

/** `mscrm.account` → `Microsoft.Dynamics.CRM.account`; one shared string per distinct name. */
function qualifier(aliases: Map<string, string>): Qualify {
  const cache = new Map<string, string>();
  return (name) => {
    let qualified = cache.get(name);
    if (qualified === undefined) {
      const dot = name.lastIndexOf('.');
      const ns = dot > 0 ? aliases.get(name.slice(0, dot)) : undefined;
      qualified = ns ? ownString(ns + name.slice(dot)) : name;
      cache.set(name, qualified);
    }
    return qualified;
  };
}

function qualifyTypeNames(model: CsdlModel, qualify: Qualify): void {
  for (const type of [...model.entityTypes.values(), ...model.complexTypes.values()]) {
    if (type.baseType) type.baseType = qualify(type.baseType);
    for (const p of type.properties.values()) p.type = qualify(p.type);
    if (type.kind === 'entity') for (const n of type.navigation.values()) n.type = qualify(n.type);
  }
  for (const type of model.enumTypes.values()) type.underlyingType = qualify(type.underlyingType);
  for (const op of [...model.actions, ...model.functions]) {
    for (const p of op.parameters) p.type = qualify(p.type);
    if (op.returnType) op.returnType.type = qualify(op.returnType.type);
  }
  for (const set of model.entitySets.values()) set.entityType = qualify(set.entityType);
  for (const singleton of model.singletons?.values() ?? []) singleton.type = qualify(singleton.type);
  for (const imports of [model.actionImports, model.functionImports]) {
    for (const [name, target] of imports) imports.set(name, qualify(target));
  }
}

/** Resolves `<Annotations Target>` paths: types, their properties, enum members, sets, operations (overloads), parameters. */
class TargetResolver {
  private readonly operations = new Map<string, Operation[]>();

  constructor(
    private readonly model: CsdlModel,
    private readonly containers: Set<string>,
    private readonly qualify: Qualify,
  ) {
    for (const op of [...model.actions, ...model.functions]) {
      const list = this.operations.get(op.qualifiedName);
      if (list) list.push(op);
      else this.operations.set(op.qualifiedName, [op]);
    }
  }

  resolve(path: string): AnnotationTarget[] {
    const { head, signature, rest } = splitTarget(path);
    const name = this.qualify(head);
    const model = this.model;
    const operations = this.operations.get(name);
    if (operations) {
      const chosen = signature ? operations.filter((op) => this.matches(op, signature)) : operations;
      if (rest.length === 0) return chosen.map((operation) => ({ kind: 'operation', operation }));
      if (rest.length > 1) return [];
      return chosen.flatMap((op) => op.parameters.filter((p) => p.name === rest[0]).map((parameter) => ({ kind: 'parameter' as const, parameter })));
    }
    const entity = model.entityTypes.get(name);
    const complex = model.complexTypes.get(name);
    const structured = entity ?? complex;
    if (structured) {
      if (rest.length === 0) return [entity ? { kind: 'entityType', type: entity } : { kind: 'complexType', type: complex! }];
      if (rest.length > 1) return [];
      const property = structured.properties.get(rest[0]);
      if (property) return [{ kind: 'property', property }];
      const navigation = entity?.navigation.get(rest[0]);
      return navigation ? [{ kind: 'navigation', navigation }] : [];
    }
    const enumType = model.enumTypes.get(name);
    if (enumType) {
      if (rest.length === 0) return [{ kind: 'enumType', type: enumType }];
      const member = rest.length === 1 ? enumType.members.find((m) => m.name === rest[0]) : undefined;
      return member ? [{ kind: 'member', member }] : [];
    }
    if (this.containers.has(name) && rest.length === 1) {
      const set = model.entitySets.get(rest[0]);
      if (set) return [{ kind: 'set', set }];
      const singleton = model.singletons?.get(rest[0]);
      if (singleton) return [{ kind: 'singleton', singleton }];
    }
    return [];
  }

  /**
   * Overload signatures list every parameter type for functions and only the binding parameter for actions
   * (CSDL 4.01 §14.2.1); both spellings are accepted for either kind.
   */
  private matches(op: Operation, signature: string[]): boolean {
    const types = signature.map((t) => {
      const m = /^Collection\((.+)\)$/.exec(t);
      return m ? `Collection(${this.qualify(m[1])})` : this.qualify(t);
    });
    const all = op.parameters.map(typeText);
    const binding = op.bound && op.parameters.length ? [typeText(op.parameters[0])] : [];
    const same = (a: string[]) => a.length === types.length && a.every((t, i) => t === types[i]);
    return same(all) || same(binding);
  }
}

function typeText(p: Parameter): string {
  return p.collection ? `Collection(${p.type})` : p.type;
}

/** `NS.op(NS.t,Collection(NS.u))/param` → head `NS.op`, signature [`NS.t`, `Collection(NS.u)`], rest [`param`]. */
function splitTarget(path: string): { head: string; signature?: string[]; rest: string[] } {
  let depth = 0;
  let end = path.length;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '/' && depth === 0) {
      end = i;
      break;
    }
  }
  const rest = end < path.length ? path.slice(end + 1).split('/') : [];
  const head = path.slice(0, end);
  const open = head.indexOf('(');
  if (open < 0) return { head, rest };
  const inner = head.slice(open + 1, head.lastIndexOf(')'));
  return { head: head.slice(0, open), signature: inner.split(',').map((t) => t.trim()).filter(Boolean), rest };
}

/**
 * Fills allProperties / allNavigation / keyProperties by walking base types once (memoised). A type that inherits
 * nothing (no base type, or one without members: Dataverse's crmbaseentity) shares its own map, which the model
 * never changes afterwards: one map per type instead of two.
 */
export function resolveInheritance(model: CsdlModel): void {
  walkBaseTypes(model.entityTypes, (type, base) => {
    type.allProperties = inherit(base?.allProperties, type.properties);
    type.allNavigation = inherit(base?.allNavigation, type.navigation);
    type.keyProperties = type.key.length ? type.key : (base?.keyProperties ?? []);
  });
  walkBaseTypes(model.complexTypes, (type, base) => {
    type.allProperties = inherit(base?.allProperties, type.properties);
  });
}

function inherit<T>(inherited: Map<string, T> | undefined, own: Map<string, T>): Map<string, T> {
  if (!inherited || inherited.size === 0) return own;
  if (own.size === 0) return inherited;
  const all = new Map(inherited);
  for (const [name, member] of own) all.set(name, member);
  return all;
}

/** Calls `resolve` for every type after its base type (each once); a circular BaseType chain is a CsdlError. */
function walkBaseTypes<T extends { qualifiedName: string; baseType?: string }>(types: Map<string, T>, resolve: (type: T, base: T | undefined) => void): void {
  const done = new Set<string>();
  const visit = (qualifiedName: string, trail: string[]) => {
    if (done.has(qualifiedName)) return;
    const type = types.get(qualifiedName);
    if (!type) return;
    if (trail.includes(qualifiedName)) throw new CsdlError(`circular BaseType chain: ${[...trail, qualifiedName].join(' -> ')}`);
    const base = type.baseType ? types.get(type.baseType) : undefined;
    if (base) visit(base.qualifiedName, [...trail, qualifiedName]);
    resolve(type, base);
    done.add(qualifiedName);
  };
  for (const name of types.keys()) visit(name, []);
}
