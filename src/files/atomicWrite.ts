/**
 * Write a file so that readers see either the old file or the whole new one, never a part
 * (DESIGN.md section 5: a command never overwrites an output file it has not fully written).
 *
 * The bytes go to a temporary name in the same directory (so the rename stays on one file
 * system and is atomic), are flushed to disk with fsync, and only then renamed over `path`.
 * On any failure the temporary file is removed and `path` is left as it was. A writer killed
 * mid-write (kill -9) cannot remove its temporary file; the next write of the same path removes
 * such leftovers — the temporary names of `path` whose writing process no longer exists. Node only.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
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

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary files of `path` left by writers that were killed (best effort). */
export async function removeOrphans(path: string): Promise<string[]> {
  const dir = dirname(path), base = basename(path);
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  const prefix = `.${base}.`;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    await unlink(join(dir, name)).then(() => removed.push(name), () => undefined);
  }
  return removed;
}

export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await removeOrphans(path);
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
