// One line that says what a task trains, built from its recipe objects (model, trainer and fit
// options), ending in the number of steps the recipe takes.

/** 0.000001 → "1e-6"; other numbers and values as they are. */
function valueText(v) {
  return typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

function optimizerText(o) {
  const extras = Object.entries(o).filter(([k]) => k !== 'name' && k !== 'lr').map(([k, v]) => `${k} ${valueText(v)}`);
  return `${o.name} lr ${o.lr}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/**
 * e.g. "lstm 2 × 5 → 4 (softmax_ce at every step) · sgd lr 0.1 · clip 10 · state carried · … · 3000 steps".
 * @param {object} m  the model config
 * @param {{ trainerOptions: import('webgpu-lstm').TrainerOptions, batchText: string, total: number }} data
 */
export function describeRecipe(m, data) {
  const t = data.trainerOptions;
  const k = m.headSteps ?? 1;
  const head = m.outputs === 'last' ? (k > 1 ? `the last ${k} steps` : 'the last step') : 'every step';
  const input = m.inputKind === 'tokens' ? `tokens (${m.vocabSize}) → embedding ${m.inputSize} → ` : '';
  const parts = [
    `${input}${m.cell} ${m.numLayers} × ${m.hiddenSize} → ${m.outputSize} (${m.loss} at ${head}${m.headFrom === 'ch' ? ', head from c and h' : ''}${m.learnedInitialState ? ', learned initial state' : ''}${m.forgetBias ? `, forget bias ${m.forgetBias}` : ''})`,
    optimizerText(t.optimizer),
  ];
  if (t.clipNorm !== undefined) parts.push(`clip ${t.clipNorm}`);
  if (t.schedule) parts.push(`${t.schedule.name} lr schedule`);
  if (t.stateful || t.window) parts.push('state carried');
  parts.push(data.batchText, `${data.total.toLocaleString('en')} steps`);
  return parts.join(' · ');
}
