"""Interactive views for Jupyter (ipywidgets, an optional extra: ``pip install circuitsim[widgets]``).

:func:`explore` shows the network coloured at time t beside traces with a
cursor at t, and a time slider that redraws both through the result's dense
output (any float time, not only the samples). Without ipywidgets it returns
the static :func:`static_view` instead, with a warning. For a plastic result
(:mod:`circuitsim.plasticity`) the plastic synapses are drawn on top, width and
colour by their weight at the shown time.
"""

from __future__ import annotations

import warnings

import numpy as np

from .analysis._activity import AnalysisError, as_activity
from .plot._style import SETTLE

__all__ = ["explore", "static_view", "have_widgets"]


def have_widgets() -> bool:
    """True when ipywidgets can be imported."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def static_view(data, times=None, *, n_times: int = 4, neurons=None, classes=None, layout: str = "anatomical",
                wiring=None, var=None, missing: str = "error", settle: float = SETTLE, fig=None, **network_kw):
    """Network snapshots at a few times above traces marked at those times (no widgets needed).

    Parameters
    ----------
    data : Result, Activity or DataFrame
        Activity with a wiring (see :func:`circuitsim.plot.network`); a
        Result shows its model's display quantity by default.
    times : sequence of float, optional
        Snapshot times (ms; default `n_times` evenly spaced over the span).
    neurons, classes : optional
        What the trace panel shows (default: a few outputs and inputs).
    settle : float
        Leading fraction of the span left out of the colour limits and the
        traces' vertical range.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from . import plot

    act = as_activity(data, var=var, wiring=wiring)
    times = np.linspace(*act.span, int(n_times)) if times is None else np.atleast_1d(np.asarray(times, float))
    act.check_span(times)
    k = len(times)
    if k == 0:
        raise AnalysisError("static_view needs at least one time")
    if neurons is None and classes is None:
        neurons = (list(getattr(act.wiring, "outputs", ()))[:4] + list(getattr(act.wiring, "inputs", ()))[:2]
                   or list(act.neurons[: min(6, act.n)]))
    # one colour scale for every snapshot: the network's default limits over the whole span
    lo, hi = plot.colour_limits(act, percentiles=network_kw.pop("percentiles", plot.PERCENTILES), settle=settle)
    lo, hi = network_kw.pop("vmin", lo), network_kw.pop("vmax", hi)
    network_kw.setdefault("labels", False)
    if layout == "anatomical":  # the body is long and thin: one snapshot per row
        if fig is None:
            fig = plt.figure(figsize=(11, 2.4 * k + 3), layout="constrained")
        grid = fig.add_gridspec(k + 1, 1, height_ratios=[1] * k + [1.3])
        cells = [grid[i, 0] for i in range(k)]
        trace_cell = grid[k, 0]
    else:
        if fig is None:
            fig = plt.figure(figsize=(3.6 * k + 1, 7), layout="constrained")
        grid = fig.add_gridspec(2, k, height_ratios=[1.4, 1])
        cells = [grid[0, i] for i in range(k)]
        trace_cell = grid[1, :]
    scale = _weight_scale(data)
    for i, (tt, cell) in enumerate(zip(times, cells)):
        ax = fig.add_subplot(cell)
        plot.network(act, tt, layout=layout, ax=ax, missing=missing, vmin=lo, vmax=hi, colorbar=(i == k - 1),
                     legend=(i == k - 1), **network_kw)
        if scale is not None:  # learned weights at this snapshot's time, on one scale for every snapshot
            from .plasticity.plot import draw_weight_edges

            draw_weight_edges(data, float(tt), ax, colorbar=(i == k - 1), **scale)
    ax_tr = fig.add_subplot(trace_cell)
    plot.traces(act, neurons, classes=classes, ax=ax_tr, settle=settle)
    for tt in times:
        ax_tr.axvline(float(tt), color="k", lw=0.8, gid="cursor")
    return fig


def _weight_scale(data):
    """Width and colour scales of a plastic result's weights over its whole run (None: not plastic)."""
    meta = getattr(data, "meta", None)
    if not isinstance(meta, dict) or "weights" not in meta:
        return None
    from .plasticity import weights

    w = weights(data)
    if getattr(data, "batched", False):
        w = w[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w[0] > 0, w / w[0], 1.0)
        logs = np.abs(np.log(ratio[np.isfinite(np.log(ratio))])) if ratio.size else np.zeros(1)
    return {"w_ref": float(w.max()) if w.size else 1.0, "span": float(logs.max()) if logs.size else 0.0}


def explore(data, t=None, *, neurons=None, classes=None, layout: str = "anatomical", wiring=None, var=None,
            step: float | None = None, missing: str = "error", **network_kw):
    """A time slider that redraws the network snapshot and the trace cursor.

    Parameters
    ----------
    data : Result, Activity or DataFrame
        Activity with a wiring.
    t : float, optional
        Initial time (ms; default: start of the span).
    step : float, optional
        Slider resolution (ms; default: span / 1000). Values between samples
        come from the dense output.

    Returns
    -------
    ipywidgets.VBox or matplotlib.figure.Figure
        The widget (attributes ``slider``, ``figure``, ``redraw``), or, when
        ipywidgets is not installed, the figure of :func:`static_view`.
    """
    act = as_activity(data, var=var, wiring=wiring)
    if not have_widgets():
        warnings.warn("ipywidgets is not installed (pip install circuitsim[widgets]); showing a static view",
                      stacklevel=2)
        return static_view(data, neurons=neurons, classes=classes, layout=layout, wiring=wiring, var=var,
                           missing=missing, **network_kw)
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    from . import plot

    lo, hi = act.span
    t0 = lo if t is None else float(t)
    act.check_span(t0)
    fig = plot.snapshot(act, t0, neurons=neurons, classes=classes, layout=layout, missing=missing, **network_kw)
    plt.close(fig)  # shown through the Output widget only
    scale = _weight_scale(data)
    if scale is not None:  # a plastic result: edges follow the learned weights at the slider's time
        from .plasticity.plot import draw_weight_edges, update_weight_edges

        lc = draw_weight_edges(data, t0, fig.axes_network, **scale)
        set_time = fig.set_time

        def set_time_and_weights(t_new):
            update_weight_edges(lc, data, float(t_new))
            return set_time(t_new)

        fig.set_time = set_time_and_weights
    slider = widgets.FloatSlider(value=t0, min=lo, max=hi, step=step or (hi - lo) / 1000.0, description="t (ms)",
                                 continuous_update=False, readout_format=".3f",
                                 layout=widgets.Layout(width="90%"))
    out = widgets.Output()

    def redraw(change=None):
        fig.set_time(slider.value)
        with out:
            out.clear_output(wait=True)
            display(fig)

    slider.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([slider, out])
    box.slider, box.figure, box.redraw = slider, fig, redraw
    return box
