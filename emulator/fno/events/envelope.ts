/**
 * The business event payload: the data contract as flat JSON, the BusinessEventsContract envelope fields and the
 * event's own fields at one level, keys in alphabetical order as F&O serializes them. Formats follow real payloads:
 * EventId an upper-case GUID without braces, EventTime a WCF date, EventTimeIso8601 with 7 fractional digits,
 * InitiatingUserAADObjectId an upper-case GUID in braces, ControlNumber increasing but not gap-free.
 */
import { randomInt, randomUUID } from 'node:crypto';

export const ENVELOPE_FIELDS = [
  'BusinessEventId', 'BusinessEventLegalEntity', 'ContextRecordSubject', 'ControlNumber', 'EventId', 'EventTime',
  'EventTimeIso8601', 'InitiatingUserAADObjectId', 'MajorVersion', 'MinorVersion', 'ParentContextRecordSubjects',
] as const;

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

/** F&O hands out control numbers from a RecId-like sequence; several events can share a block, hence gaps. */
export class ControlNumbers {
  private last = 5637144576 + randomInt(0, 500_000);

  next(): number {
    this.last += randomInt(1, 4);
    return this.last;
  }
}

export interface EnvelopeInput {
  businessEventId: string;
  legalEntity: string;
  controlNumber: number;
  time: Date;
  /** Object id of the user whose action raised the event; empty when unknown. */
  userId?: string;
  majorVersion?: number;
  minorVersion?: number;
  contextRecordSubject?: string;
  fields?: Record<string, unknown>;
}

export function wcfDate(time: Date): string {
  return `/Date(${time.getTime()})/`;
}

export function iso8601Ticks(time: Date): string {
  return time.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function buildEnvelope(input: EnvelopeInput): Record<string, unknown> {
  const user = /^[0-9a-f-]{36}$/i.test(input.userId ?? '') ? input.userId! : EMPTY_GUID;
  const payload: Record<string, unknown> = {
    ...(input.fields ?? {}),
    BusinessEventId: input.businessEventId,
    BusinessEventLegalEntity: input.legalEntity.toUpperCase(),
    ContextRecordSubject: input.contextRecordSubject ?? '',
    ControlNumber: input.controlNumber,
    EventId: randomUUID().toUpperCase(),
    EventTime: wcfDate(input.time),
    EventTimeIso8601: iso8601Ticks(input.time),
    InitiatingUserAADObjectId: `{${user.toUpperCase()}}`,
    MajorVersion: input.majorVersion ?? 0,
    MinorVersion: input.minorVersion ?? 0,
    ParentContextRecordSubjects: [],
  };
  return Object.fromEntries(Object.keys(payload).sort(byName).map((k) => [k, payload[k]]));
}

function byName(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : 1;
}
