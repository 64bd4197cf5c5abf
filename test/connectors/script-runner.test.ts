/**
 * The script.csx runner itself (test/helpers/csx-runner.ts) against the emulator: what custom code sees through
 * the ScriptBase shim (request, operation, correlation id, logger, original URL, SendAsync), the gateway's handling
 * of failures and of the time limit, pass-through of operations not in scriptOperations, and clear errors when the
 * script does not compile or Mono is missing. Needs Mono (scripts/ci/install-mono.sh).
 */
import * as http from 'node:http';
import { composeScript } from '../../connectors/script';
import type { ScriptPart } from '../../connectors/script';
import { compileScript, monoMissing, OPERATION_HEADER, ScriptProxy, startScriptProxy } from '../helpers/csx-runner';
import { appToken } from '../helpers/emulator';
import { useEmulatorWith } from './emulator-fixture';
import { monoAvailable } from './script-harness';

const part = (method: string, operationId: string, body: string): ScriptPart => ({
  operationIds: [operationId],
  method,
  csharp: `private async Task<HttpResponseMessage> ${method}()\n{\n${body}\n}`,
  why: `${method} is exercised by the runner test.`,
});

const PARTS: ScriptPart[] = [
  // Reads WhoAmI through SendAsync and reports what the context offered.
  part(
    'Describe',
    'DescribeContext',
    `    this.Context.Logger.LogInformation("Operation {Id} for {Path}", this.Context.OperationId, this.Context.Request.RequestUri.AbsolutePath);
    var answer = await this.Context.SendAsync(this.Context.Request, this.CancellationToken).ConfigureAwait(false);
    var body = JObject.Parse(await answer.Content.ReadAsStringAsync().ConfigureAwait(false));
    var result = new JObject
    {
        ["operationId"] = this.Context.OperationId,
        ["correlationId"] = this.Context.CorrelationId,
        ["requestUri"] = this.Context.Request.RequestUri.ToString(),
        ["originalRequestUri"] = this.Context.OriginalRequestUri.ToString(),
        ["userId"] = body["UserId"],
        ["status"] = (int)answer.StatusCode,
    };
    return new HttpResponseMessage(HttpStatusCode.OK) { Content = CreateJsonContent(result.ToString()) };`,
  ),
  part('Slow', 'SlowOperation', '    await Task.Delay(600000, this.CancellationToken).ConfigureAwait(false);\n    return new HttpResponseMessage(HttpStatusCode.OK);'),
  part('Broken', 'BrokenOperation', '    await Task.Yield();\n    throw new InvalidOperationException("the part failed on purpose");'),
];

function call(proxy: ScriptProxy, path: string, operationId: string, token: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${proxy.url}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', [OPERATION_HEADER]: operationId }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('csx runner: script.csx under Mono against the emulator', () => {
  if (!monoAvailable()) return;

  beforeAll(() => compileScript(composeScript(PARTS)), 300_000);

  const fixture = useEmulatorWith(
    { limits: 'off' },
    async (emulator) => {
      const token = await appToken(emulator, emulator.dataverseUrl);
      // A wall-clock limit wide enough for a cold JIT on a loaded machine; the slow part waits ten minutes, so it is
      // stopped whatever the load.
      const proxy = await startScriptProxy({
        script: composeScript(PARTS),
        scriptOperations: PARTS.flatMap((p) => p.operationIds),
        targetUrl: emulator.dataverseUrl,
        caCertPem: emulator.caCertPem,
        timeLimitMs: 15_000,
      });
      return { proxy, token };
    },
    (f) => f.proxy.stop(),
  );

  test('the script sees the routed request, its operation, a correlation id and the connector URL, and SendAsync reaches the emulator', async () => {
    const { proxy, emulator, token } = fixture;
    const res = await call(proxy, '/api/data/v9.2/WhoAmI()', 'DescribeContext', token);
    expect({ status: res.status, error: res.json?.error }).toEqual({ status: 200, error: undefined });
    expect(res.json).toMatchObject({
      operationId: 'DescribeContext',
      requestUri: `${emulator.dataverseUrl}api/data/v9.2/WhoAmI()`,
      originalRequestUri: `${proxy.url}/api/data/v9.2/WhoAmI()`,
      userId: emulator.identity.applicationUserId,
      status: 200,
    });
    expect(res.json.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const log = proxy.logs.find((l) => l.correlationId === res.json.correlationId);
    expect(log).toEqual({ level: 'Information', correlationId: res.json.correlationId, message: 'Operation DescribeContext for /api/data/v9.2/WhoAmI()' });
    expect(proxy.executions.find((e) => e.correlationId === res.json.correlationId)).toMatchObject({ operationId: 'DescribeContext', outcome: 'ok', status: 200 });
  });

  test('operations outside scriptOperations go straight to the emulator, and its errors come back unchanged', async () => {
    const { proxy, token } = fixture;
    const before = proxy.executions.length;
    const ok = await call(proxy, '/api/data/v9.2/WhoAmI()', 'SomeOtherOperation', token);
    expect(ok.status).toBe(200);
    expect(ok.json.UserId).toBeDefined();
    const denied = await call(proxy, '/api/data/v9.2/WhoAmI()', 'SomeOtherOperation', 'not-a-token');
    expect(denied.status).toBe(401);
    expect(proxy.executions.length).toBe(before);
  });

  test('a failing part is a 500 naming the exception; a part past the time limit is stopped with 504', async () => {
    const { proxy, token } = fixture;
    const broken = await call(proxy, '/api/data/v9.2/WhoAmI()', 'BrokenOperation', token);
    expect(broken.status).toBe(500);
    expect(broken.json.error).toEqual({ code: 'ScriptError', message: 'InvalidOperationException: the part failed on purpose' });
    const slow = await call(proxy, '/api/data/v9.2/WhoAmI()', 'SlowOperation', token);
    expect(slow.status).toBe(504);
    expect(slow.json.error.code).toBe('ScriptTimeout');
    expect(proxy.executions.filter((e) => e.operationId === 'SlowOperation').map((e) => e.outcome)).toEqual(['timeout']);
  });

  test('a script that does not compile is refused with the compiler message at script.csx lines', async () => {
    const bad = composeScript([part('Typo', 'TypoOperation', '    return await this.Context.SendAsinc(this.Context.Request, this.CancellationToken);')]);
    const line = bad.split('\n').findIndex((l) => l.includes('SendAsinc')) + 1;
    await expect(compileScript(bad)).rejects.toThrow(new RegExp(`script\\.csx does not compile with Mono's C# compiler:[\\s\\S]*script\\.csx\\(${line},\\d+\\): error CS1061`));
  }, 300_000);

  test('without Mono on the PATH the runner says what to install', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(monoMissing()).toMatch(/mcs, mono not found\. Install Mono with scripts\/ci\/install-mono\.sh/);
      await expect(compileScript('public class Script : ScriptBase {}')).rejects.toThrow(/install-mono\.sh/);
    } finally {
      process.env.PATH = path;
    }
  });
});
