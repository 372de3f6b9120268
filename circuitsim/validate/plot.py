"""Pictures of an atlas comparison: measured vs predicted matrices, ROC curves.

matplotlib is imported here only; every function draws into axes it is given
(or a new figure) and returns the figure, never showing it.
"""

from __future__ import annotations

import numpy as np

from ..errors import AnalysisError

__all__ = ["matrices", "roc", "class_order"]

_TYPE_ORDER = {"sensory": 0, "interneuron": 1, "motor": 2, "pharyngeal": 3}


def class_order(names, table=None) -> list:
    """`names` sorted by neuron type (sensory, inter, motor, pharyngeal), then class, then name.

    Parameters
    ----------
    names : sequence of str
    table : pandas.DataFrame, optional
        ``type`` and ``class`` by name (default: the packaged neuron table).
    """
    if table is None:
        import connectome

        table = connectome.load("cook2019_herm").neurons
    info = table.reindex(list(names))
    types = info["type"].map(_TYPE_ORDER).fillna(9).to_numpy() if "type" in info else np.zeros(len(names))
    classes = info["class"].fillna("").astype(str).to_numpy() if "class" in info else [""] * len(names)
    return [n for _, _, n in sorted(zip(types, classes, names))]


def _new_axes(n, ax, figsize):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, n, figsize=figsize, squeeze=False)
        return fig, list(axes[0])
    axes = list(np.atleast_1d(ax))
    if len(axes) != n:
        raise AnalysisError(f"ax must hold {n} axes, got {len(axes)}")
    return axes[0].figure, axes


def matrices(target, predicted, *, ax=None, order: str = "class", significant_only: bool = False,
             mask_unmeasured: bool = True, quantile: float = 0.99, title: str = "model"):
    """Measured dF/F and predicted responses side by side, ``[responding, stimulated]``.

    Parameters
    ----------
    target : AtlasTarget
    predicted : pandas.DataFrame or ndarray
        ``r[responding, stimulated]``: a DataFrame indexed by neuron names (rows)
        and stimulated names (columns), or an array aligned to `target`.
    ax : pair of matplotlib Axes, optional
    order : {"class", "name"}
        Row and column order: by type and class (default) or the target's.
    significant_only : bool
        Show measured values only where ``q < alpha``.
    mask_unmeasured : bool
        Grey out predicted values where the atlas has no measurement.
    quantile : float
        Each panel's colour range is +- this quantile of its absolute values.
    title : str
        Title of the predicted panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import pandas as pd

    if isinstance(predicted, pd.DataFrame):
        pred = predicted.reindex(index=list(target.responding), columns=list(target.stimulated)).to_numpy(float)
    else:
        pred = np.asarray(predicted, dtype=float)
        if pred.shape != target.shape:
            raise AnalysisError(f"predicted must have shape {target.shape}, got {pred.shape}")
    if order not in ("class", "name"):
        raise AnalysisError(f"order must be 'class' or 'name', got {order!r}")
    rows, cols = list(target.responding), list(target.stimulated)
    if order == "class":
        rows, cols = class_order(rows), class_order(cols)
    ri = [target.responding.index(n) for n in rows]
    ci = [target.stimulated.index(n) for n in cols]
    measured = np.where(target.measured, target.dff, np.nan)
    if significant_only:
        measured = np.where(target.positive, measured, np.nan)
    if mask_unmeasured:
        pred = np.where(target.measured, pred, np.nan)
    fig, axes = _new_axes(2, ax, (13, 6))
    import matplotlib as mpl

    cmap = mpl.colormaps["RdBu_r"].with_extremes(bad="0.85")
    for a, mat, label, unit in ((axes[0], measured, f"measured ({target.label})", "dF/F"),
                                (axes[1], pred, title, "response")):
        m = mat[np.ix_(ri, ci)]
        finite = np.abs(m[np.isfinite(m)])
        vmax = float(np.quantile(finite, quantile)) if finite.size and finite.max() > 0 else 1.0
        im = a.imshow(np.ma.masked_invalid(m), cmap=cmap, vmin=-vmax, vmax=vmax, aspect="auto",
                      interpolation="nearest")
        a.set_title(label)
        a.set_xlabel("stimulated neuron")
        a.set_ylabel("responding neuron")
        step_c, step_r = max(1, len(cols) // 40), max(1, len(rows) // 50)
        a.set_xticks(range(0, len(cols), step_c), cols[::step_c], rotation=90, fontsize=5)
        a.set_yticks(range(0, len(rows), step_r), rows[::step_r], fontsize=5)
        fig.colorbar(im, ax=a, label=unit, shrink=0.8)
    return fig


def roc(scores, *, ax=None, names=None, title: str = "detection: q < alpha vs confident negatives"):
    """ROC curves (positives vs confident negatives) of the model and baselines.

    Parameters
    ----------
    scores : Scores or AtlasReport
        A report's :attr:`~AtlasReport.scores` are used.
    ax : matplotlib Axes, optional
    names : sequence of str, optional
        Predictors to draw (default: all, the model first).

    Returns
    -------
    matplotlib.figure.Figure
    """
    scores = getattr(scores, "scores", scores)
    fig, (a,) = _new_axes(1, None if ax is None else [ax], (5.5, 5))
    names = list(scores.curves) if names is None else list(names)
    for k, name in enumerate(names):
        if name not in scores.curves:
            raise AnalysisError(f"no ROC curve for {name!r}; have {list(scores.curves)}")
        fpr, tpr = scores.curves[name]
        auc = scores.table.loc[name, "auroc"]
        a.plot(fpr, tpr, lw=2.2 if k == 0 else 1.2, label=f"{name} ({auc:.3f})")
    a.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls="--")
    a.set_xlabel("false-positive rate")
    a.set_ylabel("true-positive rate")
    a.set_title(title, fontsize=9)
    a.legend(fontsize=8, loc="lower right")
    a.set_aspect("equal")
    return fig
