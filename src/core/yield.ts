/**
 * Lets the event loop run (timers, rendering, input, progress bars) in the middle of long work.
 * The cpu backend computes synchronously inside promise callbacks (microtasks), so a loop of its
 * steps would otherwise never give a page or a progress bar a turn; fit calls `maybeYield` between
 * steps, which yields at most every `everyMs` milliseconds (a macrotask turn costs ~0.1–4 ms).
 */
let last = 0;

export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r));
  if (typeof g.MessageChannel === 'function') {
    return new Promise((r) => {
      const ch = new g.MessageChannel!();
      ch.port1.onmessage = () => { ch.port1.close(); r(); };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

export async function maybeYield(everyMs = 30): Promise<void> {
  const now = typeof performance !== 'undefined' ? performance.now() : Date.now();
  if (now - last < everyMs) return;
  last = now;
  await yieldToEventLoop();
}
