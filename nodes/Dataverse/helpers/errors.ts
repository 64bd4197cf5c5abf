import { nodeErrorConverter } from '../../shared/errors';

export { InputError } from '../../shared/errors';

/** n8n error for a failure on one item: NodeApiError with the Dataverse code and message (never a token). */
export const toNodeError = nodeErrorConverter({ service: 'Dataverse' });
