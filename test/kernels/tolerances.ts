/**
 * The tolerances of every kernel test in one table (issue 8): each kernel's bound, why it has that
 * shape, and the worst error measured against it on SwiftShader (Dawn, CPU-emulated). The test
 * files import their bounds from here; none keeps a constant of its own.
 *
 * ε = ε₃₂ = 2⁻²³ (float32 machine epsilon), u = 2⁻²⁴ (its unit roundoff). K = the length of a
 * kernel's longest f32 sum. Inputs are scaled as in training (weights ~ U(±c/√H), states and
 * gradients O(1)), so the partial sums of a K-term dot product stay O(1) and their roundings, of
 * random sign, add up like a random walk: about √K·ε (the worst case K·ε is never approached on
 * random data). SwiftShader's exp is off by up to ≈ 9 ulp (measured), which enters σ and tanh; the
 * WGSL accuracy allowances (exp: 3 + 2|x| ulp; log: 3 ulp or 2⁻²¹ absolute near 1; + − × ÷:
 * ≤ 2.5 ulp) shape the loss bounds.
 *
 * "measured" is the worst |Δ|/bound (or normwise error/bound) over the test file's cases; set
 * KERNEL_TOL_REPORT=1 to have each file print its worst ratio per check (TolReport below). A
 * wrong index or a dropped term gives ratios of 10³ and more: the bounds are tight enough to see
 * that and loose enough (2–10× headroom) for summation hardware other than SwiftShader's (FMA,
 * other exp/log).
 */

/** float32 machine epsilon, 2⁻²³. */
export const EPS = 2 ** -23;
/** float32 unit roundoff, 2⁻²⁴ (matmul and reduce_rows state their bounds in it). */
export const UNIT = 2 ** -24;

// -------------------------------------------------------------------------------------------------
// Dense kernels.

/**
 * matmul, normwise over the M×N block: ‖C_gpu − C_ref‖ / ‖C_ref‖ ≤ c·√K'·u, K' = max(K, 1) + 3.
 * Each C element is a K-term f32 sum of exact-input products (one rounding each) plus up to three
 * more additions (bias, bias2, old C): K' counts them. Measured: 0.51·√K'·u, 0.26 of the bound
 * (0.21 in the current cases). The row sums S[i] = Σ_k op(A)[i, k] (rowSum 1, 2) take the same
 * bound: measured 0.31.
 * (A single element, M·N = 1, can cancel — a·b + bias2 = 0.555 − 0.627 was drawn once — and fail
 * this normwise-relative bound by 1.5× without any kernel error: the seeded cases avoid it.)
 */
export const MATMUL = { c: 2 };
export const matmulBound = (K: number): number => MATMUL.c * Math.sqrt(Math.max(K, 1) + 3) * UNIT;

/**
 * matmul_small (and its split-K partner splitk_reduce), normwise as matmul: ≤ c·√K'·u with
 * K' = max(K_eff, 1) + 3 and K_eff the length of the longest f32 sum of the mode, the error taken
 * relative to max(‖ref‖₂, ‖size‖₂), size = √(Σ term²) per element (the twin on squared inputs):
 * the scale of a random-sign sum's partial sums, which its roundings are relative to. Relative to
 * ‖ref‖ alone, single elements that cancel read high (matmul's note: a one-row sum of 27 terms
 * drawn as 0.338, terms' size 3, gave 0.75 of the bound with no kernel error).
 *   splits = 1         K_eff = K        matmul's sum (one rounding per product, then bias, bias2,
 *                                       old C): the same bound as matmul; measured 0.19 (row sums 0.27)
 *   one split's partial  K_eff = its chunk's length (k1 − k0)   no bias, no accumulate; the row
 *                                       sums alike; measured 0.25 (row sums 0.34)
 *   split → reduce     K_eff = K + splits   each split sums its chunk in order, then splitk_reduce
 *                                       adds the splits in order s (one more rounding per split):
 *                                       a blocked sum of K terms; measured 0.16 (row sums 0.16)
 *   splitk_reduce      K_eff = splits   a sequential sum of exact partials (+ old C); measured
 *                                       0.17 (row sums 0.15)
 * An empty sum (K = 0 row sums, a split whose chunk starts past K) must be exactly 0.
 */
