// Panel of task binary-add: a few held-out sums, each number written most significant bit first
// (the network reads them least significant first), the predicted bits of a + b coloured right or
// wrong, and the share of whole sums right on all 1,000 held-out pairs.
import { decodeBits } from 'webgpu-lstm';
import { el, percent, replace } from '../dom.js';

const SHOWN = 8;

/** v as `bits` binary digits, most significant first. */
function binary(v, bits) {
  return v.toString(2).padStart(bits, '0');
}

export class BinaryAddPanel {
  constructor(root) {
    this.root = root;
    replace(root, el('p', { class: 'hint' }, 'Waiting for the first evaluation…'));
  }

  /** @param {{ bits: number, a: Int32Array, b: Int32Array, logits: ArrayLike<number>, accuracy: number }} v */
  update(v) {
    const rows = [];
    for (let s = 0; s < Math.min(SHOWN, v.a.length); s++) {
      const sum = v.a[s] + v.b[s];
      const predicted = decodeBits(v.logits, s * v.bits, v.bits);
      const want = binary(sum, v.bits), got = binary(predicted, v.bits);
      const bitsCells = [...got].map((ch, k) => el('span', { class: ch === want[k] ? 'bit-ok' : 'bit-bad' }, ch));
      rows.push(el('tr', {},
        el('td', {}, `${v.a[s]}`), el('td', {}, binary(v.a[s], v.bits)),
        el('td', {}, `${v.b[s]}`), el('td', {}, binary(v.b[s], v.bits)),
        el('td', {}, want), el('td', {}, bitsCells), el('td', {}, `${predicted}`),
        el('td', { class: predicted === sum ? 'ok' : 'bad' }, predicted === sum ? '✓' : '✗')));
    }
    replace(this.root,
      el('p', { class: 'metric' }, `Whole sums right on ${v.a.length} held-out pairs: `, el('b', {}, percent(v.accuracy))),
      el('table', { class: 'sums' },
        el('thead', {}, el('tr', {}, ['a', 'a (bits)', 'b', 'b (bits)', 'a + b (bits)', 'predicted bits', 'predicted', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, rows)),
      el('p', { class: 'hint' }, 'Bits are shown most significant first; the RNN reads them least significant first, so the carry flows forward in time.'),
    );
  }
}
