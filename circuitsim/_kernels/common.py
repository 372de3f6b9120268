"""Small compiled helpers shared by the integrators (recording, checks)."""

from __future__ import annotations

from . import _cache  # noqa: F401  (cache invalidation across kernel files)

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def save_state(buf, b, t, y, rec_idx):
    """Append the recorded part of state `y` at time `t` to member `b`'s samples."""
    k = buf.n_out[b]
    buf.out_t[b, k] = t
    for c in range(rec_idx.shape[0]):
        buf.out_y[b, k, c] = y[rec_idx[c]]
    buf.n_out[b] = k + 1


@njit(cache=True)
def first_nonfinite(y):
    """Index of the first NaN/inf in `y`, or -1."""
    for i in range(y.shape[0]):
        if not np.isfinite(y[i]):
            return i
    return -1


@njit(cache=True)
def blamed_nonfinite(ynew, y):
    """The entry to blame when `ynew` has NaN/inf: among the non-finite entries, the one
    largest in magnitude in the last finite state `y` (several entries usually overflow
    in the same step); -1 if `ynew` is finite."""
    best = -1
    big = -1.0
    for i in range(ynew.shape[0]):
        if not np.isfinite(ynew[i]):
            a = abs(y[i])
            if a > big:
                big = a
                best = i
    return best


@njit(cache=True)
def n_fixed_steps(a, b, dt):
    """Number of steps of size <= `dt` that cover ``[a, b]`` (a last step shorter than 1e-9 dt merges)."""
    n = int(np.ceil((b - a) / dt - 1e-9))
    return max(n, 1)
