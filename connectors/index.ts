/** The Power Automate custom-connector generator: public API. */
export type {
  ApiProperties,
  ConnectorPackage,
  ConnectorStyle,
  GenerateOptions,
  GenerationResult,
  GeneratorWarning,
  PaconnSettings,
  ServiceKind,
  WarningCode,
} from './types';
export { LIMITS } from './types';
export { GeneratorError } from './errors';
export { generateConnectors } from './generate';
export { writeConnectors, packageFiles } from './write';
export { packageFor, folderName } from './package';
export { apiPropertiesFor, URL_TEMPLATES, CLIENT_ID_PLACEHOLDER, DATAVERSE_RESOURCE, FNO_RESOURCE } from './api-properties';
export type { ApiPropertiesInput } from './api-properties';
export { settingsFor, CONNECTOR_FILES } from './settings';
export { connectorIcon, inspectPng, ICON_BRAND_COLOR, ICON_SIZE } from './icon';
export { runbookFor, listOperations } from './runbook';
export type { OperationInfo, OperationKind, RunbookInput } from './runbook';
export { buildDynamicDocument } from './dynamic';
export { buildTypedDocuments } from './typed';
