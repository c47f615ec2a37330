"""Self-test of the cross-check tools, runnable now, without the TypeScript CLI:

    python3 tools/crosscheck/selftest.py [--cases N] [--seed S] [--no-harness]

1. safetensors_np: round trip of F32/F64/I32/I64, scalars and metadata; malformed files refused.
2. reference_np forward: known values (zero head ⇒ loss log C / log 2 / mean y²) and the "last"
   head with headSteps 1 equals the last step of the "all" head, for the 4 cells and 3 losses; one
   vectorised step of each cell equals the same step computed unit by unit with explicit gate-row
   indices.
3. Version 1 facts, each against a code path that does not use the feature:
   lengths — a batch with lengths equals its rows run one by one, truncated to len_b and without
   lengths (h_n, c_n, valid logits; padded logits = head.bias exactly; the loss and every gradient
   as the count-weighted mean of the rows'); all lengths = T equals no lengths; other garbage at
   the padded steps changes nothing, bit for bit. tokens — a token model equals the feature model
   fed x = embedding.weight[ids] (loss, logits, states, every shared gradient).
4. reference_np backward against central finite differences in float64 (6-point stencil,
   O(h⁶)), normwise per tensor, on random cases from gen_case with every Version 1 addition
   (rnn_relu, mse, tokens with grad.embedding.weight, lengths, I64): every entry of every
   parameter on small cases, a random subset of entries on full-size ones. grad.h0/grad.c0 are
   checked by perturbing the initial state actually used, also when the batch has none. rnn_relu:
   an entry whose stencil moves any relu pre-activation across 0 (its sign pattern at one of the
   6 points differs from the base point's) is skipped and counted — the loss has a kink there
   and the FD measures a chord, not the derivative.
5. crosscheck.py run against mock_cli.py (the reference itself): passes on cpu and webgpu, with
   --features v0 and v1, fails on an injected perturbation, a dropped tensor, a wrong dtype, a CLI
   error, a missing CLI, an engine that ignores lengths, a CLI that refuses the additions (and
   --features v0 then passes against it).

Exit status 1 if anything fails. Prints the worst finite-difference error.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import gen_case  # noqa: E402
import reference_np as ref  # noqa: E402
import safetensors_np as st  # noqa: E402
from crosscheck import normwise_error  # noqa: E402

# The finite-difference check uses the project's measure ‖a − r‖₂ / max(‖r‖₂, τ) with r the FD
# gradient. The FD is exact only to its own roundoff, ≈ 2ε·|loss|/h ≈ 1e-13 per entry in float64
# at |loss| ≈ 1 (the loss itself is computed with relative error ~ε, and BLAS sums are not even
# bit-reproducible between calls). So τ is that resolution times a margin, not 1e-300: a gradient
# that is exactly zero (an init.* the batch overrode) or tiny (grad.h0 after tens of steps of
# decay) is then held to an absolute bound of ~1e-12 instead of failing on FD noise. τ follows
# the roundoff: FD_TAU · max(1, |loss|) · (FD_STEP / the smallest step used in the tensor) — mse
# losses reach tens, and rnn_relu entries may fall back to the smaller steps of FD_STEPS.
FD_STEP = 3e-3
FD_TAU = 1e-5
FD_TOL = 1e-7
# rnn_relu: when the stencil at one step crosses a kink (see fd_grad), the next, smaller one is
# tried; an entry is skipped only when every one of them crosses.
FD_STEPS = (FD_STEP, 1e-3)
# FD case i must use MUST[i % 5] (None: any draw).
MUST = ('rnn_relu', 'lengths', 'tokens', 'mse', None)
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print(f'  FAIL: {what}')


# ---------------------------------------------------------------------------------------------

def test_safetensors(tmp):
    rng = np.random.default_rng(0)
    t = {'a': rng.standard_normal((2, 3)).astype(np.float32), 'b': rng.standard_normal(5),
         'c': np.arange(7, dtype=np.int32).reshape(7), 's': np.array(3.5), 'e': np.zeros((0, 4)),
         'l': np.array([[-2 ** 40, 3], [2 ** 62, -1]], dtype=np.int64)}
    p = os.path.join(tmp, 'rt.safetensors')
    st.save(p, t, {'format': 'webgpu-lstm', 'version': '1'})
    got, meta, dtypes = st.load(p)
    check(meta == {'format': 'webgpu-lstm', 'version': '1'}, 'safetensors metadata round trip')
    check(dtypes == {'a': 'F32', 'b': 'F64', 'c': 'I32', 's': 'F64', 'e': 'F64', 'l': 'I64'}, f'safetensors dtypes {dtypes}')
    for k in t:
        check(got[k].shape == t[k].shape and np.array_equal(got[k], t[k]), f'safetensors round trip of {k}')
    raw = open(p, 'rb').read()
    n = int.from_bytes(raw[:8], 'little')
    check((8 + n) % 8 == 0, 'safetensors data starts 8-byte aligned')
    for bad, why in ((raw[:-4], 'truncated'), (raw[:8] + b'X' + raw[9:], 'bad JSON'), (raw + b'\0' * 8, 'trailing bytes')):
        try:
            st.loads(bad)
            check(False, f'safetensors accepts a {why} file')
        except st.SafetensorsError:
            pass


def test_forward_facts():
    rng = np.random.default_rng(1)
    for loss in ref.LOSSES:
        for cell in ref.GATES:
            cfg = {'cell': cell, 'inputSize': 3, 'hiddenSize': 4, 'numLayers': 2, 'outputSize': 5,
                   'loss': loss, 'outputs': 'all'}
            p = gen_case.random_params(rng, cfg)
            b = gen_case.random_batch(rng, cfg, 3, 6, False)
            p0 = dict(p, **{'head.weight': np.zeros_like(p['head.weight']), 'head.bias': np.zeros(5)})
            want = {'softmax_ce': math.log(5), 'sigmoid_bce': math.log(2)}.get(loss)
            if loss == 'mse':
                want = float(np.mean(b['y'] ** 2))
            check(abs(ref.loss_only(cfg, p0, b) - want) < 1e-14, f'{cell} {loss}: zero head gives loss {want}')
            # outputs "last" (headSteps 1) = the last step of outputs "all", same weights.
            all_out = ref.grad(cfg, p, b)
            cl = dict(cfg, outputs='last')
            bl = dict(b, y=b['y'][:, -1])
            last_out = ref.grad(cl, p, bl)
            check(np.allclose(last_out['logits'], all_out['logits'][:, -1], rtol=0, atol=1e-15),
                  f'{cell} {loss}: last head = last step of all head')
            check(np.array_equal(last_out['h_n'], all_out['h_n']), f'{cell}: h_n independent of the head')


def scalar_step(cell, W_ih, W_hh, b_ih, b_hh, x, h, c):
    """One step for one batch row, unit by unit with explicit row indices (gate block q of unit j
    is row q·H + j), to catch slicing mistakes in the vectorised layer_forward."""
    H = W_hh.shape[1]
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))
    pre = lambda row: (sum(W_ih[row, m] * x[m] for m in range(len(x))) + b_ih[row]
                                    + (sum(W_hh[row, m] * h[m] for m in range(H)) + b_hh[row]))
    hn, cn = [], []
    for j in range(H):
        if cell == 'lstm':
            i, f = sig(pre(j)), sig(pre(H + j))
            g, o = math.tanh(pre(2 * H + j)), sig(pre(3 * H + j))
            cj = f * c[j] + i * g
            cn.append(cj)
            hn.append(o * math.tanh(cj))
        elif cell == 'rnn_tanh':
            hn.append(math.tanh(pre(j)))
        elif cell == 'rnn_relu':
            hn.append(max(pre(j), 0.0))
        else:
            r, z = sig(pre(j)), sig(pre(H + j))
            row = 2 * H + j
            gin = sum(W_ih[row, m] * x[m] for m in range(len(x))) + b_ih[row]
            ghn = sum(W_hh[row, m] * h[m] for m in range(H)) + b_hh[row]
            n = math.tanh(gin + r * ghn)
            hn.append((1 - z) * n + z * h[j])
    return np.array(hn), np.array(cn)


def test_scalar_steps():
    rng = np.random.default_rng(2)
    for cell in ref.GATES:
        G, H, I, B = ref.GATES[cell], 3, 2, 2
        w = [rng.uniform(-1, 1, (G * H, I)), rng.uniform(-1, 1, (G * H, H)), rng.uniform(-1, 1, G * H), rng.uniform(-1, 1, G * H)]
        xs = rng.standard_normal((1, B, I))
        h0, c0 = rng.uniform(-1, 1, (B, H)), rng.uniform(-1, 1, (B, H))
        hs, cs, _, _, _ = ref.layer_forward(cell, w, xs, h0, c0 if cell == 'lstm' else None, np.full(B, 1))
        for b in range(B):
            hn, cn = scalar_step(cell, *w, xs[0, b], h0[b], c0[b])
            check(np.allclose(hs[0, b], hn, rtol=0, atol=1e-14), f'{cell}: vectorised step = scalar step (h)')
            if cell == 'lstm':
                check(np.allclose(cs[0, b], cn, rtol=0, atol=1e-14), f'{cell}: vectorised step = scalar step (c)')


# ---------------------------------------------------------------------------------------------
# Version 1 facts: each compares a feature with a code path that does not use it.

def row_targets(cfg, batch, b, n):
    """y of row b truncated to n steps (outputs all) or as it is (outputs last)."""
    y = batch['y'][b:b + 1]
    return y[:, :n] if ref.resolve_config(cfg)['outputs'] == 'all' else y


def test_lengths_facts(cases=12, seed=3):
    rng = np.random.default_rng(seed)
    feats = frozenset({'rnn_relu', 'mse', 'tokens', 'lengths'})
    done = 0
    while done < cases:
        cfg = gen_case.random_config(rng, gen_case.SMALL_LIMITS, feats)
        rc = ref.resolve_config(cfg)
        k = rc['headSteps']
        B, T = int(rng.integers(1, 5)), int(rng.integers(k, k + 7))
        p = gen_case.random_params(rng, cfg)
        batch = gen_case.random_batch(rng, cfg, B, T, bool(rng.random() < 0.5), feats)
        if batch.get('lengths') is None:
            continue
        done += 1
        n = batch['lengths'].astype(np.int64)
        what = gen_case.describe(gen_case.describe_batch(
            dict(config=cfg, B=B, T=T, batchState='h0' in batch, model='F64', batch='F64'), batch))
        out = ref.grad(cfg, p, batch)
        # Per row: the loss counts len_b positions (outputs all) or 1 (last), times C for the
        # element-wise losses; the batch's loss and gradients are the count-weighted mean.
        weight = (n if rc['outputs'] == 'all' else np.ones(B)).astype(np.float64)
        weight /= weight.sum()
        acc = {name: np.zeros_like(v) for name, v in out.items() if name.startswith('grad.') and name not in ('grad.h0', 'grad.c0')}
        loss = 0.0
        for b in range(B):
            rb = {'x': batch['x'][b:b + 1, :n[b]], 'y': row_targets(cfg, batch, b, n[b])}
            for s in ('h0', 'c0'):
                if batch.get(s) is not None:
                    rb[s] = batch[s][:, b:b + 1]
            o = ref.grad(cfg, p, rb)
            loss += weight[b] * float(o['loss'])
            for name in acc:
                acc[name] += weight[b] * o[name]
            close = lambda a, r: np.allclose(a, r, rtol=1e-12, atol=1e-13)
            check(close(out['h_n'][:, b], o['h_n'][:, 0]), f'lengths: h_n of row {b} = its state at len_b - 1 ({what})')
            if 'c_n' in out:
                check(close(out['c_n'][:, b], o['c_n'][:, 0]), f'lengths: c_n of row {b} ({what})')
            for s in ('grad.h0', 'grad.c0'):
                if s in out:
                    check(close(out[s][:, b], weight[b] * o[s][:, 0]), f'lengths: {s} of row {b} ({what})')
            if rc['outputs'] == 'all':
                check(close(out['logits'][b, :n[b]], o['logits'][0]), f'lengths: valid logits of row {b} ({what})')
                check(np.array_equal(out['logits'][b, n[b]:], np.broadcast_to(p['head.bias'], out['logits'][b, n[b]:].shape)),
                      f'lengths: padded logits of row {b} = head.bias exactly ({what})')
            else:
                check(close(out['logits'][b], o['logits'][0]), f'lengths: last-head logits of row {b} ({what})')
        check(abs(float(out['loss']) - loss) <= 1e-12 * max(1.0, abs(loss)), f'lengths: loss = weighted mean of rows ({what})')
        for name, v in acc.items():
            check(normwise_error(out[name], v, 1e-300) < 1e-11, f'lengths: {name} = weighted sum of rows ({what})')
        # All lengths = T is the same as no lengths; other garbage at the padded steps changes
        # nothing at all.
        full = dict(batch, lengths=np.full(B, T, dtype=np.int32))
        plain = {kk: v for kk, v in full.items() if kk != 'lengths'}
        if rc['outputs'] == 'all' and (batch['lengths'] < T).any():
            # The padded targets are garbage: give the "no lengths" run valid ones in their place.
            plain = dict(plain, y=row_fix(rc, batch, rng))
            full = dict(full, y=plain['y'])
        a, r = ref.grad(cfg, p, full), ref.grad(cfg, p, plain)
        check(all(np.array_equal(a[kk], r[kk]) for kk in a), f'lengths: all T = no lengths, bit for bit ({what})')
        other = {kk: v.copy() for kk, v in batch.items()}
        g = np.random.default_rng(done + 99)
        gen_case.fill_padding(g, cfg, other)
        if rc['inputKind'] == 'tokens':
            pad = ~ref.valid_mask(n, T)
            other['x'][pad] = g.integers(0, rc['vocabSize'], size=int(pad.sum()))
        o2 = ref.grad(cfg, p, other)
        check(all(np.array_equal(out[kk], o2[kk]) for kk in out), f'lengths: padded garbage is never read ({what})')


def row_fix(rc, batch, rng):
    """batch['y'] with its padded positions replaced by valid targets."""
    y = batch['y'].copy()
    pad = ~ref.valid_mask(batch['lengths'], batch['x'].shape[1])
    if rc['loss'] == 'softmax_ce':
        y[pad] = rng.integers(0, rc['outputSize'], size=y[pad].shape)
    else:
        y[pad] = rng.uniform(0.0, 1.0, size=y[pad].shape)
    return y


def test_tokens_facts(cases=8, seed=4):
    rng = np.random.default_rng(seed)
    done = 0
    while done < cases:
        cfg = gen_case.random_config(rng, gen_case.SMALL_LIMITS, frozenset({'tokens', 'lengths', 'rnn_relu', 'mse'}))
        if cfg.get('inputKind') != 'tokens':
            continue
        done += 1
        rc = ref.resolve_config(cfg)
        B, T = int(rng.integers(1, 5)), int(rng.integers(rc['headSteps'], rc['headSteps'] + 6))
        p = gen_case.random_params(rng, cfg)
        batch = gen_case.random_batch(rng, cfg, B, T, bool(rng.random() < 0.5), frozenset({'lengths'}))
        fcfg = {kk: v for kk, v in cfg.items() if kk not in ('inputKind', 'vocabSize')}
        fp = {kk: v for kk, v in p.items() if kk != ref.EMBEDDING}
        fb = dict(batch, x=p[ref.EMBEDDING][batch['x']])
        a, r = ref.grad(cfg, p, batch), ref.grad(fcfg, fp, fb)
        check(set(a) == set(r) | {'grad.' + ref.EMBEDDING}, f'tokens: outputs = feature outputs + grad.embedding.weight ({cfg})')
        check(all(np.array_equal(a[kk], r[kk]) for kk in r), f'tokens: same results as features x = embedding[ids] ({cfg})')
        used = np.zeros(rc['vocabSize'], dtype=bool)
        used[batch['x'][ref.valid_mask(ref.batch_lengths(batch, B, T), T)]] = True
        check(not a['grad.' + ref.EMBEDDING][~used].any(), f'tokens: rows of ids never read get exactly zero gradient ({cfg})')


# ---------------------------------------------------------------------------------------------

def fd_grad(f, arr, idx, h):
    """6-point central difference of the loss with respect to arr[idx] (arr is modified, then
    restored): f' = (f(3h) − 9f(2h) + 45f(h) − 45f(−h) + 9f(−2h) − f(−3h)) / 60h, truncation
    h⁶f⁽⁷⁾/140, roundoff ≈ 2ε·|f|/h; h = 3e-3 balances the two here. f() returns (loss, relu sign
    pattern or None); None is returned when a stencil point's pattern differs from the base
    point's (a relu kink inside the stencil: the difference quotient is not the derivative).
    Within one pattern the loss is a smooth function of arr[idx] (a pre-activation that kept its
    sign at all 7 points cannot have crossed 0 and come back within 6h but at a distance O(h²)
    from 0, which the random draws make vanishingly rare)."""
    x0 = arr[idx]
    _, base = f()
    v = {}
    for s in (3, 2, 1, -1, -2, -3):
        arr[idx] = x0 + s * h
        v[s], pat = f()
        if base is not None and not np.array_equal(pat, base):
            arr[idx] = x0
            return None
    arr[idx] = x0
    return (v[3] - 9 * v[2] + 45 * v[1] - 45 * v[-1] + 9 * v[-2] - v[-3]) / (60 * h)


def fd_grad_steps(f, arr, idx, steps):
    """fd_grad at the first step of `steps` whose stencil stays on one smooth piece; returns
    (derivative, step) or (None, None)."""
    for h in steps:
        d = fd_grad(f, arr, idx, h)
        if d is not None:
            return d, h
    return None, None


def fd_case(rng, limits, max_entries, features=gen_case.ALL_FEATURES, must=None):
    """FD-check one random case (redrawn until it uses the feature `must`, if given); returns
    (worst error, tensor name, description, worst absolute difference, entries checked, entries
    skipped at a relu kink, the features used)."""
    while True:
        cfg = gen_case.random_config(rng, limits, features)
        rc = ref.resolve_config(cfg)
        hs = cfg.get('headSteps', 1)
        B = int(rng.integers(1, limits['B'] + 1))
        T = int(rng.integers(hs, max(limits['T'], hs) + 1))
        with_state = bool(rng.random() < 0.5)
        params = gen_case.random_params(rng, cfg)
        batch = gen_case.random_batch(rng, cfg, B, T, with_state, features)
        used = gen_case.features_used(cfg, batch)
        if must is None or must in used:
            break
    out = ref.grad(cfg, params, batch)

    # The initial state actually used, made explicit in a batch copy: the loss is unchanged and
    # grad.h0/grad.c0 are its gradient. (The learned init.* then gets no gradient, so it is
    # FD-checked on the original batch.)
    st0 = ref.initial_state(rc, params, batch, B)
    explicit = dict(batch, **{s: v[0].copy() for s, v in st0.items()})
    base = ref.loss_only(cfg, params, batch)
    check(ref.loss_only(cfg, params, explicit) == base, 'explicit initial state leaves the loss unchanged')

    targets = [(f'grad.{n}', params, n, batch) for n, _ in ref.param_shapes(rc)]
    targets += [(f'grad.{s}', explicit, s, explicit) for s in st0]
    worst, worst_name, worst_abs, checked, skipped = 0.0, None, 0.0, 0, 0
    steps = FD_STEPS if rc['cell'] == 'rnn_relu' else (FD_STEP,)
    for gname, holder, key, b in targets:
        arr = holder[key]
        g = out[gname]
        n = arr.size
        if n <= max_entries:
            idxs = [np.unravel_index(i, arr.shape) for i in range(n)]
        else:
            idxs = [np.unravel_index(i, arr.shape) for i in rng.choice(n, size=max_entries, replace=False)]
        f = (lambda: ref.loss_and_relu_pattern(cfg, params, b))
        fd, an, h_min = [], [], FD_STEP
        for ix in idxs:
            d, h = fd_grad_steps(f, arr, ix, steps)
            if d is None:
                skipped += 1
                continue
            fd.append(d)
            an.append(g[ix])
            h_min = min(h_min, h)
        checked += len(fd)
        if not fd:
            continue
        fd, an = np.array(fd), np.array(an)
        err = normwise_error(an, fd, FD_TAU * max(1.0, abs(base)) * FD_STEP / h_min)
        worst_abs = max(worst_abs, float(np.linalg.norm(an - fd)))
        if err > worst or worst_name is None:
            worst, worst_name = err, gname
    desc = gen_case.describe(gen_case.describe_batch(
        dict(config=cfg, B=B, T=T, batchState=with_state, model='F64', batch='F64'), batch))
    return worst, worst_name, desc, worst_abs, checked, skipped, used


def test_fd(cases, seed):
    rng = np.random.default_rng(seed)
    worst, where, worst_abs, checked, skipped = 0.0, None, 0.0, 0, 0
    seen = set()
    relu = [0, 0]        # entries checked, skipped in the rnn_relu cases
    # Full entries on small cases; a sampled subset on full-size ones (one in four). Case i is
    # drawn until it uses MUST[i % 5], so that every addition is FD-checked whatever the seed.
    for i in range(cases):
        big = i % 4 == 3
        limits = dict(gen_case.FULL_LIMITS, T=30) if big else gen_case.SMALL_LIMITS
        err, name, desc, absd, nc, ns, used = fd_case(rng, limits, 6 if big else 10 ** 9, must=MUST[i % len(MUST)])
        worst_abs = max(worst_abs, absd)
        checked += nc
        skipped += ns
        seen.update(used)
        if 'rnn_relu' in used:
            relu[0] += nc
            relu[1] += ns
        if err > FD_TOL:
            check(False, f'FD case {i}: {name} error {err:.3e} > {FD_TOL:.0e} ({desc})')
        if err > worst or where is None:
            worst, where = err, f'case {i} {name} ({desc})'
    print(f'  finite differences: {cases} cases (steps {FD_STEPS}, τ {FD_TAU:.0e}·max(1, |loss|)·{FD_STEP}/step), {checked} entries checked, '
          f'{skipped} skipped (relu kink inside the stencil; {relu[1]} of {relu[0] + relu[1]} in the rnn_relu cases); worst normwise error {worst:.3e} at {where}; '
          f'worst ‖analytic − FD‖₂ {worst_abs:.3e}')
    # Skipping depends on the sign pattern only, never on the analytic gradient, so it cannot hide
    # a wrong one; it must just leave most entries checked (about 10% are skipped, mostly in the
    # full-size cases with thousands of pre-activations).
    check(relu[1] <= 0.25 * (relu[0] + relu[1]),
          f'FD skipped {relu[1]} of {relu[0] + relu[1]} entries of the rnn_relu cases at kinks (over 25%)')
    if cases >= len(MUST):
        check(seen >= set(m for m in MUST if m), f'FD cases covered only {sorted(seen)} of the Version 1 additions')
    return worst


# ---------------------------------------------------------------------------------------------

def run_crosscheck(args, fault=None):
    env = dict(os.environ)
    env.pop('CROSSCHECK_MOCK_FAULT', None)
    if fault:
        env['CROSSCHECK_MOCK_FAULT'] = fault
    p = subprocess.run([sys.executable, os.path.join(HERE, 'crosscheck.py'), '--quiet'] + args,
                       capture_output=True, text=True, env=env)
    return p.returncode, p.stdout + p.stderr


def test_harness():
    mock = f'{sys.executable} {os.path.join(HERE, "mock_cli.py")}'
    for backend in ('cpu', 'webgpu'):
        for features in ('v0', 'v1'):
            rc, out = run_crosscheck(['--cases', '3', '--seed', '5', '--backend', backend, '--cli', mock, '--features', features])
            check(rc == 0, f'crosscheck passes against the mock CLI on {backend} with --features {features}:\n{out}')
    for fault, must in (('perturb:grad.head.weight', 'over tolerance'), ('drop:h_n', 'lacks tensors'),
                        ('f32', 'expected dtype F64'), ('exit', 'injected failure')):
        rc, out = run_crosscheck(['--cases', '1', '--seed', '5', '--cli', mock], fault)
        check(rc == 1 and must in out, f'crosscheck detects fault {fault} (rc {rc}):\n{out}')
    # Version 1: an engine that ignores lengths, a wrong embedding gradient, a CLI that refuses
    # the additions (which --features v0 then leaves out). Seeds picked so case 0 uses the feature.
    for fault, feats, seed, must in (('ignore:lengths', 'lengths', 3, 'NOT OK'),
                                     ('perturb:grad.embedding.weight', 'tokens', 1, 'over tolerance'),
                                     ('v0', 'v1', 2, 'not supported in version 0')):
        rc, out = run_crosscheck(['--cases', '1', '--seed', str(seed), '--cli', mock, '--features', feats], fault)
        check(rc == 1 and must in out, f'crosscheck --features {feats} detects fault {fault} (rc {rc}):\n{out}')
    rc, out = run_crosscheck(['--cases', '2', '--seed', '2', '--cli', mock, '--features', 'v0'], 'v0')
    check(rc == 0, f'crosscheck --features v0 passes against a CLI without the additions (rc {rc}):\n{out}')
    rc, out = run_crosscheck(['--cases', '1', '--cli', mock, '--features', 'lstm'])
    check(rc == 2 and 'expected v0, v1 or a comma list' in out, f'crosscheck refuses an unknown feature (rc {rc}):\n{out}')
    rc, out = run_crosscheck(['--cases', '1', '--cli', 'node no/such/cli.js'])
    check(rc == 1 and 'does not exist' in out, f'crosscheck explains a missing CLI (rc {rc}):\n{out}')


def main(argv=None):
    ap = argparse.ArgumentParser(description='Self-test of tools/crosscheck.')
    ap.add_argument('--cases', type=int, default=40, help='finite-difference cases (default %(default)s)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--no-harness', action='store_true', help='skip the crosscheck.py/mock CLI runs')
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        print('safetensors_np'); test_safetensors(tmp)
    print('forward facts'); test_forward_facts(); test_scalar_steps()
    print('version 1 facts (lengths, tokens)'); test_lengths_facts(); test_tokens_facts()
    print('backward vs finite differences'); test_fd(a.cases, a.seed)
    if not a.no_harness:
        print('crosscheck harness vs mock CLI'); test_harness()
    print('selftest: ' + ('OK' if not FAILS else f'{len(FAILS)} FAILED'))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
