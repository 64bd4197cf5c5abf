/**
 * Filter injection from test/corpus/filter-injection, against the emulator: every hostile value stays one string
 * literal, so a query returns exactly the rows whose name equals, starts with or contains the value as written,
 * never more; hostile column names and values no URL can carry are refused before any request. Nothing is lost:
 * the rows made for the test are all there.
 */
import { filterBuilder } from '../../client/odata';
import type { RunningEmulator } from '../../emulator';
import { corpusCases, corpusFile, corpusFiles, everythingShown, expectNoSecret, CANARY_SECRET } from './corpus-kit';
import { corpusClient, startCorpusEmulator, type CorpusClient } from './corpus-emulator';

const FOLDER = 'filter-injection';
const cases = corpusCases(FOLDER);
const values = JSON.parse(corpusFile(FOLDER, 'values.json').toString('utf8')) as string[];
const columns = JSON.parse(corpusFile(FOLDER, 'columns.json').toString('utf8')) as string[];
const unencodable = JSON.parse(corpusFile(FOLDER, 'unencodable-values.json').toString('utf8')) as string[];
const f = filterBuilder();

let emulator: RunningEmulator;
let dv: CorpusClient;
/** The names of every account that exists: sample rows, decoys and one row per hostile value. */
let names: string[];

beforeAll(async () => {
  emulator = await startCorpusEmulator();
  dv = corpusClient(emulator);
  for (const name of [...values, 'y', 'x', 'decoy'] ) await dv.client.create('accounts', { name });
  names = [];
  for await (const row of dv.client.iterateRows('accounts', { select: ['name'] })) names.push(String(row.name));
});
afterAll(async () => {
  dv?.close();
  await emulator?.stop();
});

async function namesMatching(filter: ReturnType<typeof f.eq>): Promise<string[]> {
  const found: string[] = [];
  for await (const row of dv.client.iterateRows('accounts', { select: ['name'], filter })) found.push(String(row.name));
  return found.sort();
}

const lower = (s: string) => s.toLowerCase();

test('every file of the folder has a case', () => {
  expect(corpusFiles(FOLDER)).toEqual(cases.map((c) => c.file).sort());
});

describe.each(values.map((v) => [JSON.stringify(v), v] as const))('value %s', (_label, value) => {
  test('eq finds exactly its own row', async () => {
    expect(await namesMatching(f.eq('name', value))).toEqual([value]);
  });

  test('startswith and contains find exactly the rows that hold the value as text', async () => {
    // Dataverse compares strings without regard to case.
    const starting = names.filter((n) => lower(n).startsWith(lower(value))).sort();
    const containing = names.filter((n) => lower(n).includes(lower(value))).sort();
    expect(await namesMatching(f.startswith('name', value))).toEqual(starting);
    expect(await namesMatching(f.contains('name', value))).toEqual(containing);
    expect(containing).toContain(value);
  });
});

test.each(columns.map((c) => [JSON.stringify(c), c] as const))('column %s is refused before any request', async (_label, column) => {
  const expected = cases.find((c) => c.file === 'columns.json')!.expect;
  const before = dv.requests.length;
  let error: unknown;
  try {
    await namesMatching(f.eq(column, 'x'));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TypeError);
  expect((error as Error).message).toContain(String(expected.message));
  expect(dv.requests.length).toBe(before);
});

test.each(unencodable.map((v) => [JSON.stringify(v), v] as const))('value %s cannot be sent and is refused by name before any request', async (_label, value) => {
  const expected = cases.find((c) => c.file === 'unencodable-values.json')!.expect;
  const before = dv.requests.length;
  let error: unknown;
  try {
    await namesMatching(f.eq('name', value));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TypeError);
  expect((error as Error).message).toContain(String(expected.message));
  expect((error as Error).message).toContain("column 'name'");
  expect(dv.requests.length).toBe(before);
});

test('no row was lost or added, and nothing secret reached an event', async () => {
  const after: string[] = [];
  for await (const row of dv.client.iterateRows('accounts', { select: ['name'] })) after.push(String(row.name));
  expect(after.sort()).toEqual([...names].sort());
  expectNoSecret(everythingShown(dv.events), [CANARY_SECRET]);
});
