/** Recurring integrations (/api/connector/*) for the F&O emulator, on the service's Data management. */
import type { FnoExtension, FnoExtensionFactory } from '../context';
import { dataManagementOf } from '../dmf/shared';
import { recurringEndpoints } from './handler';
import { RecurringIntegrations, type RecurringOptions } from './runtime';

export { RecurringIntegrations } from './runtime';
export type { RecurringJobDefinition, RecurringOptions } from './runtime';

export interface RecurringIntegrationsExtension extends FnoExtension {
  name: 'recurring-integrations';
  runtime: RecurringIntegrations;
}

export function recurringIntegrationsExtension(options: RecurringOptions = {}): FnoExtensionFactory {
  return (service): RecurringIntegrationsExtension => {
    const runtime = new RecurringIntegrations(service, dataManagementOf(service), options);
    return { name: 'recurring-integrations', runtime, handlers: [recurringEndpoints(runtime)] };
  };
}
