"""Check the numpy reference (reference_np.py) against real PyTorch, in float64. By hand, not in
CI (CI has no torch): without an importable torch it says so and exits 0.

    /work/venv-torch/bin/python tools/crosscheck/torch_check.py [--cases N] [--seed S] [--tol X]

Each case is drawn by gen_case with every Version 1 addition on, then computed twice: by the
reference, and by PyTorch modules that load the same tensors by name — a container with
`embedding` (nn.Embedding, token inputs), `lstm` / `gru` / `rnn` (nn.LSTM, nn.GRU,
nn.RNN(nonlinearity='tanh' | 'relu'), batch_first=True) and `head` (nn.Linear), loaded with
load_state_dict(strict=True) from the model's tensors minus init.* (which is itself a check of
DESIGN.md section 5's naming). Then:
  - lengths: pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False) → the
    module → pad_packed_sequence(…, batch_first=True, total_length=T); no lengths: x as it is;
  - initial state: the batch's h0/c0, or init.* expanded over the batch (learnedInitialState),
    or zeros; its gradient is read with retain_grad, init.*'s by autograd;
  - head features: h from the padded output; for headFrom "ch" the per-step c, which nn.LSTM does
    not return, is c_n of the top layer after a packed run on the prefix min(len_b, t + 1) (zero at
    padded steps), every needed step t; outputs "last" gathers steps len_b − k … len_b − 1;
  - loss: F.cross_entropy with the padded targets set to ignore_index −100, or
    F.binary_cross_entropy_with_logits / F.mse_loss on the valid positions, reduction 'mean';
  - loss.backward() gives every gradient.
The case cycle forces each cell with outputs all and last, with lengths in 3 cases of 4;
tokens, mse, headFrom "ch", headSteps and learned state come with the draw. Per tensor the error
is ‖ref − torch‖₂ / max(‖torch‖₂, 1e-300); exit 1 if any exceeds --tol (default 1e-10).
"""
import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import gen_case  # noqa: E402
import reference_np as ref  # noqa: E402

TORCH_LIMITS = dict(gen_case.FULL_LIMITS, T=40)
CELLS = ('lstm', 'gru', 'rnn_tanh', 'rnn_relu')


