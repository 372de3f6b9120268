"""Rosenbrock linear algebra of plastic circuits: the plastic block eliminated exactly.

With the state ``[x (base, n_base) | z (plastic block)]`` the Rosenbrock matrix is::

    M = fac I - J = [[fac - A, -B], [-C, fac - D]]

``A`` is the base model's Jacobian; ``B = d f_x / d w`` has one entry per plastic
synapse (the row its weight enters, ``row[q]``); ``C`` holds the rates' derivatives by
the pre- and postsynaptic activities; ``D`` the rates' derivatives by the plastic
states. Every shipped rule is synapse-local, so ``D`` is block upper triangular: the
states of synapse ``q`` (its weight and its traces, ``gs = 1 + ks``) couple to each
other and to the neuron traces they read, and the neuron traces of neuron ``i``
(``kn``) couple only to each other. Eliminating ``z``::

    k_z = (fac - D)^-1 (r_z + C k_x)
    (fac - A - B (fac - D)^-1 C) k_x = r_x + B (fac - D)^-1 r_z

is exact (the linear solve, hence the method's order, is unchanged) and costs small
dense solves per synapse and per neuron. The correction ``-B (fac - D)^-1 C`` adds to
the row of synapse ``q``'s postsynaptic neuron at most four entries, the activity
entries of its pre- and postsynaptic neurons (``slots``):

0. pre activity of ``pre``, 1. post activity of ``pre``,
2. pre activity of ``post``, 3. post activity of ``post``

(with neuron traces at the postsynaptic neuron only slots 0 and 3 are non-zero).

Two structures solve the reduced base system:

* :class:`PlasticGradedLinear`, for the graded network (state ``[V, s]``; pre activity
  ``s``, post activity ``V - Vth``): the corrections fall on ``(V_post, s_pre)``,
  ``(V_post, V_pre)``, ``(V_post, V_post)`` and ``(V_post, s_post)``, which the graded
  network's own reduced system (``s`` eliminated, then the ``V`` system, direct or
  iterative; :mod:`.graded`) already holds. It is reused as is.
* :class:`PlasticLULinear`, for any base model with a Jacobian pattern: a sparse LU on
  the base pattern plus the correction entries it lacks (none for CTRNN and LTC).

A learning rate of 0 makes ``C`` and the rates zero, every correction is an exact
zero, and the base solves are those of the non-plastic circuit bit for bit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .dispatch import implements
from .graded import (GradedLinear, graded_coupling, graded_linear_solve, graded_linear_workspace,
                     graded_schur_assemble)
from .jacobian import jac_values
from .loop import error_split
from .plastic import PlasticKernelParams, _copy_weights, plastic_jac_block
from .rosenbrock import linear_setup, linear_solve, linear_workspace
from .sparse_lu import SparseLU, lu_factor, lu_solve


@implements(error_split, PlasticKernelParams)
@kernel
def plastic_error_split(p, n_y):
    """The weights and traces are the second block of the error norm (see :func:`.loop.error_norm`)."""
    return p.n_base


# -- the elimination, shared by both structures ------------------------------------------------
class PlasticElimination(NamedTuple):
    """Where the plastic block reads the base state (built once, see ``PlasticModel.linear_structure``)."""

    slots: np.ndarray  # int64 (m, 4): base state column of each activity slot of synapse q
    neuron_cols: np.ndarray  # int64 (n, 2): columns of neuron i's pre and post activity
    n_jac: int  # entries of the plastic block's Jacobian (plastic_jac_block)


class EliminationWork(NamedTuple):
    jv: np.ndarray  # (n_jac,) plastic block Jacobian (this step)
    inv_n: np.ndarray  # (n, kn, kn) (fac - D_nn,i)^-1
    g_n: np.ndarray  # (n, kn, 2) inv_n @ C_n,i
    inv_s: np.ndarray  # (m, gs, gs) (fac - D_ss,q)^-1
    x_s: np.ndarray  # (m, gs, 4) (fac - D_ss,q)^-1 (C_s,q + D_sn,q G_n)
    rhs_n: np.ndarray  # (n, kn) inv_n @ r_zn (this solve)
    rho: np.ndarray  # (m, gs) synapse part of (fac - D)^-1 r_z (this solve)
    rb: np.ndarray  # (n_base,) right-hand side of the reduced base system
    xb: np.ndarray  # (n_base,) its solution
    piv: np.ndarray  # (max(gs, kn), 2 max(gs, kn) + 4) scratch of the small solves


@kernel
def elimination_workspace(E, p):
    m, n, gs, kn = p.syn.shape[0], p.n, 1 + p.ks, p.kn
    b = max(gs, kn, 1)
    return EliminationWork(np.zeros(E.n_jac), np.zeros((n, kn, kn)), np.zeros((n, kn, 2)), np.zeros((m, gs, gs)),
                           np.zeros((m, gs, 4)), np.zeros((n, kn)), np.zeros((m, gs)), np.zeros(p.n_base),
                           np.zeros(p.n_base), np.zeros((b, 2 * b + 4)))


@kernel
def _small_inverse(a, k, out, work):
    """``out[:k, :k] = a[:k, :k]^-1`` by Gauss-Jordan with partial pivoting; False if singular."""
    for i in range(k):
        for j in range(k):
            work[i, j] = a[i, j]
            work[i, k + j] = 1.0 if i == j else 0.0
    for c in range(k):
        piv = c
        for i in range(c + 1, k):
            if abs(work[i, c]) > abs(work[piv, c]):
                piv = i
        if not abs(work[piv, c]) > 0.0 or not np.isfinite(work[piv, c]):
            return False
        if piv != c:
            for j in range(2 * k):
                tmp = work[c, j]
                work[c, j] = work[piv, j]
                work[piv, j] = tmp
        d = work[c, c]
        for j in range(2 * k):
            work[c, j] /= d
        for i in range(k):
            if i != c and work[i, c] != 0.0:
                f = work[i, c]
                for j in range(2 * k):
                    work[i, j] -= f * work[c, j]
    for i in range(k):
        for j in range(k):
            out[i, j] = work[i, k + j]
    return True


@kernel
def elimination_setup(p, ew, t, y, u, fac):
    """The plastic block's Jacobian at ``y`` and its small inverses; False if one is singular.

    Fills ``ew.inv_n``, ``ew.g_n``, ``ew.inv_s``, ``ew.x_s``; ``x_s[q, 0]`` are the
    coefficients of ``k_w,q`` on the activity slots of synapse ``q``.
    """
    m, n, gs, kn = p.syn.shape[0], p.n, 1 + p.ks, p.kn
    jv, inv_n, g_n, inv_s, x_s, piv = ew.jv, ew.inv_n, ew.g_n, ew.inv_s, ew.x_s, ew.piv  # hoisted: see setup
    pre, post, sides = p.pre, p.post, p.sides
    plastic_jac_block(p, t, y, u, jv)
    wid_s = gs + kn + 2
    base_s = m  # synapse rows start after d f / d w
    base_n = m + m * gs * wid_s
    a = np.empty((max(gs, kn, 1), max(gs, kn, 1)))
    for i in range(n):
        if kn == 0:
            break
        off = base_n + i * kn * (kn + 2)
        for r in range(kn):
            for c in range(kn):
                a[r, c] = (fac if r == c else 0.0) - jv[off + r * (kn + 2) + c]
        if not _small_inverse(a, kn, inv_n[i], piv):
            return False
        for r in range(kn):
            for s in range(2):
                acc = 0.0
                for c in range(kn):
                    acc += inv_n[i, r, c] * jv[off + c * (kn + 2) + kn + s]
                g_n[i, r, s] = acc
    ctot = np.empty((gs, 4))
    for q in range(m):
        off = base_s + q * gs * wid_s
        if gs == 1:  # a weight without synapse traces: a scalar
            d = fac - jv[off]
            if not abs(d) > 0.0 or not np.isfinite(d):
                return False
            inv_s[q, 0, 0] = 1.0 / d
        else:
            for r in range(gs):
                for c in range(gs):
                    a[r, c] = (fac if r == c else 0.0) - jv[off + r * wid_s + c]
            if not _small_inverse(a, gs, inv_s[q], piv):
                return False
        for r in range(gs):
            ctot[r, 0] = jv[off + r * wid_s + gs + kn]
            ctot[r, 1] = 0.0
            ctot[r, 2] = 0.0
            ctot[r, 3] = jv[off + r * wid_s + gs + kn + 1]
            for j in range(kn):  # neuron traces the synapse reads, at its pre (slots 0, 1) or post (2, 3)
                i = pre[q] if sides[j] == 1 else post[q]
                o = 0 if sides[j] == 1 else 2
                d = jv[off + r * wid_s + gs + j]
                ctot[r, o] += d * g_n[i, j, 0]
                ctot[r, o + 1] += d * g_n[i, j, 1]
        for r in range(gs):
            for s in range(4):
                acc = 0.0
                for c in range(gs):
                    acc += inv_s[q, r, c] * ctot[c, s]
                x_s[q, r, s] = acc
    return True


@kernel
def elimination_rhs(p, ew, r):
    """``(fac - D)^-1 r_z`` (into ``ew.rhs_n``, ``ew.rho``) and the reduced right-hand side ``ew.rb``."""
    nb, m, n, gs, kn = p.n_base, p.syn.shape[0], p.n, 1 + p.ks, p.kn
    jv, inv_n, inv_s, rhs_n, rho, rb = ew.jv, ew.inv_n, ew.inv_s, ew.rhs_n, ew.rho, ew.rb  # hoisted: see setup
    pre, post, sides, row = p.pre, p.post, p.sides, p.row
    wid_s = gs + kn + 2
    zn0 = nb + gs * m
    for i in range(nb):
        rb[i] = r[i]
    if gs == 1 and kn == 0:  # weights only (Hebbian, Oja): scalars, the common case written out
        for q in range(m):
            rq = inv_s[q, 0, 0] * r[nb + q]
            rho[q, 0] = rq
            rb[row[q]] += jv[q] * rq
        return 0
    for i in range(n):
        for a in range(kn):
            acc = 0.0
            for c in range(kn):
                acc += inv_n[i, a, c] * r[zn0 + c * n + i]
            rhs_n[i, a] = acc
    v = np.empty(gs)
    for q in range(m):
        off = m + q * gs * wid_s
        for a in range(gs):
            acc = r[nb + a * m + q]
            for j in range(kn):
                i = pre[q] if sides[j] == 1 else post[q]
                acc += jv[off + a * wid_s + gs + j] * rhs_n[i, j]
            v[a] = acc
        for a in range(gs):
            acc = 0.0
            for c in range(gs):
                acc += inv_s[q, a, c] * v[c]
            rho[q, a] = acc
        rb[row[q]] += jv[q] * rho[q, 0]  # + B (fac - D)^-1 r_z
    return 0


@kernel
def elimination_back(p, E, ew, out):
    """The base solution ``ew.xb`` into ``out[:n_base]`` and ``k_z = (fac - D)^-1 (r_z + C k_x)`` after it."""
    nb, m, n, gs, kn = p.n_base, p.syn.shape[0], p.n, 1 + p.ks, p.kn
    xb, x_s, rho, rhs_n, g_n = ew.xb, ew.x_s, ew.rho, ew.rhs_n, ew.g_n  # hoisted: see setup
    slots, neuron_cols = E.slots, E.neuron_cols
    for i in range(nb):
        out[i] = xb[i]
    if gs == 1 and kn == 0:  # weights only: see elimination_rhs
        for q in range(m):
            out[nb + q] = (rho[q, 0] + x_s[q, 0, 0] * xb[slots[q, 0]] + x_s[q, 0, 1] * xb[slots[q, 1]]
                           + x_s[q, 0, 2] * xb[slots[q, 2]] + x_s[q, 0, 3] * xb[slots[q, 3]])
        return 0
    for q in range(m):
        x0 = xb[slots[q, 0]]
        x1 = xb[slots[q, 1]]
        x2 = xb[slots[q, 2]]
        x3 = xb[slots[q, 3]]
        for a in range(gs):
            out[nb + a * m + q] = (rho[q, a] + x_s[q, a, 0] * x0 + x_s[q, a, 1] * x1 + x_s[q, a, 2] * x2
                                   + x_s[q, a, 3] * x3)
    zn0 = nb + gs * m
    for i in range(n):
        xa = xb[neuron_cols[i, 0]]
        xp = xb[neuron_cols[i, 1]]
        for j in range(kn):
            out[zn0 + j * n + i] = rhs_n[i, j] + g_n[i, j, 0] * xa + g_n[i, j, 1] * xp
    return 0


# -- graded base: the graded network's reduced system ------------------------------------------
class PlasticGradedLinear(NamedTuple):
    """The graded network's linear structure plus the elimination of the plastic block."""

    graded: GradedLinear
    elim: PlasticElimination


