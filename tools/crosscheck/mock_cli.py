"""A stand-in for `webgpu-lstm grad`, backed by reference_np.py, to test the cross-check harness
itself (file plumbing, tensor set, shapes, dtypes, error measure) before the TypeScript CLI exists.
It is NOT a cross-check of anything: it compares the reference with itself.

    python3 tools/crosscheck/mock_cli.py grad --model M --batch B --out O [--backend cpu|webgpu]

Writes F64 for cpu, F32 for webgpu. For testing the harness's failure paths, the environment
variable CROSSCHECK_MOCK_FAULT may be `perturb:<tensor>` (adds 1e-6·‖t‖ noise), `drop:<tensor>`,
`f32` (writes F32 whatever the backend), `exit` (fails with a message on stderr), `ignore:lengths`
(computes as if the batch had no `lengths`: an engine that ignores them) or `v0` (refuses every
Version 1 addition with a message, as a CLI without them does).
"""
import argparse
import os
import sys

import numpy as np

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_case  # noqa: E402
import reference_np as ref  # noqa: E402
import safetensors_np as st  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(prog='mock_cli.py')
    sub = ap.add_subparsers(dest='command', required=True)
    g = sub.add_parser('grad')
    g.add_argument('--model', required=True)
    g.add_argument('--batch', required=True)
    g.add_argument('--out', required=True)
    g.add_argument('--backend', choices=['cpu', 'webgpu'], default='cpu')
    a = ap.parse_args(argv)
    fault = os.environ.get('CROSSCHECK_MOCK_FAULT', '')
    if fault == 'exit':
        print('mock_cli: injected failure', file=sys.stderr)
        return 1
    try:
        cfg, params = gen_case.read_model(a.model)
        batch = gen_case.read_batch(a.batch)
        if fault == 'v0':
            used = gen_case.features_used(cfg, batch)
            if used:
                print(f'mock_cli: not supported in version 0: {", ".join(used)}', file=sys.stderr)
                return 1
        if fault == 'ignore:lengths':
            batch.pop('lengths', None)
        out = ref.grad(cfg, params, batch)
    except (OSError, ValueError) as e:
        print(f'mock_cli: {e}', file=sys.stderr)
        return 1
    if fault.startswith('perturb:'):
        name = fault.split(':', 1)[1]
        t = out[name]
        noise = np.random.default_rng(0).standard_normal(t.shape)
        out[name] = t + 1e-6 * max(np.linalg.norm(t), 1e-3) * noise / max(np.linalg.norm(noise), 1e-300)
    if fault.startswith('drop:'):
        out.pop(fault.split(':', 1)[1], None)
    f32 = a.backend == 'webgpu' or fault == 'f32'
    st.save(a.out, {k: v.astype(np.float32 if f32 else np.float64) for k, v in out.items()})
    return 0


if __name__ == '__main__':
    sys.exit(main())
