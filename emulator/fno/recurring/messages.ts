/**
 * Recurring data jobs and their messages. An import job's message is a file or package a client enqueued; an
 * export job's message is a package the job produced. A message's status follows the Data management execution
 * behind it, then the dequeue/ack handshake: a dequeued message that is not acknowledged within 30 minutes
 * becomes visible again, with a new pop receipt.
 */
import { randomUUID } from 'node:crypto';

export type MessageStatus =
  | 'Enqueued' | 'Dequeued' | 'Downloaded' | 'Acked' | 'Processing' | 'Processed' | 'ProcessedWithErrors'
  | 'PostProcessingError' | 'PreProcessingError' | 'PreProcessing';

export interface RecurringJob {
  /** Upper-case GUID without braces. */
  activityId: string;
  direction: 'import' | 'export';
  definitionGroupId: string;
  /** Legal entity used when a request names none. */
  company: string;
  /** Export jobs: the least time between two packages (the job's recurrence). */
  recurrenceMs: number;
  lastRunAt?: number;
}

export interface RecurringMessage {
  /** `{GUID}`, upper case. */
  id: string;
  activityId: string;
  direction: 'import' | 'export';
  executionId: string;
  externalId: string;
  company: string;
  entity?: string;
  enqueuedAt: number;
  /** Dequeue handshake (export messages). */
  popReceipt?: string;
  dequeuedAt?: number;
  lastDequeuedAt?: number;
  downloaded?: boolean;
  acked?: boolean;
}

/** Un-acknowledged messages reappear after this long (documented: 30 minutes). */
export const VISIBILITY_TIMEOUT_MS = 30 * 60 * 1000;

export const braceGuid = () => `{${randomUUID().toUpperCase()}}`;

const GUID = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** The bare upper-case GUID of an id written with or without braces or quotes, or undefined. */
export function normalizeGuid(raw: string): string | undefined {
  const match = GUID.exec(raw.trim().replace(/^"|"$/g, ''));
  return match ? match[1].toUpperCase() : undefined;
}