export const MATMUL_SMALL = { c: 2 };
export const matmulSmallBound = (kEff: number): number => MATMUL_SMALL.c * Math.sqrt(Math.max(kEff, 1) + 3) * UNIT;

/**
 * reduce_rows, normwise over the cols outputs: ≤ c·√R'·u, R' = rows + 1. Each output is a
 * sequential f32 sum of R exact inputs plus the accumulate add. Measured: 0.45·√R'·u, 0.23 of the
 * bound (0.22 now).
 */
export const REDUCE_ROWS = { c: 2 };
export const reduceRowsBound = (rows: number): number => REDUCE_ROWS.c * Math.sqrt(rows + 1) * UNIT;

/**
 * grad_norm + grad_norm_finish, relative, K = n/P + P (the longest chain of f32 additions):
 *   partials[p]   |Δ| ≤ ε·(8 + 2√(n/P))·ref   a sum of n/P squares plus the rescales, sqrt, × s   measured 0.09
 *   stats[0] norm |Δ| ≤ ε·(8 + 2√K)·ref       the same over both passes                          measured 0.05
 *   stats[1] clip |Δ| ≤ ε·(12 + 2√K)·ref      the norm's error + one add, ÷                      measured 0.05
 */
export const GRAD_NORM = { partials: 8, norm: 8, scale: 12, perSqrt: 2 };
export const gradNormBound = (which: 'partials' | 'norm' | 'scale', K: number, ref: number): number =>
  EPS * (GRAD_NORM[which] + GRAD_NORM.perSqrt * Math.sqrt(K)) * ref;

/**
 * optimizer_update over STEPS steps (grad_norm → finish → update per step), normwise, with
 * A = 16 + 2√K (K as grad_norm's):
 *   params          ‖Δ‖₂ ≤ ε·(A·Σ_k‖u_k‖₂ + Σ_k‖p_k‖₂)   each step's update u_k carries the clip scale's
 *                                                      error and a few roundings (A); storing p in f32
 *                                                      rounds by ε/2·|p| per step
 *                                                      measured 0.13 (sgd), 0.08 (adagrad, adam), 0.04
 *                                                      (rmsprop); relative ‖Δ‖/‖p‖ ≤ 1e-7
 *   state1, state2  ‖Δ‖₂ ≤ ε·A·STEPS·‖ref‖₂             each step: the clipped g (A) and a few roundings,
 *                                                      carried (decayed) into the next; measured ≤ 0.02,
 *                                                      relative ≤ 6.4e-7 (square_avg)
 * The bounds are worst-case shaped (√K for the clip scale); a 10 % error in the weight decay term
 * alone already fails them by 3–400×.
 */
export const OPTIMIZER = { a0: 16, a1: 2 };
export const optimizerA = (K: number): number => OPTIMIZER.a0 + OPTIMIZER.a1 * Math.sqrt(K);

// -------------------------------------------------------------------------------------------------
// Step kernels. Dead rows (t ≥ lengths[b]) and tail copies are exact (0, and the very value written
// to slice t+1): they are checked bit for bit, not against a bound.

