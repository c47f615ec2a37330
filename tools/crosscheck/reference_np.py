"""Independent float64 reference for `webgpu-lstm grad` (DESIGN.md section 5), written from
PyTorch's documented equations (torch.nn.LSTM / GRU / RNN(tanh), nn.Linear, F.cross_entropy,
F.binary_cross_entropy_with_logits, reduction='mean'), with a hand-written reverse-mode backward
through time. Plain per-timestep loops; clarity over speed.

Shapes: user tensors are batch-first, x [B, T, I]; inside, per-step tensors are time-major lists.
Parameters use PyTorch names: P.weight_ih_l{k} [G·H, I_k], P.weight_hh_l{k} [G·H, H],
P.bias_ih_l{k}, P.bias_hh_l{k} [G·H], head.weight [C, m·H], head.bias [C], init.h0/init.c0 [L, H].

Cells (row blocks of the gate matrices in this order):
  lstm (i, f, g, o):  a = W_ih x + b_ih + W_hh h + b_hh
                      i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
                      c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')
  rnn_tanh:           h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
  gru (r, z, n):      gi = W_ih x + b_ih   gh = W_hh h + b_hh
                      r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r ⊙ gh_n)
                      h' = (1 − z) ⊙ n + z ⊙ h

Head: logits = W_head · feat + b_head, feat_t = h_t (or [c_t, h_t] for headFrom "ch") of the top
layer for outputs "all"; for outputs "last", feat = the per-step features of the last headSteps
steps concatenated, oldest first.

Initial state (a choice, documented here): per tensor, the batch's h0 (c0) if present, else
init.h0 (init.c0) broadcast over the batch if learnedInitialState, else zeros. The gradient of
init.h0 is Σ_b grad.h0[:, b, :] when init.h0 was used, and exactly zero when the batch's h0
overrode it (the loss does not depend on init.h0 then). The same holds for c0.
"""
import json

import numpy as np

GATES = {'lstm': 4, 'gru': 3, 'rnn_tanh': 1}
MODULE = {'lstm': 'lstm', 'gru': 'gru', 'rnn_tanh': 'rnn'}


# ---------------------------------------------------------------------------------------------
# Config and parameter layout

def resolve_config(raw):
    """The config JSON (a dict or a string) with its defaults filled in; refuses what section 5
    does not allow."""
    c = json.loads(raw) if isinstance(raw, str) else dict(raw)
    out = {
        'cell': c['cell'], 'inputSize': int(c['inputSize']), 'hiddenSize': int(c['hiddenSize']),
        'numLayers': int(c['numLayers']), 'outputSize': int(c['outputSize']), 'loss': c['loss'],
        'outputs': c['outputs'], 'headFrom': c.get('headFrom', 'h'), 'headSteps': int(c.get('headSteps', 1)),
        'learnedInitialState': bool(c.get('learnedInitialState', False)),
    }
    if out['cell'] not in GATES:
        raise ValueError(f'config: cell must be one of {list(GATES)}, received {out["cell"]!r}')
    if out['loss'] not in ('softmax_ce', 'sigmoid_bce'):
        raise ValueError(f'config: loss must be "softmax_ce" or "sigmoid_bce", received {out["loss"]!r}')
    if out['outputs'] not in ('all', 'last'):
        raise ValueError(f'config: outputs must be "all" or "last", received {out["outputs"]!r}')
    if out['headFrom'] not in ('h', 'ch') or (out['headFrom'] == 'ch' and out['cell'] != 'lstm'):
        raise ValueError(f'config: headFrom {out["headFrom"]!r} is not valid for cell {out["cell"]!r}')
    if out['headSteps'] != 1 and out['outputs'] != 'last':
        raise ValueError('config: headSteps applies to outputs "last" only')
    for k in ('inputSize', 'hiddenSize', 'numLayers', 'outputSize', 'headSteps'):
        if out[k] < 1:
            raise ValueError(f'config: {k} must be a positive integer, received {out[k]}')
    return out


def feat_width(cfg):
    """Width of one step's head features: H, or 2H for headFrom "ch"."""
    return (2 if cfg['headFrom'] == 'ch' else 1) * cfg['hiddenSize']


def head_input_size(cfg):
    return (cfg['headSteps'] if cfg['outputs'] == 'last' else 1) * feat_width(cfg)


def param_shapes(cfg):
    """[(name, shape)] of every parameter, in PyTorch's state_dict order, then head, then init."""
    P, G, H, L = MODULE[cfg['cell']], GATES[cfg['cell']], cfg['hiddenSize'], cfg['numLayers']
    out = []
    for k in range(L):
        ik = cfg['inputSize'] if k == 0 else H
        out += [(f'{P}.weight_ih_l{k}', (G * H, ik)), (f'{P}.weight_hh_l{k}', (G * H, H)),
                (f'{P}.bias_ih_l{k}', (G * H,)), (f'{P}.bias_hh_l{k}', (G * H,))]
    out += [('head.weight', (cfg['outputSize'], head_input_size(cfg))), ('head.bias', (cfg['outputSize'],))]
    if cfg['learnedInitialState']:
        out.append(('init.h0', (L, H)))
        if cfg['cell'] == 'lstm':
            out.append(('init.c0', (L, H)))
    return out


