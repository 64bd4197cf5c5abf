/** Shared by the dataverse-*.test.ts suites: an emulator, a real pipeline with an app token, and a DataverseClient. */
import { DataverseClient } from '../../client/dataverse';
import { createPipeline, type Pipeline } from '../../client/http/pipeline';
import type { HttpRequest, HttpResponse } from '../../client/http/types';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import { appToken } from '../helpers/emulator';
import { useFixture } from '../helpers/fixture';

export interface DataverseFixture {
  emulator: RunningEmulator;
  pipeline: Pipeline;
  client: DataverseClient;
  /** Every request the client handed to send, in order (cleared by tests as they like). */
  sent: HttpRequest[];
  stop(): Promise<void>;
}

export async function startDataverse(options: EmulatorOptions = {}): Promise<DataverseFixture> {
  const emulator = await startEmulator({ limits: 'off', ...options });
  const token = await appToken(emulator);
  const pipeline = createPipeline({
    environmentUrl: emulator.dataverseUrl,
    ca: emulator.caCertPem,
    tokenProvider: { getToken: async () => ({ token, expiresOnMs: Date.now() + 3_600_000 }), invalidate: () => undefined },
    retry: { maxAttempts: 1 },
  });
  const sent: HttpRequest[] = [];
  const send = (request: HttpRequest): Promise<HttpResponse> => {
    sent.push(request);
    return pipeline.send(request);
  };
  const client = new DataverseClient({ environmentUrl: emulator.dataverseUrl, send });
  return {
    emulator,
    pipeline,
    client,
    sent,
    stop: async () => {
      pipeline.close();
      await emulator.stop();
    },
  };
}

/** One fixture for the file (or enclosing describe), stopped after it. */
export function useDataverse(options: EmulatorOptions = {}): DataverseFixture {
  return useFixture(() => startDataverse(options), (fixture) => fixture.stop());
}
