// Seeded random batches for the benchmark, made in the page (no files): x uniform in [-1, 1),
// class ids uniform in [0, C). Every contender of a configuration trains on the same batch.

/** mulberry32: a small seeded generator of uniform floats in [0, 1). */
export function uniformSource(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {{ I: number, C: number, outputs: 'all' | 'last' }} spec
 * @returns {{ x: Float32Array, ids: Int32Array, B: number, T: number }}
 *   x [B, T, I] batch-first; ids [B, T] (outputs all) or [B] (outputs last)
 */
export function randomBatch(spec, B, T, seed) {
  const next = uniformSource(seed);
  const x = new Float32Array(B * T * spec.I);
  for (let i = 0; i < x.length; i++) x[i] = 2 * next() - 1;
  const ids = new Int32Array(spec.outputs === 'all' ? B * T : B);
  for (let i = 0; i < ids.length; i++) ids[i] = Math.min(spec.C - 1, Math.floor(next() * spec.C));
  return { x, ids, B, T };
}

