/**
 * A business event payload as F&O posts it (reference: the data contract as flat JSON, the BusinessEventsContract
 * envelope fields beside the event's own fields) read into a clean item: WCF dates as ISO strings, F&O's empty
 * date (1900-01-01) as null, the initiating user as a bare lower-case GUID. The bytes are checked before parsing
 * (size, nesting depth, key count), so an oversize or hostile body is refused without building it.
 */
import type { IDataObject } from 'n8n-workflow';

/** F&O business event payloads are a few KB; Service Bus, their largest channel, stops at 256 KB. */
export const MAX_EVENT_BYTES = 512 * 1024;
const MAX_DEPTH = 32;
const MAX_KEYS = 10_000;

const ENVELOPE_FIELDS = new Set([
  'BusinessEventId', 'BusinessEventLegalEntity', 'ContextRecordSubject', 'ControlNumber', 'EventId', 'EventTime',
  'EventTimeIso8601', 'InitiatingUserAADObjectId', 'MajorVersion', 'MinorVersion', 'ParentContextRecordSubjects',
]);
const NOT_JSON = Symbol('not JSON');
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const WCF_DATE = /^\/Date\((-?\d{1,15})(?:[+-]\d{4})?\)\/$/;
/** F&O's "no date": 1900-01-01T00:00:00Z. */
const EMPTY_DATE_MS = -2208988800000;
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

export type EnvelopeProblem = 'tooLarge' | 'notJson' | 'tooDeep' | 'wrongShape';

export class EnvelopeError extends Error {
  constructor(
    message: string,
    readonly reason: EnvelopeProblem,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

export interface BusinessEvent {
  businessEventId: string;
  /** dataAreaId in upper case, as F&O sends it. */
  legalEntity: string;
  eventId: string;
  controlNumber: number | string;
  eventTime: string | null;
  initiatingUserId: string | null;
  contextRecordSubject: string;
  parentContextRecordSubjects: unknown[];
  majorVersion: number | null;
  minorVersion: number | null;
  /** The event's own contract fields, WCF dates converted. */
  data: IDataObject;
  raw: IDataObject;
}

/** Counts depth and keys over the JSON text, outside strings, so a deep or wide body is refused before parsing. */
function checkStructure(text: string): void {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) throw new EnvelopeError(`The event nests deeper than ${MAX_DEPTH} levels.`, 'tooDeep');
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x3a && ++keys > MAX_KEYS) throw new EnvelopeError(`The event has more than ${MAX_KEYS} fields.`, 'tooDeep');
  }
}

function parseBody(body: Buffer | unknown): unknown {
  if (!Buffer.isBuffer(body)) {
    // Already parsed by n8n: measure it the way it would have arrived.
    const text = JSON.stringify(body ?? null);
    if (Buffer.byteLength(text) > MAX_EVENT_BYTES) throw new EnvelopeError(`The event is larger than ${MAX_EVENT_BYTES} bytes.`, 'tooLarge');
    return parseBody(Buffer.from(text));
  }
  if (body.length > MAX_EVENT_BYTES) throw new EnvelopeError(`The event is larger than ${MAX_EVENT_BYTES} bytes.`, 'tooLarge');
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  checkStructure(text);
  let parsed: unknown = NOT_JSON;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => (UNSAFE_KEYS.has(key) ? undefined : value));
  } catch {
    // Reported below, with the node's own wording.
  }
  if (parsed === NOT_JSON) throw new EnvelopeError('The event is not valid JSON.', 'notJson');
  return parsed;
}

/** `/Date(1672408275000)/` → ISO; F&O's empty date → null; anything else unchanged. */
export function wcfToIso(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = WCF_DATE.exec(value);
  if (!match) return value;
  const ms = Number(match[1]);
  if (ms === EMPTY_DATE_MS) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

function convertDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convertDates);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertDates(v)]));
  return wcfToIso(value);
}

function requiredText(payload: Record<string, unknown>, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string' || value.trim() === '') throw new EnvelopeError(`The event has no ${field}: it is not a business event.`, 'wrongShape');
  return value.trim();
}

function controlNumberOf(value: unknown): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  // An int64 beyond 2^53 may arrive as text; keep it exact.
  if (typeof value === 'string' && /^\d{1,19}$/.test(value)) return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  throw new EnvelopeError('The event has no valid ControlNumber (a non-negative integer).', 'wrongShape');
}

function eventTimeOf(payload: Record<string, unknown>): string | null {
  const fromWcf = wcfToIso(payload.EventTime);
  if (typeof fromWcf === 'string' && fromWcf !== payload.EventTime) return fromWcf;
  if (typeof payload.EventTimeIso8601 === 'string') {
    const date = new Date(payload.EventTimeIso8601);
    if (!Number.isNaN(date.getTime()) && date.getTime() !== EMPTY_DATE_MS) return date.toISOString();
  }
  return null;
}

function userOf(value: unknown): string | null {
  const match = typeof value === 'string' ? GUID.exec(value.trim()) : null;
  const id = match?.[1].toLowerCase();
  return id && id !== EMPTY_GUID ? id : null;
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

/** Reads one business event from the request bytes (or n8n's parsed body); throws EnvelopeError when it is not one. */
export function parseBusinessEvent(body: Buffer | unknown): BusinessEvent {
  const payload = parseBody(body);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new EnvelopeError('The event must be a JSON object.', 'wrongShape');
  const raw = payload as Record<string, unknown>;
  const data: IDataObject = {};
  for (const [key, value] of Object.entries(raw)) if (!ENVELOPE_FIELDS.has(key)) data[key] = convertDates(value) as IDataObject[keyof IDataObject];
  return {
    businessEventId: requiredText(raw, 'BusinessEventId'),
    legalEntity: typeof raw.BusinessEventLegalEntity === 'string' ? raw.BusinessEventLegalEntity.trim().toUpperCase() : '',
    eventId: requiredText(raw, 'EventId').replace(/^\{|\}$/g, '').toUpperCase(),
    controlNumber: controlNumberOf(raw.ControlNumber),
    eventTime: eventTimeOf(raw),
    initiatingUserId: userOf(raw.InitiatingUserAADObjectId),
    contextRecordSubject: typeof raw.ContextRecordSubject === 'string' ? raw.ContextRecordSubject : '',
    parentContextRecordSubjects: Array.isArray(raw.ParentContextRecordSubjects) ? raw.ParentContextRecordSubjects : [],
    majorVersion: integerOrNull(raw.MajorVersion),
    minorVersion: integerOrNull(raw.MinorVersion),
    data,
    raw: raw as IDataObject,
  };
}

/** The identities of an event: its EventId, and event + legal entity + ControlNumber (the documented idempotency key). */
export function eventKeys(event: BusinessEvent): string[] {
  return [`id:${event.eventId}`, `cn:${event.businessEventId.toLowerCase()}|${event.legalEntity}|${event.controlNumber}`];
}
