"""Phase portrait: the population trajectory in principal-component space."""

from __future__ import annotations

import numpy as np

from ..analysis._activity import AnalysisError, as_activity
from ..analysis._common import window
from ..analysis._pca import pca as fit_pca
from ..analysis._stimulus import stimulus_intervals
from ._style import axes

__all__ = ["pca_trajectory"]


def pca_trajectory(data, t=None, *, pca=None, components=(0, 1), var=None, neurons=None, ax=None,
                   cmap="viridis", stimulus=None, start=None, stop=None, standardize: bool = False, names=None,
                   times=None):
    """Phase portrait: the population trajectory in principal-component space.

    Parameters
    ----------
    data : Result, Activity, DataFrame or array_like
        A Result's display quantity by default (for the graded network
        ``V - Vth``, whose components are those of ``V``: the thresholds are
        constant offsets).
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

    full = as_activity(data, var=var, t=times, names=names).select(neurons)
    act = window(full, start, stop) if (start is not None or stop is not None) else full
    c0, c1 = (int(c) for c in components)
    if pca is None:
        pca = fit_pca(act, max(c0, c1) + 1, standardize=standardize)
    if max(c0, c1) >= len(pca.components) or min(c0, c1) < 0:
        raise AnalysisError(f"components {components!r} not available: the PCA has {len(pca.components)}")
    if t is not None:
        full.check_span(t)
    traj = pca.transform(act.select(list(pca.neurons)).values)[:, [c0, c1]]
    ax = axes(ax, (5.5, 5))
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


