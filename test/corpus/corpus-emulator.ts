/**
 * The emulator the corpus suites attack: its client secret is the canary, the client signs in with it through
 * client/auth (MSAL), and every event of the pipeline is kept so that tests can search them for secrets.
 * `tamper` sits between the pipeline and the real HTTPS transport and plays a hostile or broken service.
 */
import { createTokenProvider, clearSharedTokenCaches, type TokenProvider } from '../../client/auth';
import { DataverseClient } from '../../client/dataverse';
import { createNodeTransport, createPipeline, type Pipeline } from '../../client/http';
import type { ClientEvent, HttpRequest, HttpResponse } from '../../client/http/types';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import { CANARY_SECRET } from './corpus-kit';

export type Tamper = (response: HttpResponse) => HttpResponse;

export interface CorpusClient {
  client: DataverseClient;
  tokens: TokenProvider;
  events: ClientEvent[];
  /** Every request that reached the transport (after host pinning), in order. */
  requests: HttpRequest[];
  close(): void;
}

export async function startCorpusEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ limits: 'off', clientSecret: CANARY_SECRET, ...options });
}

/** A client of `emulator` whose answers go through `tamper` (when it returns something else than it was given). */
export function corpusClient(emulator: RunningEmulator, options: { tamper?: Tamper; tokens?: TokenProvider } = {}): CorpusClient {
  clearSharedTokenCaches();
  const events: ClientEvent[] = [];
  const requests: HttpRequest[] = [];
  const tokens =
    options.tokens ??
    createTokenProvider({
      kind: 'secret',
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      authorityUrl: emulator.authorityUrl,
      resource: emulator.dataverseUrl,
      ca: emulator.caCertPem,
      events: (e) => events.push(e),
    });
  const real = createNodeTransport({ ca: emulator.caCertPem });
  const pipeline: Pipeline = createPipeline({
    environmentUrl: emulator.dataverseUrl,
    tokenProvider: tokens,
    events: (e) => events.push(e),
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, timeBudgetMs: 10_000 },
    transport: async (request) => {
      requests.push(request);
      const response = await real(request);
      return options.tamper ? options.tamper(response) : response;
    },
  });
  const client = new DataverseClient({ environmentUrl: emulator.dataverseUrl, send: pipeline.send });
  return { client, tokens, events, requests, close: () => {
      pipeline.close();
      real.close();
    },
  };
}
