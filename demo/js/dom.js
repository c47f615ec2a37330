// Small DOM helpers shared by the page's modules.

/** el('td', { class: 'ok', title: '…' }, 'text', childNode, …): an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'style' && typeof v === 'object') Object.assign(node.style, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** Replaces the children of `root`. */
export function replace(root, ...children) {
  root.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}

/** 0.934 → "93.4 %"; NaN → "–". */
export function percent(v, digits = 1) {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)} %` : '–';
}

/** A canvas whose backing store matches its CSS size on this screen; returns it and its 2D context. */
export function hiDpiCanvas(width, height) {
  const canvas = el('canvas');
  const ratio = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  return { canvas, ctx };
}
