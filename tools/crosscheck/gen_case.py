"""Random model and batch files in the format of DESIGN.md section 5.

    python3 tools/crosscheck/gen_case.py --seed 7 --out DIR     # writes DIR/model.safetensors, DIR/batch.safetensors

A case draws: any cell; either loss; outputs all/last; headFrom h/ch (LSTM only); headSteps 1–3
(outputs last only); learned initial state or not; h0/c0 in the batch or not (for LSTM both or
neither); ragged sizes B 1–9, T 1–120, I 1–13, H 1–17, L 1–3, C 1–7; storage F32, F64 or a
per-tensor mix, chosen separately for the model file and the batch file.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_np as ref  # noqa: E402
import safetensors_np as st  # noqa: E402

FULL_LIMITS = dict(B=9, T=120, I=13, H=17, L=3, C=7)
# Small sizes for the finite-difference self-test, where every parameter entry is perturbed.
SMALL_LIMITS = dict(B=3, T=6, I=3, H=3, L=2, C=3)


def random_config(rng, limits=FULL_LIMITS):
    cell = str(rng.choice(['lstm', 'rnn_tanh', 'gru']))
    outputs = str(rng.choice(['all', 'last']))
    cfg = {'cell': cell, 'inputSize': int(rng.integers(1, limits['I'] + 1)),
           'hiddenSize': int(rng.integers(1, limits['H'] + 1)), 'numLayers': int(rng.integers(1, limits['L'] + 1)),
           'outputSize': int(rng.integers(1, limits['C'] + 1)),
           'loss': str(rng.choice(['softmax_ce', 'sigmoid_bce'])), 'outputs': outputs}
    # Optional keys only when not the default, as the model file writes them.
    if cell == 'lstm' and rng.random() < 0.5:
        cfg['headFrom'] = 'ch'
    if outputs == 'last':
        k = int(rng.integers(1, 4))
        if k != 1:
            cfg['headSteps'] = k
    if rng.random() < 0.5:
        cfg['learnedInitialState'] = True
    return cfg


def random_params(rng, cfg):
    """float64 parameters, PyTorch-like scale U(−s/√fan, s/√fan) with a random s in [0.5, 1.5]."""
    rc = ref.resolve_config(cfg)
    s = rng.uniform(0.5, 1.5)
    out = {}
    for name, shape in ref.param_shapes(rc):
        if name.startswith('init.'):
            out[name] = rng.uniform(-0.8, 0.8, size=shape)
        else:
            fan = rc['hiddenSize'] if not name.startswith('head.') else ref.head_input_size(rc)
            bound = s / np.sqrt(fan)
            out[name] = rng.uniform(-bound, bound, size=shape)
    return out


def random_batch(rng, cfg, B, T, with_state):
    rc = ref.resolve_config(cfg)
    L, H, C = rc['numLayers'], rc['hiddenSize'], rc['outputSize']
    rows = (B, T) if rc['outputs'] == 'all' else (B,)
    batch = {'x': rng.standard_normal((B, T, rc['inputSize']))}
    if rc['loss'] == 'softmax_ce':
        batch['y'] = rng.integers(0, C, size=rows).astype(np.int32)
    else:
        y = rng.uniform(0.0, 1.0, size=rows + (C,))
        y[rng.random(y.shape) < 0.3] = 0.0          # some hard 0/1 targets too
        y[rng.random(y.shape) < 0.3] = 1.0
        batch['y'] = y
    if with_state:
        batch['h0'] = rng.uniform(-0.9, 0.9, size=(L, B, H))
        if rc['cell'] == 'lstm':
            batch['c0'] = rng.uniform(-1.5, 1.5, size=(L, B, H))
    return batch


def _storage(rng, tensors, mode):
    """Cast float tensors for storage: 'F32', 'F64' or 'mixed' (a coin per tensor). I32 stays."""
    out = {}
    for k, v in tensors.items():
        if v.dtype == np.int32:
            out[k] = v
            continue
        f32 = mode == 'F32' or (mode == 'mixed' and rng.random() < 0.5)
        out[k] = v.astype(np.float32) if f32 else v.astype(np.float64)
    return out


def write_model(path, cfg, params, rng=None, mode='F64'):
    meta = {'format': 'webgpu-lstm', 'version': '1', 'config': json.dumps(cfg, separators=(',', ':'))}
    st.save(path, _storage(rng or np.random.default_rng(0), params, mode), meta)


def write_batch(path, batch, rng=None, mode='F64'):
    st.save(path, _storage(rng or np.random.default_rng(0), batch, mode))


def read_model(path):
    """(config dict as stored, {name: float64 array}) of a model file."""
    tensors, meta, _ = st.load(path)
    if meta.get('format') != 'webgpu-lstm' or meta.get('version') != '1':
        raise ValueError(f'{path}: expected __metadata__ format "webgpu-lstm" version "1", received {meta}')
    return json.loads(meta['config']), {k: v.astype(np.float64) for k, v in tensors.items()}


def read_batch(path):
    tensors, _, _ = st.load(path)
    return {k: (v if v.dtype == np.int32 else v.astype(np.float64)) for k, v in tensors.items()}


def make_case(rng, out_dir, limits=FULL_LIMITS):
    """Draw one case and write it; returns (description dict, model path, batch path)."""
    cfg = random_config(rng, limits)
    B = int(rng.integers(1, limits['B'] + 1))
    T = int(rng.integers(cfg.get('headSteps', 1), max(limits['T'], cfg.get('headSteps', 1)) + 1))
    # Bias toward short sequences half the time: many ragged small cases, some long ones.
    if rng.random() < 0.5:
        T = int(rng.integers(cfg.get('headSteps', 1), max(8, cfg.get('headSteps', 1)) + 1))
    with_state = bool(rng.random() < 0.5)
    params = random_params(rng, cfg)
    batch = random_batch(rng, cfg, B, T, with_state)
    mmode, bmode = (str(rng.choice(['F32', 'F64', 'mixed'])) for _ in range(2))
    model_path = os.path.join(out_dir, 'model.safetensors')
    batch_path = os.path.join(out_dir, 'batch.safetensors')
    write_model(model_path, cfg, params, rng, mmode)
    write_batch(batch_path, batch, rng, bmode)
    desc = dict(config=cfg, B=B, T=T, batchState=with_state, model=mmode, batch=bmode)
    return desc, model_path, batch_path


def describe(desc):
    c = desc['config']
    bits = [c['cell'], f"L{c['numLayers']} I{c['inputSize']} H{c['hiddenSize']} C{c['outputSize']}",
            c['loss'], c['outputs']]
    if 'headFrom' in c:
        bits.append('headFrom=ch')
    if 'headSteps' in c:
        bits.append(f"headSteps={c['headSteps']}")
    if c.get('learnedInitialState'):
        bits.append('learned-init')
    bits.append(f"B{desc['B']} T{desc['T']}")
    bits.append('batch-h0' if desc['batchState'] else 'no-batch-h0')
    bits.append(f"model {desc['model']} batch {desc['batch']}")
    return ' '.join(bits)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', required=True, help='directory for model.safetensors and batch.safetensors')
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    desc, m, b = make_case(np.random.default_rng(a.seed), a.out)
    print(describe(desc))
    print(m)
    print(b)


if __name__ == '__main__':
    main()
