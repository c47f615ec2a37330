// The demo page's script: wires the controls to one training run at a time (task, seed, backend →
// engine, model, data, `model.fit` through FitRun), the loss and held-out charts, the task's
// panel, the progress toward the recipe's number of steps, the device card, the CPU check, and
// saving and loading model files. The page's state is on `window.demo` for tests.
//
// URL parameters: ?task=bitpair|echo|mnist-rows|binary-add|forecast|text&seed=N&backend=auto|webgpu|cpu&autostart=0|1
//                 &tuning=background|measure|model (the webgpu engine's kernel tuning; see engines.js)
import { StepChart } from './charts.js';
import { CheckPanel } from './checkPanel.js';
import { renderDevice } from './devicePanel.js';
import { Engines } from './engines.js';
import { FitRun } from './fitRun.js';
import { downloadModel, readFileBytes, taskForModel } from './modelFile.js';
import { describeRecipe } from './tasks/describe.js';
import { TASKS, taskByName } from './tasks/index.js';

const $ = (id) => document.getElementById(id);
const ui = {
  task: $('task'), seed: $('seed'), backend: $('backend'), start: $('start'), pause: $('pause'), save: $('save'), load: $('load'),
  check: $('check'), badge: $('backend-badge'), notice: $('notice'), error: $('error'), step: $('step'), total: $('total'),
  progress: $('progress'), percent: $('percent'), epoch: $('epoch'), lossLabel: $('loss-label'), lossTitle: $('loss-title'),
  loss: $('loss'), sps: $('sps'), eta: $('eta'), status: $('state'), recipe: $('recipe'), about: $('about'), device: $('device'),
  panelTitle: $('panel-title'), panel: $('panel'), chart: $('chart'), scoreChart: $('score-chart'), scoreTitle: $('score-title'),
};

/** What a test (or a curious developer) can read: window.demo.state. */
const state = {
  status: 'starting', task: null, backend: null, seed: null, step: 0, total: 0, epoch: 0, loss: Number.NaN, stepsPerSecond: Number.NaN,
  evaluations: 0, score: Number.NaN, lastView: null, error: null, notes: [],
};

const urlTuning = new URLSearchParams(location.search).get('tuning');
const engines = new Engines((msg) => state.notes.push(msg), ['background', 'measure', 'model'].includes(urlTuning ?? '') ? urlTuning : null);
/** The charts of the current run (made per run: their units and reference lines are the task's). */
let lossChart = null, scoreChart = null;
/** The current run: { task, seed, engine, model, data, panel, loop }. */
let run = null;
/** How the current task shows its loss: label and scale (text: bits per character). */
let lossUnit = { label: 'loss', scale: 1 };
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

