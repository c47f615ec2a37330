"""Cross-check `webgpu-lstm grad` against the independent numpy reference (reference_np.py).

    python3 tools/crosscheck/crosscheck.py --cases N --seed S [--backend cpu|webgpu]
                                           [--features v0|v1|LIST] [--cli "node bin/webgpu-lstm.js"]
                                           [--tol X] [--keep DIR]

For each case: draw a random model and batch (gen_case.py), write them to a temp dir, run
`<cli> grad --model M --batch B --out O --backend X`, read O and compare it with the float64
reference computed from the same files. Checks the output's tensor set, shapes and dtypes exactly
as DESIGN.md section 5 lists them (cpu writes F64, webgpu F32), then per tensor the normwise error
‖a − r‖₂ / max(‖r‖₂, τ), τ = 1e-300 for F64 results and 1e-30 for F32 results.
Tolerance: 1e-9 for cpu, 2e-4 for webgpu (or --tol). Exit status 0 if every case passes, else 1;
2 on a usage error.

--features says which of DESIGN.md section 5's "Version 1 additions" the cases may use (see
gen_case.py): `v0` (the default, the version 0 cases, seed for seed), `v1` (all of them: rnn_relu,
mse, tokens, lengths, i64) or a comma list, e.g. `--features rnn_relu,mse` while the engine has
only those.
"""
import argparse
import os
import shlex
import shutil
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

REPO = os.path.dirname(os.path.dirname(HERE))
TOL = {'cpu': 1e-9, 'webgpu': 2e-4}
OUT_DTYPE = {'cpu': 'F64', 'webgpu': 'F32'}
TAU = {'F64': 1e-300, 'F32': 1e-30}


