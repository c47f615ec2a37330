import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { MAX_HEADER_BYTES, parseSafetensors, serializeSafetensors, type StTensor } from '../src/files/safetensors.js';

const W = 'test file t.safetensors';

/** A file built by hand: u64 LE header length, the header text as given, then the data bytes. */
function rawFile(header: string | object, data: ArrayLike<number> = [], declared?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(Array.from(data), 8 + json.length);
  return out;
}

/** The little-endian bytes of float32 values, written with DataView (not with a typed array view). */
function f32Bytes(values: number[]): number[] {
  const dv = new DataView(new ArrayBuffer(4 * values.length));
  values.forEach((v, i) => dv.setFloat32(4 * i, v, true));
  return Array.from(new Uint8Array(dv.buffer));
}

function parseError(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes, W);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg.startsWith(`${W}: `)).toBe(true);
    return msg;
  }
  throw new Error('expected parseSafetensors to throw');
}

const sample = (): Array<[string, StTensor]> => [
  ['weights', { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, -2.5, 3.25, 0, -0, 1e-30]) }],
  ['scalar64', { dtype: 'F64', shape: [], data: new Float64Array([Math.PI]) }],
  ['ids', { dtype: 'I32', shape: [4], data: new Int32Array([0, -1, 2147483647, -2147483648]) }],
  ['empty', { dtype: 'F64', shape: [0, 5], data: new Float64Array(0) }],
  ['odd', { dtype: 'F64', shape: [1, 1, 3], data: new Float64Array([1 / 3, -1e300, 5e-324]) }],
  ['special', { dtype: 'F32', shape: [3], data: new Float32Array([NaN, Infinity, -Infinity]) }],
];

describe('serializeSafetensors: byte-exact format', () => {
  it('writes one F32 scalar exactly as the format says', () => {
    const bytes = serializeSafetensors([['a', { dtype: 'F32', shape: [], data: new Float32Array([1.5]) }]]);
    const header = '{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}'; // 53 bytes → padded to 56
    expect(header.length).toBe(53);
    const expected = [
      56, 0, 0, 0, 0, 0, 0, 0, // u64 LE header length
      ...Array.from(header, (ch) => ch.charCodeAt(0)),
      0x20, 0x20, 0x20, // space padding to a multiple of 8
      0x00, 0x00, 0xc0, 0x3f, // 1.5f, little-endian
    ];
    expect(Array.from(bytes)).toEqual(expected);
  });

  it('lays out header, padding and data as the format says (parsed by hand)', () => {
    const tensors = sample();
    const bytes = serializeSafetensors(tensors, { format: 'demo', note: 'ünïcödé' });
    // Header length: 8 bytes, little-endian, read byte by byte.
    let n = 0;
    for (let i = 7; i >= 0; i--) n = n * 256 + bytes[i]!;
    expect(n % 8).toBe(0);
    const headerBytes = bytes.subarray(8, 8 + n);
    const text = new TextDecoder().decode(headerBytes);
    // Padding is spaces only, after the JSON object.
    const close = text.lastIndexOf('}');
    expect(text.slice(close + 1)).toMatch(/^ {0,7}$/);
    const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    // __metadata__ first, then the tensors in the order given.
    expect(Object.keys(header)).toEqual(['__metadata__', ...tensors.map(([name]) => name)]);
    expect(header.__metadata__).toEqual({ format: 'demo', note: 'ünïcödé' });
    const data = bytes.subarray(8 + n);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    let cursor = 0;
    for (const [name, t] of tensors) {
      const e = header[name]!;
      expect(e.dtype).toBe(t.dtype);
      expect(e.shape).toEqual(t.shape);
      // Contiguous, in order, no gaps.
      expect(e.data_offsets).toEqual([cursor, cursor + t.data.byteLength]);
      const w = t.dtype === 'F64' ? 8 : 4;
      for (let i = 0; i < t.data.length; i++) {
        const at = cursor + i * w;
        const v = t.dtype === 'F32' ? dv.getFloat32(at, true) : t.dtype === 'F64' ? dv.getFloat64(at, true) : dv.getInt32(at, true);
        expect(Object.is(v, t.data[i]!)).toBe(true);
      }
      cursor += t.data.byteLength;
    }
    expect(cursor).toBe(data.length);
  });

  it('omits __metadata__ when there is none', () => {
    const bytes = serializeSafetensors(new Map([['x', { dtype: 'I32', shape: [1], data: new Int32Array([7]) } as StTensor]]));
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)))).toEqual({
      x: { dtype: 'I32', shape: [1], data_offsets: [0, 4] },
    });
  });
});