def check_inputs(cfg, params, batch):
    """Shapes of params and batch against the config; raises ValueError naming the tensor."""
    for name, shape in param_shapes(cfg):
        if name not in params:
            raise ValueError(f'model: missing tensor "{name}" {list(shape)}')
        if tuple(params[name].shape) != shape:
            raise ValueError(f'model: tensor "{name}" expected shape {list(shape)}, received {list(params[name].shape)}')
    x = batch['x']
    if x.ndim != 3 or x.shape[2] != cfg['inputSize']:
        raise ValueError(f'batch: tensor "x" expected shape [B, T, {cfg["inputSize"]}], received {list(x.shape)}')
    B, T, _ = x.shape
    L, H, C = cfg['numLayers'], cfg['hiddenSize'], cfg['outputSize']
    if cfg['outputs'] == 'last' and cfg['headSteps'] > T:
        raise ValueError(f'batch: headSteps {cfg["headSteps"]} needs T >= {cfg["headSteps"]}, received T = {T}')
    rows = (B, T) if cfg['outputs'] == 'all' else (B,)
    want = rows if cfg['loss'] == 'softmax_ce' else rows + (C,)
    y = batch['y']
    if tuple(y.shape) != want:
        raise ValueError(f'batch: tensor "y" expected shape {list(want)}, received {list(y.shape)}')
    if cfg['loss'] == 'softmax_ce' and y.size and (y.min() < 0 or y.max() >= C):
        raise ValueError(f'batch: tensor "y" class ids must lie in [0, {C}), received {y.min()}..{y.max()}')
    for s in ('h0', 'c0'):
        if s in batch and batch[s] is not None:
            if s == 'c0' and cfg['cell'] != 'lstm':
                raise ValueError(f'batch: tensor "c0" is only for cell "lstm", received cell {cfg["cell"]!r}')
            if tuple(batch[s].shape) != (L, B, H):
                raise ValueError(f'batch: tensor "{s}" expected shape {[L, B, H]}, received {list(batch[s].shape)}')


# ---------------------------------------------------------------------------------------------
# Pointwise helpers

def sigmoid(a):
    # Stable for large |a|: exp of a non-positive number only.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ---------------------------------------------------------------------------------------------
# One layer over all timesteps, forward and backward. xs: [T, B, I_k], h0/c0: [B, H].

def layer_forward(cell, p, xs, h0, c0):
    """Returns hs [T, B, H], cs [T, B, H] (LSTM, else None) and the per-step cache for backward."""
    W_ih, W_hh, b_ih, b_hh = p
    H = W_hh.shape[1]
    T = xs.shape[0]
    hs = np.empty((T,) + h0.shape)
    cs = np.empty((T,) + h0.shape) if cell == 'lstm' else None
    cache = []
    h, c = h0, c0
    for t in range(T):
        x = xs[t]
        if cell == 'lstm':
            a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
            i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
            g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
            c_new = f * c + i * g
            tc = np.tanh(c_new)
            h_new = o * tc
            cache.append((x, h, c, i, f, g, o, tc))
            cs[t] = c_new
            c = c_new
        elif cell == 'rnn_tanh':
            h_new = np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            cache.append((x, h, h_new))
        else:  # gru
            gi = x @ W_ih.T + b_ih
            gh = h @ W_hh.T + b_hh
            r = sigmoid(gi[:, :H] + gh[:, :H])
            z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
            h_new = (1.0 - z) * n + z * h
            cache.append((x, h, r, z, n, gh[:, 2 * H:]))
        hs[t] = h_new
        h = h_new
    return hs, cs, cache


