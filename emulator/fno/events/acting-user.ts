/**
 * Who made the current change: work that writes rows on someone's behalf (a Data management job, a recurring
 * import) runs inside runAs(), so a business event raised by that write names the initiating user.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const acting = new AsyncLocalStorage<string>();

export function runAs<T>(userId: string, fn: () => T): T {
  return acting.run(userId, fn);
}

export function actingUser(): string | undefined {
  return acting.getStore();
}