/**
 * lstm_step_forward / lstm_step_backward, one step, per element |Δ| ≤ ε·(a0 + a1·√K) + r·ε·|ref|,
 * K = H forward, 4H backward:
 *   forward  h[t+1], c[t+1], gates[t]   pointwise after an H-long dot product; σ, tanh have slope ≤ 1
 *            measured |Δ| ≤ 9.1ε, 0.26 of the bound (gates)
 *   backward dgates[t], dcCarry[t]      pointwise after the 4H-long dot product of dh, then the
 *            tail gradient added (one more rounding); gates ≤ 1
 *            measured |Δ| ≤ 14.3ε, 0.16 of the bound (dgates)
 * A whole sequence (T forward then T backward steps, every tensor normwise over all its steps):
 *   ‖Δ‖₂/‖ref‖₂ ≤ c·√4H·ε   long sequences carry rounding through 2T steps; the recurrence
 *                          contracts (f < 1). measured ‖Δ‖/‖ref‖ ≤ 2.8ε, 0.25 of the bound (H 1,
 *                          T 50, dgates)
 * With lengths and K ∈ {1, 2, 3} tails (issue 9), same bounds, measured: forward h 0.12, c 0.15,
 * gates 0.26; backward dgates 0.23, dcCarry 0.29; sequences h 0.18, c 0.14, gates 0.08, dgates 0.21,
 * dcCarry 0.21 (T 50, B 3, H 1, K 3). Tail slots are bit-identical copies, dead rows exact zeros.
 */
export const LSTM_STEP = {
  forward: { a0: 8, a1: 2, r: 16 },
  backward: { a0: 8, a1: 2, r: 16 },
  sequence: 4,
};
export function lstmStepBound(which: 'forward' | 'backward', H: number): { atol: number; rtol: number } {
  const t = LSTM_STEP[which], K = which === 'forward' ? H : 4 * H;
  return { atol: EPS * (t.a0 + t.a1 * Math.sqrt(K)), rtol: t.r * EPS };
}
export const lstmSequenceBound = (H: number): number => LSTM_STEP.sequence * Math.sqrt(4 * H) * EPS;

/**
 * rnn_step_* / gru_step_*, normwise per output tensor and timestep slice:
 * ‖gpu − ref‖₂ / max(‖ref‖₂, 1e-30) ≤ c·√(K + 1)·ε for one step, K = the dot products' length;
 * + 1 for the pointwise tail. A chain of T steps: c·√((K + 1)·T)·ε — every step adds its own
 * rounding, carried through the later steps; W_hh ~ U(±1.2/√H) has spectral radius ≈ 0.7 and
 * tanh', σ', relu' ≤ 1, so the recurrence contracts and T steps' errors add like a random walk.
 *
 *   kernel             outputs            K    c   why c
 *   rnn_step_forward   h[t+1]             H    2   one sum, then tanh (≤ 3.2ε, measured) or relu
 *                                                  (exact); at H = 1 the tanh rounding is all there is
 *   rnn_step_backward  dg[t]              H    2   one sum (+ the tail gradient), × (1 − h)(1 + h) or
 *                                                  × [h > 0]: two roundings
 *   gru_step_forward   h[t+1], gates[t]   H    4   three sums; n = tanh(gx + r·ghn) compounds the
 *                                                  errors of r and ghn, then (1 − z)·n + z·hPrev
 *   gru_step_backward  dgx, dgh, dhCarry  3H   4   one sum, then a chain of up to 5 products
 *
 * GRU's h = (1 − z)·n + z·hPrev may cancel (terms of 0.3 and opposite sign giving h ≈ 0.07 were
 * drawn at B = H = 1: 1.8× the bound measured relative to ‖h‖), so its normwise error is taken
 * relative to max(‖h‖₂, ‖|(1 − z)·n| + |z·hPrev|‖₂), the size of its terms.
 *
 * Measured worst (fraction of the bound) with lengths, K ∈ {1, 2, 3} tails, tanh and relu:
 *   single steps  rnn h 0.13 (tanh), 0.07 (relu); rnn dg 0.12 (tanh), 0.08 (relu); gru h 0.22
 *                 (relative to its terms), gates 0.06, dgx 0.11, dgh 0.14, dhCarry 0.06
 *   chains (T 20) rnn h 0.05 (tanh), 0.02 (relu); dg 0.09, 0.03; gru h 0.03, gates 0.02, dgx 0.04,
 *                 dgh 0.04, dhCarry 0.03
 * A tail slot is checked normwise over its row alone (and bit for bit against slice t+1): ≤ 0.22.
 */
