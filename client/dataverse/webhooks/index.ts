/** Dataverse webhooks from the client side: register/unregister (serviceendpoint + steps, callbackregistration), parse, verify. */
export { registerWebhook, unregisterWebhook } from './register';
export { registerCallback, unregisterCallback, callbackMessage } from './callbacks';
export { parseRemoteExecutionContext, WebhookPayloadError, type EntityReferenceValue, type ParsedExecutionContext, type ParseOptions, type WebhookPayloadErrorReason, type CleanRow } from './parse';
export { verifyWebhookAuth, safeEqual, type IncomingWebhookRequest } from './verify';
export { authColumns, AUTH_TYPES } from './auth-value';
export type * from './types';
