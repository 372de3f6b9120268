"""Ranking and sign metrics, with optional weights for cluster bootstraps.

Every function takes flat arrays of pair scores and labels. The optional
``weights`` (one non-negative weight per pair, or a 2-d array with one row per
bootstrap replicate) make a cluster bootstrap cheap: resampling stimulated
neurons with replacement is the same as weighting each pair by the number of
times its stimulated neuron was drawn, so the pairs are sorted once and every
replicate costs one pass. With integer weights each function equals the
unweighted function applied to the sample with every pair repeated that many
times (``tests/test_atlas_metrics.py`` checks this against slow references).
For a cluster bootstrap pass :class:`ClusterWeights` (the cluster of every
pair and the draw counts of every cluster) instead of the pair weights: the
same numbers, without building a replicate x pair matrix.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["ClusterWeights", "auroc", "average_precision", "roc_curve", "macro_auroc", "spearman", "balanced_sign_accuracy"]


class ClusterWeights(NamedTuple):
    """Pair weights given per cluster: pair ``k`` weighs ``counts[:, cluster[k]]``.

    Attributes
    ----------
    cluster : int array (n,)
        Cluster (e.g. stimulated neuron) of every pair, in 0 ... K-1.
    counts : array (B, K)
        Weight of every cluster in every replicate (bootstrap draw counts).
    """

    cluster: np.ndarray
    counts: np.ndarray


def _prepare(scores, labels, weights):
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels, dtype=bool).ravel()
    if scores.shape != labels.shape:
        raise ValueError(f"scores and labels must have the same length, got {scores.shape} and {labels.shape}")
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite (drop unscored pairs first)")
    if weights is None:
        weights = np.ones((1, scores.size))
        single = True
    elif isinstance(weights, ClusterWeights):
        cluster = np.asarray(weights.cluster, dtype=np.int64).ravel()
        counts = np.atleast_2d(np.asarray(weights.counts, dtype=np.float64))
        if cluster.shape != scores.shape or (cluster.size and (cluster.min() < 0 or cluster.max() >= counts.shape[1])):
            raise ValueError("ClusterWeights.cluster must give a cluster in [0, K) for every pair")
        if (counts < 0).any():
            raise ValueError("weights must be non-negative")
        weights = ClusterWeights(cluster, counts)
        single = False
    else:
        weights = np.asarray(weights, dtype=np.float64)
        single = weights.ndim == 1
        weights = np.atleast_2d(weights)
        if weights.shape[1] != scores.size:
            raise ValueError(f"weights must have {scores.size} columns (one per pair), got shape {weights.shape}")
        if (weights < 0).any():
            raise ValueError("weights must be non-negative")
    return scores, labels, weights, single


def _tie_groups(sorted_scores):
    """Start index of each run of equal values in a sorted array."""
    if sorted_scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])


def _grouped(scores, labels, weights, descending):
    """Total positive and negative weight of every run of tied scores, in score order: (B, G) each."""
    order = np.argsort(-scores if descending else scores, kind="mergesort")
    starts = _tie_groups(scores[order])
    lab = labels[order]
    if isinstance(weights, ClusterWeights):
        import scipy.sparse as sp

        group = np.cumsum(np.isin(np.arange(scores.size), starts)) - 1   # tie group of each sorted pair
        cl = weights.cluster[order]
        shape = (weights.counts.shape[1], starts.size)
        in_pos = sp.csr_array((lab.astype(float), (cl, group)), shape=shape)    # cluster x group pair counts
        in_neg = sp.csr_array(((~lab).astype(float), (cl, group)), shape=shape)
        return np.asarray((in_pos.T @ weights.counts.T).T), np.asarray((in_neg.T @ weights.counts.T).T)
    w = weights[:, order]
    pos = np.add.reduceat(w * lab, starts, axis=1) if starts.size else np.zeros((len(w), 0))
    neg = np.add.reduceat(w * ~lab, starts, axis=1) if starts.size else np.zeros((len(w), 0))
    return pos, neg


def auroc(scores, labels, weights=None):
    """Area under the ROC curve: P(score of a positive > score of a negative), ties counting 1/2.

    Parameters
    ----------
    scores : array (n,)
        Finite scores; larger means "more likely positive".
    labels : array (n,) of bool
    weights : array (n,) or (B, n), or ClusterWeights, optional
        Pair weights (see the module docstring).

    Returns
    -------
    float or ndarray (B,)
        NaN where a class has zero total weight.

    Examples
    --------
    >>> auroc([0.9, 0.4, 0.4, 0.1], [True, True, False, False])
    0.875
    """
    scores, labels, weights, single = _prepare(scores, labels, weights)
    pos, neg = _grouped(scores, labels, weights, descending=False)
    neg_below = np.cumsum(neg, axis=1) - neg
    n_pos, n_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (pos * (neg_below + 0.5 * neg)).sum(axis=1) / (n_pos * n_neg)
    out = np.where((n_pos > 0) & (n_neg > 0), out, np.nan)
    return float(out[0]) if single else out


def average_precision(scores, labels, weights=None):
    """Area under the precision-recall curve as the step sum ``sum_k (R_k - R_{k-1}) P_k``.

    Thresholds are the distinct score values, from the largest down (tied pairs
    enter together), the definition of ``sklearn.metrics.average_precision_score``.
    Compare it with the base rate (fraction of positives), the value of a
    random ranking.

    Parameters
    ----------
    scores, labels, weights
        As :func:`auroc`.

    Returns
    -------
    float or ndarray (B,)
        NaN where there is no positive weight.

    Examples
    --------
    >>> average_precision([0.9, 0.8, 0.3, 0.1], [True, False, True, False])
    0.8333333333333333
    """
    scores, labels, weights, single = _prepare(scores, labels, weights)
    pos, neg = _grouped(scores, labels, weights, descending=True)
    tp, fp = np.cumsum(pos, axis=1), np.cumsum(neg, axis=1)
    n_pos = pos.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        out = (pos * precision).sum(axis=1) / n_pos
    out = np.where(n_pos > 0, out, np.nan)
    return float(out[0]) if single else out


def roc_curve(scores, labels):
    """False- and true-positive rates at every distinct threshold (largest first).

    Returns
    -------
    fpr, tpr : ndarray
        Both start at 0 and end at 1.
    """
    scores, labels, weights, _ = _prepare(scores, labels, None)
    pos, neg = _grouped(scores, labels, weights, descending=True)
    tpr = np.r_[0.0, np.cumsum(pos[0])] / max(pos.sum(), 1e-300)
    fpr = np.r_[0.0, np.cumsum(neg[0])] / max(neg.sum(), 1e-300)
    return fpr, tpr


def macro_auroc(scores, labels, clusters, cluster_weights=None):
    """Mean over clusters (stimulated neurons) of the AUROC within each cluster.

    Clusters without both a positive and a negative pair are left out.

    Parameters
    ----------
    scores, labels : array (n,)
    clusters : array (n,) of int
        Cluster index of every pair (0 ... K-1).
    cluster_weights : array (K,) or (B, K), optional
        Weight of each cluster (bootstrap draw counts).

    Returns
    -------
    float or ndarray (B,)
    """
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(labels, dtype=bool).ravel()
    clusters = np.asarray(clusters, dtype=np.int64).ravel()
    K = int(clusters.max()) + 1 if clusters.size else 0
    if cluster_weights is not None:   # clusters may have no pair at all
        K = max(K, np.shape(cluster_weights)[-1])
    per = np.full(K, np.nan)
    for k in range(K):
        sel = clusters == k
        per[k] = auroc(scores[sel], labels[sel]) if sel.any() else np.nan
    ok = np.isfinite(per)
    if cluster_weights is None:
        return float(per[ok].mean()) if ok.any() else float("nan")
    w = np.atleast_2d(np.asarray(cluster_weights, dtype=np.float64))[:, ok]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (w * per[ok]).sum(axis=1) / w.sum(axis=1)
    return out if np.ndim(cluster_weights) == 2 else float(out[0])


def _rank(x):
    from scipy.stats import rankdata

    return rankdata(x, method="average")


def spearman(x, y, repeats=None):
    """Spearman rank correlation (Pearson correlation of average ranks).

    Parameters
    ----------
    x, y : array (n,)
    repeats : array (n,) of int, optional
        Multiplicity of every pair (a bootstrap sample): the correlation of the
        sample with pair ``k`` repeated ``repeats[k]`` times.

    Returns
    -------
    float
        NaN when either variable is constant (or fewer than 3 pairs).
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if repeats is not None:
        reps = np.asarray(repeats, dtype=np.int64).ravel()
        x, y = np.repeat(x, reps), np.repeat(y, reps)
    if x.size < 3:
        return float("nan")
    rx, ry = _rank(x), _rank(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    return float((rx * ry).sum() / den) if den > 0 else float("nan")


def balanced_sign_accuracy(predicted, measured, weights=None):
    """Mean of the sign accuracy on measured-positive and on measured-negative pairs.

    A pair is right when ``sign(predicted) == sign(measured)``; a prediction of
    exactly 0 counts as half right (a coin flip). Chance level is 0.5 whatever
    the balance of signs.

    Parameters
    ----------
    predicted, measured : array (n,)
        Signed values; pairs with ``measured == 0`` are ignored.
    weights : array (n,) or (B, n), optional

    Returns
    -------
    float or ndarray (B,)
        NaN when one sign class is empty.
    """
    predicted = np.asarray(predicted, dtype=np.float64).ravel()
    measured = np.asarray(measured, dtype=np.float64).ravel()
    single = weights is None or np.ndim(weights) == 1
    w = np.atleast_2d(np.ones_like(predicted) if weights is None else np.asarray(weights, dtype=np.float64))
    right = np.where(predicted == 0, 0.5, (np.sign(predicted) == np.sign(measured)).astype(float))
    accs = []
    for cls in (measured > 0, measured < 0):
        tot = (w * cls).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            accs.append(np.where(tot > 0, (w * cls * right).sum(axis=1) / tot, np.nan))
    out = 0.5 * (accs[0] + accs[1])
    return float(out[0]) if single else out
