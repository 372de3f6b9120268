"""External drive evaluated inside compiled code.

A drive is piecewise linear with jumps: knot ``j`` has time ``times[j]`` and value
``values[j]`` (``n_in`` channels); a jump at time ``tau`` is two knots with the same
time (left limit, then right limit). The jump times (``breaks``) split the span into
segments on which the drive is continuous; integrators step segment by segment and
land on every break, so the drive never jumps inside a step.

Batched: member ``b`` owns breaks ``breaks[break_ptr[b]:break_ptr[b+1]]`` and segments
``break_ptr[b] + b ... break_ptr[b+1] + b`` (one more segment than breaks).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel

__all__ = ["InputTable", "input_at", "input_slope", "n_segments", "segment_end", "bracket"]


class InputTable(NamedTuple):
    """Kernel view of the external drive of every batch member."""

    times: np.ndarray  # float64 (M,), ms, non-decreasing
    values: np.ndarray  # float64 (M, n_in)
    seg_lo: np.ndarray  # int64 (S,), first knot of each segment
    seg_hi: np.ndarray  # int64 (S,), last knot of each segment
    breaks: np.ndarray  # float64 (B,), jump times, strictly inside the span, increasing per member
    break_ptr: np.ndarray  # int64 (n_batch + 1,)


@kernel(inline="always")
def bracket(times, lo, hi, t):
    """Index ``a`` in ``[lo, hi)`` with ``times[a] <= t < times[a + 1]`` (binary search).

    `times[lo:hi+1]` is increasing; values of `t` outside it give `lo` or ``hi - 1``.
    """
    a = lo
    b = hi
    while b - a > 1:
        m = (a + b) // 2
        if times[m] <= t:
            a = m
        else:
            b = m
    return a


@kernel
def input_at(tab, seg, t, u):
    """Write the drive of segment `seg` at time `t` into `u` (n_in,).

    Inside a segment the drive is linear between knots and constant beyond the
    segment's first/last knot (this also gives the one-sided limits at breaks).
    """
    lo = tab.seg_lo[seg]
    hi = tab.seg_hi[seg]
    times = tab.times
    vals = tab.values
    n_in = u.shape[0]
    if hi == lo or t <= times[lo]:
        for c in range(n_in):
            u[c] = vals[lo, c]
        return
    if t >= times[hi]:
        for c in range(n_in):
            u[c] = vals[hi, c]
        return
    a = bracket(times, lo, hi, t)
    b = a + 1
    w = (t - times[a]) / (times[b] - times[a])
    for c in range(n_in):
        u[c] = vals[a, c] + w * (vals[b, c] - vals[a, c])


@kernel
def n_segments(tab, member):
    """Number of segments of batch member `member`."""
    return tab.break_ptr[member + 1] - tab.break_ptr[member] + 1


@kernel
def segment_end(tab, member, j, t1):
    """End time of segment `j` (0-based, per member): the next break or `t1`."""
    nb = tab.break_ptr[member + 1] - tab.break_ptr[member]
    if j < nb:
        return tab.breaks[tab.break_ptr[member] + j]
    return t1


@kernel
def input_slope(tab, seg, t, du):
    """Time derivative of the drive of segment `seg` at `t` (right derivative at knots).

    Returns
    -------
    bool
        True if any channel changes (a non-zero slope).
    """
    lo = tab.seg_lo[seg]
    hi = tab.seg_hi[seg]
    times = tab.times
    vals = tab.values
    for c in range(du.shape[0]):
        du[c] = 0.0
    if hi == lo or t < times[lo] or t >= times[hi]:
        return False
    a = bracket(times, lo, hi, t)
    b = a + 1
    dt = times[b] - times[a]
    moving = False
    if dt > 0.0:
        for c in range(du.shape[0]):
            du[c] = (vals[b, c] - vals[a, c]) / dt
            if du[c] != 0.0:
                moving = True
    return moving
