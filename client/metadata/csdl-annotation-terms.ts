/**
 * Applies the vocabulary terms the model understands to their targets, whether the annotation was written inline
 * or in an out-of-line `<Annotations Target="…">` block.
 */
import type {
  AnnotationValue, EntitySet, EntityType, EnumMember, NavigationProperty, Operation, Parameter, Property, Singleton,
  StructuredType, EnumType,
} from './model';
import { ownString, setOwn } from './own-string';

export const CORE = 'Org.OData.Core.V1.';
const CAPABILITIES = 'Org.OData.Capabilities.V1.';
const DESCRIPTION = `${CORE}Description`;
const COMPUTED = `${CORE}Computed`;
const IMMUTABLE = `${CORE}Immutable`;
const PERMISSIONS = `${CORE}Permissions`;
const CHANGE_TRACKING = `${CAPABILITIES}ChangeTracking`;
/** Dataverse declares alternate keys in the community vocabulary; newer services use the Core term. */
const ALTERNATE_KEY_TERMS = new Set(['OData.Community.Keys.V1.AlternateKeys', `${CORE}AlternateKeys`]);

export type AnnotationTarget =
  | { kind: 'property'; property: Property }
  | { kind: 'navigation'; navigation: NavigationProperty }
  | { kind: 'entityType'; type: EntityType }
  | { kind: 'complexType'; type: StructuredType }
  | { kind: 'enumType'; type: EnumType }
  | { kind: 'member'; member: EnumMember }
  | { kind: 'set'; set: EntitySet }
  | { kind: 'singleton'; singleton: Singleton }
  | { kind: 'operation'; operation: Operation }
  | { kind: 'parameter'; parameter: Parameter };

export interface Annotation {
  /** Qualified term (aliases resolved). */
  term: string;
  qualifier?: string;
  /** Undefined when written without a value (a Boolean term then means true). */
  value: AnnotationValue | undefined;
}

export function applyAnnotation(target: AnnotationTarget, annotation: Annotation): void {
  const { term, qualifier, value } = annotation;
  if (target.kind === 'set') {
    // Sets keep every annotation: capabilities are what a connector generator needs to know about them.
    const annotations = (target.set.annotations ??= {});
    setOwn(annotations, qualifier ? `${term}#${qualifier}` : term, value === undefined ? true : value);
  }
  // A qualified annotation applies to one audience (a device, a client) only, so it never sets the plain fields.
  if (qualifier) return;
  if (term === DESCRIPTION) {
    const text = typeof value === 'string' && value !== '' ? value : undefined;
    const holder = describable(target);
    if (holder) holder.description = text;
    return;
  }
  switch (target.kind) {
    case 'property':
      applyToProperty(target.property, term, value);
      break;
    case 'entityType':
      if (ALTERNATE_KEY_TERMS.has(term)) target.type.alternateKeys.push(...alternateKeys(value));
      break;
    case 'set':
      if (term === CHANGE_TRACKING) target.set.changeTracking = changeTrackingSupported(value);
      break;
    default:
      break;
  }
}

function describable(target: AnnotationTarget): { description?: string } | undefined {
  switch (target.kind) {
    case 'property': return target.property;
    case 'navigation': return target.navigation;
    case 'entityType':
    case 'complexType':
    case 'enumType': return target.type;
    case 'member': return target.member;
    case 'set': return target.set;
    case 'singleton': return target.singleton;
    case 'operation': return target.operation;
    case 'parameter': return target.parameter;
  }
}

function applyToProperty(property: Property, term: string, value: AnnotationValue | undefined): void {
  switch (term) {
    case COMPUTED:
      property.computed = value !== false;
      break;
    case IMMUTABLE:
      property.immutable = value !== false;
      break;
    case PERMISSIONS: {
      const members = permissionMembers(value);
      property.permissions = members;
      property.readOnly = members.includes('Read') && !members.includes('Write') && !members.includes('ReadWrite');
      break;
    }
    default:
      break;
  }
}

/** `Org.OData.Core.V1.PermissionType/Read` (Dataverse) or `Core.Permission/Read Core.Permission/Write` → member names. */
function permissionMembers(value: AnnotationValue | undefined): string[] {
  const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join(' ') : typeof value === 'string' ? value : '';
  let members = PERMISSION_LISTS.get(text);
  if (members === undefined) {
    members = text.split(/\s+/).filter(Boolean).map((m) => ownString(m.slice(m.lastIndexOf('/') + 1)));
    if (PERMISSION_LISTS.size < 64) PERMISSION_LISTS.set(ownString(text), members);
  }
  return members;
}

/**
 * Member lists by the text they were read from, shared by every property that says the same (Dataverse writes
 * `PermissionType/Read` on thousands): a handful of distinct texts in any document, so kept across documents.
 */
const PERMISSION_LISTS = new Map<string, string[]>();

/** Vocabulary default: change tracking is supported unless the record says otherwise. */
function changeTrackingSupported(value: AnnotationValue | undefined): boolean {
  if (value === undefined || value === true) return true;
  if (value && typeof value === 'object' && !Array.isArray(value)) return value.Supported !== false;
  return false;
}

/** `[{ Key: [{ Alias, Name: 'accountnumber' }] }]` → `[['accountnumber']]`; a bare Record counts as a one-item list. */
function alternateKeys(value: AnnotationValue | undefined): string[][] {
  const keys: string[][] = [];
  for (const key of asList(value)) {
    if (!key || typeof key !== 'object' || Array.isArray(key)) continue;
    const names = asList(key.Key)
      .map((ref) => (ref && typeof ref === 'object' && !Array.isArray(ref) ? ref.Name : undefined))
      .filter((name): name is string => typeof name === 'string' && name !== '');
    if (names.length) keys.push(names);
  }
  return keys;
}

function asList(value: AnnotationValue | undefined): AnnotationValue[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}
