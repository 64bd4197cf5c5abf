/**
 * Builds a CsdlModel straight from tokenizer events. Only the stack of open elements (each knowing the model
 * object it fills) and the annotation being read are held, never a document tree, so memory follows the size of
 * the model rather than the size of the document.
 */
import { applyAnnotation, type Annotation, type AnnotationTarget } from './csdl-annotation-terms';
import { AnnotationValueReader, inlineValue } from './csdl-annotation-value';
import {
  readComplexType, readEntitySet, readEntityType, readEnumType, readNavigation, readOperation, readParameter,
  ownString, readProperty, readReturnType, readSingleton, required, TypeNames,
} from './csdl-elements';
import { CsdlError } from './csdl-error';
import { finishModel, type PendingAnnotation } from './csdl-resolve';
import type { CsdlModel, EntitySet, EntityType, EnumType, NavigationProperty, Operation, StructuredType } from './model';
import type { XmlEventHandler } from './xml-events';

type Attrs = Record<string, string>;

type Frame =
  | { kind: 'skip' | 'edmx' | 'reference' | 'dataServices' | 'container' }
  | { kind: 'schema'; ns: string; alias?: string }
  | { kind: 'structured'; type: EntityType | StructuredType; target: AnnotationTarget }
  | { kind: 'key'; type: EntityType }
  | { kind: 'enumType'; type: EnumType; next: number; target: AnnotationTarget }
  | { kind: 'operation'; operation: Operation; target: AnnotationTarget }
  | { kind: 'navigation'; navigation: NavigationProperty; target: AnnotationTarget }
  | { kind: 'set'; set: { navigationBindings: Map<string, string> }; target: AnnotationTarget }
  | { kind: 'annotatable'; target: AnnotationTarget }
  | { kind: 'annotations'; target: string; qualifier?: string };

const SKIP: Frame = { kind: 'skip' };

/**
 * `list` with `item` added. The first item makes an array of exactly one element: a push onto an empty array
 * reserves room for 17, and most keys and referential constraints have one entry.
 */