describe('parseSafetensors: round trips', () => {
  it('reads back F32, F64, I32, scalars, empty tensors, special values and metadata', () => {
    const tensors = sample();
    // fromEntries makes "__proto__" an own key (an object literal would set the prototype).
    const meta = Object.fromEntries([['format', 'demo'], ['empty', ''], ['__proto__', 'plain data']]) as Record<string, string>;
    const { tensors: back, metadata } = parseSafetensors(serializeSafetensors(tensors, meta), W);
    expect(Object.keys(metadata).sort()).toEqual(['__proto__', 'empty', 'format']);
    expect(metadata.format).toBe('demo');
    expect(metadata.empty).toBe('');
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('plain data');
    expect([...back.keys()]).toEqual(tensors.map(([n]) => n));
    for (const [name, t] of tensors) {
      const b = back.get(name)!;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect(b.data.constructor).toBe(t.data.constructor);
      expect(Array.from(b.data).map((v) => Object.is(v, -0) ? '-0' : v))
        .toEqual(Array.from(t.data).map((v) => Object.is(v, -0) ? '-0' : v));
    }
  });

  it('reads a file at any byte alignment into aligned arrays', () => {
    const bytes = serializeSafetensors(sample());
    for (const shift of [1, 2, 3, 5, 7]) {
      const buf = new Uint8Array(bytes.length + shift);
      buf.set(bytes, shift);
      const { tensors } = parseSafetensors(buf.subarray(shift), W);
      const odd = tensors.get('odd')!;
      expect(odd.data.byteOffset % 8).toBe(0);
      expect(Array.from(odd.data)).toEqual([1 / 3, -1e300, 5e-324]);
      expect(Array.from(tensors.get('ids')!.data)).toEqual([0, -1, 2147483647, -2147483648]);
    }
  });

  it('copies the data: changing the input afterwards changes nothing', () => {
    const bytes = serializeSafetensors([['a', { dtype: 'F32', shape: [1], data: new Float32Array([2]) }]]);
    const { tensors } = parseSafetensors(bytes, W);
    bytes.fill(0);
    expect(tensors.get('a')!.data[0]).toBe(2);
  });

  it('reads files from other writers: any key order, metadata last, unpadded header, whitespace', () => {
    const header =
      '{ "b" : {"shape":[2],"dtype":"I32","data_offsets":[4,12]},\n "a":{"data_offsets":[0,4],"dtype":"F32","shape":[]},' +
      '"__metadata__":{"k":"v"} }';
    const data = [...f32Bytes([-3]), 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff];
    const { tensors, metadata } = parseSafetensors(rawFile(header, data), W);
    expect(metadata).toEqual({ k: 'v' });
    expect([...tensors.keys()]).toEqual(['a', 'b']); // in data order
    expect(Array.from(tensors.get('a')!.data)).toEqual([-3]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1, -1]);
  });

  it('reads an empty file (header {} only)', () => {
    const { tensors, metadata } = parseSafetensors(rawFile('{}'), W);
    expect(tensors.size).toBe(0);
    expect(metadata).toEqual({});
  });

  it('keeps tensor names as given, including "__proto__" and unicode', () => {
    const names = ['__proto__', 'constructor', 'ß.weight', 'a"b\\c'];
    const bytes = serializeSafetensors(names.map((n, i) => [n, { dtype: 'I32', shape: [], data: new Int32Array([i]) }] as [string, StTensor]));
    const { tensors } = parseSafetensors(bytes, W);
    expect([...tensors.keys()]).toEqual(names);
    expect(tensors.get('a"b\\c')!.data[0]).toBe(3);
  });
});

