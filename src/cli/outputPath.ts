/**
 * Checked before any work: an output file's folder must exist and be writable, so that a command
 * (a 300-step training run, say) does not run to the end and then fail to save, losing the model.
 */
import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';

export async function checkOutputPath(path: string, what = 'output file'): Promise<void> {
  const dir = dirname(resolve(path));
  let s;
  try {
    s = await stat(dir);
  } catch {
    throw new InputError(`${what} ${path}: its folder ${dir} does not exist`);
  }
  if (!s.isDirectory()) throw new InputError(`${what} ${path}: ${dir} is not a folder`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw new InputError(`${what} ${path}: the folder ${dir} is not writable`);
  }
  try {
    if ((await stat(path)).isDirectory()) throw new InputError(`${what} ${path}: is a folder`);
  } catch (e) {
    if (e instanceof InputError) throw e;
  }
}
