/**
 * n8n errors for the F&O node: besides the node's own input errors, the client codes below mean a bad argument, a
 * broken package, an unknown company, a job that outlived its time budget or a credential set up for another service,
 * so they are shown as input errors with what to do.
 */
import { nodeErrorConverter } from '../../shared/errors';

export { InputError } from '../../shared/errors';

const INPUT_CODES = new Set([
  'InvalidArgument',
  'InvalidPackage',
  'UnknownCompany',
  'TimeBudgetExceeded',
  'NotFinanceOperations',
  'InvalidEnvironmentUrl',
  'InvalidAuthConfiguration',
  'NoBlobTransport',
]);

const HINTS: Record<string, string> = {
  UnknownCompany: 'Pick a company from the list (legal entities of the environment) or leave it empty for the default company.',
  InvalidPackage: 'A data package is a ZIP with Manifest.xml, PackageHeader.xml and the data files the manifest names, as Data management exports it.',
  TimeBudgetExceeded: 'Raise the Time Budget option, or read the job later with Data Management > Get Job Status and its execution ID.',
};

export const toNodeError = nodeErrorConverter({ service: 'Finance & Operations', inputCodes: INPUT_CODES, hints: HINTS });
