/**
 * The recurrent stack of the exported graph: one ONNX LSTM / GRU / RNN operator per layer
 * (weights in ONNX's layout, onnxLayout.ts), except a Scan-unrolled top LSTM layer when the head
 * reads c at every step (onnxScanLstm.ts). Every layer gets the same sequence_lens and its slice of
 * the initial states. Shapes: layer input and output time-major [T, B, ·]; per-layer finals [1, B, H].
 */
import { cellModuleName, gateCount, layerInputSize, type ResolvedConfig } from '../config.js';
import type { GraphBuilder } from './onnxGraph.js';
import { onnxRecurrentWeights } from './onnxLayout.js';
import { scanLstmLayer } from './onnxScanLstm.js';
import { DataType } from './onnxSchema.js';

export interface StackInput {
  g: GraphBuilder;
  cfg: ResolvedConfig;
  get: (name: string) => ArrayLike<number>;
  /** Layer-0 input, time-major [T, B, I]. */
  seq: string;
  /** The batch size as int64 [1]. */
  batch: string;
  /** The int32 [B] lengths input, or '' (ONNX's omitted input). */
  lengths: string;
  /** Initial states [L, B, H], or null for zeros. */
  h0: string | null;
  c0: string | null;
}

export interface StackOutput {
  /** Top layer per step, time-major: h [T, B, H], or (c, h) [T, B, 2H] from a Scan top layer. */
  perStep: string;
  /** Final states of each layer, [1, B, H] each (cN for LSTM only). */
  hN: string[];
  cN: string[];
}

/** True when the head needs c at every step, which ONNX's LSTM operator does not return. */
export function needsScanTop(cfg: ResolvedConfig): boolean {
  return cfg.headFrom === 'ch' && (cfg.outputs === 'all' || cfg.headSteps > 1);
}

export function recurrentStack(s: StackInput): StackOutput {
  const { g, cfg, get } = s;
  const L = cfg.numLayers, H = cfg.hiddenSize, P = cellModuleName(cfg.cell), G = gateCount(cfg.cell);
  const lstm = cfg.cell === 'lstm';
  const layerSlice = (all: string | null, k: number): string =>
    all ? g.op1('Slice', [all, g.ints('k', [k]), g.ints('k1', [k + 1]), g.ints('axis0', [0])], {}, null, `state_l${k}`) : '';
  const hN: string[] = [], cN: string[] = [];
  let seq = s.seq;
  for (let k = 0; k < L; k++) {
    const Ik = layerInputSize(cfg, k);
    const wIh = get(`${P}.weight_ih_l${k}`), wHh = get(`${P}.weight_hh_l${k}`);
    const bIh = get(`${P}.bias_ih_l${k}`), bHh = get(`${P}.bias_hh_l${k}`);
    if (k === L - 1 && needsScanTop(cfg)) {
      const start = (all: string | null): string => all
        ? g.op1('Squeeze', [layerSlice(all, k), g.ints('axis0', [0])])
        : g.op1('Expand', [g.floatConst('zeros_row', [1, H], new Float64Array(H)), g.op1('Concat', [s.batch, g.ints('H', [H])], { axis: 0 })]);
      const top = scanLstmLayer(g, {
        prefix: `${P}.l${k}`, seq, inputSize: Ik, H, weightIh: wIh, weightHh: wHh, biasIh: bIh, biasHh: bHh,
        h0: start(s.h0), c0: start(s.c0), mask: s.lengths ? stepMask(g, seq, s.lengths) : null,
      });
      hN.push(g.op1('Unsqueeze', [top.hN, g.ints('axis0', [0])]));
      cN.push(g.op1('Unsqueeze', [top.cN, g.ints('axis0', [0])]));
      return { perStep: top.ch, hN, cN };
    }
    const w = onnxRecurrentWeights(cfg.cell, H, Ik, wIh, wHh, bIh, bHh);
    const W = g.floatTensor(`${P}.W_l${k}`, [1, G * H, Ik], w.W);
    const R = g.floatTensor(`${P}.R_l${k}`, [1, G * H, H], w.R);
    const B = g.floatTensor(`${P}.B_l${k}`, [1, 2 * G * H], w.B);
    const inputs = [seq, W, R, B, s.lengths, layerSlice(s.h0, k), ...(lstm ? [layerSlice(s.c0, k)] : [])];
    while (inputs[inputs.length - 1] === '') inputs.pop(); // trailing omitted inputs are left off
    const attrs: Record<string, number | string[]> = { hidden_size: H };
    if (cfg.cell === 'gru') attrs.linear_before_reset = 1;
    if (cfg.cell === 'rnn_tanh') attrs.activations = ['Tanh'];
    if (cfg.cell === 'rnn_relu') attrs.activations = ['Relu'];
    const opType = lstm ? 'LSTM' : cfg.cell === 'gru' ? 'GRU' : 'RNN';
    const [Y, Yh, Yc] = g.op(opType, inputs, attrs, lstm ? 3 : 2, `${P}_l${k}`);
    hN.push(Yh!);
    if (Yc) cN.push(Yc);
    seq = g.op1('Squeeze', [Y!, g.ints('axis1', [1])], {}, null, `${P}_l${k}_h`); // Y [T, 1, B, H] → [T, B, H]
  }
  return { perStep: seq, hN, cN };
}

/** m[t, b, 0] = (t < lengths[b]), bool [T, B, 1], for the Scan layer. */
function stepMask(g: GraphBuilder, seq: string, lengths: string): string {
  const T = g.op1('Gather', [g.op1('Shape', [seq]), g.int64Tensor('zero', [], [0])], { axis: 0 }, null, 'time');
  const steps = g.op1('Range', [g.int64Tensor('zero', [], [0]), T, g.int64Tensor('one', [], [1])]);
  const len = g.op1('Unsqueeze', [g.op1('Cast', [lengths], { to: DataType.INT64 }), g.ints('axis0', [0])]);
  const live = g.op1('Less', [g.op1('Unsqueeze', [steps, g.ints('axis1', [1])]), len]);
  return g.op1('Unsqueeze', [live, g.ints('axis2', [2])], {}, null, 'mask');
}
