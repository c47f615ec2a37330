/** Pieces every command shares: opening the engine of a backend, reading input files. */
import { readFile } from 'node:fs/promises';
import type { BackendName, Engine } from '../api.js';
import { createEngine } from '../index.js';
import { InputError } from '../errors.js';

/** The engine of --backend, or the best available. */
export async function openEngine(backend: BackendName | undefined): Promise<Engine> {
  const notes: string[] = [];
  const engine = await createEngine({ ...(backend ? { backend } : {}), log: (m) => notes.push(m) });
  engineNotes.set(engine, notes);
  return engine;
}

/** Notes from opening an engine (fallbacks), printed by sayBackend once the input is known good. */
const engineNotes = new WeakMap<Engine, string[]>();

/**
 * Says on stderr which backend runs when it was not asked for by name, or when an adapter fallback
 * (SwiftShader) was taken. Commands call it once they know their input is good, so a bad input
 * still gets exactly one line on stderr.
 */
export function sayBackend(command: string, engine: Engine, asked: BackendName | undefined): void {
  const fb = engine.adapterInfo.fallback;
  for (const note of engineNotes.get(engine) ?? []) if (!fb || !note.includes(fb)) process.stderr.write(`${command}: ${note}\n`);
  if (asked && !fb) return;
  const how = asked ? 'as asked' : 'the best available here';
  process.stderr.write(`${command}: backend ${engine.backend} (${how}): ${engine.adapterInfo.description}${fb ? `, via ${fb}` : ''}\n`);
}

export async function readInputFile(what: string, path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${what} ${path}: cannot read it (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
}