export const RNN_GRU_STEP = { rnn_step_forward: 2, rnn_step_backward: 2, gru_step_forward: 4, gru_step_backward: 4 } as const;
export type RnnGruKernel = keyof typeof RNN_GRU_STEP;
export const rnnGruStepBound = (kernel: RnnGruKernel, K: number): number => RNN_GRU_STEP[kernel] * Math.sqrt(K + 1) * EPS;
export const rnnGruChainBound = (kernel: RnnGruKernel, K: number, T: number): number => RNN_GRU_STEP[kernel] * Math.sqrt((K + 1) * T) * EPS;

// -------------------------------------------------------------------------------------------------
// Time-looped layer kernels: {lstm,gru,rnn}_layer_{forward,backward}, all T steps of a layer in one
// dispatch. Padded steps and tail copies are exact, checked bit for bit, as for the step kernels.

/**
 * The layer kernels do the step kernels' arithmetic in the step kernels' summation order (LSTM
 * backward adds the dc terms in another order: dh·o·(1 − tc²) + (dcAbove + its tail), then dcCarry,
 * where the step kernel starts from dcCarry; a rounding or two apart), so the step kernels' whole-
 * sequence bounds hold unchanged, normwise per tensor over all T steps (forward, then backward on
 * its outputs, against the twins in float64 all the way):
 *   lstm  h, c, gates, dgates, dcCarry   lstmSequenceBound(H)                     (LSTM_STEP.sequence)
 *   rnn   h                              rnnGruChainBound('rnn_step_forward', H, T)
 *         dg                             rnnGruChainBound('rnn_step_backward', H, T)
 *   gru   h (relative to its terms), gates  rnnGruChainBound('gru_step_forward', H, T)
 *         dgx, dgh, dhCarry              rnnGruChainBound('gru_step_backward', 3H, T)
 * Measured (test/kernels/layer_loop.test.ts: B ≤ 33, H ≤ 33, T ≤ 30, R 4, 8, whole, ragged, WG 8, 32,
 * 64, K 1, 3, lengths), worst fraction of the bound:
 *   lstm  h 0.20, c 0.17, gates 0.06, dgates 0.21, dcCarry 0.17
 *   gru   h 0.08, gates 0.08, dgx 0.15, dgh 0.18, dhCarry 0.07
 *   rnn   tanh: h 0.61, dg 0.24; relu: h 0.08, dg 0.14
 * rnn h 0.61 is one element (B = H = T = 1): tanh4's own error, 1.7ε there (the step kernel gives the
 * same bits). tanh4 measures up to 2.8ε relative just above |x| = 1/4, where it switches from the
 * Taylor series to (1 − e)/(1 + e) and 1 − e cancels, against 2·√2·ε = 2.83ε for a single element at
 * H = T = 1: RNN_GRU_STEP.rnn_step_forward has almost no headroom for one element drawn there.
 */
export type LayerTensor = 'h' | 'c' | 'gates' | 'dgates' | 'dcCarry' | 'dg' | 'dgx' | 'dgh' | 'dhCarry';
export function layerLoopBound(cell: 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu', tensor: LayerTensor, H: number, T: number): number {
  if (cell === 'lstm') return lstmSequenceBound(H);
  if (cell === 'gru') return tensor === 'h' || tensor === 'gates' ? rnnGruChainBound('gru_step_forward', H, T) : rnnGruChainBound('gru_step_backward', 3 * H, T);
  return tensor === 'h' ? rnnGruChainBound('rnn_step_forward', H, T) : rnnGruChainBound('rnn_step_backward', H, T);
}

