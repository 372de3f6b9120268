"""Compiled vector field of the graded-potential conductance network.

Wicks et al. (1996); Kunert, Shlizerman & Kutz (2014). State ``y = [V (n), s (n)]``
(variable-major), units ms, mV, nS, pF, pA::

    C_i dV_i/dt = -Gc_i (V_i - Ec_i) - sum_k g_gap[k] (V_i - V_index[k])
                  - sum_k g_syn[k] s_pre[k] (V_i - e_syn[k]) + u_i
    ds_i/dt     = a_r_i phi_i (1 - s_i) - a_d_i s_i,
    phi_i       = 1 / (1 + exp(-beta_i (V_i - vth_i)))

Gap junctions are the rows ``gap_indptr`` / ``gap_index`` of the symmetric
matrix; chemical synapses are grouped by postsynaptic neuron
(``post_indptr`` / ``pre_index``, the CSC of ``W[pre, post]``).

Besides the vector field this module holds the pieces the structure-exploiting
Rosenbrock solver needs: the V-block of ``M = fac*I - J`` after the diagonal
s-block has been eliminated (:func:`graded_schur_assemble`), split into a part
with gap-junction sparsity and the synaptic coupling, which can be factorised
with it or applied matrix-free (:func:`graded_coupling`,
:func:`graded_coupling_residual`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class GradedKernelParams(NamedTuple):
    """Contiguous arrays of one graded network (see the module docstring for units)."""

    C: np.ndarray  # (n,) pF
    Gc: np.ndarray  # (n,) nS
    Ec: np.ndarray  # (n,) mV
    vth: np.ndarray  # (n,) mV
    beta: np.ndarray  # (n,) 1/mV
    a_r: np.ndarray  # (n,) 1/ms
    a_d: np.ndarray  # (n,) 1/ms
    gap_indptr: np.ndarray  # (n + 1,) int64
    gap_index: np.ndarray  # (n_gap,) int64
    g_gap: np.ndarray  # (n_gap,) nS
    post_indptr: np.ndarray  # (n + 1,) int64
    pre_index: np.ndarray  # (n_syn,) int64
    g_syn: np.ndarray  # (n_syn,) nS
    e_syn: np.ndarray  # (n_syn,) mV


@njit(cache=True, inline="always", error_model="numpy")
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@njit(cache=True, error_model="numpy")
def graded_rhs(p, t, y, u, dydt):
    """Write ``dy/dt`` of the graded network into `dydt`.

    Parameters
    ----------
    p : GradedKernelParams
    t : float
        Time (ms); the field depends on time only through `u`.
    y : ndarray, shape (2n,)
        ``[V (mV), s]``.
    u : ndarray, shape (n,)
        External current per neuron (pA).
    dydt : ndarray, shape (2n,)
        Output: ``[dV/dt (mV/ms), ds/dt (1/ms)]``.
    """
    n = p.C.shape[0]
    for i in range(n):
        v = y[i]
        cur = -p.Gc[i] * (v - p.Ec[i]) + u[i]
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            cur -= p.g_gap[k] * (v - y[p.gap_index[k]])
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            cur -= p.g_syn[k] * y[n + p.pre_index[k]] * (v - p.e_syn[k])
        dydt[i] = cur / p.C[i]
        s = y[n + i]
        ph = _sigmoid(p.beta[i] * (v - p.vth[i]))
        dydt[n + i] = p.a_r[i] * ph * (1.0 - s) - p.a_d[i] * s
    return 0


@njit(cache=True, error_model="numpy")
def graded_gap_currents(p, V, out):
    """Current through each gap junction entry, ``out[k]`` into neuron i from ``gap_index[k]`` (pA)."""
    n = p.C.shape[0]
    for i in range(n):
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            out[k] = -p.g_gap[k] * (V[i] - V[p.gap_index[k]])
    return 0


@njit(cache=True, error_model="numpy")
def graded_schur_assemble(p, y, fac, ratio, inv_d2, diag_pos, gap_pos, syn_pos, vals):
    """Assemble the Schur complement of ``M = fac*I - J`` onto the V unknowns.

    With ``D1_j = dF_s,j / dV_j`` and ``D2_j = fac + a_r phi_j + a_d`` (the s-block
    of `M`), eliminating ``u_s = (r_s + D1 u_V) / D2`` leaves::

        S = P + E,   P = fac*I - J_VV,   E = -J_Vs diag(D1 / D2)

    ``P`` (diagonal + gap junctions) is ``C^-1`` times a symmetric positive definite
    matrix. ``E`` has the pattern of the chemical synapses; it is added to `vals`
    only when `syn_pos` is non-empty (otherwise it is applied matrix-free by
    :func:`graded_coupling_residual`).

    Parameters
    ----------
    p : GradedKernelParams
    y : ndarray, shape (2n,)
    fac : float
        ``1 / (h gamma)`` (1/ms).
    ratio, inv_d2 : ndarray, shape (n,)
        Outputs: ``D1 / D2`` and ``1 / D2`` per neuron (used again by
        :func:`graded_coupling` and :func:`graded_s_backsolve`).
    diag_pos, gap_pos, syn_pos : ndarray of int64
        Positions of the diagonal, of each gap-junction entry and of each synapse
        in the factor's value array `vals` (computed once, symbolically); an empty
        `syn_pos` leaves ``E`` out.
    vals : ndarray
        Factor values; zeroed by the caller, overwritten here.

    Returns
    -------
    int
        0.
    """
    n = p.C.shape[0]
    with_e = syn_pos.shape[0] > 0
    for j in range(n):
        ph = _sigmoid(p.beta[j] * (y[j] - p.vth[j]))
        d1 = p.a_r[j] * p.beta[j] * ph * (1.0 - ph) * (1.0 - y[n + j])
        d2 = fac + p.a_r[j] * ph + p.a_d[j]
        inv_d2[j] = 1.0 / d2
        ratio[j] = d1 / d2
    for i in range(n):
        invc = 1.0 / p.C[i]
        d = fac + p.Gc[i] * invc
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            d += p.g_gap[k] * invc
            vals[gap_pos[k]] -= p.g_gap[k] * invc
        v = y[i]
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            j = p.pre_index[k]
            d += p.g_syn[k] * y[n + j] * invc
            if with_e:
                # -J_Vs[i, j] * ratio[j], with J_Vs[i, j] = -g_syn (V_i - E) / C
                vals[syn_pos[k]] += p.g_syn[k] * (v - p.e_syn[k]) * invc * ratio[j]
        vals[diag_pos[i]] += d
    return 0


@njit(cache=True, error_model="numpy")
def graded_coupling(p, y, ratio, inv_d2, e_vals, r_vals):
    """Per-synapse values of the reduced system, computed once per step.

    With ``c_k = g_syn[k] (V_i - e_syn[k]) / C_i`` (``= -J_Vs`` for synapse k: j -> i):
    ``e_vals[k] = c_k ratio_j`` (the entries of ``E``, see
    :func:`graded_schur_assemble`) and ``r_vals[k] = c_k / D2_j`` (used by
    :func:`graded_schur_rhs`).
    """
    n = p.C.shape[0]
    for i in range(n):
        v = y[i]
        invc = 1.0 / p.C[i]
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            j = p.pre_index[k]
            ck = p.g_syn[k] * (v - p.e_syn[k]) * invc
            e_vals[k] = ck * ratio[j]
            r_vals[k] = ck * inv_d2[j]
    return 0


@njit(cache=True, error_model="numpy")
def graded_coupling_residual(p, e_vals, b, x, out):
    """``out = b - E x``: the synaptic part of the Schur complement applied matrix-free.

    `e_vals` from :func:`graded_coupling` (``E[i, j]`` summed over the synapses
    j -> i).
    """
    n = p.C.shape[0]
    for i in range(n):
        acc = b[i]
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            acc -= e_vals[k] * x[p.pre_index[k]]
        out[i] = acc
    return 0


@njit(cache=True, error_model="numpy")
def graded_schur_rhs(p, r_vals, r, out):
    """Right-hand side of the reduced system: ``r_V + J_Vs (r_s / D2)``.

    Parameters
    ----------
    p : GradedKernelParams
    r_vals : ndarray, shape (n_syn,)
        From :func:`graded_coupling`.
    r : ndarray, shape (2n,)
        Full right-hand side ``[r_V, r_s]``.
    out : ndarray, shape (n,)
        Output.
    """
    n = p.C.shape[0]
    for i in range(n):
        acc = r[i]
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            acc -= r_vals[k] * r[n + p.pre_index[k]]
        out[i] = acc
    return 0


@njit(cache=True, error_model="numpy")
def graded_s_backsolve(ratio, inv_d2, r, uV, u):
    """Recover the full stage vector: ``u_V`` given, ``u_s = (r_s + D1 u_V) / D2``."""
    n = ratio.shape[0]
    for j in range(n):
        u[j] = uV[j]
        u[n + j] = r[n + j] * inv_d2[j] + ratio[j] * uV[j]
    return 0


from .dispatch import register_rhs  # noqa: E402

register_rhs(GradedKernelParams, graded_rhs)
