/**
 * What the generator produces: one or more connector packages (the paconn folder layout), each as plain data, so
 * the generator stays pure functions from the metadata model to documents and only connectors/write.ts touches disk.
 */
import type { OpenAPIV2 } from 'openapi-types';
import type { ScriptPart } from './script/types';

export type ServiceKind = 'dataverse' | 'fno';
export type ConnectorStyle = 'dynamic' | 'typed';

export interface GenerateOptions {
  service: ServiceKind;
  style: ConnectorStyle;
  /** Entity set names (or logical/type names) for the typed style; ['*'] or undefined = every entity set. */
  tables?: string[];
  /** Connector title (≤30 characters, no restricted words); derived from the service when absent. */
  title?: string;
  /** Split into several connectors when one would break a Power Automate limit; otherwise refuse with a message. */
  split?: boolean;
  /** Publisher shown in the connector metadata and the contact block. */
  publisher?: string;
  /** Host written into the Swagger (placeholder; the dynamichosturl policy replaces it per connection). */
  host?: string;
  /** Reports progress on large inputs (entity sets done / total); never required. */
  onProgress?: (done: number, total: number) => void;
}

export type WarningCode =
  | 'NameCollision'
  | 'ReservedWord'
  | 'NameTruncated'
  | 'UnknownType'
  | 'SkippedOperation'
  | 'Split'
  | 'Other';

export interface GeneratorWarning {
  code: WarningCode;
  message: string;
  /** Where in the input (entity set, type, property) or the output (JSON pointer) it applies. */
  where?: string;
}

/** One connector folder: apiDefinition.swagger.json, apiProperties.json, settings.json, icon.png, RUNBOOK.md. */
export interface ConnectorPackage {
  /** Folder name (safe for every file system). */
  name: string;
  swagger: OpenAPIV2.Document;
  apiProperties: ApiProperties;
  settings: PaconnSettings;
  icon: Buffer;
  runbook: string;
  /** script.csx, when operations of the swagger need custom code: the composed text and the parts it is made of. */
  script?: { text: string; parts: ScriptPart[] };
}

export interface GenerationResult {
  connectors: ConnectorPackage[];
  warnings: GeneratorWarning[];
}

/** apiProperties.json (paconn); only the parts this generator writes are typed closely. */
export interface ApiProperties {
  properties: {
    connectionParameters?: Record<string, unknown>;
    connectionParameterSets?: Record<string, unknown>;
    iconBrandColor: string;
    capabilities: string[];
    policyTemplateInstances?: Array<{ templateId: string; title: string; parameters: Record<string, unknown> }>;
    publisher?: string;
    stackOwner?: string;
    [key: string]: unknown;
  };
}

/** settings.json of paconn. */
export interface PaconnSettings {
  connectorId?: string;
  environment?: string;
  apiProperties: string;
  apiDefinition: string;
  icon: string;
  powerAppsApiVersion?: string;
  powerAppsUrl?: string;
  flowApiVersion?: string;
  flowUrl?: string;
  /** The custom code file (script.csx) paconn uploads with the connector. */
  script?: string;
}

/** Power Automate limits the generator and the validate command both enforce. */
export const LIMITS = Object.freeze({
  titleLength: 30,
  summaryLength: 80,
  descriptionMin: 30,
  descriptionMax: 500,
  maxSchemas: 512,
  /** The commonly quoted 1 MB, with margin: a connector that grows a little after import still fits. */
  maxSwaggerBytes: 900 * 1024,
  /** Custom code (script.csx) must be smaller than 1 MB. */
  maxScriptBytes: 1024 * 1024,
});
