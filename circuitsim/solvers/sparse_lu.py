"""Symbolic sparse LU: fill-reducing order and fill pattern, computed once per sparsity pattern.

The numeric factorisation runs compiled in every step of a stiff solver
(:mod:`circuitsim._kernels.sparse_lu`); its structure comes from here:

* :func:`minimum_degree_order` (exact minimum degree on the symmetrised pattern,
  ties to the lower index, so the order is deterministic);
* :func:`symbolic_lu`, the fill pattern of ``L + U`` without pivoting;
* :func:`dense_tail`, which stores the nearly full trailing block densely (minimum
  degree leaves one; it carries most of the elimination work);
* :func:`plan`, all three, plus the position of any entry in the value array.
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["minimum_degree_order", "symbolic_lu", "dense_tail", "plan"]


def minimum_degree_order(n: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Minimum-degree elimination order of the symmetrised pattern ``(rows, cols)``.

    Parameters
    ----------
    n : int
    rows, cols : ndarray of int
        Off-diagonal entries (either orientation; symmetrised here).

    Returns
    -------
    ndarray of int64, shape (n,)
        ``order[r]`` = the node eliminated r-th.
    """
    adj = [set() for _ in range(n)]
    for i, j in zip(np.asarray(rows).tolist(), np.asarray(cols).tolist()):
        if i != j:
            adj[i].add(j)
            adj[j].add(i)
    heap = [(len(a), i) for i, a in enumerate(adj)]
    heapq.heapify(heap)
    done = np.zeros(n, bool)
    order = []
    while heap:
        deg, v = heapq.heappop(heap)
        if done[v] or deg != len(adj[v]):
            continue
        done[v] = True
        order.append(v)
        nb = adj[v]
        for a in nb:
            adj[a].discard(v)
            adj[a] |= nb - {a}
            heapq.heappush(heap, (len(adj[a]), a))
        adj[v] = set()
    return np.asarray(order, dtype=np.int64)


def symbolic_lu(n: int, rows: np.ndarray, cols: np.ndarray, order: np.ndarray):
    """Fill pattern of the LU factors (no pivoting) of a matrix with entries ``(rows, cols)``.

    Parameters
    ----------
    n : int
    rows, cols : ndarray of int
        Structural non-zeros (the diagonal is always included).
    order : ndarray of int, shape (n,)
        Elimination order (``order[r]`` = original index at position r).

    Returns
    -------
    indptr, cols, diag : ndarray of int64
        Permuted CSR pattern of ``L + U`` (sorted columns) and diagonal positions.
    """
    iperm = np.empty(n, np.int64)
    iperm[order] = np.arange(n)
    pattern = [set() for _ in range(n)]
    for i, j in zip(iperm[np.asarray(rows, dtype=np.int64)].tolist(), iperm[np.asarray(cols, dtype=np.int64)].tolist()):
        pattern[i].add(j)
    upper = [None] * n
    for r in range(n):
        S = pattern[r]
        S.add(r)
        heap = [c for c in S if c < r]
        heapq.heapify(heap)
        seen = set(heap)
        while heap:
            k = heapq.heappop(heap)
            for j in upper[k]:
                if j not in S:
                    S.add(j)
                    if j < r and j not in seen:
                        seen.add(j)
                        heapq.heappush(heap, j)
        upper[r] = sorted(c for c in S if c > r)
    indptr = np.zeros(n + 1, np.int64)
    indptr[1:] = np.cumsum([len(S) for S in pattern])
    out_cols = np.empty(indptr[-1], np.int64)
    diag = np.empty(n, np.int64)
    for r, S in enumerate(pattern):
        c = np.array(sorted(S), np.int64)
        out_cols[indptr[r]:indptr[r + 1]] = c
        diag[r] = indptr[r] + int(np.searchsorted(c, r))
    return indptr, out_cols, diag


