"""Independent float64 reference for `webgpu-lstm grad` (DESIGN.md section 5 with its "Version 1
additions"), written from PyTorch's documented equations (torch.nn.LSTM / GRU / RNN with tanh or
relu, nn.Embedding, nn.Linear, F.cross_entropy, F.binary_cross_entropy_with_logits, F.mse_loss,
reduction='mean', pack_padded_sequence / pad_packed_sequence), with a hand-written reverse-mode
backward through time. Plain per-timestep loops; clarity over speed.

Shapes: user tensors are batch-first, x [B, T, I] (token ids: [B, T]); inside, per-step tensors
are time-major. Parameters use PyTorch names: embedding.weight [V, I] (token inputs only),
P.weight_ih_l{k} [G·H, I_k], P.weight_hh_l{k} [G·H, H], P.bias_ih_l{k}, P.bias_hh_l{k} [G·H],
head.weight [C, m·H], head.bias [C], init.h0/init.c0 [L, H].

Cells (row blocks of the gate matrices in this order):
  lstm (i, f, g, o):  a = W_ih x + b_ih + W_hh h + b_hh
                      i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
                      c' = f ⊙ c + i ⊙ g        h' = o ⊙ tanh(c')
  rnn_tanh:           h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
  rnn_relu:           h' = relu(W_ih x + b_ih + W_hh h + b_hh)   (relu'(0) taken as 0, as PyTorch)
  gru (r, z, n):      gi = W_ih x + b_ih   gh = W_hh h + b_hh
                      r = σ(gi_r + gh_r)   z = σ(gi_z + gh_z)   n = tanh(gi_n + r ⊙ gh_n)
                      h' = (1 − z) ⊙ n + z ⊙ h

Token inputs (inputKind "tokens"): layer 0 reads embedding.weight[x[b, t]]; the embedding's
gradient is the dense scatter-add  grad.embedding.weight[v] = Σ_{(b,t): x[b,t] = v} ∂loss/∂input_{b,t}.

Lengths (batch tensor `lengths` [B], each in [1, T]; absent = all T). PyTorch's packed-sequence
semantics: at step t only the rows with len_b > t run (PyTorch's batch_sizes); a row that has
stopped keeps its state, which is therefore its state at step len_b − 1 (h_n, c_n), and its
per-step outputs h_t (c_t) are 0 for t ≥ len_b (pad_packed_sequence's padding, total_length = T).
Padded steps are never computed here: each step works on the subset of rows still running, so
padded inputs and targets cannot leak in. Outputs "all": the head reads the zero features at
t ≥ len_b (logits = head.bias) and those positions carry no loss; the loss is the mean over the
valid positions only (softmax: Σ len_b rows; sigmoid and mse: C·Σ len_b elements). Outputs "last":
the head reads steps len_b − k … len_b − 1 (k = headSteps; len_b < k is an error).

Head: logits = W_head · feat + b_head, feat_t = h_t (or [c_t, h_t] for headFrom "ch") of the top
layer for outputs "all"; for outputs "last", feat = the per-step features of the last headSteps
valid steps concatenated, oldest first.

Losses (reduction mean over the counted positions/elements):
  softmax_ce:   logsumexp(z) − z[y]                  (per position)
  sigmoid_bce:  max(z, 0) − z·y + log(1 + e^{−|z|})  (per element)
  mse:          (z − y)²                             (per element)

Initial state (a choice, documented here): per tensor, the batch's h0 (c0) if present, else
init.h0 (init.c0) broadcast over the batch if learnedInitialState, else zeros. The gradient of
init.h0 is Σ_b grad.h0[:, b, :] when init.h0 was used, and exactly zero when the batch's h0
overrode it (the loss does not depend on init.h0 then). The same holds for c0.
"""
import json

import numpy as np

