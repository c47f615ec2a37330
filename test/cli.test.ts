/**
 * The command line as a user meets it: real processes of bin/webgpu-lstm.js, exit codes, one-line
 * errors, output files written whole or not at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ModelConfig } from '../src/config.js';
import { encodeBatchFile } from '../src/files/batchFile.js';
import { encodeModelFile } from '../src/files/modelFile.js';
import { parseSafetensors, serializeSafetensors } from '../src/files/safetensors.js';
import { initParams, paramLayout } from '../src/params.js';
import { Rng } from '../src/rng.js';
import { CpuEngine } from '../src/cpu/engine.js';
import { normwiseError } from '../src/compare.js';

const dir = mkdtempSync(join(tmpdir(), 'wl-cli-'));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/webgpu-lstm.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(cfgRaw: ModelConfig, B: number, T: number, seed: number, opts: { withH0?: boolean } = {}) {
  const cfg = resolveConfig(cfgRaw);
  const rng = new Rng(seed);
  const params = initParams(cfg, paramLayout(cfg), { seed });
  const x = new Float64Array(B * T * cfg.inputSize).map(() => rng.range(-1, 1));
  const rows = cfg.outputs === 'all' ? B * T : B;
  const y = cfg.loss === 'softmax_ce'
    ? Int32Array.from({ length: rows }, () => rng.int(cfg.outputSize))
    : new Float64Array(rows * cfg.outputSize).map(() => rng.uniform());
  const L = cfg.numLayers, H = cfg.hiddenSize;
  const h0 = opts.withH0 ? new Float64Array(L * B * H).map(() => rng.range(-0.5, 0.5)) : undefined;
  const c0 = opts.withH0 && cfg.cell === 'lstm' ? new Float64Array(L * B * H).map(() => rng.range(-0.5, 0.5)) : undefined;
  const m = join(dir, `m${seed}.safetensors`), b = join(dir, `b${seed}.safetensors`);
  writeFileSync(m, encodeModelFile(cfg, params, 'F64'));
  writeFileSync(b, encodeBatchFile({ x, B, T, y, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) }, cfg, 'F64'));
  return { cfg, params, x, y, h0, c0, m, b };
}

describe('webgpu-lstm grad --backend cpu', () => {
  it('writes loss, logits, final states and every gradient in F64, matching the in-process reference', async () => {
    const f = files({ cell: 'lstm', inputSize: 3, hiddenSize: 5, numLayers: 2, outputSize: 4, loss: 'softmax_ce', outputs: 'all' }, 3, 7, 11, { withH0: true });
    const out = join(dir, 'o11.safetensors');
    const r = cli('grad', '--model', f.m, '--batch', f.b, '--out', out, '--backend', 'cpu');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const { tensors } = parseSafetensors(new Uint8Array(readFileSync(out)), out);
    const names = [...tensors.keys()].sort();
    const layout = paramLayout(f.cfg);
    const expected = ['loss', 'logits', 'h_n', 'c_n', 'grad.h0', 'grad.c0', ...layout.specs.map((s) => `grad.${s.name}`)].sort();
    expect(names).toEqual(expected);
    for (const t of tensors.values()) expect(t.dtype).toBe('F64');
    expect(tensors.get('loss')!.shape).toEqual([]);
    expect(tensors.get('logits')!.shape).toEqual([3, 7, 4]);
    expect(tensors.get('h_n')!.shape).toEqual([2, 3, 5]);
    const model = new CpuEngine().loadModel(readFileSync(f.m));
    const g = await model.grad({ data: f.x, shape: [3, 7, 3] }, { data: f.y as Int32Array, shape: [3, 7] },
      { h0: { data: f.h0!, shape: [2, 3, 5] }, c0: { data: f.c0!, shape: [2, 3, 5] } });
    expect(tensors.get('loss')!.data[0]).toBe(g.loss);
    for (const s of layout.specs) expect(normwiseError(tensors.get(`grad.${s.name}`)!.data, g.grads.get(s.name)!)).toBe(0);
    expect(normwiseError(tensors.get('grad.h0')!.data, g.dh0)).toBe(0);
  });

  it('always writes grad.h0 (and no c_n/grad.c0) for a GRU batch without h0, outputs last', () => {
    const f = files({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'sigmoid_bce', outputs: 'last', headSteps: 2 }, 4, 5, 12);
    const out = join(dir, 'o12.safetensors');
    const r = cli('grad', '--model', f.m, '--batch', f.b, '--out', out, '--backend', 'cpu');
    expect(r.status).toBe(0);
    const { tensors } = parseSafetensors(new Uint8Array(readFileSync(out)), out);
    expect(tensors.has('grad.h0')).toBe(true);
    expect(tensors.has('grad.c0')).toBe(false);
    expect(tensors.has('c_n')).toBe(false);
    expect(tensors.get('logits')!.shape).toEqual([4, 2]);
    expect(tensors.get('grad.gru.weight_ih_l0')!.shape).toEqual([9, 2]);
  });
});

describe('bad input on the command line', () => {
  const f = files({ cell: 'lstm', inputSize: 1, hiddenSize: 2, numLayers: 1, outputSize: 3, loss: 'softmax_ce', outputs: 'all' }, 2, 4, 13);

  function expectOneLineError(r: ReturnType<typeof cli>, status: number, ...words: string[]) {
    expect(r.status).toBe(status);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n').filter((l) => !/XDG_RUNTIME_DIR/.test(l));
    expect(lines.length, r.stderr).toBe(1);
    for (const w of words) expect(lines[0]).toContain(w);
  }

  it('a usage error exits 2 naming the flag', () => {
    expectOneLineError(cli('grad', '--model', f.m, '--batch', f.b), 2, '--out');
    expectOneLineError(cli('train', 'bitpair', '--steps', 'ten'), 2, '--steps', 'ten');
    expectOneLineError(cli('train', 'nope'), 2, 'nope', 'bitpair');
    expectOneLineError(cli('frobnicate'), 2, 'frobnicate');
    expectOneLineError(cli('grad', '--model', f.m, '--batch', f.b, '--out', 'x', '--backend', 'tpu'), 2, '--backend', 'tpu');
  });

  it('a missing file exits 1 naming it, and writes no output', () => {
    const out = join(dir, 'never.safetensors');
    expectOneLineError(cli('grad', '--model', join(dir, 'missing.safetensors'), '--batch', f.b, '--out', out, '--backend', 'cpu'), 1, 'model file', 'missing.safetensors');
    expect(existsSync(out)).toBe(false);
  });

  it('a batch whose feature size does not match the model names x, expected and received; the old output file survives', () => {
    const other = files({ cell: 'lstm', inputSize: 2, hiddenSize: 2, numLayers: 1, outputSize: 3, loss: 'softmax_ce', outputs: 'all' }, 2, 4, 14);
    const out = join(dir, 'kept.safetensors');
    writeFileSync(out, 'precious');
    expectOneLineError(cli('grad', '--model', f.m, '--batch', other.b, '--out', out, '--backend', 'cpu'), 1, '"x"', '[2, 4, 1]', '[2, 4, 2]');
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });

  it('a truncated model file is refused with a clear error', () => {
    const bad = join(dir, 'trunc.safetensors');
    writeFileSync(bad, readFileSync(f.m).subarray(0, 40));
    const r = cli('grad', '--model', bad, '--batch', f.b, '--out', join(dir, 'o.safetensors'), '--backend', 'cpu');
    expectOneLineError(r, 1, 'trunc.safetensors');
  });
});

describe('webgpu-lstm train and info', () => {
  it('train bitpair --steps 20 --json ends stdout with the JSON summary and saves a loadable model', () => {
    const save = join(dir, 'bitpair.safetensors');
    const r = cli('train', 'bitpair', '--backend', 'cpu', '--steps', '20', '--seed', '3', '--json', '--save', save);
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trim().split('\n').pop()!;
    const s = JSON.parse(last);
    expect(s).toMatchObject({ task: 'bitpair', backend: 'cpu', steps: 20 });
    for (const k of ['adapter', 'loss', 'accuracy', 'seconds']) expect(s).toHaveProperty(k);
    expect(s.perClass).toHaveLength(4);
    expect(Number.isFinite(s.loss)).toBe(true);
    const model = new CpuEngine().loadModel(readFileSync(save));
    expect(model.config).toMatchObject({ cell: 'lstm', hiddenSize: 5, numLayers: 2, outputSize: 4 });
  });

  it('info lists the cpu backend', () => {
    const r = cli('info', '--json');
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(d).toHaveProperty('cpu');
    expect(d).toHaveProperty('webgpu');
  });
});

describe('issue 8 (13, 15) and issue 10 (5): the command line as a user meets it', () => {
  function oneLine(r: ReturnType<typeof cli>, status: number, ...words: RegExp[]) {
    expect(r.status, r.stderr).toBe(status);
    const lines = r.stderr.trim().split('\n').filter((l) => l !== '');
    expect(lines.length, r.stderr).toBe(1);
    for (const w of words) expect(lines[0]).toMatch(w);
  }

  it('--help on a command prints its usage and exits 0; a misspelt flag says "did you mean", with the usage', () => {
    for (const cmd of ['train', 'grad', 'check', 'info', 'bench']) {
      const r = cli(cmd, '--help');
      expect(r.status, `${cmd}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage: webgpu-lstm ${cmd}`));
    }
    oneLine(cli('train', '--step', '10'), 2, /train: unknown option --step \(did you mean --steps\?\); usage: webgpu-lstm train \[task\]/);
    oneLine(cli('grad', '--modle', 'm'), 2, /did you mean --model\?/);
    expect(cli('train', '--help').stdout).toMatch(/tasks: bitpair, echo, mnist-rows, binary-add, forecast, text/);
    for (const cmd of ['grad', 'info']) {
      const help = cli(cmd, '--help').stdout;
      expect(help, cmd).toMatch(/--config JSON +the config fields tensors cannot say.*\n.*cell "rnn_relu"/);
      expect(help, cmd).toMatch(/--names a=b,\.\.\. +your module names onto ours/);
    }
  });

  it('--save into a folder that does not exist is refused before training, in one line', () => {
    const t0 = performance.now();
    oneLine(cli('train', 'bitpair', '--backend', 'cpu', '--steps', '300', '--save', '/nonexistent-dir/ck.safetensors'), 1,
      /--save \/nonexistent-dir\/ck\.safetensors: its folder \/nonexistent-dir does not exist/);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('a webgpu run prints no Vulkan or Dawn warnings on stderr: a failure is one line', () => {
    const out = join(dir, 'gpu-o.safetensors');
    const f = files({ cell: 'gru', inputSize: 2, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'softmax_ce', outputs: 'all' }, 2, 4, 21);
    const bad = files({ cell: 'gru', inputSize: 3, hiddenSize: 3, numLayers: 1, outputSize: 2, loss: 'softmax_ce', outputs: 'all' }, 2, 4, 22);
    oneLine(cli('grad', '--model', f.m, '--batch', bad.b, '--out', out, '--backend', 'webgpu'), 1, /batch file .*tensor "x" expected shape \[2, 4, 2\]/);
    const ok = cli('grad', '--model', f.m, '--batch', f.b, '--out', out, '--backend', 'webgpu');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).not.toMatch(/Warning|vkCreateInstance|PhysicalDeviceVk|VulkanError/);
  });

  it('info prints a short human summary; --json the full description', () => {
    const r = cli('info');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeLessThanOrEqual(15);
    expect(r.stdout).toMatch(/backends: /);
  });

  it('grad takes a plain PyTorch state_dict with --config and --names, and a batch with lengths and token ids', () => {
    const cfgRaw: ModelConfig = { cell: 'lstm', inputKind: 'tokens', vocabSize: 7, inputSize: 3, hiddenSize: 4, numLayers: 1, outputSize: 2, loss: 'softmax_ce', outputs: 'last' };
    const cfg = resolveConfig(cfgRaw);
    const layout = paramLayout(cfg);
    const params = initParams(cfg, layout, { seed: 5 });
    // The torch side: self.emb = nn.Embedding, self.rnn = nn.LSTM, self.fc = nn.Linear; save_file(state_dict).
    const renamed: Array<[string, { dtype: 'F32'; shape: number[]; data: Float32Array }]> = layout.specs.map((s) => [
      s.name.replace(/^lstm\./, 'rnn.').replace(/^head\./, 'fc.').replace(/^embedding\./, 'emb.'),
      { dtype: 'F32', shape: s.shape, data: Float32Array.from(params.subarray(s.offset, s.offset + s.size)) },
    ]);
    const torchFile = join(dir, 'torch.safetensors');
    writeFileSync(torchFile, serializeSafetensors(renamed));
    const B = 3, T = 5;
    const x = Int32Array.from({ length: B * T }, (_, i) => (i * 3) % 7);
    const lengths = Int32Array.from([5, 2, 3]);
    const y = Int32Array.from([1, 0, 1]);
    const batch = join(dir, 'tok-batch.safetensors');
    writeFileSync(batch, encodeBatchFile({ x, B, T, y, lengths } as never, cfg, { intDtype: 'I64' } as never));
    const out = join(dir, 'tok-o.safetensors');
    const r = cli('grad', '--model', torchFile, '--batch', batch, '--out', out, '--backend', 'cpu', '--config', '{"loss":"softmax_ce","outputs":"last"}', '--names', 'rnn=lstm,fc=head,emb=embedding');
    expect(r.status, r.stderr).toBe(0);
    const got = parseSafetensors(readFileSync(out), 'o').tensors;
    expect(got.get('grad.embedding.weight')!.shape).toEqual([7, 3]);
    const ref = new CpuEngine().createModel({ ...cfgRaw, seed: 5 });
    return ref.grad({ data: x, shape: [B, T] }, { data: y, shape: [B] }, { lengths: { data: lengths, shape: [B] } }).then((g) => {
      expect(normwiseError(got.get('logits')!.data, g.logits)).toBeLessThan(1e-6);
      expect(normwiseError(got.get('grad.embedding.weight')!.data, g.grads.get('embedding.weight')!)).toBeLessThan(1e-6);
    });
  });
});
