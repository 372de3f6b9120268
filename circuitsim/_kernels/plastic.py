"""Compiled vector field of a circuit whose chemical weights learn (plastic synapses).

The state of a plastic circuit is the base model's state followed by the plastic block::

    y = [ base state (n_base) | w (m) | synapse traces (ks * m) | neuron traces (kn * n) ]

``w`` are weight magnitudes of the plastic synapses (kernel order of the base model's
synapse arrays). :func:`plastic_rhs` copies the effective weights ``sign * clip(w, 0, w_max)``
into the base model's weight array, evaluates the base model's :func:`~.dispatch.rhs`,
then the rule's rates from the pre- and postsynaptic activities given by the base
model's :func:`activity` hook; bounds act on ``dw/dt``.

Hooks a base model provides (dispatched on its kernel parameter type, see
:mod:`.plastic_models`): :func:`activity`, :func:`set_weight`, :func:`weight_jac`.
Hooks a rule provides (dispatched on its rule parameter type, see
:mod:`.plastic_rules`): :func:`rule_rates`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .dispatch import hook, implements, rhs
from .jacobian import jac_values


@hook
def activity(bp, y, a_pre, a_post, d_pre, d_post):
    """Per-neuron pre- and postsynaptic activities, and their derivatives along the state entries they read."""


@hook
def set_weight(bp, k, value):
    """Write the effective (signed, as the kernel stores it) weight `value` of kernel synapse `k`."""


@hook
def weight_jac(bp, t, y, u, k, post):
    """``d f_row / d weight_k``: derivative of the postsynaptic row of kernel synapse `k` by its weight."""


@hook
def rule_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """A learning rule's rates: ``dw`` (m,), ``dzs`` (ks*m,), ``dzn`` (kn*n,) from the activities and states."""


class PlasticKernelParams(NamedTuple):
    """A base model's kernel parameters with a plastic block (see the module docstring)."""

    base: tuple  # the base model's kernel parameters (NamedTuple)
    rule: tuple  # the rule's kernel parameters (NamedTuple)
    n_base: int  # length of the base state
    n: int  # neurons
    syn: np.ndarray  # int64 (m,) kernel index of each plastic synapse in the base weight array
    pre: np.ndarray  # int64 (m,) presynaptic neuron
    post: np.ndarray  # int64 (m,) postsynaptic neuron
    row: np.ndarray  # int64 (m,) base state row the weight enters (post's first variable)
    sign: np.ndarray  # float64 (m,) sign the kernel stores with the magnitude (+1 for conductances)
    w_max: float  # upper bound (inf: none)
    soft: bool  # soft bounds (rates scaled by the distance to the bound) instead of hard ones
    ks: int  # synapse traces per synapse
    kn: int  # neuron traces per neuron
    mod_channel: int  # input channel of the neuromodulator (-1: none)
    sides: np.ndarray  # int64 (kn,) 1 where a neuron trace is read at the presynaptic neuron, 0 postsynaptic
    n_jac_base: int  # entries of the base model's Jacobian pattern


@kernel(inline="always")
def _effective(w, w_max):
    if w < 0.0:
        return 0.0
    if w > w_max:
        return w_max
    return w


@kernel
def _copy_weights(p, y):
    nb, bp, syn, sign, w_max = p.n_base, p.base, p.syn, p.sign, p.w_max  # once, not per synapse
    for q in range(syn.shape[0]):
        set_weight(bp, syn[q], sign[q] * _effective(y[nb + q], w_max))


@kernel
def _plastic_block(p, t, y, u, a_pre, a_post, d_pre, d_post, out):
    """Rates of the plastic block (bounds applied) into `out` (length of the block)."""
    nb, m, n = p.n_base, p.syn.shape[0], p.n
    mod = u[p.mod_channel] if p.mod_channel >= 0 else 0.0
    w = y[nb:nb + m]
    zs = y[nb + m:nb + m + p.ks * m]
    zn = y[nb + m + p.ks * m:nb + m + p.ks * m + p.kn * n]
    dw = out[0:m]
    dzs = out[m:m + p.ks * m]
    dzn = out[m + p.ks * m:m + p.ks * m + p.kn * n]
    rule_rates(p.rule, t, mod, p.pre, p.post, a_pre, a_post, w, zs, zn, dw, dzs, dzn)
    for q in range(m):
        r = dw[q]
        if p.soft:
            if r > 0.0:
                r *= 1.0 - w[q] / p.w_max
            else:
                r *= w[q] / p.w_max
        elif (r < 0.0 and w[q] <= 0.0) or (r > 0.0 and w[q] >= p.w_max):
            r = 0.0
        dw[q] = r


@implements(rhs, PlasticKernelParams)
@kernel
def plastic_rhs(p, t, y, u, dydt):
    """The base model's field with the current weights, then the rule's rates."""
    nb, n = p.n_base, p.n
    _copy_weights(p, y)
    rhs(p.base, t, y[:nb], u, dydt[:nb])
    a_pre, a_post, d_pre, d_post = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    activity(p.base, y, a_pre, a_post, d_pre, d_post)
    _plastic_block(p, t, y, u, a_pre, a_post, d_pre, d_post, dydt[nb:])
    return 0


