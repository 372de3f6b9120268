"""Traces of chosen neurons or classes over time, and effective time constants of liquid networks."""

from __future__ import annotations

import numpy as np

from ..analysis._activity import AnalysisError, as_activity
from ..analysis._classes import aggregate_classes
from ._style import axes, mark_stimulus, value_label

__all__ = ["time_constants", "traces"]


def traces(data, neurons=None, *, classes=None, var=None, ax=None, cursor=None, stimulus=None,
           resolution: int | None = None, legend: bool = True, settle: float = 0.0, wiring=None, t=None,
           names=None):
    """Activity of chosen neurons (or classes) over time.

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like
        By default a Result shows its model's display quantity (``V - Vth``
        in mV for the graded network).
    neurons : sequence of str, optional
        Neurons to draw (default: all, if there are at most 20).
    classes : sequence of str, optional
        Class names (``"AVA"``) to draw as the mean of their members.
    cursor : float, optional
        Draw a vertical cursor at this time (ms; gid ``"cursor"``).
    resolution : int, optional
        Evaluate the dense output on this many evenly spaced times instead of
        drawing straight lines between samples (the samples are drawn as dots).
    settle : float in [0, 1)
        Leave this leading fraction of the span out of the vertical range (the
        network leaving its initial state can dwarf a rhythm; the curves are
        still drawn, clipped). 0: the range of everything drawn.
    var : str, optional
        A state variable of a Result to show as it is (``"V"``).
    wiring : connectome.Wiring, optional
        Source of the ``class`` column for `classes` when the data lacks it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not 0 <= settle < 1:
        raise AnalysisError(f"settle must be a fraction in [0, 1), got {settle!r}")
    act = as_activity(data, var=var, t=t, names=names, wiring=wiring)
    if classes is not None:
        agg = aggregate_classes(act)
        cls = [classes] if isinstance(classes, str) else list(classes)
        sel = agg.select(cls)
        if neurons is not None:
            extra = act.select(neurons)
            sel = sel.replace(values=np.hstack([sel.values, extra.values]), neurons=sel.neurons + extra.neurons,
                              metadata=None, dense=None)
        act_sel = sel
    else:
        if neurons is None and act.n > 20:
            raise AnalysisError(f"the data has {act.n} neurons; choose up to 20 with neurons=[...] or classes=[...]")
        act_sel = act.select(neurons)
    if cursor is not None:
        act.check_span(cursor)
    ax = axes(ax)
    for j, nm in enumerate(act_sel.neurons):
        if resolution:
            tt = np.linspace(*act_sel.span, int(resolution))
            (line,) = ax.plot(tt, act_sel.at(tt)[:, j], label=nm)
            ax.plot(act_sel.t, act_sel.values[:, j], ".", color=line.get_color(), ms=3, label="_nolegend_")
        else:
            ax.plot(act_sel.t, act_sel.values[:, j], label=nm)
    if settle > 0:
        lo, hi = act_sel.span
        late = act_sel.values[act_sel.t >= lo + settle * (hi - lo)]
        if late.size:
            y0, y1 = float(np.nanmin(late)), float(np.nanmax(late))
            pad = 0.1 * max(y1 - y0, 1e-3 * max(abs(y0), abs(y1), 1.0))
            ax.set_ylim(y0 - pad, y1 + pad)
    mark_stimulus(ax, act, stimulus)
    if cursor is not None:
        ax.axvline(float(cursor), color="k", lw=1, gid="cursor")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(value_label(act))
    if legend and act_sel.n <= 20:
        ax.legend(fontsize=8, loc="best", ncol=2 if act_sel.n > 8 else 1)
    return ax



def time_constants(tau, t=None, names=None, *, neurons=None, ax=None, log: bool = True, stimulus=None,
                   max_lines: int = 12):
    """Effective time constants of a liquid network over time.

    Parameters
    ----------
    tau : Activity, DataFrame or array_like (n_t, n_neurons)
        Effective time constant (ms) of every neuron at every time.
    t, names : optional
        Times (ms) and neuron names for a plain array.
    max_lines : int
        With more neurons than this, draw the median and the 10-90 %
        quantile band (gids ``"tau-median"``, ``"tau-band"``) instead of one
        line per neuron.

    Returns
    -------
    matplotlib.axes.Axes
    """
    act = as_activity(tau, t=t, names=names, stimulus=stimulus).select(neurons)
    if np.any(~np.isfinite(act.values)) or np.any(act.values <= 0):
        raise AnalysisError("time constants must be finite and positive (ms)")
    ax = axes(ax)
    if act.n <= max_lines:
        for j, nm in enumerate(act.neurons):
            ax.plot(act.t, act.values[:, j], label=nm)
        ax.legend(fontsize=8, ncol=2 if act.n > 6 else 1)
    else:
        q10, q50, q90 = np.quantile(act.values, [0.1, 0.5, 0.9], axis=1)
        ax.fill_between(act.t, q10, q90, alpha=0.3, gid="tau-band", label="10-90 % of neurons")
        ax.plot(act.t, q50, gid="tau-median", label="median")
        ax.plot(act.t, act.values.min(axis=1), ":", color="0.4", label="min / max")
        ax.plot(act.t, act.values.max(axis=1), ":", color="0.4", label="_nolegend_")
        ax.legend(fontsize=8)
    mark_stimulus(ax, act, None)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("effective time constant (ms)")
    return ax


