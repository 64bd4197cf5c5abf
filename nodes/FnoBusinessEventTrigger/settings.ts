/** The node's settings as the hooks and the webhook read them, checked once here. */
import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { InputError } from '../shared/errors';
import { knownSecrets } from './state';

/** automatic: the node creates the endpoint and activation through OData; manual: an administrator does, in F&O. */
export type SetupMode = 'automatic' | 'manual';

/** Shorter secrets are too easy to guess for a key that is the receiver's only protection. */
export const MIN_SECRET_LENGTH = 24;

type Source = Pick<IHookFunctions | IWebhookFunctions, 'getNodeParameter'>;

const EVENT_ID = /^[A-Za-z_][\w]{0,99}$/;
const LEGAL_ENTITY = /^[A-Za-z0-9_-]{0,8}$/;

export function chosenEvent(ctx: Source, mode: SetupMode): string {
  const value = String(ctx.getNodeParameter(mode === 'automatic' ? 'businessEvent' : 'businessEventId', '') ?? '').trim();
  if (!EVENT_ID.test(value)) {
    throw new InputError(
      value === '' ? 'Choose the business event that starts the workflow.' : `'${value}' is not a business event ID (its class name, like PurchaseOrderConfirmedBusinessEvent).`,
      'InvalidBusinessEvent',
    );
  }
  return value;
}

/** '' = every legal entity. */
export function chosenLegalEntity(ctx: Source): string {
  const value = String(ctx.getNodeParameter('legalEntity', '') ?? '').trim();
  if (!LEGAL_ENTITY.test(value)) throw new InputError(`'${value}' is not a legal entity (dataAreaId) like USMF; leave it empty for all.`, 'InvalidLegalEntity');
  return value.toLowerCase();
}

/** Manual setup: the secret an administrator puts in the endpoint URL, checked before the workflow goes active. */
export function manualSecret(ctx: Source): string {
  const secret = String(ctx.getNodeParameter('sharedSecret', '') ?? '').trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new InputError(`Shared Secret must be at least ${MIN_SECRET_LENGTH} characters (generate one, e.g. openssl rand -hex 32).`, 'WeakSecret');
  }
  if (!/^[A-Za-z0-9._~-]+$/.test(secret)) throw new InputError('Shared Secret may hold only letters, digits and . _ ~ - so that it fits in a URL unchanged.', 'InvalidSecret');
  return secret;
}

/** Automatic setup: the secrets the node generated; manual: the one given, when usable. */
export function expectedSecrets(mode: SetupMode, data: IDataObject, sharedSecret: string): string[] {
  if (mode === 'automatic') return knownSecrets(data);
  const secret = sharedSecret.trim();
  return secret.length >= MIN_SECRET_LENGTH ? [secret] : [];
}