class PlasticGradedWork(NamedTuple):
    base: tuple  # GradedLinearWork
    ew: EliminationWork
    self_s: np.ndarray  # (n,) coefficient of r_s,i in the reduced right-hand side of neuron i


@implements(linear_workspace, PlasticGradedLinear)
@kernel
def plastic_graded_workspace(L, p, n_y):
    return PlasticGradedWork(graded_linear_workspace(L.graded, p.base, p.n_base), elimination_workspace(L.elim, p),
                             np.zeros(p.n))


@implements(linear_setup, PlasticGradedLinear)
@kernel
def plastic_graded_setup(L, p, lw, t, y, u, fac):
    bp = p.base
    bw = lw.base
    nb = p.n_base
    _copy_weights(p, y)
    bw.vals[:] = 0.0
    graded_schur_assemble(bp, y[:nb], fac, bw.ratio, bw.inv_d2, L.graded.diag_pos, L.graded.gap_pos,
                          L.graded.syn_pos, bw.vals)
    graded_coupling(bp, y[:nb], bw.ratio, bw.inv_d2, bw.e_vals, bw.r_vals)
    bw.theta[0] = 1.0
    ew = lw.ew
    if not elimination_setup(p, ew, t, y, u, fac):
        return 1
    # The corrections fall on (V_post, s_pre), (V_post, V_pre), (V_post, s_post), (V_post, V_post).
    # An entry (V_i, s_j) of M before s is eliminated (see graded_schur_assemble) becomes
    # x * ratio_j at (V_i, V_j) and x / D2_j on the right-hand side (r_vals per synapse, or
    # self_s for j = i). Plain arrays, written out in the loop: nested work tuples or helper
    # calls per synapse cost reference counting that was 25x the rest of this set-up.
    direct, diag_pos, syn_pos = L.graded.direct, L.graded.diag_pos, L.graded.syn_pos
    vals, e_vals, r_vals, ratio, inv_d2 = bw.vals, bw.e_vals, bw.r_vals, bw.ratio, bw.inv_d2
    self_s, jv, x_s, syn, post, pre = lw.self_s, ew.jv, ew.x_s, p.syn, p.post, p.pre
    self_s[:] = 0.0
    for q in range(syn.shape[0]):
        k, i, j = syn[q], post[q], pre[q]
        bq = jv[q]
        x_sj, x_vj = -bq * x_s[q, 0, 0], -bq * x_s[q, 0, 1]
        x_si, x_vi = -bq * x_s[q, 0, 2], -bq * x_s[q, 0, 3]
        vals[diag_pos[i]] += x_si * ratio[i] + x_vi  # (V_post, s_post) and (V_post, V_post)
        self_s[i] += x_si * inv_d2[i]
        if j == i:  # an autapse: its pre entries are the diagonal too
            vals[diag_pos[i]] += x_sj * ratio[i] + x_vj
            self_s[i] += x_sj * inv_d2[i]
        else:
            e = x_sj * ratio[j] + x_vj
            e_vals[k] += e
            if direct:
                vals[syn_pos[k]] += e
            r_vals[k] += x_sj * inv_d2[j]
    return 0 if lu_factor(L.graded.lu, bw.vals, bw.xrow, bw.dense, 0.0) < 0 else 1