GATES = {'lstm': 4, 'gru': 3, 'rnn_tanh': 1, 'rnn_relu': 1}
MODULE = {'lstm': 'lstm', 'gru': 'gru', 'rnn_tanh': 'rnn', 'rnn_relu': 'rnn'}
LOSSES = ('softmax_ce', 'sigmoid_bce', 'mse')
EMBEDDING = 'embedding.weight'


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
        'inputKind': c.get('inputKind', 'features'), 'vocabSize': int(c.get('vocabSize', 0)),
    }
    if out['cell'] not in GATES:
        raise ValueError(f'config: cell must be one of {list(GATES)}, received {out["cell"]!r}')
    if out['loss'] not in LOSSES:
        raise ValueError(f'config: loss must be one of {list(LOSSES)}, received {out["loss"]!r}')
    if out['outputs'] not in ('all', 'last'):
        raise ValueError(f'config: outputs must be "all" or "last", received {out["outputs"]!r}')
    if out['headFrom'] not in ('h', 'ch') or (out['headFrom'] == 'ch' and out['cell'] != 'lstm'):
        raise ValueError(f'config: headFrom {out["headFrom"]!r} is not valid for cell {out["cell"]!r}')
    if out['headSteps'] != 1 and out['outputs'] != 'last':
        raise ValueError('config: headSteps applies to outputs "last" only')
    if out['inputKind'] not in ('features', 'tokens'):
        raise ValueError(f'config: inputKind must be "features" or "tokens", received {out["inputKind"]!r}')
    if out['inputKind'] == 'tokens' and out['vocabSize'] < 1:
        raise ValueError(f'config: inputKind "tokens" needs vocabSize >= 1, received {c.get("vocabSize")!r}')
    if out['inputKind'] == 'features' and 'vocabSize' in c:
        raise ValueError('config: vocabSize applies to inputKind "tokens" only')
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
    """[(name, shape)] of every parameter: the embedding (token inputs), the recurrent module in
    PyTorch's state_dict order, then head, then init."""
    P, G, H, L = MODULE[cfg['cell']], GATES[cfg['cell']], cfg['hiddenSize'], cfg['numLayers']
    out = []
    if cfg['inputKind'] == 'tokens':
        out.append((EMBEDDING, (cfg['vocabSize'], cfg['inputSize'])))
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


def _is_int(a):
    return np.issubdtype(np.asarray(a).dtype, np.integer)


def batch_lengths(batch, B, T):
    """The batch's lengths as int64 [B], or all T when it has none."""
    if batch.get('lengths') is None:
        return np.full(B, T, dtype=np.int64)
    return np.asarray(batch['lengths']).astype(np.int64)


def check_inputs(cfg, params, batch):
    """Shapes and ranges of params and batch against the config; raises ValueError naming the
    tensor. Targets at padded positions (t >= len_b, outputs "all") are not read, so not checked."""
    for name, shape in param_shapes(cfg):
        if name not in params:
            raise ValueError(f'model: missing tensor "{name}" {list(shape)}')
        if tuple(params[name].shape) != shape:
            raise ValueError(f'model: tensor "{name}" expected shape {list(shape)}, received {list(params[name].shape)}')
    x = np.asarray(batch['x'])
    if cfg['inputKind'] == 'tokens':
        if x.ndim != 2 or not _is_int(x):
            raise ValueError(f'batch: tensor "x" expected integer token ids [B, T], received {x.dtype} {list(x.shape)}')
        if x.size and (x.min() < 0 or x.max() >= cfg['vocabSize']):
            raise ValueError(f'batch: tensor "x" token ids must lie in [0, {cfg["vocabSize"]}), received {x.min()}..{x.max()}')
    elif x.ndim != 3 or x.shape[2] != cfg['inputSize']:
        raise ValueError(f'batch: tensor "x" expected shape [B, T, {cfg["inputSize"]}], received {list(x.shape)}')
    B, T = x.shape[:2]
    L, H, C, k = cfg['numLayers'], cfg['hiddenSize'], cfg['outputSize'], cfg['headSteps']
    if cfg['outputs'] == 'last' and k > T:
        raise ValueError(f'batch: headSteps {k} needs T >= {k}, received T = {T}')
    if batch.get('lengths') is not None:
        n = np.asarray(batch['lengths'])
        if n.shape != (B,) or not _is_int(n):
            raise ValueError(f'batch: tensor "lengths" expected integers [{B}], received {n.dtype} {list(n.shape)}')
        lo = k if cfg['outputs'] == 'last' else 1
        if n.min() < lo or n.max() > T:
            raise ValueError(f'batch: tensor "lengths" must lie in [{lo}, {T}], received {n.min()}..{n.max()}')
    rows = (B, T) if cfg['outputs'] == 'all' else (B,)
    want = rows if cfg['loss'] == 'softmax_ce' else rows + (C,)
    y = np.asarray(batch['y'])
    if tuple(y.shape) != want:
        raise ValueError(f'batch: tensor "y" expected shape {list(want)}, received {list(y.shape)}')
    if cfg['loss'] == 'softmax_ce':
        if not _is_int(y):
            raise ValueError(f'batch: tensor "y" expected integer class ids, received {y.dtype}')
        yv = y[valid_mask(batch_lengths(batch, B, T), T)] if cfg['outputs'] == 'all' else y
        if yv.size and (yv.min() < 0 or yv.max() >= C):
            raise ValueError(f'batch: tensor "y" class ids must lie in [0, {C}), received {yv.min()}..{yv.max()}')
    for s in ('h0', 'c0'):
        if s in batch and batch[s] is not None:
            if s == 'c0' and cfg['cell'] != 'lstm':
                raise ValueError(f'batch: tensor "c0" is only for cell "lstm", received cell {cfg["cell"]!r}')
            if tuple(batch[s].shape) != (L, B, H):
                raise ValueError(f'batch: tensor "{s}" expected shape {[L, B, H]}, received {list(batch[s].shape)}')


