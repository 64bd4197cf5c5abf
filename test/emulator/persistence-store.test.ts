import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { createPersistence, JournalCorruptError } from '../../emulator/store/persistence';

interface Counter {
  total: number;
  ids: number[];
}
type Entry = { id: number; add: number };
// Deliberately not idempotent, so replaying an entry twice shows up in the total.
const apply = (state: Counter | undefined, e: Entry): Counter => ({
  total: (state?.total ?? 0) + e.add,
  ids: [...(state?.ids ?? []), e.id],
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'persistence-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const journalFile = () => path.join(dir, 'journal.jsonl');

describe('snapshots', () => {
  test('load is undefined until something is saved; save round-trips', async () => {
    const store = createPersistence<{ rows: string[] }>(dir);
    expect(await store.load()).toBeUndefined();
    await store.save({ rows: ['a', 'b'] });
    expect(await createPersistence(dir).load()).toEqual({ rows: ['a', 'b'] });
  });

  test('concurrent saves never interleave; the latest wins and supersedes queued ones', async () => {
    const store = createPersistence<{ n: number; pad: string }>(dir);
    const saves = Array.from({ length: 50 }, (_, n) => store.save({ n, pad: 'x'.repeat(10_000 + n) }));
    await Promise.all(saves);
    expect(await createPersistence(dir).load()).toEqual({ n: 49, pad: 'x'.repeat(10_049) });
    expect(store.stats().snapshotWrites).toBeLessThan(50);
    expect((await readdir(dir)).sort()).toEqual(['snapshot.json']);
  });

  test('the state is captured when save is called, not when it is written', async () => {
    const store = createPersistence<{ n: number }>(dir);
    const state = { n: 1 };
    const saved = store.save(state);
    state.n = 2;
    await saved;
    expect(await store.load()).toEqual({ n: 1 });
  });

  test('a temp file left by a crash mid-save is ignored and cleaned up', async () => {
    await createPersistence(dir).save({ v: 'old' });
    await writeFile(path.join(dir, 'snapshot.json.999.1.tmp'), '{"format":1,"seq":0,"data":{"v":"ne');
    expect(await createPersistence(dir).load()).toEqual({ v: 'old' });
    expect(await readdir(dir)).toEqual(['snapshot.json']);
  });

  test('values that are not JSON are refused', async () => {
    await expect(createPersistence(dir).save(undefined)).rejects.toThrow(TypeError);
    await expect(createPersistence(dir).save({ n: 1n })).rejects.toThrow(TypeError);
  });
});

describe('journal', () => {
  test('load replays snapshot plus later entries exactly once', async () => {
    const store = createPersistence<Counter, Entry>(dir, { apply });
    await store.append({ id: 1, add: 10 });
    await store.append({ id: 2, add: 20 });
    await store.save({ total: 30, ids: [1, 2] });
    await store.append({ id: 3, add: 5 });
    await store.close();
    expect(await createPersistence<Counter, Entry>(dir, { apply }).load()).toEqual({ total: 35, ids: [1, 2, 3] });
  });

  test('a torn last line is ignored, then cut so new appends stay readable', async () => {
    const store = createPersistence<Counter, Entry>(dir, { apply });
    await Promise.all([1, 2, 3].map((id) => store.append({ id, add: 1 })));
    await store.close();
    await appendFile(journalFile(), '{"s":4,"e":{"id":4,"ad');

    const reopened = createPersistence<Counter, Entry>(dir, { apply });
    expect(await reopened.load()).toEqual({ total: 3, ids: [1, 2, 3] });
    await reopened.append({ id: 5, add: 1 });
    await reopened.close();
    expect(await createPersistence<Counter, Entry>(dir, { apply }).load()).toEqual({ total: 4, ids: [1, 2, 3, 5] });
  });

  test('truncating the journal mid-line loses only that line', async () => {
    const store = createPersistence<Counter, Entry>(dir, { apply });
    for (let id = 1; id <= 5; id++) await store.append({ id, add: id });
    await store.close();
    const { size } = await stat(journalFile());
    await truncate(journalFile(), size - 4);
    expect(await createPersistence<Counter, Entry>(dir, { apply }).load()).toEqual({ total: 10, ids: [1, 2, 3, 4] });
  });

  test('damage before the last line is reported, not skipped', async () => {
    const store = createPersistence<Counter, Entry>(dir, { apply });
    for (let id = 1; id <= 3; id++) await store.append({ id, add: 1 });
    await store.close();
    const lines = (await readFile(journalFile(), 'utf8')).split('\n');
    lines[1] = lines[1].slice(0, 5);
    await writeFile(journalFile(), lines.join('\n'));
    await expect(createPersistence<Counter, Entry>(dir, { apply }).load()).rejects.toBeInstanceOf(JournalCorruptError);
  });

  test('compact writes a snapshot and empties the journal, even with appends racing it', async () => {
    const store = createPersistence<Counter, Entry>(dir, { apply });
    let state: Counter | undefined;
    const acks: Array<Promise<void>> = [];
    const write = (id: number) => {
      const e = { id, add: id };
      state = apply(state, e);
      acks.push(store.append(e));
    };
    for (let id = 1; id <= 50; id++) write(id);
    const compacted = store.compact(state);
    for (let id = 51; id <= 60; id++) write(id);
    await Promise.all([...acks, compacted]);
    await store.close();
    expect(await createPersistence<Counter, Entry>(dir, { apply }).load()).toEqual(state);

    await createPersistence<Counter, Entry>(dir, { apply }).compact();
    expect((await stat(journalFile())).size).toBe(0);
    expect(await createPersistence<Counter, Entry>(dir, { apply }).load()).toEqual(state);
  });

  test('group commit: 2,000 concurrent appends share few fsyncs', async () => {
    const store = createPersistence<Counter, Entry>(dir, { apply });
    const started = Date.now();
    // 20 writers, each waiting for its previous acknowledgement, as request handlers would.
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let i = 0; i < 100; i++) await store.append({ id: w * 100 + i, add: 1 });
      }),
    );
    const elapsed = Date.now() - started;
    const { appends, journalFlushes } = store.stats();
    expect(appends).toBe(2000);
    expect(journalFlushes).toBeLessThanOrEqual(200);
    expect(elapsed).toBeLessThan(30_000); // the flush count above is the real check; this only bounds a hang
    await store.close();
    expect((await createPersistence<Counter, Entry>(dir, { apply }).load())?.total).toBe(2000);
  });

  test('append needs apply', async () => {
    await expect(createPersistence(dir).append({})).rejects.toThrow('apply');
  });
});

