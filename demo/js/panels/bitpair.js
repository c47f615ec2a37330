// Panel of task bitpair: the confusion matrix of the 4 classes (rows: target, columns: predicted)
// on held-out streams, each cell shaded by its share of the row, with each class's recall. The
// seed-000 failure (only {0,2} vs {1,3} told apart) shows as two 2×2 blocks of confusion.
import { el, percent, replace } from '../dom.js';

/** Class k = 2·previous + current. */
const CLASS_NAMES = ['0: 0→0', '1: 0→1', '2: 1→0', '3: 1→1'];

/** What the held-out accuracy says about where training stands (chance 25 %, current bit only 50 %). */
export function bitpairPhase(accuracy) {
  if (!(accuracy >= 0.4)) return 'near chance (25 %): the loss is still on its plateau at ln 4';
  if (accuracy < 0.6) return 'the current bit is read (50 %), the previous one not yet';
  if (accuracy < 0.98) return 'learning to use the previous bit';
  return 'learned (the bar is 98 %, every class 95 %)';
}

export class BitpairPanel {
  constructor(root) {
    this.root = root;
    replace(root, el('p', { class: 'hint' }, 'Waiting for the first evaluation…'));
  }

  /** @param {{ accuracy: number, perClass: number[], confusion: number[][] }} m */
  update(m) {
    const header = el('tr', {}, el('th', { class: 'left' }, 'target ↓ / predicted →'), CLASS_NAMES.map((n) => el('th', {}, n)), el('th', {}, 'recall'));
    const rows = m.confusion.map((row, t) => {
      const total = row.reduce((a, v) => a + v, 0) || 1;
      return el('tr', {},
        el('th', { class: 'left' }, CLASS_NAMES[t]),
        row.map((count, p) => {
          const share = count / total;
          // Blue on the diagonal (right), red off it (wrong); the stronger, the larger the share.
          const rgb = p === t ? '47, 111, 222' : '200, 55, 45';
          return el('td', {
            class: 'cell', title: `${count} of ${total} (${percent(share)})`,
            style: { background: `rgba(${rgb}, ${(0.08 + 0.85 * share).toFixed(3)})`, color: share > 0.55 ? '#fff' : '' },
          }, count);
        }),
        el('td', { class: m.perClass[t] > 0.9 ? 'ok' : 'bad' }, percent(m.perClass[t])),
      );
    });
    replace(this.root,
      el('p', { class: 'metric' }, 'Accuracy on held-out streams (steps t ≥ 1): ', el('b', {}, percent(m.accuracy)),
        el('span', { class: 'phase' }, ` — ${bitpairPhase(m.accuracy)}`)),
      el('table', { class: 'confusion' }, el('thead', {}, header), el('tbody', {}, rows)),
      el('p', { class: 'hint' }, 'Classes: 2·previous bit + current bit. A model that only reads the current bit confuses 0 with 2 and 1 with 3.'),
    );
  }
}
