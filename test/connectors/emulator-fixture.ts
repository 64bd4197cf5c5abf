/** An emulator for the tests of a describe together with what runs beside it (a receiver, a script host). */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator';
import { useFixture } from '../helpers/fixture';

/**
 * Starts the emulator, then `start` beside it (the emulator is stopped again when that fails); afterwards `stop`
 * runs before the emulator stops, so what depends on it goes first.
 */
export function useEmulatorWith<T extends object>(
  options: EmulatorOptions,
  start: (emulator: RunningEmulator) => Promise<T>,
  stop: (started: T) => Promise<void>,
): T & { emulator: RunningEmulator } {
  return useFixture(
    async () => {
      const emulator = await startEmulator(options);
      try {
        return { ...(await start(emulator)), emulator };
      } catch (e) {
        await emulator.stop();
        throw e;
      }
    },
    async (f) => {
      await stop(f);
      await f.emulator.stop();
    },
  );
}