describe('parseSafetensors: refuses hostile and invalid files', () => {
  const good = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const goodData = f32Bytes([1, 2]);

  it('a file shorter than the length field', () => {
    expect(parseError(new Uint8Array(5))).toMatch(/expected at least 8 bytes.*received 5/);
  });

  it('a header length over the limit or past the end of the file', () => {
    expect(parseError(rawFile(good, goodData, 2n ** 64n - 1n))).toMatch(
      new RegExp(`header length 18446744073709551615 exceeds the limit of ${MAX_HEADER_BYTES}`),
    );
    expect(parseError(rawFile(good, goodData, BigInt(MAX_HEADER_BYTES) + 1n))).toMatch(/exceeds the limit/);
    const f = rawFile(good, goodData);
    expect(parseError(rawFile(good, goodData, BigInt(f.length - 7)))).toMatch(
      new RegExp(`header length ${f.length - 7} exceeds the ${f.length - 8} bytes after the length field`),
    );
  });

  it('a header that is not UTF-8, not JSON, or not an object', () => {
    const bad = rawFile('{"a":1}');
    bad[10] = 0xff;
    expect(parseError(bad)).toMatch(/header is not valid UTF-8/);
    expect(parseError(rawFile('{"a":'))).toMatch(/header is not valid JSON/);
    expect(parseError(rawFile('[1,2]'))).toMatch(/header expected a JSON object, received an array/);
    expect(parseError(rawFile('42'))).toMatch(/header expected a JSON object, received 42/);
    expect(parseError(rawFile('null'))).toMatch(/received null/);
    // NUL padding is not JSON whitespace.
    expect(parseError(rawFile('{}\0\0\0\0\0\0'))).toMatch(/not valid JSON/);
  });

  it('duplicate keys, which JSON.parse would silently drop', () => {
    const h = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(parseError(rawFile(h, goodData))).toMatch(/header has the key "a" twice/);
    const nested = '{"a":{"dtype":"F32","shape":[2],"dtype":"I32","data_offsets":[0,8]}}';
    expect(parseError(rawFile(nested, goodData))).toMatch(/key "dtype" twice/);
    // Same key in different objects, and keys with escapes, are fine.
    const ok = '{"a\\u0062":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},' +
      '"__metadata__":{"a\\"b":"[{\\"x\\":1}]","shape":"}"}}';
    expect([...parseSafetensors(rawFile(ok, goodData), W).tensors.keys()]).toEqual(['ab', 'b']);
    // An escaped key equal to another one is still a duplicate.
    const esc = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"\\u0061":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    expect(parseError(rawFile(esc, goodData))).toMatch(/key "a" twice/);
  });

  it('an entry that is not an object, or has unknown fields', () => {
    expect(parseError(rawFile({ a: [1, 2] }))).toMatch(/tensor "a": expected a header entry \{dtype, shape, data_offsets\}, received \[1,2\]/);
    expect(parseError(rawFile({ a: { ...good.a, offset: 3 } }, goodData))).toMatch(/tensor "a": unexpected header field "offset"/);
  });

  it('an unsupported or missing dtype, naming the tensor and the dtype', () => {
    const m = parseError(rawFile({ 'lstm.weight_ih_l0': { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, [0, 0, 0, 0]));
    expect(m).toBe(`${W}: tensor "lstm.weight_ih_l0": unsupported dtype "F8_E4M3" (supported: F16, BF16, F32, F64, I32, I64)`);
    expect(parseError(rawFile({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }, goodData))).toMatch(/unsupported dtype "U8"/);
    expect(parseError(rawFile({ a: { dtype: 7, shape: [8], data_offsets: [0, 8] } }, goodData))).toMatch(/unsupported dtype 7 /);
    expect(parseError(rawFile({ a: { shape: [2], data_offsets: [0, 8] } }, goodData))).toMatch(/tensor "a": missing "dtype"/);
  });

  it('a shape that is not an array of non-negative integers', () => {
    for (const shape of [[-1], [1.5], ['2'], 2, null, [2 ** 53]]) {
      expect(parseError(rawFile({ a: { dtype: 'F32', shape, data_offsets: [0, 8] } }, goodData))).toMatch(
        /tensor "a": expected "shape" to be an array of non-negative integers, received/,
      );
    }
  });

  it('a shape whose element count overflows', () => {
    const shape = [2 ** 30, 2 ** 30, 2 ** 30];
    expect(parseError(rawFile({ a: { dtype: 'F32', shape, data_offsets: [0, 8] } }, goodData))).toMatch(
      /tensor "a": shape \[1073741824, 1073741824, 1073741824\] has more than 2\^53 elements/,
    );
    // A zero dimension makes any shape empty, without overflow.
    const { tensors } = parseSafetensors(rawFile({ a: { dtype: 'F32', shape: [0, 2 ** 40, 2 ** 40], data_offsets: [0, 0] } }), W);
    expect(tensors.get('a')!.data.length).toBe(0);
  });

  it('data_offsets of the wrong form, reversed, or outside the data section', () => {
    for (const off of [[0], [0, 8, 9], [-4, 8], [0, 8.5], '0,8', [0, '8']]) {
      expect(parseError(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: off } }, goodData))).toMatch(
        /tensor "a": expected "data_offsets" to be \[begin, end\], two non-negative integers/,
      );
    }
    expect(parseError(rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, goodData))).toMatch(
      /expected data_offsets begin <= end, received \[8, 4\]/,
    );
    expect(parseError(rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }, goodData))).toMatch(
      /tensor "a": data_offsets \[0, 12\] lie outside the data section of 8 bytes/,
    );
    expect(parseError(rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [2 ** 52, 2 ** 52 + 8] } }, goodData))).toMatch(
      /lie outside the data section/,
    );
  });

  it('a byte size that does not match dtype × shape', () => {
    expect(parseError(rawFile({ a: { dtype: 'F64', shape: [2], data_offsets: [0, 8] } }, goodData))).toBe(
      `${W}: tensor "a": F64 shape [2] needs 16 bytes, received data_offsets [0, 8] (8 bytes)`,
    );
    expect(parseError(rawFile({ a: { dtype: 'F32', shape: [], data_offsets: [0, 8] } }, goodData))).toMatch(
      /F32 shape \[\] needs 4 bytes/,
    );
  });

  it('overlapping tensors, holes and trailing bytes', () => {
    const overlap = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
    };
    expect(parseError(rawFile(overlap, goodData))).toMatch(
      /tensor "b" at data_offsets \[4, 8\] overlaps tensor "a" at \[0, 8\]/,
    );
    const same = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'I32', shape: [2], data_offsets: [0, 8] },
    };
    expect(parseError(rawFile(same, goodData))).toMatch(/overlaps/);
    const hole = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(parseError(rawFile(hole, goodData))).toMatch(/unused bytes \[0, 4\) before tensor "a"/);
    const trailing = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
    expect(parseError(rawFile(trailing, goodData))).toMatch(/tensors cover 4 bytes of data, received a data section of 8 bytes/);
    // Empty tensors may share an offset with each other and with a neighbour's end.
    const empties = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F64', shape: [0], data_offsets: [8, 8] },
      c: { dtype: 'I32', shape: [3, 0], data_offsets: [8, 8] },
    };
    expect(parseSafetensors(rawFile(empties, goodData), W).tensors.size).toBe(3);
  });

  it('__metadata__ that is not an object of strings', () => {
    expect(parseError(rawFile({ __metadata__: { version: 1 } }))).toMatch(
      /"__metadata__" value "version" expected a string, received 1/,
    );
    expect(parseError(rawFile({ __metadata__: ['a'] }))).toMatch(/"__metadata__" expected an object of strings, received \["a"\]/);
    expect(parseError(rawFile({ __metadata__: { nested: { a: 'b' } } }))).toMatch(/value "nested" expected a string/);
  });
});

