/** Validates one connector given as parsed documents (see index.ts for what is checked). */
import { checkApiProperties, checkDocument, checkDynamicReferences, checkIcon, checkOperations, checkSchemas } from './certification-rules';
import { checkJsonSchemas } from './json-schemas';
import { checkScript } from './script-rules';
import { type ConnectorInput, IssueList, type ValidationReport, isObject } from './report';
import { checkStructure } from './structure';
import { checkTriggers } from './trigger-rules';

export async function validateConnector(input: ConnectorInput): Promise<ValidationReport> {
  const issues = new IssueList();
  await checkStructure(input.swagger, issues);
  checkJsonSchemas(input, issues);
  if (isObject(input.swagger)) {
    const swagger = input.swagger;
    const bytes = input.swaggerBytes ?? Buffer.byteLength(JSON.stringify(swagger, null, 4), 'utf8');
    checkDocument(swagger, bytes, issues);
    checkOperations(swagger, issues);
    checkSchemas(swagger, issues);
    checkDynamicReferences(swagger, issues);
    if (input.apiProperties !== undefined) checkApiProperties(input.apiProperties, swagger, issues);
    checkScript({ swagger, apiProperties: input.apiProperties, settings: input.settings, script: input.script }, issues);
    checkTriggers(swagger, issues);
  }
  if (input.apiProperties === undefined) {
    issues.warn('api-properties-missing', 'No apiProperties.json was given; its checks were skipped.', undefined, 'apiProperties.json');
  }
  if (input.icon !== undefined) checkIcon(input.icon, issues);
  return { errors: issues.errors, warnings: issues.warnings };
}

