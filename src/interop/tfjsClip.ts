/**
 * Values from foreign files as error messages quote them: JSON, cut to a bounded length, so a
 * hostile or huge model.json can never flood an error line.
 */
import { show } from '../checks/options.js';

/** Longest quote of file content in a message, in characters. */
export const CLIP = 80;

/** `v` as show() writes it, cut to `max` characters with "…" when longer. */
export function clip(v: unknown, max = CLIP): string {
  let s: string;
  if (v instanceof ArrayBuffer) s = `an ArrayBuffer of ${v.byteLength} bytes`;
  else if (ArrayBuffer.isView(v)) s = `a ${v.constructor.name} of ${v.byteLength} bytes`;
  else s = show(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A name from the file, unquoted, cut to `max` characters. */
export function clipName(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