describe('serializeSafetensors: refuses what it cannot write', () => {
  const f32 = (n: number): StTensor => ({ dtype: 'F32', shape: [n], data: new Float32Array(n) });
  it('a dtype that does not match the array, a wrong length, a bad or duplicate name', () => {
    expect(() => serializeSafetensors([['a', { dtype: 'F32', shape: [1], data: new Float64Array(1) }]])).toThrow(
      /tensor "a": dtype F32 expected a Float32Array, received Float64Array/,
    );
    expect(() => serializeSafetensors([['a', { dtype: 'U8' as never, shape: [1], data: new Float32Array(1) }]])).toThrow(
      /unsupported dtype "U8"/,
    );
    expect(() => serializeSafetensors([['a', { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }]])).toThrow(
      /tensor "a": shape \[2, 2\] expected 4 elements, received 3/,
    );
    expect(() => serializeSafetensors([['a', { dtype: 'F32', shape: [-1], data: new Float32Array(1) }]])).toThrow(
      /expected a shape of at most 64 non-negative integers/,
    );
    expect(() => serializeSafetensors([['a', f32(1)], ['a', f32(2)]])).toThrow(/tensor name "a" is used twice/);
    expect(() => serializeSafetensors([['__metadata__', f32(1)]])).toThrow(/"__metadata__" is reserved/);
    expect(() => serializeSafetensors([], { a: 1 as never })).toThrow(/metadata value "a" expected a string, received 1/);
  });

  it('writes views of larger buffers correctly (subarrays at an offset)', () => {
    const big = new Float64Array([9, 8, 7, 6, 5]);
    const bytes = serializeSafetensors([['v', { dtype: 'F64', shape: [2], data: big.subarray(2, 4) }]]);
    expect(Array.from(parseSafetensors(bytes, W).tensors.get('v')!.data)).toEqual([7, 6]);
  });
});

