/**
 * The Power Automate certification rules (reference §5.2 and the string rules under it) as custom checks. Messages
 * are the certification validator's own where the reference quotes them, with the same " ValuePath: …" suffix; the
 * JSON pointer is also in Issue.path.
 */
import { LIMITS } from '../types';
import { DESCRIPTION_RESTRICTED_WORDS, SUMMARY_RESTRICTED, TITLE_RESTRICTED_WORDS, containsWord } from '../names';
import { type IssueList, isObject, pointer } from './report';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
export const HOST_PATTERN = /^[^{}/ :\\]+(?::\d+)?$/;
export const RESTRICTED_BRAND_COLORS = ['#007ee5', '#ffffff'];
export const DYNAMIC_EXTENSIONS = ['x-ms-dynamic-values', 'x-ms-dynamic-list', 'x-ms-dynamic-schema', 'x-ms-dynamic-properties'];
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Keys whose values are instance data, not schemas: the type/empty-schema walks do not descend into them. */
const DATA_KEYS = new Set(['example', 'examples', 'x-ms-test-value', 'default', 'enum', 'x-ms-enum-values']);

type Obj = Record<string, unknown>;

export interface Operation {
  path: string;
  method: string;
  /** JSON pointer of the operation object. */
  at: string;
  op: Obj;
}

const at = (ptr: string): string => ` ValuePath: ${ptr}`;

/** Every operation of the swagger, in document order. */
export function operations(swagger: Obj): Operation[] {
  const out: Operation[] = [];
  if (!isObject(swagger.paths)) return out;
  for (const [p, item] of Object.entries(swagger.paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (isObject(op)) out.push({ path: p, method, at: pointer('paths', p, method), op });
    }
  }
  return out;
}

/** info: title, description, contact; root: x-ms-connector-metadata, host, basePath, definitions, size. */
export function checkDocument(swagger: Obj, swaggerBytes: number, issues: IssueList): void {
  const info = isObject(swagger.info) ? swagger.info : {};
  const title = typeof info.title === 'string' ? info.title : '';
  if (title.length > LIMITS.titleLength) {
    issues.error('title-length', `The 'title' value goes over the character limit '${LIMITS.titleLength}'${at('/info/title')}`, '/info/title');
  }
  if (containsWord(title, TITLE_RESTRICTED_WORDS)) {
    issues.error('title-restricted-words', `The value 'title' contains at least one of the restricted words: '${TITLE_RESTRICTED_WORDS.join(', ')}'.${at('/info/title')}`, '/info/title');
  }

  if (typeof info.description !== 'string' || !info.description.trim()) {
    issues.error('description-required', `The 'description' property is required.${at('/info')}`, '/info');
  } else {
    const length = info.description.length;
    if (length < LIMITS.descriptionMin || length > LIMITS.descriptionMax) {
      issues.error('description-length', `The 'description' value must be between '${LIMITS.descriptionMin}' and '${LIMITS.descriptionMax}' characters.${at('/info/description')}`, '/info/description');
    }
    if (containsWord(info.description, DESCRIPTION_RESTRICTED_WORDS)) {
      issues.error('description-restricted-words', `The value 'description' contains at least one of the restricted words: '${DESCRIPTION_RESTRICTED_WORDS.join(', ')}'.${at('/info/description')}`, '/info/description');
    }
  }
  if (!isObject(info.contact)) issues.error('contact-required', `The 'contact' property is required.${at('/info')}`, '/info');

  const metadata = swagger['x-ms-connector-metadata'];
  if (!Array.isArray(metadata)) {
    issues.error('connector-metadata-required', "The 'x-ms-connector-metadata' property is required.", '/x-ms-connector-metadata');
  } else {
    const names = new Set(metadata.map((m) => (isObject(m) ? String(m.propertyName ?? '').toLowerCase() : '')));
    const missing = ['Website', 'Privacy policy', 'Categories'].filter((n) => !names.has(n.toLowerCase()));
    if (missing.length) {
      issues.warn('connector-metadata-entries', `'x-ms-connector-metadata' should list ${missing.map((m) => `'${m}'`).join(', ')}.`, '/x-ms-connector-metadata');
    }
  }

  if (swagger.host !== undefined && (typeof swagger.host !== 'string' || !HOST_PATTERN.test(swagger.host))) {
    issues.error('host', `The 'host' value '${String(swagger.host)}' must be a host name (with an optional port), without templating, scheme or path.${at('/host')}`, '/host');
  }
  if (swagger.basePath !== undefined && (typeof swagger.basePath !== 'string' || !swagger.basePath.startsWith('/'))) {
    issues.error('base-path', `The 'basePath' value '${String(swagger.basePath)}' must start with '/'.${at('/basePath')}`, '/basePath');
  }

  const definitions = isObject(swagger.definitions) ? Object.keys(swagger.definitions).length : 0;
  if (definitions > LIMITS.maxSchemas) {
    issues.error('max-schemas', `Critical : definitions/{Definition} : The total number of schemas in the object exceeds the max schema count allowed value of '${LIMITS.maxSchemas}'. (${definitions} definitions)`, '/definitions');
  }
  if (swaggerBytes > LIMITS.maxSwaggerBytes) {
    issues.error('swagger-size', `The swagger file is ${swaggerBytes} bytes; the limit is ${LIMITS.maxSwaggerBytes} bytes (about 1 MB with margin).`, '');
  }
}