def valid_mask(lengths, T):
    """[B, T] bool: position (b, t) is a real step, t < len_b."""
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


# ---------------------------------------------------------------------------------------------
# Pointwise helpers

def sigmoid(a):
    # Stable for large |a|: exp of a non-positive number only.
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# ---------------------------------------------------------------------------------------------
# One layer over all timesteps, forward and backward. xs: [T, B, I_k], h0/c0: [B, H],
# lengths [B]: at step t only the rows with len_b > t run (the others keep their state and
# output 0).

def layer_forward(cell, p, xs, h0, c0, lengths):
    """Returns hs [T, B, H], cs [T, B, H] (LSTM, else None) with zeros at padded steps, the final
    states h [B, H] and c (each row's state at step len_b − 1), and the per-step cache."""
    W_ih, W_hh, b_ih, b_hh = p
    H = W_hh.shape[1]
    T, B = xs.shape[0], h0.shape[0]
    hs = np.zeros((T, B, H))
    cs = np.zeros((T, B, H)) if cell == 'lstm' else None
    cache = []
    h, c = h0.copy(), (c0.copy() if cell == 'lstm' else None)
    for t in range(T):
        rows = np.flatnonzero(lengths > t)        # the rows still running (PyTorch's batch_sizes[t])
        x, hp = xs[t, rows], h[rows]
        if cell == 'lstm':
            cp = c[rows]
            a = x @ W_ih.T + b_ih + hp @ W_hh.T + b_hh
            i, f = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H])
            g, o = np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
            c_new = f * cp + i * g
            tc = np.tanh(c_new)
            h_new = o * tc
            cache.append((rows, x, hp, cp, i, f, g, o, tc))
            cs[t, rows] = c_new
            c[rows] = c_new
        elif cell == 'rnn_tanh':
            h_new = np.tanh(x @ W_ih.T + b_ih + hp @ W_hh.T + b_hh)
            cache.append((rows, x, hp, h_new))
        elif cell == 'rnn_relu':
            pre = x @ W_ih.T + b_ih + hp @ W_hh.T + b_hh
            h_new = np.maximum(pre, 0.0)
            cache.append((rows, x, hp, pre))
        else:  # gru
            gi = x @ W_ih.T + b_ih
            gh = hp @ W_hh.T + b_hh
            r = sigmoid(gi[:, :H] + gh[:, :H])
            z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
            h_new = (1.0 - z) * n + z * hp
            cache.append((rows, x, hp, r, z, n, gh[:, 2 * H:]))
        hs[t, rows] = h_new
        h[rows] = h_new
    return hs, cs, h, c, cache


