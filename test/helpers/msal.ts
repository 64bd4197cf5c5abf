/** MSAL confidential clients for tests: a network client that trusts a test CA per request and records each call. */
import { ConfidentialClientApplication, LogLevel, type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { flatHeaders, httpsRequest } from './emulator';

/** MSAL's network client trusting `ca.caCertPem` per request (no NODE_EXTRA_CA_CERTS swap); `urls` holds `METHOD url`. */
export class CaTrustingNetworkClient implements INetworkModule {
  readonly urls: string[] = [];
  constructor(private readonly ca: { caCertPem: string }) {}
  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }
  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }
  /** `METHOD /path` of each request. */
  paths(): string[] {
    return this.urls.map((line) => {
      const [method, url] = line.split(' ');
      return `${method} ${new URL(url).pathname}`;
    });
  }
  private async send<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    this.urls.push(`${method} ${url}`);
    const res = await httpsRequest(this.ca, method, url, { headers: options?.headers, body: options?.body });
    return { status: res.status, headers: flatHeaders(res.headers), body: res.json as T };
  }
}

/** A ConfidentialClientApplication whose requests go through a CaTrustingNetworkClient; errors only in its log. */
export function msalApp(ca: { caCertPem: string }, auth: Configuration['auth']) {
  const networkClient = new CaTrustingNetworkClient(ca);
  const app = new ConfidentialClientApplication({
    auth,
    system: { networkClient, loggerOptions: { logLevel: LogLevel.Error, loggerCallback: () => undefined, piiLoggingEnabled: false } },
  });
  return { app, networkClient };
}
