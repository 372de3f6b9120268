"""Compiled vector field of plastic gap junctions (electrical synapses that learn).

A gap junction joins neurons ``a`` and ``b``; its conductance is one state variable
``w`` shared by both directions, so the coupling stays symmetric by construction. The
state of a circuit with plastic gap junctions is that of :mod:`.plastic` followed by::

    [ ... | w_gap (mg) | junction traces (ks * 2 mg) ]

The rule runs on the junction as two directed halves, ``a -> b`` and ``b -> a`` (the
traces of a rule with synapse traces are kept per half), and ``dw/dt`` is the mean of
the two halves' rates: the activities enter symmetrically (Hebbian: ``rate (x_a y_b +
x_b y_a) / 2``; with equal pre- and postsynaptic activities, as LTC and CTRNN have,
``rate a_a a_b``). Bounds act as for chemical synapses.

Hooks a base model with gap junctions provides: :func:`gap_set_weight` and
:func:`gap_weight_jac`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .dispatch import hook, implements, rhs
from .graded import GradedKernelParams
from .jacobian import jac_values
from .ltc import LTCKernelParams
from .plastic import _effective, activity, plastic_jac_values, plastic_rhs, rule_rates


@hook
def gap_set_weight(bp, k, value):
    """Write the conductance `value` of kernel gap entry `k` (row-wise gap arrays of the base model)."""


@hook
def gap_weight_jac(bp, t, y, u, k, row):
    """``d f_row / d g_k``: derivative of neuron `row`'s equation by the conductance of its gap entry `k`."""


class PlasticGapKernelParams(NamedTuple):
    """A plastic circuit's kernel parameters (:class:`.plastic.PlasticKernelParams`) with plastic gap junctions."""

    plastic: tuple  # PlasticKernelParams (chemical synapses, possibly none)
    g0: int  # state index of the first gap-junction weight
    a: np.ndarray  # int64 (mg,) one neuron of each junction
    b: np.ndarray  # int64 (mg,) the other
    k_ab: np.ndarray  # int64 (mg,) base kernel gap entry of the junction in a's row
    k_ba: np.ndarray  # int64 (mg,) ... in b's row
    row_a: np.ndarray  # int64 (mg,) state row of a's equation (where the junction current enters)
    row_b: np.ndarray  # int64 (mg,)
    pre2: np.ndarray  # int64 (2 mg,) presynaptic neuron of each directed half: a then b
    post2: np.ndarray  # int64 (2 mg,) postsynaptic neuron: b then a
    color: np.ndarray  # int64 (n,) colouring of the plastic gap graph: the two ends of a junction differ
    n_colors: int
    pre_var: int  # state variable the presynaptic activity reads
    post_var: int  # state variable the postsynaptic activity reads


# -- shipped models --------------------------------------------------------------------------
@implements(gap_set_weight, GradedKernelParams)
@kernel
def graded_gap_set_weight(bp, k, value):
    bp.g_gap[k] = value


@implements(gap_weight_jac, GradedKernelParams)
@kernel
def graded_gap_weight_jac(bp, t, y, u, k, row):
    return (y[bp.gap_index[k]] - y[row]) / bp.C[row]


@implements(gap_set_weight, LTCKernelParams)
@kernel
def ltc_gap_set_weight(bp, k, value):
    bp.g_w[k] = value


@implements(gap_weight_jac, LTCKernelParams)
@kernel
def ltc_gap_weight_jac(bp, t, y, u, k, row):
    return (y[bp.g_index[k]] - y[row]) / bp.cm[row]


# -- vector field ------------------------------------------------------------------------------
@kernel
def _copy_gap(p, y):
    q_ = p.plastic
    for q in range(p.a.shape[0]):
        g = _effective(y[p.g0 + q], q_.w_max)
        gap_set_weight(q_.base, p.k_ab[q], g)
        gap_set_weight(q_.base, p.k_ba[q], g)


@kernel
def _gap_block(p, t, y, u, a_pre, a_post, out):
    """Rates of the gap block (``w_gap``, junction traces), bounds applied, into `out`."""
    q_ = p.plastic
    mg, ks, kn, n = p.a.shape[0], q_.ks, q_.kn, q_.n
    half = 2 * mg
    mod = u[q_.mod_channel] if q_.mod_channel >= 0 else 0.0
    zn0 = q_.n_base + q_.syn.shape[0] * (1 + ks)
    zn = y[zn0:zn0 + kn * n]
    w2 = np.empty(half)
    dw2 = np.empty(half)
    dzn = np.empty(kn * n)  # the neuron traces' rates come from the chemical block
    for q in range(mg):
        w2[q] = y[p.g0 + q]
        w2[mg + q] = y[p.g0 + q]
    zs = y[p.g0 + mg:p.g0 + mg + ks * half]
    rule_rates(q_.rule, t, mod, p.pre2, p.post2, a_pre, a_post, w2, zs, zn, dw2, out[mg:mg + ks * half], dzn)
    for q in range(mg):
        r = 0.5 * (dw2[q] + dw2[mg + q])
        w = y[p.g0 + q]
        if q_.soft:
            if r > 0.0:
                r *= 1.0 - w / q_.w_max
            else:
                r *= w / q_.w_max
        elif (r < 0.0 and w <= 0.0) or (r > 0.0 and w >= q_.w_max):
            r = 0.0
        out[q] = r


