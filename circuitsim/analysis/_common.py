"""Helpers shared by the analysis functions: quadrature weights, time windows, uniform resampling."""

from __future__ import annotations

import numpy as np

from ._activity import Activity, AnalysisError

__all__ = ["time_weights", "window", "uniform", "weighted_percentiles"]


def time_weights(t: np.ndarray) -> np.ndarray:
    """Trapezoid quadrature weights on `t`, normalised to sum to 1."""
    if len(t) == 1:
        return np.ones(1)
    dt = np.diff(t)
    w = np.zeros(len(t))
    w[:-1] += dt / 2
    w[1:] += dt / 2
    return w / w.sum()


def window(act: Activity, start, stop) -> Activity:
    """The samples of `act` with ``start <= t <= stop`` (None: open end)."""
    lo = act.t[0] if start is None else float(start)
    hi = act.t[-1] if stop is None else float(stop)
    if lo >= hi:
        raise AnalysisError(f"empty time window: start={lo} must be smaller than stop={hi} (ms)")
    act.check_span(lo)
    act.check_span(hi)
    keep = (act.t >= lo) & (act.t <= hi)
    return act.replace(t=act.t[keep], values=act.values[keep])


def uniform(act: Activity, n_samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Samples of `act` on a uniform grid (its own samples when already uniform)."""
    t = act.t
    if len(t) < 4:
        raise AnalysisError(f"need at least 4 time points for spectral analysis, got {len(t)}")
    dt = np.diff(t)
    if n_samples is None and np.allclose(dt, dt[0], rtol=1e-6, atol=0):
        return t, act.values
    n = n_samples or len(t)
    grid = np.linspace(t[0], t[-1], n)
    return grid, act.at(grid)


def weighted_percentiles(t, values, q) -> np.ndarray:
    """Percentiles `q` (0-100) of every value of `values` (n_t, n) over the time span.

    Each sample weighs the time it stands for (trapezoid weights on `t`), so
    that an adaptive solver's many short steps through a fast transient count
    no more than its few long steps elsewhere. Non-finite values are ignored.
    The percentile of a weighted sample is interpolated linearly between the
    midpoints of the sorted samples' cumulative weights.

    Returns
    -------
    ndarray, shape of `q`
    """
    t = np.asarray(t, dtype=float)
    x = np.asarray(values, dtype=float).reshape(len(t), -1)
    w = np.repeat(time_weights(t), x.shape[1])
    x = x.ravel()
    ok = np.isfinite(x) & (w > 0)
    if not ok.any():
        raise AnalysisError("no finite values to take percentiles of")
    order = np.argsort(x[ok], kind="stable")
    xs, ws = x[ok][order], w[ok][order]
    cum = (np.cumsum(ws) - 0.5 * ws) / ws.sum()
    return np.interp(np.asarray(q, dtype=float) / 100.0, cum, xs)
