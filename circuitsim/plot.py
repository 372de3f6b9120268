"""Pictures of simulated activity (matplotlib).

Every function takes ``ax=`` (or ``fig=``), draws, and returns the Axes or
Figure; nothing calls ``show``. Data arguments accept what
:func:`circuitsim.analysis.as_activity` accepts: a Result, a DataFrame (index
= time in ms), an :class:`~circuitsim.analysis.Activity`, or an array with
``t=`` and ``names=``.

Artists that tests and updates look for carry a ``gid``: ``"nodes"``,
``"edges-chemical-excitatory"``, ``"edges-chemical-inhibitory"``,
``"edges-electrical"``, ``"stimulus"``, ``"cursor"``, ``"trajectory"``,
``"time-marker"``, ``"heatmap"``.

Contents
--------
heatmap          activity of every neuron over time, grouped by type and class
traces           activity of chosen neurons or classes, with a time cursor
network          the wiring drawn anatomically or as a layered circuit, coloured at time t
update_network   recolour a network drawing for another time
pca_trajectory   phase portrait in principal-component space with time t marked
time_constants   effective time constants of a liquid model over time
snapshot         network + traces side by side at time t (an updatable Figure)
animate          an animation of the snapshot over time
save_animation   write an animation as GIF (pillow) or MP4 (ffmpeg)
animation_html   HTML5 video when ffmpeg is available, JavaScript player otherwise
order_neurons    drawing order by layer (sensory, inter, command, motor), class and name
layer_of         the layer of every neuron
"""

from __future__ import annotations

import numpy as np

from . import _layout
from ._activity import Activity, AnalysisError, as_activity, stimulus_intervals
from ._layout import layer_of, order_neurons

__all__ = [
    "animate",
    "animation_html",
    "heatmap",
    "layer_of",
    "network",
    "order_neurons",
    "pca_trajectory",
    "save_animation",
    "snapshot",
    "time_constants",
    "traces",
    "update_network",
]

EDGE_STYLE = {
    "chemical-excitatory": dict(color="#4daf4a", linestyle="-", label="chemical, excitatory"),
    "chemical-inhibitory": dict(color="#984ea3", linestyle="-", label="chemical, inhibitory"),
    "electrical": dict(color="0.45", linestyle=(0, (2, 2)), label="electrical (gap junction)"),
}

#: Node colours by layer when a wiring is drawn without activity.
LAYER_COLOURS = {"sensory": "#ff7f00", "inter": "#377eb8", "command": "#e41a1c", "motor": "#a65628"}


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, figsize=(8, 4.5)):
    if ax is None:
        fig, ax = _plt().subplots(figsize=figsize)
    return ax


def _value_label(act: Activity) -> str:
    var = act.var or "activity"
    return f"{var} ({act.unit})" if act.unit else var


def _mark_stimulus(ax, act: Activity, stimulus=None, shade: bool = True):
    """Mark stimulus intervals (gid ``"stimulus"``): shaded spans, or on/off lines when not `shade`."""
    if stimulus is False:
        return []
    intervals = stimulus_intervals(as_activity(act, stimulus=stimulus) if stimulus is not None else act)
    lo, hi = act.span
    intervals = [(max(s0, lo), min(s1, hi), lab) for s0, s1, lab in intervals if s1 >= lo and s0 <= hi]
    artists = []
    for k, (s0, s1, label) in enumerate(intervals):
        kw = dict(gid="stimulus", label="stimulus" if k == 0 else "_nolegend_")
        if s1 > s0 and shade:
            artists.append(ax.axvspan(s0, s1, color="gold", alpha=0.25, zorder=0.5, **kw))
        else:
            artists.append(ax.axvline(s0, color="red", lw=1.2, ls="--", **kw))
            if s1 > s0:
                artists.append(ax.axvline(s1, color="red", lw=1.2, ls=":", gid="stimulus", label="_nolegend_"))
    return artists


