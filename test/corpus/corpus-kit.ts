/**
 * Reading the bad-input corpus: every folder holds the hostile inputs as files and a cases.json naming, per file,
 * what it attacks and what must happen. Large inputs are never committed; their cases name a generator instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';

export const CORPUS_DIR = __dirname;

export interface CorpusCase {
  /** File of the folder holding the input; absent when the input is generated at test time. */
  file?: string;
  /** Generated input: the name of a generator the test defines. */
  generate?: string;
  attack: string;
  expect: Record<string, unknown>;
}

export function corpusCases(folder: string): CorpusCase[] {
  const cases = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, folder, 'cases.json'), 'utf8')) as CorpusCase[];
  if (!Array.isArray(cases) || cases.length === 0) throw new Error(`${folder}/cases.json lists no case`);
  return cases;
}

export function corpusFile(folder: string, file: string): Buffer {
  return fs.readFileSync(path.join(CORPUS_DIR, folder, file));
}

/** Every file of the folder other than cases.json, so that an input without an expectation fails the suite. */
export function corpusFiles(folder: string): string[] {
  return fs.readdirSync(path.join(CORPUS_DIR, folder)).filter((f) => f !== 'cases.json').sort();
}

/** A case's name in test titles. */
export const caseName = (c: CorpusCase): string => c.file ?? `generated: ${c.generate}`;

/** A secret no case may ever echo: it is planted wherever a credential would be and searched for in every output. */
export const CANARY_SECRET = 'canary~Secret.7f3c9e21-d0a4-4b6e-9c55-1f2e3d4c5b6a';

/** Everything an error can show: message, stack, JSON and a deep inspection (causes, hidden fields). */
export function everythingShown(...values: unknown[]): string {
  return values
    .map((v) => {
      if (v instanceof Error) return [v.message, v.stack ?? '', JSON.stringify(v), inspect(v, { depth: Infinity, showHidden: true })].join('\n');
      return typeof v === 'string' ? v : inspect(v, { depth: Infinity });
    })
    .join('\n');
}

/** Fails naming the first secret found in `text` (only its first characters, so the report itself leaks nothing). */
export function expectNoSecret(text: string, secrets: string[]): void {
  for (const secret of secrets) {
    if (secret.length >= 8 && text.includes(secret)) throw new Error(`a secret starting ${secret.slice(0, 4)}… appears in the output`);
  }
}

/** Catches what `run` throws or rejects with; fails when it succeeds. */
export async function failureOf(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (e) {
    if (e instanceof Error) return e;
    throw new Error(`a non-Error was thrown: ${inspect(e)}`);
  }
  throw new Error('expected the input to be refused, but it was accepted');
}

/** Fills `{NAME}` placeholders of a corpus text. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{([A-Z_]+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
