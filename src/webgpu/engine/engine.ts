/**
 * The `webgpu` engine: it owns the device (the caller's, or one it made) and the device's loss,
 * the kernel registry (pipelines shared by all its models), and the models. After the device is
 * lost, every later call fails with one clear error that names the loss and its reason; each
 * model's last good weights stay savable (model.save() writes its host copy, and says from when).
 */
import type { AdapterInfo } from '../../api.js';
import type { ResolvedConfig } from '../../config.js';
import { RuntimeFailure } from '../../errors.js';
import { EngineBase } from '../../core/engineBase.js';
import { KernelRegistry } from '../kernels/registry.js';
import { watchDevice, type DeviceWatch } from '../device/watch.js';
import { newCounters, type GpuCounters } from './counters.js';
import { GpuModel } from './model.js';
import type { PlanContext } from './plan.js';
import { Tuner, type TuningPolicy } from './tuner.js';

/**
 * The `webgpu` backend's engine, made by `createEngine`: it owns the kernel registry (pipelines
 * shared by all its models), its models, and the device when it made it. A model's parameters are
 * one float32 buffer, so their count is bounded by the device's maxStorageBufferBindingSize and
 * maxBufferSize. After the device is lost every call fails with a RuntimeFailure naming the loss.
 */
export class WebGPUEngine extends EngineBase {
  /** Always 'webgpu'. */
  readonly backend = 'webgpu' as const;
  /**
   * Counts since the engine was made: buffers, pipelines and bind groups created, submits and
   * dispatches recorded (a training step is one submit). For tests and the benchmark; not part of
   * the stable API.
   */
  readonly counters: GpuCounters = newCounters();
  /**
   * What plans are built from: the device, the kernel registry, `counters` and `limits`. For tests
   * and the benchmark; not part of the stable API.
   */
  readonly ctx: PlanContext;
  private lostError: RuntimeFailure | null = null;
  /**
   * The device's watch: uncaptured errors (sent to `log`, the first 20 kept in `uncapturedErrors`)
   * and its loss (`lost`, a promise of the RuntimeFailure). For tests; not part of the stable API.
   */
  readonly watch: DeviceWatch;
  /** Chooses every plan's kernel variants (`createEngine({ tuning })`; README, "API", kernel tuning). */
  readonly tuner: Tuner;

  /** Made by `createEngine`, which opens or adopts the device; call that instead. */
  constructor(
    /** The device everything runs on: the caller's (`createEngine({ device })`, never destroyed by the engine) or one the engine made (destroyed by `destroy()`). */
    readonly device: GPUDevice,
    /** The adapter behind the device: vendor, architecture, software or not, the fallback taken. */
    readonly adapterInfo: AdapterInfo,
    /** The device's limits by name (sizes in bytes, e.g. maxStorageBufferBindingSize); every plan is checked against them before it is built. */
    readonly limits: Record<string, number>,
    private readonly ownsDevice: boolean, watch: DeviceWatch | null, log: (msg: string) => void, tuning: TuningPolicy = 'background') {
    super();
    this.watch = watch ?? watchDevice(device, log);
    this.ctx = { device, registry: new KernelRegistry(device, this.counters), counters: this.counters, limits };
    this.tuner = new Tuner(this.ctx, adapterInfo.isFallbackAdapter, tuning);
    void this.watch.lost.then((err) => {
      if (!this.isDestroyed) this.lostError ??= err;
    });
    // A caller's device.destroy() is seen at once, not a tick later when `lost` resolves: a step
    // queued right after it must fail, not report NaN.
    try {
      const destroy = device.destroy.bind(device);
      (device as { destroy: () => void }).destroy = () => {
        if (!this.isDestroyed) this.lostError ??= new RuntimeFailure('WebGPU device was destroyed (device.destroy()); create a new engine to keep using WebGPU');
        destroy();
      };
    } catch {
      // A device object that refuses the property: the lost promise still tells.
    }
  }

  /** The device's loss, once it happened (null before). */
  get lost(): RuntimeFailure | null {
    return this.lostError;
  }

  override assertUsable(where: string): void {
    super.assertUsable(where);
    if (this.lostError) throw new RuntimeFailure(`${where}: ${this.lostError.message}`);
  }

  protected parameterBudget() {
    const binding = this.limits.maxStorageBufferBindingSize ?? 134217728;
    const buffer = this.limits.maxBufferSize ?? 268435456;
    const bytes = Math.min(binding, buffer);
    const which = binding <= buffer ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    return { limit: Math.floor(bytes / 4), why: `the parameters are one float32 buffer, and this device's ${which} is ${bytes} bytes` };
  }

  protected makeModel(cfg: ResolvedConfig, params: Float64Array): GpuModel {
    return new GpuModel(this, cfg, params);
  }

  protected override destroyBackend(): void {
    this.tuner.close();
    if (this.ownsDevice) this.device.destroy();
  }
}
