"""Continuous extensions (dense output) of the explicit solvers, evaluated in compiled code.

Per-step interpolation data of the recorded variables is stored as ``coeffs[i, :, :]``
(``K`` rows of ``n_rec`` values) for step ``i`` spanning ``[node_t[i], node_t[i+1]]``.

* ``"hermite"`` (Euler, RK4; K = 4): rows ``y0, y1, f0, f1`` -> cubic Hermite interpolant.
* ``"dopri5"`` (K = 5): rows ``r1..r5`` of the Dormand-Prince continuous extension of
  order 4 (Hairer, Norsett & Wanner, *Solving ODEs I*, 2nd ed., sec. II.6; code DOPRI5):
  ``y(t0 + s h) = r1 + s (r2 + (1-s) (r3 + s (r4 + (1-s) r5)))``.
"""

from __future__ import annotations

from . import _cache  # noqa: F401  (cache invalidation across kernel files)

from numba import njit

from .inputs import bracket

__all__ = ["hermite_point", "dopri5_point", "find_step", "evaluate_hermite", "evaluate_dopri5"]


@njit(cache=True, inline="always")
def hermite_point(h, s, y0, y1, f0, f1):
    """Cubic Hermite value at fraction `s` of a step of length `h` (scalars)."""
    s2 = s * s
    s3 = s2 * s
    return ((2 * s3 - 3 * s2 + 1) * y0 + (s3 - 2 * s2 + s) * h * f0
            + (-2 * s3 + 3 * s2) * y1 + (s3 - s2) * h * f1)


@njit(cache=True, inline="always")
def dopri5_point(s, r1, r2, r3, r4, r5):
    """Dormand-Prince continuous extension at fraction `s` (scalars)."""
    s1 = 1.0 - s
    return r1 + s * (r2 + s1 * (r3 + s * (r4 + s1 * r5)))


@njit(cache=True)
def find_step(node_t, n_steps, t):
    """Index ``i`` with ``node_t[i] <= t <= node_t[i+1]`` (the caller checks the span)."""
    if t >= node_t[n_steps]:
        return n_steps - 1
    return bracket(node_t, 0, n_steps, t)


@njit(cache=True)
def evaluate_hermite(node_t, coeffs, n_steps, tq, out):
    """Evaluate the stored Hermite interpolant at times `tq` (q,) into `out` (q, n_rec)."""
    n_rec = coeffs.shape[2]
    for j in range(tq.shape[0]):
        i = find_step(node_t, n_steps, tq[j])
        h = node_t[i + 1] - node_t[i]
        s = (tq[j] - node_t[i]) / h
        for c in range(n_rec):
            out[j, c] = hermite_point(h, s, coeffs[i, 0, c], coeffs[i, 1, c], coeffs[i, 2, c], coeffs[i, 3, c])


@njit(cache=True)
def evaluate_dopri5(node_t, coeffs, n_steps, tq, out):
    """Evaluate the stored Dormand-Prince interpolant at times `tq` (q,) into `out` (q, n_rec)."""
    n_rec = coeffs.shape[2]
    for j in range(tq.shape[0]):
        i = find_step(node_t, n_steps, tq[j])
        h = node_t[i + 1] - node_t[i]
        s = (tq[j] - node_t[i]) / h
        for c in range(n_rec):
            out[j, c] = dopri5_point(s, coeffs[i, 0, c], coeffs[i, 1, c], coeffs[i, 2, c], coeffs[i, 3, c],
                                     coeffs[i, 4, c])


# Python-side registry: dense-output kind -> (rows per step, compiled evaluator).
# Other solvers register their own kind with `register_dense`.
DENSE_KINDS: dict = {}


def register_dense(kind: str, k_rows: int, evaluator) -> None:
    """Register a dense-output representation.

    Parameters
    ----------
    kind : str
        Name stored in results (``"hermite"``, ``"dopri5"``...).
    k_rows : int
        Rows of interpolation data per step (``K``).
    evaluator : numba dispatcher
        ``evaluator(node_t (S+1,), coeffs (S, K, n_rec), n_steps, tq (q,), out (q, n_rec))``.
    """
    DENSE_KINDS[kind] = (k_rows, evaluator)


register_dense("hermite", 4, evaluate_hermite)
register_dense("dopri5", 5, evaluate_dopri5)
