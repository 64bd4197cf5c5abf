/**
 * The Finance & Operations environment of the emulator: its own HTTPS origin on 127.0.0.1 (so host pinning and
 * token audiences are realistic), the /data OData service, custom services and the mounted extensions.
 */
import type { Entra } from '../entra';
import type { FaultInjector } from '../faults';
import type { LimitsConfig } from '../limits';
import { startServer } from '../server';
import type { FnoExtension, FnoExtensionFactory, FnoService } from './context';
import { BUILT_IN_FNO_EXTENSIONS } from './extensions';
import { openFnoPersistence } from './persistence';
import { createFnoPipeline } from './pipeline';
import { createFnoService, type FnoSeed } from './service';
import { createFnoThrottling, type FnoPriority, type FnoThrottling } from './throttling';

export * from './context';
export { fnoErrorResponse, fnoErrorBody } from './errors';
export { etagOf } from './store';
export type { FnoPriority, FnoThrottling } from './throttling';
export type { FnoSeed } from './service';

export interface FnoOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Any F&O CSDL (e.g. the synthetic 3,000-entity model of scripts/bench/synthetic-csdl.ts); default: emulator/fno/model/fno.xml. */
  metadataFile?: string;
  seed?: FnoSeed;
  /** The user's default company (default usmf). */
  defaultCompany?: string;
  /** Fault spec for the F&O listener (default: the emulator's `faults`). */
  faults?: string;
  /** Throttling priority per Entra client id or user object id (default Medium). */
  priorities?: Record<string, FnoPriority>;
  /** Retry-After of priority-based 429s (default 30). */
  priorityRetryAfterSeconds?: number;
  /** Extra features mounted on the listener, after the built-in ones; one named like a built-in replaces it. */
  extensions?: FnoExtensionFactory[];
  /** Mount Data Management, recurring integrations and business events (default true). */
  builtInExtensions?: boolean;
}

export interface RunningFno {
  url: string;
  port: number;
  service: FnoService;
  throttling: FnoThrottling;
  faults: FaultInjector;
  extensions: readonly FnoExtension[];
  close(): Promise<void>;
}

export interface FnoListenerOptions extends FnoOptions {
  key: string;
  cert: string;
  maxBodyBytes: number;
  limits: 'real' | 'test' | 'off' | LimitsConfig;
  faultInjector: FaultInjector;
  sampleData: boolean;
  now: () => number;
  entra: Entra;
  /** Object ids of the registered callers (the sandbox application user and the sample user). */
  registeredIds: string[];
  /** Keep the rows in this directory (fno-rows.json), as the Dataverse rows are kept there. */
  dataDir?: string;
}

export async function startFnoListener(options: FnoListenerOptions): Promise<RunningFno> {
  const service = createFnoService({
    metadataFile: options.metadataFile,
    seed: options.seed,
    sampleData: options.sampleData,
    defaultCompany: options.defaultCompany,
    now: options.now,
  });
  const persistence = options.dataDir ? await openFnoPersistence(options.dataDir, service.store) : undefined;
  await persistence?.flush();
  const throttling = createFnoThrottling({
    limits: options.limits,
    priorities: options.priorities,
    retryAfterSeconds: options.priorityRetryAfterSeconds,
    now: options.now,
  });
  const extensions: FnoExtension[] = [];
  const registered = new Set(options.registeredIds);
  const late: { pipeline?: ReturnType<typeof createFnoPipeline> } = {};
  const running = await startServer({
    port: options.port ?? 0,
    key: options.key,
    cert: options.cert,
    maxBodyBytes: options.maxBodyBytes,
    refuseBeforeBody: (req) => late.pipeline!.refuseBeforeBody(req),
    handler: (req) => late.pipeline!(req),
    onError: (e) => process.stderr.write(`emulator (F&O): unexpected error: ${e.stack ?? e.message}\n`),
  });
  service.origin = running.origin;
  late.pipeline = createFnoPipeline({
    service,
    tokens: options.entra,
    throttling,
    faults: options.faultInjector,
    extensions: () => extensions,
    isRegistered: (id) => registered.has(id),
    challenge: options.entra.bearerChallenge(running.origin),
    authorizationUri: `${options.entra.authority}/oauth2/authorize`,
    afterWrite: () => persistence?.flush() ?? Promise.resolve(),
  });
  // Extensions see the final origin, so URLs they hand out (blob SAS URLs, download locations) point here.
  try {
    const added = (options.extensions ?? []).map((factory) => factory(service));
    const replaced = new Set(added.map((extension) => extension.name));
    const builtIns = options.builtInExtensions === false ? [] : BUILT_IN_FNO_EXTENSIONS;
    for (const builtIn of builtIns) if (!replaced.has(builtIn.name)) extensions.push(builtIn.factory()(service));
    extensions.push(...added);
  } catch (e) {
    await running.close();
    throw e;
  }
  return {
    url: `${running.origin}/`,
    port: running.port,
    service,
    throttling,
    faults: options.faultInjector,
    extensions,
    close: async () => {
      for (const extension of extensions) await extension.close?.();
      await running.close();
      await persistence?.flush();
    },
  };
}
