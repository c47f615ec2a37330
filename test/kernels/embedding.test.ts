/**
 * shaders/embedding_gather.wgsl and embedding_backward.wgsl against their float64 twins
 * embeddingGather / embeddingBackward (src/reference/embeddingGather.ts).
 *
 * Gather: seeded ragged (B, T, I, V), E [V, I] at a non-zero eOffset inside params that are NaN
 * elsewhere (a stray read shows), ids with repeats, x NaN-poisoned and followed by a guard of data
 * that must come back bit for bit; WG 64, 7 and 256; grids from flatWorkgroups, with a small
 * maxPerDimension forcing a ragged 2-D grid (x·y·WG > n: the guard must hold in y too). The copy is
 * exact: every element of x is compared bit for bit with E's. An id outside [0, V) (−1, V, a large
 * one) writes its row NaN and nothing else.
 *
 * Backward: ids with repeats and unused ids (their rows must be exactly 0), one id taking most
 * positions (a long sum), the counting sort built as the host builds it (writeTokenSort in
 * src/webgpu/engine/plan.ts); dx [T·B, I] random; grads written only at gOffset … gOffset + V·I
 * (data around it must come back bit for bit); the same grids as the gather.
 *
 * Tolerances: test/kernels/tolerances.ts (GATHER_EXACT, EMBEDDING_BACKWARD).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { embeddingBackward, embeddingGather } from '../../src/reference/embeddingGather.js';
import { flatWorkgroups } from '../../src/webgpu/kernels/grids.js';
import { randomF32, runKernel } from './harness.js';
import { embeddingBackwardBound, TolReport } from './tolerances.js';

const report = new TolReport('embedding kernels');
afterAll(() => report.print());

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** twoD: cap the grid's x at about √(workgroups), so that y > 1 and x·y·WG overshoots n. */
interface Case { B: number; T: number; I: number; V: number; WG: number; twoD: boolean; seed: number }

// Ragged sizes; the last two force a 2-D grid.
const CASES: Case[] = [
  { B: 1, T: 1, I: 1, V: 1, WG: 64, twoD: false, seed: 1 },
  { B: 3, T: 5, I: 7, V: 11, WG: 64, twoD: false, seed: 2 },
  { B: 13, T: 7, I: 3, V: 2, WG: 7, twoD: false, seed: 3 },
  { B: 7, T: 13, I: 65, V: 50, WG: 256, twoD: false, seed: 4 },
  { B: 2, T: 100, I: 17, V: 5, WG: 64, twoD: false, seed: 5 },
  { B: 65, T: 3, I: 33, V: 1000, WG: 64, twoD: true, seed: 6 },
  { B: 5, T: 9, I: 13, V: 300, WG: 7, twoD: true, seed: 7 },
];
const name = (c: Case) => `B ${c.B}, T ${c.T}, I ${c.I}, V ${c.V}, WG ${c.WG}${c.twoD ? ', 2-D grid' : ''}`;

/** Token ids [B, T] (batch-first) in [0, used) with repeats. */
function tokenIds(rng: Rng, B: number, T: number, used: number): Int32Array {
  return Int32Array.from({ length: B * T }, () => rng.int(used));
}

/**
 * The grid of n elements (flatWorkgroups, as the engine's); with twoD, maxPerDimension ≈ √groups
 * forces y > 1, checked (the test must exercise gid.y), and x·y·WG > n (the guard must hold).
 */
function grid(n: number, c: Case): [number, number, number] {
  const groups = Math.ceil(n / c.WG);
  const g = flatWorkgroups(n, c.WG, c.twoD ? Math.max(2, Math.ceil(Math.sqrt(groups)) + 1) : 65535);
  if (c.twoD) expect(g[1] > 1 && g[0] * g[1] * c.WG > n, `${name(c)}: the grid ${g} for ${n} elements should be 2-D and ragged`).toBe(true);
  return g;
}

async function gather(c: Case, ids: Int32Array, eOffset: number, rng: Rng) {
  const { B, T, I, V } = c;
  const n = T * B * I, guard = 5;
  const params = new Float32Array(eOffset + V * I + 3).fill(Number.NaN);
  params.set(randomF32(rng, V * I, -3, 3), eOffset);
  const x = new Float32Array(n + guard).fill(Number.NaN);
  x.set(randomF32(rng, guard), n);
  const out = await runKernel('embedding_gather', {
    overrides: { WG: c.WG }, uniforms: { B, T, I, V, eOffset },
    buffers: { ids, params, x: { output: x.length, init: x } },
    workgroups: grid(n, c),
  });
  return { params, x, got: out.x!, n };
}

