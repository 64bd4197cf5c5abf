import { open, readFile, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

let tempCounter = 0;
const TEMP_SUFFIX = '.tmp';

/** Makes renames and creations in `dir` durable; Windows cannot open directories, where NTFS journals renames anyway. */
export async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (process.platform !== 'win32') throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * Replaces `target` so that a crash leaves either the old or the new content, never a mix:
 * temp file in the same directory (rename is only atomic within a file system), fsync, rename, fsync dir.
 */
export async function writeFileAtomic(target: string, content: string | Buffer): Promise<void> {
  const dir = path.dirname(target);
  const temp = `${target}.${process.pid}.${++tempCounter}${TEMP_SUFFIX}`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await fsyncDirectory(dir);
}

/** Removes temp files a crashed writeFileAtomic left behind for `target`. */
export async function removeStaleTempFiles(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}.`;
  for (const name of await readdir(dir)) {
    if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX)) await unlink(path.join(dir, name)).catch(() => undefined);
  }
}

export async function readFileIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
