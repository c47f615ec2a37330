/**
 * Every WGSL kernel, bundled as text for browsers (esbuild's text loader). test/browser-bundle.test.ts
 * checks that this list holds every file in shaders/.
 */
import fill from '../../shaders/fill.wgsl';
import gradNorm from '../../shaders/grad_norm.wgsl';
import gradNormFinish from '../../shaders/grad_norm_finish.wgsl';
import gruStepBackward from '../../shaders/gru_step_backward.wgsl';
import gruStepForward from '../../shaders/gru_step_forward.wgsl';
import lstmStepBackward from '../../shaders/lstm_step_backward.wgsl';
import lstmStepForward from '../../shaders/lstm_step_forward.wgsl';
import matmul from '../../shaders/matmul.wgsl';
import optimizerUpdate from '../../shaders/optimizer_update.wgsl';
import reduceRows from '../../shaders/reduce_rows.wgsl';
import rnnStepBackward from '../../shaders/rnn_step_backward.wgsl';
import rnnStepForward from '../../shaders/rnn_step_forward.wgsl';
import sigmoidBce from '../../shaders/sigmoid_bce.wgsl';
import softmaxCrossEntropy from '../../shaders/softmax_cross_entropy.wgsl';

export const BUNDLED_SHADERS: Record<string, string> = {
  fill: fill,
  grad_norm: gradNorm,
  grad_norm_finish: gradNormFinish,
  gru_step_backward: gruStepBackward,
  gru_step_forward: gruStepForward,
  lstm_step_backward: lstmStepBackward,
  lstm_step_forward: lstmStepForward,
  matmul: matmul,
  optimizer_update: optimizerUpdate,
  reduce_rows: reduceRows,
  rnn_step_backward: rnnStepBackward,
  rnn_step_forward: rnnStepForward,
  sigmoid_bce: sigmoidBce,
  softmax_cross_entropy: softmaxCrossEntropy,
};
