/**
 * 16-bit floats as safetensors stores them (PyTorch's `float16` and `bfloat16`), widened exactly to
 * float32: every F16 and every BF16 value is a float32 value, so the reader never rounds.
 *
 *   F16  (IEEE binary16): sign 1, exponent 5 (bias 15), mantissa 10.
 *        normal: (−1)^s · 2^(e−15) · (1 + m/1024);  e = 0: (−1)^s · 2^−14 · m/1024 (subnormal);
 *        e = 31: ±Infinity (m = 0) or NaN.
 *   BF16 (bfloat16): the high 16 bits of a float32, so widening is a shift by 16 (NaN payloads kept).
 *
 * The writer's direction only encodes values the format holds exactly (it returns null otherwise),
 * so a file written from an array reads back to the same array; no rounding mode is chosen here.
 */

let f16Table: Float32Array | null = null;

/** All 65,536 F16 values, built once from the formula above. */
function table(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    t[h] = e === 0 ? sign * m * 2 ** -24
      : e === 31 ? (m === 0 ? sign * Infinity : NaN)
      : sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  f16Table = t;
  return t;
}

/** F16 bit patterns → their values, exactly. */
export function f16ToFloat32(bits: Uint16Array): Float32Array {
  const t = table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]!]!;
  return out;
}

/** BF16 bit patterns → their values, exactly (each is the high half of a float32). */
export function bf16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i]! << 16;
  return out;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The BF16 bits of v, or null when v is not a BF16 value (NaN is written as the quiet NaN 0x7fc0). */
export function float32ToBf16Exact(v: number): number | null {
  if (Number.isNaN(v)) return 0x7fc0;
  scratch[0] = v;
  if (scratch[0] !== v) return null;
  const w = scratchBits[0]!;
  return (w & 0xffff) === 0 ? w >>> 16 : null;
}

/** The F16 bits of v, or null when v is not an F16 value (NaN is written as the quiet NaN 0x7e00). */
export function float32ToF16Exact(v: number): number | null {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -14) {
    // Subnormal: a = m · 2^−24 with m an integer in [1, 1023].
    const m = a * 2 ** 24;
    return Number.isInteger(m) ? sign | m : null;
  }
  let e = Math.floor(Math.log2(a));
  // log2 may be off by one next to a power of two: settle 2^e ≤ a < 2^(e+1) exactly.
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (e > 15) return null;
  const m = (a / 2 ** e - 1) * 1024;
  return Number.isInteger(m) ? sign | ((e + 15) << 10) | m : null;
}
