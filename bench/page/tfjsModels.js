// The same model in TensorFlow.js 4.22, two ways, with the initial weights of this engine's model
// (PyTorch layout, copied): stacked LSTM layers (gates i, f, g, o; σ, σ, tanh, σ), then a dense
// softmax head on the top layer's h at every step (outputs 'all') or the last step ('last'),
// mean cross-entropy over the target positions, Adam(lr 1e-3). So at the first step, before any
// update, TF.js's loss must equal this engine's (to float32 rounding): the verify step.
//
//   layers: tf.sequential of tf.layers.lstm (recurrentActivation 'sigmoid') + tf.layers.dense
//           (softmax), model.trainOnBatch with one-hot targets;
//   cell:   a hand-written loop of tf.multiRNNCell over tf.basicLSTMCell, logits = h·W + b,
//           tf.losses.softmaxCrossEntropy, optimizer.minimize.
// `tf` is the global of tfjs's UMD bundle; each model lives on the backend active when it is made.

/** W [rows, cols] (row-major) transposed to [cols, rows]. */
function transpose(w, rows, cols) {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

function summedBias(p, k, H) {
  const a = p.get(`lstm.bias_ih_l${k}`), b = p.get(`lstm.bias_hh_l${k}`);
  const out = new Float32Array(4 * H);
  for (let i = 0; i < 4 * H; i++) out[i] = a[i] + b[i];
  return out;
}

const inputSizeOf = (spec, k) => (k === 0 ? spec.I : spec.H);

/** One-hot targets: [B, T, C] (all) or [B, C] (last), batch-first, as Keras's loss takes them. */
function oneHotBatchFirst(spec, batch) {
  const rows = batch.ids.length, y = new Float32Array(rows * spec.C);
  for (let r = 0; r < rows; r++) y[r * spec.C + batch.ids[r]] = 1;
  return y;
}

/**
 * The weights are overwritten with ours right away, so Keras's initializers are skipped: its
 * default orthogonal recurrent initializer runs a QR decomposition on the backend, which for
 * H512 (a 512×2048 matrix) took 44 s and gigabytes of the GPU process on SwiftShader.
 */
const NO_INIT = { kernelInitializer: 'zeros', biasInitializer: 'zeros' };

/** tf.layers: Keras kernels are [I_k, 4H] and [H, 4H] with PyTorch's gate order i, f, g(c), o. */
export function layersContender(tf, spec, batch, params) {
  const { H, L, C } = spec, { B, T } = batch;
  const model = tf.sequential();
  for (let k = 0; k < L; k++) {
    model.add(tf.layers.lstm({
      units: H, recurrentActivation: 'sigmoid', returnSequences: k < L - 1 || spec.outputs === 'all',
      ...NO_INIT, recurrentInitializer: 'zeros',
      ...(k === 0 ? { inputShape: [T, spec.I] } : {}),
    }));
  }
  model.add(tf.layers.dense({ units: C, activation: 'softmax', ...NO_INIT }));
  const optimizer = tf.train.adam(1e-3);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const weights = [];
  for (let k = 0; k < L; k++) {
    const Ik = inputSizeOf(spec, k);
    weights.push(
      tf.tensor2d(transpose(params.get(`lstm.weight_ih_l${k}`), 4 * H, Ik), [Ik, 4 * H]),
      tf.tensor2d(transpose(params.get(`lstm.weight_hh_l${k}`), 4 * H, H), [H, 4 * H]),
      tf.tensor1d(summedBias(params, k, H)),
    );
  }
  weights.push(tf.tensor2d(transpose(params.get('head.weight'), C, H), [H, C]), tf.tensor1d(Float32Array.from(params.get('head.bias'))));
  model.setWeights(weights);
  tf.dispose(weights);
  const x = tf.tensor3d(batch.x, [B, T, spec.I]);
  const y = spec.outputs === 'all' ? tf.tensor3d(oneHotBatchFirst(spec, batch), [B, T, C]) : tf.tensor2d(oneHotBatchFirst(spec, batch), [B, C]);
  return {
    step: async () => {
      const loss = await model.trainOnBatch(x, y);
      return Array.isArray(loss) ? loss[0] : loss;
    },
    dispose: () => { model.dispose(); optimizer.dispose(); tf.dispose([x, y]); },
  };
}

/**
 * tf.basicLSTMCell: kernel [I_k + H, 4H] over concat(x, h), gate blocks in TF's order i, j(=g), f, o,
 * plus a forget bias (0 here: the copied bias already holds it).
 */
function cellKernel(params, k, Ik, H) {
  const wih = params.get(`lstm.weight_ih_l${k}`), whh = params.get(`lstm.weight_hh_l${k}`);
  const fromPyTorchBlock = [0, 2, 1, 3]; // TF block q (i, j, f, o) is PyTorch block (i, g, f, o)
  const K = new Float32Array((Ik + H) * 4 * H);
  for (let q = 0; q < 4; q++) {
    const src = fromPyTorchBlock[q];
    for (let j = 0; j < H; j++) {
      const row = src * H + j, col = q * H + j;
      for (let i = 0; i < Ik; i++) K[i * 4 * H + col] = wih[row * Ik + i];
      for (let i = 0; i < H; i++) K[(Ik + i) * 4 * H + col] = whh[row * H + i];
    }
  }
  const b = summedBias(params, k, H), bias = new Float32Array(4 * H);
  for (let q = 0; q < 4; q++) bias.set(b.subarray(fromPyTorchBlock[q] * H, (fromPyTorchBlock[q] + 1) * H), q * H);
  return { K, bias };
}

export function cellContender(tf, spec, batch, params) {
  const { H, L, C } = spec, { B, T } = batch;
  const vars = [];
  const kernels = [], biases = [];
  for (let k = 0; k < L; k++) {
    const Ik = inputSizeOf(spec, k);
    const { K, bias } = cellKernel(params, k, Ik, H);
    kernels.push(tf.variable(tf.tensor2d(K, [Ik + H, 4 * H])));
    biases.push(tf.variable(tf.tensor1d(bias)));
  }
  const W = tf.variable(tf.tensor2d(transpose(params.get('head.weight'), C, H), [H, C]));
  const b = tf.variable(tf.tensor1d(Float32Array.from(params.get('head.bias'))));
  vars.push(...kernels, ...biases, W, b);
  const forgetBias = tf.scalar(0);
  const cells = kernels.map((K, k) => (data, c, h) => tf.basicLSTMCell(forgetBias, K, biases[k], data, c, h));
  const x = tf.tensor3d(batch.x, [B, T, spec.I]);
  // Targets in the row order of the logits: time-major [T·B, C] (all) or [B, C] (last).
  const rows = spec.outputs === 'all' ? T * B : B;
  const yData = new Float32Array(rows * C);
  if (spec.outputs === 'all') {
    for (let bi = 0; bi < B; bi++) for (let t = 0; t < T; t++) yData[(t * B + bi) * C + batch.ids[bi * T + t]] = 1;
  } else {
    for (let bi = 0; bi < B; bi++) yData[bi * C + batch.ids[bi]] = 1;
  }
  const y = tf.tensor2d(yData, [rows, C]);
  const optimizer = tf.train.adam(1e-3);
  const lossOf = () => {
    const xs = tf.unstack(tf.transpose(x, [1, 0, 2])); // T × [B, I]
    let c = Array.from({ length: L }, () => tf.zeros([B, H]));
    let h = Array.from({ length: L }, () => tf.zeros([B, H]));
    const tops = [];
    for (let t = 0; t < T; t++) {
      [c, h] = tf.multiRNNCell(cells, xs[t], c, h);
      tops.push(h[L - 1]);
    }
    const feats = spec.outputs === 'all' ? tf.concat(tops, 0) : tops[T - 1];
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(feats, W), b));
  };
  return {
    step: async () => {
      const loss = optimizer.minimize(lossOf, true, vars);
      const v = (await loss.data())[0];
      loss.dispose();
      return v;
    },
    dispose: () => { tf.dispose([...vars, forgetBias, x, y]); optimizer.dispose(); },
  };
}
