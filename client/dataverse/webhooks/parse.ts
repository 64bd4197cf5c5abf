/**
 * parseRemoteExecutionContext: the body Dataverse POSTs to a webhook (a DataContractJsonSerializer
 * RemoteExecutionContext, reference §12.4) as clean JSON. Key/value arrays become objects, entities become their
 * flattened attributes, and typed values become plain ones:
 *   - EntityReference → `{ id, table, name? }` (an object, not the bare id: the table of a polymorphic lookup
 *     such as customerid or regardingobjectid is only known from it);
 *   - OptionSetValue and Money → their number; OptionSetValueCollection → number[];
 *   - `/Date(ms)/` or `/Date(ms±hhmm)/` → ISO string (the milliseconds are UTC; the offset is only a display hint);
 *   - EntityCollection → array of flattened rows.
 * Input from the network is refused with a WebhookPayloadError (reason: notJson, wrongShape, tooLarge, tooDeep,
 * forbiddenKey) rather than crashing: over 1 MB, nesting over 64 levels, or a `__proto__` / `constructor` /
 * `prototype` key anywhere (refused, never assigned, so no prototype can be polluted).
 */
import { D365Error } from '../../http/errors';

export type WebhookPayloadErrorReason = 'notJson' | 'wrongShape' | 'tooLarge' | 'tooDeep' | 'forbiddenKey';

export class WebhookPayloadError extends D365Error {
  readonly reason: WebhookPayloadErrorReason;
  constructor(reason: WebhookPayloadErrorReason, message: string) {
    super(`Invalid webhook payload: ${message}`, { code: 'InvalidWebhookPayload', retryable: false, status: 400 });
    this.name = 'WebhookPayloadError';
    this.reason = reason;
  }
}

export interface EntityReferenceValue {
  id: string;
  table: string;
  name?: string;
}

export type CleanRow = Record<string, unknown>;

export interface ParsedExecutionContext {
  /** `Create`, `Update`, `Delete`, … as Dataverse names it. */
  message: string;
  table: string;
  rowId: string;
  correlationId: string | null;
  userId: string | null;
  initiatingUserId: string | null;
  organizationId: string | null;
  /** ISO 8601. */
  operationCreatedOn: string | null;
  depth: number | null;
  /** 10 pre-validation, 20 pre-operation, 40 post-operation. */
  stage: number | null;
  mode: 'sync' | 'async' | null;
  /** The Target's attributes (Create/Update); `{}` for Delete, whose Target is only a reference. */
  row: CleanRow;
  /** The first pre/post image (null when none was registered); all of them by alias in preImages/postImages. */
  preImage: CleanRow | null;
  postImage: CleanRow | null;
  preImages: Record<string, CleanRow>;
  postImages: Record<string, CleanRow>;
  /** Update: the Target's attribute names (what was sent, plus what the platform set). Otherwise []. */
  changedColumns: string[];
  /** OutputParameters flattened (Create: `{ id }`). */
  outputs: Record<string, unknown>;
  /** True when Dataverse dropped InputParameters and images because the message exceeded 256 KB. */
  truncated: boolean;
  /** The parsed body as received. */
  raw: Record<string, unknown>;
}

export interface ParseOptions {
  /** Default 1 MB. */
  maxBytes?: number;
  /** Default 64. */
  maxDepth?: number;
}

const MAX_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;

function typeName(value: Record<string, unknown>): string {
  return typeof value.__type === 'string' ? value.__type.split(':')[0] : '';
}

/** Bracket depth of JSON text, strings skipped: checked before JSON.parse so deep input never reaches it. */
function textDepth(text: string, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) throw new WebhookPayloadError('tooDeep', `nesting deeper than ${max} levels.`);
    } else if (c === 125 || c === 93) depth--;
  }
}

/** Depth, cycles (reported as too deep) and forbidden keys of an already-parsed value, without recursion. */
function checkTree(root: unknown, max: number): void {
  const stack: [unknown, number][] = [[root, 0]];
  let nodes = 0;
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= max) throw new WebhookPayloadError('tooDeep', `nesting deeper than ${max} levels.`);
    if (++nodes > 1_000_000) throw new WebhookPayloadError('tooLarge', 'too many values.');
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth + 1]);
    } else {
      for (const key of Object.keys(value)) {
        if (FORBIDDEN.has(key)) throw new WebhookPayloadError('forbiddenKey', `the key '${key}' is not allowed.`);
        stack.push([(value as Record<string, unknown>)[key], depth + 1]);
      }
    }
  }
}

function isPair(value: unknown): value is { key: unknown; value?: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'key' in value;
}

function safeKey(key: unknown): string {
  const text = String(key);
  if (FORBIDDEN.has(text)) throw new WebhookPayloadError('forbiddenKey', `the key '${text}' is not allowed.`);
  return text;
}

/** A key/value array as an object (later keys win). */
function pairsToObject(list: unknown, what: string): Record<string, unknown> {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new WebhookPayloadError('wrongShape', `${what} must be an array of {key, value}.`);
  const out: Record<string, unknown> = {};
  for (const item of list) {
    if (!isPair(item)) throw new WebhookPayloadError('wrongShape', `${what} must be an array of {key, value}.`);
    out[safeKey(item.key)] = convert(item.value);
  }
  return out;
}

function isEntity(value: Record<string, unknown>): boolean {
  return typeName(value) === 'Entity' || (Array.isArray(value.Attributes) && 'LogicalName' in value);
}

function isReference(value: Record<string, unknown>): boolean {
  return typeName(value) === 'EntityReference' || (!('Attributes' in value) && typeof value.LogicalName === 'string' && typeof value.Id === 'string');
}

