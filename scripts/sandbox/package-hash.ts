/**
 * A hash of what `npm pack` puts into n8n: every file of dist/ (path and content) and package.json. Equal hashes
 * mean the package installed in the sandbox's n8n is the current build, so the second start skips reinstalling it.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

function filesUnder(dir: string, root: string, out: string[]): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(full, root, out);
    else if (entry.isFile()) out.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return out;
}

export function packageBuildHash(projectRoot: string): string {
  const dist = path.join(projectRoot, 'dist');
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` first`);
  const hash = createHash('sha256');
  for (const file of ['package.json', ...filesUnder(dist, projectRoot, []).sort()]) {
    const content = fs.readFileSync(path.join(projectRoot, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
