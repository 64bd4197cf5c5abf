/** Shared by the auth tests: the emulator's app for createTokenProvider, and a network client that records every token request. */
import type { INetworkModule } from '@azure/msal-node';
import { createHttpsNetworkClient } from '../../client/auth';
import type { RunningEmulator } from '../../emulator';

/** resource, authorityUrl and clientId of the emulator's sandbox app, for createTokenProvider. */
export function emulatorApp(emulator: RunningEmulator) {
  return { resource: emulator.dataverseUrl, authorityUrl: emulator.authorityUrl, clientId: emulator.clientId };
}

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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
