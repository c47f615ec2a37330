/**
 * The time-looped layer kernels — shaders/{lstm,gru,rnn}_layer_{forward,backward}.wgsl: all T steps
 * of one layer in one dispatch, one workgroup per slice of R batch rows, a storageBarrier per step —
 * against their float64 twins (src/reference/*LayerForward.ts, *LayerBackward.ts, layerTails.ts),
 * and against the step kernels run step by step.
 *
 * Cases (seeded, per cell: lstm, gru, rnn tanh, rnn relu): B ∈ {1, 3, 5, 8, 9, 13, 33}, H ∈ {1, 2, 5,
 * 7, 17, 33}, T ∈ {1, 2, 7, 30}, the size corners first; slice sizes R = 4, 8, B rounded up to a
 * multiple of 4 (one workgroup) and a ragged one (not a multiple of 4, not dividing B: quads of rows
 * straddle a slice's end); WG ∈ {8, 32, 64}, below and above the items (row quads × columns) of a
 * step; K ∈ {1, 3} tail slots; hasDcAbove 0 and 1 (LSTM); lengths from lengths.ts (one row of
 * length T, one of 1, one of K, the rest uniform), so rows with lengths < K leave tail slots
 * unwritten. W_hh (and GRU's b_hn) sit at offsets inside a params array that is NaN elsewhere.
 *
 * Forward: every element the kernel must write starts NaN (slices 1…T, gates, the tail slots a row
 * fills); every other element holds random data that must come back bit for bit (slice 0, the tail
 * slots a row never fills, a guard slice after each buffer); gx of padded steps is NaN. Backward runs
 * on the GPU's forward outputs with everything it must not read NaN: gates and states of padded steps
 * (and GRU/RNN state slices outside what the step reads), the tail slots of c/h, dhAbove and dcAbove
 * at padded steps and at tail slots a row never fills, all of dcAbove when hasDcAbove = 0. The twins
 * run forward then backward in float64 all the way, so the GPU's rounding is carried through 2T
 * steps. Checked: each output tensor normwise over the whole sequence, padded steps exactly +0, tail
 * slots bit-identical copies of the states of a row's last K steps, untouched elements bit for bit.
 *
 * Against the step kernels: T step-forward then T step-backward dispatches (the engine's grids) in one
 * submit, and the two layer dispatches in one submit, on the same inputs: per tensor
 * ‖layer − step‖/‖step‖ (tolerances.ts LAYER_VS_STEP), and how many elements are bit-identical.
 *
 * Tolerances: test/kernels/tolerances.ts (LAYER_LOOP, LAYER_VS_STEP); KERNEL_TOL_REPORT=1 prints the
 * worst error / bound of each check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { gruLayerBackward } from '../../src/reference/gruLayerBackward.js';
import { gruLayerForward } from '../../src/reference/gruLayerForward.js';
import { lstmLayerBackward } from '../../src/reference/lstmLayerBackward.js';
import { lstmLayerForward } from '../../src/reference/lstmLayerForward.js';
import { rnnLayerBackward } from '../../src/reference/rnnLayerBackward.js';
import { rnnLayerForward } from '../../src/reference/rnnLayerForward.js';
import { stepDispatch } from '../../src/webgpu/kernels/grids.js';
import { runKernel, runKernelSequence, type KernelBuffer, type KernelStep } from './harness.js';
import { sequenceLengths, showLengths } from './lengths.js';
import { EPS, LAYER_VS_STEP, layerLoopBound, TolReport, type LayerTensor } from './tolerances.js';

const report = new TolReport('layer loop kernels');
afterAll(() => report.print());

type Cell = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

interface LayerCase {
  cell: Cell;
  B: number;
  H: number;
  T: number;
  K: number;
  R: number;
  WG: number;
  hasDcAbove: 0 | 1;
  seed: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers.

const nan = (n: number): Float32Array => new Float32Array(n).fill(Number.NaN);
const rand = (rng: Rng, n: number, lo = -1, hi = 1): Float32Array => Float32Array.from({ length: n }, () => rng.range(lo, hi));
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);
const prefix = (cell: Cell): 'lstm' | 'gru' | 'rnn' => (cell === 'lstm' ? 'lstm' : cell === 'gru' ? 'gru' : 'rnn');
/** Rows of W_hh, and the width of gx: 4H, 3H, H. */
const gateRows = (cell: Cell, H: number): number => (cell === 'lstm' ? 4 * H : cell === 'gru' ? 3 * H : H);
const caseName = (c: LayerCase): string =>
  `${c.cell} B ${c.B} H ${c.H} T ${c.T} K ${c.K} R ${c.R} WG ${c.WG}${c.cell === 'lstm' ? ` hasDcAbove ${c.hasDcAbove}` : ''}`;

