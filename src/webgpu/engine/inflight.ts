/**
 * Back-pressure for steps that do not wait for the GPU (readLoss: false). Each submit's
 * completion is tracked; before a new submit, while more than `limit` are still on the GPU, the
 * oldest is awaited. The host then stays at most `limit` steps ahead of the GPU: the pipeline is
 * full (the host prepares the next steps while the GPU runs) without queuing thousands of steps
 * and their staging memory.
 *
 * The limit: measured on SwiftShader with bitpair-sized steps, 2 to 16 in flight gave the same
 * steps/s within noise, and 1 (wait for every step) was about 1.3× slower; on a GPU a few steps
 * ahead hide the host's per-step work. 4 keeps a little slack for both.
 */
export const DEFAULT_IN_FLIGHT = 4;

export class InFlight {
  private readonly pending: Array<Promise<unknown>> = [];

  constructor(private readonly queue: GPUQueue, private readonly limit = DEFAULT_IN_FLIGHT) {}

  /** Call after a submit: records its completion. */
  submitted(): void {
    const done = this.queue.onSubmittedWorkDone();
    done.catch(() => undefined);
    this.pending.push(done);
  }

  /** Call before a submit: waits while too many are on the GPU. */
  async room(): Promise<void> {
    while (this.pending.length >= this.limit) await this.pending.shift()!.catch(() => undefined);
  }

  /** Waits for everything submitted so far. */
  async drain(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift()!.catch(() => undefined);
  }
}
