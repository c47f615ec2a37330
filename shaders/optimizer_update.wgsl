// optimizer_update: one step of any of the optimizers over the one flat parameter buffer, in place,
// with PyTorch's definitions (torch.optim). One invocation owns element i: it reads p[i], g[i] and
// its own slots of state1/state2 and writes them back, so there is nothing to synchronise.
//
// Every kind starts from the clipped, L2-decayed gradient (PyTorch's weight decay, not AdamW's):
//   g = grads[i]·stats[1] + weightDecay·p                 (stats[1]: grad_norm_finish's clip scale)
//
//   sgd      no momentum:  p ← p − lr·g
//            momentum:     b ← g on the first step, else μ·b + (1 − dampening)·g
//                          p ← p − lr·(nesterov ? g + μ·b : b)                 state1 = b
//   rmsprop  v ← α·v + (1 − α)·g²                                              state1 = v
//            no momentum:  p ← p − lr·g/(√v + ε)
//            momentum:     u = g/(√v + ε);  b ← μ·b + u                         state2 = b
//                          p ← p − lr·(nesterov ? u + μ·b : b)   (nesterov: seed 003's recipe,
//                          DESIGN.md section 8)
//   adagrad  s ← s + g²;  p ← p − lr·g/(√s + ε)     (lr already decayed: lr/(1 + (t−1)·lrDecay))
//                                                                               state1 = s
//   adam     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²                     state1 = m, state2 = v
//            p ← p − lr·(m/bc1)/(√(v/bc2) + ε)      (bc1 = 1 − β1^t, bc2 = 1 − β2^t)
//
// params, grads, state1, state2: [n]; stats: [4] (reads stats[1]). A kind that needs fewer states
// leaves the others unread and unwritten (bind a small placeholder there).
// Every per-step number (scheduled lr, Adagrad's decayed lr, bias corrections, the first-step
// flag) and every complement (1 − α, 1 − β, 1 − dampening: computed in float64, then rounded
// once) comes from the host: src/webgpu/optimizerUniforms.ts.
// Dispatch: workgroups (x, y) with x·y·WG ≥ n; element i = gid.x + gid.y·(x·WG), so n may exceed
// 65535·WG. Twin: optimizerUpdate in src/reference/optimizerUpdate.ts.
struct Params {
  n: u32,               // elements
  kind: u32,            // KIND_SGD, KIND_RMSPROP, KIND_ADAGRAD, KIND_ADAM
  hasMomentum: u32,     // sgd, rmsprop: 1 when momentum > 0
  nesterov: u32,        // sgd, rmsprop: 1 for the Nesterov forms
  firstStep: u32,       // sgd with momentum: 1 on step 1 (b ← g)
  lr: f32,              // this step's learning rate (Adagrad: already decayed)
  weightDecay: f32,     // λ
  momentum: f32,        // μ
  dampGain: f32,        // sgd: 1 − dampening
  avgDecay: f32,        // rmsprop: α; adam: β2 (decay of the squared-gradient average)
  avgGain: f32,         // 1 − avgDecay
  beta1: f32,           // adam: β1
  beta1Gain: f32,       // adam: 1 − β1
  eps: f32,             // ε
  biasCorrection1: f32, // adam: 1 − β1^t
  biasCorrection2: f32, // adam: 1 − β2^t
}

const KIND_SGD: u32 = 0u;
const KIND_RMSPROP: u32 = 1u;
const KIND_ADAGRAD: u32 = 2u;
const KIND_ADAM: u32 = 3u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> state1: array<f32>;
@group(0) @binding(4) var<storage, read_write> state2: array<f32>;
@group(0) @binding(5) var<storage, read> stats: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= u.n) { return; }
  let p = params[i];
  let g = grads[i] * stats[1] + u.weightDecay * p;
  var step = 0.0;                                   // p ← p − lr·step
  switch (u.kind) {
    case KIND_SGD: {
      step = g;
      if (u.hasMomentum == 1u) {
        let b = select(u.momentum * state1[i] + u.dampGain * g, g, u.firstStep == 1u);
        state1[i] = b;
        step = select(b, g + u.momentum * b, u.nesterov == 1u);
      }
    }
    case KIND_RMSPROP: {
      let v = u.avgDecay * state1[i] + u.avgGain * g * g;
      state1[i] = v;
      let ng = g / (sqrt(v) + u.eps);          // the RMS-normalised gradient
      step = ng;
      if (u.hasMomentum == 1u) {
        let b = u.momentum * state2[i] + ng;
        state2[i] = b;
        step = select(b, ng + u.momentum * b, u.nesterov == 1u);
      }
    }
    case KIND_ADAGRAD: {
      let s = state1[i] + g * g;
      state1[i] = s;
      step = g / (sqrt(s) + u.eps);
    }
    case KIND_ADAM: {
      let m = u.beta1 * state1[i] + u.beta1Gain * g;
      let v = u.avgDecay * state2[i] + u.avgGain * g * g;
      state1[i] = m;
      state2[i] = v;
      step = (m / u.biasCorrection1) / (sqrt(v / u.biasCorrection2) + u.eps);
    }
    default: {}
  }
  params[i] = p - u.lr * step;
}
