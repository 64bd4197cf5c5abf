/** Shared by the auth tests: a network client that records every token request, and a WhoAmI call. */
import type { INetworkModule } from '@azure/msal-node';
import { createHttpsNetworkClient } from '../../client/auth';
import type { RunningEmulator } from '../../emulator';
import { httpsRequest } from '../helpers/emulator';

export interface RecordedRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: string;
}

export function recordingNetwork(emulator: RunningEmulator): { client: INetworkModule; requests: RecordedRequest[] } {
  const inner = createHttpsNetworkClient({ ca: emulator.caCertPem });
  const requests: RecordedRequest[] = [];
  const client: INetworkModule = {
    sendGetRequestAsync: (url, options, timeout) => {
      requests.push({ method: 'GET', url });
      return inner.sendGetRequestAsync(url, options, timeout);
    },
    sendPostRequestAsync: (url, options) => {
      requests.push({ method: 'POST', url, body: options?.body });
      return inner.sendPostRequestAsync(url, options);
    },
  };
  return { client, requests };
}

export async function whoAmI(emulator: RunningEmulator, token: string) {
  return httpsRequest(emulator, 'GET', `${emulator.dataverseUrl}api/data/v9.2/WhoAmI`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-version': '4.0' },
  });
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
