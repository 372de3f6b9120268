"""Explicit Runge-Kutta step driven by a Butcher tableau (data, not code).

One implementation serves every explicit method (Euler, RK4, Bogacki-Shampine 3(2),
Dormand-Prince 5(4), Tsitouras 5(4), and methods users define): the tableau
``(c, A, b)``, the error weights ``e = b - b_hat`` and the matrix ``Q`` of the dense
output (see :mod:`.interpolate`) are arrays in :class:`ExplicitConfig`, built and
checked in :mod:`circuitsim.solvers.tableaus`.

Stage vectors ``k`` have ``s + 1`` rows: the ``s`` stages and ``f(t + h, y_new)``,
which the dense output uses and the next step starts from (first same as last:
for methods whose last stage is that value it is copied, not evaluated again).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .buffers import StepControl
from .dispatch import implements, rhs
from .inputs import input_at
from .loop import STEP_OK, attempt, begin_segment, complete_step, workspace


class ExplicitConfig(NamedTuple):
    """Kernel configuration of an explicit Runge-Kutta method with ``s`` stages."""

    ctl: StepControl
    n_rows: int  # rows of dense output per step (2 + Q.shape[0])
    c: np.ndarray  # float64 (s,) nodes
    A: np.ndarray  # float64 (s, s) strictly lower triangular
    b: np.ndarray  # float64 (s,) weights of the solution
    e: np.ndarray  # float64 (s,) weights of the error estimate (b - b_hat); zeros without one
    Q: np.ndarray  # float64 (K - 2, s + 1) dense rows from [h k_1 .. h k_s, h f(t + h, y_new)]
    fsal: bool  # the last stage is f(t + h, y_new)


class ExplicitWork(NamedTuple):
    k: np.ndarray  # (s + 1, n)
    ynew: np.ndarray  # (n,)
    err: np.ndarray  # (n,)
    acc: np.ndarray  # (n,)
    u: np.ndarray  # (n_in,)
    counts: np.ndarray  # int64 (3,)


@implements(workspace, ExplicitConfig)
@kernel
def explicit_workspace(S, p, tab, n_y):
    s = S.c.shape[0]
    return ExplicitWork(np.zeros((s + 1, n_y)), np.zeros(n_y), np.zeros(n_y), np.zeros(n_y),
                        np.zeros(tab.values.shape[1]), np.zeros(3, np.int64))


@implements(begin_segment, ExplicitConfig)
@kernel
def explicit_begin(S, p, tab, seg, t, y, ws):
    input_at(tab, seg, t, ws.u)
    rhs(p, t, y, ws.u, ws.k[0])
    ws.counts[0] += 1
    return 0


@kernel
def _combine(coef, k, n_terms, h, base, out):
    """``out = base + h * sum_j coef[j] k[j]`` over the first `n_terms` rows (contiguous passes)."""
    n = out.shape[0]
    for i in range(n):
        out[i] = 0.0
    for j in range(n_terms):
        a = coef[j]
        if a != 0.0:
            kj = k[j]
            for i in range(n):
                out[i] += a * kj[i]
    for i in range(n):
        out[i] = base[i] + h * out[i]


@implements(attempt, ExplicitConfig)
@kernel
def explicit_attempt(S, p, tab, seg, t, h, y, ws):
    s = S.c.shape[0]
    k = ws.k
    for i in range(1, s):
        _combine(S.A[i], k, i, h, y, ws.acc)
        ti = t + S.c[i] * h
        input_at(tab, seg, ti, ws.u)
        rhs(p, ti, ws.acc, ws.u, k[i])
    ws.counts[0] += s - 1
    _combine(S.b, k, s, h, y, ws.ynew)
    n = y.shape[0]
    for i in range(n):
        ws.err[i] = 0.0
    for j in range(s):
        a = S.e[j]
        if a != 0.0:
            kj = k[j]
            for i in range(n):
                ws.err[i] += a * kj[i]
    for i in range(n):
        ws.err[i] *= h
    return STEP_OK


@implements(complete_step, ExplicitConfig)
@kernel
def explicit_complete(S, p, tab, seg, t, h, y, ws, rec_idx, rows, need_rows):
    s = S.c.shape[0]
    k = ws.k
    n = y.shape[0]
    if S.fsal:
        for i in range(n):
            k[s, i] = k[s - 1, i]
    else:
        input_at(tab, seg, t + h, ws.u)
        rhs(p, t + h, ws.ynew, ws.u, k[s])
        ws.counts[0] += 1
    if need_rows:
        m = S.Q.shape[0]
        for c in range(rec_idx.shape[0]):
            r = rec_idx[c]
            rows[0, c] = y[r]
            rows[1, c] = ws.ynew[r]
            for q in range(m):
                acc = 0.0
                for j in range(s + 1):
                    acc += S.Q[q, j] * k[j, r]
                rows[2 + q, c] = h * acc
    for i in range(n):
        k[0, i] = k[s, i]
    return 0
