"""Random model and batch files in the format of DESIGN.md section 5 (with its "Version 1 additions").

    python3 tools/crosscheck/gen_case.py --seed 7 --out DIR [--features v0|v1|LIST]
        # writes DIR/model.safetensors, DIR/batch.safetensors

A case draws: a cell; a loss; outputs all/last; headFrom h/ch (LSTM only); headSteps 1–3
(outputs last only); learned initial state or not; h0/c0 in the batch or not (for LSTM both or
neither); ragged sizes B 1–9, T 1–120, I 1–13, H 1–17, L 1–3, C 1–7; storage F32, F64 or a
per-tensor mix, chosen separately for the model file and the batch file.

`features` turns on the Version 1 additions the draw may use (FEATURES below): `v0` none (the
draws are then exactly those of the version 0 generator, seed for seed), `v1` all of them, or a
comma list of names:
  rnn_relu  the cell may be rnn_relu (4 cells, uniform)
  mse       the loss may be mse (3 losses, uniform); targets N(0, s²), s in [0.5, 3]
  tokens    half the cases take token inputs: vocabSize V 1–40, x ids [B, T], embedding N(0, 1)
  lengths   60% of the batches hold `lengths` [B] in [k, T] (k = headSteps for outputs last, else
            1), one row at T half the time; padded steps get garbage: x features ·1000, targets
            −100, 1e30, 2³¹−1 … (class ids out of range), to show they are never read
  i64       each integer tensor (token x, class ids y, lengths) is I32 or I64, a coin each
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

FULL_LIMITS = dict(B=9, T=120, I=13, H=17, L=3, C=7, V=40)
# Small sizes for the finite-difference self-test, where every parameter entry is perturbed.
SMALL_LIMITS = dict(B=3, T=6, I=3, H=3, L=2, C=3, V=5)

FEATURES = ('rnn_relu', 'mse', 'tokens', 'lengths', 'i64')
NO_FEATURES = frozenset()
ALL_FEATURES = frozenset(FEATURES)


def parse_features(spec):
    """`v0`, `v1` or a comma list of FEATURES -> frozenset; ValueError naming the bad part."""
    spec = (spec or '').strip()
    if spec == 'v0':
        return NO_FEATURES
    if spec == 'v1':
        return ALL_FEATURES
    names = [n.strip() for n in spec.split(',') if n.strip()]
    bad = [n for n in names if n not in FEATURES]
    if not names or bad:
        raise ValueError(f'features: expected v0, v1 or a comma list of {", ".join(FEATURES)}, '
                         f'received {spec[:80]!r}')
    return frozenset(names)


def feature_string(features):
    """The inverse of parse_features, for messages."""
    if not features:
        return 'v0'
    if features == ALL_FEATURES:
        return 'v1'
    return ','.join(f for f in FEATURES if f in features)


def features_used(cfg, batch):
    """The FEATURES a case (config dict, batch tensors) uses, in FEATURES order."""
    used = set()
    if cfg['cell'] == 'rnn_relu':
        used.add('rnn_relu')
    if cfg['loss'] == 'mse':
        used.add('mse')
    if cfg.get('inputKind', 'features') == 'tokens':
        used.add('tokens')
    if batch.get('lengths') is not None:
        used.add('lengths')
    if any(np.asarray(v).dtype == np.int64 for v in batch.values() if v is not None):
        used.add('i64')
    return [f for f in FEATURES if f in used]


def random_config(rng, limits=FULL_LIMITS, features=NO_FEATURES):
    # Every draw a feature adds comes after, or replaces, a version 0 draw only when the feature
    # is on: with no features the sequence of draws is the version 0 one.
    cells = ['lstm', 'rnn_tanh', 'gru'] + (['rnn_relu'] if 'rnn_relu' in features else [])
    losses = ['softmax_ce', 'sigmoid_bce'] + (['mse'] if 'mse' in features else [])
    cell = str(rng.choice(cells))
    outputs = str(rng.choice(['all', 'last']))
    cfg = {'cell': cell, 'inputSize': int(rng.integers(1, limits['I'] + 1)),
           'hiddenSize': int(rng.integers(1, limits['H'] + 1)), 'numLayers': int(rng.integers(1, limits['L'] + 1)),
           'outputSize': int(rng.integers(1, limits['C'] + 1)),
           'loss': str(rng.choice(losses)), 'outputs': outputs}
    # Optional keys only when not the default, as the model file writes them.
    if cell == 'lstm' and rng.random() < 0.5:
        cfg['headFrom'] = 'ch'
    if outputs == 'last':
        k = int(rng.integers(1, 4))
        if k != 1:
            cfg['headSteps'] = k
    if rng.random() < 0.5:
        cfg['learnedInitialState'] = True
    if 'tokens' in features and rng.random() < 0.5:
        cfg['inputKind'] = 'tokens'
        cfg['vocabSize'] = int(rng.integers(1, limits['V'] + 1))
    return cfg


def random_params(rng, cfg):
    """float64 parameters, PyTorch-like scale U(−s/√fan, s/√fan) with a random s in [0.5, 1.5];
    the embedding N(0, 1) as nn.Embedding."""
    rc = ref.resolve_config(cfg)
    s = rng.uniform(0.5, 1.5)
    out = {}
    for name, shape in ref.param_shapes(rc):
        if name == ref.EMBEDDING:
            out[name] = rng.standard_normal(shape)
        elif name.startswith('init.'):
            out[name] = rng.uniform(-0.8, 0.8, size=shape)
        else:
            fan = rc['hiddenSize'] if not name.startswith('head.') else ref.head_input_size(rc)
            bound = s / np.sqrt(fan)
            out[name] = rng.uniform(-bound, bound, size=shape)
    return out


def _int_dtype(rng, features):
    return np.int64 if 'i64' in features and rng.random() < 0.5 else np.int32


def random_lengths(rng, cfg, B, T):
    """[B] lengths in [k, T] (k = headSteps for outputs last, else 1), one row at T half the time."""
    rc = ref.resolve_config(cfg)
    lo = rc['headSteps'] if rc['outputs'] == 'last' else 1
    n = rng.integers(lo, T + 1, size=B)
    if rng.random() < 0.5:
        n[rng.integers(0, B)] = T
    return n


def fill_padding(rng, cfg, batch):
    """Garbage at the padded steps (t >= len_b) of x (features) and, outputs all, of y: values the
    contract says are never read (class ids out of range, targets far outside [0, 1])."""
    rc = ref.resolve_config(cfg)
    B, T = batch['x'].shape[:2]
    pad = ~ref.valid_mask(batch['lengths'], T)
    if not pad.any():
        return
    if rc['inputKind'] == 'features':
        batch['x'][pad] = 1e3 * rng.standard_normal(batch['x'][pad].shape)
    if rc['outputs'] == 'all':
        y = batch['y']
        if rc['loss'] == 'softmax_ce':
            junk = np.array([-100, rc['outputSize'], 2 ** 31 - 1])
        else:
            junk = np.array([-100.0, 1e30, 7.5])
        y[pad] = junk[rng.integers(0, len(junk), size=y[pad].shape)]


def random_batch(rng, cfg, B, T, with_state, features=NO_FEATURES):
    rc = ref.resolve_config(cfg)
    L, H, C = rc['numLayers'], rc['hiddenSize'], rc['outputSize']
    rows = (B, T) if rc['outputs'] == 'all' else (B,)
    if rc['inputKind'] == 'tokens':
        batch = {'x': rng.integers(0, rc['vocabSize'], size=(B, T)).astype(_int_dtype(rng, features))}
    else:
        batch = {'x': rng.standard_normal((B, T, rc['inputSize']))}
    if rc['loss'] == 'softmax_ce':
        batch['y'] = rng.integers(0, C, size=rows).astype(np.int32)
        if 'i64' in features and rng.random() < 0.5:
            batch['y'] = batch['y'].astype(np.int64)
    elif rc['loss'] == 'sigmoid_bce':
        y = rng.uniform(0.0, 1.0, size=rows + (C,))
        y[rng.random(y.shape) < 0.3] = 0.0          # some hard 0/1 targets too
        y[rng.random(y.shape) < 0.3] = 1.0
        batch['y'] = y
    else:
        batch['y'] = rng.uniform(0.5, 3.0) * rng.standard_normal(rows + (C,))
    if with_state:
        batch['h0'] = rng.uniform(-0.9, 0.9, size=(L, B, H))
        if rc['cell'] == 'lstm':
            batch['c0'] = rng.uniform(-1.5, 1.5, size=(L, B, H))
    if 'lengths' in features and rng.random() < 0.6:
        batch['lengths'] = random_lengths(rng, cfg, B, T).astype(_int_dtype(rng, features))
        fill_padding(rng, cfg, batch)
    return batch


def _storage(rng, tensors, mode):
    """Cast float tensors for storage: 'F32', 'F64' or 'mixed' (a coin per tensor). Integer
    tensors (I32, I64) stay as they are."""
    out = {}
    for k, v in tensors.items():
        if np.issubdtype(v.dtype, np.integer):
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
    return {k: (v if np.issubdtype(v.dtype, np.integer) else v.astype(np.float64)) for k, v in tensors.items()}


def make_case(rng, out_dir, limits=FULL_LIMITS, features=NO_FEATURES):
    """Draw one case and write it; returns (description dict, model path, batch path)."""
    cfg = random_config(rng, limits, features)
    B = int(rng.integers(1, limits['B'] + 1))
    T = int(rng.integers(cfg.get('headSteps', 1), max(limits['T'], cfg.get('headSteps', 1)) + 1))
    # Bias toward short sequences half the time: many ragged small cases, some long ones.
    if rng.random() < 0.5:
        T = int(rng.integers(cfg.get('headSteps', 1), max(8, cfg.get('headSteps', 1)) + 1))
    with_state = bool(rng.random() < 0.5)
    params = random_params(rng, cfg)
    batch = random_batch(rng, cfg, B, T, with_state, features)
    mmode, bmode = (str(rng.choice(['F32', 'F64', 'mixed'])) for _ in range(2))
    model_path = os.path.join(out_dir, 'model.safetensors')
    batch_path = os.path.join(out_dir, 'batch.safetensors')
    write_model(model_path, cfg, params, rng, mmode)
    write_batch(batch_path, batch, rng, bmode)
    desc = describe_batch(dict(config=cfg, B=B, T=T, batchState=with_state, model=mmode, batch=bmode), batch)
    return desc, model_path, batch_path


def describe_batch(desc, batch):
    """Add to desc what describe() prints of the batch's integer tensors and lengths."""
    desc['int64'] = sorted(k for k, v in batch.items() if v.dtype == np.int64)
    if batch.get('lengths') is not None:
        n = batch['lengths']
        desc['lengths'] = (int(n.min()), int(n.max()), int(n.sum()))
    return desc


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
    if c.get('inputKind') == 'tokens':
        bits.append(f"tokens V{c['vocabSize']}")
    bits.append(f"B{desc['B']} T{desc['T']}")
    if desc.get('lengths'):
        lo, hi, tot = desc['lengths']
        bits.append(f'lengths {lo}..{hi} (sum {tot})')
    bits.append('batch-h0' if desc['batchState'] else 'no-batch-h0')
    bits.append(f"model {desc['model']} batch {desc['batch']}")
    if desc.get('int64'):
        bits.append('I64 ' + ','.join(desc['int64']))
    return ' '.join(bits)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--out', required=True, help='directory for model.safetensors and batch.safetensors')
    ap.add_argument('--features', default='v1', help='v0, v1 or a comma list of ' + ', '.join(FEATURES) + ' (default %(default)s)')
    a = ap.parse_args(argv)
    try:
        features = parse_features(a.features)
    except ValueError as e:
        ap.error(str(e))
    os.makedirs(a.out, exist_ok=True)
    desc, m, b = make_case(np.random.default_rng(a.seed), a.out, features=features)
    print(describe(desc))
    print(m)
    print(b)


if __name__ == '__main__':
    main()
