// The demo page's script: wires the controls to one training run at a time (task, seed, backend →
// engine, model, trainer, data, loop), the loss chart, the task's panel, the device card, the CPU
// check, and saving and loading model files. The page's state is on `window.demo` for tests.
//
// URL parameters: ?task=bitpair|echo|mnist-rows|binary-add&seed=N&backend=auto|webgpu|cpu&autostart=0|1
import { CheckPanel } from './checkPanel.js';
import { renderDevice } from './devicePanel.js';
import { Engines } from './engines.js';
import { LossChart } from './lossChart.js';
import { downloadModel, readFileBytes, taskForModel } from './modelFile.js';
import { describeRecipe } from './tasks/describe.js';
import { TASKS, taskByName } from './tasks/index.js';
import { TrainLoop } from './trainLoop.js';

const $ = (id) => document.getElementById(id);
const ui = {
  task: $('task'), seed: $('seed'), backend: $('backend'), start: $('start'), pause: $('pause'), save: $('save'), load: $('load'),
  check: $('check'), badge: $('backend-badge'), notice: $('notice'), error: $('error'), step: $('step'), total: $('total'),
  loss: $('loss'), sps: $('sps'), status: $('state'), recipe: $('recipe'), device: $('device'), panelTitle: $('panel-title'),
  panel: $('panel'),
};

/** What a test (or a curious developer) can read: window.demo.state. */
const state = {
  status: 'starting', task: null, backend: null, seed: null, step: 0, total: 0, loss: Number.NaN, stepsPerSecond: Number.NaN,
  evaluations: 0, lastView: null, error: null, notes: [],
};

const chart = new LossChart($('chart'));
const engines = new Engines((msg) => state.notes.push(msg));
/** The current run: { task, seed, engine, model, loop }. */
let run = null;
/** Bumped by every startRun, so a start overtaken by a newer one (two quick clicks) gives way. */
let generation = 0;

// ---- errors and notices ----

function showError(err) {
  const msg = err instanceof Error ? err.message : String(err);
  state.error = msg;
  ui.error.textContent = msg;
  ui.error.hidden = false;
  console.error(err);
}

function clearError() {
  state.error = null;
  ui.error.hidden = true;
}

function notice(text) {
  ui.notice.textContent = text;
  ui.notice.hidden = !text;
}

window.addEventListener('error', (e) => showError(e.error ?? e.message));
window.addEventListener('unhandledrejection', (e) => showError(e.reason));

// ---- status line ----

function setStatus(s) {
  state.status = s;
  ui.status.textContent = s;
  ui.pause.textContent = s === 'paused' ? 'Resume' : 'Pause';
  ui.pause.disabled = !(s === 'training' || s === 'paused');
  ui.save.disabled = run === null || s === 'starting';
  ui.start.textContent = run === null && s !== 'starting' ? 'Start' : 'Restart';
}

function showProgress() {
  ui.step.textContent = String(state.step);
  ui.total.textContent = String(state.total);
  ui.loss.textContent = Number.isFinite(state.loss) ? state.loss.toFixed(4) : '–';
  ui.sps.textContent = Number.isFinite(state.stepsPerSecond) ? state.stepsPerSecond.toFixed(state.stepsPerSecond < 10 ? 2 : 0) : '–';
}

async function showDevice(engine) {
  const d = await engines.describe();
  renderDevice(ui.device, d, engine);
  ui.badge.textContent = engine ? engine.backend : 'not started';
  ui.badge.classList.toggle('cpu', engine?.backend === 'cpu');
  if (!engine) return;
  if (engine.backend === 'cpu') {
    notice(ui.backend.value === 'cpu'
      ? 'Training on the cpu backend (the float64 reference, same API), as chosen.'
      : `WebGPU is not available here (${d.webgpu.error}), so training runs on the cpu backend instead: the float64 reference, same API, no GPU.`);
  } else if (d.webgpu.adapter?.isFallbackAdapter) {
    notice(`The WebGPU adapter is ${d.webgpu.adapter.description}, a software adapter: WebGPU runs on the CPU here, correct but slow.`);
  } else {
    notice('');
  }
}

// ---- runs ----

async function stopRun() {
  if (!run) return;
  const old = run;
  run = null;
  await old.loop.stop();
  old.model.destroy();
}

/**
 * Starts training `task` from a fresh model of `seed`, or from `model` (loaded from a file), on the
 * engine the backend control names.
 */