/** ‖a − r‖₂ / max(‖r‖₂, ‖size‖₂, 1e-30) over [from, to); `size`: the magnitude of r's terms where they may cancel (GRU's h). */
function relErr(a: ArrayLike<number>, r: ArrayLike<number>, from: number, to: number, size?: ArrayLike<number>): number {
  let d = 0, n = 0, m = 0;
  for (let i = from; i < to; i++) {
    d += (a[i]! - r[i]!) ** 2;
    n += r[i]! ** 2;
    if (size) m += size[i]! ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), Math.sqrt(m), 1e-30);
}

/** Collects failure messages (at most a few per check) for one case. */
class Problems {
  readonly list: string[] = [];
  add(msg: string): void {
    if (this.list.length < 12) this.list.push(msg);
  }
}

/** Normwise error of got vs ref over [from, to), noted in the report under `key`. */
function normwise(p: Problems, key: string, got: Float32Array, ref: Float64Array, from: number, to: number, tol: number, where: string, size?: Float64Array): void {
  const bad = got.subarray(from, to).findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    p.add(`${key}: element ${from + bad} = ${got[from + bad]} (not written, or not finite)`);
    report.note(key, Infinity, where);
    return;
  }
  const e = relErr(got, ref, from, to, size);
  report.note(key, e / tol, where);
  if (!(e <= tol)) p.add(`${key}: ‖Δ‖/‖ref‖ = ${e.toExponential(3)} > ${tol.toExponential(3)}`);
}

/** Rows of padded steps (t ≥ lengths[b]) of a [·, B, n] buffer, step t at slice t + shift, exactly +0. */
function padded(p: Problems, what: string, a: Float32Array, lengths: Int32Array, T: number, B: number, n: number, shift: number): void {
  for (let b = 0; b < B; b++) {
    for (let t = lengths[b]!; t < T; t++) {
      const o = ((t + shift) * B + b) * n;
      const i = a.subarray(o, o + n).findIndex((v) => !Object.is(v, 0));
      if (i >= 0) { p.add(`${what} at padded step ${t}, row ${b}: ${a[o + i]} (expected exactly 0)`); return; }
    }
  }
}

/** Every element with !written[i] bit-identical to what was uploaded. */
function untouched(p: Problems, what: string, got: Float32Array, init: Float32Array, written: Uint8Array): void {
  const a = bits(init), b = bits(got);
  for (let i = 0; i < init.length; i++) {
    if (!written[i] && a[i] !== b[i]) { p.add(`${what}[${i}], which the kernel must not write, changed: ${init[i]} → ${got[i]}`); return; }
  }
}

/** Tail slot s ≥ K − len of row b: a bit copy of the row's state of step len − K + s (slice len − K + s + 1); marks them written. */
function tails(p: Problems, what: string, got: Float32Array, lengths: Int32Array, T: number, K: number, B: number, H: number, written: Uint8Array): void {
  const BH = B * H, w = bits(got);
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    for (let s = Math.max(0, K - len); s < K; s++) {
      const dst = (T + 1 + s) * BH + b * H, src = (len - K + s + 1) * BH + b * H;
      written.fill(1, dst, dst + H);
      for (let j = 0; j < H; j++) {
        if (w[dst + j] !== w[src + j]) { p.add(`${what} tail slot ${s} row ${b} (len ${len}): ${got[dst + j]}, expected the state of step ${len - K + s}, ${got[src + j]}`); break; }
      }
    }
  }
}

