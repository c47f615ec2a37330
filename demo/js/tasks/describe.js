// One line that says what a task trains, built from its recipe objects (model and trainer options).

/** 0.000001 → "1e-6"; other numbers and values as they are. */
function valueText(v) {
  return typeof v === 'number' && v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

function optimizerText(o) {
  const extras = Object.entries(o).filter(([k]) => k !== 'name' && k !== 'lr').map(([k, v]) => `${k} ${valueText(v)}`);
  return `${o.name} lr ${o.lr}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** e.g. "lstm 2 × 5 → 4 (softmax_ce at every step) · sgd lr 0.1 · clip 10 · state carried · 3000 steps". */
export function describeRecipe(task, total) {
  const m = task.model;
  const t = task.trainerOptions(total);
  const head = m.outputs === 'last' ? `last ${m.headSteps ?? 1} step${(m.headSteps ?? 1) > 1 ? 's' : ''}` : 'every step';
  const parts = [
    `${m.cell} ${m.numLayers} × ${m.hiddenSize} → ${m.outputSize} (${m.loss} at ${head}${m.headFrom === 'ch' ? ', head from c and h' : ''}${m.learnedInitialState ? ', learned initial state' : ''}${m.forgetBias ? `, forget bias ${m.forgetBias}` : ''})`,
    optimizerText(t.optimizer),
  ];
  if (t.clipNorm !== undefined) parts.push(`clip ${t.clipNorm}`);
  if (t.schedule) parts.push(`${t.schedule.name} lr schedule`);
  if (t.stateful) parts.push('state carried');
  parts.push(task.batchText, `${total} steps`);
  return parts.join(' · ');
}
