/**
 * One connector folder as data: the swagger plus everything Power Automate and paconn need next to it.
 */
import type { OpenAPIV2 } from 'openapi-types';
import { apiPropertiesFor } from './api-properties';
import { connectorIcon, ICON_BRAND_COLOR } from './icon';
import { listOperations, runbookFor } from './runbook';
import { composeScript, scriptOperationIds, scriptPartsOf } from './script';
import { settingsFor } from './settings';
import type { ConnectorPackage, GenerateOptions, GeneratorWarning } from './types';

/** A folder name safe on every file system: lower-case letters, digits and hyphens. */
export function folderName(title: string): string {
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'connector';
}

export function packageFor(doc: OpenAPIV2.Document, options: GenerateOptions, warnings: GeneratorWarning[], name: string = folderName(doc.info.title)): ConnectorPackage {
  const operations = listOperations(doc);
  const parts = scriptPartsOf(doc);
  const script = parts.length ? { text: composeScript(parts), parts } : undefined;
  const apiProperties = apiPropertiesFor({
    service: options.service,
    operationIds: operations.map((o) => o.operationId),
    pageableOperationIds: operations.filter((o) => o.pageable).map((o) => o.operationId),
    publisher: options.publisher,
    scriptOperationIds: script ? scriptOperationIds(parts) : undefined,
  });
  const pkg: ConnectorPackage = {
    name,
    swagger: doc,
    apiProperties,
    settings: settingsFor({ script: !!script }),
    icon: connectorIcon(ICON_BRAND_COLOR),
    runbook: runbookFor({ doc, options, apiProperties, warnings, folder: name, scriptParts: parts }),
  };
  if (script) pkg.script = script;
  return pkg;
}
