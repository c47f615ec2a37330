// gather_rows: a batch of sequences gathered on the GPU from a dataset uploaded once (model.fit),
// as raw 32-bit words, so one kernel serves f32 features, i32 token ids, class ids and lengths.
// Twin: gatherRows in src/reference/gatherRows.ts.
//
//   element (b, e) of the batch, e < W (W words per sequence in the dataset: T·I, T, T·w or 1):
//     timeMajor = 0:  out[b·W + e]                     = src[srcOffset + idx[b]·W + e]
//     timeMajor = 1:  out[((e / w)·B + b)·w + e % w]   = src[srcOffset + idx[b]·W + e]
//   (timeMajor puts a [B, T, w] batch in the head's time-major row order t·B + b, as the loss
//   kernels read targets of outputs 'all'.)
//
// idx: [B] i32 dataset rows (checked on the host); src: the dataset's words; out: the plan's buffer.
// One invocation owns one word of out; element = gid.x + gid.y·(num_workgroups.x·WG) over B·W,
// guarded. No barriers.
struct Params { B: u32, W: u32, w: u32, timeMajor: u32, srcOffset: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read> src: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = gid.x + gid.y * nwg.x * WG;
  let W = params.W;
  let B = params.B;
  if (n >= B * W) { return; }
  let b = n / W;
  let e = n % W;
  let value = src[params.srcOffset + u32(idx[b]) * W + e];
  if (params.timeMajor == 0u) {
    out[n] = value;
  } else {
    let w = params.w;
    out[((e / w) * B + b) * w + e % w] = value;
  }
}
