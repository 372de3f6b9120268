"""A whole run at a glance: every neuron as a heatmap grouped by layer, above traces of the motor neurons."""

from __future__ import annotations

import numpy as np

from ..analysis._activity import AnalysisError, as_activity
from ._heatmap import heatmap
from ._style import PERCENTILES, SETTLE, mark_stimulus, plt, value_label

__all__ = ["MOTOR_CLASSES", "overview"]

#: Ventral cord motor neurons of forward locomotion (B type) and their inhibitory partners (D type).
MOTOR_CLASSES = ("VB", "DB", "VD", "DD")


def overview(data, *, classes=MOTOR_CLASSES, neurons=None, var=None, wiring=None, fig=None, title=None,
             percentiles=PERCENTILES, settle: float = SETTLE, time_unit: str = "auto", resolution: int = 2000):
    """Every neuron's activity over time above traces of the motor neurons.

    The top panel is :func:`heatmap` (neurons grouped by layer, then class),
    the bottom panel draws every neuron of the motor `classes` (one colour per
    class). The colour limits and the traces' vertical range leave out the
    first `settle` fraction of the run (the network leaving its initial state,
    or its rest before a stimulus, would flatten the rhythm). Both panels
    share the time axis. This is the figure the ``circuitsim`` command writes.

    Parameters
    ----------
    data : Result, Activity or DataFrame
        A Result shows its model's display quantity by default (``V - Vth``
        in mV for the graded network).
    classes : sequence of str
        Classes drawn in the bottom panel (default: VB, DB, VD, DD).
    neurons : sequence of str, optional
        Draw these neurons instead (one colour each; at most 20).
    var : str, optional
        A state variable of a Result to show as it is (``"V"``).
    wiring : connectome.Wiring, optional
        Source of types and classes when the data does not carry them.
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw into (default: a new 10 x 8 inch figure).
    title : str, optional
        Title above the heatmap (default: the wiring's name, its size and the quantity).
    percentiles : (float, float) or None
        Colour limits of the heatmap (see :func:`heatmap`).
    settle : float in [0, 1)
        Leading fraction of the span left out of the colour limits and of the
        traces' vertical range (default: the first half).
    time_unit : {"auto", "ms", "s"}
        Tick labels of the time axis; ``"auto"``: seconds for spans of 5 s or more.
    resolution : int
        Times at which the traces are drawn (evenly spaced, through the dense output).

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.axes_heatmap``, ``fig.axes_traces`` and ``fig.axes_colorbar``.

    Raises
    ------
    AnalysisError
        None of `classes` in the data (pass ``neurons=``), bad `settle` or `time_unit`.
    """
    act = as_activity(data, var=var, wiring=wiring)
    if not 0 <= settle < 1:
        raise AnalysisError(f"settle must be a fraction in [0, 1), got {settle!r}")
    if time_unit not in ("auto", "ms", "s"):
        raise AnalysisError(f"time_unit must be 'auto', 'ms' or 's', got {time_unit!r}")
    lo, hi = act.span
    if neurons is not None:
        chosen = act.select(neurons)
        if chosen.n > 20:
            raise AnalysisError(f"overview draws at most 20 chosen neurons, got {chosen.n}; use classes= instead")
        groups = {nm: [nm] for nm in chosen.neurons}
    else:
        wanted = [classes] if isinstance(classes, str) else list(classes)
        cls = act.classes()
        groups = {c: [nm for nm, k in zip(act.neurons, cls) if k == c] for c in wanted}
        groups = {c: members for c, members in groups.items() if members}
        if not groups:
            raise AnalysisError(f"none of the classes {wanted} is in the data (is the wiring's metadata missing?); "
                                "pass neurons=[...] or classes=[...]")
    if fig is None:
        fig = plt().figure(figsize=(10, 8), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[3, 2], width_ratios=[1, 0.025])
    ax_map = fig.add_subplot(grid[0, 0])
    ax_tr = fig.add_subplot(grid[1, 0], sharex=ax_map)
    cax = fig.add_subplot(grid[0, 1])
    heatmap(act, ax=ax_map, percentiles=percentiles, settle=settle, colorbar=cax)
    ax_map.set_xlabel("")
    ax_map.tick_params(labelbottom=False)
    name = getattr(act.wiring, "name", "") or ""
    ax_map.set_title(title if title is not None else f"{name + ': ' if name else ''}{act.n} neurons, {act.var}")
    tt = np.linspace(lo, hi, int(resolution))
    colours = plt().rcParams["axes.prop_cycle"].by_key()["color"]
    late = tt >= lo + settle * (hi - lo)
    drawn = []
    for k, (label, members) in enumerate(groups.items()):
        x = act.select(members).at(tt)
        colour = colours[k % len(colours)]
        ax_tr.plot(tt, x, color=colour, lw=0.8, label="_nolegend_", gid="overview-trace")
        ax_tr.plot([], [], color=colour, lw=1.5, label=label if neurons is not None else f"{label} ({len(members)})")
        drawn.append(x[late])
    every = np.concatenate([d.ravel() for d in drawn])
    y0, y1 = float(np.nanmin(every)), float(np.nanmax(every))
    pad = 0.1 * max(y1 - y0, 1e-3 * max(abs(y0), abs(y1), 1.0))
    ax_tr.set_ylim(y0 - pad, y1 + pad)
    mark_stimulus(ax_tr, act)
    ax_tr.set_ylabel(value_label(act))
    what = "neurons" if neurons is not None else "motor neurons by class"
    ax_tr.legend(title=what, fontsize=8, title_fontsize=8, ncol=min(len(groups), 6), loc="lower left",
                 bbox_to_anchor=(0.0, 1.0), frameon=False, borderaxespad=0.2)
    seconds = time_unit == "s" or (time_unit == "auto" and hi - lo >= 5000.0)
    if seconds:
        from matplotlib.ticker import FuncFormatter, MultipleLocator

        step = 1000.0 * _nice_step((hi - lo) / 1000.0)
        ax_tr.xaxis.set_major_locator(MultipleLocator(step))
        ax_tr.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x / 1000:g}"))
        ax_tr.set_xlabel("time (s)")
    else:
        ax_tr.set_xlabel("time (ms)")
    ax_tr.set_xlim(lo, hi)
    fig.axes_heatmap, fig.axes_traces, fig.axes_colorbar = ax_map, ax_tr, cax
    return fig


def _nice_step(span: float) -> float:
    """A 1-2-5 tick step giving about 6 to 12 ticks over `span`."""
    raw = span / 8.0
    mag = 10.0 ** np.floor(np.log10(raw)) if raw > 0 else 1.0
    for m in (1.0, 2.0, 5.0, 10.0):
        if raw <= m * mag:
            return m * mag
    return 10.0 * mag
