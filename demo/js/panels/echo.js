// Panel of task echo, the seed-001 picture: for each of the 5 streams, the input bits, the target
// bits (the input 3 steps earlier) and the predicted bits as bars, over a few windows of a held-out
// series run with the state carried; window boundaries dashed, wrong predictions marked red.
import { el, hiDpiCanvas, percent, replace } from '../dom.js';

const COLORS = { input: '#2f6fde', target: '#d9822b', predicted: '#1a8f4c', wrong: '#c8372d' };
const TRACK_H = 16, TRACK_GAP = 3, STREAM_GAP = 14, LABEL_W = 118;

export class EchoPanel {
  constructor(root) {
    this.root = root;
    replace(root, el('p', { class: 'hint' }, 'Waiting for the first evaluation…'));
  }

  /** @param {{ B: number, T: number, window: number, echoStep: number, x: Float64Array, y: Int32Array, predicted: Uint8Array, accuracy: number }} v */
  update(v) {
    const width = Math.max(480, Math.min(1180, this.root.clientWidth || 1000));
    const barW = (width - LABEL_W) / v.T;
    const streamH = 3 * TRACK_H + 2 * TRACK_GAP;
    const height = v.B * streamH + (v.B - 1) * STREAM_GAP + 18;
    const { canvas, ctx } = hiDpiCanvas(width, height);
    ctx.font = '12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    // Row b of the views holds stream b's steps [b·T, (b+1)·T).
    for (let b = 0; b < v.B; b++) {
      const top = b * (streamH + STREAM_GAP);
      const tracks = [
        ['input', (t) => v.x[b * v.T + t], () => COLORS.input],
        ['target', (t) => v.y[b * v.T + t], () => COLORS.target],
        ['predicted', (t) => v.predicted[b * v.T + t], (t) => (v.predicted[b * v.T + t] === v.y[b * v.T + t] ? COLORS.predicted : COLORS.wrong)],
      ];
      tracks.forEach(([name, bit, color], k) => {
        const y0 = top + k * (TRACK_H + TRACK_GAP);
        ctx.fillStyle = '#667085';
        ctx.fillText(k === 0 ? `stream ${b + 1}  ${name}` : name, 2, y0 + TRACK_H / 2);
        ctx.fillStyle = '#f1f3f7';
        ctx.fillRect(LABEL_W, y0, width - LABEL_W, TRACK_H);
        for (let t = 0; t < v.T; t++) {
          const wrong = name === 'predicted' && v.predicted[b * v.T + t] !== v.y[b * v.T + t];
          if (bit(t) !== 1 && !wrong) continue;
          ctx.fillStyle = color(t);
          // A wrong 0 is drawn as a short red tick, a 1 as a full bar.
          const h = bit(t) === 1 ? TRACK_H : 4;
          ctx.fillRect(LABEL_W + t * barW + 0.5, y0 + TRACK_H - h, Math.max(1, barW - 1.5), h);
        }
      });
    }
    // Window boundaries (the truncated-BPTT windows; the state is carried across them).
    ctx.strokeStyle = '#98a2b3';
    ctx.setLineDash([3, 3]);
    for (let t = v.window; t < v.T; t += v.window) {
      ctx.beginPath();
      ctx.moveTo(LABEL_W + t * barW - 0.5, 0);
      ctx.lineTo(LABEL_W + t * barW - 0.5, height - 16);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    // The first echoStep steps of a stream echo bits its own input never showed: not scored.
    ctx.fillStyle = 'rgba(102, 112, 133, 0.14)';
    ctx.fillRect(LABEL_W, 0, v.echoStep * barW, height - 16);
    ctx.fillStyle = '#667085';
    for (let t = 0; t < v.T; t += v.window) ctx.fillText(`window ${t / v.window + 1}`, LABEL_W + t * barW + 2, height - 8);

    replace(this.root,
      el('p', { class: 'metric' }, `Accuracy on a held-out series (steps t ≥ ${v.echoStep}): `, el('b', {}, percent(v.accuracy))),
      el('div', { class: 'legend' },
        el('span', {}, el('i', { style: { background: COLORS.input } }), 'input bit'),
        el('span', {}, el('i', { style: { background: COLORS.target } }), `target (input ${v.echoStep} steps earlier)`),
        el('span', {}, el('i', { style: { background: COLORS.predicted } }), 'predicted'),
        el('span', {}, el('i', { style: { background: COLORS.wrong } }), 'predicted wrong'),
        el('span', {}, el('i', { style: { background: 'rgba(102, 112, 133, 0.3)' } }), `first ${v.echoStep} steps: no input of the stream fixes them, not scored`)),
      canvas,
    );
  }
}
