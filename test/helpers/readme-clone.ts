/**
 * A fresh copy of the repository as a user would clone it, but taken from the working tree so that uncommitted edits
 * are what is checked: the files git tracks plus the new ones it does not ignore, without node_modules, dist/ or any
 * sandbox state. The shared reference folder is linked beside it, where the tests look for their fixtures.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Build output and local state: never part of a clone, even if someone forced them into git. */
const NEVER_COPIED = new Set(['node_modules', 'dist', 'coverage', '.sandbox', '.emulator-data', 'connectors-out', '.git']);

export function workingTreeFiles(root: string): string[] {
  let listing: Buffer;
  try {
    listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot list the repository's files with git in ${root}: ${String((e as Error).message).slice(0, 500)}`);
  }
  const files = listing
    .toString('utf8')
    .split('\0')
    .filter((f) => f && !NEVER_COPIED.has(f.split('/')[0]));
  return [...new Set(files)].sort();
}

/** Copies the working tree's files into `dest` (created); a file deleted but not yet unstaged is skipped. */
export function copyWorkingTree(root: string, dest: string): number {
  let copied = 0;
  for (const file of workingTreeFiles(root)) {
    const from = path.join(root, file);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(from);
    } catch {
      continue;
    }
    const to = path.join(dest, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else if (stat.isFile()) {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, stat.mode & 0o777);
    } else continue;
    copied++;
  }
  if (!fs.existsSync(path.join(dest, 'package.json'))) throw new Error(`the copy of ${root} in ${dest} has no package.json`);
  return copied;
}

/** Every *.test.ts under `dir`, relative to `base`, sorted. */
export function testFilesUnder(base: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && e.name !== 'node_modules') walk(p);
      else if (e.isFile() && e.name.endsWith('.test.ts')) found.push(path.relative(base, p));
    }
  };
  walk(dir);
  return found.sort();
}
