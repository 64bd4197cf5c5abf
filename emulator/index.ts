/**
 * startEmulator(): a Dataverse Web API and an Entra ID token service on one HTTPS port of 127.0.0.1, and a Finance &
 * Operations environment on a second port (its own origin and token audience), with a CA generated at start
 * (written to caCertFile for clients to trust).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCsdl } from '../client/metadata/csdl';
import { createDataverseRouter, API_PATH } from './dataverse/router';
import type { DataverseService } from './dataverse/context';
import { createDataversePipeline } from './dataverse/pipeline';
import { seedEnvironment } from './dataverse/sample-data';
import { DataverseSchema, SchemaSeed } from './dataverse/schema';
import { createEntra, Entra } from './entra';
import { createFaultInjector, FaultInjector } from './faults';
import { startFnoListener, type FnoOptions, type RunningFno } from './fno';
import { loadIdentity, SandboxIdentity } from './identity';
import { createServiceProtection, LimitsConfig } from './limits';
import { openDurableStore } from './store/durable-store';
import { TableStore } from './store/table-store';
import { startServer } from './server';
import { createCertificateAuthority, issueServerCertificate, IssuedCertificate, writeCaFile } from './tls';
import { createWebhooks, seedSdkMessages, WebhookOptions, WebhookRuntime } from './webhooks';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** A CSDL file; default: the model shipped with the package. */
  metadataFile?: string;
  limits?: 'real' | 'test' | 'off' | LimitsConfig;
  /** Fault spec, see emulator/faults/spec-parser.ts. */
  faults?: string;
  /** Persist rows here (atomic snapshot + fsynced journal); default: memory only. */
  dataDir?: string;
  /** Seed sample accounts, contacts, tasks… (default true; skipped when dataDir already holds data). */
  sampleData?: boolean;
  tokenLifetimeSeconds?: number;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Extra PEM certificates registered on the sandbox app (certificate credentials). */
  clientCertificates?: string[];
  maxBodyBytes?: number;
  /** Clock for tokens and rows (tests). */
  now?: () => number;
  /** Webhook delivery (callbacks go to loopback only): TLS trust, timeout, retry pause, queue and concurrency bounds. */
  webhooks?: WebhookOptions;
  /** The Finance & Operations environment on a second port (default true); its rows are kept in dataDir too. */
  fno?: boolean | FnoOptions;
}

export interface RunningEmulator {
  dataverseUrl: string;
  authorityUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caCertFile: string;
  caCertPem: string;
  port: number;
  identity: SandboxIdentity;
  entra: Entra;
  faults: FaultInjector;
  service: DataverseService;
  /** `https://127.0.0.1:PORT2/`: the F&O environment URL (token audience); undefined with `fno: false`. */
  fnoUrl?: string;
  fno?: RunningFno;
  webhooks: WebhookRuntime & {
    /** A server certificate for a local https receiver, signed by the emulator CA (trusted by default). */
    issueReceiverCertificate(hosts?: string[]): IssuedCertificate;
  };
  /** The JSON line printed when the emulator is ready (no private keys). */
  readyLine(): string;
  stop(): Promise<void>;
}

