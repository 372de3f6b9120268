"""Baseline, peak and latency of every neuron's response to a stimulus."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._activity import AnalysisError, as_activity
from ._stimulus import stimulus_intervals

__all__ = ["response"]


def response(data, onset: float | None = None, *, neurons=None, var: str | None = None,
             baseline: float | None = None, stop: float | None = None, fraction: float = 0.1,
             threshold: float | None = None, min_change: float = 0.0, t=None, names=None) -> pd.DataFrame:
    """Baseline, peak and latency of every neuron's response to a stimulus.

    Parameters
    ----------
    onset : float, optional
        Stimulus onset (ms). Default: the first stimulus start recorded in the
        Result (its stimulus description).
    neurons : sequence of str, optional
        Neurons to analyse (default all).
    var : str, optional
        What to read from a Result: default its model's display quantity
        (``V - Vth`` for the graded network; baseline and peak are then
        relative to each neuron's threshold, the change is the same as for
        ``V``); a state variable name (``"V"``) reads that variable as it is.
    baseline : float, optional
        Length (ms) of the window before `onset` whose mean is the baseline
        (default: every sample before onset; the value at onset if none).
    stop : float, optional
        End of the response window (ms; default: end of the data).
    fraction : float in (0, 1)
        The latency is the first time after onset at which the deviation from
        baseline reaches ``fraction`` of the peak deviation (linear
        interpolation between samples).
    threshold : float, optional
        Absolute deviation (activity units) to use instead of `fraction`.
    min_change : float
        Neurons whose largest deviation does not exceed this (activity units)
        count as not responding (latency NaN).

    Returns
    -------
    DataFrame indexed by neuron with columns ``baseline``, ``peak`` (value at
    the largest absolute deviation), ``change`` (peak - baseline),
    ``peak_time`` (ms after onset), ``latency`` (ms after onset; NaN when the
    threshold is never reached) and ``responded`` (bool).
    """
    act = as_activity(data, var=var, t=t, names=names).select(neurons)
    if onset is None:
        iv = stimulus_intervals(act)
        if not iv:
            raise AnalysisError("no stimulus onset given and the data records no stimulus; pass onset= (ms)")
        onset = iv[0][0]
        if not np.isfinite(onset):
            raise AnalysisError("the first recorded stimulus is on from the start of the run (a sampled drive "
                                "holds its first sample before it); pass onset= (ms)")
    onset = float(onset)
    act.check_span(onset)
    if not 0 < fraction < 1:
        raise AnalysisError(f"fraction must be in (0, 1), got {fraction!r}")
    before = act.t < onset
    if baseline is not None:
        if not baseline > 0:
            raise AnalysisError(f"baseline window must be positive (ms), got {baseline!r}")
        before &= act.t >= onset - float(baseline)
    base = act.values[before].mean(axis=0) if before.any() else act.at(onset)
    end = act.t[-1] if stop is None else float(stop)
    act.check_span(end)
    after = (act.t >= onset) & (act.t <= end)
    tt = np.r_[onset, act.t[after]] if not np.any(act.t == onset) else act.t[after]
    xx = np.vstack([act.at(onset)[None, :], act.values[after]]) if len(tt) > after.sum() else act.values[after]
    dev = xx - base
    k = np.argmax(np.abs(dev), axis=0)
    cols = np.arange(dev.shape[1])
    change = dev[k, cols]
    rows = []
    for j, nm in enumerate(act.neurons):
        thr = threshold if threshold is not None else fraction * abs(change[j])
        lat = np.nan
        if abs(change[j]) > max(min_change, 0.0) and thr > 0:
            hit = np.flatnonzero(np.abs(dev[:, j]) >= thr)
            if len(hit):
                i = hit[0]
                if i == 0:
                    lat = 0.0
                else:
                    d0, d1 = abs(dev[i - 1, j]), abs(dev[i, j])
                    lat = tt[i - 1] + (thr - d0) / (d1 - d0) * (tt[i] - tt[i - 1]) - onset
        rows.append(dict(neuron=nm, baseline=base[j], peak=xx[k[j], j], change=change[j],
                         peak_time=tt[k[j]] - onset, latency=lat, responded=bool(np.isfinite(lat))))
    return pd.DataFrame(rows).set_index("neuron")
