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

When every synapse reverses at one of two potentials (``e_two = [E_exc, E_inh]``,
the published parameterisation) and every conductance is non-negative, the vector
field reads ``g_signed`` (``+g`` excitatory, ``-g`` inhibitory, the sign bit kept for
zeros) instead of ``g_syn`` and ``e_syn``: two arrays per synapse instead of three, so
the memory-bound gather moves a third fewer bytes. With ``gs = sum |g| s`` and
``gd = sum g_signed s``, the inhibitory part is ``(gs - gd) / 2``: the same current up
to rounding of order ``eps * gs * |E_exc - E_inh|``, the size of the rounding of
``gs (V - E_exc)`` itself.

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
from numba import prange

from ._cache import kernel
from .dispatch import implements, rhs
from .exponential import linear_diagonal
from .rosenbrock import linear_setup, linear_solve, linear_workspace
from .sparse_lu import SparseLU, lu_factor, lu_solve
from .threads import threaded


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
    e_two: np.ndarray  # (2,) [E_exc, E_inh] mV when e_syn takes only these values and g_syn >= 0, else (0,)
    g_signed: np.ndarray  # (n_syn,) copysign(g_syn, +1 excitatory / -1 inhibitory), or (0,) without e_two


@kernel(inline="always")
def _sigmoid(x):
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@kernel(inline="always")
def _graded_neuron(p, y, u, dydt, i, n):
    """``dV_i/dt`` and ``ds_i/dt`` of neuron `i` (a gather over its incoming synapses)."""
    v = y[i]
    cur = -p.Gc[i] * (v - p.Ec[i]) + u[i]
    for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
        cur -= p.g_gap[k] * (v - y[p.gap_index[k]])
    # sum_k g_k s_k (v - e_k) = v sum_k g_k s_k - sum_k g_k s_k e_k: two independent accumulators
    k0, k1 = p.post_indptr[i], p.post_indptr[i + 1]
    if p.e_two.shape[0] == 2:
        # two streams per synapse and no select (a select on float32 storage stops vectorisation):
        # gs = sum |g| s over all synapses, gd = sum_exc g s - sum_inh g s, so sum_inh g s = (gs - gd) / 2
        gs = 0.0
        gd = 0.0
        for k in range(k0, k1):
            g = p.g_signed[k]
            sj = y[n + p.pre_index[k]]
            gs += abs(g) * sj
            gd += g * sj
        cur -= gs * (v - p.e_two[0]) + 0.5 * (gs - gd) * (p.e_two[0] - p.e_two[1])
    else:
        gs = 0.0
        gse = 0.0
        for k in range(k0, k1):
            a = p.g_syn[k] * y[n + p.pre_index[k]]
            gs += a
            gse += a * p.e_syn[k]
        cur -= v * gs - gse
    dydt[i] = cur / p.C[i]
    s = y[n + i]
    ph = _sigmoid(p.beta[i] * (v - p.vth[i]))
    dydt[n + i] = p.a_r[i] * ph * (1.0 - s) - p.a_d[i] * s


@kernel(parallel=True)
def _graded_rhs_threads(p, y, u, dydt):
    n = p.C.shape[0]
    for i in prange(n):
        _graded_neuron(p, y, u, dydt, i, n)