def layer_backward(cell, p, cache, dhs, dcs):
    """Reverse-mode through one layer. dhs/dcs [T, B, H]: the loss gradient reaching h_t / c_t
    from outside the recurrence (the head, or the layer above). Returns (dxs [T, B, I_k],
    dh0 [B, H], dc0 [B, H] or None, [dW_ih, dW_hh, db_ih, db_hh])."""
    W_ih, W_hh, b_ih, b_hh = p
    H = W_hh.shape[1]
    T = len(cache)
    dW_ih, dW_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    db_ih, db_hh = np.zeros_like(b_ih), np.zeros_like(b_hh)
    dxs = np.empty((T, dhs.shape[1], W_ih.shape[1]))
    dh_next = np.zeros_like(dhs[0])          # ∂loss/∂h_t through step t+1
    dc_next = np.zeros_like(dhs[0]) if cell == 'lstm' else None
    for t in range(T - 1, -1, -1):
        dh = dhs[t] + dh_next
        if cell == 'lstm':
            x, h_prev, c_prev, i, f, g, o, tc = cache[t]
            dc = dc_next + (dcs[t] if dcs is not None else 0.0) + dh * o * (1.0 - tc * tc)
            da = np.concatenate([
                dc * g * i * (1.0 - i),            # ∂/∂a_i
                dc * c_prev * f * (1.0 - f),       # ∂/∂a_f
                dc * i * (1.0 - g * g),            # ∂/∂a_g
                dh * tc * o * (1.0 - o),           # ∂/∂a_o
            ], axis=1)
            dgi = dgh = da
            dc_next = dc * f
        elif cell == 'rnn_tanh':
            x, h_prev, h_new = cache[t]
            dgi = dgh = dh * (1.0 - h_new * h_new)
        else:  # gru
            x, h_prev, r, z, n, ghn = cache[t]
            dan = dh * (1.0 - z) * (1.0 - n * n)   # ∂/∂(gi_n + r ⊙ gh_n)
            dar = dan * ghn * r * (1.0 - r)        # ∂/∂(gi_r + gh_r)
            daz = dh * (h_prev - n) * z * (1.0 - z)
            dgi = np.concatenate([dar, daz, dan], axis=1)
            dgh = np.concatenate([dar, daz, dan * r], axis=1)
        dW_ih += dgi.T @ x
        db_ih += dgi.sum(axis=0)
        dW_hh += dgh.T @ h_prev
        db_hh += dgh.sum(axis=0)
        dxs[t] = dgi @ W_ih
        dh_next = dgh @ W_hh
        if cell == 'gru':
            dh_next = dh_next + dh * z             # the direct path h' = … + z ⊙ h
    return dxs, dh_next, dc_next, [dW_ih, dW_hh, db_ih, db_hh]


# ---------------------------------------------------------------------------------------------
# Losses, on logits flattened to rows [N, C]. Both return (mean loss, ∂loss/∂logits).

def softmax_ce(z, y):
    """PyTorch F.cross_entropy(z, y, reduction='mean'): mean over rows of logsumexp(z) − z[y]."""
    N = z.shape[0]
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(s[:, 0])
    loss = float(np.mean(lse - z[np.arange(N), y]))
    d = e / s
    d[np.arange(N), y] -= 1.0
    return loss, d / N


def sigmoid_bce(z, y):
    """PyTorch F.binary_cross_entropy_with_logits(z, y, reduction='mean'):
    mean of max(z, 0) − z·y + log(1 + e^{−|z|}); gradient (σ(z) − y) / count."""
    loss = float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    return loss, (sigmoid(z) - y) / z.size


# ---------------------------------------------------------------------------------------------
# The whole model

def initial_state(cfg, params, batch, B):
    """h0 [L, B, H] and (LSTM) c0, plus whether each came from init.* (see the module doc)."""
    L, H = cfg['numLayers'], cfg['hiddenSize']
    out = {}
    for s in ('h0', 'c0') if cfg['cell'] == 'lstm' else ('h0',):
        if batch.get(s) is not None:
            out[s] = (np.asarray(batch[s], dtype=np.float64), False)
        elif cfg['learnedInitialState']:
            out[s] = (np.broadcast_to(np.asarray(params['init.' + s], dtype=np.float64)[:, None, :], (L, B, H)).copy(), True)
        else:
            out[s] = (np.zeros((L, B, H)), False)
    return out