def dense_tail(n, indptr, cols, diag, min_density=0.97, min_size=8):
    """Store the trailing block of the fill pattern densely once it is nearly full.

    Returns
    -------
    indptr, cols, diag : ndarray of int64
        The pattern with every column ``>= dense_from`` present in rows ``>= dense_from``.
    dense_from : int
        First row/column of the dense block (``n`` if no block qualifies).
    """
    counts = np.zeros(n + 1, np.int64)           # counts[b]: entries with row, col >= b
    for r in range(n):
        c = cols[indptr[r]:indptr[r + 1]]
        # entry (r, c) lies in the trailing block of every b <= min(r, c)
        np.add.at(counts, np.minimum(c, r) + 1, -1)
        counts[0] += c.shape[0]
    counts = np.cumsum(counts)[:n]
    m = n - np.arange(n)
    ok = np.nonzero((counts >= min_density * m * m) & (m >= min_size))[0]
    if ok.shape[0] == 0:
        return indptr, cols, diag, n
    b = int(ok[0])
    rows = [cols[indptr[r]:indptr[r + 1]] for r in range(n)]
    for r in range(b, n):
        rows[r] = np.concatenate([rows[r][rows[r] < b], np.arange(b, n, dtype=np.int64)])
    new_indptr = np.zeros(n + 1, np.int64)
    new_indptr[1:] = np.cumsum([len(c) for c in rows])
    new_cols = np.concatenate(rows).astype(np.int64)
    new_diag = np.array([new_indptr[r] + int(np.searchsorted(rows[r], r)) for r in range(n)], np.int64)
    return new_indptr, new_cols, new_diag, b


def plan(n: int, rows, cols):
    """The factor structure of a pattern, and a function locating entries in its values.

    Parameters
    ----------
    n : int
    rows, cols : array of int
        Structural non-zeros (``A[rows[k], cols[k]]``; the diagonal is always included).

    Returns
    -------
    lu : circuitsim._kernels.sparse_lu.SparseLU
    positions : callable
        ``positions(r, c)`` -> int64 array: where entries ``(r[k], c[k])`` live in the
        factor's value array.
    """
    from .._kernels.sparse_lu import SparseLU

    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    order = minimum_degree_order(n, rows, cols)
    indptr, lcols, diag = symbolic_lu(n, rows, cols, order)
    indptr, lcols, diag, dense_from = dense_tail(n, indptr, lcols, diag)
    iperm = np.empty(n, np.int64)
    iperm[order] = np.arange(n)

    def positions(r, c):
        pr, pc = iperm[np.asarray(r, dtype=np.int64)], iperm[np.asarray(c, dtype=np.int64)]
        out = np.empty(len(pr), np.int64)
        for q in range(len(pr)):
            lo, hi = indptr[pr[q]], indptr[pr[q] + 1]
            out[q] = lo + np.searchsorted(lcols[lo:hi], pc[q])
        return out

    return SparseLU(order, indptr, lcols, diag, int(dense_from)), positions


_STRUCTURES: dict = {}


def jacobian_linear(n: int, rows, cols, pivot_tol: float = 1e-10):
    """The :class:`~circuitsim._kernels.jacobian.JacobianLinear` structure of a Jacobian pattern.

    Cached per pattern (the symbolic work is done once per wiring).
    """
    import hashlib

    from .._kernels.jacobian import JacobianLinear

    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    key = hashlib.sha1(rows.tobytes() + b"|" + cols.tobytes() + str((n, pivot_tol)).encode()).hexdigest()
    if key not in _STRUCTURES:
        lu, positions = plan(n, rows, cols)
        ar = np.arange(n)
        _remember(key, (lu, positions(ar, ar), positions(rows, cols)))
    lu, diag_pos, entry_pos = _STRUCTURES[key]
    return JacobianLinear(lu, diag_pos.copy(), entry_pos.copy(), float(pivot_tol))


def _remember(key, value) -> None:
    if len(_STRUCTURES) >= 16:
        _STRUCTURES.pop(next(iter(_STRUCTURES)))
    _STRUCTURES[key] = value


def cached_plan(key: str, build):
    """``build()`` computed once per `key` (symbolic structures of other shapes)."""
    if key not in _STRUCTURES:
        _remember(key, build())
    return _STRUCTURES[key]
