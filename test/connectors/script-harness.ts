/**
 * Suites that run a generated connector's script.csx under Mono (test/helpers/csx-runner.ts) in front of the
 * emulator, with swagger-client sending the connector's operations through it (swagger-connection.ts).
 */
import type { ConnectorPackage } from '../../connectors';
import type { EmulatorOptions, RunningEmulator } from '../../emulator';
import { compileScript, monoMissing, startScriptProxy, type ScriptProxy } from '../helpers/csx-runner';
import { useEmulatorWith } from './emulator-fixture';
import { connect, type Connection } from './swagger-connection';

/**
 * Without Mono the suite fails with the reason (it never skips quietly): registers one failing test and answers
 * false, so that the describe body returns before anything needs Mono.
 */
export function monoAvailable(): boolean {
  const problem = monoMissing();
  if (problem) {
    test('Mono is installed', () => {
      throw new Error(problem);
    });
  }
  return !problem;
}

/** The connector's script.csx hosted in front of the emulator's Dataverse or F&O environment. */
export function startConnectorScript(pkg: ConnectorPackage, emulator: RunningEmulator, options: { service?: 'dataverse' | 'fno'; timeLimitMs?: number } = {}): Promise<ScriptProxy> {
  return startScriptProxy({
    script: pkg.script!.text,
    scriptOperations: (pkg.apiProperties.properties.scriptOperations as string[] | undefined) ?? [],
    targetUrl: options.service === 'fno' ? emulator.fnoUrl! : emulator.dataverseUrl,
    caCertPem: emulator.caCertPem,
    timeLimitMs: options.timeLimitMs,
  });
}

export interface ScriptedConnection {
  emulator: RunningEmulator;
  proxy: ScriptProxy;
  conn: Connection;
}

/**
 * For the tests of a describe: the Dataverse connector's script compiled first (the slow step on a loaded machine,
 * given room; the proxy then reuses the program), an emulator, the script in front of it and a connection through it.
 */
export function useScriptedConnection(pkg: ConnectorPackage, emulatorOptions: EmulatorOptions): ScriptedConnection {
  beforeAll(() => compileScript(pkg.script!.text), 300_000);
  return useEmulatorWith(
    emulatorOptions,
    async (emulator) => {
      // Power Automate's 5 s is measured on its warm hosts; a cold Mono JIT on a shared, loaded test machine is
      // not that measure, so the wall-clock limit here only guards against a script that hangs.
      const proxy = await startConnectorScript(pkg, emulator, { timeLimitMs: 30_000 });
      try {
        return { proxy, conn: await connect(pkg, emulator, { proxy }) };
      } catch (e) {
        await proxy.stop();
        throw e;
      }
    },
    (f) => f.proxy.stop(),
  );
}
