/**
 * The order of a model's work. Every call that reads or changes a model's state (trainer steps of
 * any of its trainers, forward, grad, parameters, saves, streams' steps) is checked and its inputs
 * copied at once, then its work is queued here: calls run one after another in the order they
 * were made, each exactly once, whether or not the caller awaits them — so a step that was not
 * awaited is applied before the forward that follows it, and a failed call does not stop the next.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `work` after everything queued before it; resolves or rejects with its result. */
  run<T>(work: () => Promise<T> | T): Promise<T> {
    this.pending++;
    const result = this.tail.then(work);
    this.tail = result.then(() => { this.pending--; }, () => { this.pending--; });
    return result;
  }

  /** Calls queued and not yet finished. */
  get length(): number {
    return this.pending;
  }

  /** Resolves when everything queued so far has finished (never rejects). */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
