/** Finance and Operations specifics of the generator: the dynamic document, typed additions and the business event trigger. */
export { buildFnoDynamicDocument, GET_ENTITY_SETS, FNO_NAMESPACE } from './dynamic';
export { addFnoTypedExtras } from './typed-extras';
export {
  addBusinessEventTrigger,
  businessEventTriggerOperations,
  BUSINESS_EVENT_TRIGGER_SUMMARY,
  SUBSCRIBE_BUSINESS_EVENT,
  UNSUBSCRIBE_BUSINESS_EVENT,
  ENDPOINTS_PATH,
  ENDPOINT_PATH,
} from './business-event-trigger';
export { ENDPOINT_NAME_PREFIX } from './business-event-script';
export { businessEventEnvelopeSchema } from './business-event-schema';
export { businessEventRunbookLines } from './runbook';
export { CROSS_COMPANY, SKIP } from './parameters';
