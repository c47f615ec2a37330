// lib/lstmGrads.wgsl: the LSTM gates' pre-activation gradients for four lanes, from dh and dc (the
// gradients reaching h and c at the step, every term already summed in), tanh(c[t+1]), c[t] and
// the forward's activated gates: the one copy of this math for lstm_step_backward and
// lstm_layer_backward. Pure: an including shader declares nothing for it.
//
//   d pre_i = dc·g·i(1 − i),  d pre_f = dc·c[t]·f(1 − f),  d pre_g = dc·i·(1 − g²),
//   d pre_o = dh·tanh(c[t+1])·o(1 − o),  dcCarry = dc·f

struct LstmGrads { di: vec4f, df: vec4f, dg: vec4f, do_: vec4f, carry: vec4f }

fn lstmGrads4(dh: vec4f, dc: vec4f, tc: vec4f, cPrev: vec4f, i: vec4f, f: vec4f, g: vec4f, o: vec4f) -> LstmGrads {
  return LstmGrads(dc * g * i * (1.0 - i), dc * cPrev * f * (1.0 - f), dc * i * (1.0 - g * g), dh * tc * o * (1.0 - o), dc * f);
}
