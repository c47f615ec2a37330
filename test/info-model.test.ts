/**
 * `webgpu-lstm info --model FILE [--config JSON] [--names a=b,…] [--json]` and the short backend
 * summary, run in-process (infoCommand; the CLI maps UsageError to exit 2 and InputError to exit 1),
 * plus the --config / --names parsing that grad and train share.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BackendsDescription } from '../src/backends.js';
import { resolveConfig, type ModelConfig } from '../src/config.js';
import { InputError, UsageError } from '../src/errors.js';
import { infoCommand, summarizeBackends } from '../src/cli/info.js';
import { modelLoadOptions, parseConfigFlag, parseNamesFlag } from '../src/cli/modelFlags.js';
import { encodeCheckpoint } from '../src/files/checkpoint.js';
import { describeModelFile } from '../src/files/describe.js';
import { encodeModelFile } from '../src/files/modelFile.js';
import { parseSafetensors, serializeSafetensors } from '../src/files/safetensors.js';
import { createOptimizerState, resolveOptimizer } from '../src/reference/optimizerUpdate.js';
import { initParams, paramLayout } from '../src/params.js';

const dir = mkdtempSync(join(tmpdir(), 'wl-info-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function info(...argv: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    await infoCommand(argv);
  } finally {
    spy.mockRestore();
  }
  return out;
}

async function infoError(...argv: string[]): Promise<Error> {
  try {
    await info(...argv);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected infoCommand to fail');
}

const raw: ModelConfig = { cell: 'gru', inputSize: 3, hiddenSize: 4, numLayers: 1, outputSize: 2, loss: 'softmax_ce', outputs: 'last', headSteps: 2 };
const config = resolveConfig(raw);
const layout = paramLayout(config);
const params = initParams(config, layout, { seed: 1 });
const modelPath = join(dir, 'm.safetensors');
writeFileSync(modelPath, encodeModelFile(config, params));
const opt = resolveOptimizer({ name: 'adam', lr: 0.01 });
const ckPath = join(dir, 'ck.safetensors');
writeFileSync(ckPath, encodeCheckpoint({
  config, params, optimizer: opt, optimizerState: { ...createOptimizerState(opt, layout.total), step: 40 },
  clipNorm: 1, schedule: { name: 'step', stepSize: 10 }, stateful: true, carried: { batchSize: 3, h: new Float64Array(12) },
}));
// The same model as PyTorch saves it with self.rnn = nn.GRU and self.fc = nn.Linear.
const torchPath = join(dir, 'torch.safetensors');
{
  const { tensors } = parseSafetensors(encodeModelFile(config, params), 'm');
  writeFileSync(torchPath, serializeSafetensors([...tensors].map(([n, t]) => [n.replace(/^gru\./, 'rnn.').replace(/^head\./, 'fc.'), t] as const)));
}

describe('info --model', () => {
  it('describes a model file: config, parameters, shapes, dtypes, count', async () => {
    const text = await info('--model', modelPath);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`model file ${modelPath}: webgpu-lstm model file`);
    expect(lines[1]).toBe('config: cell gru, inputSize 3, hiddenSize 4, numLayers 1, outputSize 2, loss softmax_ce, outputs last, headSteps 2');
    expect(lines[2]).toBe(`parameters: ${layout.total} in 6 tensors`);
    expect(lines[3]).toMatch(/^ {2}gru\.weight_ih_l0 +\[12, 3\] +F32 +36$/);
    expect(lines[8]).toMatch(/^ {2}head\.bias +\[2\] +F32 +2$/);
    const json = JSON.parse(await info('--model', modelPath, '--json'));
    expect(json).toMatchObject({ file: modelPath, kind: 'model', config: raw, parameterCount: layout.total });
    expect(json.parameters[0]).toEqual({ name: 'gru.weight_ih_l0', shape: [12, 3], dtype: 'F32', size: 36 });
  });

  it('describes a checkpoint: what it was trained with', async () => {
    const text = await info('--model', ckPath);
    expect(text).toContain(`model file ${ckPath}: webgpu-lstm checkpoint`);
    expect(text).toContain('trained with: adam (lr 0.01, betas [0.9, 0.999], eps 1e-8, weightDecay 0), step 40');
    expect(text).toContain('clipNorm 1, schedule step (stepSize 10, gamma 0.1), stateful');
    expect(text).toContain('optimizer state: exp_avg, exp_avg_sq (F64)');
    expect(text).toContain('carried state: state.h [1, 3, 4]');
    const json = JSON.parse(await info('--model', ckPath, '--json'));
    expect(json.kind).toBe('checkpoint');
    expect(json.checkpoint).toEqual({
      optimizer: { name: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
      step: 40, clipNorm: 1, schedule: { name: 'step', stepSize: 10, gamma: 0.1 }, stateful: true,
      optimizerState: { slots: ['exp_avg', 'exp_avg_sq'], dtypes: ['F64'] }, carried: { shape: [1, 3, 4], cell: false },
    });
  });

  it('describes a plain PyTorch file read with --config and --names, naming each file tensor', async () => {
    const text = await info('--model', torchPath, '--config', '{"loss":"softmax_ce","outputs":"last"}', '--names', 'rnn=gru,fc=head');
    expect(text).toContain('plain PyTorch state dict');
    expect(text).toMatch(/ {2}gru\.weight_hh_l0 \(file: rnn\.weight_hh_l0\) +\[12, 4\] +F32 +48/);
    const d = describeModelFile(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(torchPath))), 'x', { config: { loss: 'softmax_ce', outputs: 'last' }, names: { rnn: 'gru', fc: 'head' } });
    expect(d.kind).toBe('pytorch');
    expect(d.parameters.find((p) => p.name === 'head.weight')!.fileName).toBe('fc.weight');
    // Without the flags: the refusal says what is needed, and what the file holds.
    const e = await infoError('--model', torchPath);
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/not a webgpu-lstm model file .*options\.config \{ loss, outputs \} \(the file holds: rnn\.weight_ih_l0, /);
  });

  it('usage errors (exit 2) for bad flags; input errors (exit 1) for bad files', async () => {
    for (const argv of [
      ['--model', torchPath, '--config', '{loss:'],
      ['--model', torchPath, '--config', '[1]'],
      ['--model', torchPath, '--names', 'rnn'],
      ['--model', torchPath, '--names', 'rnn=transformer'],
      ['--model', torchPath, '--names', 'rnn=gru,rnn=lstm'],
      ['--config', '{}'],
      ['--model'],
      ['--frobnicate'],
    ]) {
      const e = await infoError(...argv);
      expect(e, argv.join(' ')).toBeInstanceOf(UsageError);
      expect(e.message).not.toMatch(/\n/);
    }
    const missing = await infoError('--model', join(dir, 'nope.safetensors'));
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.message).toBe(`model file ${join(dir, 'nope.safetensors')}: cannot read it (no such file)`);
  });
});

describe('--config and --names', () => {
  it('parse into the model reader\'s options', () => {
    expect(parseConfigFlag('grad', '{"loss":"mse","outputs":"all"}')).toEqual({ loss: 'mse', outputs: 'all' });
    expect(parseNamesFlag('grad', 'rnn=lstm, fc=head')).toEqual({ rnn: 'lstm', fc: 'head' });
    expect(parseNamesFlag('grad', '=lstm,fc.=head')).toEqual({ '': 'lstm', fc: 'head' });
    expect(modelLoadOptions('grad', {})).toBeUndefined();
    expect(modelLoadOptions('grad', { names: 'fc=head' })).toEqual({ names: { fc: 'head' } });
    expect(() => parseConfigFlag('grad', 'nope')).toThrow(/^grad: --config expects a JSON object/);
    expect(() => parseNamesFlag('grad', 'a=b')).toThrow('grad: --names maps "a" to "b", expected one of lstm, gru, rnn, head, embedding, init');
    expect(() => parseNamesFlag('grad', '')).toThrow(UsageError);
    // "__proto__" stays a plain key.
    expect(Object.keys(parseNamesFlag('grad', '__proto__=head')!)).toEqual(['__proto__']);
  });
});

describe('info without --model: a short summary of the backends', () => {
  it('says which backends exist, the adapter, the fallback and the key limits in about ten lines', () => {
    const d: BackendsDescription = {
      cpu: { available: true, description: 'cpu (float64 reference)', precision: 'float64' },
      webgpu: {
        available: true, implementation: 'dawn (npm webgpu)',
        adapter: { description: 'SwiftShader driver 5.0.0', vendor: 'google', architecture: 'swiftshader', device: '', isFallbackAdapter: true, fallback: 'SwiftShader Vulkan' } as never,
        limits: { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535, maxStorageBuffersPerShaderStage: 8, maxBindGroups: 4 },
        features: ['shader-f16', 'timestamp-query'], fallback: 'SwiftShader Vulkan',
      },
    };
    const lines = summarizeBackends(d);
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines).toEqual([
      'backends: webgpu (the default), cpu',
      '  cpu     cpu (float64 reference)',
      '  webgpu  SwiftShader driver 5.0.0 (google swiftshader, software adapter), via dawn (npm webgpu)',
      '  fallback: SwiftShader Vulkan',
      '  limits: maxStorageBufferBindingSize 128 MiB, maxBufferSize 256 MiB',
      '          maxComputeWorkgroupStorageSize 32 KiB, maxComputeInvocationsPerWorkgroup 256',
      '          maxComputeWorkgroupsPerDimension 65535, maxStorageBuffersPerShaderStage 8',
      '  features: 2 (shader-f16, timestamp-query)',
      '(webgpu-lstm info --json for the full description)',
    ]);
    const none = summarizeBackends({ cpu: d.cpu, webgpu: { available: false, error: 'no adapter found' } });
    expect(none).toEqual([
      'backends: cpu (the default: no WebGPU here)',
      '  cpu     cpu (float64 reference)',
      '  webgpu  not available: no adapter found',
      '(webgpu-lstm info --json for the full description)',
    ]);
  });
});