def forward(cfg, params, batch):
    """Forward pass. Returns (loss, logits batch-first, h_n, c_n or None, cache)."""
    check_inputs(cfg, params, batch)
    P, L, H = MODULE[cfg['cell']], cfg['numLayers'], cfg['hiddenSize']
    cell = cfg['cell']
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    x = np.asarray(batch['x'], dtype=np.float64)
    B, T, _ = x.shape
    st = initial_state(cfg, p, batch, B)
    inp = x.transpose(1, 0, 2)                      # [T, B, I]
    layers, h_n = [], np.empty((L, B, H))
    c_n = np.empty((L, B, H)) if cell == 'lstm' else None
    for k in range(L):
        w = [p[f'{P}.{n}_l{k}'] for n in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')]
        hs, cs, cache = layer_forward(cell, w, inp, st['h0'][0][k], st['c0'][0][k] if cell == 'lstm' else None)
        layers.append((w, cache))
        h_n[k] = hs[-1]
        if cell == 'lstm':
            c_n[k] = cs[-1]
        inp = hs
    top_h, top_c = hs, cs
    # Per-step head features [T, B, F]: h, or c then h.
    feats = np.concatenate([top_c, top_h], axis=2) if cfg['headFrom'] == 'ch' else top_h
    W, b = p['head.weight'], p['head.bias']
    if cfg['outputs'] == 'all':
        feat = feats.transpose(1, 0, 2)             # [B, T, F]
    else:
        k = cfg['headSteps']
        feat = feats[T - k:].transpose(1, 0, 2).reshape(B, k * feats.shape[2])   # oldest step first
    logits = feat @ W.T + b
    z = logits.reshape(-1, cfg['outputSize'])
    if cfg['loss'] == 'softmax_ce':
        loss, dz = softmax_ce(z, np.asarray(batch['y']).reshape(-1).astype(np.int64))
    else:
        loss, dz = sigmoid_bce(z, np.asarray(batch['y'], dtype=np.float64).reshape(z.shape))
    cache = dict(p=p, layers=layers, st=st, feat=feat, feats_shape=feats.shape, dlogits=dz.reshape(logits.shape), B=B, T=T)
    return loss, logits, h_n, c_n, cache


def backward(cfg, cache):
    """Reverse-mode pass. Returns {param name: grad}, grad_h0 [L, B, H], grad_c0 or None."""
    P, L, H = MODULE[cfg['cell']], cfg['numLayers'], cfg['hiddenSize']
    cell, p, B, T = cfg['cell'], cache['p'], cache['B'], cache['T']
    dlogits, feat = cache['dlogits'], cache['feat']
    W = p['head.weight']
    C = cfg['outputSize']
    grads = {
        'head.weight': dlogits.reshape(-1, C).T @ feat.reshape(-1, feat.shape[-1]),
        'head.bias': dlogits.reshape(-1, C).sum(axis=0),
    }
    dfeat = dlogits @ W                              # same shape as feat
    Tf, _, F = cache['feats_shape']
    dfeats = np.zeros((T, B, F))                     # ∂loss/∂(per-step features), time-major
    if cfg['outputs'] == 'all':
        dfeats[:] = dfeat.transpose(1, 0, 2)
    else:
        k = cfg['headSteps']
        dfeats[T - k:] = dfeat.reshape(B, k, F).transpose(1, 0, 2)
    if cfg['headFrom'] == 'ch':
        dcs, dhs = dfeats[:, :, :H], dfeats[:, :, H:]
    else:
        dcs, dhs = None, dfeats
    dh0 = np.empty((L, B, H))
    dc0 = np.empty((L, B, H)) if cell == 'lstm' else None
    for k in range(L - 1, -1, -1):
        w, lcache = cache['layers'][k]
        dxs, dh0[k], dck, g = layer_backward(cell, w, lcache, dhs, dcs if k == L - 1 else None)
        if cell == 'lstm':
            dc0[k] = dck
        for n, gv in zip(('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'), g):
            grads[f'{P}.{n}_l{k}'] = gv
        dhs = dxs                                     # the input of layer k is h of layer k−1
    if cfg['learnedInitialState']:
        st = cache['st']
        for s, d in (('h0', dh0), ('c0', dc0)):
            if s in st:
                # Broadcast over the batch in forward ⇒ sum over the batch in backward; zero when
                # the batch's own state replaced init.*.
                grads['init.' + s] = d.sum(axis=1) if st[s][1] else np.zeros((L, H))
    return grads, dh0, dc0


def grad(cfg, params, batch):
    """Everything `webgpu-lstm grad` writes, as float64 arrays keyed by output tensor name."""
    cfg = resolve_config(cfg)
    loss, logits, h_n, c_n, cache = forward(cfg, params, batch)
    grads, dh0, dc0 = backward(cfg, cache)
    out = {'loss': np.array(loss), 'logits': logits, 'h_n': h_n, 'grad.h0': dh0}
    if cfg['cell'] == 'lstm':
        out['c_n'] = c_n
        out['grad.c0'] = dc0
    for name, _ in param_shapes(cfg):
        out['grad.' + name] = grads[name]
    return out


def loss_only(cfg, params, batch):
    return forward(resolve_config(cfg), params, batch)[0]


def expected_outputs(cfg, B, T):
    """{output tensor name: shape} exactly as DESIGN.md section 5 lists them for `grad`."""
    cfg = resolve_config(cfg)
    L, H, C = cfg['numLayers'], cfg['hiddenSize'], cfg['outputSize']
    out = {'loss': (), 'logits': (B, T, C) if cfg['outputs'] == 'all' else (B, C),
           'h_n': (L, B, H), 'grad.h0': (L, B, H)}
    if cfg['cell'] == 'lstm':
        out['c_n'] = (L, B, H)
        out['grad.c0'] = (L, B, H)
    for name, shape in param_shapes(cfg):
        out['grad.' + name] = shape
    return out
