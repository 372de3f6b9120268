"""Heatmap: the activity of every neuron over time, grouped by layer and class."""

from __future__ import annotations

import numpy as np

from ..analysis._activity import AnalysisError, as_activity
from ..analysis._classes import aggregate_classes
from ..analysis._common import window
from . import _layout
from ._style import LAYER_COLOURS, PERCENTILES, SETTLE, axes, extend, limits, mark_stimulus, value_label

__all__ = ["heatmap"]

_STRIP = (0.012, 0.022)  # layer strip: gap after the mesh and width, in axes fractions
_LABEL_FONT = 8  # points


def heatmap(data, *, var=None, ax=None, classes: bool = False, neurons=None, order: str = "type",
            cmap="viridis", vmin=None, vmax=None, percentiles=PERCENTILES, settle=SETTLE, stimulus=None,
            colorbar: bool = True,
            labels=None, max_labels: int = 50, normalize: str | None = None, start=None, stop=None,
            max_columns: int | None = 2000, wiring=None, t=None, names=None):
    """Activity of every neuron over time, grouped by layer (type) and class.

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like (n_t, n_neurons)
        By default a Result shows its model's display quantity (``V - Vth``
        in mV for the graded network; see :func:`circuitsim.analysis.as_activity`).
    var : str, optional
        A state variable of a Result to show as it is (``"V"``).
    classes : bool
        Average the members of each class first (AVAL + AVAR -> AVA).
    neurons : sequence of str, optional
        Only these neurons.
    order : {"type", "given"}
        ``"type"``: sensory, inter, command, motor; then class and name (the
        data's own order when it carries neither metadata nor a wiring).
        ``"given"``: the data's own order.
    vmin, vmax : float, optional
        Colour limits (default: from `percentiles`).
    percentiles : (float, float) or None
        Default colour limits: these percentiles of the drawn values over the
        later part of the window (see `settle`; each sample weighted by the
        time it stands for), so that a few neurons far from the others (the
        directly driven PLM neurons) do not set the range; values beyond them
        take the end colours and the colour bar has arrow ends. None: the
        full range. Z-scores get limits symmetric about 0.
    settle : float in [0, 1)
        Leading fraction of the window left out of the percentiles (default:
        the first half), so that the network leaving its initial state, or
        sitting at rest before a stimulus, does not set the range.
    stimulus : (start, stop), list, or False, optional
        Override (or with False hide) the stimulus marker taken from the data.
    colorbar : bool or matplotlib.axes.Axes
        Draw a colour bar (next to `ax`, or into the given Axes).
    labels : bool, optional
        Write every neuron's (or class's) name on its row. Default: when there
        are at most `max_labels` rows.
    normalize : {None, "zscore", "minmax"}
        Rescale every row (over the drawn window) so that small oscillations of
        weakly active neurons show; the colour bar then reads ``z-score`` or
        ``0-1 of the row's range``.
    start, stop : float, optional
        Time window to draw (ms).
    max_columns : int or None
        With more samples than this, draw the activity on this many evenly
        spaced times read through the dense output (a screen has fewer pixels
        than a long run has samples). None: every sample.
    wiring : connectome.Wiring, optional
        Source of the neuron types and classes when the data does not carry them
        (a Result stores only neuron names).

    Returns
    -------
    matplotlib.axes.Axes
        The mesh has gid ``"heatmap"``; rows are in drawing order in
        ``ax.get_yticklabels()`` (when labelled). With groups, white lines
        (gid ``"group-separator"``) separate the layers, and a strip right of
        the mesh (gid ``"group-strip"``, titled "layer") names them (gid
        ``"group-label"``), with a leader line (gid ``"group-leader"``) where a
        label had to move away from a thin band.
    """
    act = as_activity(data, var=var, t=t, names=names, wiring=wiring).select(neurons)
    if start is not None or stop is not None:
        act = window(act, start, stop)
    if classes:
        act = aggregate_classes(act)
    if max_columns is not None and len(act.t) > int(max_columns):
        grid = np.linspace(*act.span, int(max_columns))
        act = act.replace(t=grid, values=act.at(grid))
    values = act.values
    label = value_label(act)
    if normalize == "zscore":
        sd = values.std(axis=0)
        values = (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        label = f"{act.var or 'activity'} z-scored per row (z-score)"
    elif normalize == "minmax":
        lo_, rng_ = values.min(axis=0), np.ptp(values, axis=0)
        values = (values - lo_) / np.where(rng_ > 0, rng_, 1.0)
        label = f"{act.var or 'activity'} scaled per row (0-1 of the row's range)"
    elif normalize is not None:
        raise AnalysisError(f"normalize must be None, 'zscore' or 'minmax'; got {normalize!r}")
    lo, hi = limits(act.t, values, percentiles, vmin, vmax, symmetric=(normalize == "zscore"), settle=settle)
    w = act.wiring
    known = act.metadata is not None and any(c in act.metadata for c in ("type", "layer", "class"))
    if order == "type" and (known or w is not None):
        idx, layers = _layout.order_neurons(act.neurons, act.metadata, getattr(w, "inputs", ()),
                                            getattr(w, "outputs", ()))
    elif order in ("type", "given"):  # "type" with nothing to group by keeps the data's order
        idx, layers = np.arange(act.n), None
    else:
        raise AnalysisError(f"order must be 'type' or 'given', got {order!r}")
    ax = axes(ax, (10, max(3.0, min(7.0, 0.12 * act.n + 2))))
    rows = np.arange(act.n)
    mesh = ax.pcolormesh(act.t, rows, values[:, idx].T, shading="nearest", cmap=cmap, vmin=lo, vmax=hi,
                         gid="heatmap", rasterized=True)
    ax.set_ylim(act.n - 0.5, -0.5)
    ax.set_xlim(*act.span)
    if labels or (labels is None and act.n <= max_labels):
        ordered = [act.neurons[i] for i in idx]
        ax.set_yticks(rows, ordered, fontsize=max(4, min(9, 600 // max(act.n, 1))))
    else:
        ax.set_yticks([])
    label_width = _groups(ax, layers, act.n) if layers is not None else 0.0
    mark_stimulus(ax, act, stimulus, shade=False)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("class" if classes else "neuron")
    if colorbar is not False and colorbar is not None:
        kw = dict(label=label, extend=extend(values, lo, hi))
        if colorbar is True:
            kw.update(ax=ax, pad=0.03 if layers is None else sum(_STRIP) + label_width + 0.03, fraction=0.05,
                      aspect=25)
        else:
            kw.update(cax=colorbar)
        ax.figure.colorbar(mesh, **kw)
    return ax


def _groups(ax, layers, n) -> float:
    """Separators, layer strip and labels; returns the labels' width (axes fraction)."""
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import blended_transform_factory

    starts = [i for i in range(n) if i == 0 or layers[i] != layers[i - 1]]
    ends = starts[1:] + [n]
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    gap, width = _STRIP
    for s, e in zip(starts, ends):
        if s > 0:
            ax.axhline(s - 0.5, color="white", lw=1.2, gid="group-separator")
        ax.add_patch(Rectangle((1 + gap, s - 0.5), width, e - s, transform=trans, clip_on=False,
                               facecolor=LAYER_COLOURS.get(layers[s], "0.6"), edgecolor="white", lw=0.8,
                               gid="group-strip"))
    ax.text(1 + gap + width / 2, 1.0, "layer", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=_LABEL_FONT - 1, gid="group-title")
    # labels at the band centres, moved apart where bands are thinner than a line of text
    fig = ax.figure
    box = ax.get_position()
    height_pt = max(box.height * fig.get_figheight() * 72.0, 1.0)
    width_pt = max(box.width * fig.get_figwidth() * 72.0, 1.0)
    step = 1.25 * _LABEL_FONT / height_pt * n  # one line of text, in rows
    centres = np.array([(s + e) / 2 - 0.5 for s, e in zip(starts, ends)])
    placed = _apart(centres, step, -0.5, n - 0.5)
    x_label = 1 + gap + width + 0.012
    for k, (s, c, y) in enumerate(zip(starts, centres, placed)):
        ax.text(x_label, y, layers[s], transform=trans, ha="left", va="center", fontsize=_LABEL_FONT,
                gid="group-label")
        if abs(y - c) > 0.25 * step:
            ax.plot([1 + gap + width, x_label - 0.002], [c, y], transform=trans, color="0.3", lw=0.6,
                    clip_on=False, gid="group-leader")
    longest = max(len(layers[s]) for s in starts)
    return 0.012 + 0.6 * _LABEL_FONT * longest / width_pt


def _apart(centres, step, lo, hi) -> np.ndarray:
    """Positions as close as possible to the increasing `centres`, at least `step` apart, inside [lo, hi]."""
    y = np.array(centres, dtype=float)
    half = step / 2
    y[0] = max(y[0], lo + half)
    for k in range(1, len(y)):
        y[k] = max(y[k], y[k - 1] + step)
    if y[-1] > hi - half:
        y[-1] = hi - half
        for k in range(len(y) - 2, -1, -1):
            y[k] = min(y[k], y[k + 1] - step)
    return y