/** The tail elements row b writes: slots s ≥ K − len. */
function tailMask(lengths: Int32Array, T: number, K: number, B: number, H: number, n: number): Uint8Array {
  const BH = B * H, m = new Uint8Array(n);
  for (let b = 0; b < B; b++) {
    for (let s = Math.max(0, K - lengths[b]!); s < K; s++) m.fill(1, (T + 1 + s) * BH + b * H, (T + 1 + s) * BH + (b + 1) * H);
  }
  return m;
}

/** NaN at rows b and slices s (of a [·, B, n] buffer) where poison(s, len_b) holds. */
function poisonRows(a: Float32Array, lengths: Int32Array, B: number, n: number, slices: number, poison: (s: number, len: number) => boolean): Float32Array {
  for (let s = 0; s < slices; s++) {
    for (let b = 0; b < B; b++) if (poison(s, lengths[b]!)) a.fill(Number.NaN, (s * B + b) * n, (s * B + b + 1) * n);
  }
  return a;
}

/** The size of GRU's h[t+1] = (1 − z)·n + z·h[t] per element, |(1 − z)·n| + |z·h[t]|, laid out as h (slices 1…T). */
function gruHSize(gates: Float64Array, h: Float64Array, T: number, B: number, H: number): Float64Array {
  const BH = B * H, size = new Float64Array(h.length);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const g = t * 4 * BH + b * 4 * H, z = gates[g + H + j]!, n = gates[g + 2 * H + j]!;
        size[(t + 1) * BH + b * H + j] = Math.abs((1 - z) * n) + Math.abs(z * h[t * BH + b * H + j]!);
      }
    }
  }
  return size;
}

// ---------------------------------------------------------------------------------------------
// Inputs.

interface Inputs {
  lengths: Int32Array;
  params: Float32Array;
  wOffset: number;
  bhnOffset: number;
  /** [T, B, gateRows], NaN at padded steps. */
  gx: Float32Array;
  h0: Float32Array;
  c0: Float32Array;
  /** [T+K, B, H], NaN at padded steps and at tail slots a row never fills. */
  dhAbove: Float32Array;
  /** As dhAbove; all NaN without hasDcAbove. */
  dcAbove: Float32Array;
}

function inputs(c: LayerCase): Inputs {
  const { cell, B, H, T, K } = c;
  const rng = new Rng(c.seed);
  const BH = B * H, G = gateRows(cell, H);
  const lengths = sequenceLengths(rng, B, T, K);
  // W_hh ~ U(±s/√H) at a non-zero offset; GRU's b_hn before or after it; NaN elsewhere.
  const wLen = G * H;
  const wOffset = 1 + H + rng.int(30);
  const bhnOffset = cell !== 'gru' ? 0 : rng.int(2) === 0 ? 1 + rng.int(wOffset - H) : wOffset + wLen + rng.int(20);
  const params = nan(Math.max(wOffset + wLen, bhnOffset + H) + 1 + rng.int(20));
  const ws = (cell === 'lstm' ? 2 : 1.2) / Math.sqrt(H);
  params.set(rand(rng, wLen, -ws, ws), wOffset);
  if (cell === 'gru') params.set(rand(rng, H, -0.5, 0.5), bhnOffset);
  const gxRange = cell === 'lstm' ? 2 : 1.5;
  const gx = poisonRows(rand(rng, T * B * G, -gxRange, gxRange), lengths, B, G, T, (t, len) => t >= len);
  const h0 = rand(rng, BH);
  const c0 = rand(rng, BH, -2, 2);
  const above = () => {
    const a = poisonRows(rand(rng, (T + K) * BH), lengths, B, H, T, (t, len) => t >= len);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < K - lengths[b]!; s++) a.fill(Number.NaN, (T + s) * BH + b * H, (T + s) * BH + (b + 1) * H);
    }
    return a;
  };
  const dhAbove = above();
  const dcAbove = c.cell === 'lstm' && c.hasDcAbove ? above() : nan((T + K) * BH);
  return { lengths, params, wOffset, bhnOffset, gx, h0, c0, dhAbove, dcAbove };
}

