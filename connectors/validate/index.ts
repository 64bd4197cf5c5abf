/**
 * The offline connector validator behind `d365-connectors validate <DIR>`: Swagger 2.0 structure
 * (swagger-parser), the PowerPlatformConnectors JSON Schemas (Ajv, with the documented fixes) and the Power
 * Automate certification rules (reference §5.2), and the webhook trigger contract (trigger-rules.ts). Errors are
 * what the online validator or certification would reject; warnings are recommendations.
 */
import type { Issue, ValidationReport } from './report';

export type { ConnectorInput, Issue, ValidationReport } from './report';
export { validateConnector } from './connector';
export { validateConnectorFolder, findConnectorFiles, CONNECTOR_FILES } from './folder';

/** A report as text for the CLI, one issue per line: `error [rule] file#/pointer: message`. */
export function formatReport(report: ValidationReport): string {
  const line = (level: string, i: Issue): string => {
    const where = `${i.file ?? ''}${i.path ? `#${i.path}` : ''}`;
    return `${level} [${i.rule}] ${where ? `${where}: ` : ''}${i.message}`;
  };
  return [...report.errors.map((i) => line('error', i)), ...report.warnings.map((i) => line('warning', i))].join('\n');
}
