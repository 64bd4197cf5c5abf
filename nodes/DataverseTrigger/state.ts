/**
 * What the trigger keeps in the workflow's static data (per node): the registration it made, the secret Dataverse
 * sends back, a fingerprint of the settings it was made with, and the identities of recent deliveries.
 * n8n saves static data after activation, deactivation and each webhook call, so this survives restarts.
 */
import type { IDataObject } from 'n8n-workflow';

export interface TriggerState {
  serviceEndpointId?: string;
  secret?: string;
  /** Registration name and webhook URL: together they identify the endpoint even when the id was never saved. */
  name?: string;
  url?: string;
  /** Hash of table, events, columns and images: a changed setting means registering again. */
  fingerprint?: string;
  /** Most recent delivery keys, oldest first (bounded). */
  recentDeliveries?: string[];
}

/** How many delivery keys are remembered to drop replays and retries. */
export const RECENT_LIMIT = 200;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readState(data: IDataObject): TriggerState {
  return {
    serviceEndpointId: text(data.serviceEndpointId),
    secret: text(data.secret),
    name: text(data.name),
    url: text(data.url),
    fingerprint: text(data.fingerprint),
    recentDeliveries: Array.isArray(data.recentDeliveries) ? data.recentDeliveries.filter((k): k is string => typeof k === 'string') : [],
  };
}

/** Replaces the registration part of the static data (the object n8n observes must be mutated in place). */
export function writeRegistration(data: IDataObject, registration: Required<Pick<TriggerState, 'serviceEndpointId' | 'secret' | 'name' | 'url' | 'fingerprint'>>): void {
  Object.assign(data, registration);
}

export function clearState(data: IDataObject): void {
  for (const key of ['serviceEndpointId', 'secret', 'name', 'url', 'fingerprint', 'recentDeliveries']) delete data[key];
}
