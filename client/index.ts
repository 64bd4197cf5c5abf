/** The shared Dataverse client: connect once, then read, write, batch, page and track changes. */
export { connectDataverse, connectFno, type DataverseConnection, type DataverseConnectionOptions, type FnoConnection, type FnoConnectionOptions } from './connect';
export * from './fno';
export * from './dataverse';
export { D365Error, type ServiceLimit } from './http/errors';
export type { ClientEvent, EventSink } from './http/types';
export { ConcurrencyLimiter, redact } from './http';
export { createTokenProvider, type TokenProvider, type TokenProviderOptions } from './auth';
export { filterBuilder, raw, buildQueryString, type ODataQuery as QueryOptions } from './odata';
export { parseCsdl, parseCsdlStream } from './metadata/csdl';
export { EntityDefinitions } from './metadata/entity-definitions';
