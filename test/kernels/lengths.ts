/**
 * Per-row lengths and tail slots for the step kernel tests (issue 9: variable-length sequences).
 *
 * A row b runs the steps t < lengths[b]; at t ≥ lengths[b] it is dead (its outputs of step t are
 * zeros). A live row at one of its last K steps (t + K ≥ len) also writes its new state into tail
 * slot s = t + K − len, at element tailBase + s·B·H of h (and c) — slot K − 1 is its final state.
 * When len < K (which the host refuses for a head, but the kernels define) the slots
 * s < K − len are never written.
 */
import type { Rng } from '../../src/rng.js';

/** The tail slot row `len` writes at step t with K tail slots, or null (dead, or before its window). */
export function tailSlot(t: number, len: number, K: number): number | null {
  return t < len && t + K >= len ? t + K - len : null;
}

/** What a row does at step t: dead, in its tail window, or live before its window. */
export type RowKind = 'dead' | 'tail' | 'early';

function lengthOf(rng: Rng, kind: RowKind, T: number, t: number, K: number): number {
  const between = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
  if (kind === 'dead') return between(1, t); // len ≤ t
  if (kind === 'tail') return between(t + 1, Math.min(T, t + K)); // t < len ≤ t + K
  return between(t + K + 1, T); // len > t + K
}

/**
 * Lengths for one step t: one row of full length T, and the other rows cycling through the kinds
 * that are possible at t (dead needs t ≥ 1, early needs t + K < T), in a random order of rows, so
 * that every kind appears once B is large enough. B = 1 gets a random kind.
 */
export function stepLengths(rng: Rng, B: number, T: number, t: number, K: number): Int32Array {
  const kinds: RowKind[] = ['tail'];
  if (t >= 1) kinds.push('dead');
  if (t + K < T) kinds.push('early');
  const lengths = new Int32Array(B);
  if (B === 1) {
    lengths[0] = rng.int(2) === 0 ? T : lengthOf(rng, kinds[rng.int(kinds.length)]!, T, t, K);
    return lengths;
  }
  const order = shuffled(rng, B);
  lengths[order[0]!] = T;
  for (let n = 1; n < B; n++) lengths[order[n]!] = lengthOf(rng, kinds[(n - 1) % kinds.length]!, T, t, K);
  return lengths;
}

/**
 * Lengths for a whole sequence: one row of full length T, one of length 1 (when B > 1), one of
 * length K (when B > 2 and K ≤ T: its first step is already in the window), the rest uniform in
 * [1, T], in a random order of rows.
 */
export function sequenceLengths(rng: Rng, B: number, T: number, K: number): Int32Array {
  const lengths = new Int32Array(B);
  const order = shuffled(rng, B);
  for (let n = 0; n < B; n++) {
    lengths[order[n]!] = n === 0 ? T : n === 1 ? 1 : n === 2 && K <= T ? K : 1 + rng.int(T);
  }
  return lengths;
}

function shuffled(rng: Rng, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** A short description of lengths for failure messages (at most 12 rows shown). */
export function showLengths(lengths: Int32Array): string {
  const a = Array.from(lengths.subarray(0, 12)).join(' ');
  return `lengths [${a}${lengths.length > 12 ? ' …' : ''}]`;
}
