/**
 * Small building blocks shared by the metadata rows: stable ids, Label objects and managed properties, in the
 * shapes the EntityDefinitions API returns them.
 */
import { createHash } from 'node:crypto';
import type { CsdlModel, Property } from '../../../client/metadata/model';

export type MetadataRow = Record<string, unknown>;

export const LANGUAGE_CODE = 1033;

/**
 * MetadataIds must not change between requests or emulator restarts (clients cache them and key lookups use
 * them), so they are derived from the item's identity instead of being random.
 */
export function stableGuid(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  // Shaped as a name-based (version 5) UUID so that strict GUID parsers accept it.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface Label {
  LocalizedLabels: LocalizedLabel[];
  UserLocalizedLabel: LocalizedLabel | null;
}

export interface LocalizedLabel {
  Label: string;
  LanguageCode: number;
  IsManaged: boolean;
  MetadataId: string;
  HasChanged: null;
}

/** A label in the organisation's only language; `owner` keeps its MetadataId unique and stable. */
export function label(text: string | undefined, owner: string): Label {
  if (text === undefined || text === '') return emptyLabel();
  const localized: LocalizedLabel = {
    Label: text,
    LanguageCode: LANGUAGE_CODE,
    IsManaged: true,
    MetadataId: stableGuid('label', owner),
    HasChanged: null,
  };
  return { LocalizedLabels: [localized], UserLocalizedLabel: { ...localized } };
}

/** What Dataverse returns for a label nobody has set (many Description labels). */
export function emptyLabel(): Label {
  return { LocalizedLabels: [], UserLocalizedLabel: null };
}

export interface ManagedProperty<T> {
  Value: T;
  CanBeChanged: boolean;
  ManagedPropertyLogicalName: string;
}

export function managed<T>(value: T, canBeChanged: boolean, logicalName: string): ManagedProperty<T> {
  return { Value: value, CanBeChanged: canBeChanged, ManagedPropertyLogicalName: logicalName };
}

/** `Phone Call` → `PhoneCall`; used where a schema name can be read off a display name. */
export function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/**
 * Real metadata carries every property of its CSDL type; the emulator computes the useful ones and gives the rest
 * neutral values here, so `$select` of any declared property works and shapes match the service document.
 */
export function fillDeclaredProperties(row: MetadataRow, model: CsdlModel, qualifiedType: string): MetadataRow {
  const type = model.entityTypes.get(qualifiedType);
  if (!type) return row;
  for (const p of type.allProperties.values()) {
    if (!(p.name in row)) row[p.name] = neutralValue(p);
  }
  return row;
}

function neutralValue(p: Property): unknown {
  if (p.collection) return [];
  switch (p.type) {
    case 'Edm.Boolean': return false;
    case 'Microsoft.Dynamics.CRM.Label': return emptyLabel();
    case 'Microsoft.Dynamics.CRM.BooleanManagedProperty': return managed(false, true, p.name.toLowerCase());
    default: return null;
  }
}