/** "3 min 20 s" */
function duration(seconds) {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

function showProgress() {
  ui.step.textContent = state.step.toLocaleString('en');
  ui.total.textContent = state.total ? state.total.toLocaleString('en') : '–';
  const share = state.total ? Math.min(1, state.step / state.total) : 0;
  ui.progress.value = share;
  ui.percent.textContent = `${(100 * share).toFixed(share < 0.1 ? 1 : 0)} %`;
  ui.epoch.textContent = state.epoch ? `${state.epoch} of ${run?.data?.epochs ?? '–'}` : '–';
  ui.lossLabel.textContent = lossUnit.label;
  ui.loss.textContent = Number.isFinite(state.loss) ? (state.loss * lossUnit.scale).toFixed(4) : '–';
  ui.sps.textContent = Number.isFinite(state.stepsPerSecond) ? state.stepsPerSecond.toFixed(state.stepsPerSecond < 10 ? 2 : 0) : '–';
  const left = (state.total - state.step) / state.stepsPerSecond;
  ui.eta.textContent = state.status === 'training' && state.step > 0 && Number.isFinite(left) ? `≈ ${duration(left)} left at this rate` : '';
}

/** The run's charts: the loss (log scale; the task's unit and reference lines) and the held-out score. */
function makeCharts(task, loss) {
  lossChart?.destroy();
  scoreChart?.destroy();
  ui.lossTitle.textContent = loss.label === 'loss' ? 'loss' : `loss (${loss.label})`;
  ui.scoreTitle.textContent = task.score.label[0].toUpperCase() + task.score.label.slice(1);
  lossChart = new StepChart(ui.chart, { yLabel: loss.label, log: true, series: [{ label: loss.label }], refs: loss.refs });
  const pct = task.score.unit === '%';
  scoreChart = new StepChart(ui.scoreChart, {
    yLabel: task.score.label, height: 260, range: task.score.range, refs: task.score.refs,
    series: [{ label: task.score.label, stroke: '#1a8f4c', format: task.score.format ?? (pct ? (v) => `${(100 * v).toFixed(1)} %` : (v) => v.toFixed(3)) }],
  });
}

async function showDevice(engine) {
  const d = await engines.describe();
  renderDevice(ui.device, d, engine, engine?.backend === 'webgpu' ? await engines.tuning() : null);
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
  await old.loop?.stop();
  old.data?.dispose?.();
  old.panel?.destroy?.();
  old.model?.destroy();
}

/**
 * Starts training `task` from a fresh model of `seed`, or from `model` (loaded from a file), on the
 * engine the backend control names: `model.fit` on the task's data, through FitRun.
 */
async function startRun(task, { seed, model = null, engine = null } = {}) {
  const mine = ++generation;
  await stopRun();
  if (mine !== generation) return model?.destroy();
  clearError();
  setStatus('starting');
  ui.task.value = task.name;
  Object.assign(state, { task: task.name, seed, step: 0, total: 0, epoch: 0, loss: Number.NaN, stepsPerSecond: Number.NaN, evaluations: 0, score: Number.NaN, lastView: null });
  ui.panelTitle.textContent = task.title;
  ui.recipe.textContent = '';
  ui.about.textContent = task.about ?? '';
  const panel = new task.Panel(ui.panel, task);
  let data = null;
  try {
    engine ??= await engines.get(ui.backend.value);
    state.backend = engine.backend;
    await showDevice(engine);
    data = await task.createData(seed);
    const config = data.model ?? task.model;
    if (model && config.vocabSize !== undefined && model.config.vocabSize !== config.vocabSize) {
      throw new Error(`model file: expected a vocabulary of ${config.vocabSize} characters (this page's text), received ${model.config.vocabSize}`);
    }
    model ??= engine.createModel({ ...config, seed });
    if (mine !== generation) {
      data.dispose?.();
      return model.destroy();
    }
    const loss = data.loss ?? task.loss ?? {};
    lossUnit = { label: loss.label ?? 'loss', scale: loss.scale ?? 1 };
    makeCharts(task, { label: lossUnit.label, refs: loss.refs });
    const fitOptions = data.fitOptions(model);
    data.epochs = fitOptions.epochs ?? 1;
    state.total = data.total;
    ui.recipe.textContent = describeRecipe(model.config, data);
    showProgress();
    const loop = new FitRun({
      model, source: data.source, fitOptions, total: data.total, evalEvery: data.evalEvery,
      evaluate: (step, reason) => data.evaluate(model, step, reason),
      onStep(step, epoch) {
        Object.assign(state, { step, epoch });
        showProgress();
      },
      onLoss(step, loss, stepsPerSecond) {
        Object.assign(state, { step, loss, stepsPerSecond });
        lossChart.push(step, [loss * lossUnit.scale]);
        showProgress();
      },
      onEvaluate(view, step) {
        state.evaluations++;
        state.lastView = view;
        state.score = view.score;
        scoreChart.push(step, [view.score]);
        panel.update(view);
      },
      onStatus(s) {
        state.step = loop.step;
        if (run?.loop === loop) setStatus(s);
        showProgress();
      },
      onError: showError,
    });
    run = { task, seed, engine, model, data, panel, loop };
    loop.start();
  } catch (err) {
    data?.dispose?.();
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
  if (run.loop.status === 'training') void run.loop.pause();
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
  check,
  /** Points the loss chart holds. */
  get chartPoints() {
    return lossChart?.points ?? 0;
  },
  /** Points the held-out score chart holds. */
  get scorePoints() {
    return scoreChart?.points ?? 0;
  },
  /** Draws both charts now (for screenshots). */
  flushCharts() {
    lossChart?.flush();
    scoreChart?.flush();
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