def normwise_error(a, r, tau):
    """‖a − r‖₂ / max(‖r‖₂, τ), in float64."""
    a = np.asarray(a, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        return float('inf')
    return float(np.linalg.norm((a - r).ravel()) / max(np.linalg.norm(r.ravel()), tau))


def cli_missing(cli):
    """A sentence saying why `cli` cannot run, or None. Checks the program and, for
    `node FILE` / `python3 FILE`, that FILE exists."""
    if not cli:
        return 'the --cli command is empty'
    prog = cli[0]
    if shutil.which(prog) is None and not os.path.exists(os.path.join(REPO, prog)):
        return f'program "{prog}" not found on PATH'
    if os.path.basename(prog) in ('node', 'python3', 'python', 'tsx') and len(cli) > 1 and not cli[1].startswith('-'):
        script = cli[1] if os.path.isabs(cli[1]) else os.path.join(REPO, cli[1])
        if not os.path.exists(script):
            return (f'{cli[1]} does not exist in {REPO} — the TypeScript CLI is not written or not built yet '
                    f'(expected the `grad` command of DESIGN.md section 5)')
    return None


def check_case(index, rng, backend, cli, tol, work, verbose=True, features=gen_case.NO_FEATURES):
    """Run one case; returns (ok, worst error, name of worst tensor, message lines)."""
    case_dir = os.path.join(work, f'case{index:03d}')
    os.makedirs(case_dir, exist_ok=True)
    desc, model_path, batch_path = gen_case.make_case(rng, case_dir, features=features)
    out_path = os.path.join(case_dir, 'out.safetensors')
    lines = [f'case {index}: {gen_case.describe(desc)}']
    cmd = cli + ['grad', '--model', model_path, '--batch', batch_path, '--out', out_path, '--backend', backend]
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        lines.append(f'  FAIL: could not run {shlex.join(cmd)}: {e}')
        return False, float('inf'), 'the CLI run', lines
    if proc.returncode != 0:
        lines.append(f'  FAIL: {shlex.join(cmd)} exited {proc.returncode}')
        err_lines = (proc.stderr.strip() or '(no stderr)').splitlines()
        if len(err_lines) > 10:   # the first lines name the problem, the last ones end a stack
            err_lines = err_lines[:4] + [f'... ({len(err_lines) - 8} lines)'] + err_lines[-4:]
        lines += [f'    stderr: {l}' for l in err_lines]
        cfg, _ = gen_case.read_model(model_path)
        used = gen_case.features_used(cfg, gen_case.read_batch(batch_path))
        if used:
            lines.append(f'    (this case uses the Version 1 additions {", ".join(used)}; '
                         f'--features v0 or a list of those the CLI has leaves them out)')
        return False, float('inf'), 'the CLI run', lines
    try:
        got, _, dtypes = st.load(out_path)
    except (OSError, st.SafetensorsError) as e:
        lines.append(f'  FAIL: cannot read the output file: {e}')
        return False, float('inf'), 'the output file', lines

    # The reference from the files exactly as stored (F32 values widen exactly to float64).
    cfg, params = gen_case.read_model(model_path)
    batch = gen_case.read_batch(batch_path)
    want = ref.grad(cfg, params, batch)
    shapes = ref.expected_outputs(cfg, desc['B'], desc['T'])

    ok = True
    missing = sorted(set(shapes) - set(got))
    extra = sorted(set(got) - set(shapes))
    if missing:
        ok = False
        lines.append(f'  FAIL: output lacks tensors {missing}')
    if extra:
        ok = False
        lines.append(f'  FAIL: output has unexpected tensors {extra}')
    out_dtype = OUT_DTYPE[backend]
    tau = TAU[out_dtype]
    worst, worst_name = 0.0, None
    for name in sorted(shapes):
        if name not in got:
            continue
        if tuple(got[name].shape) != tuple(shapes[name]):
            ok = False
            lines.append(f'  FAIL: tensor "{name}" expected shape {list(shapes[name])}, received {list(got[name].shape)}')
            continue
        if dtypes[name] != out_dtype:
            ok = False
            lines.append(f'  FAIL: tensor "{name}" expected dtype {out_dtype} (backend {backend}), received {dtypes[name]}')
        err = normwise_error(got[name], want[name], tau)
        flag = '' if err <= tol else '   <-- over tolerance'
        if verbose or flag:
            lines.append(f'  {name:<28s} {err:.3e}   (|ref| {np.linalg.norm(want[name]):.3e}){flag}')
        if err > tol:
            ok = False
        if worst_name is None or err > worst or np.isnan(err):
            worst, worst_name = err, name
    lines.append(f'  worst {worst:.3e} ({worst_name})  {"OK" if ok else "NOT OK"}')
    return ok, worst, worst_name, lines


def main(argv=None):
    ap = argparse.ArgumentParser(description='Cross-check `webgpu-lstm grad` against the numpy reference.')
    ap.add_argument('--cases', type=int, default=10)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--backend', choices=['cpu', 'webgpu'], default='cpu')
    ap.add_argument('--features', default='v0',
                    help='Version 1 additions the cases may use: v0, v1 or a comma list of '
                         + ', '.join(gen_case.FEATURES) + ' (default %(default)s)')
    ap.add_argument('--cli', default='node bin/webgpu-lstm.js', help='command that runs the CLI (default: %(default)s)')
    ap.add_argument('--tol', type=float, default=None, help='normwise tolerance (default 1e-9 cpu, 2e-4 webgpu)')
    ap.add_argument('--keep', default=None, help='write the cases here and keep them (default: a temp dir, removed)')
    ap.add_argument('--quiet', action='store_true', help='print only the worst error per case and failures')
    a = ap.parse_args(argv)
    if a.cases < 1:
        ap.error('--cases must be at least 1')
    try:
        features = gen_case.parse_features(a.features)
    except ValueError as e:
        ap.error(str(e))
    tol = TOL[a.backend] if a.tol is None else a.tol
    cli = shlex.split(a.cli)
    why = cli_missing(cli)
    if why:
        print(f'crosscheck: cannot run the CLI "{a.cli}": {why}', file=sys.stderr)
        return 1

    work = a.keep or tempfile.mkdtemp(prefix='webgpu-lstm-crosscheck-')
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    failed, overall, overall_where = 0, 0.0, None
    try:
        for i in range(a.cases):
            ok, worst, name, lines = check_case(i, rng, a.backend, cli, tol, work, verbose=not a.quiet, features=features)
            print('\n'.join(lines), flush=True)
            if not ok:
                failed += 1
            if overall_where is None or not worst <= overall:
                overall, overall_where = worst, f'case {i} {name}'
    finally:
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f'crosscheck ({a.backend}, seed {a.seed}, features {gen_case.feature_string(features)}): '
          f'{a.cases - failed}/{a.cases} cases OK; '
          f'worst error {overall:.3e} at {overall_where}; tolerance {tol:.0e}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
