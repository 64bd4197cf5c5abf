/**
 * Cases of the corpus that live in other suites (linked.json, listed in README.md): each named test still exists
 * in its file, so the corpus index never points at a test that was renamed or removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CORPUS_DIR, corpusCases } from './corpus-kit';

interface LinkedCase {
  category: string;
  attack: string;
  test: string;
  title: string;
}

const linked = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'linked.json'), 'utf8')) as LinkedCase[];
const root = path.resolve(CORPUS_DIR, '..', '..');

test.each(linked.map((l) => [l.attack, l] as const))('%s', (_attack, l) => {
  const source = fs.readFileSync(path.join(root, l.test), 'utf8');
  expect(source).toContain(`'${l.title}'`);
});

test('the README lists every linked case', () => {
  const readme = fs.readFileSync(path.join(CORPUS_DIR, 'README.md'), 'utf8');
  for (const l of linked) expect(readme).toContain(l.attack);
});

test('the README lists every case of every folder', () => {
  const readme = fs.readFileSync(path.join(CORPUS_DIR, 'README.md'), 'utf8');
  const folders = fs.readdirSync(CORPUS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  expect(folders.length).toBeGreaterThanOrEqual(7);
  for (const folder of folders) {
    expect(readme).toContain(`## \`${folder}/\``);
    for (const c of corpusCases(folder)) expect(readme).toContain(c.file ? `| \`${c.file}\` |` : `generated: \`${c.generate}\``);
  }
});
