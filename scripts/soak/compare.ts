/**
 * Source against target, row by row: every expected key must be in the store exactly once with every compared
 * column equal to the source. Reads the emulator's store directly, so the comparison cannot itself be hit by faults.
 */
import type { RunningEmulator } from '../../emulator';
import { COMPARED_COLUMNS, sourceRow, type SourceRow } from './source-rows';

export interface Comparison {
  expected: number;
  /** Rows in the target whose key belongs to this run. */
  found: number;
  lost: number;
  doubled: number;
  wrong: number;
  /** Rows with this run's key prefix that the source never had. */
  unexpected: number;
  /** A few examples of each problem, for the report. */
  examples: string[];
}

function same(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'number') return actual !== null && actual !== undefined && Number(actual) === expected;
  return expected === actual;
}

export function compareTarget(emulator: RunningEmulator, seed: number, expectedRows: number): Comparison {
  const prefix = `SOAK-${seed}-`;
  const byKey = new Map<string, Array<Record<string, unknown>>>();
  let found = 0;
  for (const row of emulator.service.store.rows('account').values()) {
    const key = row.accountnumber;
    if (typeof key !== 'string' || !key.startsWith(prefix)) continue;
    found++;
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  const result: Comparison = { expected: expectedRows, found, lost: 0, doubled: 0, wrong: 0, unexpected: 0, examples: [] };
  const example = (text: string) => result.examples.length < 20 && result.examples.push(text);
  for (let index = 0; index < expectedRows; index++) {
    const source: SourceRow = sourceRow(seed, index);
    const rows = byKey.get(source.accountnumber);
    byKey.delete(source.accountnumber);
    if (!rows) {
      result.lost++;
      example(`lost: ${source.accountnumber}`);
      continue;
    }
    if (rows.length > 1) {
      result.doubled++;
      example(`doubled: ${source.accountnumber} ×${rows.length}`);
    }
    const mismatch = COMPARED_COLUMNS.filter((column) => rows.some((row) => !same(source[column], row[column])));
    if (mismatch.length > 0) {
      result.wrong++;
      example(`wrong: ${source.accountnumber} (${mismatch.join(', ')})`);
    }
  }
  for (const [key, rows] of byKey) {
    result.unexpected += rows.length;
    example(`unexpected: ${key}`);
  }
  return result;
}
