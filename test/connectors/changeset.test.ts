/**
 * "Perform a changeset request" of the dynamic connector, run for real: the generated script.csx is compiled with
 * Mono and hosted in front of the emulator (test/helpers/csx-runner.ts), and swagger-client sends the operation the
 * way Power Automate does (dynamic host, Entra token, JSON body). The script turns the JSON writes into one
 * multipart change set; the emulator's store shows what was kept: everything, or nothing when one write fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsdl } from '../../client/metadata/csdl';
import { generateConnectors } from '../../connectors';
import { CHANGESET_OPERATION } from '../../connectors/dynamic/changeset';
import { useScriptedConnection } from './script-harness';

const MODEL_FILE = path.join(__dirname, '..', '..', 'emulator', 'model', 'dataverse.xml');

describe('dynamic connector: Perform a changeset request through script.csx', () => {
  const pkg = generateConnectors(parseCsdl(fs.readFileSync(MODEL_FILE, 'utf8')), { service: 'dataverse', style: 'dynamic' }).connectors[0];
  const f = useScriptedConnection(pkg, { limits: 'off' });
  const accountsNamed = (name: string) => [...f.emulator.service.store.rows('account').values()].filter((r) => r.name === name);

  test('the operation is generated with its script part and listed in scriptOperations', () => {
    const op = pkg.swagger.paths['/$batch'].post!;
    expect(op.operationId).toBe(CHANGESET_OPERATION);
    expect(pkg.apiProperties.properties.scriptOperations).toContain(CHANGESET_OPERATION);
    expect(pkg.script!.text).toContain(`case "${CHANGESET_OPERATION}":`);
  });

  test('every write of a successful changeset is kept, and later writes can refer to earlier rows as $1', async () => {
    const existing = await f.conn.run('AddRow', { entityset: 'accounts', item: { name: 'Before Changeset' } });
    const existingId: string = existing.body.accountid;
    const res = await f.conn.run(CHANGESET_OPERATION, {
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
    const kept = await f.conn.run('AddRow', { entityset: 'accounts', item: { name: 'Untouched Co', telephone1: '555-0000' } });
    const keptId: string = kept.body.accountid;
    const failed = await f.conn.fail(CHANGESET_OPERATION, {
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
    expect(accountsNamed('Rolled Back Co')).toHaveLength(0);
    expect(f.emulator.service.store.get('account', keptId)).toMatchObject({ telephone1: '555-0000' });
  });

  test('bad input is refused with a specific message before anything is sent', async () => {
    const before = f.emulator.service.store.rows('account').size;
    const empty = await f.conn.fail(CHANGESET_OPERATION, { changeset: { requests: [] } });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'InvalidChangeset', message: expect.stringContaining("'requests'") });

    const badMethod = await f.conn.fail(CHANGESET_OPERATION, {
      changeset: { requests: [{ method: 'POST', entityset: 'accounts', body: { name: 'Never Written' } }, { method: 'GET', entityset: 'accounts' }] },
    });
    expect(badMethod.status).toBe(400);
    expect(badMethod.body.error.message).toContain('Write 2');

    const noId = await f.conn.fail(CHANGESET_OPERATION, { changeset: { requests: [{ method: 'PATCH', entityset: 'accounts', body: { name: 'x' } }] } });
    expect(noId.body.error.message).toContain('needs the row ID');
    expect(f.emulator.service.store.rows('account').size).toBe(before);
    expect(accountsNamed('Never Written')).toHaveLength(0);
  });
});
