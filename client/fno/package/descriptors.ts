/**
 * The two descriptors of a data package as Data management writes them (DataContractSerializer: namespace
 * http://schemas.microsoft.com/dynamics/2015/01/DataManagement, members in alphabetical order): Manifest.xml lists
 * the definition group and each entity with its data file; PackageHeader.xml says what kind of package it is.
 */
import { childrenNamed, escapeXml, parseXml, type XmlElement } from '../../metadata/xml';

export const DM_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2015/01/DataManagement';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const MANIFEST_TYPE = 'Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest';

export interface ManifestEntity {
  /** The entity's name as Data management knows it (entity set, entity or label name). */
  entityName: string;
  /** Data file inside the package. */
  inputFilePath: string;
  /** The data source format configured in F&O (`CSV-Unicode`, `CSV`…). */
  sourceFormat: string;
  /** Import order: entities run by execution unit, then level, then sequence. */
  sequence: number;
}

export interface PackageManifest {
  definitionGroupName: string;
  description: string;
  entities: ManifestEntity[];
}

const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\r\n';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const el = (name: string, value: string | number | boolean) => `<${name}>${escapeXml(String(value))}</${name}>`;

export function writeManifest(manifest: PackageManifest): Buffer {
  const entities = manifest.entities
    .map((e) =>
      '<DataManagementPackageEntityData>' +
      el('DefaultRefreshType', 'FullPush') +
      el('Disable', false) +
      el('EntityName', e.entityName) +
      el('ExecutionUnit', 1) +
      el('InputFilePath', e.inputFilePath) +
      el('LevelInExecutionUnit', 1) +
      el('SequenceInLevel', e.sequence) +
      el('SkipStaging', false) +
      el('SourceFormat', e.sourceFormat) +
      '</DataManagementPackageEntityData>')
    .join('');
  const xml = `${XML_DECL}<DataManagementPackageManifest xmlns:i="${XSI}" xmlns="${DM_NAMESPACE}">` +
    el('DefinitionGroupName', manifest.definitionGroupName) +
    el('Description', manifest.description) +
    `<PackageEntityList>${entities}</PackageEntityList></DataManagementPackageManifest>`;
  return Buffer.concat([BOM, Buffer.from(xml, 'utf8')]);
}

export function writePackageHeader(description: string): Buffer {
  const xml = `${XML_DECL}<DataManagementPackageHeader xmlns:i="${XSI}" xmlns="${DM_NAMESPACE}">` +
    el('Description', description) + el('ManifestType', MANIFEST_TYPE) + el('PackageType', 'DefinitionGroup') + el('PackageVersion', 2) +
    '</DataManagementPackageHeader>';
  return Buffer.concat([BOM, Buffer.from(xml, 'utf8')]);
}

function text(element: XmlElement, local: string): string | undefined {
  return childrenNamed(element, local)[0]?.text.trim();
}

/** Reads Manifest.xml (the XML reader refuses DOCTYPEs and bounds sizes); throws Error with the reason. */
export function readManifest(xml: string): PackageManifest {
  const root = parseXml(xml, { maxDepth: 16 });
  if (root.local !== 'DataManagementPackageManifest') throw new Error(`Manifest.xml has the root <${root.local}>, not <DataManagementPackageManifest>.`);
  const list = childrenNamed(root, 'PackageEntityList')[0];
  const items = list ? childrenNamed(list, 'DataManagementPackageEntityData') : [];
  const entities = items.map((item, n) => {
    const entityName = text(item, 'EntityName');
    if (!entityName) throw new Error(`Manifest.xml entity ${n + 1} has no <EntityName>.`);
    return {
      entityName,
      inputFilePath: text(item, 'InputFilePath') || `${entityName}.csv`,
      sourceFormat: text(item, 'SourceFormat') || '',
      sequence: Number(text(item, 'SequenceInLevel') || n + 1),
    };
  });
  return { definitionGroupName: text(root, 'DefinitionGroupName') ?? '', description: text(root, 'Description') ?? '', entities };
}