/** operationId, summary, description, parameters, responses of every operation. */
export function checkOperations(swagger: Obj, issues: IssueList): void {
  const seen = new Map<string, string>();
  for (const { at: opAt, op } of operations(swagger)) {
    const id = typeof op.operationId === 'string' ? op.operationId : undefined;
    if (!id) {
      issues.error('operation-id-required', `The 'operationId' could not be found in this swagger document.${at(opAt)}`, opAt);
    } else {
      if (!PASCAL_CASE.test(id)) {
        issues.error('operation-id-pascal-case', `The 'operationId' '${id}' must be PascalCase without spaces, hyphens or underscores.${at(`${opAt}/operationId`)}`, `${opAt}/operationId`);
      }
      const first = seen.get(id.toLowerCase());
      if (first) {
        issues.error('operation-id-unique', `The 'operationId' '${id}' is already used at ${first}.${at(`${opAt}/operationId`)}`, `${opAt}/operationId`);
      } else seen.set(id.toLowerCase(), opAt);
    }

    const summary = typeof op.summary === 'string' ? op.summary : undefined;
    const summaryAt = `${opAt}/summary`;
    if (!summary || !summary.trim()) {
      issues.error('summary-required', `The 'summary' property is required.${at(opAt)}`, opAt);
    } else {
      if (summary.length > LIMITS.summaryLength) {
        issues.error('summary-length', `The 'summary' value goes over the character limit '${LIMITS.summaryLength}'${at(summaryAt)}`, summaryAt);
      }
      if (new RegExp(SUMMARY_RESTRICTED.source).test(summary)) {
        issues.error('summary-restricted-characters', `Summary string contains any of the restricted characters [/\\<>*%&?]${at(summaryAt)}`, summaryAt);
      }
      if (/[^A-Za-z0-9]$/.test(summary)) {
        issues.error('summary-trailing-character', `The 'summary' value must not end with a non-alphanumeric character (punctuation or space).${at(summaryAt)}`, summaryAt);
      }
      if (id && summary.trim().toLowerCase() === id.toLowerCase()) {
        issues.error('summary-equals-operation-id', `The 'summary' value is the operationId; provide a sentence.${at(summaryAt)}`, summaryAt);
      }
    }

    const description = typeof op.description === 'string' ? op.description : undefined;
    if (!description || !description.trim()) {
      issues.error('operation-description-required', `The 'description' property is required.${at(opAt)}`, opAt);
    } else if (summary && normalise(description) === normalise(summary)) {
      issues.error('operation-description-equals-summary', `The operation 'description' must differ from its 'summary'.${at(`${opAt}/description`)}`, `${opAt}/description`);
    }

    // Parameters of an internal operation (e.g. a webhook's DELETE) are never shown, so they need no labels.
    if (Array.isArray(op.parameters) && op['x-ms-visibility'] !== 'internal') checkParameters(op.parameters, `${opAt}/parameters`, issues);
    checkResponses(op.responses, `${opAt}/responses`, issues);
  }
  if (isObject(swagger.paths)) {
    for (const [p, item] of Object.entries(swagger.paths)) {
      if (isObject(item) && Array.isArray(item.parameters)) checkParameters(item.parameters, pointer('paths', p, 'parameters'), issues);
    }
  }
  if (isObject(swagger.parameters)) {
    for (const [name, param] of Object.entries(swagger.parameters)) checkParameter(param, pointer('parameters', name), issues);
  }
}

const normalise = (s: string): string => s.trim().replace(/[.\s]+$/, '').toLowerCase();

function checkParameters(list: unknown[], base: string, issues: IssueList): void {
  list.forEach((param, i) => checkParameter(param, `${base}/${i}`, issues));
}