def layer_backward(cell, p, cache, dhs, dcs):
    """Reverse-mode through one layer. dhs/dcs [T, B, H]: the loss gradient reaching h_t / c_t
    from outside the recurrence (the head, or the layer above); read only at running rows.
    Returns (dxs [T, B, I_k] (0 at padded steps), dh0 [B, H], dc0 [B, H] or None,
    [dW_ih, dW_hh, db_ih, db_hh])."""
    W_ih, W_hh, b_ih, b_hh = p
    H = W_hh.shape[1]
    T, B = len(cache), dhs.shape[1]
    dW_ih, dW_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    db_ih, db_hh = np.zeros_like(b_ih), np.zeros_like(b_hh)
    dxs = np.zeros((T, B, W_ih.shape[1]))
    # ∂loss/∂(state after step t) through the later steps. A row that has stopped passes its
    # state through unchanged, so its entry here just waits until the row runs again (backwards).
    dh_next = np.zeros((B, H))
    dc_next = np.zeros((B, H)) if cell == 'lstm' else None
    for t in range(T - 1, -1, -1):
        rows = cache[t][0]
        dh = dhs[t, rows] + dh_next[rows]
        if cell == 'lstm':
            _, x, h_prev, c_prev, i, f, g, o, tc = cache[t]
            dc = dc_next[rows] + (dcs[t, rows] if dcs is not None else 0.0) + dh * o * (1.0 - tc * tc)
            da = np.concatenate([
                dc * g * i * (1.0 - i),            # ∂/∂a_i
                dc * c_prev * f * (1.0 - f),       # ∂/∂a_f
                dc * i * (1.0 - g * g),            # ∂/∂a_g
                dh * tc * o * (1.0 - o),           # ∂/∂a_o
            ], axis=1)
            dgi = dgh = da
            dc_next[rows] = dc * f
        elif cell == 'rnn_tanh':
            _, x, h_prev, h_new = cache[t]
            dgi = dgh = dh * (1.0 - h_new * h_new)
        elif cell == 'rnn_relu':
            _, x, h_prev, pre = cache[t]
            dgi = dgh = dh * (pre > 0.0)
        else:  # gru
            _, x, h_prev, r, z, n, ghn = cache[t]
            dan = dh * (1.0 - z) * (1.0 - n * n)   # ∂/∂(gi_n + r ⊙ gh_n)
            dar = dan * ghn * r * (1.0 - r)        # ∂/∂(gi_r + gh_r)
            daz = dh * (h_prev - n) * z * (1.0 - z)
            dgi = np.concatenate([dar, daz, dan], axis=1)
            dgh = np.concatenate([dar, daz, dan * r], axis=1)
        dW_ih += dgi.T @ x
        db_ih += dgi.sum(axis=0)
        dW_hh += dgh.T @ h_prev
        db_hh += dgh.sum(axis=0)
        dxs[t, rows] = dgi @ W_ih
        dhp = dgh @ W_hh
        if cell == 'gru':
            dhp = dhp + dh * z                     # the direct path h' = … + z ⊙ h
        dh_next[rows] = dhp
    return dxs, dh_next, dc_next, [dW_ih, dW_hh, db_ih, db_hh]


# ---------------------------------------------------------------------------------------------
# Losses, on the counted logits flattened to rows [N, C]. Each returns (mean loss, ∂loss/∂z).

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


def mse(z, y):
    """PyTorch F.mse_loss(z, y, reduction='mean'): mean of (z − y)²; gradient 2(z − y) / count."""
    d = z - y
    return float(np.mean(d * d)), 2.0 * d / z.size


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


def head_steps_index(lengths, k):
    """[B, k] step indices the "last" head reads: len_b − k … len_b − 1, oldest first."""
    return np.asarray(lengths)[:, None] - k + np.arange(k)[None, :]


