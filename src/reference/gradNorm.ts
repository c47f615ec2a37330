/**
 * Global gradient norm and clipping over the one flat gradient buffer, as
 * torch.nn.utils.clip_grad_norm_ (norm_type 2) defines them:
 *
 *   norm = ‖g‖₂;  coef = maxNorm / (norm + 1e-6);  g ← coef·g  only when coef < 1
 *
 * So a gradient just at maxNorm is scaled by maxNorm/(maxNorm + 1e-6), very slightly, as in PyTorch.
 */
import { InputError } from '../errors.js';
import { show } from '../checks/options.js';

/** PyTorch's guard against dividing by a zero norm, added to the norm before dividing. */
export const CLIP_EPS = 1e-6;

/**
 * ‖g‖₂ computed robustly: the sum of squares of g/max|g|, times max|g|, so that neither huge
 * (overflowing squares) nor tiny (underflowing squares) gradients lose their norm.
 * NaN if any element is NaN; Infinity if any is infinite; 0 for an empty or all-zero buffer.
 */
export function gradNorm(grads: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < grads.length; i++) {
    const a = Math.abs(grads[i]!);
    if (Number.isNaN(a)) return NaN;
    if (a > scale) scale = a;
  }
  if (scale === 0 || scale === Infinity) return scale;
  let sum = 0;
  for (let i = 0; i < grads.length; i++) {
    const r = grads[i]! / scale;
    sum += r * r;
  }
  return scale * Math.sqrt(sum);
}

/**
 * Clip in place to a global L2 norm of maxNorm (a positive finite number). Returns the norm before
 * clipping and the factor applied (1 when not clipped). A NaN norm leaves the buffer as it is (coef
 * is NaN, not < 1); an infinite one multiplies by 0, as PyTorch's clamp(coef, max=1) would.
 */
export function clipGradNorm(grads: Float64Array, maxNorm: number): { norm: number; scale: number } {
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new InputError(`clipGradNorm: maxNorm must be a positive finite number, received ${show(maxNorm)}`);
  }
  const norm = gradNorm(grads);
  const coef = maxNorm / (norm + CLIP_EPS);
  if (!(coef < 1)) return { norm, scale: 1 };
  for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! * coef;
  return { norm, scale: coef };
}
