/**
 * Features mounted on every F&O listener (Data Management, recurring integrations, business events), each built
 * from the shared FnoService. startEmulator({ fno: { extensions } }) adds more; an added extension with the name of
 * a built-in one replaces it (a test configuring its own business events must not get every event twice).
 */
import type { FnoExtensionFactory } from './context';
import { dataManagementExtension } from './dmf';
import { businessEventsExtension } from './events';
import { recurringIntegrationsExtension } from './recurring';

export interface BuiltInFnoExtension {
  name: string;
  factory(): FnoExtensionFactory;
}

export const BUILT_IN_FNO_EXTENSIONS: readonly BuiltInFnoExtension[] = [
  { name: 'data-management', factory: () => dataManagementExtension() },
  { name: 'recurring-integrations', factory: () => recurringIntegrationsExtension() },
  { name: 'business-events', factory: () => businessEventsExtension() },
];
