/**
 * What the trigger keeps in the workflow's static data (per node): the endpoint and activation it made (automatic
 * setup), the secret in that endpoint's URL, a fingerprint of the settings they were made with, and the identities
 * of recent events. n8n saves static data after activation, deactivation and each webhook call.
 */
import type { IDataObject } from 'n8n-workflow';

export interface TriggerState {
  endpointName?: string;
  secret?: string;
  businessEventId?: string;
  /** '' = every legal entity. */
  legalEntity?: string;
  /** Hash of endpoint name, webhook URL, event and legal entity: a changed setting means registering again. */
  fingerprint?: string;
  /** Identities of recent events, oldest first (bounded). */
  recentEvents: string[];
}

/** Each event leaves two keys (EventId, and event + legal entity + ControlNumber): about 500 events remembered. */
export const RECENT_LIMIT = 1_000;

const REGISTRATION_KEYS = ['endpointName', 'secret', 'businessEventId', 'legalEntity', 'fingerprint'] as const;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function readState(data: IDataObject): TriggerState {
  return {
    endpointName: text(data.endpointName),
    secret: text(data.secret),
    businessEventId: text(data.businessEventId),
    legalEntity: typeof data.legalEntity === 'string' ? data.legalEntity : undefined,
    fingerprint: text(data.fingerprint),
    recentEvents: Array.isArray(data.recentEvents) ? data.recentEvents.filter((k): k is string => typeof k === 'string') : [],
  };
}

/** The object n8n observes must be changed in place. */
export function writeRegistration(data: IDataObject, registration: Required<Omit<TriggerState, 'recentEvents'>>): void {
  Object.assign(data, registration);
}

/** Forgets the registration; the recent events stay, so a replay after re-activation is still recognised. */
export function clearRegistration(data: IDataObject): void {
  for (const key of REGISTRATION_KEYS) delete data[key];
}

/**
 * Where a registration lives: the production one in the node's static data itself, the one made for the editor's
 * "Listen for test event" (n8n's test URL) beside it, so testing never replaces or reads the production endpoint.
 */
export function registrationSlot(data: IDataObject, test: boolean): IDataObject {
  if (!test) return data;
  if (typeof data.testRegistration !== 'object' || data.testRegistration === null || Array.isArray(data.testRegistration)) data.testRegistration = {};
  return data.testRegistration as IDataObject;
}

/** The secrets a request may carry: the production endpoint's and, while one exists, the test endpoint's. */
export function knownSecrets(data: IDataObject): string[] {
  const test = typeof data.testRegistration === 'object' && data.testRegistration !== null ? readState(data.testRegistration as IDataObject).secret : undefined;
  return [readState(data).secret, test].filter((s): s is string => s !== undefined);
}