/** x-ms-summary and description on visible parameters; internal + required parameters need a default. */
function checkParameter(param: unknown, paramAt: string, issues: IssueList): void {
  if (!isObject(param) || typeof param.$ref === 'string') return;
  if (param['x-ms-visibility'] === 'internal') {
    const defaultValue = param.in === 'body' && isObject(param.schema) ? param.schema.default : param.default;
    if (param.required === true && defaultValue === undefined) {
      issues.error('internal-parameter-default', `The internal parameter '${String(param.name)}' is required and must have a default value.${at(paramAt)}`, paramAt);
    }
    return;
  }
  // The designer flattens a body into its schema's properties, so a body parameter without x-ms-summary or
  // description is only a warning (certified connectors ship such bodies); every other parameter needs both.
  const report = param.in === 'body' ? issues.warn.bind(issues) : issues.error.bind(issues);
  if (typeof param['x-ms-summary'] !== 'string' || !param['x-ms-summary'].trim()) {
    report('parameter-summary-required', `The 'x-ms-summary' property is required.${at(paramAt)}`, paramAt);
  }
  if (typeof param.description !== 'string' || !param.description.trim()) {
    report('parameter-description-required', `The 'description' property is required.${at(paramAt)}`, paramAt);
  }
}

/** A 2xx response exists; no schema on 'default'. */
function checkResponses(responses: unknown, base: string, issues: IssueList): void {
  if (!isObject(responses)) return; // the structure checks report a missing responses object
  if (!Object.keys(responses).some((code) => /^2\d\d$/.test(code))) {
    issues.error('success-response-required', `The operation must define a success (2xx) response; do not use 'default' alone.${at(base)}`, base);
  }
  const fallback = responses.default;
  if (isObject(fallback) && fallback.schema !== undefined) {
    const p = `${base}/default`;
    issues.error('default-response-schema', `The 'default' response should not have schema definition. Schemas should be defined on expected responses only.${at(p)}`, p);
  }
}

/**
 * Schema shapes: no `type` arrays (Power Automate's importer rejects them), no empty `schema: {}` and no empty
 * definitions, and every definition/property a JSON object.
 */
export function checkSchemas(swagger: Obj, issues: IssueList): void {
  walk(swagger, '', (value, ptr, key, map) => {
    if (!map && key === 'type' && Array.isArray(value)) {
      issues.error('type-array', `The 'type' must be a single type name; arrays of types are not supported.${at(ptr)}`, ptr);
    }
    if (!map && key !== 'schema') return;
    if (!isObject(value)) {
      if (map !== 'properties' || typeof value !== 'boolean') {
        const kind = Array.isArray(value) ? 'Array' : value === null ? 'Null' : typeof value === 'string' ? 'String' : typeof value;
        issues.error('schema-type', `The type of the property is incorrect. Expected type 'Object', but value is of type '${kind}'.${at(ptr)}`, ptr);
      }
    } else if (map !== 'properties' && Object.keys(value).length === 0) {
      issues.error('empty-schema', `Empty schema is not allowed; remove it or define a proper schema.${at(ptr)}`, ptr);
    }
  });
}

type MapKind = '' | 'properties' | 'definitions';

/**
 * Depth-first walk over plain JSON, skipping instance data (examples, defaults, enums). `map` tells the visitor
 * that `key` is an entry name of a `properties` or `definitions` map (so its value is a schema), not a keyword.
 */
