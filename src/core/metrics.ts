/**
 * fit's epoch metrics, on the host in float64 from a model's batch-first logits: the loss (the
 * training loss's own definition, DESIGN.md section 5: means over valid positions only),
 * accuracy (softmax_ce: argmax equals the class; sigmoid_bce: σ(z) > ½ equals y > ½, per
 * element), and mse / mae of the outputs (the raw values for mse, probabilities otherwise).
 */
import type { FitMetric } from '../api.js';
import type { ResolvedConfig } from '../config.js';
import { activate } from './activation.js';

export interface MetricValues {
  loss: number;
  accuracy?: number;
  mse?: number;
  mae?: number;
}

/**
 * Metrics of batch-first logits ([N, T, C] or [N, C]) against targets y ([N, T] / [N] class ids,
 * or [N, T, C] / [N, C] values), counting only steps t < lengths[n] for outputs 'all'.
 */
export function metricsOf(cfg: ResolvedConfig, logits: ArrayLike<number>, y: ArrayLike<number>, N: number, T: number, lengths: ArrayLike<number> | null, metrics: readonly FitMetric[]): MetricValues {
  const C = cfg.outputSize;
  const steps = cfg.outputs === 'all' ? T : 1;
  const out = activate(cfg.loss, Float64Array.from(logits), C);
  let loss = 0, correct = 0, se = 0, ae = 0, positions = 0, elements = 0;
  for (let n = 0; n < N; n++) {
    const len = cfg.outputs === 'all' && lengths ? lengths[n]! : steps;
    for (let t = 0; t < len; t++) {
      const r = (n * steps + t) * C;
      positions++;
      if (cfg.loss === 'softmax_ce') {
        const cls = y[n * steps + t]!;
        let m = -Infinity, arg = 0;
        for (let k = 0; k < C; k++) if (logits[r + k]! > m) { m = logits[r + k]!; arg = k; }
        let s = 0;
        for (let k = 0; k < C; k++) s += Math.exp(logits[r + k]! - m);
        loss += m + Math.log(s) - logits[r + cls]!;
        if (arg === cls) correct++;
        for (let k = 0; k < C; k++) {
          const d = out[r + k]! - (k === cls ? 1 : 0);
          se += d * d;
          ae += Math.abs(d);
        }
        elements += C;
      } else {
        for (let k = 0; k < C; k++) {
          const z = logits[r + k]!, target = y[r + k]!;
          loss += cfg.loss === 'sigmoid_bce' ? Math.max(z, 0) - z * target + Math.log1p(Math.exp(-Math.abs(z))) : (z - target) * (z - target);
          if ((out[r + k]! > 0.5) === (target > 0.5)) correct++;
          const d = out[r + k]! - target;
          se += d * d;
          ae += Math.abs(d);
          elements++;
        }
      }
    }
  }
  const v: MetricValues = { loss: cfg.loss === 'softmax_ce' ? loss / positions : loss / elements };
  if (metrics.includes('accuracy')) v.accuracy = cfg.loss === 'softmax_ce' ? correct / positions : correct / elements;
  if (metrics.includes('mse')) v.mse = se / elements;
  if (metrics.includes('mae')) v.mae = ae / elements;
  return v;
}
