/**
 * Central finite differences in float64 for every parameter and initial state, for every
 * cell × head × loss, on small random shapes: the reference backward must match to 1e-6
 * (normwise per tensor, DESIGN.md's error measure).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type CellType, type LossType, type ModelConfig } from '../src/config.js';
import { paramLayout } from '../src/params.js';
import { Rng } from '../src/rng.js';
import { fullGradient } from '../src/reference/gradient.js';
import { forwardNetwork } from '../src/reference/network.js';
import { lossAndGradient, targetsToRows } from '../src/reference/loss.js';
import { accumulateLearnedStateGradient, startState } from '../src/reference/initialState.js';
import { normwiseError } from '../src/compare.js';

interface Case { cfg: ModelConfig; B: number; T: number; withH0: boolean }

function randomTargets(cfg: ReturnType<typeof resolveConfig>, rng: Rng, B: number, T: number): Float64Array {
  const perRow = cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
  const rows = cfg.outputs === 'all' ? B * T : B;
  const y = new Float64Array(rows * perRow);
  for (let i = 0; i < y.length; i++) y[i] = cfg.loss === 'softmax_ce' ? rng.int(cfg.outputSize) : rng.uniform();
  return y;
}

function lossOnly(cfg: ReturnType<typeof resolveConfig>, params: Float64Array, x: Float64Array, y: Float64Array,
  B: number, T: number, h0: Float64Array | null, c0: Float64Array | null): number {
  const layout = paramLayout(cfg);
  const s = startState(cfg, layout, params, B, { h0, c0 });
  const cache = forwardNetwork(cfg, layout, params, x, B, T, s.h0, s.c0);
  return lossAndGradient(cfg, cache.logits, targetsToRows(cfg, y, B, T), cache.rows).loss;
}

function check(c: Case, seed: number): Record<string, number> {
  const cfg = resolveConfig(c.cfg);
  const layout = paramLayout(cfg);
  const rng = new Rng(seed);
  const { B, T } = c;
  const L = cfg.numLayers, H = cfg.hiddenSize;
  const params = new Float64Array(layout.total).map(() => rng.range(-0.8, 0.8));
  const x = new Float64Array(B * T * cfg.inputSize).map(() => rng.range(-1, 1));
  const y = randomTargets(cfg, rng, B, T);
  const h0 = c.withH0 ? new Float64Array(L * B * H).map(() => rng.range(-0.9, 0.9)) : null;
  const c0 = c.withH0 && cfg.cell === 'lstm' ? new Float64Array(L * B * H).map(() => rng.range(-0.9, 0.9)) : null;

  const s = startState(cfg, layout, params, B, { h0, c0 });
  const g = fullGradient(cfg, layout, params, x, y, B, T, s.h0, s.c0);
  accumulateLearnedStateGradient(cfg, layout, g.grads, s, g.dh0, g.dc0, B);

  const eps = 1e-5;
  const fd = (vec: Float64Array, i: number, f: () => number): number => {
    const old = vec[i]!;
    vec[i] = old + eps; const lp = f();
    vec[i] = old - eps; const lm = f();
    vec[i] = old;
    return (lp - lm) / (2 * eps);
  };
  const errors: Record<string, number> = {};
  for (const spec of layout.specs) {
    const num = new Float64Array(spec.size);
    for (let i = 0; i < spec.size; i++) num[i] = fd(params, spec.offset + i, () => lossOnly(cfg, params, x, y, B, T, h0, c0));
    errors[spec.name] = normwiseError(g.grads.subarray(spec.offset, spec.offset + spec.size), num);
  }
  // Initial states: perturb the explicit state (zeros when the batch has none).
  const h0v = h0 ?? new Float64Array(L * B * H);
  const c0v = cfg.cell === 'lstm' ? (c0 ?? new Float64Array(L * B * H)) : null;
  if (!cfg.learnedInitialState || c.withH0) {
    const numH = new Float64Array(L * B * H).map((_, i) => fd(h0v, i, () => lossOnly(cfg, params, x, y, B, T, h0v, c0v)));
    errors['h0'] = normwiseError(g.dh0, numH);
    if (c0v) {
      const numC = new Float64Array(L * B * H).map((_, i) => fd(c0v, i, () => lossOnly(cfg, params, x, y, B, T, h0v, c0v)));
      errors['c0'] = normwiseError(g.dc0!, numC);
    }
  }
  return errors;
}

const cells: CellType[] = ['lstm', 'rnn_tanh', 'gru'];
const losses: LossType[] = ['softmax_ce', 'sigmoid_bce'];
const heads: Array<Partial<ModelConfig>> = [
  { outputs: 'all' },
  { outputs: 'last' },
  { outputs: 'last', headSteps: 3 },
  { outputs: 'all', headFrom: 'ch' },
  { outputs: 'last', headSteps: 2, headFrom: 'ch' },
  { outputs: 'all', learnedInitialState: true },
];

describe('finite-difference gradient checks of the float64 reference', () => {
  let seed = 100;
  for (const cell of cells) {
    for (const loss of losses) {
      for (const head of heads) {
        if (head.headFrom === 'ch' && cell !== 'lstm') continue;
        for (const withH0 of [false, true]) {
          const s = seed++;
          const name = `${cell} ${loss} ${JSON.stringify(head)} ${withH0 ? 'with h0' : 'zero h0'}`;
          it(name, () => {
            const rng = new Rng(s);
            const cfg = {
              cell, loss, inputSize: 1 + rng.int(3), hiddenSize: 1 + rng.int(4), numLayers: 1 + rng.int(2),
              outputSize: 1 + rng.int(4), outputs: 'all', ...head,
            } as ModelConfig;
            if (loss === 'softmax_ce' && cfg.outputSize === 1) cfg.outputSize = 2;
            const errors = check({ cfg, B: 1 + rng.int(3), T: 3 + rng.int(4), withH0 }, s);
            for (const [tensor, e] of Object.entries(errors)) {
              expect(e, `${name}: ${tensor}`).toBeLessThan(1e-6);
            }
          });
        }
      }
    }
  }
});
