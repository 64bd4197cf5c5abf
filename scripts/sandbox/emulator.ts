/**
 * The sandbox's emulator: Dataverse on 8443 and Finance & Operations on the next port where they are free, so the
 * URLs saved in n8n's credentials stay valid from one start to the next; free ports otherwise.
 */
import * as net from 'node:net';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';

export const DEFAULT_DATAVERSE_PORT = 8443;

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `wanted` when nothing listens there, else 0 (a free port). */
export async function preferPort(wanted: number): Promise<number> {
  return wanted > 0 && wanted <= 65535 && (await portIsFree(wanted)) ? wanted : 0;
}

export async function startSandboxEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const fixed = options.port !== undefined;
  const port = fixed ? options.port! : await preferPort(DEFAULT_DATAVERSE_PORT);
  const fnoPort = port > 0 ? await preferPort(port + 1) : 0;
  try {
    return await startEmulator({ ...options, port, fno: { port: fnoPort } });
  } catch (e) {
    // Taken between the probe and the listen: an explicit --port is an error, the defaults fall back to free ports.
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || fixed) throw e;
    return startEmulator({ ...options, port: 0, fno: { port: 0 } });
  }
}
