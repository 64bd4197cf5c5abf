/**
 * Validates the three connector files against the JSON Schemas of microsoft/PowerPlatformConnectors with Ajv.
 *
 * The schemas in ./schemas/ are verbatim copies of the PowerPlatformConnectors repository's `schemas/` folder
 * (commit 8bff86eac6d04e939faee0de15298e911b118c21), MIT licence, Copyright (c) Microsoft Corporation; the licence
 * and notice are kept next to them (schemas/LICENSE-PowerPlatformConnectors.txt, NOTICE-PowerPlatformConnectors.txt)
 * and the build copies all of them into dist/. They are read at run time relative to this file, so the validator
 * works from the TypeScript sources and from dist/ alike.
 *
 * Fixes applied here rather than in the copies (reference §5.4):
 * - the files are JSONC (`//` comments): the comments are stripped before parsing;
 * - the draft-07 schemas say `id`, which Ajv 8 rejects: renamed to `$id`; Ajv runs with `strict: false` because of
 *   the VS Code keyword `defaultSnippets`; the draft-04 apiDefinition schema runs on ajv-draft-04;
 * - the apiProperties schema is out of date: `connectionParameterSets`, `scriptOperations`, redirectMode
 *   `GlobalPerConnector` and boolean `constraints.hidden`/`required` are patched in; settings gets `script`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import type { IssueList } from './report';

export const SCHEMA_DIR = path.join(__dirname, 'schemas');
export const SCHEMA_FILES = Object.freeze({
  apiDefinition: 'apiDefinition.swagger.schema.json',
  apiProperties: 'paconn-apiProperties.schema.json',
  settings: 'paconn-settings.schema.json',
});

type SchemaName = keyof typeof SCHEMA_FILES;
type Json = Record<string, any>;

/** Removes `//` line comments and `/* *\/` block comments outside JSON strings. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return out;
}

/** Reads one schema (comments stripped, `id` → `$id` for draft-07, apiProperties/settings patched unless `patch: false`). */
export function loadSchema(name: SchemaName, options: { patch?: boolean } = {}): Json {
  const file = path.join(SCHEMA_DIR, SCHEMA_FILES[name]);
  const schema = JSON.parse(stripJsonComments(fs.readFileSync(file, 'utf8'))) as Json;
  if (name !== 'apiDefinition' && 'id' in schema) {
    schema.$id = schema.id;
    delete schema.id;
  }
  if (options.patch === false) return schema;
  if (name === 'apiProperties') patchApiPropertiesSchema(schema);
  if (name === 'settings') patchSettingsSchema(schema);
  return schema;
}

/** The documented fixes for the outdated paconn-apiProperties schema (reference §1.5, §5.4). */
export function patchApiPropertiesSchema(schema: Json): void {
  const props = schema.properties.properties.properties as Json;
  const defs = schema.definitions as Json;
  const stringOrBoolean = { type: ['string', 'boolean'] };

  // constraints.hidden / required: real certified connectors use booleans as well as "true"/"false".
  const constraints = defs['ConnectionParameter-uiDefinition'].properties.constraints.properties as Json;
  constraints.hidden = stringOrBoolean;
  constraints.required = stringOrBoolean;
  const tenantConstraints = defs['ConnectionParameter-claim-TenantId'].properties.uiDefinition.allOf[1].properties as Json;
  tenantConstraints.constraints = {
    type: 'object',
    properties: { hidden: { enum: ['true', true] }, required: { enum: ['false', false] } },
    required: ['hidden', 'required'],
    additionalProperties: false,
  };

  // redirectMode: "GlobalPerConnector" is used by 35 connectors in the repository.
  const redirect = defs.oAuthSettings.properties.redirectMode as Json;
  redirect.enum = [...new Set([...(redirect.enum as string[]), 'GlobalPerConnector'])];

  // scriptOperations: the operations script.csx handles (an empty list means all).
  props.scriptOperations = { type: 'array', items: { type: 'string' } };

  // connectionParameterSets: multi-auth, each set with the same parameter shapes as connectionParameters.
  props.connectionParameterSets = {
    type: 'object',
    required: ['values'],
    properties: {
      uiDefinition: {
        type: 'object',
        properties: { displayName: { type: 'string' }, description: { type: 'string' } },
      },
      values: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['name', 'parameters'],
          properties: {
            name: { type: 'string' },
            uiDefinition: {
              type: 'object',
              properties: { displayName: { type: 'string' }, description: { type: 'string' } },
            },
            metadata: { type: 'object' },
            parameters: props.connectionParameters,
          },
        },
      },
    },
  };
}

/** settings.json: paconn reads `script` although the schema (additionalProperties: false) lacks it (§1.2). */
export function patchSettingsSchema(schema: Json): void {
  schema.properties.script = { type: 'string' };
}

const validators = new Map<SchemaName, ValidateFunction>();

/** The compiled validator for one schema (compiled once per process). */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    const options = { strict: false, allErrors: true, validateFormats: false, logger: false as const };
    const ajv = name === 'apiDefinition' ? new Ajv04(options) : new Ajv(options);
    validate = ajv.compile(loadSchema(name));
    validators.set(name, validate);
  }
  return validate;
}

const FILE_NAMES: Record<SchemaName, string> = {
  apiDefinition: 'apiDefinition.swagger.json',
  apiProperties: 'apiProperties.json',
  settings: 'settings.json',
};

/** One Ajv error as a readable sentence. */
export function describeAjvError(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  let detail = e.message ?? e.keyword;
  if (e.keyword === 'additionalProperties') detail += `: '${String(p.additionalProperty)}'`;
  else if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) detail += `: ${p.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `${e.instancePath || '/'} ${detail}`;
}

/** Validates one document against its schema; errors go to `issues` with rule `schema-<name>`. */
export function checkSchema(name: SchemaName, document: unknown, issues: IssueList): void {
  const validate = schemaValidator(name);
  if (validate(document)) return;
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    const message = `${FILE_NAMES[name]} does not match the PowerPlatformConnectors schema: ${describeAjvError(e)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    issues.error(`schema-${name}`, message, e.instancePath || '', name === 'apiDefinition' ? undefined : FILE_NAMES[name]);
  }
}

/** Runs the schemas that apply to the given documents (apiProperties and settings only when present). */
export function checkJsonSchemas(input: { swagger: unknown; apiProperties?: unknown; settings?: unknown }, issues: IssueList): void {
  checkSchema('apiDefinition', input.swagger, issues);
  if (input.apiProperties !== undefined) checkSchema('apiProperties', input.apiProperties, issues);
  if (input.settings !== undefined) checkSchema('settings', input.settings, issues);
}
