/**
 * A fixture shared by the tests of a file (or describe): started in beforeAll, stopped in afterAll. The object is
 * returned at once and filled in when beforeAll runs, so tests can hold it in a const.
 */
export function useFixture<T extends object>(start: () => Promise<T>, stop: (fixture: T) => unknown): T {
  const fixture = {} as T;
  let started = false;
  beforeAll(async () => {
    Object.assign(fixture, await start());
    started = true;
  });
  afterAll(async () => {
    if (started) await stop(fixture);
  });
  return fixture;
}