function appended<T>(list: T[], item: T): T[] {
  if (list.length === 0) return [item];
  list.push(item);
  return list;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

export class CsdlBuilder implements XmlEventHandler {
  private readonly frames: Frame[] = [];
  private readonly names = new TypeNames();
  private readonly aliases = new Map<string, string>();
  /** Terms as written → qualified and detached; emptied whenever an alias is declared. */
  private readonly terms = new Map<string, string>();
  private readonly containers = new Set<string>();
  private readonly pending: PendingAnnotation[] = [];
  private annotation: { reader: AnnotationValueReader; term: string; qualifier?: string; target: AnnotationTarget | string } | undefined;
  /** A self-closing `<Annotation/>` was applied at once; its close event is skipped. */
  private annotationClosed = false;
  private dataServices = false;
  private firstNamespace = '';
  private readonly model: CsdlModel = {
    version: '4.0',
    namespace: '',
    containerName: '',
    entityTypes: new Map(),
    complexTypes: new Map(),
    enumTypes: new Map(),
    entitySets: new Map(),
    entitySetByType: new Map(),
    actions: [],
    functions: [],
    actionImports: new Map(),
    functionImports: new Map(),
    singletons: new Map(),
  };

  /** `locate` gives the position of the element being read, for errors about the model. */
  constructor(private readonly locate?: () => { line: number; column: number }) {}

  open(name: string, attrs: Attrs, selfClosing = false): void {
    const local = localName(name);
    if (this.annotation) {
      this.annotation.reader.open(local, attrs);
      return;
    }
    try {
      const parent = this.frames[this.frames.length - 1];
      if (parent === undefined) {
        this.frames.push(this.root(name, local, attrs));
      } else if (local === 'Annotation' && (parent.kind === 'annotations' || 'target' in parent)) {
        this.startAnnotation(parent, attrs, selfClosing);
      } else {
        this.frames.push(this.child(parent, local, attrs, selfClosing));
      }
    } catch (e) {
      if (e instanceof CsdlError && e.line === undefined && this.locate) {
        const { line, column } = this.locate();
        throw new CsdlError(e.message, line, column);
      }
      throw e;
    }
  }

  close(): void {
    if (this.annotationClosed) {
      this.annotationClosed = false;
      return;
    }
    if (this.annotation) {
      if (this.annotation.reader.close()) this.endAnnotation();
      return;
    }
    this.frames.pop();
  }

  text(text: string): void {
    this.annotation?.reader.text(text);
  }

  /** Whitespace between elements matters only inside an annotation's value. */
  wantsWhitespace(): boolean {
    return this.annotation !== undefined;
  }

  /** The model, once the document has ended; names are qualified, annotations applied, inheritance resolved. */
  finish(): CsdlModel {
    if (!this.dataServices) throw new CsdlError('$metadata has no <edmx:DataServices> element');
    if (!this.firstNamespace) throw new CsdlError('$metadata has no <Schema> element');
    if (!this.model.namespace) this.model.namespace = this.firstNamespace;
    finishModel(this.model, this.aliases, this.containers, this.pending);
    return this.model;
  }

  private root(name: string, local: string, attrs: Attrs): Frame {
    if (local !== 'Edmx') throw new CsdlError(`$metadata root element is <${name}>, expected <edmx:Edmx>`);
    if (attrs.Version) this.model.version = ownString(attrs.Version);
    return { kind: 'edmx' };
  }

  /** `selfClosing`: nothing can follow inside, so a frame for children is not needed (SKIP is shared). */
  private child(parent: Frame, local: string, attrs: Attrs, selfClosing: boolean): Frame {
    switch (parent.kind) {
      case 'edmx':
        if (local === 'Reference') return { kind: 'reference' };
        if (local !== 'DataServices') return SKIP;
        this.dataServices = true;
        return { kind: 'dataServices' };
      case 'reference':
        if (local === 'Include' && attrs.Alias && attrs.Namespace) this.setAlias(ownString(attrs.Alias), ownString(attrs.Namespace));
        return SKIP;
      case 'dataServices':
        return local === 'Schema' ? this.schema(attrs) : SKIP;
      case 'schema':
        return this.schemaChild(parent, local, attrs);
      case 'structured':
        return this.typeChild(parent.type, local, attrs, selfClosing);
      case 'key':
        if (local === 'PropertyRef') parent.type.key = appended(parent.type.key, this.names.required(attrs, 'Name', 'PropertyRef'));
        return SKIP;
      case 'navigation':
        if (local === 'ReferentialConstraint') {
          parent.navigation.constraints = appended(parent.navigation.constraints, {
            property: this.names.required(attrs, 'Property', 'ReferentialConstraint'),
            referencedProperty: this.names.required(attrs, 'ReferencedProperty', 'ReferentialConstraint'),
          });
        } else if (local === 'OnDelete' && attrs.Action) {
          parent.navigation.onDelete = ownString(attrs.Action);
        }
        return SKIP;
      case 'enumType':
        return local === 'Member' ? this.member(parent, attrs) : SKIP;
      case 'operation':
        return this.operationChild(parent.operation, local, attrs);
      case 'container':
        return this.containerChild(local, attrs);
      case 'set':
        if (local === 'NavigationPropertyBinding') {
          parent.set.navigationBindings.set(this.names.required(attrs, 'Path', local), this.names.required(attrs, 'Target', local));
        }
        return SKIP;
      default:
        return SKIP;
    }
  }

  private schema(attrs: Attrs): Frame {
    if (!attrs.Namespace) throw new CsdlError('a <Schema> element has no Namespace');
    const ns = ownString(attrs.Namespace);
    const alias = attrs.Alias ? ownString(attrs.Alias) : undefined;
    if (alias) this.setAlias(alias, ns);
    this.firstNamespace ||= ns;
    return { kind: 'schema', ns, alias };
  }

  private schemaChild(schema: Frame & { kind: 'schema' }, local: string, attrs: Attrs): Frame {
    const { ns } = schema;
    const model = this.model;
    switch (local) {
      case 'EntityType': {
        const type = readEntityType(attrs, ns, this.names);
        model.entityTypes.set(type.qualifiedName, type);
        return { kind: 'structured', type, target: { kind: 'entityType', type } };
      }
      case 'ComplexType': {
        const type = readComplexType(attrs, ns, this.names);
        model.complexTypes.set(type.qualifiedName, type);
        return { kind: 'structured', type, target: { kind: 'complexType', type } };
      }
      case 'EnumType': {
        const type = readEnumType(attrs, ns, this.names);
        model.enumTypes.set(type.qualifiedName, type);
        return { kind: 'enumType', type, next: 0, target: { kind: 'enumType', type } };
      }
      case 'Action':
      case 'Function': {
        const operation = readOperation(local, attrs, ns);
        (local === 'Action' ? model.actions : model.functions).push(operation);
        return { kind: 'operation', operation, target: { kind: 'operation', operation } };
      }
      case 'EntityContainer': {
        const name = attrs.Name ?? '';
        this.containers.add(`${ns}.${name}`);
        if (!model.containerName) {
          model.containerName = ownString(name);
          model.namespace = ns;
          model.alias = schema.alias;
        }
        return { kind: 'container' };
      }
      case 'Annotations':
        return {
          kind: 'annotations',
          target: required(attrs, 'Target', 'Annotations'),
          qualifier: attrs.Qualifier ? ownString(attrs.Qualifier) : undefined,
        };
      default:
        return SKIP;
    }
  }

  private typeChild(type: EntityType | StructuredType, local: string, attrs: Attrs, selfClosing: boolean): Frame {
    if (local === 'Property') {
      const property = readProperty(attrs, this.names);
      type.properties.set(property.name, property);
      return selfClosing ? SKIP : { kind: 'annotatable', target: { kind: 'property', property } };
    }
    if (!('navigation' in type)) return SKIP;
    if (local === 'Key') return { kind: 'key', type };
    if (local === 'NavigationProperty') {
      const navigation = readNavigation(attrs, this.names);
      type.navigation.set(navigation.name, navigation);
      return selfClosing ? SKIP : { kind: 'navigation', navigation, target: { kind: 'navigation', navigation } };
    }
    return SKIP;
  }

  private member(parent: Frame & { kind: 'enumType' }, attrs: Attrs): Frame {
    const value = attrs.Value !== undefined ? Number(attrs.Value) : parent.next;
    parent.next = value + 1;
    const member = { name: required(attrs, 'Name', 'Member'), value };
    parent.type.members.push(member);
    return { kind: 'annotatable', target: { kind: 'member', member } };
  }

  private operationChild(operation: Operation, local: string, attrs: Attrs): Frame {
    if (local === 'Parameter') {
      const parameter = readParameter(attrs, operation, this.names);
      operation.parameters.push(parameter);
      return { kind: 'annotatable', target: { kind: 'parameter', parameter } };
    }
    if (local === 'ReturnType') operation.returnType = readReturnType(attrs, operation, this.names);
    return SKIP;
  }

  private containerChild(local: string, attrs: Attrs): Frame {
    const model = this.model;
    switch (local) {
      case 'EntitySet': {
        const set: EntitySet = readEntitySet(attrs, this.names);
        model.entitySets.set(set.name, set);
        return { kind: 'set', set, target: { kind: 'set', set } };
      }
      case 'Singleton': {
        const singleton = readSingleton(attrs, this.names);
        model.singletons!.set(singleton.name, singleton);
        return { kind: 'set', set: singleton, target: { kind: 'singleton', singleton } };
      }
      case 'ActionImport':
        model.actionImports.set(required(attrs, 'Name', local), this.names.intern(required(attrs, 'Action', local)));
        return SKIP;
      case 'FunctionImport':
        model.functionImports.set(required(attrs, 'Name', local), this.names.intern(required(attrs, 'Function', local)));
        return SKIP;
      default:
        return SKIP;
    }
  }

  private setAlias(alias: string, ns: string): void {
    this.aliases.set(alias, ns);
    this.terms.clear();
  }

  /**
   * Terms are qualified with the aliases known so far: vocabularies are referenced before the schemas using them.
   * The result is detached from the input (a few distinct terms are written on thousands of annotations).
   */
  private qualifyTerm(term: string): string {
    let qualified = this.terms.get(term);
    if (qualified === undefined) {
      const dot = term.lastIndexOf('.');
      const ns = dot > 0 ? this.aliases.get(term.slice(0, dot)) : undefined;
      qualified = ownString(ns ? ns + term.slice(dot) : term);
      if (this.terms.size < 4096) this.terms.set(qualified === term ? qualified : ownString(term), qualified);
    }
    return qualified;
  }

  private startAnnotation(parent: Frame, attrs: Attrs, selfClosing: boolean): void {
    const written = attrs.Term;
    const term = this.qualifyTerm(written === undefined || written === '' ? required(attrs, 'Term', 'Annotation') : written);
    const outOfLine = parent.kind === 'annotations';
    const rawQualifier = attrs.Qualifier ?? (outOfLine ? parent.qualifier : undefined);
    const qualifier = rawQualifier && ownString(rawQualifier);
    const target = outOfLine ? parent.target : (parent as { target: AnnotationTarget }).target;
    // Most annotations are one empty element with the value in an attribute: no reader needed.
    if (selfClosing) {
      this.annotationClosed = true;
      this.apply(target, { term, qualifier, value: inlineValue(attrs, this.names.intern) });
    } else {
      this.annotation = { reader: new AnnotationValueReader(attrs, this.names.intern), term, qualifier, target };
    }
  }

  private endAnnotation(): void {
    const { reader, term, qualifier, target } = this.annotation!;
    this.annotation = undefined;
    this.apply(target, { term, qualifier, value: reader.value });
  }

  private apply(target: AnnotationTarget | string, annotation: Annotation): void {
    if (typeof target === 'string') this.pending.push({ target, annotation });
    else applyAnnotation(target, annotation);
  }
}
