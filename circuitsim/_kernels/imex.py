"""Implicit-explicit step (IMEX ARS(2,2,2)) with conjugate-gradient solves of the leak + gap-junction part.

The model splits its vector field as ``f(t, y) = -M^-1 K y + N(t, y)`` with ``M`` a
positive diagonal (capacitances) and ``K`` symmetric positive semi-definite (leak
conductances plus the gap-junction graph Laplacian, a symmetric M-matrix). The linear
part ``A = -M^-1 K`` is taken implicitly, ``N`` (chemical synapses, the rest)
explicitly, with the L-stable, stiffly accurate second-order scheme of Ascher, Ruuth
& Spiteri (1997), Appl. Numer. Math. 25:151, "(2,2,2)"; ``gamma = 1 - 1/sqrt(2)``,
``delta = 1 - 1/(2 gamma)``::

    (M + h gamma K) Y2 = M (y + h gamma N1)                             N1 = N(t, y)
    (M + h gamma K) Y3 = M (y + h (delta N1 + (1 - delta) N2)) - h (1 - gamma) K Y2
                                                                    N2 = N(t + gamma h, Y2)
    y_new = Y3

Both systems have the matrix ``M + h gamma K``, symmetric positive definite, solved
by conjugate gradients preconditioned by its diagonal (Jacobi), started from the
explicit predictor, in ``O(n + gap junctions)`` per iteration and no fill. CG stops
when the preconditioned residual (about the error of the solution) is below
``lin_tol`` times the step's error tolerance of every entry; if it does not within
``max_iterations`` the step is retried with half the size.

Error estimate: the difference to the first-order IMEX Euler combination of the same
stages, ``h (1 - delta)(N2 - N1) + h (1 - gamma) A (Y2 - Y3)``, filtered by one more
solve with ``M + h gamma K`` (Shampine's filter; without it, stiff components away
from their quasi-equilibrium would report errors of the size of that distance at any
step). Two right-hand sides per step (``f(t + h, y_new)`` is the next step's
``N1``) and two (adaptive: three) CG solves; dense output: cubic Hermite.

Model hooks, dispatched on the kernel-parameter type:

``imex_mass(p, m)``
    write the diagonal of ``M`` (n_state,), positive;
``imex_stiffness(p, x, out)``
    ``out = K x`` (n_state,);
``imex_stiffness_diagonal(p, d)``
    the diagonal of ``K``.

Graded network: ``M = [C, 1]``, ``K = [[diag(Gc) + L_gap, 0], [0, 0]]`` (the synaptic
activations fully explicit). CTRNN: ``M = tau``, ``K = I``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .buffers import StepControl
from .ctrnn import CTRNNKernelParams
from .dispatch import hook, implements, rhs
from .graded import GradedKernelParams
from .inputs import input_at
from .loop import STEP_OK, STEP_RETRY, attempt, begin_segment, complete_step, workspace

__all__ = ["imex_mass", "imex_stiffness", "imex_stiffness_diagonal", "IMEXConfig", "ARS_GAMMA", "ARS_DELTA",
           "cg_solve"]

ARS_GAMMA = 1.0 - 1.0 / math.sqrt(2.0)
ARS_DELTA = 1.0 - 1.0 / (2.0 * ARS_GAMMA)


@hook
def imex_mass(p, m):
    """Write the positive diagonal ``M`` (n_state,) of the implicit part."""


@hook
def imex_stiffness(p, x, out):
    """``out = K x``: the symmetric positive semi-definite implicit part."""


@hook
def imex_stiffness_diagonal(p, d):
    """Write the diagonal of ``K``."""


class IMEXConfig(NamedTuple):
    """Kernel configuration of the IMEX ARS(2,2,2) step."""

    ctl: StepControl
    n_rows: int  # 4: y0, y1 and two Hermite rows
    lin_tol: float  # CG stops at this fraction of the error tolerance
    max_iterations: int  # CG iterations per solve before the step is retried


class IMEXWork(NamedTuple):
    m: np.ndarray  # (n,) diagonal of M
    kd: np.ndarray  # (n,) diagonal of K
    pinv: np.ndarray  # (n,) Jacobi preconditioner 1 / (m + c kd) of the current step
    inv_scale: np.ndarray  # (n,) 1 / (atol + rtol |y|) at the step's start
    f0: np.ndarray  # (n,) f(t, y)
    n1: np.ndarray  # (n,) N(t, y)
    n2: np.ndarray  # (n,) N(t + gamma h, Y2)
    y2: np.ndarray  # (n,) Y2
    ky: np.ndarray  # (n,) K times a stage
    b: np.ndarray  # (n,) right-hand side of a solve
    r: np.ndarray  # (n,) CG residual
    z: np.ndarray  # (n,) preconditioned residual
    d: np.ndarray  # (n,) CG direction
    q: np.ndarray  # (n,) (M + c K) d
    ynew: np.ndarray
    err: np.ndarray
    fnew: np.ndarray  # (n,) f(t + h, y_new)
    u: np.ndarray  # (n_in,)
    counts: np.ndarray  # int64 (3,)
    fixed: np.ndarray  # bool (1,): fixed steps (no error estimate needed)


@kernel
def _apply(p, m, c, x, out):
    """``out = (M + c K) x``."""
    imex_stiffness(p, x, out)
    for i in range(x.shape[0]):
        out[i] = m[i] * x[i] + c * out[i]


@kernel
def cg_solve(p, m, c, pinv, b, x, r, z, d, q, inv_scale, tol, max_it):
    """Solve ``(M + c K) x = b`` by Jacobi-preconditioned conjugate gradients, from the guess in `x`.

    Stops when ``max_i |pinv_i r_i| inv_scale_i <= tol`` (the preconditioned residual
    estimates the error of `x` entry by entry). Returns the number of iterations, or
    -1 if `max_it` iterations did not reach it (or the iteration broke down).
    """
    n = b.shape[0]
    _apply(p, m, c, x, q)
    rz = 0.0
    worst = 0.0
    for i in range(n):
        r[i] = b[i] - q[i]
        z[i] = pinv[i] * r[i]
        d[i] = z[i]
        rz += r[i] * z[i]
        worst = max(worst, abs(z[i]) * inv_scale[i])
    its = 0
    while worst > tol:
        if its >= max_it or not (rz > 0.0) or not np.isfinite(rz):
            return -1
        _apply(p, m, c, d, q)
        dq = 0.0
        for i in range(n):
            dq += d[i] * q[i]
        if not (dq > 0.0):
            return -1
        alpha = rz / dq
        rz_new = 0.0
        worst = 0.0
        for i in range(n):
            x[i] += alpha * d[i]
            r[i] -= alpha * q[i]
            z[i] = pinv[i] * r[i]
            rz_new += r[i] * z[i]
            worst = max(worst, abs(z[i]) * inv_scale[i])
        beta = rz_new / rz
        rz = rz_new
        for i in range(n):
            d[i] = z[i] + beta * d[i]
        its += 1
    return its


@kernel
def _nonlinear(p, m, f, kx, out):
    """``N = f + M^-1 K x`` from ``f(t, x)`` and ``K x``."""
    for i in range(f.shape[0]):
        out[i] = f[i] + kx[i] / m[i]


@implements(workspace, IMEXConfig)
@kernel
def imex_workspace(S, p, tab, n_y):
    z = np.zeros
    ws = IMEXWork(z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(n_y),
                  z(n_y), z(n_y), z(n_y), z(n_y), z(n_y), z(tab.values.shape[1]), np.zeros(3, np.int64),
                  np.zeros(1, np.bool_))
    imex_mass(p, ws.m)
    imex_stiffness_diagonal(p, ws.kd)
    ws.fixed[0] = S.ctl.fixed_dt > 0.0
    return ws


@implements(begin_segment, IMEXConfig)
@kernel
def imex_begin(S, p, tab, seg, t, y, ws):
    input_at(tab, seg, t, ws.u)
    rhs(p, t, y, ws.u, ws.f0)
    ws.counts[0] += 1
    return 0


@implements(attempt, IMEXConfig)
@kernel
def imex_attempt(S, p, tab, seg, t, h, y, ws):
    n = y.shape[0]
    g = ARS_GAMMA
    dl = ARS_DELTA
    c = h * g
    rtol = S.ctl.rtol
    atol = S.ctl.atol
    for i in range(n):
        ws.pinv[i] = 1.0 / (ws.m[i] + c * ws.kd[i])
        ws.inv_scale[i] = 1.0 / (atol[i] + rtol[i] * abs(y[i]))
    imex_stiffness(p, y, ws.ky)
    _nonlinear(p, ws.m, ws.f0, ws.ky, ws.n1)
    # stage 2 at t + gamma h
    for i in range(n):
        ws.y2[i] = y[i] + c * ws.n1[i]             # explicit predictor, CG's first guess
        ws.b[i] = ws.m[i] * ws.y2[i]
    its = cg_solve(p, ws.m, c, ws.pinv, ws.b, ws.y2, ws.r, ws.z, ws.d, ws.q, ws.inv_scale, S.lin_tol,
                   S.max_iterations)
    if its < 0:
        return STEP_RETRY
    ws.counts[1] += its
    input_at(tab, seg, t + c, ws.u)
    rhs(p, t + c, ws.y2, ws.u, ws.fnew)
    ws.counts[0] += 1
    imex_stiffness(p, ws.y2, ws.ky)
    _nonlinear(p, ws.m, ws.fnew, ws.ky, ws.n2)
    # stage 3 at t + h: y_new
    for i in range(n):
        expl = y[i] + h * (dl * ws.n1[i] + (1.0 - dl) * ws.n2[i])
        ws.b[i] = ws.m[i] * expl - h * (1.0 - g) * ws.ky[i]
        ws.ynew[i] = expl - h * (1.0 - g) * ws.ky[i] / ws.m[i]
    its = cg_solve(p, ws.m, c, ws.pinv, ws.b, ws.ynew, ws.r, ws.z, ws.d, ws.q, ws.inv_scale, S.lin_tol,
                   S.max_iterations)
    if its < 0:
        return STEP_RETRY
    ws.counts[1] += its
    if ws.fixed[0]:
        for i in range(n):
            ws.err[i] = 0.0
        return STEP_OK
    # error: h (1 - delta)(N2 - N1) - h (1 - gamma) M^-1 K (Y2 - Y3), filtered by (M + c K)^-1 M
    for i in range(n):
        ws.q[i] = ws.y2[i] - ws.ynew[i]
    imex_stiffness(p, ws.q, ws.ky)
    for i in range(n):
        e = h * (1.0 - dl) * (ws.n2[i] - ws.n1[i]) - h * (1.0 - g) * ws.ky[i] / ws.m[i]
        ws.b[i] = ws.m[i] * e
        ws.err[i] = ws.pinv[i] * ws.b[i]
    its = cg_solve(p, ws.m, c, ws.pinv, ws.b, ws.err, ws.r, ws.z, ws.d, ws.q, ws.inv_scale, 0.1,
                   S.max_iterations)  # the estimate needs only a digit
    if its < 0:
        return STEP_RETRY
    ws.counts[1] += its
    return STEP_OK


@implements(complete_step, IMEXConfig)
@kernel
def imex_complete(S, p, tab, seg, t, h, y, ws, rec_idx, rows, need_rows):
    input_at(tab, seg, t + h, ws.u)
    rhs(p, t + h, ws.ynew, ws.u, ws.fnew)
    ws.counts[0] += 1
    if need_rows:
        for c in range(rec_idx.shape[0]):
            r = rec_idx[c]
            delta = ws.ynew[r] - y[r]
            rows[0, c] = y[r]
            rows[1, c] = ws.ynew[r]
            rows[2, c] = h * ws.f0[r] - delta
            rows[3, c] = 2.0 * delta - h * ws.f0[r] - h * ws.fnew[r]
    for i in range(y.shape[0]):
        ws.f0[i] = ws.fnew[i]
    return 0


# -- the models' implicit parts ------------------------------------------------------------------
@implements(imex_mass, GradedKernelParams)
@kernel
def graded_imex_mass(p, m):
    n = p.C.shape[0]
    for i in range(n):
        m[i] = p.C[i]
        m[n + i] = 1.0


@implements(imex_stiffness, GradedKernelParams)
@kernel
def graded_imex_stiffness(p, x, out):
    """Leak + gap-junction Laplacian on V (pA per mV of `x`); zero on s."""
    n = p.C.shape[0]
    for i in range(n):
        xi = x[i]
        acc = p.Gc[i] * xi
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            acc += p.g_gap[k] * (xi - x[p.gap_index[k]])
        out[i] = acc
        out[n + i] = 0.0


@implements(imex_stiffness_diagonal, GradedKernelParams)
@kernel
def graded_imex_stiffness_diagonal(p, d):
    n = p.C.shape[0]
    for i in range(n):
        acc = p.Gc[i]
        for k in range(p.gap_indptr[i], p.gap_indptr[i + 1]):
            acc += p.g_gap[k]
        d[i] = acc
        d[n + i] = 0.0


@implements(imex_mass, CTRNNKernelParams)
@kernel
def ctrnn_imex_mass(p, m):
    for i in range(p.tau.shape[0]):
        m[i] = p.tau[i]


@implements(imex_stiffness, CTRNNKernelParams)
@kernel
def ctrnn_imex_stiffness(p, x, out):
    for i in range(x.shape[0]):
        out[i] = x[i]


@implements(imex_stiffness_diagonal, CTRNNKernelParams)
@kernel
def ctrnn_imex_stiffness_diagonal(p, d):
    for i in range(d.shape[0]):
        d[i] = 1.0