/**
 * A layer kernel against the step kernels run step by step on the same inputs (T forward and T
 * backward dispatches in one submit, against the two layer dispatches in one submit): per tensor
 * ‖layer − step‖₂/‖step‖₂ ≤ LAYER_VS_STEP·ε over the whole buffer. Same math, same order: forward
 * outputs and the GRU/RNN gradients should be bit-identical; the LSTM's dc order (above) gives
 * single roundings, carried through the backward recurrence. Measured (B 13 H 7 T 30, B 5 H 33 T 7,
 * B 33 H 5 T 30): h, c, gates of all cells and every GRU and RNN gradient bit-identical (0 elements
 * differ); LSTM dgates 0.15 (0.58ε; 20 % of the elements differ, by up to 360 ulp on elements far
 * below the tensor's norm), dcCarry 0.17 (0.67ε; 23 % differ, up to 245 ulp).
 */
export const LAYER_VS_STEP = 4;

// -------------------------------------------------------------------------------------------------
// Loss kernels, per element |Δ| ≤ bound. Padded rows (masked = 1, t ≥ lengths[b]) are exact zeros,
// checked bit for bit.

/**
 * softmax_cross_entropy:
 *   lossRows[r]    ε·(8 + 4·Σ_k p_k|z_k − m| + 4·(|lse| + |z_y|) + 2√C)   exp errors weighted by p inside
 *                                                                        log; rounding of m + log s and
 *                                                                        lse − z_y; the C-term sum s
 *                  measured 0.16 (0.17 now; masked rows 0.15)
 *   dlogits[r, k]  scale·(p_k·(L_r + ε·(4 + 3|z_k − lse|)) + 2ε)         exp(z − lse): the error L_r of
 *                                                                        lse (the row's loss bound) and of
 *                                                                        the argument; − onehot, × scale
 *                  measured 0.55 (masked rows 0.50)
 */
export const SOFTMAX_CE = { loss: { a0: 8, spread: 4, mag: 4, sqrtC: 2 }, dlogits: { a0: 4, arg: 3, abs: 2 } };
export function softmaxRowBound(spreadP: number, lse: number, zy: number, C: number): number {
  const t = SOFTMAX_CE.loss;
  return EPS * (t.a0 + t.spread * spreadP + t.mag * (Math.abs(lse) + Math.abs(zy)) + t.sqrtC * Math.sqrt(C));
}
export function softmaxGradBound(scale: number, p: number, rowBound: number, zMinusLse: number): number {
  const t = SOFTMAX_CE.dlogits;
  return scale * (p * (rowBound + EPS * (t.a0 + t.arg * Math.abs(zMinusLse))) + t.abs * EPS);
}

/**
 * sigmoid_bce:
 *   lossRows[r]    ε·Σ_k (2|z_k| + 2|z_k·y_k| + 8) + 2√C·ε·|row|   per element: max(z,0) − z·y cancels
 *                                                                 (y = 1, z ≫ 0), so absolute in |z|;
 *                                                                 log1p of exp(−|z|) ≤ 3ε; the row sum
 *                  measured 0.26 (0.25 now; masked rows 0.16)
 *   dlogits[r, k]  scale·ε·(4 + 2·σ(1 − σ)·(4 + 2|z|))             σ from exp(−|z|): its relative error
 *                                                                 times σ'/σ; − y and × scale
 *                  measured 0.38 (0.34 now; masked rows 0.35)
 */
export const SIGMOID_BCE = { loss: { z: 2, zy: 2, a0: 8, sqrtC: 2 }, dlogits: { a0: 4, slope: 2, s0: 4, sz: 2 } };
export function bceRowBound(z: ArrayLike<number>, y: ArrayLike<number>, off: number, C: number, row: number): number {
  const t = SIGMOID_BCE.loss;
  let s = 0;
  for (let k = 0; k < C; k++) s += t.z * Math.abs(z[off + k]!) + t.zy * Math.abs(z[off + k]! * y[off + k]!) + t.a0;
  return EPS * s + t.sqrtC * Math.sqrt(C) * EPS * Math.abs(row);
}
export function bceGradBound(scale: number, z: number): number {
  const t = SIGMOID_BCE.dlogits, sg = 1 / (1 + Math.exp(-z));
  return scale * EPS * (t.a0 + t.slope * sg * (1 - sg) * (t.s0 + t.sz * Math.abs(z)));
}