@implements(linear_solve, PlasticGradedLinear)
@kernel
def plastic_graded_solve(L, p, lw, r, out, inv_scale, lin_tol):
    ew = lw.ew
    n = p.n
    elimination_rhs(p, ew, r)
    for i in range(n):
        ew.rb[i] -= lw.self_s[i] * r[n + i]
    its = graded_linear_solve(L.graded, p.base, lw.base, ew.rb, ew.xb, inv_scale, lin_tol)
    if its < 0:
        return its
    elimination_back(p, L.elim, ew, out)
    return its


# -- any base model with a Jacobian pattern: a sparse LU of the reduced system --------------------
class PlasticLULinear(NamedTuple):
    """Sparse LU of the reduced base system: the base pattern plus the correction entries."""

    lu: SparseLU
    diag_pos: np.ndarray  # int64 (n_base,)
    entry_pos: np.ndarray  # int64 (n_jac_base,) position of each base Jacobian entry
    extra_pos: np.ndarray  # int64 (m, 4) position of each correction entry (row[q], slots[q, s])
    pivot_tol: float
    elim: PlasticElimination


class PlasticLUWork(NamedTuple):
    jv: np.ndarray  # (n_jac_base,)
    vals: np.ndarray  # (nnz,)
    xrow: np.ndarray
    dense: np.ndarray
    tmp: np.ndarray
    ew: EliminationWork


