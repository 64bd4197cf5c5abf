/** Options every token provider takes, whatever the credential. */
import type { INetworkModule } from '@azure/msal-node';
import type { EventSink } from '../http/types';
import type { HttpsNetworkClientOptions } from './network-client';

export type AuthLogLevel = 'error' | 'warning' | 'info' | 'verbose';

/** One line of MSAL's (or this module's) diagnostics, with credentials already removed. */
export interface AuthLogEntry {
  level: AuthLogLevel;
  message: string;
  source: 'msal' | 'auth';
}

export interface ProviderOptions {
  /** Environment URL (Dataverse or Finance & Operations): the token audience. Any path is ignored. */
  resource: string;
  /** Receives `{ type: 'refresh', resource, reason }` whenever a token is fetched. */
  events?: EventSink;
  /** Renew this long before expiry (default 5 minutes; halved lifetimes for tokens shorter than two margins). */
  refreshMarginMs?: number;
  /** Diagnostics (MSAL's log at logLevel and failed background refreshes); never contains a credential. */
  log?: (entry: AuthLogEntry) => void;
  /** Lowest MSAL level passed to log (default 'warning'). */
  logLevel?: AuthLogLevel;
}

/** How token requests reach Entra ID: a client of your own, or the built-in HTTPS client's settings. */
export interface NetworkOptions extends HttpsNetworkClientOptions {
  /** MSAL-shaped client used for every token request (tests wrap one to count requests). */
  networkClient?: INetworkModule;
}
