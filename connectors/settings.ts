/**
 * settings.json of the paconn CLI: the argument store that lets `paconn create --settings settings.json` (and
 * `paconn update`) find the files. Not part of the connector itself; connectorId and environment are filled in by
 * the person importing it (paconn writes connectorId back after `create`).
 */
import type { PaconnSettings } from './types';

/** The file names of a connector folder, as paconn and `pac connector` expect them. */
export const CONNECTOR_FILES = Object.freeze({
  apiDefinition: 'apiDefinition.swagger.json',
  apiProperties: 'apiProperties.json',
  settings: 'settings.json',
  icon: 'icon.png',
  runbook: 'RUNBOOK.md',
});

export interface SettingsInput {
  /** The Power Platform environment id (GUID) to import into; left out when unknown. */
  environment?: string;
  /** The id of an existing custom connector, for `paconn update`; left out for `paconn create`. */
  connectorId?: string;
  /** The package has custom code: paconn uploads the file `script` names. */
  script?: boolean;
}

/** The custom code file, written only when an operation needs it. */
export const SCRIPT_FILE = 'script.csx';

/**
 * Only keys the paconn settings schema allows (it is `additionalProperties: false`), plus `script`, which paconn
 * reads although its schema lacks it, when the package has custom code.
 */
export function settingsFor(input: SettingsInput = {}): PaconnSettings {
  const settings: PaconnSettings = {
    apiProperties: CONNECTOR_FILES.apiProperties,
    apiDefinition: CONNECTOR_FILES.apiDefinition,
    icon: CONNECTOR_FILES.icon,
    powerAppsApiVersion: '2016-11-01',
    powerAppsUrl: 'https://api.powerapps.com',
  };
  if (input.connectorId) settings.connectorId = input.connectorId;
  if (input.environment) settings.environment = input.environment;
  if (input.script) settings.script = SCRIPT_FILE;
  return settings;
}
