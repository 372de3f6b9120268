"""Score predicted response matrices against the atlas, with a cluster bootstrap over stimulated neurons.

Every predictor is scored on the same pairs: measured in the atlas, inside the
optional pair mask, and predicted by *every* predictor given. Detection metrics
use positives (``q < alpha``) against confident negatives (``q_eq < alpha``,
``q >= alpha``) and rank pairs by ``|prediction|``; amplitude and sign metrics
use the positives only. The bootstrap resamples stimulated neurons (the columns)
with replacement, the same draws for every predictor, so that differences
between predictors can be read off paired replicates (:meth:`Scores.compare`).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from . import metrics
from .baselines import Prediction

__all__ = ["Scores", "score", "METRICS"]

#: metric name -> description
METRICS = {
    "auroc": "detection AUROC of |prediction|, positives vs confident negatives",
    "macro_auroc": "mean over stimulated neurons of the within-neuron detection AUROC",
    "auprc": "average precision of |prediction| (compare with base_rate)",
    "base_rate": "fraction of positives among the detection pairs (AUPRC of a random ranking)",
    "spearman": "Spearman correlation of the signed prediction with dF/F on the positives",
    "sign_accuracy": "balanced accuracy of sign(prediction) against sign(dF/F) on the positives",
}


@dataclasses.dataclass(frozen=True, eq=False)
class Scores:
    """Metrics of several predictors on one set of pairs.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per predictor; for every metric of :data:`METRICS` its value and
        the bootstrap interval (``<metric>_lo``, ``<metric>_hi``).
    replicates : dict
        ``{predictor: {metric: ndarray (n_boot,)}}``, paired across predictors.
    curves : dict
        ``{predictor: (fpr, tpr)}`` ROC curves on the detection pairs.
    counts : dict
        Pairs, positives, negatives, stimulated neurons scored.
    ci : float
    """

    table: pd.DataFrame
    replicates: dict
    curves: dict
    counts: dict
    ci: float

    def compare(self, a: str, b: str, metric: str = "auroc") -> dict:
        """Paired bootstrap of ``metric[a] - metric[b]``.

        Returns
        -------
        dict
            ``difference`` (point estimate), ``lo``, ``hi`` (interval at
            :attr:`ci`) and ``p_not_better``: the fraction of replicates in
            which `a` does not exceed `b`.
        """
        for name in (a, b):
            if name not in self.replicates:
                raise AnalysisError(f"no predictor {name!r}; scored: {list(self.replicates)}")
        d = self.replicates[a][metric] - self.replicates[b][metric]
        d = d[np.isfinite(d)]
        half = (1 - self.ci) / 2
        point = float(self.table.loc[a, metric] - self.table.loc[b, metric])
        if d.size == 0:
            return {"difference": point, "lo": np.nan, "hi": np.nan, "p_not_better": np.nan}
        return {"difference": point, "lo": float(np.quantile(d, half)), "hi": float(np.quantile(d, 1 - half)),
                "p_not_better": float((d <= 0).mean())}

    def summary(self, digits: int = 3) -> pd.DataFrame:
        """The table with ``value [lo, hi]`` strings per metric (for printing)."""
        out = {}
        for m in METRICS:
            v, lo, hi = self.table[m], self.table[f"{m}_lo"], self.table[f"{m}_hi"]
            out[m] = [("-" if not np.isfinite(x) else f"{x:.{digits}f} [{a:.{digits}f}, {b:.{digits}f}]")
                      for x, a, b in zip(v, lo, hi)]
        return pd.DataFrame(out, index=self.table.index)


def _as_prediction(name, p, shape):
    if not isinstance(p, Prediction):
        p = Prediction(name, np.asarray(p, dtype=np.float64), signed=True)
    values = np.asarray(p.values, dtype=np.float64)
    if values.shape != shape:
        raise AnalysisError(f"prediction {name!r} has shape {values.shape}; the target is {shape} "
                            "(responding x stimulated)")
    return dataclasses.replace(p, name=name, values=values)


def score(predictions: dict, target, *, pairs=None, n_boot: int = 500, seed: int = 0, ci: float = 0.95) -> Scores:
    """Score predictions against `target` on their common pairs.

    Parameters
    ----------
    predictions : dict
        ``{name: Prediction or array (n_responding, n_stimulated)}`` (arrays are
        taken as signed predictions).
    target : AtlasTarget
    pairs : array of bool (n_responding, n_stimulated), optional
        Restrict to these pairs (e.g. somata at least 10 µm apart).
    n_boot : int
        Bootstrap replicates (0: no intervals).
    seed : int
        Seed of the bootstrap draws.
    ci : float
        Coverage of the intervals (percentile bootstrap).

    Returns
    -------
    Scores

    Raises
    ------
    AnalysisError
        Shapes that do not match the target, or no pair left to score.
    """
    if not predictions:
        raise AnalysisError("no prediction to score")
    if not 0 < ci < 1:
        raise AnalysisError(f"ci must be in (0, 1), got {ci!r}")
    preds = {name: _as_prediction(name, p, target.shape) for name, p in predictions.items()}
    common = target.measured.copy()
    if pairs is not None:
        pairs = np.asarray(pairs, dtype=bool)
        if pairs.shape != target.shape:
            raise AnalysisError(f"pairs must have shape {target.shape}, got {pairs.shape}")
        common &= pairs
    for p in preds.values():
        common &= np.isfinite(p.values)
    pos_m, neg_m = target.positive & common, target.negative & common
    det = pos_m | neg_m
    if not pos_m.any() or not neg_m.any():
        raise AnalysisError("no positive or no confident negative pair left to score (check the circuit's "
                            "coverage of the atlas and the pair mask)")
    cols_used = np.flatnonzero(common.any(axis=0))
    cluster_of_col = np.full(target.shape[1], -1)
    cluster_of_col[cols_used] = np.arange(len(cols_used))
    K = len(cols_used)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, K, size=(int(n_boot), K))
    counts = np.stack([np.bincount(d, minlength=K) for d in draws]) if n_boot else np.zeros((0, K), np.int64)

    _, det_cols = np.nonzero(det)
    det_cluster = cluster_of_col[det_cols]
    labels = pos_m[det]
    _, sig_cols = np.nonzero(pos_m)
    sig_cluster = cluster_of_col[sig_cols]
    dff_sig = target.dff[pos_m]

    if n_boot:
        pos_per = np.bincount(det_cluster[labels], minlength=K).astype(float)
        all_per = np.bincount(det_cluster, minlength=K).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            base_rate = (counts @ pos_per) / (counts @ all_per)
    rows, reps, curves = [], {}, {}
    for name, p in preds.items():
        s = np.abs(p.values[det])
        v_sig = p.values[pos_m]
        point = {"auroc": metrics.auroc(s, labels), "auprc": metrics.average_precision(s, labels),
                 "base_rate": float(labels.mean()),
                 "macro_auroc": metrics.macro_auroc(s, labels, det_cluster)}
        rep = {}
        if n_boot:
            w = metrics.ClusterWeights(det_cluster, counts)
            rep["auroc"] = metrics.auroc(s, labels, w)
            rep["auprc"] = metrics.average_precision(s, labels, w)
            rep["base_rate"] = base_rate
            rep["macro_auroc"] = metrics.macro_auroc(s, labels, det_cluster, counts)
        if p.signed:
            point["spearman"] = metrics.spearman(v_sig, dff_sig)
            point["sign_accuracy"] = metrics.balanced_sign_accuracy(v_sig, dff_sig)
            if n_boot:
                ws = counts[:, sig_cluster]
                rep["spearman"] = np.array([metrics.spearman(v_sig, dff_sig, r) for r in ws])
                rep["sign_accuracy"] = metrics.balanced_sign_accuracy(v_sig, dff_sig, ws)
        else:
            point["spearman"] = point["sign_accuracy"] = np.nan
            if n_boot:
                rep["spearman"] = rep["sign_accuracy"] = np.full(n_boot, np.nan)
        row = {"predictor": name}
        half = (1 - ci) / 2
        for m in METRICS:
            row[m] = point[m]
            vals = rep.get(m, np.zeros(0))
            vals = vals[np.isfinite(vals)]
            row[f"{m}_lo"] = float(np.quantile(vals, half)) if vals.size else np.nan
            row[f"{m}_hi"] = float(np.quantile(vals, 1 - half)) if vals.size else np.nan
        rows.append(row)
        reps[name] = rep
        curves[name] = metrics.roc_curve(s, labels)
    table = pd.DataFrame(rows).set_index("predictor")
    info = {"pairs": int(common.sum()), "positive": int(pos_m.sum()), "negative": int(neg_m.sum()),
            "stimulated": int(K), "n_boot": int(n_boot), "seed": int(seed)}
    return Scores(table, reps, curves, info, float(ci))