def _activity(data, var, t, names, wiring=None, stimulus=None):
    return as_activity(data, var=var, t=t, names=names, wiring=wiring, stimulus=stimulus)


# ---------------------------------------------------------------------------
# heatmap and traces
# ---------------------------------------------------------------------------
def heatmap(data, *, var=None, ax=None, classes: bool = False, neurons=None, order: str = "type",
            cmap="viridis", vmin=None, vmax=None, stimulus=None, colorbar: bool = True, max_labels: int = 50,
            normalize: str | None = None, start=None, stop=None, max_columns: int | None = 2000, wiring=None,
            t=None, names=None):
    """Activity of every neuron over time, grouped by layer (type) and class.

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like (n_t, n_neurons)
    classes : bool
        Average the members of each class first (AVAL + AVAR -> AVA).
    neurons : sequence of str, optional
        Only these neurons.
    order : {"type", "given"}
        ``"type"``: sensory, inter, command, motor; then class and name (the
        data's own order when it carries neither metadata nor a wiring).
        ``"given"``: the data's own order.
    stimulus : (start, stop), list, or False, optional
        Override (or with False hide) the stimulus marker taken from the data.
    max_labels : int
        Label every row when there are at most this many, else only the groups.
    normalize : {None, "zscore", "minmax"}
        Rescale every row (over the drawn window) so that small oscillations of
        weakly active neurons show; the colour bar then reads accordingly.
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
        The rows are in drawing order in ``ax.get_yticklabels()`` (when
        labelled); the mesh has gid ``"heatmap"``.
    """
    from .analysis import aggregate_classes

    from .analysis import _window

    act = _activity(data, var, t, names, wiring=wiring).select(neurons)
    if start is not None or stop is not None:
        act = _window(act, start, stop)
    if classes:
        act = aggregate_classes(act)
    if max_columns is not None and len(act.t) > int(max_columns):
        grid = np.linspace(*act.span, int(max_columns))
        act = act.replace(t=grid, values=act.at(grid))
    values = act.values
    label = _value_label(act)
    if normalize == "zscore":
        sd = values.std(axis=0)
        values = (values - values.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        label = f"{label}, z-scored per row"
    elif normalize == "minmax":
        lo_, rng_ = values.min(axis=0), np.ptp(values, axis=0)
        values = (values - lo_) / np.where(rng_ > 0, rng_, 1.0)
        label = f"{label}, scaled to [0, 1] per row"
    elif normalize is not None:
        raise AnalysisError(f"normalize must be None, 'zscore' or 'minmax'; got {normalize!r}")
    w = act.wiring
    known = act.metadata is not None and any(c in act.metadata for c in ("type", "layer", "class"))
    if order == "type" and (known or w is not None):
        idx, layers = _layout.order_neurons(act.neurons, act.metadata, getattr(w, "inputs", ()),
                                            getattr(w, "outputs", ()))
    elif order == "type":  # nothing to group by: keep the data's order
        idx, layers = np.arange(act.n), None
    elif order == "given":
        idx, layers = np.arange(act.n), None
    else:
        raise AnalysisError(f"order must be 'type' or 'given', got {order!r}")
    ax = _axes(ax, (9, max(3.0, min(8.0, 0.12 * act.n + 2))))
    rows = np.arange(act.n)
    mesh = ax.pcolormesh(act.t, rows, values[:, idx].T, shading="nearest", cmap=cmap, vmin=vmin, vmax=vmax,
                         gid="heatmap", rasterized=True)
    ax.set_ylim(act.n - 0.5, -0.5)
    ax.set_xlim(*act.span)
    ordered = [act.neurons[i] for i in idx]
    if act.n <= max_labels:
        ax.set_yticks(rows, ordered, fontsize=max(4, min(9, 600 // max(act.n, 1))))
    else:
        ax.set_yticks([])
    if layers is not None:
        starts = [i for i in range(act.n) if i == 0 or layers[i] != layers[i - 1]]
        for k, s in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else act.n
            if s > 0:
                ax.axhline(s - 0.5, color="white", lw=1.2, gid="group-separator")
            ax.text(1.01, (s + end) / 2, layers[s], transform=ax.get_yaxis_transform(), va="center",
                    ha="left", fontsize=8, rotation=90, gid="group-label")
    _mark_stimulus(ax, act, stimulus, shade=False)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("class" if classes else "neuron")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, label=label, pad=0.05)
    return ax


def traces(data, neurons=None, *, classes=None, var=None, ax=None, cursor=None, stimulus=None,
           resolution: int | None = None, legend: bool = True, wiring=None, t=None, names=None):
    """Activity of chosen neurons (or classes) over time.

    Parameters
    ----------
    neurons : sequence of str, optional
        Neurons to draw (default: all, if there are at most 20).
    classes : sequence of str, optional
        Class names (``"AVA"``) to draw as the mean of their members.
    cursor : float, optional
        Draw a vertical cursor at this time (ms; gid ``"cursor"``).
    resolution : int, optional
        Evaluate the dense output on this many evenly spaced times instead of
        drawing straight lines between samples (the samples are drawn as dots).
    wiring : connectome.Wiring, optional
        Source of the ``class`` column for `classes` when the data lacks it.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .analysis import aggregate_classes

    act = _activity(data, var, t, names, wiring=wiring)
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
    ax = _axes(ax)
    for j, nm in enumerate(act_sel.neurons):
        if resolution:
            tt = np.linspace(*act_sel.span, int(resolution))
            (line,) = ax.plot(tt, act_sel.at(tt)[:, j], label=nm)
            ax.plot(act_sel.t, act_sel.values[:, j], ".", color=line.get_color(), ms=3, label="_nolegend_")
        else:
            ax.plot(act_sel.t, act_sel.values[:, j], label=nm)
    _mark_stimulus(ax, act, stimulus)
    if cursor is not None:
        act.check_span(cursor)
        ax.axvline(float(cursor), color="k", lw=1, gid="cursor")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(_value_label(act))
    if legend and act_sel.n <= 20:
        ax.legend(fontsize=8, loc="best", ncol=2 if act_sel.n > 8 else 1)
    return ax


# ---------------------------------------------------------------------------
# network
# ---------------------------------------------------------------------------
def _split_data(data, wiring, var, names):
    """(activity or None, wiring) from a Result/Activity/DataFrame or a Wiring."""
    if hasattr(data, "chemical") and hasattr(data, "electrical") and not hasattr(data, "t"):
        return None, data
    act = as_activity(data, var=var, names=names, wiring=wiring)
    w = wiring if wiring is not None else act.wiring
    if w is None:
        raise AnalysisError("drawing the network needs the wiring: pass wiring=<connectome.Wiring>")
    if wiring is None and len(act.neurons) < w.n and set(act.neurons) <= set(w.neurons):
        recorded = set(act.neurons)  # a result that recorded some neurons: draw those
        w = w.subset([nm for nm in w.neurons if nm in recorded])
    return act, w


def _edge_segments(wiring, keep_names, pos_of, edge_types, min_weight):
    """Line segments and widths per edge category."""
    out = {}
    edges = wiring.edges
    edges = edges[edges["pre"].isin(keep_names) & edges["post"].isin(keep_names) & (edges["pre"] != edges["post"])]
    edges = edges[edges["weight"] >= min_weight]
    for cat in EDGE_STYLE:
        typ = "electrical" if cat == "electrical" else "chemical"
        if typ not in edge_types:
            continue
        sub = edges[edges["type"] == typ]
        if typ == "chemical":
            sub = sub[sub["sign"] == (1 if cat.endswith("excitatory") else -1)]
        if not len(sub):
            continue
        segs = np.stack([np.array([pos_of[p] for p in sub["pre"]]), np.array([pos_of[q] for q in sub["post"]])],
                        axis=1)
        w = sub["weight"].to_numpy(float)
        widths = 0.3 + 1.2 * np.log1p(w) / np.log1p(max(w.max(), 1.0))
        out[cat] = (segs, widths)
    return out


def network(data, t=None, *, layout: str = "anatomical", wiring=None, var=None, ax=None, cmap="coolwarm",
            vmin=None, vmax=None, node_size=None, edges=("chemical", "electrical"), min_weight: float = 0.0,
            labels=None, missing: str = "error", axes="auto", colorbar: bool = True, legend: bool = True,
            arrows=None, names=None):
    """The wiring, nodes coloured by activity at time `t`.

    Parameters
    ----------
    data : Result, Activity, DataFrame or connectome.Wiring
        Activity (its wiring is used unless `wiring` is given; a result that
        recorded only some neurons is drawn on the wiring among those), or a
        Wiring alone (nodes coloured by layer).
    t : float, optional
        Time (ms) at which to colour the nodes, any float inside the span: the
        value comes from the dense output (default: the last sample).
    layout : {"anatomical", "layered"}
        ``"anatomical"``: soma positions along the body (the two coordinates
        with the largest spread, head on the left for the packaged data).
        ``"layered"``: sensory -> inter -> command -> motor columns.
    edges : sequence of {"chemical", "electrical"}
        Synapse types to draw (empty: none). Chemical edges are coloured by
        sign, electrical ones dashed grey; widths grow with log(weight).
    min_weight : float
        Hide synapses weaker than this.
    labels : bool, optional
        Write neuron names (default: when at most 60 neurons).
    arrows : bool, optional
        Arrowheads (pre -> post) on chemical synapses (gid ``"arrow"``; default:
        when at most 150 chemical synapses are drawn).
    missing : {"error", "drop", "row"}
        Anatomical layout only: what to do with neurons without a soma
        position (see :func:`circuitsim._layout.anatomical_positions`).
    axes : "auto" or (str, str)
        Anatomical layout only: coordinate columns for horizontal, vertical.

    Returns
    -------
    matplotlib.axes.Axes
        The node collection (gid ``"nodes"``) has ``.neurons`` (names in
        drawing order) and colours ``cmap(norm(values at t))``.

    Raises
    ------
    MissingPositionsError
        Anatomical layout, ``missing="error"``, neurons without x, y, z.
    OutOfSpanError
        `t` outside the simulated span.
    """
    edges = (edges,) if isinstance(edges, str) else tuple(edges or ())
    unknown = [e for e in edges if e not in ("chemical", "electrical")]
    if unknown:
        raise AnalysisError(f"edges must name 'chemical' and/or 'electrical' synapses, got {unknown}")
    act, w = _split_data(data, wiring, var, names)
    if act is not None and t is not None:
        act.check_span(t)  # before anything is drawn
    names_w = list(w.neurons)
    meta = w.metadata
    if (meta is None or meta.shape[1] == 0) and act is not None and act.metadata is not None:
        meta = act.metadata.reindex(names_w)
    if layout == "anatomical":
        pos, kept, used_axes = _layout.anatomical_positions(names_w, meta, axes=axes, missing=missing)
    elif layout == "layered":
        pos, kept, used_axes = _layout.layered_positions(names_w, meta, w.inputs, w.outputs), None, None
        kept = np.ones(len(names_w), bool)
    else:
        raise AnalysisError(f"layout must be 'anatomical' or 'layered', got {layout!r}")
    keep_names = [nm for nm, k in zip(names_w, kept) if k]
    pos_of = dict(zip(keep_names, pos))
    ax = _axes(ax, (11, 4) if layout == "anatomical" else (8, 7))
    from matplotlib.collections import LineCollection

    segments = _edge_segments(w, set(keep_names), pos_of, edges, min_weight)
    n_edges = sum(len(s) for s, _ in segments.values())
    alpha = float(np.clip(4.0 / np.sqrt(max(n_edges, 1)), 0.04, 0.6))
    for cat, (segs, widths) in segments.items():
        style = EDGE_STYLE[cat]
        ax.add_collection(LineCollection(segs, colors=style["color"], linestyles=style["linestyle"],
                                         linewidths=widths, alpha=alpha, zorder=1, gid=f"edges-{cat}",
                                         label=style["label"]))
    n = len(keep_names)
    size = node_size if node_size is not None else max(12.0, min(120.0, 4000.0 / max(n, 1)))
    chem = [(cat, segs) for cat, (segs, _) in segments.items() if cat != "electrical"]
    n_chem = sum(len(segs) for _, segs in chem)
    if arrows or (arrows is None and 0 < n_chem <= 150):
        from matplotlib.patches import FancyArrowPatch

        shrink = 0.5 * np.sqrt(size) + 1.0  # node radius in points
        for cat, segs in chem:
            for (x0, y0), (x1, y1) in segs:
                ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10,
                                             color=EDGE_STYLE[cat]["color"], alpha=min(1.0, 2 * alpha), lw=0,
                                             shrinkA=shrink, shrinkB=shrink, zorder=2, gid="arrow"))
    xy = np.array([pos_of[nm] for nm in keep_names]).reshape(-1, 2)
    if act is not None:
        missing_act = [nm for nm in keep_names if nm not in act.neurons]
        if missing_act:
            raise AnalysisError(f"{len(missing_act)} wiring neurons have no activity in the data: {missing_act[:10]}")
        if t is None:
            t = act.t[-1]
        values = act.select(keep_names).at(float(t))
        lo = np.nanmin(act.values) if vmin is None else vmin
        hi = np.nanmax(act.values) if vmax is None else vmax
        if hi <= lo:
            lo, hi = lo - 1.0, hi + 1.0
        nodes = ax.scatter(xy[:, 0], xy[:, 1], c=values, cmap=cmap, vmin=lo, vmax=hi, s=size, edgecolors="k",
                           linewidths=0.4, zorder=3, gid="nodes")
        nodes.neurons = tuple(keep_names)
        nodes.activity = act.select(keep_names)
        if colorbar:
            ax.figure.colorbar(nodes, ax=ax, label=_value_label(act), shrink=0.8)
        ax.set_title(f"t = {float(t):.6g} ms")
    else:
        layer = _layout.layer_of(keep_names, meta, w.inputs, w.outputs)
        nodes = ax.scatter(xy[:, 0], xy[:, 1], c=[LAYER_COLOURS[x] for x in layer], s=size, edgecolors="k",
                           linewidths=0.4, zorder=3, gid="nodes")
        nodes.neurons = tuple(keep_names)
        nodes.activity = None
    if labels or (labels is None and n <= 60):
        for nm, (x, y) in zip(keep_names, xy):
            ax.annotate(nm, (x, y), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=6, zorder=4)
    if legend:
        from matplotlib.lines import Line2D

        handles = []
        if act is None:
            handles += [Line2D([], [], marker="o", ls="", color=c, label=k) for k, c in LAYER_COLOURS.items()
                        if k in layer]
        handles += [Line2D([], [], color=s["color"], ls=s["linestyle"], label=s["label"])
                    for c, s in EDGE_STYLE.items() if any(a.get_gid() == f"edges-{c}" for a in ax.collections)]
        if handles:
            below = -0.2 if layout == "anatomical" else -0.08
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, below), fontsize=7,
                      ncol=min(len(handles), 4), frameon=False)
    if layout == "anatomical":
        ax.set_xlabel(f"{used_axes[0]} (µm, body axis)")
        ax.set_ylabel(f"{used_axes[1]} (µm)")
        ax.set_aspect("equal", adjustable="datalim")
    else:
        ax.set_xticks(range(len(_layout.LAYERS)), _layout.LAYERS)
        ax.set_yticks([])
    ax.autoscale_view()
    ax.margins(0.05)
    return ax


def _nodes(ax):
    for coll in ax.collections:
        if coll.get_gid() == "nodes":
            return coll
    raise AnalysisError("these Axes hold no network drawing (no artist with gid 'nodes')")


def update_network(ax, t: float):
    """Recolour a :func:`network` drawing for time `t` (ms) through the dense output; returns the node artist."""
    nodes = _nodes(ax)
    if nodes.activity is None:
        raise AnalysisError("this network drawing has no activity to show at another time")
    nodes.set_array(nodes.activity.at(float(t)))
    ax.set_title(f"t = {float(t):.6g} ms")
    return nodes


# ---------------------------------------------------------------------------
# PCA trajectory
# ---------------------------------------------------------------------------
def pca_trajectory(data, t=None, *, pca=None, components=(0, 1), var=None, neurons=None, ax=None,
                   cmap="viridis", stimulus=None, start=None, stop=None, standardize: bool = False, names=None,
                   times=None):
    """Phase portrait: the population trajectory in principal-component space.

    Parameters
    ----------
    data : Result, Activity, DataFrame or array_like
    t : float, optional
        Time (ms) to mark (dense output projected onto the components).
    pca : circuitsim.analysis.PCA, optional
        A fitted PCA (default: fitted on `data`).
    components : (int, int)
        Zero-based components for the horizontal and vertical axes.
    start, stop : float, optional
        Draw (and fit) only this time window (ms), e.g. after a transient.
    standardize : bool
        Fit the PCA on z-scored neurons (see :func:`circuitsim.analysis.pca`).

    Returns
    -------
    matplotlib.axes.Axes
        The trajectory (gid ``"trajectory"``) is coloured by time; the marker
        at `t` has gid ``"time-marker"``.
    """
    from matplotlib.collections import LineCollection

    from .analysis import _window
    from .analysis import pca as fit_pca

    full = as_activity(data, var=var, t=times, names=names).select(neurons)
    act = _window(full, start, stop) if (start is not None or stop is not None) else full
    c0, c1 = (int(c) for c in components)
    if pca is None:
        pca = fit_pca(act, max(c0, c1) + 1, standardize=standardize)
    if max(c0, c1) >= len(pca.components) or min(c0, c1) < 0:
        raise AnalysisError(f"components {components!r} not available: the PCA has {len(pca.components)}")
    if t is not None:
        full.check_span(t)
    traj = pca.transform(act.select(list(pca.neurons)).values)[:, [c0, c1]]
    ax = _axes(ax, (5.5, 5))
    segs = np.stack([traj[:-1], traj[1:]], axis=1)
    lc = LineCollection(segs, cmap=cmap, gid="trajectory")
    lc.set_array(0.5 * (act.t[:-1] + act.t[1:]))
    ax.add_collection(lc)
    ax.figure.colorbar(lc, ax=ax, label="time (ms)")
    ax.plot(*traj[0], "o", color="k", ms=4, gid="start", label="start")
    for s0, _s1, _lab in stimulus_intervals(as_activity(act, stimulus=stimulus) if stimulus is not None else act):
        if act.span[0] <= s0 <= act.span[1]:
            p = pca.transform(act.select(list(pca.neurons)).at(s0))[[c0, c1]]
            ax.plot(*p, "*", color="goldenrod", ms=11, gid="stimulus", label="stimulus onset")
    if t is not None:
        p = pca.transform(full.select(list(pca.neurons)).at(float(t)))[[c0, c1]]
        ax.plot(*p, "o", color="red", ms=9, mec="k", gid="time-marker", label=f"t = {float(t):.6g} ms")
    r = pca.explained_variance_ratio
    ax.set_xlabel(f"PC{c0 + 1} ({100 * r[c0]:.1f} % variance)")
    ax.set_ylabel(f"PC{c1 + 1} ({100 * r[c1]:.1f} % variance)")
    ax.autoscale_view()
    ax.legend(fontsize=8, loc="best")
    return ax


# ---------------------------------------------------------------------------
# time constants
# ---------------------------------------------------------------------------
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
    ax = _axes(ax)
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
    _mark_stimulus(ax, act, None)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("effective time constant (ms)")
    return ax


# ---------------------------------------------------------------------------
# snapshot, animation
# ---------------------------------------------------------------------------
def snapshot(data, t=None, *, neurons=None, classes=None, layout: str = "anatomical", wiring=None, var=None,
             fig=None, missing: str = "error", **network_kw):
    """Network coloured at time `t` beside traces with a cursor at `t`.

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.set_time(t)`` that recolours the nodes and moves the
        cursor (used by :func:`animate` and the widgets).
    """
    act = as_activity(data, var=var, wiring=wiring)
    if t is None:
        t = act.t[0]
    if neurons is None and classes is None:
        outs = list(getattr(act.wiring, "outputs", ()))[:4] + list(getattr(act.wiring, "inputs", ()))[:2]
        neurons = outs or list(act.neurons[: min(6, act.n)])
    if fig is None:
        fig = _plt().figure(figsize=(13, 4.5) if layout == "anatomical" else (12, 5.5))
    if layout == "anatomical":
        ax_net, ax_tr = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    else:
        ax_net, ax_tr = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    network(act, t, layout=layout, ax=ax_net, missing=missing, **network_kw)
    traces(act, neurons, classes=classes, ax=ax_tr, cursor=t)
    cursor = next(a for a in ax_tr.lines if a.get_gid() == "cursor")

    def set_time(t_new):
        t_new = float(t_new)
        update_network(ax_net, t_new)
        cursor.set_xdata([t_new, t_new])
        return fig

    fig.set_time = set_time
    fig.axes_network, fig.axes_traces = ax_net, ax_tr
    fig.tight_layout()
    return fig


def animate(data, times=None, *, n_frames: int = 40, interval: float = 100.0, fig=None, **snapshot_kw):
    """An animation of :func:`snapshot` over time.

    Parameters
    ----------
    times : array_like, optional
        Frame times (ms), any floats inside the span (default: `n_frames`
        evenly spaced over the span).
    interval : float
        Milliseconds of wall-clock time between frames.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Save it with :func:`save_animation` or show it with :func:`animation_html`.
    """
    from matplotlib.animation import FuncAnimation

    act = as_activity(data, var=snapshot_kw.pop("var", None), wiring=snapshot_kw.pop("wiring", None))
    times = np.linspace(*act.span, int(n_frames)) if times is None else np.asarray(times, dtype=float)
    act.check_span(times)
    fig = snapshot(act, times[0], fig=fig, **snapshot_kw)
    anim = FuncAnimation(fig, lambda i: fig.set_time(times[i]) and [], frames=len(times), interval=interval,
                         blit=False, repeat=False)
    anim.times = times
    return anim


def save_animation(anim, path, *, fps: int = 10, dpi: int = 80):
    """Write `anim` to `path`: ``.gif`` with pillow, ``.mp4`` with ffmpeg.

    Raises
    ------
    AnalysisError
        Unknown suffix, or ``.mp4`` without ffmpeg installed.
    """
    from pathlib import Path

    from matplotlib import animation

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        writer = animation.PillowWriter(fps=fps)
    elif suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise AnalysisError("writing .mp4 needs ffmpeg, which is not installed; save a .gif instead")
        writer = animation.FFMpegWriter(fps=fps)
    else:
        raise AnalysisError(f"animation path must end in .gif or .mp4, got {path.name!r}")
    anim.save(str(path), writer=writer, dpi=dpi)
    return path


def animation_html(anim) -> str:
    """HTML for a notebook: an HTML5 ``<video>`` when ffmpeg is available, else a JavaScript player."""
    from matplotlib import animation

    if animation.writers.is_available("ffmpeg"):
        return anim.to_html5_video()
    return anim.to_jshtml()