@implements(rhs, GradedKernelParams)
@kernel
def graded_rhs(p, t, y, u, dydt):
    """Write ``dy/dt`` of the graded network into `dydt`.

    Large networks run the neuron loop in threads (:mod:`.threads`).

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
    if threaded(n, p.pre_index.shape[0]):
        _graded_rhs_threads(p, y, u, dydt)
    else:
        for i in range(n):
            _graded_neuron(p, y, u, dydt, i, n)
    return 0


@kernel(inline="always")
def _graded_diag_neuron(p, y, d, i, n):
    g = p.Gc[i]
    for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
        g += p.g_gap[k]
    for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
        g += p.g_syn[k] * y[n + p.pre_index[k]]
    d[i] = -g / p.C[i]
    ph = _sigmoid(p.beta[i] * (y[i] - p.vth[i]))
    d[n + i] = -(p.a_r[i] * ph + p.a_d[i])


@kernel(parallel=True)
def _graded_diag_threads(p, y, d):
    n = p.C.shape[0]
    for i in prange(n):
        _graded_diag_neuron(p, y, d, i, n)


@implements(linear_diagonal, GradedKernelParams)
@kernel
def graded_linear_diagonal(p, t, y, u, d):
    """``dF_V,i/dV_i = -(Gc + sum g_gap + sum g_syn s_pre) / C`` and ``dF_s,i/ds_i = -(a_r phi + a_d)`` (1/ms)."""
    n = p.C.shape[0]
    if threaded(n, p.pre_index.shape[0]):
        _graded_diag_threads(p, y, d)
    else:
        for i in range(n):
            _graded_diag_neuron(p, y, d, i, n)
    return 0


@kernel
def graded_gap_currents(p, V, out):
    """Current through each gap junction entry, ``out[k]`` into neuron i from ``gap_index[k]`` (pA)."""
    n = p.C.shape[0]
    for i in range(n):
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            out[k] = -p.g_gap[k] * (V[i] - V[p.gap_index[k]])
    return 0


@kernel
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


@kernel
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


@kernel
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


@kernel
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


@kernel
def graded_s_backsolve(ratio, inv_d2, r, uV, u):
    """Recover the full stage vector: ``u_V`` given, ``u_s = (r_s + D1 u_V) / D2``."""
    n = ratio.shape[0]
    for j in range(n):
        u[j] = uV[j]
        u[n + j] = r[n + j] * inv_d2[j] + ratio[j] * uV[j]
    return 0



# -- linear algebra of the Rosenbrock solver -------------------------------------------------
MAX_LINEAR_ITERATIONS = 25


class GradedLinear(NamedTuple):
    """Structure of the reduced linear systems (built once per wiring, see ``Graded.linear_structure``).

    ``lu`` factorises ``P`` (diagonal + gap junctions) or, if ``direct``, the whole
    reduced matrix ``S = P + E``; ``diag_pos``, ``gap_pos``, ``syn_pos`` are the
    positions of each neuron's diagonal, each gap-junction entry and (direct only)
    each synapse in the factor's values.
    """

    lu: SparseLU
    diag_pos: np.ndarray  # int64 (n,)
    gap_pos: np.ndarray  # int64 (n_gap,)
    syn_pos: np.ndarray  # int64 (n_syn,), empty unless direct
    direct: bool


class GradedLinearWork(NamedTuple):
    ratio: np.ndarray  # (n,) D1 / D2
    inv_d2: np.ndarray  # (n,) 1 / D2
    rv: np.ndarray  # (n,) reduced right-hand side
    uv: np.ndarray  # (n,) V part of the solution
    un: np.ndarray  # (n,) next iterate
    ev: np.ndarray  # (n,) r_V - E uv
    tmp: np.ndarray  # (n,)
    vals: np.ndarray  # (nnz,) factor values
    xrow: np.ndarray  # (n,) factorisation accumulator
    dense: np.ndarray  # (m, m) dense trailing block of the factorisation
    theta: np.ndarray  # (1,) contraction rate of the iteration in this step
    e_vals: np.ndarray  # (n_syn,) entries of E per synapse (this step)
    r_vals: np.ndarray  # (n_syn,) -J_Vs / D2 per synapse (this step)


@implements(linear_workspace, GradedLinear)
@kernel
def graded_linear_workspace(L, p, n_y):
    n = p.C.shape[0]
    n_syn = p.pre_index.shape[0]
    m = n - L.lu.dense_from
    return GradedLinearWork(np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n),
                            np.zeros(n), np.zeros(L.lu.cols.shape[0]), np.zeros(n), np.zeros((m, m)), np.ones(1),
                            np.zeros(n_syn), np.zeros(n_syn))


@implements(linear_setup, GradedLinear)
@kernel
def graded_linear_setup(L, p, lw, t, y, u, fac):
    lw.vals[:] = 0.0
    graded_schur_assemble(p, y, fac, lw.ratio, lw.inv_d2, L.diag_pos, L.gap_pos, L.syn_pos, lw.vals)
    graded_coupling(p, y, lw.ratio, lw.inv_d2, lw.e_vals, lw.r_vals)
    lw.theta[0] = 1.0  # measure the contraction afresh for this matrix
    return 0 if lu_factor(L.lu, lw.vals, lw.xrow, lw.dense, 0.0) < 0 else 1


@implements(linear_solve, GradedLinear)
@kernel
def graded_linear_solve(L, p, lw, r, out, inv_scale, lin_tol):
    """Solve ``M out = r`` (2n,) with the factor of :func:`graded_linear_setup`.

    With a direct factor this is one triangular solve. Otherwise ``S = P + E`` is
    solved by the fixed-point iteration ``P x_{k+1} = r_V - E x_k`` (``P``
    factorised). With ``d_k = max_i |x_{k,i} - x_{k-1,i}| inv_scale_i`` over the
    membrane potentials and the contraction rate ``theta = d_k / d_{k-1}``, the
    remaining error is about ``theta / (1 - theta) d_k``; the iteration stops once
    that is ``<= lin_tol``. ``theta`` is kept in ``lw.theta[0]`` for the later stages
    of the same step. A correction at round-off level (``1e-14 max |x|``) also ends
    the iteration.

    Returns
    -------
    int
        Number of iterations (``E`` products), or -1 if the iteration did not
        contract or did not converge within ``MAX_LINEAR_ITERATIONS``. Non-finite
        values end the iteration and are left in `out` (the step's check reports them).
    """
    n = p.C.shape[0]
    graded_schur_rhs(p, lw.r_vals, r, lw.rv)
    lu_solve(L.lu, lw.vals, lw.rv, lw.uv, lw.tmp)
    its = 0
    if not L.direct:
        prev = np.inf
        while True:
            graded_coupling_residual(p, lw.e_vals, lw.rv, lw.uv, lw.ev)
            lu_solve(L.lu, lw.vals, lw.ev, lw.un, lw.tmp)
            its += 1
            d = 0.0
            dabs = 0.0
            xabs = 0.0
            for i in range(n):
                di = abs(lw.un[i] - lw.uv[i])
                dabs = max(dabs, di)
                xabs = max(xabs, abs(lw.un[i]))
                di *= inv_scale[i]
                if not di <= d:   # also catches NaN
                    d = di
                lw.uv[i] = lw.un[i]
            if not d < np.inf:            # non-finite: the step's state check reports it
                break
            if dabs <= 1e-14 * xabs:      # converged to round-off
                break
            if its >= 2:
                lw.theta[0] = d / prev
            th = lw.theta[0]
            if th < 1.0 and th / (1.0 - th) * d <= lin_tol:
                break
            if (its >= 2 and th >= 1.0) or its >= MAX_LINEAR_ITERATIONS:
                return -1
            prev = d
    graded_s_backsolve(lw.ratio, lw.inv_d2, r, lw.uv, out)
    return its
