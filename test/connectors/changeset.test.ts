/**
 * "Perform a changeset request" of the dynamic connector, run for real: the generated script.csx is compiled with
 * Mono and hosted in front of the emulator (test/helpers/csx-runner.ts), and swagger-client sends the operation the
 * way Power Automate does (dynamic host, Entra token, JSON body). The script turns the JSON writes into one
 * multipart change set; the emulator's store shows what was kept: everything, or nothing when one write fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OpenAPIV2 } from 'openapi-types';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors, type ConnectorPackage } from '../../connectors';
import { CHANGESET_OPERATION } from '../../connectors/dynamic/changeset';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { OPERATION_HEADER, startScriptProxy, type ScriptProxy } from '../helpers/csx-runner';
import { appToken } from '../helpers/emulator';
import { useFixture } from '../helpers/fixture';

// swagger-client ships no type declarations; this is the part of its API the test uses.
interface SwaggerResponse {
  status: number;
  body: any;
}
interface SwaggerClientInstance {
  execute(options: Record<string, unknown>): Promise<SwaggerResponse>;
}
const SwaggerClient: (options: Record<string, unknown>) => Promise<SwaggerClientInstance> = require('swagger-client');

const MODEL_FILE = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');

interface Fixture {
  emulator: RunningEmulator;
  pkg: ConnectorPackage;
  proxy: ScriptProxy;
  run(operationId: string, parameters: Record<string, unknown>): Promise<SwaggerResponse>;
  /** The status and body of an operation that must fail. */
  fail(operationId: string, parameters: Record<string, unknown>): Promise<{ status: number; body: any }>;
}

async function start(): Promise<Fixture> {
  const emulator = await startEmulator({ limits: 'off' });
  try {
    const model = parseCsdl(fs.readFileSync(MODEL_FILE, 'utf8'));
    const pkg = generateConnectors(model, { service: 'dataverse', style: 'dynamic' }).connectors[0];
    const scriptOperations = (pkg.apiProperties.properties.scriptOperations as string[] | undefined) ?? [];
    const proxy = await startScriptProxy({ script: pkg.script!.text, scriptOperations, targetUrl: emulator.dataverseUrl, caCertPem: emulator.caCertPem });
    const token = await appToken(emulator, emulator.dataverseUrl);
    const doc: OpenAPIV2.Document = pkg.swagger;
    const placeholderBase = `https://${doc.host}${doc.basePath}`;
    const client = await SwaggerClient({ spec: JSON.parse(JSON.stringify(doc)) });
    const run = (operationId: string, parameters: Record<string, unknown>) =>
      client.execute({
        operationId,
        parameters,
        userFetch: fetch,
        // dynamichosturl routes to the environment; the script host stands where Power Automate's gateway does.
        requestInterceptor: (req: { url: string; headers: Record<string, string> }) => {
          if (!req.url.startsWith(placeholderBase)) throw new Error(`Request outside the connector's base URL: ${req.url}`);
          req.url = `${proxy.url.replace(/\/$/, '')}${doc.basePath}${req.url.slice(placeholderBase.length)}`;
          req.headers.Authorization = `Bearer ${token}`;
          req.headers[OPERATION_HEADER] = operationId;
          return req;
        },
      });
    const fail = async (operationId: string, parameters: Record<string, unknown>) => {
      try {
        const res = await run(operationId, parameters);
        throw new Error(`${operationId} succeeded with ${res.status} but was expected to fail`);
      } catch (e) {
        const err = e as { response?: { body: unknown }; status?: number };
        if (!err.response) throw e;
        return { status: err.status!, body: err.response.body };
      }
    };
    return { emulator, pkg, proxy, run, fail };
  } catch (e) {
    await emulator.stop();
    throw e;
  }
}

const accountsNamed = (f: Fixture, name: string) => [...f.emulator.service.store.rows('account').values()].filter((r) => r.name === name);