@implements(jac_values, PlasticKernelParams)
@kernel
def plastic_jac_values(p, t, y, u, vals):
    """Jacobian on the pattern of ``PlasticModel.jacobian_pattern``.

    Order: the base model's entries, then the plastic block (:func:`plastic_jac_block`).
    """
    nb = p.n_base
    _copy_weights(p, y)
    jac_values(p.base, t, y[:nb], u, vals[:p.n_jac_base])
    return p.n_jac_base + plastic_jac_block(p, t, y, u, vals[p.n_jac_base:])


@kernel
def plastic_jac_block(p, t, y, u, vals):
    """The Jacobian entries of the plastic block (the current weights already copied into ``p.base``).

    Order: ``d f_post / d w`` per synapse; then for every synapse the rows of its
    states against (its own states, the neuron traces it reads, its pre activity
    entry, its post activity entry); then the neuron-trace rows against (the neuron
    traces of the same neuron, its pre and post activity entries). The rule part is a
    finite difference over groups of variables perturbed together, exact for rules in
    which each rate reads one entry of each group (synapse-local rules).

    Returns
    -------
    int
        Number of entries written.
    """
    nb, n, m, ks, kn = p.n_base, p.n, p.syn.shape[0], p.ks, p.kn
    bp, yb, sign, syn, post, w_max = p.base, y[:nb], p.sign, p.syn, p.post, p.w_max  # once, not per synapse
    for q in range(m):
        wq = y[nb + q]
        inside = 1.0 if (wq >= 0.0 and wq <= w_max) else 0.0
        vals[q] = sign[q] * inside * weight_jac(bp, t, yb, u, syn[q], post[q])
    pos = m
    a_pre, a_post, d_pre, d_post = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    activity(p.base, y, a_pre, a_post, d_pre, d_post)
    nz = y.shape[0] - nb
    f0 = np.empty(nz)
    f1 = np.empty(nz)
    _plastic_block(p, t, y, u, a_pre, a_post, d_pre, d_post, f0)
    yp = y.copy()
    gs = 1 + ks  # synapse-state groups
    per_syn = gs * (gs + kn + 2)
    # groups: synapse variables, neuron traces, pre activity, post activity
    for g in range(gs + kn + 2):
        if g < gs + kn:
            lo = nb + g * m if g < gs else nb + gs * m + (g - gs) * n
            cnt = m if g < gs else n
            for i in range(cnt):
                yp[lo + i] = y[lo + i] + 1e-7 * max(1.0, abs(y[lo + i]))
            _plastic_block(p, t, yp, u, a_pre, a_post, d_pre, d_post, f1)
            for i in range(cnt):
                yp[lo + i] = y[lo + i]
        else:
            ap = a_pre.copy()
            apo = a_post.copy()
            for i in range(n):
                if g == gs + kn:
                    ap[i] = a_pre[i] + 1e-7 * max(1.0, abs(a_pre[i]))
                else:
                    apo[i] = a_post[i] + 1e-7 * max(1.0, abs(a_post[i]))
            _plastic_block(p, t, y, u, ap, apo, d_pre, d_post, f1)
        for q in range(m):  # synapse rows
            for r_ in range(gs):
                row = r_ * m + q
                if g < gs:
                    v0 = y[nb + g * m + q]
                    dv = 1e-7 * max(1.0, abs(v0))
                    dv = (v0 + dv) - v0
                    val = (f1[row] - f0[row]) / dv
                elif g < gs + kn:
                    nb_i = (g - gs) * n + (p.pre[q] if p.sides[g - gs] == 1 else p.post[q])
                    v0 = y[nb + gs * m + nb_i]
                    dv = (v0 + 1e-7 * max(1.0, abs(v0))) - v0
                    val = (f1[row] - f0[row]) / dv
                elif g == gs + kn:
                    v0 = a_pre[p.pre[q]]
                    dv = (v0 + 1e-7 * max(1.0, abs(v0))) - v0
                    val = (f1[row] - f0[row]) / dv * d_pre[p.pre[q]]
                else:
                    v0 = a_post[p.post[q]]
                    dv = (v0 + 1e-7 * max(1.0, abs(v0))) - v0
                    val = (f1[row] - f0[row]) / dv * d_post[p.post[q]]
                vals[pos + q * per_syn + r_ * (gs + kn + 2) + g] = val
        base_n = pos + m * per_syn
        for i in range(n):  # neuron-trace rows: own traces (diagonal per group), pre, post activity
            for r_ in range(kn):
                row = gs * m + r_ * n + i
                if g < gs:
                    continue
                if g < gs + kn:
                    v0 = y[nb + gs * m + (g - gs) * n + i]
                    dv = (v0 + 1e-7 * max(1.0, abs(v0))) - v0
                    val = (f1[row] - f0[row]) / dv
                elif g == gs + kn:
                    v0 = a_pre[i]
                    dv = (v0 + 1e-7 * max(1.0, abs(v0))) - v0
                    val = (f1[row] - f0[row]) / dv * d_pre[i]
                else:
                    v0 = a_post[i]
                    dv = (v0 + 1e-7 * max(1.0, abs(v0))) - v0
                    val = (f1[row] - f0[row]) / dv * d_post[i]
                vals[base_n + i * kn * (kn + 2) + r_ * (kn + 2) + (g - gs)] = val
    return pos + m * per_syn + n * kn * (kn + 2)


from . import plastic_linear  # noqa: E402,F401  (registers the plastic circuit's stiff-solver hooks)
