"""Numeric sparse LU without pivoting on a precomputed fill pattern.

The symbolic work (fill-reducing order, fill pattern, a dense trailing block) is done
once per sparsity pattern in Python (:mod:`circuitsim.solvers.sparse_lu`); every step
of a stiff solver assembles values into that pattern and factorises them here.

No pivoting is done, so the caller uses it on matrices for which that is stable
(diagonally dominant, or ``C^-1`` times symmetric positive definite, as the shifted
Jacobians ``I / (h gamma) - J`` of the shipped models are for small enough ``h``);
a pivot that is zero, non-finite, or tiny next to its row's original diagonal is
reported, and the solver retries with a smaller step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel

__all__ = ["SparseLU", "lu_factor", "lu_solve"]


class SparseLU(NamedTuple):
    """Symbolic structure of a factor (permuted CSR including fill).

    Row ``r`` holds columns ``cols[indptr[r]:indptr[r+1]]`` (sorted); ``diag[r]`` is
    the position of ``(r, r)``; ``perm[r]`` is the original index at permuted
    position ``r``. Rows ``r >= dense_from`` store every column ``>= dense_from``
    (the last ``n - dense_from`` entries of the row, in column order), so the
    trailing block is eliminated with contiguous dense loops.
    """

    perm: np.ndarray  # int64 (n,)
    indptr: np.ndarray  # int64 (n + 1,)
    cols: np.ndarray  # int64 (nnz,)
    diag: np.ndarray  # int64 (n,)
    dense_from: int


@kernel
def _dense_row(dense, di, i, m):
    """Eliminate columns ``< i`` of dense row `di` (m,) against factored rows ``dense[:i]``.

    Four pivot rows at a time: their small triangle first, then one fused contiguous
    update of the rest of the row (fewer loads/stores of `di`).
    """
    kk = 0
    while kk + 4 <= i:
        d0 = dense[kk]
        d1 = dense[kk + 1]
        d2 = dense[kk + 2]
        d3 = dense[kk + 3]
        l0 = di[kk] / d0[kk]
        l1 = (di[kk + 1] - l0 * d0[kk + 1]) / d1[kk + 1]
        l2 = (di[kk + 2] - l0 * d0[kk + 2] - l1 * d1[kk + 2]) / d2[kk + 2]
        l3 = (di[kk + 3] - l0 * d0[kk + 3] - l1 * d1[kk + 3] - l2 * d2[kk + 3]) / d3[kk + 3]
        di[kk] = l0
        di[kk + 1] = l1
        di[kk + 2] = l2
        di[kk + 3] = l3
        for j in range(kk + 4, m):
            di[j] -= l0 * d0[j] + l1 * d1[j] + l2 * d2[j] + l3 * d3[j]
        kk += 4
    while kk < i:
        dk = dense[kk]
        lk = di[kk] / dk[kk]
        di[kk] = lk
        for j in range(kk + 1, m):
            di[j] -= lk * dk[j]
        kk += 1


@kernel
def lu_factor(lu, vals, x, dense, pivot_tol):
    """In-place LU (no pivoting) of the assembled values; returns the failing row or -1.

    Row-by-row (IKJ) elimination on the fill pattern with a dense row accumulator
    `x` (n,) for the sparse leading columns; the dense trailing block is updated in
    `dense` (m, m), ``m = n - lu.dense_from``, with contiguous loops. On return `vals`
    holds the strictly lower part of ``L`` (unit diagonal), the strictly upper part of
    ``U`` and, at the diagonal positions, ``1 / U[r, r]`` (so eliminations and solves
    multiply instead of divide). A pivot below ``pivot_tol`` times the row's original
    diagonal (in magnitude), or non-finite, fails.
    """
    n = lu.perm.shape[0]
    indptr, cols, diag = lu.indptr, lu.cols, lu.diag
    nd = lu.dense_from
    m = n - nd
    for r in range(n):
        d_orig = abs(vals[diag[r]])
        ds = indptr[r + 1] - m if r >= nd else indptr[r + 1]
        lend = min(diag[r], ds)
        if lend > indptr[r]:
            for q in range(indptr[r], indptr[r + 1]):
                x[cols[q]] = vals[q]
            for q in range(indptr[r], lend):
                k = cols[q]
                lk = x[k] * vals[diag[k]]     # reciprocal pivot of a finished row
                x[k] = lk
                for mm in range(diag[k] + 1, indptr[k + 1]):
                    x[cols[mm]] -= lk * vals[mm]
            for q in range(indptr[r], indptr[r + 1]):
                vals[q] = x[cols[q]]
        if r >= nd:
            i = r - nd
            di = dense[i]
            for j in range(m):
                di[j] = vals[ds + j]
            _dense_row(dense, di, i, m)
            for j in range(m):
                vals[ds + j] = di[j]
        d = vals[diag[r]]
        if not (abs(d) > 1e-300) or not np.isfinite(d) or abs(d) < pivot_tol * d_orig:
            return r
        vals[diag[r]] = 1.0 / d
    return -1


@kernel
def lu_solve(lu, vals, b, x, tmp):
    """Solve ``A x = b`` (original ordering) with the factor in `vals` (from :func:`lu_factor`)."""
    n = lu.perm.shape[0]
    indptr, cols, diag, perm = lu.indptr, lu.cols, lu.diag, lu.perm
    for r in range(n):
        acc = b[perm[r]]
        for q in range(indptr[r], diag[r]):
            acc -= vals[q] * tmp[cols[q]]
        tmp[r] = acc
    for r in range(n - 1, -1, -1):
        acc = tmp[r]
        for q in range(diag[r] + 1, indptr[r + 1]):
            acc -= vals[q] * tmp[cols[q]]
        tmp[r] = acc * vals[diag[r]]
    for r in range(n):
        x[perm[r]] = tmp[r]
    return 0
