/**
 * Write a file so that readers see either the old file or the whole new one, never a part
 * (DESIGN.md section 5: a command never overwrites an output file it has not fully written).
 *
 * The bytes go to a temporary name in the same directory (so the rename stays on one file
 * system and is atomic), are flushed to disk with fsync, and only then renamed over `path`.
 * On any failure the temporary file is removed and `path` is left as it was. Node only.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/** A hidden name beside `path` that no other writer picks: pid plus random bits. */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** After the rename, flush the directory entry too; best effort (not possible on every platform). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a directory; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = temporaryName(path);
  let handle: FileHandle | undefined;
  let created = false;
  try {
    handle = await open(tmp, 'wx'); // exclusive: never reuse or follow an existing name
    created = true;
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
    created = false;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    if (created) await unlink(tmp).catch(() => undefined);
    throw new InputError(`cannot write output file ${path}: ${(err as Error).message}`, { cause: err });
  }
  await syncDirectory(dirname(path));
}
