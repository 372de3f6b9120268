"""Validation helpers of :class:`~connectome.Wiring`: canonical, frozen CSR matrices in O(nnz)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .errors import WiringError

__all__ = ["as_csr", "freeze", "same_pattern", "check_weights", "json_default", "on_pattern"]


def as_csr(mat, shape, what, dtype=np.float64):
    """`mat` as a canonical CSR array (summed duplicates, no stored zeros, sorted int32 indices).

    Never aliases the caller's arrays. Raises :class:`WiringError` on a wrong shape.
    """
    if isinstance(shape, int):
        shape = (shape, shape)
    if not sp.issparse(mat):
        mat = np.asarray(mat)
        if mat.ndim != 2:
            raise WiringError(f"{what} must be a 2-d matrix of shape {shape}, got an array of shape {mat.shape}")
    mat = sp.csr_array(mat, dtype=dtype, copy=sp.issparse(mat))  # never alias a frozen matrix
    if mat.shape != tuple(shape):
        raise WiringError(f"{what} must have shape {tuple(shape)} to match the neuron list, got {mat.shape}")
    mat.sum_duplicates()
    if mat.nnz and not mat.data.all():
        mat.eliminate_zeros()
    mat.sort_indices()
    if max(mat.shape) < 2**31 and mat.nnz < 2**31:
        mat.indices = mat.indices.astype(np.int32, copy=False)
        mat.indptr = mat.indptr.astype(np.int32, copy=False)
    return mat


def freeze(mat):
    """Make the arrays of a CSR matrix read-only (returns `mat`)."""
    for arr in (mat.data, mat.indices, mat.indptr):
        arr.setflags(write=False)
    return mat


def same_pattern(a, b) -> bool:
    """True if the canonical CSR arrays `a` and `b` store entries at the same positions."""
    return a.nnz == b.nnz and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)


def on_pattern(data, like):
    """A CSR array with values `data` on the (shared, not copied) pattern of `like`."""
    return sp.csr_array((data, like.indices, like.indptr), shape=like.shape, copy=False)


def check_weights(mat, what):
    """Raise :class:`WiringError` unless every stored weight is finite and >= 0."""
    bad_mask = ~np.isfinite(mat.data) | (mat.data < 0)
    if bad_mask.any():
        raise WiringError(f"{what} weights must be finite and non-negative; got {mat.data[bad_mask][:3].tolist()}")


def json_default(obj):
    """``json.dumps`` fallback for numpy scalars, arrays and sets in ``Wiring.info``."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"info values must be JSON serialisable; got {type(obj).__name__}")