/**
 * A state buffer [T+1+K, B, H] and a guard slice: slice 0 the initial state, slices 1…T and the
 * tail slots each row fills NaN (to be written), the slots a row never fills and the guard random.
 */
function stateInit(rng: Rng, s0: Float32Array, lengths: Int32Array, T: number, K: number, B: number, H: number): Float32Array {
  const BH = B * H, n = (T + 2 + K) * BH;
  const a = rand(rng, n);
  a.set(s0);
  a.fill(Number.NaN, BH, (T + 1) * BH);
  tailMask(lengths, T, K, B, H, n).forEach((m, i) => { if (m) a[i] = Number.NaN; });
  return a;
}

/** An output [T, B, n] written in full, then a guard slice of random data. */
const outputInit = (rng: Rng, T: number, B: number, n: number): Float32Array => rand(rng, (T + 1) * B * n).fill(Number.NaN, 0, T * B * n);

// ---------------------------------------------------------------------------------------------
// The twins: forward then backward in float64 all the way.

interface Reference {
  h: Float64Array;
  c: Float64Array;
  gates: Float64Array;
  /** Backward outputs by buffer name. */
  grads: Record<string, Float64Array>;
  hSize?: Float64Array;
}

function reference(c: LayerCase, inp: Inputs): Reference {
  const { cell, B, H, T, K } = c;
  const BH = B * H, S = T + 1 + K, G = gateRows(cell, H);
  const W = Float64Array.from(inp.params.subarray(inp.wOffset, inp.wOffset + G * H));
  const h = new Float64Array(S * BH), cs = new Float64Array(S * BH), gates = new Float64Array(cell === 'lstm' || cell === 'gru' ? T * 4 * BH : 0);
  h.set(inp.h0);
  cs.set(inp.c0);
  const relu = cell === 'rnn_relu';
  if (cell === 'lstm') {
    lstmLayerForward(inp.gx, W, h, cs, gates, inp.lengths, B, H, T, K);
    const dgates = new Float64Array(T * 4 * BH), dcCarry = new Float64Array(T * BH);
    lstmLayerBackward(inp.dhAbove, c.hasDcAbove ? inp.dcAbove : null, W, gates, cs, dgates, dcCarry, inp.lengths, B, H, T, K);
    return { h, c: cs, gates, grads: { dgates, dcCarry } };
  }
  if (cell === 'gru') {
    const bHn = Float64Array.from(inp.params.subarray(inp.bhnOffset, inp.bhnOffset + H));
    gruLayerForward(inp.gx, W, bHn, h, gates, inp.lengths, B, H, T, K);
    const dgx = new Float64Array(T * 3 * BH), dgh = new Float64Array(T * 3 * BH), dhCarry = new Float64Array(T * BH);
    gruLayerBackward(inp.dhAbove, W, gates, h, dgx, dgh, dhCarry, inp.lengths, B, H, T, K);
    return { h, c: cs, gates, grads: { dgx, dgh, dhCarry }, hSize: gruHSize(gates, h, T, B, H) };
  }
  rnnLayerForward(inp.gx, W, h, inp.lengths, B, H, T, K, relu);
  const dg = new Float64Array(T * BH);
  rnnLayerBackward(inp.dhAbove, W, h, dg, inp.lengths, B, H, T, K, relu);
  return { h, c: cs, gates, grads: { dg } };
}

