/** Catching one kind of error in a test: any other error is thrown on, and no error at all fails with `failure`. */
type ErrorType<E> = new (...args: any[]) => E;

export function thrownBy<E>(type: ErrorType<E>, fn: () => unknown, failure: string): E {
  try {
    fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(failure);
}

export async function rejectedWith<E>(type: ErrorType<E>, fn: () => Promise<unknown>, failure: string): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(failure);
}