def forward(cfg, params, batch):
    """Forward pass. Returns (loss, logits batch-first, h_n, c_n or None, cache)."""
    check_inputs(cfg, params, batch)
    P, L, H, C = MODULE[cfg['cell']], cfg['numLayers'], cfg['hiddenSize'], cfg['outputSize']
    cell = cfg['cell']
    p = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    if cfg['inputKind'] == 'tokens':
        ids = np.asarray(batch['x']).astype(np.int64)        # [B, T]
        x = p[EMBEDDING][ids]                                 # [B, T, I]
    else:
        ids = None
        x = np.asarray(batch['x'], dtype=np.float64)
    B, T = x.shape[:2]
    lengths = batch_lengths(batch, B, T)
    st = initial_state(cfg, p, batch, B)
    inp = x.transpose(1, 0, 2)                      # [T, B, I]
    layers, h_n = [], np.empty((L, B, H))
    c_n = np.empty((L, B, H)) if cell == 'lstm' else None
    for k in range(L):
        w = [p[f'{P}.{n}_l{k}'] for n in ('weight_ih', 'weight_hh', 'bias_ih', 'bias_hh')]
        hs, cs, h_last, c_last, cache = layer_forward(
            cell, w, inp, st['h0'][0][k], st['c0'][0][k] if cell == 'lstm' else None, lengths)
        layers.append((w, cache))
        h_n[k] = h_last
        if cell == 'lstm':
            c_n[k] = c_last
        inp = hs
    top_h, top_c = hs, cs
    # Per-step head features [T, B, F]: h, or c then h; zero at padded steps.
    feats = np.concatenate([top_c, top_h], axis=2) if cfg['headFrom'] == 'ch' else top_h
    W, b = p['head.weight'], p['head.bias']
    if cfg['outputs'] == 'all':
        feat = feats.transpose(1, 0, 2)             # [B, T, F]
        counted = valid_mask(lengths, T)            # [B, T]: positions that carry loss
        steps = None
    else:
        k = cfg['headSteps']
        steps = head_steps_index(lengths, k)        # [B, k]
        feat = feats[steps, np.arange(B)[:, None]].reshape(B, k * feats.shape[2])   # oldest step first
        counted = np.ones(B, dtype=bool)
    logits = feat @ W.T + b
    z = logits[counted].reshape(-1, C)
    y = np.asarray(batch['y'])[counted]
    if cfg['loss'] == 'softmax_ce':
        loss, dz = softmax_ce(z, y.reshape(-1).astype(np.int64))
    elif cfg['loss'] == 'sigmoid_bce':
        loss, dz = sigmoid_bce(z, y.astype(np.float64).reshape(z.shape))
    else:
        loss, dz = mse(z, y.astype(np.float64).reshape(z.shape))
    dlogits = np.zeros_like(logits)
    dlogits[counted] = dz.reshape(dlogits[counted].shape)
    cache = dict(p=p, layers=layers, st=st, feat=feat, feats_shape=feats.shape, dlogits=dlogits,
                 B=B, T=T, steps=steps, ids=ids)
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
    _, _, F = cache['feats_shape']
    dfeats = np.zeros((T, B, F))                     # ∂loss/∂(per-step features), time-major
    if cfg['outputs'] == 'all':
        dfeats[:] = dfeat.transpose(1, 0, 2)         # zero at padded positions (no loss there)
    else:
        k = cfg['headSteps']
        np.add.at(dfeats, (cache['steps'], np.arange(B)[:, None]), dfeat.reshape(B, k, F))
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
    if cfg['inputKind'] == 'tokens':
        # Layer 0's input at (b, t) is row ids[b, t] of the embedding: scatter-add its gradient
        # (zero at padded steps, which never ran).
        gE = np.zeros_like(p[EMBEDDING])
        np.add.at(gE, cache['ids'].T, dhs)
        grads[EMBEDDING] = gE
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


def loss_and_relu_pattern(cfg, params, batch):
    """(loss, the sign pattern pre > 0 of every relu pre-activation computed, or None for the
    other cells). Two points with the same pattern lie on the same smooth piece of the loss,
    which is what a finite-difference check of rnn_relu needs."""
    cfg = resolve_config(cfg)
    loss, _, _, _, cache = forward(cfg, params, batch)
    if cfg['cell'] != 'rnn_relu':
        return loss, None
    pat = [step[3].ravel() > 0.0 for _, lc in cache['layers'] for step in lc]
    return loss, np.concatenate(pat) if pat else np.zeros(0, dtype=bool)


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