async function startRun(task, { seed, model = null, engine = null } = {}) {
  const mine = ++generation;
  await stopRun();
  if (mine !== generation) return model?.destroy();
  clearError();
  setStatus('starting');
  ui.task.value = task.name;
  Object.assign(state, { task: task.name, seed, step: 0, loss: Number.NaN, stepsPerSecond: Number.NaN, evaluations: 0, lastView: null });
  chart.clear();
  ui.panelTitle.textContent = task.title;
  const panel = new task.Panel(ui.panel);
  try {
    engine ??= await engines.get(ui.backend.value);
    state.backend = engine.backend;
    await showDevice(engine);
    const data = await task.createData(seed);
    model ??= engine.createModel({ ...task.model, seed });
    if (mine !== generation) return model.destroy();
    const total = data.totalSteps;
    const trainer = model.trainer(task.trainerOptions(total));
    state.total = total;
    ui.recipe.textContent = describeRecipe(task, total);
    showProgress();
    const loop = new TrainLoop({
      trainer, total, evalEveryMs: task.evalEveryMs,
      batch: (step) => data.batch(step),
      evaluate: () => data.evaluate(model),
      onLoss(step, loss, stepsPerSecond) {
        Object.assign(state, { step, loss, stepsPerSecond });
        chart.push(step, loss);
        showProgress();
      },
      onEvaluate(view) {
        state.evaluations++;
        state.lastView = view;
        panel.update(view);
      },
      onStatus(s) {
        state.step = loop.step;
        showProgress();
        if (run?.loop === loop) setStatus(s);
      },
      onError: showError,
    });
    run = { task, seed, engine, model, loop };
    loop.resume();
  } catch (err) {
    model?.destroy();
    setStatus('error');
    showError(err);
  }
}

function seedValue() {
  const seed = Number(ui.seed.value);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed: expected an integer ≥ 0, received ${JSON.stringify(ui.seed.value)}`);
  return seed;
}

function startSelected() {
  try {
    return startRun(taskByName(ui.task.value), { seed: seedValue() });
  } catch (err) {
    showError(err);
    return Promise.resolve();
  }
}

// ---- controls ----

for (const t of TASKS) ui.task.append(new Option(t.title.split(' — ')[0], t.name));
ui.task.addEventListener('change', startSelected);
ui.start.addEventListener('click', startSelected);
ui.backend.addEventListener('change', startSelected);

ui.pause.addEventListener('click', () => {
  if (!run) return;
  if (run.loop.status === 'training') run.loop.pause();
  else if (run.loop.status === 'paused') run.loop.resume();
});

ui.save.addEventListener('click', async () => {
  if (!run) return;
  const { task, seed, model, loop } = run;
  try {
    const size = await downloadModel(model, `webgpu-lstm-${task.name}-seed${seed}-step${loop.step}.safetensors`);
    state.notes.push(`saved ${size} bytes at step ${loop.step}`);
  } catch (err) {
    showError(err);
  }
});

ui.load.addEventListener('change', async () => {
  const file = ui.load.files?.[0];
  ui.load.value = ''; // the same file can be picked again
  if (!file) return;
  try {
    const engine = await engines.get(ui.backend.value);
    const model = engine.loadModel(await readFileBytes(file), file.name);
    const task = taskForModel(model, TASKS, file.name);
    if (task instanceof Error) {
      model.destroy();
      throw task;
    }
    await startRun(task, { seed: seedValue(), model, engine });
    const extra = ui.notice.hidden ? '' : ` ${ui.notice.textContent}`;
    notice(`Loaded ${file.name} (a ${task.name} model); training continues from its weights with a fresh optimizer state (the file holds weights only).${extra}`);
  } catch (err) {
    showError(err);
  }
});

const check = new CheckPanel({
  button: ui.check, status: $('check-status'), table: $('check-table'),
  async gpuEngine() {
    return (await engines.describe()).webgpu.available ? engines.get('webgpu') : null;
  },
  /** The check runs with training paused, then resumes it if it was running. */
  async around(work) {
    const loop = run?.loop;
    const wasTraining = loop?.status === 'training';
    if (wasTraining) await loop.pause();
    try {
      return await work();
    } finally {
      if (wasTraining && run?.loop === loop) loop.resume();
    }
  },
  onError: showError,
});

window.demo = {
  state,
  chart,
  check,
  /** Points the loss chart holds. */
  get chartPoints() {
    return chart.points;
  },
  get run() {
    return run;
  },
};

// ---- start ----

const params = new URLSearchParams(location.search);
if (params.has('task') && taskByName(params.get('task'))) ui.task.value = params.get('task');
if (params.has('seed')) ui.seed.value = params.get('seed');
if (['auto', 'webgpu', 'cpu'].includes(params.get('backend') ?? '')) ui.backend.value = params.get('backend');
await showDevice(null);
if (params.get('autostart') !== '0') {
  await startSelected();
} else {
  setStatus('idle');
  ui.panelTitle.textContent = taskByName(ui.task.value).title;
  ui.panel.textContent = 'Press Start to train.';
}