describe('crash safety', () => {
  /** Transpiles the module (it only uses node built-ins) so a plain node child can run it. */
  async function buildModule(outDir: string): Promise<void> {
    const sourceDir = path.join(__dirname, '../../emulator/store');
    for (const name of ['persistence.ts', 'persistence-files.ts', 'persistence-journal.ts']) {
      const source = await readFile(path.join(sourceDir, name), 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      await writeFile(path.join(outDir, name.replace(/\.ts$/, '.js')), outputText);
    }
  }

  const CHILD = `
    const { createPersistence } = require('./persistence.js');
    const apply = (s, e) => ({ total: (s ? s.total : 0) + e.add, ids: [...(s ? s.ids : []), e.id] });
    const store = createPersistence(process.argv[2], { apply });
    let state;
    let next = 0;
    async function writer() {
      for (;;) {
        const e = { id: next++, add: 1 };
        state = apply(state, e);
        await store.append(e);
        process.stdout.write(e.id + '\\n');
        if (e.id % 300 === 0) void store.compact(state);
      }
    }
    for (let i = 0; i < 16; i++) void writer();
  `;

  test('every acknowledged append survives SIGKILL', async () => {
    const libDir = path.join(dir, 'lib');
    const dataDir = path.join(dir, 'data');
    await mkdir(libDir);
    await buildModule(libDir);
    await writeFile(path.join(libDir, 'child.js'), CHILD);

    const child = spawn(process.execPath, [path.join(libDir, 'child.js'), dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    let lines = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`child acknowledged only ${lines} appends`));
      }, 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        lines = output.split('\n').length - 1;
        if (lines >= 2000 && !child.killed) {
          clearTimeout(timer);
          child.kill('SIGKILL');
        }
      });
      child.on('close', () => resolve());
    });

    const acknowledged = output
      .split('\n')
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
    expect(acknowledged.length).toBeGreaterThanOrEqual(2000);
    const loaded = await createPersistence<Counter, Entry>(dataDir, { apply }).load();
    const present = new Set(loaded?.ids);
    expect(present.size).toBe(loaded?.ids.length);
    expect(loaded?.total).toBe(present.size);
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
  });
});
