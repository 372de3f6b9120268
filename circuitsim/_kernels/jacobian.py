"""Rosenbrock linear algebra for models that give their Jacobian on a sparsity pattern.

A model opts in with two things: a Python method ``jacobian_pattern(kp)`` returning
the structural non-zeros ``(rows, cols)`` of ``J = df/dy`` (state indices), and a
compiled implementation of :func:`jac_values` writing ``J[rows[k], cols[k]]`` into
``vals[k]`` in the same order. ``M = I / (h gamma) - J`` is then factorised by the
sparse LU (:mod:`.sparse_lu`) on a minimum-degree fill pattern computed once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .dispatch import hook, implements
from .rosenbrock import linear_setup, linear_solve, linear_workspace
from .sparse_lu import SparseLU, lu_factor, lu_solve


@hook
def jac_values(p, t, y, u, vals):
    """Write the model's Jacobian entries, in the order of its ``jacobian_pattern``, into `vals`."""


class JacobianLinear(NamedTuple):
    lu: SparseLU
    diag_pos: np.ndarray  # int64 (n,) position of (i, i) in the factor's values
    entry_pos: np.ndarray  # int64 (nnz_J,) position of each Jacobian entry
    pivot_tol: float  # a pivot below this fraction of its original diagonal fails (the step is retried)


class JacobianWork(NamedTuple):
    jv: np.ndarray  # (nnz_J,)
    vals: np.ndarray  # (nnz,)
    xrow: np.ndarray  # (n,)
    dense: np.ndarray  # (m, m)
    tmp: np.ndarray  # (n,)


@implements(linear_workspace, JacobianLinear)
@kernel
def jacobian_workspace(L, p, n_y):
    m = n_y - L.lu.dense_from
    return JacobianWork(np.zeros(L.entry_pos.shape[0]), np.zeros(L.lu.cols.shape[0]), np.zeros(n_y),
                        np.zeros((m, m)), np.zeros(n_y))


@implements(linear_setup, JacobianLinear)
@kernel
def jacobian_setup(L, p, lw, t, y, u, fac):
    lw.vals[:] = 0.0
    jac_values(p, t, y, u, lw.jv)
    for i in range(L.diag_pos.shape[0]):
        lw.vals[L.diag_pos[i]] += fac
    for k in range(L.entry_pos.shape[0]):
        lw.vals[L.entry_pos[k]] -= lw.jv[k]
    return 0 if lu_factor(L.lu, lw.vals, lw.xrow, lw.dense, L.pivot_tol) < 0 else 1


@implements(linear_solve, JacobianLinear)
@kernel
def jacobian_solve(L, p, lw, r, out, inv_scale, lin_tol):
    lu_solve(L.lu, lw.vals, r, out, lw.tmp)
    return 0