function reference(value: Record<string, unknown>): EntityReferenceValue {
  const ref: EntityReferenceValue = { id: String(value.Id ?? '').toLowerCase(), table: String(value.LogicalName ?? '') };
  if (typeof value.Name === 'string') ref.name = value.Name;
  return ref;
}

function entityRow(value: unknown, what: string): CleanRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new WebhookPayloadError('wrongShape', `${what} must be an entity.`);
  return pairsToObject((value as Record<string, unknown>).Attributes, `${what}.Attributes`);
}

function convert(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const m = DATE.exec(value);
    if (m) {
      const date = new Date(Number(m[1]));
      return Number.isNaN(date.getTime()) ? value : date.toISOString();
    }
    return value;
  }
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isPair)) return pairsToObject(value, 'a key/value list');
    return value.map(convert);
  }
  const obj = value as Record<string, unknown>;
  switch (typeName(obj)) {
    case 'OptionSetValue':
    case 'Money':
      return typeof obj.Value === 'number' ? obj.Value : obj.Value === null || obj.Value === undefined ? null : Number(obj.Value);
    case 'OptionSetValueCollection':
      return Array.isArray(obj.Value) ? obj.Value.map(convert) : [];
    case 'EntityCollection':
      return Array.isArray(obj.Entities) ? obj.Entities.map((e, i) => entityRow(e, `Entities[${i}]`)) : [];
  }
  if (isEntity(obj)) return entityRow(obj, 'entity');
  if (isReference(obj)) return reference(obj);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== '__type') out[safeKey(k)] = convert(v);
  return out;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function imagesOf(list: unknown, what: string): Record<string, CleanRow> {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw new WebhookPayloadError('wrongShape', `${what} must be an array of {key, value}.`);
  const out: Record<string, CleanRow> = {};
  for (const item of list) {
    if (!isPair(item)) throw new WebhookPayloadError('wrongShape', `${what} must be an array of {key, value}.`);
    out[safeKey(item.key)] = entityRow(item.value, `${what}['${String(item.key)}']`);
  }
  return out;
}

function toObject(body: unknown, options: ParseOptions): Record<string, unknown> {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const maxDepth = options.maxDepth ?? MAX_DEPTH;
  let parsed: unknown;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    if (size > maxBytes) throw new WebhookPayloadError('tooLarge', `${size} bytes, more than the ${maxBytes} allowed.`);
    const textBody = typeof body === 'string' ? body : body.toString('utf8');
    textDepth(textBody, maxDepth);
    try {
      parsed = JSON.parse(textBody.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new WebhookPayloadError('notJson', `the body is not JSON (${(e as Error).message}).`);
    }
  } else {
    parsed = body;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new WebhookPayloadError('wrongShape', 'the body must be a JSON object (a RemoteExecutionContext).');
  checkTree(parsed, maxDepth);
  return parsed as Record<string, unknown>;
}

export function parseRemoteExecutionContext(body: string | Buffer | object, options: ParseOptions = {}): ParsedExecutionContext {
  const raw = toObject(body, options);
  const message = raw.MessageName;
  const table = raw.PrimaryEntityName;
  const rowId = raw.PrimaryEntityId;
  if (typeof message !== 'string' || !message) throw new WebhookPayloadError('wrongShape', 'MessageName is missing: this is not a RemoteExecutionContext.');
  if (typeof table !== 'string' || !table) throw new WebhookPayloadError('wrongShape', 'PrimaryEntityName is missing: this is not a RemoteExecutionContext.');
  if (typeof rowId !== 'string') throw new WebhookPayloadError('wrongShape', 'PrimaryEntityId is missing: this is not a RemoteExecutionContext.');

  const truncated = !('InputParameters' in raw);
  const inputs = raw.InputParameters === undefined || raw.InputParameters === null ? [] : raw.InputParameters;
  if (!Array.isArray(inputs) || !inputs.every(isPair)) throw new WebhookPayloadError('wrongShape', 'InputParameters must be an array of {key, value}.');
  const targetPair = inputs.find((p) => p.key === 'Target');
  const target = targetPair?.value;
  let row: CleanRow = {};
  let changedColumns: string[] = [];
  if (typeof target === 'object' && target !== null && !Array.isArray(target) && isEntity(target as Record<string, unknown>)) {
    row = entityRow(target, 'Target');
    if (message === 'Update') changedColumns = Object.keys(row);
  } else if (target !== undefined && target !== null && (typeof target !== 'object' || Array.isArray(target))) {
    throw new WebhookPayloadError('wrongShape', 'the Target parameter must be an entity or an entity reference.');
  }
  const preImages = imagesOf(raw.PreEntityImages, 'PreEntityImages');
  const postImages = imagesOf(raw.PostEntityImages, 'PostEntityImages');
  const first = (images: Record<string, CleanRow>) => Object.values(images)[0] ?? null;
  const created = typeof raw.OperationCreatedOn === 'string' ? convert(raw.OperationCreatedOn) : null;
  const mode = raw.Mode === 0 ? 'sync' : raw.Mode === 1 ? 'async' : null;
  return {
    message,
    table,
    rowId: rowId.toLowerCase(),
    correlationId: text(raw.CorrelationId),
    userId: text(raw.UserId),
    initiatingUserId: text(raw.InitiatingUserId),
    organizationId: text(raw.OrganizationId),
    operationCreatedOn: typeof created === 'string' && created !== raw.OperationCreatedOn ? created : null,
    depth: typeof raw.Depth === 'number' ? raw.Depth : null,
    stage: typeof raw.Stage === 'number' ? raw.Stage : null,
    mode,
    row,
    preImage: first(preImages),
    postImage: first(postImages),
    preImages,
    postImages,
    changedColumns,
    outputs: pairsToObject(raw.OutputParameters, 'OutputParameters'),
    truncated,
    raw,
  };
}