def torch_grad(torch, cfg, params, batch):
    """Everything `grad` writes, computed by PyTorch in float64 (see the module doc)."""
    nn, F = torch.nn, torch.nn.functional
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    rc = ref.resolve_config(cfg)
    cell, I, H, L, C = rc['cell'], rc['inputSize'], rc['hiddenSize'], rc['numLayers'], rc['outputSize']
    dt = torch.float64

    net = nn.Module()
    if cell == 'lstm':
        net.lstm = nn.LSTM(I, H, L, batch_first=True)
    elif cell == 'gru':
        net.gru = nn.GRU(I, H, L, batch_first=True)
    else:
        net.rnn = nn.RNN(I, H, L, nonlinearity='relu' if cell == 'rnn_relu' else 'tanh', batch_first=True)
    net.head = nn.Linear(ref.head_input_size(rc), C)
    if rc['inputKind'] == 'tokens':
        net.embedding = nn.Embedding(rc['vocabSize'], I)
    net = net.to(dt)
    net.load_state_dict({k: torch.tensor(v, dtype=dt) for k, v in params.items() if not k.startswith('init.')}, strict=True)
    rnn = getattr(net, ref.MODULE[cell])
    init = {k: torch.tensor(params[k], dtype=dt, requires_grad=True) for k in params if k.startswith('init.')}

    if rc['inputKind'] == 'tokens':
        x = net.embedding(torch.tensor(np.asarray(batch['x'], dtype=np.int64)))
    else:
        x = torch.tensor(np.asarray(batch['x'], dtype=np.float64))
    B, T = x.shape[:2]
    lengths = ref.batch_lengths(batch, B, T)
    has_lengths = batch.get('lengths') is not None

    state = {}
    for s in ('h0', 'c0') if cell == 'lstm' else ('h0',):
        if batch.get(s) is not None:
            state[s] = torch.tensor(np.asarray(batch[s], dtype=np.float64), requires_grad=True)
        elif rc['learnedInitialState']:
            state[s] = init['init.' + s].unsqueeze(1).expand(L, B, H)
            state[s].retain_grad()
        else:
            state[s] = torch.zeros(L, B, H, dtype=dt, requires_grad=True)
    hx = (state['h0'], state['c0']) if cell == 'lstm' else state['h0']

    def run(lens):
        """The module on x with per-row lengths `lens` (numpy int64 [B]), packed."""
        packed = pack_padded_sequence(x, torch.tensor(lens, dtype=torch.int64), batch_first=True, enforce_sorted=False)
        out_p, hn = rnn(packed, hx)
        out, _ = pad_packed_sequence(out_p, batch_first=True, total_length=T)
        return out, hn

    if has_lengths:
        out, hn = run(lengths)
    else:
        out, hn = rnn(x, hx)
    h_n, c_n = (hn[0], hn[1]) if cell == 'lstm' else (hn, None)

    valid = torch.tensor(ref.valid_mask(lengths, T))
    k = rc['headSteps']
    if rc['outputs'] == 'all':
        if rc['headFrom'] == 'ch':
            cs = []
            for t in range(T):
                _, (_, cn) = run(np.minimum(lengths, t + 1))
                cs.append(torch.where(valid[:, t, None], cn[-1], torch.zeros((), dtype=dt)))
            feat = torch.cat([torch.stack(cs, dim=1), out], dim=2)           # [B, T, 2H]: c then h
        else:
            feat = out
    else:
        steps = torch.tensor(ref.head_steps_index(lengths, k))                # [B, k]
        hsel = out[torch.arange(B)[:, None], steps]                          # [B, k, H]
        if rc['headFrom'] == 'ch':
            csel = torch.stack([run(lengths - k + 1 + j)[1][1][-1] for j in range(k)], dim=1)
            hsel = torch.cat([csel, hsel], dim=2)
        feat = hsel.reshape(B, -1)
    logits = net.head(feat)

    if rc['loss'] == 'softmax_ce':
        y = torch.tensor(np.asarray(batch['y'], dtype=np.int64))
        if rc['outputs'] == 'all':
            y = torch.where(valid, y, torch.full_like(y, -100))
            loss = F.cross_entropy(logits.reshape(-1, C), y.reshape(-1), ignore_index=-100, reduction='mean')
        else:
            loss = F.cross_entropy(logits, y, reduction='mean')
    else:
        y = torch.tensor(np.asarray(batch['y'], dtype=np.float64))
        z, yy = (logits[valid], y[valid]) if rc['outputs'] == 'all' else (logits, y)
        fn = F.binary_cross_entropy_with_logits if rc['loss'] == 'sigmoid_bce' else F.mse_loss
        loss = fn(z, yy, reduction='mean')
    loss.backward()

    g = lambda t: t.detach().numpy().copy()
    res = {'loss': g(loss), 'logits': g(logits), 'h_n': g(h_n), 'grad.h0': g(state['h0'].grad)}
    if cell == 'lstm':
        res['c_n'] = g(c_n)
        res['grad.c0'] = g(state['c0'].grad)
    named = dict(net.named_parameters())
    for name, shape in ref.param_shapes(rc):
        p = init[name] if name.startswith('init.') else named[name]
        res['grad.' + name] = g(p.grad) if p.grad is not None else np.zeros(shape)
    return res