/**
 * Issue 8, defects 10 and 11: hostile headers get a short one-line InputError, never a crash or a
 * message that echoes the file. Each file is built in memory.
 */
describe('parseSafetensors: hostile headers get short messages', () => {
  const MAX_MESSAGE = 400;
  function shortError(bytes: Uint8Array): string {
    const msg = parseError(bytes);
    expect(msg.length).toBeLessThan(MAX_MESSAGE);
    expect(msg).not.toMatch(/\n/);
    return msg;
  }
  /** A header of `prefix`, `n` copies of `ch`, then `suffix`, written straight into the file's bytes. */
  function bigHeader(prefix: string, ch: string, n: number, suffix: string, data: ArrayLike<number> = []): Uint8Array {
    const p = new TextEncoder().encode(prefix), s = new TextEncoder().encode(suffix);
    const len = p.length + n + s.length;
    const out = new Uint8Array(8 + len + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(len), true);
    out.set(p, 8);
    out.fill(ch.charCodeAt(0), 8 + p.length, 8 + p.length + n);
    out.set(s, 8 + p.length + n);
    out.set(Array.from(data), 8 + len);
    return out;
  }

  it('a __metadata__ nested 200,000 deep: a clear refusal, not "Maximum call stack size exceeded"', () => {
    const depth = 200_000;
    const text = `{"__metadata__":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const msg = shortError(rawFile(text));
    expect(msg).not.toMatch(/call stack/i);
    expect(msg).toMatch(/nest/);
    expect(msg).toBe(`${W}: header nests deeper than 64 levels under "__metadata__" (at character 79 of the header; a safetensors header nests 3 deep)`);
    // 64 levels are parsed (and then refused for what they are, not for their depth).
    expect(shortError(rawFile(`{"__metadata__":${'['.repeat(63)}${']'.repeat(63)}}`))).toMatch(/"__metadata__" expected an object of strings, received \[\[\[/);
    // Deep objects too, and deep nesting inside an entry.
    expect(shortError(rawFile(`{"a":${'{"b":'.repeat(depth)}1${'}'.repeat(depth)}}`))).toMatch(/nest/);
  });

  it('a 50 MB dtype is quoted cut, with its length', () => {
    const n = 50_000_000;
    const msg = shortError(bigHeader('{"a":{"dtype":"', 'X', n, '","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]));
    expect(msg).toMatch(/tensor "a": unsupported dtype "XXXX/);
    expect(msg).toContain(`(${n} characters)`);
  });

  it('a 50 MB tensor name is quoted cut, with its length', () => {
    const n = 50_000_000;
    const msg = shortError(bigHeader('{"', 'n', n, '":{"dtype":"Q7","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]));
    expect(msg).toMatch(/tensor "nnnn/);
    expect(msg).toContain(`(${n} characters)`);
  });

  it('a shape of 10,000,000 dimensions is shown with a few of them and its rank', () => {
    const n = 10_000_000;
    const dims = '1,'.repeat(n - 1);
    const msg = shortError(bigHeader('{"a":{"dtype":"F32","shape":[', ' ', 0, `${dims}1],"data_offsets":[0,4]}}`, [0, 0, 0, 0]));
    expect(msg).toMatch(/tensor "a"/);
    expect(msg).toContain(`${n} dimensions`);
    expect(msg).toBe(`${W}: tensor "a": "shape" [1,1,1,1,1,1,1,1,1,1,1,1… has ${n} dimensions, more than the limit of 64`);
    // Rank 64 is read; rank 65 is refused.
    const ones = (k: number) => Array(k).fill(1).join(',');
    expect(parseSafetensors(rawFile(`{"a":{"dtype":"F32","shape":[${ones(64)}],"data_offsets":[0,4]}}`, [0, 0, 0, 0]), W).tensors.get('a')!.shape.length).toBe(64);
    expect(shortError(rawFile(`{"a":{"dtype":"F32","shape":[${ones(65)}],"data_offsets":[0,4]}}`, [0, 0, 0, 0]))).toMatch(/has 65 dimensions, more than the limit of 64/);
    // A shape of wrong values, and data_offsets of 10M entries, also stay short.
    expect(shortError(rawFile(`{"a":{"dtype":"F32","shape":[${'-1,'.repeat(100_000)}1],"data_offsets":[0,4]}}`, [0, 0, 0, 0]))).toMatch(/tensor "a"/);
    expect(shortError(rawFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[${'0,'.repeat(1_000_000)}4]}}`, [0, 0, 0, 0]))).toMatch(/data_offsets/);
  });

  it('other echoed content is bounded: entries, metadata values, duplicate keys', () => {
    const long = 'z'.repeat(1_000_000);
    expect(shortError(rawFile({ a: [long] }))).toMatch(/tensor "a": expected a header entry/);
    expect(shortError(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4], [long]: 1 } }, [0, 0, 0, 0]))).toMatch(/unexpected header field "zzz/);
    expect(shortError(rawFile({ __metadata__: { k: [long] } }))).toMatch(/value "k" expected a string/);
    expect(shortError(rawFile({ __metadata__: long }))).toMatch(/"__metadata__" expected an object of strings/);
    expect(shortError(rawFile(`{"${long}":1,"${long}":2}`))).toMatch(/twice/);
    expect(shortError(rawFile(long))).toMatch(/not valid JSON/);
  });
});
