"""The wiring drawn on the body or as a layered circuit, nodes coloured by activity at any time."""

from __future__ import annotations

import numpy as np

from ..analysis._activity import AnalysisError, as_activity
from . import _layout
from ._style import EDGE_STYLE, LAYER_COLOURS, PERCENTILES, SETTLE, extend, limits, value_label
from ._style import axes as new_axes

__all__ = ["network", "update_network"]


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
            vmin=None, vmax=None, percentiles=PERCENTILES, settle=SETTLE, node_size=None,
            edges=("chemical", "electrical"),
            min_weight: float = 0.0, labels=None, missing: str = "error", axes="auto", spread=True,
            colorbar: bool = True, legend: bool = True, arrows=None, names=None):
    """The wiring, nodes coloured by activity at time `t`.

    Parameters
    ----------
    data : Result, Activity, DataFrame or connectome.Wiring
        Activity (its wiring is used unless `wiring` is given; a result that
        recorded only some neurons is drawn on the wiring among those), or a
        Wiring alone (nodes coloured by layer). A Result shows its model's
        display quantity by default (``V - Vth`` in mV for the graded network).
    t : float, optional
        Time (ms) at which to colour the nodes, any float inside the span: the
        value comes from the dense output (default: the last sample).
    var : str, optional
        A state variable of a Result to show as it is (``"V"``).
    vmin, vmax : float, optional
        Colour limits (default: from `percentiles`).
    percentiles : (float, float) or None
        Default colour limits: these percentiles of the drawn neurons' activity
        over the span after its leading `settle` fraction (not only at `t`, so
        that a redrawn or animated network keeps one scale), weighted by time;
        see :func:`circuitsim.plot.colour_limits`. None: the full range.
    settle : float in [0, 1)
        Leading fraction of the span left out of the percentiles (default: half).
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
        position: raise, leave them out, or line them up in a row below the body.
    axes : "auto" or (str, str)
        Anatomical layout only: coordinate columns for horizontal, vertical.
    spread : bool or float
        Anatomical layout only: move apart somata that would overlap (in the
        packaged worm data about 200 head somata and every left/right pair
        share a place in a side view). True: at least 1/150 of the body's
        length apart (4.7 µm for the worm), moving each soma as little as
        possible, deterministically (:func:`circuitsim.plot.separate`); a
        number: that minimum distance in µm; False: the soma positions as
        they are. The moved positions are in ``nodes.get_offsets()``.

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
        pos, kept, used_axes = _layout.anatomical_positions(names_w, meta, axes=axes, missing=missing,
                                                            spread=spread)
    elif layout == "layered":
        pos, kept, used_axes = _layout.layered_positions(names_w, meta, w.inputs, w.outputs), None, None
        kept = np.ones(len(names_w), bool)
    else:
        raise AnalysisError(f"layout must be 'anatomical' or 'layered', got {layout!r}")
    keep_names = [nm for nm, k in zip(names_w, kept) if k]
    pos_of = dict(zip(keep_names, pos))
    ax = new_axes(ax, (11, 4) if layout == "anatomical" else (8, 7))
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
    size = node_size if node_size is not None else _node_size(ax, pos, n, layout, colorbar and act is not None)
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
        drawn = act.select(keep_names)
        values = drawn.at(float(t))
        lo, hi = limits(drawn.t, drawn.values, percentiles, vmin, vmax, settle=settle)
        nodes = ax.scatter(xy[:, 0], xy[:, 1], c=values, cmap=cmap, vmin=lo, vmax=hi, s=size, edgecolors="k",
                           linewidths=0.4 if size >= 16 else 0.15, zorder=3, gid="nodes")
        nodes.neurons = tuple(keep_names)
        nodes.activity = drawn
        if colorbar:
            ax.figure.colorbar(nodes, ax=ax, label=value_label(act), shrink=0.8, extend=extend(drawn.values, lo, hi))
        ax.set_title(f"t = {float(t):.6g} ms")
    else:
        layer = _layout.layer_of(keep_names, meta, w.inputs, w.outputs)
        nodes = ax.scatter(xy[:, 0], xy[:, 1], c=[LAYER_COLOURS[x] for x in layer], s=size, edgecolors="k",
                           linewidths=0.4 if size >= 16 else 0.15, zorder=3, gid="nodes")
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


def _node_size(ax, pos, n, layout, colorbar) -> float:
    """Marker area (pt^2): by neuron count, and no wider than nodes are apart on the page.

    Node positions are mapped to points with the Axes' size (the anatomical
    layout has equal aspect: its tighter direction sets the scale); nodes that
    share a place (e.g. soma positions drawn without spreading) are ignored.
    """
    size = max(12.0, min(120.0, 4000.0 / max(n, 1)))
    pos = np.unique(np.asarray(pos, dtype=float).reshape(-1, 2), axis=0)
    if len(pos) < 2:
        return size
    from scipy.spatial import cKDTree

    box = ax.get_position()
    width_pt = box.width * ax.figure.get_figwidth() * 72.0 * (0.85 if colorbar else 1.0)
    height_pt = box.height * ax.figure.get_figheight() * 72.0
    extent = np.where(np.ptp(pos, axis=0) > 0, np.ptp(pos, axis=0), 1.0) * 1.1
    scale = np.array([width_pt / extent[0], height_pt / extent[1]])
    if layout == "anatomical":
        scale[:] = scale.min()
    on_page = pos * scale
    gap = cKDTree(on_page).query(on_page, k=2)[0][:, 1].min()  # closest pair of nodes (points)
    return float(np.clip(gap ** 2, 5.0, size))


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


