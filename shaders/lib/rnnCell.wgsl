// lib/rnnCell.wgsl: the plain RNN's nonlinearity and its derivative for four lanes, tanh
// (cell rnn_tanh) or relu (cell rnn_relu) by the uniform's relu flag: the one copy of this switch
// for the RNN step and layer kernels, forward and backward. The including shader declares a
// uniform `u` with a u32 member relu (0: tanh, 1: relu).
// #include lib/activations.wgsl

// act(pre) = tanh(pre) (relu = 0) or max(pre, 0) (relu = 1).
fn rnnAct4(pre: vec4f) -> vec4f {
  return select(tanh4(pre), max(pre, vec4f(0.0)), u.relu != 0u);
}

// act'(pre) from hv = act(pre), the stored state: tanh: 1 − hv², formed as (1 − hv)(1 + hv) (1 − hv
// is exact for hv ∈ [½, 1]); relu: 1 where hv > 0, else 0.
fn rnnSlope4(hv: vec4f) -> vec4f {
  return select((1.0 - hv) * (1.0 + hv), select(vec4f(0.0), vec4f(1.0), hv > vec4f(0.0)), u.relu != 0u);
}
