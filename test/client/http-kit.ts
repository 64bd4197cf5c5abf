/**
 * Shared by the client/http tests: an emulator, a minimal client-credentials TokenProvider (client/auth is written
 * separately) and a pipeline pointed at the emulator with fast retry settings.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import type { AccessToken, TokenProvider } from '../../client/auth/types';
import { createPipeline, type Pipeline, type PipelineOptions } from '../../client/http/pipeline';
import type { ClientEvent, HttpResponse } from '../../client/http/types';
import { httpsRequest } from '../helpers/emulator';
import { useFixture } from '../helpers/fixture';

export interface CountingTokenProvider extends TokenProvider {
  fetches: number;
  invalidations: number;
  lastToken?: string;
}

/** Client credentials against the emulator's Entra endpoint, cached until invalidated. */
export function emulatorTokenProvider(emulator: RunningEmulator): CountingTokenProvider {
  let cached: AccessToken | undefined;
  const provider: CountingTokenProvider = {
    fetches: 0,
    invalidations: 0,
    async getToken() {
      if (cached) return cached;
      provider.fetches++;
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: emulator.clientId,
        client_secret: emulator.clientSecret,
        scope: `${emulator.dataverseUrl}.default`,
      });
      const res = await httpsRequest(emulator, 'POST', `${emulator.authorityUrl}/oauth2/v2.0/token`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
      const body = JSON.parse(res.text) as { access_token: string; expires_in: number };
      cached = { token: body.access_token, expiresOnMs: Date.now() + body.expires_in * 1000 };
      provider.lastToken = cached.token;
      return cached;
    },
    invalidate() {
      provider.invalidations++;
      cached = undefined;
    },
  };
  return provider;
}

export interface HttpTestEnv {
  emulator: RunningEmulator;
  api: string;
  tokens: CountingTokenProvider;
  events: ClientEvent[];
  pipeline(options?: Partial<PipelineOptions>): Pipeline;
  /** Requests that reached the emulator's Web API with a valid token (each one asks the fault injector). */
  served(): number;
  stop(): Promise<void>;
}

/** Fast retries by default so tests stay short; each test can override. */
export const FAST_RETRY = { maxAttempts: 5, timeBudgetMs: 20_000, baseDelayMs: 20, maxDelayMs: 100 };

export async function startHttpTestEnv(options: EmulatorOptions = {}): Promise<HttpTestEnv> {
  const emulator = await startEmulator({ limits: 'off', ...options });
  const tokens = emulatorTokenProvider(emulator);
  const events: ClientEvent[] = [];
  const pipelines: Pipeline[] = [];
  return {
    emulator,
    api: `${emulator.dataverseUrl}api/data/v9.2/`,
    tokens,
    events,
    pipeline(overrides = {}) {
      const pipeline = createPipeline({
        environmentUrl: emulator.dataverseUrl,
        tokenProvider: tokens,
        ca: emulator.caCertPem,
        events: (e) => events.push(e),
        retry: FAST_RETRY,
        ...overrides,
      });
      pipelines.push(pipeline);
      return pipeline;
    },
    served: () => emulator.faults.stats().decisions,
    async stop() {
      for (const p of pipelines) p.close();
      await emulator.stop();
    },
  };
}

/** One env for the enclosing describe (or file), stopped after it; faults and events are cleared before each test. */
export function useHttpTestEnv(options: EmulatorOptions = {}): HttpTestEnv {
  const env = useFixture(() => startHttpTestEnv(options), (started) => started.stop());
  beforeEach(() => {
    env.emulator.faults.clear();
    env.events.length = 0;
  });
  return env;
}

export function json(response: HttpResponse): any {
  return JSON.parse(response.body.toString('utf8'));
}

/** Resolves with the rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
