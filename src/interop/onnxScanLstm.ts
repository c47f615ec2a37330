/**
 * One LSTM layer unrolled with ONNX's Scan, for heads that read the cell state of every step
 * (headFrom "ch" with outputs "all", or outputs "last" with headSteps > 1): ONNX's LSTM operator
 * returns h of every step (Y) but c of the last step only (Y_c), so it cannot feed such a head.
 *
 * The math is ours (PyTorch's), gate rows i, f, g, o as stored, nothing permuted:
 *   outside the loop, hoisted:  Gx = X·W_ihᵀ + (b_ih + b_hh)          X: [T, B, I], Gx: [T, B, 4H]
 *   Scan body, per step t:      a = Gx[t] + h·W_hhᵀ;  i, f, g, o = split(a, 4 blocks of H)
 *                               c' = σ(f)⊙c + σ(i)⊙tanh(g);  h' = σ(o)⊙tanh(c')
 * With lengths, a boolean mask m[t, b] = (t < len_b) is a second scan input: a row past its length
 * keeps its state (so the final state is the one at len_b − 1) and emits zeros, which is PyTorch's
 * packed-sequence semantics. The per-step output is (c, h) concatenated, [B, 2H] (c first, as the
 * head reads it), stacked by Scan into [T, B, 2H].
 */
import type { GraphBuilder } from './onnxGraph.js';
import { transpose } from './onnxLayout.js';
import { DataType } from './onnxSchema.js';

export interface ScanLstmLayer {
  /** Name prefix of the initializers, e.g. "lstm.l1". */
  prefix: string;
  /** Layer input, time-major [T, B, I_k]. */
  seq: string;
  inputSize: number;
  H: number;
  weightIh: ArrayLike<number>;
  weightHh: ArrayLike<number>;
  biasIh: ArrayLike<number>;
  biasHh: ArrayLike<number>;
  /** Initial states [B, H]. */
  h0: string;
  c0: string;
  /** [T, B, 1] bool (t < len_b), or null without lengths. */
  mask: string | null;
}

/** Returns ch [T, B, 2H] (c then h per step, zero past each length), hN and cN [B, H]. */
export function scanLstmLayer(g: GraphBuilder, p: ScanLstmLayer): { ch: string; hN: string; cN: string } {
  const { H, inputSize: I } = p;
  const bias = new Float64Array(4 * H);
  for (let r = 0; r < 4 * H; r++) bias[r] = p.biasIh[r]! + p.biasHh[r]!;
  const wIhT = g.floatTensor(`${p.prefix}.weight_ih_T`, [I, 4 * H], transpose(p.weightIh, 4 * H, I));
  const b = g.floatTensor(`${p.prefix}.bias_ih_plus_hh`, [4 * H], bias);
  const gx = g.op1('Add', [g.op1('MatMul', [p.seq, wIhT]), b], {}, null, `${p.prefix}_gx`);

  const body = g.child();
  const hPrev = body.input(body.fresh(`${p.prefix}_h_prev`), DataType.FLOAT, ['batch', H]);
  const cPrev = body.input(body.fresh(`${p.prefix}_c_prev`), DataType.FLOAT, ['batch', H]);
  const gxT = body.input(body.fresh(`${p.prefix}_gx_t`), DataType.FLOAT, ['batch', 4 * H]);
  const mT = p.mask ? body.input(body.fresh(`${p.prefix}_mask_t`), DataType.BOOL, ['batch', 1]) : null;
  const wHhT = body.floatTensor(`${p.prefix}.weight_hh_T`, [H, 4 * H], transpose(p.weightHh, 4 * H, H));
  const a = body.op1('Add', [gxT, body.op1('MatMul', [hPrev, wHhT])]);
  const [ai, af, ag, ao] = body.op('Split', [a, body.ints('gate_sizes', [H, H, H, H])], { axis: 1 }, 4);
  const i = body.op1('Sigmoid', [ai!]), f = body.op1('Sigmoid', [af!]), gg = body.op1('Tanh', [ag!]), o = body.op1('Sigmoid', [ao!]);
  let c1 = body.op1('Add', [body.op1('Mul', [f, cPrev]), body.op1('Mul', [i, gg])]);
  let h1 = body.op1('Mul', [o, body.op1('Tanh', [c1])]);
  let cOut = c1, hOut = h1;
  if (mT) {
    const zero = body.floatConst(`${p.prefix}_zero`, [], [0]);
    cOut = body.op1('Where', [mT, c1, zero]);
    hOut = body.op1('Where', [mT, h1, zero]);
    c1 = body.op1('Where', [mT, c1, cPrev]);
    h1 = body.op1('Where', [mT, h1, hPrev]);
  }
  const ch = body.op1('Concat', [cOut, hOut], { axis: 1 });
  body.output(h1, DataType.FLOAT, ['batch', H]);
  body.output(c1, DataType.FLOAT, ['batch', H]);
  body.output(ch, DataType.FLOAT, ['batch', 2 * H]);

  const scanInputs = [p.h0, p.c0, gx, ...(p.mask ? [p.mask] : [])];
  const [hN, cN, chSeq] = g.op('Scan', scanInputs, { body: body.graph(`${p.prefix}_step`), num_scan_inputs: p.mask ? 2 : 1 }, 3, `${p.prefix}_scan`);
  return { ch: chSeq!, hN: hN!, cN: cN! };
}
