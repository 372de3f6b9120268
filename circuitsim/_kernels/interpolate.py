"""Continuous extension (dense output) of every solver, in one representation.

Each step ``[t0, t0 + h]`` stores ``K >= 2`` rows per recorded variable,
``y0, y1, d_0, ..., d_{K-3}``, and the state at fraction ``theta`` of the step is::

    y(theta) = (1 - theta) y0 + theta y1 + theta (1 - theta) (d_0 + theta (d_1 + theta (...)))

Every polynomial continuous extension of a one-step method can be written this way
(it passes through ``y0`` and ``y1``, so the bracket is divisible by
``theta (1 - theta)``); solvers compute their ``d`` rows from their stages (cubic
Hermite for RK4, the Dormand-Prince and Tsitouras extensions, the Rosenbrock
extensions of Hairer & Wanner and of Steinebach). The end points are reproduced
exactly (``theta = 0`` gives ``y0``, ``theta = 1`` gives ``y1``), and one evaluator
serves every solver.
"""

from __future__ import annotations

from ._cache import kernel
from .inputs import bracket

__all__ = ["dense_point", "find_step", "evaluate_dense"]


@kernel(inline="always")
def dense_point(th, rows, c):
    """Value of column `c` of the step rows `rows` (K, n_rec) at fraction `th`."""
    K = rows.shape[0]
    acc = 0.0
    for q in range(K - 1, 1, -1):
        acc = rows[q, c] + th * acc
    return (1.0 - th) * rows[0, c] + th * rows[1, c] + th * (1.0 - th) * acc


@kernel
def find_step(node_t, n_steps, t):
    """Index ``i`` with ``node_t[i] <= t <= node_t[i+1]`` (the caller checks the span)."""
    if t >= node_t[n_steps]:
        return n_steps - 1
    return bracket(node_t, 0, n_steps, t)


@kernel
def evaluate_dense(node_t, coeffs, n_steps, tq, out):
    """Evaluate stored steps at times `tq` (q,) into `out` (q, n_rec).

    Parameters
    ----------
    node_t : float64 (S + 1,)
        Step boundaries.
    coeffs : float64 (S, K, n_rec)
        Rows of each step (module docstring).
    n_steps : int
    tq : float64 (q,)
        Times inside ``[node_t[0], node_t[n_steps]]`` (checked by the caller).
    out : float64 (q, n_rec)
    """
    n_rec = coeffs.shape[2]
    for j in range(tq.shape[0]):
        i = find_step(node_t, n_steps, tq[j])
        h = node_t[i + 1] - node_t[i]
        th = (tq[j] - node_t[i]) / h if h > 0.0 else 0.0
        rows = coeffs[i]
        for c in range(n_rec):
            out[j, c] = dense_point(th, rows, c)
    return 0