@implements(rhs, PlasticGapKernelParams)
@kernel
def plastic_gap_rhs(p, t, y, u, dydt):
    """The plastic circuit's field with the current junction conductances, then the junctions' rates."""
    n = p.plastic.n
    _copy_gap(p, y)
    plastic_rhs(p.plastic, t, y, u, dydt)
    a_pre, a_post, d_pre, d_post = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    activity(p.plastic.base, y, a_pre, a_post, d_pre, d_post)
    _gap_block(p, t, y, u, a_pre, a_post, dydt[p.g0:])
    return 0


@kernel(inline="always")
def _step(v):
    return (v + 1e-7 * max(1.0, abs(v))) - v


@implements(jac_values, PlasticGapKernelParams)
@kernel
def plastic_gap_jac_values(p, t, y, u, vals):
    """Jacobian on the pattern of ``PlasticGapModel.jacobian_pattern``.

    Order: the entries of :func:`.plastic.plastic_jac_values`; ``d f_a / d w`` and
    ``d f_b / d w`` per junction; then per junction its rows (``w``, then each trace's
    ``a -> b`` and ``b -> a`` halves) against its own states (same order), then for each
    neuron trace, the presynaptic and the postsynaptic activity, the entries at ``a``
    and at ``b``. The rule part is a finite difference over groups perturbed together:
    a junction's own states across all junctions, and neuron-side entries over the
    neurons of one colour (no junction has both ends of one colour).
    """
    q_ = p.plastic
    nb, n, ks, kn = q_.n_base, q_.n, q_.ks, q_.kn
    mg = p.a.shape[0]
    half = 2 * mg
    _copy_gap(p, y)
    pos = plastic_jac_values(q_, t, y, u, vals)
    for q in range(mg):
        w = y[p.g0 + q]
        inside = 1.0 if (w >= 0.0 and w <= q_.w_max) else 0.0
        vals[pos + 2 * q] = inside * gap_weight_jac(q_.base, t, y[:nb], u, p.k_ab[q], p.a[q])
        vals[pos + 2 * q + 1] = inside * gap_weight_jac(q_.base, t, y[:nb], u, p.k_ba[q], p.b[q])
    pos += 2 * mg
    R = 1 + ks * 2  # rows per junction
    C = R + 2 * (kn + 2)  # columns per junction
    a_pre, a_post, d_pre, d_post = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    activity(q_.base, y, a_pre, a_post, d_pre, d_post)
    nz = mg + ks * half
    f0 = np.empty(nz)
    f1 = np.empty(nz)
    _gap_block(p, t, y, u, a_pre, a_post, f0)
    yp = y.copy()
    # own states: group g is w (g = 0) or one half of one trace (g = 1 + 2 k + side)
    for g in range(R):
        lo = p.g0 + (0 if g == 0 else mg + ((g - 1) // 2) * half + ((g - 1) % 2) * mg)
        for q in range(mg):
            yp[lo + q] = y[lo + q] + 1e-7 * max(1.0, abs(y[lo + q]))
        _gap_block(p, t, yp, u, a_pre, a_post, f1)
        for q in range(mg):
            yp[lo + q] = y[lo + q]
        for q in range(mg):
            dv = _step(y[lo + q])
            for r in range(R):
                row = q if r == 0 else mg + ((r - 1) // 2) * half + ((r - 1) % 2) * mg + q
                vals[pos + q * R * C + r * C + g] = (f1[row] - f0[row]) / dv
    # neuron-side entries: neuron traces, pre and post activity; one colour at a time
    zn0 = nb + q_.syn.shape[0] * (1 + ks)
    ap = a_pre.copy()
    apo = a_post.copy()
    for kind in range(kn + 2):
        for c in range(p.n_colors):
            for i in range(n):
                if p.color[i] != c:
                    continue
                if kind < kn:
                    v = y[zn0 + kind * n + i]
                    yp[zn0 + kind * n + i] = v + 1e-7 * max(1.0, abs(v))
                elif kind == kn:
                    ap[i] = a_pre[i] + 1e-7 * max(1.0, abs(a_pre[i]))
                else:
                    apo[i] = a_post[i] + 1e-7 * max(1.0, abs(a_post[i]))
            _gap_block(p, t, yp, u, ap, apo, f1)
            for i in range(n):
                if p.color[i] == c:
                    if kind < kn:
                        yp[zn0 + kind * n + i] = y[zn0 + kind * n + i]
                    ap[i] = a_pre[i]
                    apo[i] = a_post[i]
            for q in range(mg):
                if p.color[p.a[q]] == c:
                    i, end = p.a[q], 0
                elif p.color[p.b[q]] == c:
                    i, end = p.b[q], 1
                else:
                    continue
                if kind < kn:
                    scale = 1.0 / _step(y[zn0 + kind * n + i])
                elif kind == kn:
                    scale = d_pre[i] / _step(a_pre[i])
                else:
                    scale = d_post[i] / _step(a_post[i])
                col = R + 2 * kind + end
                for r in range(R):
                    row = q if r == 0 else mg + ((r - 1) // 2) * half + ((r - 1) % 2) * mg + q
                    vals[pos + q * R * C + r * C + col] = (f1[row] - f0[row]) * scale
    return pos + mg * R * C
