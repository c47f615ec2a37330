/**
 * Watches a GPUDevice for the two ways it fails outside any error scope: uncaptured errors and
 * loss. Browser-safe.
 *
 * - Uncaptured errors go to `log` (stderr by default), never to stdout. Dawn's Node binding prints
 *   every uncaptured error to *stdout* unless the event's default is prevented, which would break
 *   the CLI's `--json` contract (the last stdout line is JSON), so the handler prevents it.
 * - Loss becomes a RuntimeFailure that says what happened and that recovery is not supported yet
 *   (DESIGN.md section 8). Code that is about to use the device calls `throwIfLost()`.
 */
import { RuntimeFailure } from '../../errors.js';

export interface DeviceWatch {
  /** Throws the RuntimeFailure describing the loss once the device is lost; else does nothing. */
  throwIfLost(): void;
  /** Resolves with that RuntimeFailure when the device is lost (never rejects). */
  readonly lost: Promise<RuntimeFailure>;
  /** Messages of the uncaptured errors seen so far (the first `MAX_KEPT_ERRORS`). */
  readonly uncapturedErrors: readonly string[];
}

/** Uncaptured errors kept for inspection; later ones are still logged. */
export const MAX_KEPT_ERRORS = 20;

export function watchDevice(device: GPUDevice, log: (msg: string) => void): DeviceWatch {
  const uncapturedErrors: string[] = [];
  let lostError: RuntimeFailure | null = null;

  device.addEventListener('uncapturederror', (event) => {
    event.preventDefault();
    const error = (event as GPUUncapturedErrorEvent).error;
    const kind = error?.constructor?.name || 'GPUError';
    const message = `WebGPU ${kind} outside an error scope: ${(error?.message ?? String(error)).trim()}`;
    if (uncapturedErrors.length < MAX_KEPT_ERRORS) uncapturedErrors.push(message);
    log(message);
  });

  const lost = device.lost.then((info) => {
    lostError = lossError(info);
    // An intended destroy() is not news; any other loss is.
    if (info.reason !== 'destroyed') log(lostError.message);
    return lostError;
  });

  return {
    throwIfLost() {
      if (lostError !== null) throw lostError;
    },
    lost,
    uncapturedErrors,
  };
}

function lossError(info: GPUDeviceLostInfo): RuntimeFailure {
  const detail = info.message.trim() === '' ? '' : `: ${info.message.trim()}`;
  if (info.reason === 'destroyed') {
    return new RuntimeFailure(`WebGPU device was destroyed${detail}; create a new engine to keep using WebGPU`);
  }
  return new RuntimeFailure(
    `WebGPU device lost (reason: ${info.reason})${detail}. Recovery after a lost device is not ` +
      'supported yet: create a new engine (or restart the process) to continue',
  );
}
