// Panel of task mnist-rows: test digits drawn from their pixels with the predicted label (green if
// right, red if wrong), two of each class, and the accuracy on the digits scored (a subset of 100
// while training, all 200 when paused or done).
import { el, percent, replace } from '../dom.js';

/** Test digits shown per class (the scored digits are ordered by class). */
const PER_CLASS = 2;

export class MnistPanel {
  constructor(root) {
    this.root = root;
    replace(root, el('p', { class: 'hint' }, 'Loading the MNIST sample and evaluating…'));
  }

  /** @param {{ side: number, images: Float64Array, labels: Int32Array, predicted: Int32Array, accuracy: number, scored: string }} v */
  update(v) {
    const n = v.labels.length;
    const shown = [];
    for (let k = 0; k < PER_CLASS; k++) {
      for (let c = 0; c < 10; c++) {
        const first = v.labels.indexOf(c);
        if (first >= 0 && first + k < n && v.labels[first + k] === c) shown.push(first + k);
      }
    }
    const wrong = v.predicted.reduce((a, p, i) => a + (p !== v.labels[i] ? 1 : 0), 0);
    replace(this.root,
      el('p', { class: 'metric' }, `Accuracy on ${v.scored}: `, el('b', {}, percent(v.accuracy)), ` (${wrong} wrong)`),
      el('div', { class: 'digits' }, shown.map((i) => this.digit(v, i))),
    );
  }

  digit(v, i) {
    const S = v.side;
    const canvas = el('canvas', { width: S, height: S, title: `test digit ${i}: label ${v.labels[i]}` });
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(S, S);
    for (let p = 0; p < S * S; p++) {
      // Ink dark on white: pixel 1 is full ink.
      const g = Math.round(255 * (1 - v.images[i * S * S + p]));
      img.data.set([g, g, g, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
    const right = v.predicted[i] === v.labels[i];
    return el('div', { class: 'digit' }, canvas,
      el('span', { class: right ? 'ok' : 'bad' }, `→ ${v.predicted[i]}`, right ? '' : ` (is ${v.labels[i]})`));
  }
}