describe('dynamic connector: Perform a changeset request through script.csx', () => {
  const f = useFixture(start, async (x) => {
    await x.proxy.stop();
    await x.emulator.stop();
  });

  test('the operation is generated with its script part and listed in scriptOperations', () => {
    const op = f.pkg.swagger.paths['/$batch'].post!;
    expect(op.operationId).toBe(CHANGESET_OPERATION);
    expect(f.pkg.apiProperties.properties.scriptOperations).toContain(CHANGESET_OPERATION);
    expect(f.pkg.script!.text).toContain(`case "${CHANGESET_OPERATION}":`);
  });

  test('every write of a successful changeset is kept, and later writes can refer to earlier rows as $1', async () => {
    const existing = await f.run('AddRow', { entityset: 'accounts', item: { name: 'Before Changeset' } });
    const existingId: string = existing.body.accountid;
    const res = await f.run(CHANGESET_OPERATION, {
      changeset: {
        requests: [
          { method: 'POST', entityset: 'accounts', body: { name: 'Changeset Parent' } },
          { method: 'POST', entityset: 'contacts', body: { lastname: 'Changeset Child', 'parentcustomerid_account@odata.bind': '$1' } },
          { method: 'PATCH', entityset: 'accounts', id: existingId, ifMatch: '*', body: { telephone1: '555-0199' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    const answers = res.body.responses as Array<{ contentId: string; status: number; id?: string }>;
    expect(answers.map((a) => a.contentId)).toEqual(['1', '2', '3']);
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204]);

    const parent = f.emulator.service.store.get('account', answers[0].id!);
    expect(parent).toMatchObject({ name: 'Changeset Parent' });
    const child = f.emulator.service.store.get('contact', answers[1].id!);
    expect(child).toMatchObject({ lastname: 'Changeset Child' });
    expect(Object.values(child!)).toContain(answers[0].id);
    expect(f.emulator.service.store.get('account', existingId)).toMatchObject({ telephone1: '555-0199' });
    expect(f.proxy.executions.filter((e) => e.operationId === CHANGESET_OPERATION).every((e) => e.outcome === 'ok')).toBe(true);
  });

  test('all or nothing: a failing write rolls back the writes before it and the action fails with its status', async () => {
    const missing = '00000000-0000-0000-0000-00000000c0de';
    const kept = await f.run('AddRow', { entityset: 'accounts', item: { name: 'Untouched Co', telephone1: '555-0000' } });
    const keptId: string = kept.body.accountid;
    const failed = await f.fail(CHANGESET_OPERATION, {
      changeset: {
        requests: [
          { method: 'POST', entityset: 'accounts', body: { name: 'Rolled Back Co' } },
          { method: 'PATCH', entityset: 'accounts', id: keptId, body: { telephone1: '555-1111' } },
          { method: 'DELETE', entityset: 'accounts', id: missing },
        ],
      },
    });
    expect(failed.status).toBe(404);
    expect(failed.body.error.message).toContain(missing);
    expect(failed.body.responses.map((r: { contentId: string }) => r.contentId)).toEqual(['3']);
    expect(accountsNamed(f, 'Rolled Back Co')).toHaveLength(0);
    expect(f.emulator.service.store.get('account', keptId)).toMatchObject({ telephone1: '555-0000' });
  });

  test('bad input is refused with a specific message before anything is sent', async () => {
    const before = f.emulator.service.store.rows('account').size;
    const empty = await f.fail(CHANGESET_OPERATION, { changeset: { requests: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'InvalidChangeset', message: expect.stringContaining("'requests'") });

    const badMethod = await f.fail(CHANGESET_OPERATION, {
      changeset: { requests: [{ method: 'POST', entityset: 'accounts', body: { name: 'Never Written' } }, { method: 'GET', entityset: 'accounts' }] },
    });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.error.message).toContain('Write 2');

    const noId = await f.fail(CHANGESET_OPERATION, { changeset: { requests: [{ method: 'PATCH', entityset: 'accounts', body: { name: 'x' } }] } });
    expect(noId.body.error.message).toContain('needs the row ID');
    expect(f.emulator.service.store.rows('account').size).toBe(before);
    expect(accountsNamed(f, 'Never Written')).toHaveLength(0);
  });
});
