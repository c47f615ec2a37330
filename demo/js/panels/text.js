// Panel of task text: the latest sample (the prime, then the generated characters), regenerated
// as the model trains, with the step it came from; the bits per character on a slice of the
// held-out text against the unigram entropy and the task's bar.
import { el, replace } from '../dom.js';

export class TextPanel {
  constructor(root, task) {
    this.root = root;
    this.task = task;
    replace(root, el('p', { class: 'hint' }, 'Loading the text and sampling…'));
  }

  /** @param {{ prime: string, sample: string, temperature: number, step: number, samples: number, heldOutBits: number, unigram: number, bar: number, vocabSize: number, sliceChars: number }} v */
  update(v) {
    this.view = v;
    const ok = v.heldOutBits <= v.bar;
    replace(this.root,
      el('p', { class: 'metric' },
        `Held-out bits per character (${v.sliceChars} characters): `, el('b', { class: ok ? 'ok' : '' }, v.heldOutBits.toFixed(3)),
        ` — unigram entropy ${v.unigram.toFixed(3)}, bar ${v.bar.toFixed(3)} (40 % below), ${v.vocabSize} characters`),
      el('p', { class: 'hint' }, `Sample ${v.samples}, from the weights after ${v.step} steps (temperature ${v.temperature}, the same random draws each time):`),
      el('pre', { class: 'sample', id: 'text-sample' }, el('span', { class: 'prime' }, v.prime), v.sample),
      el('p', { class: 'hint' }, this.task.credit),
    );
  }
}
