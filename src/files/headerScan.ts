/**
 * One pass over a safetensors header's JSON text, before and after JSON.parse, for what JSON.parse
 * does not check (issue 8, defect 10):
 *
 * - nesting: a safetensors header nests 3 deep (header → entry → shape); past MAX_NESTING the text
 *   is refused before it is parsed, so no later step (a message that prints the value, a check
 *   that walks it) meets a value 200,000 levels deep;
 * - array length: the only arrays of a header are shapes (rank at most MAX_RANK) and data_offsets
 *   (2 entries), so an array of more than MAX_RANK entries is refused before JSON.parse builds it
 *   (a 10-million-dimension shape would cost hundreds of MB as a JavaScript array);
 * - duplicate keys: JSON.parse keeps the last of two equal keys silently, so a file could show one
 *   reader one tensor and another reader another; reported only once the text is known to parse.
 *
 * The scan tracks only strings and brackets, never runs past the end of the text (it is safe on
 * malformed JSON, which JSON.parse then reports), and allocates per key and per open bracket only.
 */

/** Deeper than this is refused; a valid header needs 3. */
export const MAX_NESTING = 64;
/** The most entries of any header array, hence the largest rank of a shape. */
export const MAX_RANK = 64;

export type ScanProblem =
  | { kind: 'nesting'; at: number; path: string[] }
  | { kind: 'array'; at: number; path: string[]; entries: number; closed: boolean; first: string };

export interface ScanResult {
  /** A problem to report before JSON.parse, or null. */
  problem: ScanProblem | null;
  /** The first key that appears twice inside one object (to report after JSON.parse), or null. */
  duplicate: string | null;
}

interface Open {
  /** Keys seen so far in an object, or null for an array. */
  keys: Set<string> | null;
  /** The key under which this container sits in its parent object (null at the top or in an array). */
  key: string | null;
  /** Commas seen so far in an array. */
  entries: number;
  start: number;
}

/** Index of the closing quote of the string starting at `i` (a quote), or text.length if unterminated. */
function stringEnd(text: string, i: number): { end: number; escaped: boolean } {
  let escaped = false;
  let j = i + 1;
  while (j < text.length) {
    const ch = text.charCodeAt(j);
    if (ch === 0x22 /* " */) break;
    if (ch === 0x5c /* \ */) {
      escaped = true;
      j += 2;
      continue;
    }
    j++;
  }
  return { end: Math.min(j, text.length), escaped };
}

/** The key's value (decoded if it has escapes); a string that does not decode is kept as written. */
function keyValue(text: string, i: number, end: number, escaped: boolean): string {
  if (!escaped) return text.slice(i + 1, end);
  try {
    return JSON.parse(text.slice(i, end + 1)) as string;
  } catch {
    return text.slice(i + 1, end);
  }
}

/** Scan a header's text; see the file comment. */
export function scanHeader(text: string): ScanResult {
  const stack: Open[] = [];
  let expectKey = false;
  // The last key read in the innermost object: the key of a container that follows it.
  let lastKey: string | null = null;
  let duplicate: string | null = null;
  const path = (): string[] => stack.map((o) => o.key).filter((k): k is string => k !== null);

  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (ch === 0x22 /* " */) {
      const { end, escaped } = stringEnd(text, i);
      if (expectKey && top?.keys) {
        const key = keyValue(text, i, end, escaped);
        if (duplicate === null && top.keys.has(key)) duplicate = key;
        top.keys.add(key);
        lastKey = key;
        expectKey = false;
      }
      i = end;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      stack.push({ keys: ch === 0x7b ? new Set() : null, key: top?.keys ? lastKey : null, entries: 0, start: i });
      if (stack.length > MAX_NESTING) return { problem: { kind: 'nesting', at: i, path: path() }, duplicate };
      expectKey = ch === 0x7b;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (ch === 0x2c /* , */) {
      if (top && !top.keys && ++top.entries >= MAX_RANK) return { problem: longArray(text, top, path()), duplicate };
      expectKey = top?.keys != null;
    }
  }
  return { problem: null, duplicate };
}

/** Count the entries of an over-long array without building it (one pass over that array only). */
function longArray(text: string, open: Open, path: string[]): ScanProblem {
  let commas = 0;
  let depth = 0;
  let closed = false;
  for (let i = open.start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      i = stringEnd(text, i).end;
    } else if (ch === 0x7b || ch === 0x5b) {
      depth++;
    } else if (ch === 0x7d || ch === 0x5d) {
      if (depth === 0) {
        closed = true;
        break;
      }
      depth--;
    } else if (ch === 0x2c && depth === 0) {
      commas++;
    }
  }
  return { kind: 'array', at: open.start, path, entries: commas + 1, closed, first: text.slice(open.start, open.start + 48) };
}