/** The backward outputs of a cell: buffer name, elements per row, the tensor's bound key. */
function gradOutputs(cell: Cell, H: number): Array<{ name: string; n: number; tensor: LayerTensor }> {
  if (cell === 'lstm') return [{ name: 'dgates', n: 4 * H, tensor: 'dgates' }, { name: 'dcCarry', n: H, tensor: 'dcCarry' }];
  if (cell === 'gru') return [{ name: 'dgx', n: 3 * H, tensor: 'dgx' }, { name: 'dgh', n: 3 * H, tensor: 'dgh' }, { name: 'dhCarry', n: H, tensor: 'dhCarry' }];
  return [{ name: 'dg', n: H, tensor: 'dg' }];
}

/** Uniforms of the forward and backward layer kernels (the step kernels' plus T and R). */
function forwardUniforms(c: LayerCase, inp: Inputs): Record<string, number> {
  const u: Record<string, number> = { B: c.B, H: c.H, T: c.T, wOffset: inp.wOffset, tailBase: (c.T + 1) * c.B * c.H, tailK: c.K, R: c.R };
  if (c.cell === 'gru') u.bhnOffset = inp.bhnOffset;
  if (c.cell.startsWith('rnn')) u.relu = c.cell === 'rnn_relu' ? 1 : 0;
  return u;
}
function backwardUniforms(c: LayerCase, inp: Inputs): Record<string, number> {
  const u: Record<string, number> = { B: c.B, H: c.H, T: c.T, wOffset: inp.wOffset, tailK: c.K, R: c.R };
  if (c.cell === 'lstm') u.hasDcAbove = c.hasDcAbove;
  if (c.cell.startsWith('rnn')) u.relu = c.cell === 'rnn_relu' ? 1 : 0;
  return u;
}
const layerGroups = (c: LayerCase): [number] => [Math.ceil(c.B / c.R)];

// ---------------------------------------------------------------------------------------------
// One case: the forward kernel, then the backward kernel on its outputs.

