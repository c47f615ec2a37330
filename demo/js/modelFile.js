// Saving the model as a safetensors download (model.save()) and loading one from a file
// (engine.loadModel(bytes)): which of the page's tasks a loaded model belongs to is read from its
// config, so its task's data and panel can continue training it.
import { configToJSON, resolveConfig } from 'webgpu-lstm';

/** Downloads the model file (F32 safetensors, PyTorch names) as `filename`. */
export async function downloadModel(model, filename) {
  const bytes = await model.save();
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: the download starts asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return bytes.length;
}

/** The bytes of a file the user picked. */
export async function readFileBytes(file) {
  return new Uint8Array(await file.arrayBuffer());
}

/** The canonical JSON of a config (defaults left out), for comparing a file's with a task's. */
function canonical(config) {
  return JSON.stringify(configToJSON(resolveConfig(config, 'config', ['forgetBias'])));
}

/**
 * The task whose model has the loaded model's config (a task whose model depends on its data,
 * such as text's vocabulary, says so with `modelMatches`), or an Error that says what was expected.
 */
export function taskForModel(model, tasks, where) {
  const got = canonical(model.config);
  const task = tasks.find((t) => (t.modelMatches ? t.modelMatches(model.config, canonical) : canonical(t.model) === got));
  if (task) return task;
  return new Error(`${where}: expected the model of one of the tasks (${tasks.map((t) => `${t.name}: ${canonical(t.model)}`).join('; ')}), received ${got}`);
}