@implements(linear_workspace, PlasticLULinear)
@kernel
def plastic_lu_workspace(L, p, n_y):
    nb = p.n_base
    k = nb - L.lu.dense_from
    return PlasticLUWork(np.zeros(L.entry_pos.shape[0]), np.zeros(L.lu.cols.shape[0]), np.zeros(nb),
                         np.zeros((k, k)), np.zeros(nb), elimination_workspace(L.elim, p))


@implements(linear_setup, PlasticLULinear)
@kernel
def plastic_lu_setup(L, p, lw, t, y, u, fac):
    nb = p.n_base
    _copy_weights(p, y)
    lw.vals[:] = 0.0
    jac_values(p.base, t, y[:nb], u, lw.jv)
    for i in range(L.diag_pos.shape[0]):  # as the non-plastic model's solve (.jacobian), then the corrections
        lw.vals[L.diag_pos[i]] += fac
    for k in range(L.entry_pos.shape[0]):
        lw.vals[L.entry_pos[k]] -= lw.jv[k]
    ew = lw.ew
    if not elimination_setup(p, ew, t, y, u, fac):
        return 1
    for q in range(p.syn.shape[0]):
        bq = ew.jv[q]
        for s in range(4):
            lw.vals[L.extra_pos[q, s]] -= bq * ew.x_s[q, 0, s]
    return 0 if lu_factor(L.lu, lw.vals, lw.xrow, lw.dense, L.pivot_tol) < 0 else 1


@implements(linear_solve, PlasticLULinear)
@kernel
def plastic_lu_solve(L, p, lw, r, out, inv_scale, lin_tol):
    ew = lw.ew
    elimination_rhs(p, ew, r)
    lu_solve(L.lu, lw.vals, ew.rb, ew.xb, lw.tmp)
    elimination_back(p, L.elim, ew, out)
    return 0
