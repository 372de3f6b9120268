"""Rosenbrock (linearly implicit) step driven by a tableau, with the linear algebra from the model.

A Rosenbrock method with ``s`` stages solves, in every step, ``s`` linear systems
with the matrix ``M = I / (h gamma) - J`` (``J`` the exact Jacobian, so the method
keeps its order)::

    M k_i = f(t + alpha_i h, y + sum_j A_ij k_j) + sum_j (C_ij / h) k_j + h gamma_i df/dt
    y_new = y + sum_j b_j k_j,        error estimate  sum_j e_j k_j

(Hairer & Wanner, *Solving ODEs II*, IV.7, in the form of their code RODAS). The
tableau is data (:mod:`circuitsim.solvers.rosenbrock`). How ``M`` is assembled,
factorised and solved is the model's business, through hooks dispatched on the type
of the *linear structure* ``S.L`` it built in Python:

``linear_workspace(L, p, n_y)``
    work arrays (a NamedTuple);
``linear_setup(L, p, lw, t, y, u, fac)``
    assemble and factorise ``M`` with ``fac = 1 / (h gamma)``; 0, or 1 if singular;
``linear_solve(L, p, lw, r, out, inv_scale, lin_tol)``
    solve ``M out = r``; returns the number of inner iterations (0 for a direct
    solve) or -1 if an iterative solve failed. ``inv_scale`` (n_y,) is
    ``1 / (atol + rtol |y|)`` at the step's start, for iterative solves that stop
    at a fraction ``lin_tol`` of the error tolerance.

The graded network eliminates its synaptic variables and iterates on the coupling
(:mod:`.graded_linear`); other models give their Jacobian's values on a sparsity
pattern and get a sparse LU (:mod:`.jacobian`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .buffers import StepControl
from .dispatch import hook, implements, rhs
from .inputs import input_at, input_slope
from .loop import STEP_OK, STEP_RETRY, STEP_SINGULAR, attempt, begin_segment, complete_step, workspace


@hook
def linear_workspace(L, p, n_y):
    """Work arrays of the linear solves (see the module docstring)."""


@hook
def linear_setup(L, p, lw, t, y, u, fac):
    """Assemble and factorise ``I / (h gamma) - J``; 0 or 1 (singular)."""


@hook
def linear_solve(L, p, lw, r, out, inv_scale, lin_tol):
    """Solve with the factorised matrix; iterations or -1."""


class RosenbrockConfig(NamedTuple):
    """Kernel configuration of a Rosenbrock method with ``s`` stages."""

    ctl: StepControl
    n_rows: int  # 2 + H.shape[0]
    gamma: float
    alpha: np.ndarray  # (s,) stage times
    gam: np.ndarray  # (s,) gamma_i: weights of df/dt
    A: np.ndarray  # (s, s) stage states
    C: np.ndarray  # (s, s) stage couplings (divided by h)
    b: np.ndarray  # (s,) solution weights
    e: np.ndarray  # (s,) error weights
    H: np.ndarray  # (K - 2, s) dense rows from the stages
    lin_tol: float
    L: tuple  # the model's linear structure (a NamedTuple; its type selects the linear hooks)


class RosenbrockWork(NamedTuple):
    k: np.ndarray  # (s, n)
    ynew: np.ndarray
    err: np.ndarray
    ystage: np.ndarray
    dy: np.ndarray
    fx: np.ndarray  # df/dt
    r: np.ndarray
    inv_scale: np.ndarray
    u: np.ndarray  # (n_in,)
    du: np.ndarray  # (n_in,)
    counts: np.ndarray  # int64 (3,)
    lw: tuple


@implements(workspace, RosenbrockConfig)
@kernel
def rosenbrock_workspace(S, p, tab, n_y):
    s = S.alpha.shape[0]
    n_in = tab.values.shape[1]
    return RosenbrockWork(np.zeros((s, n_y)), np.zeros(n_y), np.zeros(n_y), np.zeros(n_y), np.zeros(n_y),
                          np.zeros(n_y), np.zeros(n_y), np.zeros(n_y), np.zeros(n_in), np.zeros(n_in),
                          np.zeros(3, np.int64), linear_workspace(S.L, p, n_y))


@implements(begin_segment, RosenbrockConfig)
@kernel
def rosenbrock_begin(S, p, tab, seg, t, y, ws):
    return 0


@kernel
def _axpy(a, x, y):
    """``y += a x`` in place (a contiguous, vectorisable pass)."""
    for i in range(y.shape[0]):
        y[i] += a * x[i]


@kernel
def _time_derivative(p, tab, seg, t, y, ws):
    """``df/dt`` through the drive: zero unless the input moves inside this segment.

    Forward difference in the input along its slope; exact for models linear in the
    input (graded, CTRNN), first order otherwise.
    """
    n = y.shape[0]
    if not input_slope(tab, seg, t, ws.du):
        for i in range(n):
            ws.fx[i] = 0.0
        return 0
    umax = 0.0
    dmax = 0.0
    for c in range(ws.u.shape[0]):
        umax = max(umax, abs(ws.u[c]))
        dmax = max(dmax, abs(ws.du[c]))
    delta = 1.0 if dmax == 0.0 else 1e-7 * max(1.0, umax) / dmax
    u2 = ws.u.copy()
    for c in range(u2.shape[0]):
        u2[c] += delta * ws.du[c]
    rhs(p, t, y, u2, ws.r)
    for i in range(n):
        ws.fx[i] = (ws.r[i] - ws.dy[i]) / delta
    return 1


@implements(attempt, RosenbrockConfig)
@kernel
def rosenbrock_attempt(S, p, tab, seg, t, h, y, ws):
    s = S.alpha.shape[0]
    n = y.shape[0]
    k = ws.k
    input_at(tab, seg, t, ws.u)
    rhs(p, t, y, ws.u, ws.dy)
    ws.counts[0] += 1 + _time_derivative(p, tab, seg, t, y, ws)
    ctl = S.ctl
    for i in range(n):
        ws.inv_scale[i] = 1.0 / (ctl.atol[i] + ctl.rtol[i] * abs(y[i]))
    ws.counts[2] += 1
    if linear_setup(S.L, p, ws.lw, t, y, ws.u, 1.0 / (h * S.gamma)) != 0:
        return STEP_SINGULAR
    for st in range(s):
        if st > 0:
            ws.ystage[:] = y
            for q in range(st):
                if S.A[st, q] != 0.0:
                    _axpy(S.A[st, q], k[q], ws.ystage)
            ts = t + S.alpha[st] * h
            input_at(tab, seg, ts, ws.u)
            rhs(p, ts, ws.ystage, ws.u, ws.dy)
            ws.counts[0] += 1
        ws.r[:] = ws.dy
        if S.gam[st] != 0.0:
            _axpy(h * S.gam[st], ws.fx, ws.r)
        for q in range(st):
            if S.C[st, q] != 0.0:
                _axpy(S.C[st, q] / h, k[q], ws.r)
        its = linear_solve(S.L, p, ws.lw, ws.r, k[st], ws.inv_scale, S.lin_tol)
        if its < 0:
            return STEP_RETRY
        ws.counts[1] += its
    ws.ynew[:] = y
    for i in range(n):
        ws.err[i] = 0.0
    for q in range(s):
        if S.b[q] != 0.0:
            _axpy(S.b[q], k[q], ws.ynew)
        if S.e[q] != 0.0:
            _axpy(S.e[q], k[q], ws.err)
    return STEP_OK


@implements(complete_step, RosenbrockConfig)
@kernel
def rosenbrock_complete(S, p, tab, seg, t, h, y, ws, rec_idx, rows, need_rows):
    if need_rows:
        s = S.alpha.shape[0]
        m = S.H.shape[0]
        k = ws.k
        for c in range(rec_idx.shape[0]):
            r = rec_idx[c]
            rows[0, c] = y[r]
            rows[1, c] = ws.ynew[r]
            for q in range(m):
                acc = 0.0
                for j in range(s):
                    acc += S.H[q, j] * k[j, r]
                rows[2 + q, c] = acc
    return 0
