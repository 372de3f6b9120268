"""Plastic synapses under ncps's fused LTC step: the weights learn once per fused sub-step.

The state of a plastic LTC circuit is ``[v (n) | w (m) | synapse traces | neuron traces]``
(:mod:`.plastic`). One fused sub-step of ``h = dt / unfolds``, from state ``y``:

1. the network uses the effective weights ``sign * clip(w, 0, w_max)`` of ``y``;
2. the rule's rates ``r(y)`` (bounds applied, :func:`.plastic._plastic_block`) are taken
   from the activities ``sigmoid(v)`` at ``y``;
3. ``v`` takes the semi-implicit step of :func:`.ltc._fused_block` with those weights and
   the plastic block the explicit Euler step ``w + h r(y)``, weights clipped to
   ``[0, w_max]`` (hard bounds hold exactly; soft bounds scale ``r`` as in :mod:`.plastic`).

Each batch member owns its weights, so members advance one at a time (block 1) with a
private copy of the synapse array; with a learning rate of 0 the arithmetic of ``v`` is
that of the non-plastic fused step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .dispatch import implements
from .ltc import LTCKernelParams, _fused_block, _sensory_block
from .plastic import _effective, _plastic_block, activity
from .sample_loop import block_step, block_workspace


class PlasticFusedConfig(NamedTuple):
    """Kernel configuration of the fused LTC step with plastic synapses."""

    block: int  # members advanced together (1: each member has its own weights)
    unfolds: int  # semi-implicit sub-steps per sample


class PlasticFusedWork(NamedTuple):
    v: np.ndarray  # (n_state, m) full state
    x: np.ndarray  # (n_channels, m) raw inputs (base channels, then the neuromodulator if any)
    bp: tuple  # the base LTC parameters with this block's own weight array
    vn: np.ndarray  # (n, m)
    sn: np.ndarray
    sd: np.ndarray
    u: np.ndarray  # (n_in, m) mapped input
    fac: np.ndarray  # (m,)
    num: np.ndarray
    den: np.ndarray
    y: np.ndarray  # float64 (n_state,) one member's state
    xin: np.ndarray  # float64 (n_channels,) one member's raw input
    a_pre: np.ndarray  # float64 (n,) activities and their derivatives
    a_post: np.ndarray
    d_pre: np.ndarray
    d_post: np.ndarray
    rates: np.ndarray  # float64 (n_state - n,) rates of the plastic block


@implements(block_workspace, PlasticFusedConfig)
@kernel
def plastic_fused_workspace(S, p, n_state, m):
    b = p.base
    dtype = b.cm.dtype
    n = b.cm.shape[0]
    n_in = b.input_w.shape[0]
    n_ch = n_in + (1 if p.mod_channel >= 0 else 0)
    bp = LTCKernelParams(b.post_indptr, b.pre_index, b.w.copy(), b.sigma, b.mu, b.erev, b.s_post_indptr,
                         b.s_in_index, b.s_w, b.s_sigma, b.s_mu, b.s_erev, b.g_indptr, b.g_index, b.g_w,
                         b.gleak, b.vleak, b.cm, b.input_w, b.input_b, b.eps)
    return PlasticFusedWork(np.zeros((n_state, m), dtype), np.zeros((n_ch, m), dtype), bp,
                            np.zeros((n, m), dtype), np.zeros((n, m), dtype), np.zeros((n, m), dtype),
                            np.zeros((n_in, m), dtype), np.zeros(m, dtype), np.zeros(m, dtype), np.zeros(m, dtype),
                            np.zeros(n_state), np.zeros(n_ch), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
                            np.zeros(n_state - n))


@implements(block_step, PlasticFusedConfig)
@kernel
def plastic_fused_step(S, p, ws, dt, m):
    """``S.unfolds`` fused sub-steps per member, the weights learning once per sub-step."""
    bp = ws.bp
    nb = p.n_base
    n_state = ws.v.shape[0]
    n_in = bp.input_w.shape[0]
    ms = p.syn.shape[0]
    for q in range(m):
        h = dt[q] / S.unfolds
        ws.fac[0] = S.unfolds / dt[q]
        for c in range(ws.x.shape[0]):
            ws.xin[c] = ws.x[c, q]
        for c in range(n_in):
            ws.u[c, 0] = ws.x[c, q] * bp.input_w[c] + bp.input_b[c]
        one = S.block  # = 1, a run-time value like the block of the plain step
        _sensory_block(bp, ws.u, one, ws.sn, ws.sd)
        vq = ws.v[:nb, q:q + 1].copy()
        for _ in range(S.unfolds):
            for i in range(nb):
                ws.y[i] = vq[i, 0]
            for i in range(nb, n_state):
                ws.y[i] = ws.v[i, q]
            for k in range(ms):
                bp.w[p.syn[k]] = p.sign[k] * _effective(ws.y[nb + k], p.w_max)
            activity(bp, ws.y, ws.a_pre, ws.a_post, ws.d_pre, ws.d_post)
            _plastic_block(p, 0.0, ws.y, ws.xin, ws.a_pre, ws.a_post, ws.d_pre, ws.d_post, ws.rates)
            _fused_block(bp, vq, ws.vn, ws.sn, ws.sd, ws.fac, one, one, ws.num, ws.den)
            for i in range(n_state - nb):
                ws.v[nb + i, q] = ws.y[nb + i] + h * ws.rates[i]
            for k in range(ms):
                ws.v[nb + k, q] = min(max(ws.v[nb + k, q], 0.0), p.w_max)
        for i in range(nb):
            ws.v[i, q] = vq[i, 0]
    return 0
