"""Our files against real PyTorch, both ways, through the real command line and API. By hand, not
in CI (CI has no torch):

    /work/venv-torch/bin/python tools/crosscheck/torch_files.py [--no-webgpu] [--keep DIR] [--verbose]

Needs torch and safetensors (pip install safetensors) in that Python, and dist/ (npm run build).
Three checks, on a fixed handful of configs (4 cells, outputs all/last, softmax_ce/sigmoid_bce/mse,
token inputs, 2 layers, lengths, module prefixes), each printing one line with its worst
normwise error ‖ours − torch‖₂ / max(‖torch‖₂, τ) (DESIGN.md section 5's measure):

1. torch → ours (`grad`). A PyTorch model is built as a PyTorch user builds it (nn.LSTM / nn.GRU /
   nn.RNN batch_first=True, nn.Linear `head`, nn.Embedding `embedding`, some under other module
   prefixes such as `encoder.rnn` or `model.`, or a bare nn.LSTM dict), in float32 (PyTorch's
   default), float64, float16 or bfloat16, and its state_dict saved by safetensors.torch.save_file:
   a plain PyTorch file, no metadata (or PyTorch tools' {"format": "pt"}). nn.LSTM with
   bidirectional, proj_size or bias=False must be refused by name (`info --model`). The batch
   is saved the same way: x float32 (zeros at padded steps) or int64 token ids, int64 class ids
   (−100 at padded steps, PyTorch's ignore_index) or float targets, int64 lengths. Then
   `webgpu-lstm grad --config {what tensors cannot say} --names {prefix map}` on cpu (tolerance
   1e-9, F64 output) and webgpu (2e-4, F32 output), against torch_check.torch_grad on the same
   tensors renamed by the same map: pack_padded_sequence(enforce_sorted=False), F.cross_entropy /
   F.binary_cross_entropy_with_logits / F.mse_loss (mean), loss.backward(), in float64. Every
   output tensor of section 5 is compared (loss, logits, h_n, c_n, grad.h0, grad.c0, every grad.*).
2. ours → torch (model file). torch_files_node.mjs makes a model with createEngine({backend: 'cpu'}),
   takes 3 Adam steps, writes model.save() and model.forward() logits; here the file is read by
   safetensors.torch.load_file (which drops __metadata__), its config read from the metadata, and
   torch_grad loads the tensors minus init.* with load_state_dict(strict=True) (a learned init.h0
   / init.c0 goes in as the initial state) and runs the forward. Logits, h_n, c_n compared;
   tolerance 1e-12 for F64 files; the F32 case compares with the forward of the model reloaded from
   its own F32 file (same weights on both sides), also 1e-12.
3. checkpoint → torch.optim. torch_files_node.mjs trains with Adam (weight decay, clipping, one
   stateful trainer; also SGD Nesterov, RMSprop with momentum, Adagrad with lr_decay), writes
   trainer.save() (F64), then resumes a fresh model and trainer from it and takes one step on a
   new batch. Here: the checkpoint's parameters become float64 nn.Parameters, its
   optim.<slot>.<p> (exp_avg / exp_avg_sq, momentum_buffer, square_avg, sum) and "step" go into
   the torch optimizer's load_state_dict (its options from the checkpoint's optimizer JSON),
   torch_grad gives the gradient of the same batch (from state.h / state.c as h0 / c0 for a
   stateful trainer), clip_grad_norm_ when clipNorm, opt.step(). Parameters compared with the
   resumed model's (tolerance 1e-12), and the update p_new − p_old by itself (1e-9: a small lr
   would otherwise hide an error in the update under the parameters' size). The mapping:
   PyTorch's state "step" is the number of updates already taken, as our "step"; both
   bias-correct (Adam) or decay (Adagrad) the next update with t = step + 1, so the checkpoint's
   n goes in unchanged (as a float tensor, as torch keeps it; SGD keeps no step). Also checked: the
   resumed step equals the original trainer's own next step bit for bit.

Exit 1 if any check fails (over tolerance, a wrong tensor set or dtype, a command that fails).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import reference_np as ref  # noqa: E402
import safetensors_np as st  # noqa: E402
from crosscheck import OUT_DTYPE, REPO, TAU, TOL, normwise_error  # noqa: E402
from torch_check import torch_grad  # noqa: E402

CLI = ['node', os.path.join(REPO, 'bin', 'webgpu-lstm.js')]
NODE_HELPER = os.path.join(HERE, 'torch_files_node.mjs')
TOL_FILES = 1e-12      # directions 2 and 3: float64 on both sides
TOL_UPDATE = 1e-9      # check 3, the update p_new − p_old itself (so a small lr cannot hide an error)

# ---------------------------------------------------------------------------------------------
# The configs. `paths`: where the modules sit in the PyTorch model (rnn, head, embedding); the
# prefix map for --names follows from it. `dtype`: the PyTorch model's (F32 is PyTorch's default).

TORCH_TO_OURS = [
    dict(name='lstm all ce lengths encoder.rnn F32', cell='lstm', I=3, H=5, L=1, C=4, V=0,
         outputs='all', loss='softmax_ce', B=4, T=7, lengths=True, paths={'rnn': 'encoder.rnn'}, dtype='F32'),
    dict(name='gru last bce lengths h0 F64', cell='gru', I=2, H=4, L=1, C=3, V=0,
         outputs='last', loss='sigmoid_bce', B=3, T=6, lengths=True, h0=True, dtype='F64'),
    dict(name='rnn_tanh all mse 2-layer F64', cell='rnn_tanh', I=3, H=4, L=2, C=2, V=0,
         outputs='all', loss='mse', B=3, T=5, lengths=False, dtype='F64'),
    dict(name='rnn_relu last ce lengths F32', cell='rnn_relu', I=4, H=6, L=1, C=5, V=0,
         outputs='last', loss='softmax_ce', B=5, T=6, lengths=True, dtype='F32'),
    dict(name='lstm tokens 2-layer all ce lengths model.* F32', cell='lstm', I=4, H=5, L=2, C=6, V=11,
         outputs='all', loss='softmax_ce', B=4, T=8, lengths=True,
         paths={'embedding': 'model.embedding', 'rnn': 'model.lstm', 'head': 'model.head'}, dtype='F32'),
    dict(name='lstm(as rnn) last mse headFrom ch F64', cell='lstm', I=3, H=4, L=1, C=2, V=0,
         outputs='last', loss='mse', headFrom='ch', B=3, T=5, lengths=True, paths={'rnn': 'rnn'}, dtype='F64'),
    dict(name='gru tokens last ce no lengths F32', cell='gru', I=3, H=4, L=2, C=3, V=7,
         outputs='last', loss='softmax_ce', B=3, T=4, lengths=False, dtype='F32'),
    dict(name='bare nn.LSTM dict + head, format pt, F16', cell='lstm', I=2, H=3, L=1, C=2, V=0,
         outputs='all', loss='sigmoid_bce', B=2, T=4, lengths=True, bare=True, meta={'format': 'pt'}, dtype='F16'),
    dict(name='rnn_tanh tokens all mse BF16', cell='rnn_tanh', I=3, H=4, L=1, C=2, V=5,
         outputs='all', loss='mse', B=3, T=4, lengths=True, dtype='BF16'),
]

# PyTorch models the format cannot express: refused by name (DESIGN.md section 5), never loaded.
REFUSED = [
    ('bidirectional=True', dict(bidirectional=True), '_reverse'),
    ('proj_size=2', dict(proj_size=2), 'weight_hr_l0'),
    ('bias=False', dict(bias=False), 'bias'),
]

OURS_TO_TORCH = [
    dict(name='lstm all ce lengths', create=dict(cell='lstm', inputSize=3, hiddenSize=5, numLayers=1, outputSize=4,
         outputs='all', loss='softmax_ce'), B=4, T=6, lengths=True, dtype='F64'),
    dict(name='gru last bce learned state', create=dict(cell='gru', inputSize=2, hiddenSize=4, numLayers=1, outputSize=3,
         outputs='last', loss='sigmoid_bce', learnedInitialState=True), B=3, T=5, lengths=True, dtype='F64'),
    dict(name='rnn_tanh all mse 2-layer', create=dict(cell='rnn_tanh', inputSize=3, hiddenSize=4, numLayers=2, outputSize=2,
         outputs='all', loss='mse'), B=3, T=5, lengths=False, dtype='F64'),
    dict(name='rnn_relu last ce headSteps 2', create=dict(cell='rnn_relu', inputSize=4, hiddenSize=5, numLayers=1, outputSize=3,
         outputs='last', loss='softmax_ce', headSteps=2), B=4, T=6, lengths=True, dtype='F64'),
    dict(name='lstm tokens 2-layer last ce learned state', create=dict(cell='lstm', inputSize=4, hiddenSize=5, numLayers=2,
         outputSize=6, outputs='last', loss='softmax_ce', inputKind='tokens', vocabSize=9, learnedInitialState=True),
         B=3, T=5, lengths=True, dtype='F64'),
    dict(name='lstm all bce headFrom ch F32 file', create=dict(cell='lstm', inputSize=2, hiddenSize=3, numLayers=1,
         outputSize=2, outputs='all', loss='sigmoid_bce', headFrom='ch'), B=2, T=4, lengths=True, dtype='F32', forwardFrom='file'),
]

CHECKPOINTS = [
    dict(name='lstm all ce lengths, adam+wd+clip, stateful', create=dict(cell='lstm', inputSize=3, hiddenSize=4, numLayers=2,
         outputSize=3, outputs='all', loss='softmax_ce'), B=3, T=5, lengths=True,
         trainer=dict(optimizer=dict(name='adam', lr=0.05, betas=[0.8, 0.95], eps=1e-6, weightDecay=0.01), clipNorm=0.1, stateful=True)),
    dict(name='gru tokens last mse learned state, adam', create=dict(cell='gru', inputSize=3, hiddenSize=4, numLayers=1,
         outputSize=2, outputs='last', loss='mse', inputKind='tokens', vocabSize=6, learnedInitialState=True), B=4, T=5, lengths=True,
         trainer=dict(optimizer=dict(name='adam', lr=0.02))),
    dict(name='rnn_relu all bce, adam defaults', create=dict(cell='rnn_relu', inputSize=2, hiddenSize=5, numLayers=1,
         outputSize=2, outputs='all', loss='sigmoid_bce'), B=3, T=4, lengths=False,
         trainer=dict(optimizer=dict(name='adam', lr=1e-3))),
    dict(name='gru all ce lengths, nesterov+wd', create=dict(cell='gru', inputSize=2, hiddenSize=3, numLayers=2,
         outputSize=3, outputs='all', loss='softmax_ce'), B=3, T=4, lengths=True,
         trainer=dict(optimizer=dict(name='nesterov', lr=0.1, momentum=0.8, weightDecay=0.001))),
    dict(name='lstm last bce, rmsprop+momentum, clip', create=dict(cell='lstm', inputSize=2, hiddenSize=3, numLayers=1,
         outputSize=2, outputs='last', loss='sigmoid_bce'), B=3, T=4, lengths=True,
         trainer=dict(optimizer=dict(name='rmsprop', lr=0.01, alpha=0.9, momentum=0.5, eps=1e-7), clipNorm=0.05)),
    dict(name='rnn_tanh all mse, adagrad lrDecay', create=dict(cell='rnn_tanh', inputSize=2, hiddenSize=4, numLayers=1,
         outputSize=2, outputs='all', loss='mse'), B=2, T=5, lengths=False,
         trainer=dict(optimizer=dict(name='adagrad', lr=0.1, lrDecay=0.05, initialAccumulatorValue=0.1))),
]


def torch_optimizer(torch, o, params):
    """The torch.optim optimizer of the checkpoint's optimizer JSON (our names → PyTorch's keywords),
    and the state keys PyTorch keeps besides the slot tensors ('step' where it counts steps)."""
    name = o['name']
    if name in ('sgd', 'momentum', 'nesterov'):
        return torch.optim.SGD(params, lr=o['lr'], momentum=o['momentum'], dampening=o['dampening'],
                               nesterov=o['nesterov'], weight_decay=o['weightDecay']), False
    if name == 'rmsprop':
        if o['nesterov']:
            raise ValueError('rmsprop with nesterov is seed 003\'s own recipe: torch.optim.RMSprop has none')
        return torch.optim.RMSprop(params, lr=o['lr'], alpha=o['alpha'], eps=o['eps'], momentum=o['momentum'],
                                   weight_decay=o['weightDecay']), True
    if name == 'adagrad':
        return torch.optim.Adagrad(params, lr=o['lr'], lr_decay=o['lrDecay'], eps=o['eps'], weight_decay=o['weightDecay'],
                                   initial_accumulator_value=o['initialAccumulatorValue']), True
    return torch.optim.Adam(params, lr=o['lr'], betas=tuple(o['betas']), eps=o['eps'], weight_decay=o['weightDecay']), True



# ---------------------------------------------------------------------------------------------
# Shared pieces

class Report:
    """One line per check; remembers failures."""

    def __init__(self):
        self.failed = 0
        self.count = 0

    def line(self, kind, name, worst, where, tol, problems=()):
        ok = not problems and worst <= tol
        self.count += 1
        self.failed += not ok
        print(f'{kind:<16s} {name:<46s} worst {worst:.2e} ({where}) tol {tol:.0e}  {"OK" if ok else "NOT OK"}', flush=True)
        for p in problems:
            print(f'    {p}', flush=True)


def run(cmd, what):
    """Run a command in the repository; returns None or a list of problem lines."""
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    if proc.returncode == 0:
        return None
    err = (proc.stderr.strip() or '(no stderr)').splitlines()
    if len(err) > 10:
        err = err[:5] + [f'... ({len(err) - 9} lines)'] + err[-4:]
    return [f'{what} exited {proc.returncode}: {" ".join(cmd)[:300]}'] + [f'  stderr: {l[:300]}' for l in err]


def compare(got, want, names, tau):
    """{name: normwise error} for `names`; (worst, name)."""
    errs = {n: normwise_error(got[n], want[n], tau) for n in names}
    worst = max(errs, key=lambda n: (errs[n], n)) if errs else None
    return errs, (errs[worst] if worst else 0.0), worst


def random_batch(rng, cfg, B, T, lengths, h0=False, int_dtype=np.int32):
    """A batch as numpy arrays (padded positions: x 0, class ids −100; float targets 0)."""
    c = ref.resolve_config(cfg)
    C, L, H = c['outputSize'], c['numLayers'], c['hiddenSize']
    lens = None
    if lengths:
        lo = c['headSteps'] if c['outputs'] == 'last' else 1
        lens = rng.integers(lo, T + 1, size=B).astype(np.int64)
        lens[rng.integers(B)] = T
    valid = ref.valid_mask(ref.batch_lengths({'lengths': lens}, B, T), T)         # [B, T]
    if c['inputKind'] == 'tokens':
        x = np.where(valid, rng.integers(0, c['vocabSize'], size=(B, T)), 0).astype(int_dtype)
    else:
        x = rng.standard_normal((B, T, c['inputSize'])) * valid[:, :, None]
    shape = (B, T) if c['outputs'] == 'all' else (B,)
    if c['loss'] == 'softmax_ce':
        y = rng.integers(0, C, size=shape)
        if c['outputs'] == 'all':
            y = np.where(valid, y, -100)
        y = y.astype(int_dtype)
    else:
        fshape = shape + (C,)
        y = rng.random(fshape) if c['loss'] == 'sigmoid_bce' else 2.0 * rng.standard_normal(fshape)
        if c['outputs'] == 'all':
            y = y * valid[:, :, None]
    batch = {'x': x, 'y': y}
    if lens is not None:
        batch['lengths'] = lens.astype(int_dtype)
    if h0:
        batch['h0'] = 0.5 * rng.standard_normal((L, B, H))
        if c['cell'] == 'lstm':
            batch['c0'] = 0.5 * rng.standard_normal((L, B, H))
    return batch


# ---------------------------------------------------------------------------------------------
# 1. torch → ours

def build_torch_model(torch, spec):
    """A PyTorch model as its user would write it, modules placed at spec['paths']."""
    nn = torch.nn
    cell, I, H, L, C, V = spec['cell'], spec['I'], spec['H'], spec['L'], spec['C'], spec['V']
    if cell == 'lstm':
        rnn = nn.LSTM(I, H, L, batch_first=True)
    elif cell == 'gru':
        rnn = nn.GRU(I, H, L, batch_first=True)
    else:
        rnn = nn.RNN(I, H, L, nonlinearity='relu' if cell == 'rnn_relu' else 'tanh', batch_first=True)
    m = (2 if spec.get('headFrom') == 'ch' else 1) * spec.get('headSteps', 1)
    mods = {'rnn': rnn, 'head': nn.Linear(m * H, C)}
    if V:
        mods['embedding'] = nn.Embedding(V, I)
    paths = {'rnn': ref.MODULE[cell], 'head': 'head', 'embedding': 'embedding', **spec.get('paths', {})}
    root = nn.Module()
    for key, mod in mods.items():
        parts = paths[key].split('.')
        parent = root
        for p in parts[:-1]:
            if p not in parent._modules:
                parent.add_module(p, nn.Module())
            parent = parent._modules[p]
        parent.add_module(parts[-1], mod)
    dt = {'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16}[spec['dtype']]
    return root.to(dt), {k: paths[k] for k in mods}


def torch_to_ours(torch, spec, rng, work, backends, report, verbose):
    from safetensors.torch import save_file
    case = os.path.join(work, 'in_' + spec['name'].split()[0].replace('(', '_').replace(')', '') + f'_{len(os.listdir(work))}')
    os.makedirs(case)
    net, paths = build_torch_model(torch, spec)
    sd = net.state_dict()
    our_module = {'rnn': ref.MODULE[spec['cell']], 'head': 'head', 'embedding': 'embedding'}
    if spec.get('bare'):     # {**lstm.state_dict(), **{'head.' + k: …}}: weight_ih_l0 with no prefix
        P = paths['rnn'] + '.'
        sd = {k[len(P):] if k.startswith(P) else k: v for k, v in sd.items()}
    model_path = os.path.join(case, 'model.safetensors')
    # No metadata (a plain file), or PyTorch tools' own {"format": "pt"}; never ours.
    save_file({k: v.contiguous() for k, v in sd.items()}, model_path, metadata=spec.get('meta'))
    names = {} if spec.get('bare') else {paths[k]: our_module[k] for k in paths if paths[k] != our_module[k]}

    def ours(file_name):
        if '.' not in file_name:
            return f'{our_module["rnn"]}.{file_name}'
        for prefix in sorted(names, key=len, reverse=True):
            if file_name.startswith(prefix + '.'):
                return names[prefix] + file_name[len(prefix):]
        return file_name
    params = {ours(k): v.detach().double().numpy() for k, v in sd.items()}   # exact widening of F32

    cfg = dict(cell=spec['cell'], inputSize=spec['I'], hiddenSize=spec['H'], numLayers=spec['L'], outputSize=spec['C'],
               loss=spec['loss'], outputs=spec['outputs'])
    if spec.get('headFrom'):
        cfg['headFrom'] = spec['headFrom']
    if spec['V']:
        cfg.update(inputKind='tokens', vocabSize=spec['V'])
    batch = random_batch(rng, cfg, spec['B'], spec['T'], spec['lengths'], spec.get('h0', False), int_dtype=np.int64)
    tdt = torch.float64 if spec['dtype'] == 'F64' else torch.float32
    tbatch = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in batch.items()}
    for k in ('x', 'y', 'h0', 'c0'):
        if k in tbatch and tbatch[k].is_floating_point():
            tbatch[k] = tbatch[k].to(tdt)
    batch_path = os.path.join(case, 'batch.safetensors')
    save_file(tbatch, batch_path)
    batch_np = {k: v.double().numpy() if v.is_floating_point() else v.numpy() for k, v in tbatch.items()}
    want = torch_grad(torch, cfg, params, batch_np)
    shapes = ref.expected_outputs(cfg, spec['B'], spec['T'])

    # What the tensors cannot say: loss, outputs; cell rnn_relu; headFrom where the width leaves it open.
    given = {'loss': spec['loss'], 'outputs': spec['outputs']}
    if spec['cell'] == 'rnn_relu':
        given['cell'] = 'rnn_relu'
    if spec.get('headFrom'):
        given['headFrom'] = spec['headFrom']
    flags = ['--config', json.dumps(given, separators=(',', ':'))]
    if names:
        flags += ['--names', ','.join(f'{p}={m}' for p, m in names.items())]
    tag = spec['name'] + (f' [--names {flags[-1]}]' if names else '')
    if verbose:
        print(f'    {case}: flags {" ".join(flags)}')

    for backend in backends:
        out_path = os.path.join(case, f'out_{backend}.safetensors')
        problems = run(CLI + ['grad', '--model', model_path, '--batch', batch_path, '--out', out_path,
                              '--backend', backend] + flags, 'grad')
        if problems:
            report.line(f'torch->ours {backend}', tag, float('inf'), 'grad', TOL[backend], problems)
            continue
        got, _, dtypes = st.load(out_path)
        problems = []
        if set(got) != set(shapes):
            problems.append(f'tensor set differs: missing {sorted(set(shapes) - set(got))}, extra {sorted(set(got) - set(shapes))}')
        if set(want) != set(shapes):
            problems.append(f'torch side set differs (harness bug): {sorted(set(want) ^ set(shapes))}')
        common = sorted(set(got) & set(shapes) & set(want))
        for n in common:
            if tuple(got[n].shape) != tuple(shapes[n]):
                problems.append(f'{n}: shape {list(got[n].shape)}, expected {list(shapes[n])}')
            elif dtypes[n] != OUT_DTYPE[backend]:
                problems.append(f'{n}: dtype {dtypes[n]}, expected {OUT_DTYPE[backend]}')
        common = [n for n in common if tuple(got[n].shape) == tuple(shapes[n])]
        errs, worst, where = compare(got, want, common, TAU[OUT_DTYPE[backend]])
        for n, e in errs.items():
            if e > TOL[backend]:
                problems.append(f'{n}: {e:.3e}')
        if verbose:
            for n, e in errs.items():
                print(f'    {n:<28s} {e:.3e}')
        report.line(f'torch->ours {backend}', tag, worst, where, TOL[backend], problems)


def refused(torch, label, kwargs, needle, work, report):
    """An nn.LSTM the format cannot express: `info --model` must exit 1 with one stderr line that
    names a tensor holding `needle`, and print nothing."""
    from safetensors.torch import save_file
    nn = torch.nn
    net = nn.Module()
    net.lstm = nn.LSTM(3, 4, batch_first=True, **kwargs)
    net.head = nn.Linear(8 if kwargs.get('bidirectional') else kwargs.get('proj_size', 4), 2)
    path = os.path.join(work, f'refused_{len(os.listdir(work))}.safetensors')
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, path)
    proc = subprocess.run(CLI + ['info', '--model', path, '--config', '{"loss":"softmax_ce","outputs":"all"}'],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    err = proc.stderr.strip().splitlines()
    problems = []
    if proc.returncode != 1 or proc.stdout.strip() or len(err) != 1 or needle not in err[0]:
        problems.append(f'expected exit 1, no stdout, one stderr line naming "{needle}"; received exit {proc.returncode}, '
                        f'stdout {proc.stdout.strip()[:120]!r}, stderr {proc.stderr.strip()[:300]!r}')
    said = err[0].split('.safetensors: ', 1)[-1] if err else 'no message'
    report.line('torch refused', f'nn.LSTM({label})', 0.0, said[:100] + ('…' if len(said) > 100 else ''), 0.0, problems)


# ---------------------------------------------------------------------------------------------
# 2 and 3. ours → torch

def as_json_tensor(a):
    a = np.asarray(a)
    isint = np.issubdtype(a.dtype, np.integer)
    return {'data': [int(v) for v in a.ravel()] if isint else [float(v) for v in a.ravel()], 'shape': list(a.shape), 'int': bool(isint)}


def as_json_batch(b):
    out = {'x': as_json_tensor(b['x']), 'y': as_json_tensor(b['y'])}
    if 'lengths' in b:
        out['lengths'] = [int(v) for v in b['lengths']]
    return out


def run_node(job, case):
    os.makedirs(case)
    job = dict(job, out=case)
    job_path = os.path.join(case, 'job.json')
    with open(job_path, 'w') as f:
        json.dump(job, f)
    return run(['node', NODE_HELPER, job_path], 'torch_files_node.mjs')


def read_ours(torch, path):
    """safetensors.torch.load_file (tensors only) and the metadata, as PyTorch users read it."""
    from safetensors import safe_open
    from safetensors.torch import load_file
    with safe_open(path, framework='pt') as f:
        meta = f.metadata() or {}
    return load_file(path), meta


def ours_to_torch(torch, spec, rng, work, report):
    cfg = dict(spec['create'])
    batches = [random_batch(rng, cfg, spec['B'], spec['T'], spec['lengths']) for _ in range(4)]
    job = dict(create=dict(cfg, seed=int(rng.integers(1 << 30))), dtype=spec['dtype'],
               trainer=dict(optimizer=dict(name='adam', lr=0.05)), train=[as_json_batch(b) for b in batches[:3]],
               eval=as_json_batch(batches[3]), forwardFrom=spec.get('forwardFrom', 'model'))
    case = os.path.join(work, f'out_{len(os.listdir(work))}')
    tag = f'{spec["name"]} ({spec["dtype"]})'
    problems = run_node(job, case)
    if problems:
        report.line('ours->torch', tag, float('inf'), 'node', TOL_FILES, problems)
        return
    state, meta = read_ours(torch, os.path.join(case, 'model.safetensors'))
    problems = []
    if meta.get('format') != 'webgpu-lstm' or 'config' not in meta:
        problems.append(f'metadata lacks format/config: {str(meta)[:200]}')
    raw_cfg = json.loads(meta['config'])
    file_cfg = ref.resolve_config(raw_cfg)
    want_dtype = torch.float64 if spec['dtype'] == 'F64' else torch.float32
    bad = [k for k, v in state.items() if v.dtype != want_dtype]
    if bad:
        problems.append(f'tensors not {spec["dtype"]}: {bad[:5]}')
    expect = {n for n, _ in ref.param_shapes(file_cfg)}
    if set(state) != expect:
        problems.append(f'tensor set differs from section 5: {sorted(set(state) ^ expect)}')
    # torch_grad drops init.* and loads the rest with load_state_dict(strict=True).
    theirs = torch_grad(torch, raw_cfg, {k: v.double().numpy() for k, v in state.items()}, batches[3])
    with open(os.path.join(case, 'forward.json')) as f:
        fwd = json.load(f)
    got = {'logits': np.array(fwd['logits']).reshape(fwd['logitsShape']), 'h_n': np.array(fwd['hN']).reshape(theirs['h_n'].shape)}
    if 'c_n' in theirs:
        got['c_n'] = np.array(fwd['cN']).reshape(theirs['c_n'].shape)
    errs, worst, where = compare(got, theirs, sorted(got), 1e-300)
    problems += [f'{n}: {e:.3e}' for n, e in errs.items() if e > TOL_FILES]
    report.line('ours->torch', tag, worst, where, TOL_FILES, problems)


def checkpoint_to_torch(torch, spec, rng, work, report):
    cfg = dict(spec['create'])
    batches = [random_batch(rng, cfg, spec['B'], spec['T'], spec['lengths']) for _ in range(4)]
    job = dict(create=dict(cfg, seed=int(rng.integers(1 << 30))), dtype='F64', trainer=spec['trainer'],
               train=[as_json_batch(b) for b in batches[:3]], eval=as_json_batch(batches[3]),
               next=as_json_batch(batches[3]))
    case = os.path.join(work, f'ckpt_{len(os.listdir(work))}')
    tag = spec['name']
    problems = run_node(job, case)
    if problems:
        report.line('ckpt->torch.optim', tag, float('inf'), 'node', TOL_FILES, problems)
        return
    ck_tensors, meta = read_ours(torch, os.path.join(case, 'ckpt.safetensors'))
    raw_cfg = json.loads(meta['config'])
    file_cfg = ref.resolve_config(raw_cfg)
    ck = json.loads(meta['checkpoint'])
    opt_o = ck['optimizer']
    names = [n for n, _ in ref.param_shapes(file_cfg)]
    problems = []
    slots = {'sgd': ['momentum_buffer'], 'momentum': ['momentum_buffer'], 'nesterov': ['momentum_buffer'],
             'rmsprop': ['square_avg'] + (['momentum_buffer'] if opt_o.get('momentum') else []),
             'adagrad': ['sum'], 'adam': ['exp_avg', 'exp_avg_sq']}[opt_o['name']]
    if opt_o['name'] == 'sgd' and not opt_o.get('momentum'):
        slots = []
    expect = set(names) | {f'optim.{s}.{n}' for s in slots for n in names}
    if spec['trainer'].get('stateful'):
        expect |= {'state.h'} | ({'state.c'} if file_cfg['cell'] == 'lstm' else set())
    if set(ck_tensors) != expect:
        problems.append(f'checkpoint tensor set: missing {sorted(expect - set(ck_tensors))}, extra {sorted(set(ck_tensors) - expect)}')
    if ck.get('step') != len(job['train']):
        problems.append(f'checkpoint step {ck.get("step")!r}, expected {len(job["train"])}')

    params = [torch.nn.Parameter(ck_tensors[n].double().clone()) for n in names]
    batch = dict(batches[3])
    if 'state.h' in ck_tensors:                 # a stateful trainer starts from its carried state
        batch['h0'] = ck_tensors['state.h'].double().numpy()
        if 'state.c' in ck_tensors:
            batch['c0'] = ck_tensors['state.c'].double().numpy()
    g = torch_grad(torch, raw_cfg, {n: p.detach().numpy() for n, p in zip(names, params)}, batch)
    for n, p in zip(names, params):
        p.grad = torch.from_numpy(np.ascontiguousarray(g['grad.' + n], dtype=np.float64))
    if ck.get('clipNorm') is not None:
        torch.nn.utils.clip_grad_norm_(params, ck['clipNorm'])
    opt, counts_steps = torch_optimizer(torch, opt_o, params)
    sd = opt.state_dict()
    sd['state'] = {}
    for i, n in enumerate(names):
        st_i = {slot: ck_tensors[f'optim.{slot}.{n}'].double() for slot in slots}
        if counts_steps:
            st_i['step'] = torch.tensor(float(ck['step']))   # updates taken so far (torch: a float tensor)
        sd['state'][i] = st_i
    opt.load_state_dict(sd)
    opt.step()
    theirs = {n: p.detach().numpy() for n, p in zip(names, params)}
    resumed, _ = read_ours(torch, os.path.join(case, 'resumed.safetensors'))
    cont, _ = read_ours(torch, os.path.join(case, 'cont.safetensors'))
    got = {n: resumed[n].double().numpy() for n in names}
    errs, worst, where = compare(got, theirs, names, 1e-300)
    # Relative to the update itself, too: the parameters barely move, so ‖Δ‖ says more.
    before = {n: ck_tensors[n].double().numpy() for n in names}
    d_err = normwise_error(np.concatenate([(got[n] - before[n]).ravel() for n in names]),
                           np.concatenate([(theirs[n] - before[n]).ravel() for n in names]), 1e-300)
    problems += [f'{n}: {e:.3e}' for n, e in errs.items() if e > TOL_FILES]
    if not d_err <= TOL_UPDATE:
        problems.append(f'the update p_new - p_old: {d_err:.3e} (tolerance {TOL_UPDATE:.0e})')
    report.line('ckpt->torch.optim', tag + f' (update {d_err:.1e})', worst, where, TOL_FILES, problems)
    same = all(np.array_equal(resumed[n].numpy(), cont[n].numpy()) for n in names)
    diff = max(float(np.max(np.abs(resumed[n].double().numpy() - cont[n].double().numpy()))) for n in names)
    report.line('ckpt resume', tag + ' = own next step', diff, 'max |resumed - continued|', 0.0,
                [] if same else ['a trainer resumed from the checkpoint differs from the original trainer'])


def main(argv=None):
    ap = argparse.ArgumentParser(description='Our model files, plain PyTorch files and checkpoints vs PyTorch.')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--no-webgpu', action='store_true', help='direction 1 on the cpu backend only')
    ap.add_argument('--keep', default=None, help='write the files here and keep them (default: a temp dir, removed)')
    ap.add_argument('--verbose', action='store_true', help='every tensor\'s error in direction 1')
    a = ap.parse_args(argv)
    try:
        import torch
        import safetensors.torch  # noqa: F401
    except ImportError as e:
        print(f'torch_files: cannot run: {e} (use /work/venv-torch/bin/python; pip install safetensors)')
        return 1
    if not os.path.exists(os.path.join(REPO, 'dist', 'index.js')):
        print('torch_files: cannot run: dist/ is missing (npm run build)')
        return 1
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    work = a.keep or tempfile.mkdtemp(prefix='torch_files_')
    os.makedirs(work, exist_ok=True)
    report = Report()
    t0 = time.time()
    try:
        backends = ['cpu'] if a.no_webgpu else ['cpu', 'webgpu']
        for spec in TORCH_TO_OURS:
            torch_to_ours(torch, spec, rng, work, backends, report, a.verbose)
        for label, kwargs, needle in REFUSED:
            refused(torch, label, kwargs, needle, work, report)
        for spec in OURS_TO_TORCH:
            ours_to_torch(torch, spec, rng, work, report)
        for spec in CHECKPOINTS:
            checkpoint_to_torch(torch, spec, rng, work, report)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f'torch_files (torch {torch.__version__}, seed {a.seed}): {report.count - report.failed}/{report.count} checks OK; '
          f'{time.time() - t0:.1f} s')
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
