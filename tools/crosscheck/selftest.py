"""Self-test of the cross-check tools, runnable now, without the TypeScript CLI:

    python3 tools/crosscheck/selftest.py [--cases N] [--seed S] [--no-harness]

1. safetensors_np: round trip of F32/F64/I32, scalars and metadata; malformed files refused.
2. reference_np forward: known values (zero head ⇒ loss log C / log 2) and the "last" head with
   headSteps 1 equals the last step of the "all" head; one vectorised step of each cell equals the
   same step computed unit by unit with explicit gate-row indices.
3. reference_np backward against central finite differences in float64 (6-point stencil,
   O(h⁶)), normwise per tensor, on random cases from gen_case: every entry of every parameter on
   small cases, a random subset of entries on full-size ones. grad.h0/grad.c0 are checked by
   perturbing the initial state actually used, also when the batch has none.
4. crosscheck.py run against mock_cli.py (the reference itself): passes on cpu and webgpu,
   fails on an injected perturbation, a dropped tensor, a wrong dtype, a CLI error, a missing CLI.

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
# (the loss itself is computed with relative error ~ε, and BLAS sums are not even bit-reproducible
# between calls). So τ is that resolution times a margin, not 1e-300: a gradient that is exactly
# zero (an init.* the batch overrode) or tiny (grad.h0 after tens of steps of decay) is then held
# to an absolute bound of ~1e-12 instead of failing on FD noise.
FD_STEP = 3e-3
FD_TAU = 1e-5
FD_TOL = 1e-7
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print(f'  FAIL: {what}')


# ---------------------------------------------------------------------------------------------

def test_safetensors(tmp):
    rng = np.random.default_rng(0)
    t = {'a': rng.standard_normal((2, 3)).astype(np.float32), 'b': rng.standard_normal(5),
         'c': np.arange(7, dtype=np.int32).reshape(7), 's': np.array(3.5), 'e': np.zeros((0, 4))}
    p = os.path.join(tmp, 'rt.safetensors')
    st.save(p, t, {'format': 'webgpu-lstm', 'version': '1'})
    got, meta, dtypes = st.load(p)
    check(meta == {'format': 'webgpu-lstm', 'version': '1'}, 'safetensors metadata round trip')
    check(dtypes == {'a': 'F32', 'b': 'F64', 'c': 'I32', 's': 'F64', 'e': 'F64'}, f'safetensors dtypes {dtypes}')
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
    for loss in ('softmax_ce', 'sigmoid_bce'):
        for cell in ('lstm', 'gru', 'rnn_tanh'):
            cfg = {'cell': cell, 'inputSize': 3, 'hiddenSize': 4, 'numLayers': 2, 'outputSize': 5,
                   'loss': loss, 'outputs': 'all'}
            p = gen_case.random_params(rng, cfg)
            b = gen_case.random_batch(rng, cfg, 3, 6, False)
            p0 = dict(p, **{'head.weight': np.zeros_like(p['head.weight']), 'head.bias': np.zeros(5)})
            want = math.log(5) if loss == 'softmax_ce' else math.log(2)
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
    for cell in ('lstm', 'rnn_tanh', 'gru'):
        G, H, I, B = ref.GATES[cell], 3, 2, 2
        w = [rng.uniform(-1, 1, (G * H, I)), rng.uniform(-1, 1, (G * H, H)), rng.uniform(-1, 1, G * H), rng.uniform(-1, 1, G * H)]
        xs = rng.standard_normal((1, B, I))
        h0, c0 = rng.uniform(-1, 1, (B, H)), rng.uniform(-1, 1, (B, H))
        hs, cs, _ = ref.layer_forward(cell, w, xs, h0, c0 if cell == 'lstm' else None)
        for b in range(B):
            hn, cn = scalar_step(cell, *w, xs[0, b], h0[b], c0[b])
            check(np.allclose(hs[0, b], hn, rtol=0, atol=1e-14), f'{cell}: vectorised step = scalar step (h)')
            if cell == 'lstm':
                check(np.allclose(cs[0, b], cn, rtol=0, atol=1e-14), f'{cell}: vectorised step = scalar step (c)')


# ---------------------------------------------------------------------------------------------

def fd_grad(f, arr, idx, h):
    """6-point central difference of f() with respect to arr[idx] (arr is modified, then restored):
    f' = (f(3h) − 9f(2h) + 45f(h) − 45f(−h) + 9f(−2h) − f(−3h)) / 60h, truncation h⁶f⁽⁷⁾/140,
    roundoff ≈ 2ε·|f|/h; h = 3e-3 balances the two here."""
    x0 = arr[idx]
    v = {}
    for s in (3, 2, 1, -1, -2, -3):
        arr[idx] = x0 + s * h
        v[s] = f()
    arr[idx] = x0
    return (v[3] - 9 * v[2] + 45 * v[1] - 45 * v[-1] + 9 * v[-2] - v[-3]) / (60 * h)


def fd_case(rng, limits, max_entries):
    """FD-check one random case; returns (worst error, tensor name, description)."""
    cfg = gen_case.random_config(rng, limits)
    rc = ref.resolve_config(cfg)
    hs = cfg.get('headSteps', 1)
    B = int(rng.integers(1, limits['B'] + 1))
    T = int(rng.integers(hs, max(limits['T'], hs) + 1))
    with_state = bool(rng.random() < 0.5)
    params = gen_case.random_params(rng, cfg)
    batch = gen_case.random_batch(rng, cfg, B, T, with_state)
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
    worst, worst_name, worst_abs = 0.0, None, 0.0
    h = FD_STEP
    for gname, holder, key, b in targets:
        arr = holder[key]
        g = out[gname]
        n = arr.size
        if n <= max_entries:
            idxs = [np.unravel_index(i, arr.shape) for i in range(n)]
        else:
            idxs = [np.unravel_index(i, arr.shape) for i in rng.choice(n, size=max_entries, replace=False)]
        f = (lambda: ref.loss_only(cfg, params, b))
        fd = np.array([fd_grad(f, arr, ix, h) for ix in idxs])
        an = np.array([g[ix] for ix in idxs])
        err = normwise_error(an, fd, FD_TAU)
        worst_abs = max(worst_abs, float(np.linalg.norm(an - fd)))
        if err > worst or worst_name is None:
            worst, worst_name = err, gname
    desc = gen_case.describe(dict(config=cfg, B=B, T=T, batchState=with_state, model='F64', batch='F64'))
    return worst, worst_name, desc, worst_abs


def test_fd(cases, seed):
    rng = np.random.default_rng(seed)
    worst, where, worst_abs = 0.0, None, 0.0
    # Full entries on small cases; a sampled subset on full-size ones (one in four).
    for i in range(cases):
        big = i % 4 == 3
        limits = dict(gen_case.FULL_LIMITS, T=30) if big else gen_case.SMALL_LIMITS
        err, name, desc, absd = fd_case(rng, limits, 6 if big else 10 ** 9)
        worst_abs = max(worst_abs, absd)
        if err > FD_TOL:
            check(False, f'FD case {i}: {name} error {err:.3e} > {FD_TOL:.0e} ({desc})')
        if err > worst or where is None:
            worst, where = err, f'case {i} {name} ({desc})'
    print(f'  finite differences: {cases} cases (step {FD_STEP}, τ {FD_TAU:.0e}), worst normwise error '
          f'{worst:.3e} at {where}; worst ‖analytic − FD‖₂ {worst_abs:.3e}')
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
        rc, out = run_crosscheck(['--cases', '3', '--seed', '5', '--backend', backend, '--cli', mock])
        check(rc == 0, f'crosscheck passes against the mock CLI on {backend}:\n{out}')
    for fault, must in (('perturb:grad.head.weight', 'over tolerance'), ('drop:h_n', 'lacks tensors'),
                        ('f32', 'expected dtype F64'), ('exit', 'injected failure')):
        rc, out = run_crosscheck(['--cases', '1', '--seed', '5', '--cli', mock], fault)
        check(rc == 1 and must in out, f'crosscheck detects fault {fault} (rc {rc}):\n{out}')
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
    print('backward vs finite differences'); test_fd(a.cases, a.seed)
    if not a.no_harness:
        print('crosscheck harness vs mock CLI'); test_harness()
    print('selftest: ' + ('OK' if not FAILS else f'{len(FAILS)} FAILED'))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
