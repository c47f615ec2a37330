// The device card: which backend trains, the WebGPU adapter's name and the limits that matter to
// the engine (buffer sizes, workgroup sizes, offset alignment), or why there is no WebGPU.
import { el, replace } from './dom.js';

const KEY_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupsPerDimension', 'minStorageBufferOffsetAlignment',
];

function bytes(n) {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(n % 2 ** 30 ? 2 : 0)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(n % 2 ** 20 ? 1 : 0)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(n % 2 ** 10 ? 1 : 0)} KiB`;
  return `${n} B`;
}

/** Byte sizes in binary units (the exact number is the cell's tooltip); counts as they are. */
function limitText(name, v) {
  return /Size$|Alignment$/.test(name) && !/Workgroup(s|Size)/.test(name) ? bytes(v) : String(v);
}

/**
 * @param {HTMLElement} root
 * @param {import('webgpu-lstm').BackendsDescription} d
 * @param {import('webgpu-lstm').Engine | null} engine  the engine training now, if any
 * @param {{ policy: string, why: string } | null} tuning  the webgpu engine's kernel tuning
 */
export function renderDevice(root, d, engine, tuning = null) {
  const w = d.webgpu;
  const rows = [['training on', engine ? `${engine.backend} — ${engine.adapterInfo.description}` : '–']];
  if (engine?.backend === 'webgpu' && tuning) rows.push(['kernel tuning', `${tuning.policy}: ${tuning.why}`]);
  if (w.available) {
    const a = w.adapter;
    rows.push(['adapter', a.description]);
    if (a.vendor || a.architecture) rows.push(['vendor / architecture', [a.vendor, a.architecture].filter(Boolean).join(' / ')]);
    rows.push(['software adapter', a.isFallbackAdapter ? 'yes (WebGPU runs on the CPU)' : 'no']);
    if (w.fallback) rows.push(['fallback taken', w.fallback]);
    rows.push(['WebGPU from', w.implementation]);
  } else {
    rows.push(['WebGPU', `not available: ${w.error}`]);
  }
  const limits = w.available
    ? el('table', { class: 'kv' }, el('tbody', {}, KEY_LIMITS.filter((k) => w.limits[k] !== undefined)
      .map((k) => el('tr', {}, el('td', { class: 'mono' }, k), el('td', { title: String(w.limits[k]) }, limitText(k, w.limits[k]))))))
    : null;
  replace(root,
    el('table', { class: 'kv' }, el('tbody', {}, rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v))))),
    limits ? el('h2', { style: { marginTop: '12px' } }, 'Key limits (the adapter\'s own, requested)') : null,
    limits,
    w.available && w.features.length ? el('p', { class: 'hint' }, `features: ${w.features.join(', ')}`) : null,
  );
}
