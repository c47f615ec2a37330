/**
 * The head of the exported graph: features → Gemm(head.weight [C, F], head.bias [C], transB = 1)
 * → `logits`. F = headInputSize; within a step c comes before h; steps oldest first.
 *   outputs "all":   every step's features [T, B, per] → [B·T, F] → Gemm → [B, T, C].
 *   outputs "last", headSteps 1: the top layer's final states (c_n, h_n or h_n) [B, F]; with
 *                    lengths these are already the states at len_b − 1.
 *   outputs "last", headSteps k: steps T−k … T−1 (Slice) or, with lengths, len_b−k … len_b−1 of each
 *                    row (GatherND, batch_dims = 1), flattened to [B, k·per]. A row with len_b < k
 *                    (our trainer refuses it by name) gets NaN logits: a graph cannot raise our
 *                    error, so the row says so in-band instead of reading steps that do not exist.
 *                    Without lengths, an x with time < k fails in the runtime at the Gemm (its
 *                    features are narrower than head.weight), as our forward refuses it.
 */
import { headInputSize, type ResolvedConfig } from '../config.js';
import type { GraphBuilder } from './onnxGraph.js';
import type { StackOutput } from './onnxLayers.js';
import { DataType } from './onnxSchema.js';

/** Writes the graph value `logits`. */
export function head(
  g: GraphBuilder, cfg: ResolvedConfig, get: (name: string) => ArrayLike<number>,
  top: StackOutput, batch: string, lengths: string,
): void {
  const C = cfg.outputSize, F = headInputSize(cfg), L = cfg.numLayers, k = cfg.headSteps;
  const W = g.floatTensor('head.weight', [C, F], get('head.weight'));
  const b = g.floatTensor('head.bias', [C], get('head.bias'));
  const gemm = (features: string, out: string | null): string => g.op1('Gemm', [features, W, b], { transB: 1 }, out, 'head');
  const batchFirst = (s: string): string => g.op1('Transpose', [s], { perm: [1, 0, 2] });

  if (cfg.outputs === 'all') {
    const rows = g.op1('Reshape', [batchFirst(top.perStep), g.ints('rows_shape', [-1, F])]);
    g.op1('Reshape', [gemm(rows, null), g.op1('Concat', [batch, g.ints('time_classes', [-1, C])], { axis: 0 })], {}, 'logits');
    return;
  }
  if (k === 1) {
    const last = cfg.headFrom === 'ch' ? g.op1('Concat', [top.cN[L - 1]!, top.hN[L - 1]!], { axis: 2 }) : top.hN[L - 1]!;
    gemm(g.op1('Squeeze', [last, g.ints('axis0', [0])], {}, null, 'head_features'), 'logits');
    return;
  }
  const flat = (steps: string): string => g.op1('Reshape', [steps, g.ints('batch_flat', [0, -1])], {}, null, 'head_features');
  if (!lengths) {
    const last = g.op1('Slice', [top.perStep, g.ints('minus_k', [-k]), g.ints('end', [Number.MAX_SAFE_INTEGER]), g.ints('axis0', [0])]);
    gemm(flat(batchFirst(last)), 'logits');
    return;
  }
  const len = g.op1('Unsqueeze', [g.op1('Cast', [lengths], { to: DataType.INT64 }), g.ints('axis1', [1])]); // [B, 1]
  const offsets = g.int64Tensor('last_steps', [1, k], Array.from({ length: k }, (_, s) => s - k));
  // Clamped at 0 so that a too-short row still indexes a real step; its logits become NaN below.
  const t = g.op1('Max', [g.op1('Add', [len, offsets]), g.int64Tensor('zero', [], [0])]);
  const idx = g.op1('Unsqueeze', [t, g.ints('axis2', [2])], {}, null, 'head_steps'); // [B, k, 1]
  const steps = g.op1('GatherND', [batchFirst(top.perStep), idx], { batch_dims: 1 }); // [B, k, per]
  const tooShort = g.op1('Less', [len, g.int64Tensor('k', [], [k])], {}, null, 'too_short'); // [B, 1]
  g.op1('Where', [tooShort, g.floatConst('nan', [], [Number.NaN]), gemm(flat(steps), null)], {}, 'logits');
}