function walk(node: unknown, ptr: string, visit: (value: unknown, ptr: string, key: string, map: MapKind) => void, map: MapKind = ''): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => walk(v, `${ptr}/${i}`, visit));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const childPtr = `${ptr}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    visit(value, childPtr, key, map);
    if (map) walk(value, childPtr, visit);
    else if (!DATA_KEYS.has(key)) walk(value, childPtr, visit, key === 'properties' || key === 'definitions' ? key : '');
  }
}

/** Every x-ms-dynamic-* operationId names an operation of this swagger. */
export function checkDynamicReferences(swagger: Obj, issues: IssueList): void {
  const ids = new Set(operations(swagger).map((o) => o.op.operationId).filter((id): id is string => typeof id === 'string'));
  walk(swagger, '', (value, ptr, key, map) => {
    if (map || !DYNAMIC_EXTENSIONS.includes(key) || !isObject(value) || value.operationId === undefined) return;
    if (typeof value.operationId !== 'string' || !ids.has(value.operationId)) {
      const p = `${ptr}/operationId`;
      issues.error('dynamic-operation-reference', `The '${key}' operationId '${String(value.operationId)}' could not be found in this swagger document.${at(p)}`, p);
    }
  });
}

/** iconBrandColor and dynamichosturl policies in apiProperties.json. */
export function checkApiProperties(apiProperties: unknown, swagger: Obj, issues: IssueList): void {
  const file = 'apiProperties.json';
  const props = isObject(apiProperties) && isObject(apiProperties.properties) ? apiProperties.properties : undefined;
  if (!props) {
    issues.error('api-properties', "apiProperties.json must be an object with a 'properties' object.", '', file);
    return;
  }
  const color = props.iconBrandColor;
  if (typeof color !== 'string' || !color.trim()) {
    issues.error('icon-brand-color-required', `The 'iconBrandColor' property is required.${at('/properties')}`, '/properties', file);
  } else if (RESTRICTED_BRAND_COLORS.includes(color.trim().toLowerCase())) {
    issues.error('icon-brand-color-restricted', `The 'iconBrandColor' must not be ${RESTRICTED_BRAND_COLORS.map((c) => `'${c}'`).join(' or ')}; use the brand's colour (independent publishers: '#da3b01').${at('/properties/iconBrandColor')}`, '/properties/iconBrandColor', file);
  } else if (!/^#[0-9a-f]{6}$/i.test(color.trim())) {
    issues.warn('icon-brand-color-format', `The 'iconBrandColor' '${color}' should be a hex colour like '#da3b01'.`, '/properties/iconBrandColor', file);
  }

  const parameterSets = connectionParameterNames(props);
  const ids = new Set(operations(swagger).map((o) => o.op.operationId));
  const policies = Array.isArray(props.policyTemplateInstances) ? props.policyTemplateInstances : [];
  policies.forEach((policy, i) => {
    if (!isObject(policy)) return;
    const policyAt = `/properties/policyTemplateInstances/${i}`;
    const params = isObject(policy.parameters) ? policy.parameters : {};
    const names = params['x-ms-apimTemplate-operationName'];
    if (Array.isArray(names)) {
      names.forEach((name, j) => {
        if (typeof name === 'string' && !ids.has(name)) {
          const p = `${policyAt}/parameters/x-ms-apimTemplate-operationName/${j}`;
          issues.error('policy-operation-reference', `The policy '${String(policy.templateId)}' names the operation '${name}', which could not be found in this swagger document.${at(p)}`, p, file);
        }
      });
    }
    if (String(policy.templateId).toLowerCase() !== 'dynamichosturl') return;
    const template = params['x-ms-apimTemplateParameter.urlTemplate'];
    const templateAt = `${policyAt}/parameters/x-ms-apimTemplateParameter.urlTemplate`;
    if (typeof template !== 'string' || !template.trim()) {
      issues.error('dynamichosturl-parameters', `The 'dynamichosturl' policy requires the parameter 'x-ms-apimTemplateParameter.urlTemplate'.${at(`${policyAt}/parameters`)}`, `${policyAt}/parameters`, file);
      return;
    }
    for (const m of template.matchAll(/@connectionParameters\(\s*'([^']*)'\s*\)/g)) {
      const missing = parameterSets.filter((set) => !set.has(m[1]));
      if (missing.length) {
        issues.error('dynamichosturl-parameters', `The 'dynamichosturl' urlTemplate uses the connection parameter '${m[1]}', which is not defined${parameterSets.length > 1 ? ' in every connection parameter set' : ''}.${at(templateAt)}`, templateAt, file);
      }
    }
    if (!/^(https?:\/\/|@)/i.test(template.trim())) {
      issues.error('dynamichosturl-parameters', `The 'dynamichosturl' urlTemplate must start with https:// or an expression such as @connectionParameters('token:resourceUri').${at(templateAt)}`, templateAt, file);
    }
  });
}

/** The connection parameter names per authentication option (one set without connectionParameterSets). */
function connectionParameterNames(props: Obj): Array<Set<string>> {
  const sets = isObject(props.connectionParameterSets) && Array.isArray(props.connectionParameterSets.values) ? props.connectionParameterSets.values : [];
  const fromSets = sets.filter(isObject).map((s) => new Set(isObject(s.parameters) ? Object.keys(s.parameters) : []));
  const base = isObject(props.connectionParameters) ? Object.keys(props.connectionParameters) : [];
  if (!fromSets.length) return [new Set(base)];
  return fromSets.map((s) => new Set([...s, ...base]));
}

/** icon.png: a real PNG (signature + IHDR); certified connectors use 230×230 (warning otherwise). */
export function checkIcon(icon: Buffer, issues: IssueList): void {
  const file = 'icon.png';
  if (icon.length < 24 || !icon.subarray(0, 8).equals(PNG_SIGNATURE)) {
    issues.error('icon-png', 'icon.png is not a PNG image (the PNG signature is missing).', '', file);
    return;
  }
  if (icon.readUInt32BE(8) !== 13 || icon.toString('latin1', 12, 16) !== 'IHDR') {
    issues.error('icon-png', 'icon.png is not a valid PNG image (the IHDR chunk does not follow the signature).', '', file);
    return;
  }
  const width = icon.readUInt32BE(16);
  const height = icon.readUInt32BE(20);
  if (width !== 230 || height !== 230) {
    issues.warn('icon-size', `icon.png is ${width}×${height}; certified connectors use a 230×230 icon.`, '', file);
  }
}