describe('embedding_gather.wgsl against embeddingGather', () => {
  it.each(CASES.map((c) => [name(c), c] as const))('%s: an exact copy of E\'s rows, time-major', async (_, c) => {
    const rng = new Rng(9000 + c.seed);
    const { B, T, I, V } = c;
    const ids = tokenIds(rng, B, T, V);
    const eOffset = 1 + rng.int(40);
    const { params, x, got, n } = await gather(c, ids, eOffset, rng);
    const ref = new Float64Array(n);
    embeddingGather(ids, params.subarray(eOffset, eOffset + V * I), ref, B, T, I);
    const want = bits(Float32Array.from(ref)), g = bits(got);
    const bad = [...want.keys()].filter((i) => g[i] !== want[i]).slice(0, 5).map((i) => `x[${i}] = ${got[i]}, E gives ${ref[i]}`);
    for (let i = n; i < x.length; i++) if (g[i] !== bits(x)[i]) bad.push(`guard x[${i}] changed: ${x[i]} → ${got[i]}`);
    report.note('embedding_gather x (exact)', bad.length ? Infinity : 0);
    expect(bad, name(c)).toEqual([]);
  });

  it('writes NaN for the row of an id outside [0, V), and every other row exactly', async () => {
    const c: Case = { B: 3, T: 4, I: 5, V: 6, WG: 7, twoD: true, seed: 50 };
    const rng = new Rng(9050);
    const ids = tokenIds(rng, c.B, c.T, c.V);
    const bad = new Map([[1, -1], [6, c.V], [10, 2 ** 31 - 1]]); // position b·T + t → id
    for (const [p, id] of bad) ids[p] = id;
    const eOffset = 3;
    const { params, got } = await gather(c, ids, eOffset, rng);
    const E = params.subarray(eOffset, eOffset + c.V * c.I);
    for (let t = 0; t < c.T; t++) {
      for (let b = 0; b < c.B; b++) {
        const row = got.subarray((t * c.B + b) * c.I, (t * c.B + b + 1) * c.I);
        const id = ids[b * c.T + t]!;
        if (bad.has(b * c.T + t)) expect(Array.from(row).every(Number.isNaN), `row t ${t}, b ${b} (id ${id}): ${Array.from(row)}`).toBe(true);
        else expect(Array.from(row), `row t ${t}, b ${b} (id ${id})`).toEqual(Array.from(E.subarray(id * c.I, (id + 1) * c.I)));
      }
    }
  });
});

/**
 * The counting sort of the ids that embedding_backward walks, as the host makes it
 * (writeTokenSort, src/webgpu/engine/plan.ts): offsets [V+1], positions [T·B] — the rows
 * p = t·B + b of each id, in increasing p.
 */
function tokenSort(ids: Int32Array, B: number, T: number, V: number): { offsets: Int32Array; positions: Int32Array } {
  const counts = new Int32Array(V + 1);
  for (let i = 0; i < ids.length; i++) counts[ids[i]! + 1]!++;
  for (let v = 0; v < V; v++) counts[v + 1] = counts[v + 1]! + counts[v]!;
  const offsets = Int32Array.from(counts);
  const next = counts.subarray(0, V).slice();
  const positions = new Int32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) positions[next[ids[b * T + t]!]!++] = t * B + b;
  return { offsets, positions };
}

describe('embedding_backward.wgsl against embeddingBackward', () => {
  async function backward(c: Case, ids: Int32Array, rng: Rng): Promise<string[]> {
    const { B, T, I, V } = c;
    const { offsets, positions } = tokenSort(ids, B, T, V);
    const dx = randomF32(rng, T * B * I);
    const gOffset = 1 + rng.int(30);
    // grads: data around [gOffset, gOffset + V·I) (the other parameters' gradients), that region NaN.
    const grads = randomF32(rng, gOffset + V * I + 7).fill(Number.NaN, gOffset, gOffset + V * I);
    const out = await runKernel('embedding_backward', {
      overrides: { WG: c.WG }, uniforms: { V, I, gOffset },
      buffers: { offsets, positions, dx, grads: { output: grads.length, init: grads } },
      workgroups: grid(V * I, c),
    });
    const got = out.grads!;
    const ref = new Float64Array(V * I);
    embeddingBackward(ids, dx, ref, B, T, I, V);
    const bad: string[] = [];
    let ratio = 0;
    for (let v = 0; v < V; v++) {
      const count = offsets[v + 1]! - offsets[v]!;
      for (let i = 0; i < I; i++) {
        // The largest partial sum of the id's rows, in the kernel's order (increasing p).
        let s = 0, maxPartial = 0;
        for (let q = offsets[v]!; q < offsets[v + 1]!; q++) {
          s += dx[positions[q]! * I + i]!;
          maxPartial = Math.max(maxPartial, Math.abs(s));
        }
        const g = got[gOffset + v * I + i]!, r = ref[v * I + i]!, bound = embeddingBackwardBound(count, maxPartial);
        const d = Math.abs(g - r);
        if (!(d <= bound)) {
          if (bad.length < 5) bad.push(`grads[gOffset + ${v}·I + ${i}] (id ${v}, ${count} rows): gpu ${g}, ref ${r}, |Δ| ${d.toExponential(3)} > ${bound.toExponential(3)}`);
          ratio = Infinity;
        } else if (bound > 0) {
          ratio = Math.max(ratio, d / bound);
        }
        if (count === 0 && !Object.is(g, 0) && bad.length < 5) bad.push(`grads of unused id ${v}, column ${i}: ${g}, expected exactly 0`);
      }
    }
    report.note('embedding_backward grads', ratio);
    const a = bits(grads), b = bits(got);
    for (let i = 0; i < grads.length; i++) {
      if (i >= gOffset && i < gOffset + V * I) continue;
      if (a[i] !== b[i] && bad.length < 8) bad.push(`grads[${i}] outside the embedding's gradient changed: ${grads[i]} → ${got[i]}`);
    }
    return bad;
  }

  it.each(CASES.map((c) => [name(c), c] as const))('%s: repeats, unused ids exactly 0', async (_, c) => {
    const rng = new Rng(9100 + c.seed);
    // ids from the first ~2/3 of the vocabulary: the rest are unused.
    const ids = tokenIds(rng, c.B, c.T, Math.max(1, Math.ceil((2 * c.V) / 3)));
    expect(await backward(c, ids, rng), name(c)).toEqual([]);
  });

  it('one id at most positions (a sum of ~3000 rows), the others rare or unused', async () => {
    const c: Case = { B: 30, T: 101, I: 9, V: 40, WG: 64, twoD: true, seed: 60 };
    const rng = new Rng(9160);
    const ids = Int32Array.from({ length: c.B * c.T }, () => (rng.uniform() < 0.95 ? 7 : rng.int(c.V)));
    expect(await backward(c, ids, rng), name(c)).toEqual([]);
  });
});
