/**
 * Bounded renderings of untrusted content for error messages. A file can hold a 50 MB tensor
 * name, a 10-million-dimension shape or a header nested 200,000 levels deep; an error message
 * quotes at most a few dozen characters of any of them and says how much it left out, so every
 * message stays one short line and costs no memory worth the name (issue 8, defects 10 and 11).
 *
 * Every function here does work proportional to its budget, not to its input: strings are cut
 * before they are escaped, arrays and objects are walked only until the budget is spent, and the
 * walk stops at a fixed depth, so nothing recurses without bound or copies a large input.
 */

/** The most characters of one string that a message quotes. */
export const QUOTE_CHARS = 60;
/** The most dimensions of a shape that a message shows. */
export const SHAPE_DIMS = 8;
/** The most names that a list in a message shows. */
export const LIST_ITEMS = 12;

/**
 * A string as JSON quotes it, cut to `maxChars` characters of content, with the full length
 * noted when cut: `"lstm.weight_ih_l0"`, or `"aaaa…aaa"… (50000000 characters)`.
 */
export function quote(s: string, maxChars = QUOTE_CHARS): string {
  if (s.length <= maxChars) return JSON.stringify(s);
  return `${JSON.stringify(s.slice(0, maxChars))}… (${s.length} characters)`;
}

/**
 * A shape as `[2, 3]`; past `maxDims` dimensions `[1, 1, …, 1] (10000000 dimensions)`: the first
 * dimensions and the last one. Entries that are not numbers are shown with preview().
 */
export function previewShape(shape: ArrayLike<unknown>, maxDims = SHAPE_DIMS): string {
  const n = shape.length;
  const show = (d: unknown): string => (typeof d === 'number' ? String(d) : preview(d, 20));
  if (n <= maxDims) {
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(show(shape[i]));
    return `[${parts.join(', ')}]`;
  }
  const parts: string[] = [];
  for (let i = 0; i < maxDims - 1; i++) parts.push(show(shape[i]));
  return `[${parts.join(', ')}, …, ${show(shape[n - 1])}] (${n} dimensions)`;
}

/** Names as `a, b, c`; past `maxItems`, `a, b, … and 40 more`; each name cut as quote() cuts. */
export function previewList(names: Iterable<string>, maxItems = LIST_ITEMS, maxChars = QUOTE_CHARS): string {
  const shown: string[] = [];
  let more = 0;
  for (const name of names) {
    if (shown.length < maxItems) shown.push(name.length <= maxChars ? name : `${name.slice(0, maxChars)}… (${name.length} characters)`);
    else more++;
  }
  if (shown.length === 0) return 'none';
  return more === 0 ? shown.join(', ') : `${shown.join(', ')}, … and ${more} more`;
}

/** Collects output up to a budget; once the budget is spent everything else is dropped. */
class Budget {
  private readonly parts: string[] = [];
  private used = 0;
  full = false;
  constructor(private readonly max: number) {}

  push(s: string): void {
    if (this.full) return;
    if (this.used + s.length > this.max) {
      this.parts.push(s.slice(0, this.max - this.used));
      this.used = this.max;
      this.full = true;
      return;
    }
    this.parts.push(s);
    this.used += s.length;
  }

  text(): string {
    const s = this.parts.join('');
    return this.full ? `${s}…` : s;
  }
}

/** Deeper than this, a value is shown as `[…]` or `{…}` (a budget of 80 never gets this far). */
const MAX_DEPTH = 16;

function render(v: unknown, out: Budget, depth: number): void {
  if (out.full) return;
  switch (typeof v) {
    case 'string':
      out.push(quote(v, 40));
      return;
    case 'number':
    case 'boolean':
    case 'bigint':
      out.push(String(v));
      return;
    case 'undefined':
      out.push('undefined');
      return;
    case 'function':
      out.push('a function');
      return;
    case 'symbol':
      out.push(v.toString());
      return;
  }
  if (v === null) {
    out.push('null');
    return;
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = v as ArrayLike<unknown>;
    if (depth >= MAX_DEPTH) {
      out.push('[…]');
      return;
    }
    out.push('[');
    for (let i = 0; i < a.length && !out.full; i++) {
      if (i > 0) out.push(',');
      render(a[i], out, depth + 1);
    }
    out.push(']');
    return;
  }
  if (depth >= MAX_DEPTH) {
    out.push('{…}');
    return;
  }
  out.push('{');
  let first = true;
  // for…in stops when the budget is spent; Object.keys would list a million keys first.
  for (const k in v as Record<string, unknown>) {
    if (out.full) break;
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (!first) out.push(',');
    first = false;
    out.push(`${quote(k, 40)}:`);
    let inner: unknown;
    try {
      inner = (v as Record<string, unknown>)[k];
    } catch {
      inner = '(unreadable)';
    }
    render(inner, out, depth + 1);
  }
  out.push('}');
}

/**
 * Any value as compact JSON within `maxChars` characters (plus a closing `…` when cut): safe on
 * deep, wide, cyclic or huge values. Numbers print as JavaScript prints them (NaN, Infinity).
 */
export function preview(value: unknown, maxChars = 80): string {
  const out = new Budget(maxChars);
  render(value, out, 0);
  return out.text();
}