async function layerCase(c: LayerCase): Promise<string[]> {
  const { cell, B, H, T, K } = c;
  const BH = B * H, S = T + 1 + K;
  const inp = inputs(c);
  const rng = new Rng(c.seed + 7777);
  const ref = reference(c, inp);
  const where = `${caseName(c)} seed ${c.seed} ${showLengths(inp.lengths)}`;
  const p = new Problems();
  const isLstm = cell === 'lstm', hasGates = cell === 'lstm' || cell === 'gru';
  const P = prefix(cell);

  // ---- forward ----
  const hInit = stateInit(rng, inp.h0, inp.lengths, T, K, B, H);
  const cInit = stateInit(rng, inp.c0, inp.lengths, T, K, B, H);
  const gInit = outputInit(rng, T, B, 4 * H);
  const fb: Record<string, KernelBuffer> = { gx: inp.gx, params: inp.params, lengths: inp.lengths, h: { output: hInit.length, init: hInit } };
  if (isLstm) fb.c = { output: cInit.length, init: cInit };
  if (hasGates) fb.gates = { output: gInit.length, init: gInit };
  const fwd = await runKernel(`${P}_layer_forward`, { overrides: { WG: c.WG }, uniforms: forwardUniforms(c, inp), buffers: fb, workgroups: layerGroups(c) });

  const states: Array<[string, Float32Array, Float32Array, Float64Array]> = [['h', fwd.h!, hInit, ref.h]];
  if (isLstm) states.push(['c', fwd.c!, cInit, ref.c]);
  for (const [name, got, init, r] of states) {
    const key = `${cell} forward ${name}`;
    normwise(p, key, got, r, BH, (T + 1) * BH, layerLoopBound(cell, name as LayerTensor, H, T), where, name === 'h' ? ref.hSize : undefined);
    padded(p, name, got, inp.lengths, T, B, H, 1);
    const written = new Uint8Array(init.length).fill(1, BH, (T + 1) * BH);
    tails(p, name, got, inp.lengths, T, K, B, H, written);
    untouched(p, name, got, init, written);
  }
  if (hasGates) {
    normwise(p, `${cell} forward gates`, fwd.gates!, ref.gates, 0, T * 4 * BH, layerLoopBound(cell, 'gates', H, T), where);
    padded(p, 'gates', fwd.gates!, inp.lengths, T, B, 4 * H, 0);
    untouched(p, 'gates', fwd.gates!, gInit, new Uint8Array(gInit.length).fill(1, 0, T * 4 * BH));
  }

  // ---- backward, on the GPU's forward outputs with what it must not read poisoned ----
  const bb: Record<string, KernelBuffer> = { dhAbove: inp.dhAbove, params: inp.params, lengths: inp.lengths };
  const states0 = (a: Float32Array) => a.slice(0, S * BH);
  if (isLstm) {
    bb.dcAbove = inp.dcAbove;
    // c: reads slices t and t+1 of live steps, i.e. slices 0 … len; tails never.
    bb.c = poisonRows(states0(fwd.c!), inp.lengths, B, H, S, (s, len) => s > len);
  } else if (cell === 'gru') {
    // h: reads h[t] of live steps, slices 0 … len − 1.
    bb.h = poisonRows(states0(fwd.h!), inp.lengths, B, H, S, (s, len) => s >= len);
  } else {
    // h: reads h[t+1] of live steps, slices 1 … len.
    bb.h = poisonRows(states0(fwd.h!), inp.lengths, B, H, S, (s, len) => s === 0 || s > len);
  }
  if (hasGates) bb.gates = poisonRows(fwd.gates!.slice(0, T * 4 * BH), inp.lengths, B, 4 * H, T, (t, len) => t >= len);
  const outs = gradOutputs(cell, H);
  const inits: Record<string, Float32Array> = {};
  for (const o of outs) {
    inits[o.name] = outputInit(rng, T, B, o.n);
    bb[o.name] = { output: inits[o.name]!.length, init: inits[o.name]! };
  }
  const bwd = await runKernel(`${P}_layer_backward`, { overrides: { WG: c.WG }, uniforms: backwardUniforms(c, inp), buffers: bb, workgroups: layerGroups(c) });
  for (const o of outs) {
    const got = bwd[o.name]!;
    normwise(p, `${cell} backward ${o.name}`, got, ref.grads[o.name]!, 0, T * B * o.n, layerLoopBound(cell, o.tensor, H, T), where);
    padded(p, o.name, got, inp.lengths, T, B, o.n, 0);
    untouched(p, o.name, got, inits[o.name]!, new Uint8Array(got.length).fill(1, 0, T * B * o.n));
  }
  return p.list.length ? [where, ...p.list] : [];
}

// ---------------------------------------------------------------------------------------------
// Cases.

const BS = [1, 3, 5, 8, 9, 13, 33];
const HS = [1, 2, 5, 7, 17, 33];
const TS = [1, 2, 7, 30];
const WGS = [8, 32, 64];
type SliceKind = 'R4' | 'R8' | 'whole' | 'ragged';
const SLICES: SliceKind[] = ['R4', 'R8', 'whole', 'ragged'];

/**
 * R of each kind for a batch of B: 4, 8, B rounded up to a multiple of 4 (one workgroup), or a
 * ragged one, not a multiple of 4 and not dividing B (the smallest ≥ 5 below B; B ≤ 5: 3 or 2, and
 * 3 for B 1): a slice then ends inside a quad of rows, and the last slice is short.
 */
function sliceRows(kind: SliceKind, B: number): number {
  if (kind === 'R4') return 4;
  if (kind === 'R8') return 8;
  if (kind === 'whole') return Math.max(4, Math.ceil(B / 4) * 4);
  for (let r = 5; r < B; r++) if (r % 4 !== 0 && B % r !== 0) return r;
  return B % 3 !== 0 ? 3 : 2;
}

