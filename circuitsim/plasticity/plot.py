"""Pictures of learning: weight trajectories, the Δw matrix, the network with edges set by the weights."""

from __future__ import annotations

import numpy as np

from .analysis import _info, learned_wiring, weight_matrix, weights

__all__ = ["weight_trajectories", "delta_w_matrix", "weight_network", "draw_weight_edges", "update_weight_edges"]


def _axes(ax, size):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=size)[1]


def weight_trajectories(result, k: int = 10, *, ax=None):
    """Weights of the `k` recorded synapses that changed most, over time (gid ``"weight-trace"``)."""
    info = _info(result)
    ax = _axes(ax, (7, 3.5))
    w = weights(result)
    if result.batched:
        w = w[0]
    change = np.abs(w[-1] - w[0])
    top = np.argsort(-change, kind="stable")[:k]
    t = result.t if result.t.ndim == 1 else result.t[0]
    for j in top:
        ax.plot(t / 1000.0, w[:, j], lw=1, gid="weight-trace", label=f"{info['pre'][j]} -> {info['post'][j]}")
    ax.set_xlabel("t (s)")
    ax.set_ylabel(f"w ({info['unit']})")
    ax.legend(fontsize=6, ncol=2, frameon=False)
    return ax


def delta_w_matrix(result, t=None, *, ax=None, cmap="RdBu_r"):
    """``w(t) - w(0)`` as a matrix ``[pre, post]`` in wiring order (gid ``"delta-w"``)."""
    ax = _axes(ax, (5, 4.5))
    dW = weight_matrix(result, t, delta=True).toarray()
    lim = max(np.abs(dW).max(), 1e-300)
    im = ax.imshow(dW, cmap=cmap, vmin=-lim, vmax=lim, interpolation="nearest", gid="delta-w")
    ax.figure.colorbar(im, ax=ax, label="Δw", shrink=0.8)
    names = result.wiring.neurons
    if len(names) <= 40:
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
        ax.set_yticks(range(len(names)), names, fontsize=6)
    ax.set_xlabel("post")
    ax.set_ylabel("pre")
    return ax


def weight_network(result, t=None, *, layout="layered", ax=None, cmap="PiYG", **kw):
    """The network at `t` with its plastic synapses drawn by weight.

    Nodes are coloured by activity (:func:`circuitsim.plot.network`, on the learned wiring,
    so every edge's width follows its weight at `t`); plastic synapses are drawn again on
    top, width by ``w(t)`` and colour by ``w(t) / w(0)`` (gid ``"edges-plastic"``, see
    :func:`draw_weight_edges`).
    """
    from ..plot import network

    _info(result)
    ax = network(result, t, layout=layout, wiring=learned_wiring(result, t), ax=ax, **kw)
    draw_weight_edges(result, t, ax, cmap=cmap)
    return ax


def _weights_at(result, t):
    w = weights(result)
    if result.batched:
        w = w[0]
    wt = w[-1] if t is None else np.asarray(weights(result, t)).reshape(-1, w.shape[-1])[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w[0] > 0, wt / w[0], 1.0)
    return w, wt, ratio


def draw_weight_edges(result, t, ax, *, cmap="PiYG", w_ref=None, span=None, colorbar=True):
    """Draw the recorded plastic synapses on a network picture `ax` by their weight at `t`.

    Width ``0.5 + 3 w(t) / w_ref`` (default `w_ref`: the largest weight at `t`), colour
    ``log(w(t) / w(0))`` on a symmetric scale of half-width `span` (default: the largest
    at `t`). Positions are those of the picture's nodes (gid ``"nodes"``); self-loops
    are left out. Returns the ``LineCollection`` (gid ``"edges-plastic"``) with
    attribute ``synapses`` (positions in the recorded weights), updated in place by
    :func:`update_weight_edges`.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.colors import TwoSlopeNorm

    info = _info(result)
    nodes = next(c for c in ax.collections if c.get_gid() == "nodes")
    pos = dict(zip(nodes.neurons, nodes.get_offsets()))
    _, wt, ratio = _weights_at(result, t)
    keep = np.array([j for j, (a, b) in enumerate(zip(info["pre"], info["post"])) if a in pos and b in pos and a != b],
                    dtype=np.int64)
    segs = [[pos[info["pre"][j]], pos[info["post"][j]]] for j in keep]
    if w_ref is None:
        w_ref = wt[keep].max() if len(keep) else 1.0
    w_ref = max(float(w_ref), 1e-300)
    if span is None:
        span = np.abs(np.log(ratio[keep])).max() if len(keep) else 0.0
    span = max(float(span), 1e-3)
    lc = LineCollection(segs, array=np.log(ratio[keep]), cmap=cmap, norm=TwoSlopeNorm(0.0, -span, span),
                        linewidths=0.5 + 3.0 * wt[keep] / w_ref, zorder=2, gid="edges-plastic")
    lc.synapses, lc.w_ref = keep, w_ref
    ax.add_collection(lc)
    if colorbar:
        ax.figure.colorbar(lc, ax=ax, label="log w(t) / w(0)", shrink=0.6)
    return lc


def update_weight_edges(lc, result, t):
    """Set the widths and colours of `lc` (from :func:`draw_weight_edges`) to the weights at `t`."""
    _, wt, ratio = _weights_at(result, t)
    lc.set_linewidths(0.5 + 3.0 * wt[lc.synapses] / lc.w_ref)
    lc.set_array(np.log(ratio[lc.synapses]))
    return lc
