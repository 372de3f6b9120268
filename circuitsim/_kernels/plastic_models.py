"""What plastic synapses need from each shipped model: activities, weight access, weight derivatives.

Activities (the quantity each model displays): the graded network's presynaptic
activation ``s_pre`` and postsynaptic ``V_post - Vth``; an LTC network's sigmoid
``1 / (1 + exp(-v))``; a CTRNN's rate ``f(x)``. Also the graded network's Jacobian on a
sparsity pattern (its own Rosenbrock path eliminates ``s`` instead, which a plastic
block does not fit), used by plastic graded circuits under :class:`~circuitsim.Rosenbrock`.
"""

from __future__ import annotations

import numpy as np

from ._cache import kernel
from .ctrnn import CTRNNKernelParams, _act, _dact
from .dispatch import implements
from .graded import GradedKernelParams, _sigmoid
from .jacobian import jac_values
from .ltc import LTCKernelParams
from .plastic import activity, set_weight, weight_jac


# -- graded ---------------------------------------------------------------------------------
@implements(activity, GradedKernelParams)
@kernel
def graded_activity(bp, y, a_pre, a_post, d_pre, d_post):
    n = bp.C.shape[0]
    for i in range(n):
        a_pre[i] = y[n + i]
        d_pre[i] = 1.0
        a_post[i] = y[i] - bp.vth[i]
        d_post[i] = 1.0


@implements(set_weight, GradedKernelParams)
@kernel
def graded_set_weight(bp, k, value):
    bp.g_syn[k] = value
    if bp.e_two.shape[0] == 2:  # the two-stream copy (value >= 0: the network uses clip(w, 0, w_max))
        bp.g_signed[k] = np.copysign(value, bp.g_signed[k])


@implements(weight_jac, GradedKernelParams)
@kernel
def graded_weight_jac(bp, t, y, u, k, post):
    n = bp.C.shape[0]
    return -y[n + bp.pre_index[k]] * (y[post] - bp.e_syn[k]) / bp.C[post]


@implements(jac_values, GradedKernelParams)
@kernel
def graded_jac_values(p, t, y, u, vals):
    """``J`` on the pattern of :func:`graded_jacobian_pattern`."""
    n = p.C.shape[0]
    pos = 0
    for i in range(n):  # dV_i / dV_i
        d = -p.Gc[i]
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            if p.gap_index[k] != i:
                d -= p.g_gap[k]
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            d -= p.g_syn[k] * y[n + p.pre_index[k]]
        vals[pos + i] = d / p.C[i]
    pos += n
    for i in range(n):  # gap junctions dV_i / dV_j
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            vals[pos + k] = p.g_gap[k] / p.C[i] if p.gap_index[k] != i else 0.0
    pos += p.gap_index.shape[0]
    for i in range(n):  # synapses dV_i / ds_j
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            vals[pos + k] = -p.g_syn[k] * (y[i] - p.e_syn[k]) / p.C[i]
    pos += p.pre_index.shape[0]
    for i in range(n):  # ds_i / dV_i, ds_i / ds_i
        ph = _sigmoid(p.beta[i] * (y[i] - p.vth[i]))
        vals[pos + i] = p.a_r[i] * p.beta[i] * ph * (1.0 - ph) * (1.0 - y[n + i])
        vals[pos + n + i] = -p.a_r[i] * ph - p.a_d[i]


def graded_jacobian_pattern(kp):
    """Rows and columns of :func:`graded_jac_values` (state ``[V, s]``)."""
    n = kp.C.shape[0]
    ar = np.arange(n)
    gap_rows = np.repeat(ar, np.diff(kp.gap_indptr))
    syn_rows = np.repeat(ar, np.diff(kp.post_indptr))
    rows = np.concatenate([ar, gap_rows, syn_rows, n + ar, n + ar])
    cols = np.concatenate([ar, kp.gap_index, n + kp.pre_index, ar, n + ar])
    return rows.astype(np.int64), cols.astype(np.int64)


# -- CTRNN ------------------------------------------------------------------------------------
@implements(activity, CTRNNKernelParams)
@kernel
def ctrnn_activity(bp, y, a_pre, a_post, d_pre, d_post):
    n = bp.tau.shape[0]
    for i in range(n):
        a = _act(bp.activation, y[i])
        d = _dact(bp.activation, y[i])
        a_pre[i] = a
        a_post[i] = a
        d_pre[i] = d
        d_post[i] = d


@implements(set_weight, CTRNNKernelParams)
@kernel
def ctrnn_set_weight(bp, k, value):
    bp.weight[k] = value


@implements(weight_jac, CTRNNKernelParams)
@kernel
def ctrnn_weight_jac(bp, t, y, u, k, post):
    return _act(bp.activation, y[bp.pre_index[k]]) / bp.tau[post]


# -- LTC --------------------------------------------------------------------------------------
@implements(activity, LTCKernelParams)
@kernel
def ltc_activity(bp, y, a_pre, a_post, d_pre, d_post):
    n = bp.cm.shape[0]
    for i in range(n):
        a = _sigmoid(y[i])
        a_pre[i] = a
        a_post[i] = a
        d_pre[i] = a * (1.0 - a)
        d_post[i] = a * (1.0 - a)


@implements(set_weight, LTCKernelParams)
@kernel
def ltc_set_weight(bp, k, value):
    bp.w[k] = value


@implements(weight_jac, LTCKernelParams)
@kernel
def ltc_weight_jac(bp, t, y, u, k, post):
    a = _sigmoid(bp.sigma[k] * (y[bp.pre_index[k]] - bp.mu[k]))
    return a * (bp.erev[k] - y[post]) / bp.cm[post]


from . import plastic_exponential  # noqa: E402,F401  (registers the plastic circuit's diagonal for ETD2)
