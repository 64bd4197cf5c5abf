/** Business events for the F&O emulator: endpoint and activation setup under /data, delivery on row changes. */
import type { FnoExtension, FnoExtensionFactory } from '../context';
import { businessEventSetup } from './odata';
import { BusinessEvents, type BusinessEventOptions } from './runtime';

export { BusinessEvents } from './runtime';
export type { BusinessEventOptions, EventDeliveryRecord, EventFailure } from './runtime';
export { buildEnvelope } from './envelope';
export { runAs } from './acting-user';
export { EVENT_TRIGGERS } from './triggers';

export interface BusinessEventsExtension extends FnoExtension {
  name: 'business-events';
  runtime: BusinessEvents;
}

export function businessEventsExtension(options: BusinessEventOptions = {}): FnoExtensionFactory {
  return (service): BusinessEventsExtension => {
    const runtime = new BusinessEvents(service, options);
    return { name: 'business-events', runtime, handlers: [businessEventSetup(runtime)], close: () => runtime.close() };
  };
}
