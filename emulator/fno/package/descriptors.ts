/**
 * The two descriptors of a data package, as Data management serializes them (DataContractSerializer, namespace
 * http://schemas.microsoft.com/dynamics/2015/01/DataManagement, elements in alphabetical order):
 * Manifest.xml (<DataManagementPackageManifest>: definition group and one <DataManagementPackageEntityData> per
 * entity with its data file) and PackageHeader.xml (<DataManagementPackageHeader>: package type and version).
 */
import { child, childText, decodeText, escapeXmlText, readXml, XmlNode, XmlReadError } from './xml-reader';

export const DM_NAMESPACE = 'http://schemas.microsoft.com/dynamics/2015/01/DataManagement';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const MANIFEST_TYPE = 'Microsoft.Dynamics.AX.Framework.Tools.DataManagement.Serialization.DataManagementPackageManifest';

export class PackageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageError';
  }
}

export interface ManifestEntity {
  entityName: string;
  /** Data file inside the package. */
  inputFilePath: string;
  sourceFormat: string;
  targetEntity?: string;
  executionUnit: number;
  levelInExecutionUnit: number;
  sequenceInLevel: number;
}

export interface PackageManifest {
  definitionGroupName: string;
  description: string;
  entities: ManifestEntity[];
}

export interface PackageHeader {
  description: string;
  packageType: string;
  packageVersion: string;
}

function parseDescriptor(bytes: Buffer, file: string, rootName: string): XmlNode {
  let root: XmlNode;
  try {
    root = readXml(decodeText(bytes));
  } catch (e) {
    if (e instanceof XmlReadError) throw new PackageError(`${file} is not valid XML: ${e.message}`);
    throw e;
  }
  if (root.local !== rootName) throw new PackageError(`${file} must have the root element <${rootName}>, not <${root.local}>.`);
  if (root.attrs.xmlns !== DM_NAMESPACE) throw new PackageError(`${file} must use the namespace ${DM_NAMESPACE}.`);
  return root;
}

export function parseManifest(bytes: Buffer): PackageManifest {
  const root = parseDescriptor(bytes, 'Manifest.xml', 'DataManagementPackageManifest');
  const list = child(root, 'PackageEntityList');
  const items = list ? list.children.filter((c) => c.local === 'DataManagementPackageEntityData') : [];
  if (items.length === 0) throw new PackageError('Manifest.xml lists no entity (<PackageEntityList> has no <DataManagementPackageEntityData>).');
  const entities = items.map((item, n): ManifestEntity => {
    const entityName = childText(item, 'EntityName');
    if (!entityName) throw new PackageError(`Manifest.xml entity ${n + 1} has no <EntityName>.`);
    const inputFilePath = childText(item, 'InputFilePath') || `${entityName}.csv`;
    return {
      entityName,
      inputFilePath,
      sourceFormat: childText(item, 'SourceFormat') || 'CSV-Unicode',
      targetEntity: childText(item, 'TargetEntity') || undefined,
      executionUnit: integer(item, 'ExecutionUnit', entityName),
      levelInExecutionUnit: integer(item, 'LevelInExecutionUnit', entityName),
      sequenceInLevel: integer(item, 'SequenceInLevel', entityName),
    };
  });
  return { definitionGroupName: childText(root, 'DefinitionGroupName') ?? '', description: childText(root, 'Description') ?? '', entities };
}

function integer(node: XmlNode, name: string, entity: string): number {
  const text = childText(node, name);
  if (text === undefined || text === '') return 0;
  if (!/^-?\d{1,9}$/.test(text)) throw new PackageError(`Manifest.xml: <${name}> of '${entity}' must be an integer, not '${text.slice(0, 50)}'.`);
  return Number(text);
}

export function parseHeader(bytes: Buffer): PackageHeader {
  const root = parseDescriptor(bytes, 'PackageHeader.xml', 'DataManagementPackageHeader');
  const packageType = childText(root, 'PackageType') ?? '';
  if (packageType !== 'DefinitionGroup') throw new PackageError(`PackageHeader.xml: <PackageType> must be DefinitionGroup, not '${packageType.slice(0, 50)}'.`);
  const manifestType = childText(root, 'ManifestType') ?? '';
  if (manifestType !== MANIFEST_TYPE) throw new PackageError(`PackageHeader.xml: <ManifestType> must be ${MANIFEST_TYPE}.`);
  return { description: childText(root, 'Description') ?? '', packageType, packageVersion: childText(root, 'PackageVersion') ?? '' };
}

const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>\r\n';
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const el = (name: string, value: string | number | boolean) => `<${name}>${escapeXmlText(String(value))}</${name}>`;

/** Manifest.xml of an export; data files are named after the entity, one per entity. */
export function writeManifest(manifest: PackageManifest): Buffer {
  const entities = manifest.entities.map((e) =>
    '<DataManagementPackageEntityData>' +
    el('DefaultRefreshType', 'FullPush') +
    el('Disable', false) +
    el('EntityName', e.entityName) +
    el('ExecutionUnit', e.executionUnit) +
    el('InputFilePath', e.inputFilePath) +
    el('LevelInExecutionUnit', e.levelInExecutionUnit) +
    el('SequenceInLevel', e.sequenceInLevel) +
    el('SkipStaging', false) +
    el('SourceFormat', e.sourceFormat) +
    (e.targetEntity ? el('TargetEntity', e.targetEntity) : '') +
    '</DataManagementPackageEntityData>').join('');
  const xml = `${XML_DECL}<DataManagementPackageManifest xmlns:i="${XSI_NAMESPACE}" xmlns="${DM_NAMESPACE}">` +
    el('DefinitionGroupName', manifest.definitionGroupName) +
    el('Description', manifest.description) +
    `<PackageEntityList>${entities}</PackageEntityList></DataManagementPackageManifest>`;
  return Buffer.concat([UTF8_BOM, Buffer.from(xml, 'utf8')]);
}

export function writeHeader(description: string): Buffer {
  const xml = `${XML_DECL}<DataManagementPackageHeader xmlns:i="${XSI_NAMESPACE}" xmlns="${DM_NAMESPACE}">` +
    el('Description', description) + el('ManifestType', MANIFEST_TYPE) + el('PackageType', 'DefinitionGroup') + el('PackageVersion', 2) +
    '</DataManagementPackageHeader>';
  return Buffer.concat([UTF8_BOM, Buffer.from(xml, 'utf8')]);
}
