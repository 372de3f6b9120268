"""What every picture shares: axes, labels, stimulus markers, robust colour limits, colours of edges and layers."""

from __future__ import annotations

import numpy as np

from ..analysis._activity import Activity, AnalysisError, as_activity
from ..analysis._common import weighted_percentiles, window
from ..analysis._stimulus import stimulus_intervals

__all__ = ["EDGE_STYLE", "LAYER_COLOURS", "PERCENTILES", "SETTLE", "colour_limits"]

EDGE_STYLE = {
    "chemical-excitatory": dict(color="#4daf4a", linestyle="-", label="chemical, excitatory"),
    "chemical-inhibitory": dict(color="#984ea3", linestyle="-", label="chemical, inhibitory"),
    "electrical": dict(color="0.45", linestyle=(0, (2, 2)), label="electrical (gap junction)"),
}

#: Node colours by layer when a wiring is drawn without activity, and of the heatmap's layer strip.
LAYER_COLOURS = {"sensory": "#ff7f00", "inter": "#377eb8", "command": "#e41a1c", "motor": "#a65628"}

#: Default colour limits: these percentiles of the activity over time (a few
#: neurons far from the rest, such as the directly driven PLM, do not set the range).
PERCENTILES = (2.0, 98.0)

#: The default colour limits leave out this leading fraction of the time window: the network
#: leaving its initial state, or sitting at rest before a stimulus, takes the end colours.
SETTLE = 0.5


def plt():
    import matplotlib.pyplot as plt

    return plt


def axes(ax, figsize=(8, 4.5)):
    """`ax`, or the Axes of a new figure of size `figsize` (inches)."""
    if ax is None:
        _, ax = plt().subplots(figsize=figsize)
    return ax


def value_label(act: Activity) -> str:
    """``"V - Vth (mV)"``: the quantity and its unit."""
    var = act.var or "activity"
    return f"{var} ({act.unit})" if act.unit else var


def mark_stimulus(ax, act: Activity, stimulus=None, shade: bool = True):
    """Mark stimulus intervals (gid ``"stimulus"``): shaded spans, or on/off lines when not `shade`.

    Intervals are clipped to the span; an end at infinity (a drive held from
    the start or to the end of the run) gets no line.
    """
    if stimulus is False:
        return []
    intervals = stimulus_intervals(as_activity(act, stimulus=stimulus) if stimulus is not None else act)
    lo, hi = act.span
    artists = []
    k = 0
    for s0, s1, _label in intervals:
        if s1 < lo or s0 > hi:
            continue
        kw = dict(gid="stimulus", label="stimulus" if k == 0 else "_nolegend_")
        c0, c1 = max(s0, lo), min(s1, hi)
        if s1 > s0 and shade:
            artists.append(ax.axvspan(c0, c1, color="gold", alpha=0.25, zorder=0.5, **kw))
        else:
            if np.isfinite(s0):
                artists.append(ax.axvline(c0, color="red", lw=1.2, ls="--", **kw))
            if s1 > s0 and np.isfinite(s1):
                artists.append(ax.axvline(c1, color="red", lw=1.2, ls=":", gid="stimulus", label="_nolegend_"))
        k += 1
    return artists


def limits(t, values, percentiles=PERCENTILES, vmin=None, vmax=None, symmetric: bool = False,
           settle: float = SETTLE):
    """Colour limits ``(lo, hi)`` of `values` (n_t, n) sampled at `t`.

    `vmin` / `vmax` win where given. Otherwise the `percentiles` of the values
    over time (:func:`circuitsim.analysis.weighted_percentiles`) after the
    leading `settle` fraction of the span, or the full range of all values
    when `percentiles` is None. `symmetric`: ``(-m, m)`` with ``m`` the larger
    magnitude (for z-scores on a diverging colormap).
    """
    values = np.asarray(values, dtype=float)
    t = np.asarray(t, dtype=float)
    if not 0 <= settle < 1:
        raise AnalysisError(f"settle must be a fraction in [0, 1), got {settle!r}")
    if vmin is None or vmax is None:
        if percentiles is None:
            finite = values[np.isfinite(values)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        else:
            p = np.asarray(percentiles, dtype=float)
            if p.shape != (2,) or not (0 <= p[0] < p[1] <= 100):
                raise AnalysisError(f"percentiles must be two increasing numbers in [0, 100], got {percentiles!r}")
            late = t >= t[0] + settle * (t[-1] - t[0])
            if late.sum() < 2:
                late[:] = True
            lo, hi = (float(v) for v in weighted_percentiles(t[late], values[late], p))
        if symmetric:
            m = max(abs(lo), abs(hi))
            lo, hi = -m, m
        lo = lo if vmin is None else float(vmin)
        hi = hi if vmax is None else float(vmax)
    else:
        lo, hi = float(vmin), float(vmax)
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    return lo, hi


def extend(values, lo, hi) -> str:
    """The colour bar's ``extend``: which ends of the data lie beyond the limits."""
    values = np.asarray(values, dtype=float)
    below, above = bool(np.nanmin(values) < lo), bool(np.nanmax(values) > hi)
    return {(False, False): "neither", (True, False): "min", (False, True): "max", (True, True): "both"}[
        (below, above)]


def colour_limits(data, *, percentiles=PERCENTILES, settle: float = SETTLE, var=None, neurons=None, start=None,
                  stop=None, t=None, names=None) -> tuple[float, float]:
    """The colour limits the pictures use by default for `data`.

    Use them to give several figures (e.g. two runs side by side) one colour scale.

    Parameters
    ----------
    data : Result, Activity, DataFrame or array_like (n_t, n_neurons)
        Activity (see :func:`circuitsim.analysis.as_activity`; by default a
        Result's display quantity, e.g. ``V - Vth`` in mV).
    percentiles : (float, float) or None
        Percentiles of all values over time; each sample weighs the time it
        stands for, so an adaptive solver's short steps through a transient
        do not count more. None: the full range (minimum, maximum).
    settle : float in [0, 1)
        Leading fraction of the time window left out of the percentiles
        (default: the first half): the network leaving its initial state, or
        sitting at rest before a stimulus, would otherwise set the range (a
        step into PLM at 0.5 s of a 6 s run puts every neuron tens of mV below
        its threshold for 8 % of the time, hiding a rhythm of a few mV).
    var, neurons, start, stop, t, names : optional
        What to read, which neurons, which time window (ms).

    Returns
    -------
    (float, float)
        ``(vmin, vmax)`` in the activity's unit.
    """
    act = as_activity(data, var=var, t=t, names=names).select(neurons)
    if start is not None or stop is not None:
        act = window(act, start, stop)
    return limits(act.t, act.values, percentiles, settle=settle)