def draw(rng, i):
    """Case i: cell CELLS[i % 4], outputs all / last alternating every 4 cases, lengths in 3 of 4."""
    cell, outputs = CELLS[i % 4], ('all', 'last')[(i // 4) % 2]
    want_lengths = i % 4 != (i // 8) % 4       # which cell goes without lengths rotates
    while True:
        cfg = gen_case.random_config(rng, TORCH_LIMITS, gen_case.ALL_FEATURES)
        if cfg['cell'] != cell or cfg['outputs'] != outputs:
            continue
        k = cfg.get('headSteps', 1)
        B = int(rng.integers(1, TORCH_LIMITS['B'] + 1))
        T = int(rng.integers(k, TORCH_LIMITS['T'] + 1)) if rng.random() < 0.5 else int(rng.integers(k, k + 8))
        params = gen_case.random_params(rng, cfg)
        batch = gen_case.random_batch(rng, cfg, B, T, bool(rng.random() < 0.5), gen_case.ALL_FEATURES)
        if (batch.get('lengths') is not None) == want_lengths:
            return cfg, params, batch, B, T


def main(argv=None):
    ap = argparse.ArgumentParser(description='Check reference_np against PyTorch (float64).')
    ap.add_argument('--cases', type=int, default=32)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--tol', type=float, default=1e-10)
    ap.add_argument('--verbose', action='store_true', help='print every tensor\'s error')
    a = ap.parse_args(argv)
    try:
        import torch
    except ImportError as e:
        print(f'torch_check: SKIPPED: torch is not importable here ({e}); run it with a Python that has '
              f'torch, e.g. python3 -m venv /work/venv-torch && /work/venv-torch/bin/pip install torch')
        return 0
    torch.set_num_threads(1)
    rng = np.random.default_rng(a.seed)
    worst, where, failed = 0.0, None, 0
    per_feature = {}
    seen = {}
    t0 = time.time()
    for i in range(a.cases):
        cfg, params, batch, B, T = draw(rng, i)
        desc = gen_case.describe(gen_case.describe_batch(
            dict(config=cfg, B=B, T=T, batchState='h0' in batch, model='F64', batch='F64'), batch))
        mine = ref.grad(cfg, params, batch)
        theirs = torch_grad(torch, cfg, params, batch)
        if set(mine) != set(theirs):
            print(f'case {i}: tensor sets differ: {sorted(set(mine) ^ set(theirs))} ({desc})')
            failed += 1
            continue
        errs = {}
        for name in sorted(mine):
            r, t = np.asarray(mine[name], dtype=np.float64), np.asarray(theirs[name], dtype=np.float64)
            if r.shape != t.shape:
                errs[name] = float('inf')
                continue
            errs[name] = float(np.linalg.norm((r - t).ravel()) / max(np.linalg.norm(t.ravel()), 1e-300))
        name = max(errs, key=lambda n: errs[n])
        ok = errs[name] <= a.tol
        failed += not ok
        print(f'case {i}: {desc}\n  worst {errs[name]:.3e} ({name})  {"OK" if ok else "NOT OK"}')
        if a.verbose or not ok:
            for n, e in errs.items():
                print(f'    {n:<28s} {e:.3e}{"   <-- over tolerance" if e > a.tol else ""}')
        if where is None or errs[name] > worst:
            worst, where = errs[name], f'case {i} {name} ({desc})'
        used = gen_case.features_used(cfg, batch) + [f"{cfg['cell']}/{cfg['outputs']}"]
        if cfg.get('headFrom') == 'ch':
            used.append('headFrom=ch')
        for f in used:
            seen[f] = seen.get(f, 0) + 1
            per_feature[f] = max(per_feature.get(f, 0.0), errs[name])
    print('coverage (cases, worst error): ' + ', '.join(f'{f} {seen[f]} {per_feature[f]:.1e}' for f in sorted(seen)))
    print(f'torch_check (torch {torch.__version__}, seed {a.seed}): {a.cases - failed}/{a.cases} cases OK; '
          f'worst error {worst:.3e} at {where}; tolerance {a.tol:.0e}; {time.time() - t0:.1f} s')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