const MODEL_DIR = path.join(__dirname, 'model');

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  // Options that can be invalid (fault spec, limits) are checked first, before a temp dir or a port is taken.
  const faults = createFaultInjector(options.faults ?? { rules: [] });
  const fnoOptions: FnoOptions | undefined = options.fno === false ? undefined : options.fno === true || options.fno === undefined ? {} : options.fno;
  const fnoFaults = fnoOptions ? createFaultInjector(fnoOptions.faults ?? options.faults ?? { rules: [] }) : undefined;
  const protection = createServiceProtection(options.limits ?? 'real', now);
  const metadataXml = fs.readFileSync(options.metadataFile ?? path.join(MODEL_DIR, 'dataverse.xml'), 'utf8');
  const seed = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'dataverse-seed.json'), 'utf8')) as SchemaSeed;
  const schema = new DataverseSchema(parseCsdl(metadataXml), seed);
  // The data directory is locked before anything in it (identity, CA file) is written.
  const store = new TableStore();
  for (const table of schema.tables.values()) for (const key of table.alternateKeys) store.defineIndex(table.logicalName, key);
  const durable = options.dataDir ? await openDurableStore(options.dataDir, store, schema) : undefined;
  const identity = loadIdentity(options.dataDir, options);

  const ca = createCertificateAuthority();
  const server = issueServerCertificate(ca);
  const certDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'd365-emulator-'));
  // Bundled with any CA file the environment already trusts, so it can replace NODE_EXTRA_CA_CERTS for a child.
  const caCertFile = writeCaFile(certDir, ca, { appendBundleFile: process.env.NODE_EXTRA_CA_CERTS });

  if (!durable?.restored) {
    seedEnvironment(store, schema, {
      organizationId: identity.organizationId,
      organizationName: identity.organizationName,
      businessUnitId: identity.businessUnitId,
      users: [
        { id: identity.applicationUserId, fullname: 'Sandbox Integration', applicationId: identity.clientId },
        { id: identity.user.id, fullname: identity.user.displayName, domainname: identity.user.userPrincipalName },
      ],
    }, new Date(now()), options.sampleData !== false);
  }
  // Idempotent, so a data directory from before webhooks gains the SDK messages too.
  seedSdkMessages(store, schema, new Date(now()));
  if (!durable?.restored) await durable?.checkpoint();

  // The handlers are bound before the port is known; entra and the pipeline need the origin, so they arrive late.
  const late: { entra?: Entra; pipeline?: ReturnType<typeof createDataversePipeline> } = {};
  const service: DataverseService = {
    schema,
    store,
    serviceRoot: '',
    organizationId: identity.organizationId,
    organizationName: identity.organizationName,
    businessUnitId: identity.businessUnitId,
    now: () => new Date(now()),
    afterWrite: () => durable?.flush() ?? Promise.resolve(),
  };
  const webhooks = createWebhooks(service, { ...options.webhooks, emulatorCaPem: ca.caCertPem });
  service.webhooks = webhooks.hooks;
  const router = createDataverseRouter(service, metadataXml);

  const running = await startServer({
    port: options.port ?? 0,
    key: server.keyPem,
    cert: server.certPem,
    maxBodyBytes: options.maxBodyBytes ?? 128 * 1024 * 1024,
    refuseBeforeBody: (req) => (API_PATH.test(req.url.pathname) ? late.pipeline!.refuseBeforeBody(req) : undefined),
    handler: async (req) => {
      if (API_PATH.test(req.url.pathname)) return late.pipeline!(req);
      const response = await late.entra!.handle(req);
      return {
        response: response ?? {
          status: 404,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: { code: 'NotFound', message: `Nothing is served at ${req.url.pathname}; the Web API is under /api/data/v9.2/.` } }),
        },
      };
    },
    onError: (e) => process.stderr.write(`emulator: unexpected error: ${e.stack ?? e.message}\n`),
  }).catch(async (e) => {
    await durable?.close();
    throw e;
  });
  const origin = running.origin;
  service.serviceRoot = `${origin}/api/data/v9.2/`;
  const entra = createEntra({
    baseUrl: origin,
    tenantId: identity.tenantId,
    apps: [{
      clientId: identity.clientId,
      displayName: 'Sandbox integration',
      secrets: [identity.clientSecret],
      certificates: options.clientCertificates ?? [],
      applicationUserId: identity.applicationUserId,
    }],
    users: [{ id: identity.user.id, userPrincipalName: identity.user.userPrincipalName, displayName: identity.user.displayName }],
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    now,
  });
  late.entra = entra;
  const fno = fnoOptions
    ? await startFnoListener({
      ...fnoOptions,
      key: server.keyPem,
      cert: server.certPem,
      maxBodyBytes: options.maxBodyBytes ?? 128 * 1024 * 1024,
      limits: options.limits ?? 'real',
      faultInjector: fnoFaults!,
      sampleData: options.sampleData !== false,
      now,
      entra,
      registeredIds: [entra.applicationUserIdFor(identity.clientId), identity.user.id],
      dataDir: options.dataDir,
    }).catch(async (e) => {
      webhooks.runtime.close();
      await running.close();
      await durable?.close();
      if (!options.dataDir) fs.rmSync(certDir, { recursive: true, force: true });
      throw e;
    })
    : undefined;
  late.pipeline = createDataversePipeline({
    service,
    router,
    tokens: entra,
    protection,
    faults,
    environmentUrl: origin,
    challenge: entra.bearerChallenge(origin),
    authorizationUri: `${entra.authority}/oauth2/authorize`,
  });

  const result: RunningEmulator = {
    dataverseUrl: `${origin}/`,
    authorityUrl: `${origin}/${identity.tenantId}`,
    tenantId: identity.tenantId,
    clientId: identity.clientId,
    clientSecret: identity.clientSecret,
    caCertFile,
    caCertPem: ca.caCertPem,
    port: running.port,
    identity,
    entra,
    faults,
    service,
    fnoUrl: fno?.url,
    fno,
    webhooks: { ...webhooks.runtime, issueReceiverCertificate: (hosts) => issueServerCertificate(ca, { hosts }) },
    readyLine: () =>
      JSON.stringify({
        dataverseUrl: result.dataverseUrl,
        authorityUrl: result.authorityUrl,
        tenantId: result.tenantId,
        clientId: result.clientId,
        clientSecret: result.clientSecret,
        caCertFile,
        ...(fno ? { fnoUrl: fno.url } : {}),
      }),
    stop: async () => {
      webhooks.runtime.close();
      await fno?.close();
      await running.close();
      await durable?.close();
      if (!options.dataDir) fs.rmSync(certDir, { recursive: true, force: true });
    },
  };
  return result;
}