/**
 * mse_loss:
 *   lossRows[r]    ε·(4 + 2√C)·row        d = z − y rounds once (ε/2·|d|), d² once more, then a C-term
 *                                         f32 sum of positive terms (a random walk of roundings of the
 *                                         partial sums, each ≤ row): relative to the row
 *                  measured 0.25 (masked rows 0.22)
 *   dlogits[r, k]  4ε·scale·2·|d|         fl(z − y), then × (scale·2) with scale itself rounded to f32:
 *                                         three roundings of ε/2 relative; exact 0 where z = y
 *                  measured 0.33 (masked rows 0.29)
 */
export const MSE = { loss: { a0: 4, sqrtC: 2 }, dlogits: 4 };
export const mseRowBound = (C: number, row: number): number => EPS * (MSE.loss.a0 + MSE.loss.sqrtC * Math.sqrt(C)) * Math.abs(row);
export const mseGradBound = (scale: number, d: number): number => MSE.dlogits * EPS * scale * 2 * Math.abs(d);

// -------------------------------------------------------------------------------------------------
// Token and data movement kernels.

/**
 * embedding_gather and gather_rows: exact. They copy words (gather_rows as raw u32 words, so f32
 * NaN payloads and i32 ids alike), no arithmetic: compared bit for bit. Measured: exact.
 */
export const GATHER_EXACT = 0;

/**
 * embedding_backward, per element: |Δ| ≤ c·√n·ε·max_q |s_q|, n = the id's occurrences and s_q the
 * partial sums of its rows (in increasing row order, the kernel's and the twin's). A sequential
 * f32 sum of n terms rounds each partial sum once (ε/2·|s_q|); of random sign they add like a
 * random walk. n = 0 must give exactly 0 and n = 1 an exact copy (0 + x rounds nothing): bound 0
 * there. Measured 0.21 (the longest sum: one id at 95 % of 3030 rows).
 */
export const EMBEDDING_BACKWARD = { c: 2 };
export const embeddingBackwardBound = (n: number, maxPartial: number): number =>
  n <= 1 ? 0 : EMBEDDING_BACKWARD.c * Math.sqrt(n) * EPS * maxPartial;

// -------------------------------------------------------------------------------------------------
// The report: KERNEL_TOL_REPORT=1 prints, per test file, the worst ratio of every check.

/** Is KERNEL_TOL_REPORT=1 set (Node, or Deno's process global)? */
export const REPORT = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.KERNEL_TOL_REPORT === '1';

/**
 * The worst error/bound of each check of one test file. `note` keeps the worst ratio per key (a
 * failed check notes Infinity); `print` (call it in afterAll) writes them when KERNEL_TOL_REPORT=1.
 */
export class TolReport {
  private readonly worst = new Map<string, { ratio: number; where: string }>();

  constructor(readonly title: string) {}

  note(key: string, ratio: number, where = ''): void {
    const w = this.worst.get(key);
    if (!w || ratio > w.ratio || Number.isNaN(ratio)) this.worst.set(key, { ratio, where });
  }

  /** The worst ratio of a key so far (0 when none). */
  get(key: string): number {
    return this.worst.get(key)?.ratio ?? 0;
  }

  print(): void {
    if (!REPORT || this.worst.size === 0) return;
    const keys = [...this.worst.keys()].sort();
    const w = Math.max(...keys.map((k) => k.length));
    const rows = keys.map((k) => {
      const v = this.worst.get(k)!;
      const r = v.ratio > 0 && v.ratio < 1e-3 ? v.ratio.toExponential(2) : v.ratio.toFixed(4);
      return `  ${k.padEnd(w)}  ${r}${v.where ? `  (${v.where})` : ''}`;
    });
    console.log(`${this.title}: worst error / bound per check\n${rows.join('\n')}`);
  }
}