/**
 * The size corners (B, H, T) first, then 14 shapes that take every B twice and every H and T at
 * least twice (B, H and T cycle with coprime periods, shifted per cell); slice kinds cycle, WG
 * cycles with another period, K and hasDcAbove are drawn.
 */
function cellCases(cell: Cell, seed: number, shift: number): LayerCase[] {
  const rng = new Rng(seed);
  const shapes: Array<[number, number, number]> = [[1, 1, 1], [33, 33, 30], [1, 33, 30], [33, 1, 30]];
  for (let n = 0; n < 2 * BS.length; n++) shapes.push([BS[n % BS.length]!, HS[(n + shift) % HS.length]!, TS[(3 * n + shift) % TS.length]!]);
  return shapes.map(([B, H, T], n) => ({
    cell, B, H, T, K: rng.int(2) === 0 ? 1 : 3, R: sliceRows(SLICES[n % SLICES.length]!, B),
    WG: WGS[(n + Math.floor(n / SLICES.length)) % WGS.length]!, hasDcAbove: rng.int(2) as 0 | 1, seed: seed * 100 + n,
  }));
}

const CELLS: Array<[Cell, number]> = [['lstm', 11], ['gru', 12], ['rnn_tanh', 13], ['rnn_relu', 14]];

describe('layer kernels against their float64 twins: forward, then backward on its outputs', () => {
  for (const [n, [cell, seed]] of CELLS.entries()) {
    describe(cell, () => {
      it.each(cellCases(cell, seed, n).map((c) => [caseName(c), c] as const))('%s', async (_, c) => {
        expect(await layerCase(c)).toEqual([]);
      });
    });
  }
  it('every slice kind on B 13 (R 4, 8, 16, 5), K 3, every WG (LSTM with dcAbove, and relu)', async () => {
    const failures: string[] = [];
    for (const cell of ['lstm', 'rnn_relu'] as const) {
      for (const kind of SLICES) {
        for (const WG of WGS) {
          const c: LayerCase = { cell, B: 13, H: 5, T: 7, K: 3, R: sliceRows(kind, 13), WG, hasDcAbove: 1, seed: 500 + WG + SLICES.indexOf(kind) };
          failures.push(...(await layerCase(c)));
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Layer kernels against the step kernels run step by step, same inputs.

/** The forward and backward buffers of one run, fresh (inputs shared, outputs poisoned). */
function sequenceBuffers(c: LayerCase, inp: Inputs): Record<string, KernelBuffer> {
  const { cell, B, H, T, K } = c;
  const BH = B * H, S = T + 1 + K;
  const state = (s0: Float32Array) => { const a = nan(S * BH); a.set(s0); return { output: a.length, init: a }; };
  const buffers: Record<string, KernelBuffer> = { gx: inp.gx, params: inp.params, lengths: inp.lengths, dhAbove: inp.dhAbove, h: state(inp.h0) };
  if (cell === 'lstm') {
    buffers.c = state(inp.c0);
    buffers.dcAbove = inp.dcAbove;
  }
  if (cell === 'lstm' || cell === 'gru') buffers.gates = { output: T * 4 * BH };
  for (const o of gradOutputs(cell, H)) buffers[o.name] = { output: T * B * o.n };
  return buffers;
}

/** ulp distance of two f32 values (as ordered integers); Infinity if either is NaN. */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const f = new Float32Array([a, b]), i = new Int32Array(f.buffer);
  const ord = (x: number) => (x < 0 ? -2147483648 - x : x);
  return Math.abs(ord(i[0]!) - ord(i[1]!));
}

async function layerVersusSteps(c: LayerCase): Promise<string[]> {
  const { cell, B, H, T } = c;
  const inp = inputs(c);
  const P = prefix(cell);
  const steps: KernelStep[] = [];
  const fu = forwardUniforms(c, inp), bu = backwardUniforms(c, inp);
  const stepU = (u: Record<string, number>, t: number, keepT: boolean) => {
    const { R: _r, T: _t, ...rest } = u;
    return keepT ? { ...rest, T, t } : { ...rest, t };
  };
  for (let t = 0; t < T; t++) {
    const d = stepDispatch(`${P}_step_forward`, B, H, 64);
    steps.push({ name: `${P}_step_forward`, label: `${P}_step_forward[t=${t}]`, overrides: d.overrides ?? {}, uniforms: stepU(fu, t, false), workgroups: d.workgroups });
  }
  for (let t = T - 1; t >= 0; t--) {
    const d = stepDispatch(`${P}_step_backward`, B, H, 64);
    steps.push({ name: `${P}_step_backward`, label: `${P}_step_backward[t=${t}]`, overrides: d.overrides ?? {}, uniforms: stepU(bu, t, true), workgroups: d.workgroups });
  }
  const byStep = await runKernelSequence(sequenceBuffers(c, inp), steps);
  const byLayer = await runKernelSequence(sequenceBuffers(c, inp), [
    { name: `${P}_layer_forward`, overrides: { WG: c.WG }, uniforms: fu, workgroups: layerGroups(c) },
    { name: `${P}_layer_backward`, overrides: { WG: c.WG }, uniforms: bu, workgroups: layerGroups(c) },
  ]);
  const where = `${caseName(c)} seed ${c.seed} ${showLengths(inp.lengths)}`;
  const p = new Problems();
  const names = ['h', ...(cell === 'lstm' ? ['c'] : []), ...(cell === 'lstm' || cell === 'gru' ? ['gates'] : []), ...gradOutputs(cell, H).map((o) => o.name)];
  for (const name of names) {
    const s = byStep[name]!, l = byLayer[name]!;
    const sb = bits(s), lb = bits(l);
    let same = 0, worstUlps = 0, d = 0, n = 0;
    for (let i = 0; i < s.length; i++) {
      if (sb[i] === lb[i]) { same++; continue; }
      worstUlps = Math.max(worstUlps, ulps(s[i]!, l[i]!));
      d += (s[i]! - l[i]!) ** 2;
    }
    for (let i = 0; i < s.length; i++) if (Number.isFinite(s[i]!)) n += s[i]! ** 2;
    // NaN only where neither wrote (tail slots a row never fills): the same bits in both.
    const e = same === s.length ? 0 : Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-30);
    const bound = LAYER_VS_STEP * EPS;
    report.note(`${cell} layer vs step ${name} (normwise)`, e / bound, where);
    report.note(`${cell} layer vs step ${name}: fraction not bit-identical`, 1 - same / s.length, `worst ${worstUlps} ulp; ${where}`);
    if (!(e <= bound)) p.add(`${name}: ‖layer − step‖/‖step‖ = ${e.toExponential(3)} > ${bound.toExponential(3)} (${s.length - same} of ${s.length} elements differ, worst ${worstUlps} ulp)`);
  }
  return p.list.length ? [where, ...p.list] : [];
}

describe('layer kernels against the step kernels run step by step (one submit each, same inputs)', () => {
  const shapes: Array<Omit<LayerCase, 'cell' | 'seed'>> = [
    { B: 13, H: 7, T: 30, K: 3, R: 8, WG: 32, hasDcAbove: 1 },
    { B: 5, H: 33, T: 7, K: 1, R: 4, WG: 64, hasDcAbove: 0 },
    { B: 33, H: 5, T: 30, K: 3, R: 5, WG: 8, hasDcAbove: 1 },
  ];
  for (const [cell, seed] of CELLS) {
    it(`${cell}: B 13 H 7 T 30, B 5 H 33 T 7, B 33 H 5 T 30`, async () => {
      const failures: string[] = [];
      for (const [n, s] of shapes.entries()) failures.push(...(await layerVersusSteps({ cell, ...s, seed: 900 + 10 * seed + n })));
      expect(failures).toEqual([]);
    });
  }
});
