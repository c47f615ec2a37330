/**
 * The public API on the cpu backend: the model and trainer a web developer meets, bad input with
 * clear errors before any work (and nothing the user had changed), stateful truncated BPTT.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, InputError } from '../src/index.js';
import { Rng } from '../src/rng.js';

const rng = new Rng(5);
const f32 = (n: number) => Float32Array.from({ length: n }, () => rng.range(-1, 1));

async function lstm(extra: Record<string, unknown> = {}) {
  const engine = await createEngine({ backend: 'cpu' });
  return engine.createModel({ cell: 'lstm', inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 4, outputs: 'all', loss: 'softmax_ce', seed: 1, ...extra });
}

describe('bad input gets an InputError naming the argument, expected and received, and changes nothing', () => {
  const B = 2, T = 5;
  const x = { data: f32(B * T * 2), shape: [B, T, 2] };
  const y = { data: new Int32Array(B * T), shape: [B, T] };
  it.each([
    ['wrong rank', { data: f32(10), shape: [B, 5] }, y, /tensor "x" expected rank 3.*received shape \[2, 5\]/],
    ['wrong feature size', { data: f32(B * T * 3), shape: [B, T, 3] }, y, /tensor "x" expected shape \[B, T, 2\].*received \[2, 5, 3\]/],
    ['data length not matching shape', { data: f32(7), shape: [B, T, 2] }, y, /tensor "x" of shape \[2, 5, 2\] expected 20 elements, received 7/],
    ['NaN in x', { data: Float32Array.from(f32(B * T * 2), (v, i) => (i === 13 ? NaN : v)), shape: [B, T, 2] }, y, /tensor "x" expected finite values, received NaN at \[1, 1, 1\]/],
    ['batch mismatch between x and y', x, { data: new Int32Array(3 * T), shape: [3, T] }, /tensor "y" expected shape \[2, 5\], received \[3, 5\]/],
    ['sequence mismatch', x, { data: new Int32Array(B * 4), shape: [B, 4] }, /tensor "y" expected shape \[2, 5\], received \[2, 4\]/],
    ['label out of range', x, { data: Int32Array.from({ length: B * T }, (_, i) => (i === 3 ? 4 : 0)), shape: [B, T] }, /tensor "y" expected integer class ids in \[0, 4\), received 4 at \[0, 3\]/],
    ['label not an integer', x, { data: Float32Array.from({ length: B * T }, (_, i) => (i === 2 ? 1.5 : 0)), shape: [B, T] }, /received 1.5 at \[0, 2\]/],
    ['negative label', x, { data: Int32Array.from({ length: B * T }, (_, i) => (i === 0 ? -1 : 0)), shape: [B, T] }, /received -1 at \[0, 0\]/],
  ])('%s', async (_name, xx, yy, pattern) => {
    const model = await lstm();
    const before = await model.getParameters();
    const trainer = model.trainer({ optimizer: { name: 'sgd', lr: 0.1 } });
    const err = await trainer.step(xx as never, yy as never).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(String(err.message)).toMatch(pattern);
    expect(trainer.steps).toBe(0);
    const after = await model.getParameters();
    for (const [k, v] of before) expect(after.get(k)).toEqual(v);
  });

  it('initial states: wrong shape, and c0 for a GRU', async () => {
    const model = await lstm();
    await expect(model.forward(x, { h0: { data: f32(2 * 3 * 3), shape: [2, 3, 3] } })).rejects.toThrow(/tensor "h0" expected shape \[2, 2, 3\], received \[2, 3, 3\]/);
    const engine = await createEngine({ backend: 'cpu' });
    const gru = engine.createModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'softmax_ce' });
    await expect(gru.forward(x, { c0: { data: f32(6), shape: [1, 2, 3] } })).rejects.toThrow(/"c0" is a cell state.*received cell "gru"/);
  });

  it('configs and options', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    expect(() => engine.createModel({ cell: 'lstm2' as never, inputSize: 1, hiddenSize: 2, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'softmax_ce' })).toThrow(/cell must be one of "lstm", "gru", "rnn_tanh", "rnn_relu", received "lstm2"/);
    expect(() => engine.createModel({ cell: 'gru', inputSize: 1, hiddenSize: 2, numLayers: 1, outputSize: 2, outputs: 'all', loss: 'softmax_ce', headFrom: 'ch' })).toThrow(/headFrom "ch" needs a cell state/);
    const model = await lstm();
    expect(() => model.trainer({ optimizer: { name: 'adamw' as never, lr: 0.1 } })).toThrow(/adamw/);
    expect(() => model.trainer({ optimizer: { name: 'sgd', lr: -1 } })).toThrow(/lr/);
    expect(() => model.trainer({ optimizer: { name: 'sgd', lr: 0.1 }, clipNorm: 0 })).toThrow(/clipNorm must be a positive finite number, received 0/);
    await expect(model.setParameters(new Map([['lstm.weight_hh_l0', new Float64Array(3)]]))).rejects.toThrow(/lstm.weight_hh_l0 expected 36 values/);
  });
});

describe('stateful truncated BPTT', () => {
  it('two stateful windows see the same states as one forward over the joined sequence', async () => {
    const model = await lstm();
    const B = 3, T = 4;
    const xa = f32(B * T * 2), xb = f32(B * T * 2);
    const joined = new Float32Array(B * 2 * T * 2);
    for (let b = 0; b < B; b++) {
      joined.set(xa.subarray(b * T * 2, (b + 1) * T * 2), b * 2 * T * 2);
      joined.set(xb.subarray(b * T * 2, (b + 1) * T * 2), b * 2 * T * 2 + T * 2);
    }
    const whole = await model.forward({ data: joined, shape: [B, 2 * T, 2] });
    const first = await model.forward({ data: xa, shape: [B, T, 2] });
    const second = await model.forward({ data: xb, shape: [B, T, 2] }, { h0: { data: first.hN, shape: [2, B, 3] }, c0: { data: first.cN!, shape: [2, B, 3] } });
    for (let i = 0; i < whole.hN.length; i++) expect(second.hN[i]).toBeCloseTo(whole.hN[i]!, 12);
  });

  it('a stateful trainer carries its state, resetState() forgets it, and a batch change needs a reset', async () => {
    const B = 2, T = 3;
    const x = { data: f32(B * T * 2), shape: [B, T, 2] };
    const y = { data: new Int32Array(B * T).fill(1), shape: [B, T] };
    const a = await lstm(), b = await lstm();
    const ta = a.trainer({ optimizer: { name: 'sgd', lr: 0.1 }, stateful: true });
    const tb = b.trainer({ optimizer: { name: 'sgd', lr: 0.1 }, stateful: false });
    const la1 = (await ta.step(x, y)).loss, lb1 = (await tb.step(x, y)).loss;
    expect(la1).toBe(lb1); // same start (zeros), same weights
    const la2 = (await ta.step(x, y)).loss, lb2 = (await tb.step(x, y)).loss;
    expect(la2).not.toBe(lb2); // stateful starts from the carried state
    // After a reset the next step starts from zeros: its loss is the loss of a pass from zeros.
    ta.resetState();
    const fromZeros = await a.grad(x, y);
    expect((await ta.step(x, y)).loss).toBeCloseTo(fromZeros.loss, 12);
    await expect(ta.step({ data: f32(3 * T * 2), shape: [3, T, 2] }, { data: new Int32Array(3 * T), shape: [3, T] })).rejects.toThrow(/carries a state of batch 2, received batch 3/);
  });
});

describe('forward returns every step of every layer', () => {
  it("states: 'all' gives h and c of every layer at every step, the last step equal to hN/cN", async () => {
    const model = await lstm();
    const B = 2, T = 6, L = 2, H = 3;
    const out = await model.forward({ data: f32(B * T * 2), shape: [B, T, 2] }, { states: 'all' });
    expect(out.hAll!.length).toBe(L * B * T * H);
    for (let k = 0; k < L; k++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) {
      expect(out.hAll![((k * B + b) * T + T - 1) * H + j]).toBe(out.hN[(k * B + b) * H + j]);
      expect(out.cAll![((k * B + b) * T + T - 1) * H + j]).toBe(out.cN![(k * B + b) * H + j]);
    }
  });
});
