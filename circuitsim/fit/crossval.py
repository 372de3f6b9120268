"""K-fold cross-validation by stimulated neuron: fit on 80%, score the held-out 20% only."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ParameterError
from .driver import fit_atlas

__all__ = ["CrossValidation", "cross_validate", "FITTED", "PUBLISHED"]

#: row names of the fitted and of the starting model in the held-out score tables
FITTED, PUBLISHED = "fitted", "published"


@dataclasses.dataclass(frozen=True, eq=False)
class CrossValidation:
    """Held-out scores of fitted models, beside the starting model and the baselines.

    Every held-out column (stimulated neuron) is predicted by the model fitted
    without it; the columns of all folds run are scored together, with the
    cluster bootstrap over them.

    Attributes
    ----------
    folds : list of FitResult
    target : AtlasTarget
        The atlas restricted to the held-out columns of the folds run.
    predictions : dict
        ``{name: Prediction}`` on `target`: :data:`FITTED`, :data:`PUBLISHED` and
        the baselines (the hit rate of each column uses its fold's training
        columns only).
    scores, scores_far : Scores
        All held-out pairs; pairs with somata at least `min_distance` apart.
    amplitudes : list of dict
        Calibrated amplitudes of the fitted and published model per fold.
    """

    folds: list
    target: object
    predictions: dict
    scores: object
    scores_far: object
    amplitudes: list
    min_distance: float

    def summary(self, digits: int = 3):
        """Held-out metrics as ``value [lo, hi]`` per predictor."""
        return self.scores.summary(digits)


def _folds(names, k, seed):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(names))
    return [tuple(names[i] for i in sorted(chunk)) for chunk in np.array_split(order, k)]


def cross_validate(circuit, target=None, *, folds: int = 5, run_folds: int | None = None, seed: int = 0,
                   protocol=None, n_boot: int = 500, min_distance: float = 10.0, positions=None,
                   progress=None, **fit_options) -> CrossValidation:
    """Fit on all but one fold of stimulated neurons, score the held-out fold; repeat.

    Parameters
    ----------
    circuit : Circuit
        The graded circuit to start from (its published parameters).
    target : AtlasTarget, optional
        Default: the packaged wild-type atlas.
    folds : int
        Number of folds (5: each holds out 20% of the stimulated neurons).
    run_folds : int, optional
        Run only the first `run_folds` folds (default: all).
    seed : int
        Seed of the fold assignment and of the optimisers.
    protocol : Protocol, optional
        Protocol of the held-out scoring (default: the atlas protocol).
    n_boot, min_distance, positions
        As :func:`circuitsim.validate.atlas`.
    progress : callable, optional
        ``progress(fold, FitResult)`` after each fit.
    **fit_options
        Passed to :func:`fit_atlas` (``space``, ``popsize``, ``generations``,
        ``method``, ``objective``, the fit ``protocol`` as ``fit_protocol``...).

    Returns
    -------
    CrossValidation
    """
    from ..validate import baselines as B
    from ..validate.report import MODEL, atlas
    from ..validate.scoring import score
    from ..validate.target import AtlasTarget

    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ParameterError(f"folds must be an integer >= 2, got {folds!r}")
    run = folds if run_folds is None else int(run_folds)
    if not 1 <= run <= folds:
        raise ParameterError(f"run_folds must be in [1, {folds}], got {run_folds!r}")
    full = (target or AtlasTarget.load()).restrict(circuit.neurons)
    stimulated = [s for s, m in zip(full.stimulated, full.measured.any(axis=0)) if m]
    chunks = _folds(stimulated, folds, seed)
    fit_protocol = fit_options.pop("fit_protocol", None)
    results, parts, amplitudes = [], [], []
    for k in range(run):
        test = chunks[k]
        train = tuple(s for s in stimulated if s not in set(test))
        fitted = fit_atlas(circuit, full, train=train, test=test, seed=seed + k, protocol=fit_protocol,
                           **fit_options)
        results.append(fitted)
        if progress is not None:
            progress(k, fitted)
        kw = dict(target=full, stimulated=test, train_stimulated=train, protocol=protocol, sensitivity=(),
                  baselines=False, min_distance=0, n_boot=0)
        rep_fit = atlas(fitted.circuit, **kw)
        rep_pub = atlas(circuit, **kw)
        hit = B.hit_rate(rep_fit.target, train_stimulated=train, evidence=full)
        parts.append((rep_fit.target, rep_fit.predictions[MODEL].values, rep_pub.predictions[MODEL].values,
                      hit.values))
        amplitudes.append({FITTED: rep_fit.calibration.amplitude, PUBLISHED: rep_pub.calibration.amplitude})
    held = [s for part in parts for s in part[0].stimulated]
    heldout = full.restrict(stimulated=held)
    fitted_v, published_v, hit_v = (np.concatenate([p[i] for p in parts], axis=1) for i in (1, 2, 3))
    preds = {FITTED: B.Prediction(FITTED, fitted_v), PUBLISHED: B.Prediction(PUBLISHED, published_v)}
    structural = B.all_baselines(circuit.wiring, heldout, positions=positions)
    structural["hit rate"] = B.Prediction("hit rate", hit_v)
    preds.update(structural)
    scores = score(preds, heldout, n_boot=n_boot, seed=seed)
    far = None
    if min_distance and min_distance > 0:
        far = score(preds, heldout, pairs=B.pair_distances(heldout, positions) >= min_distance, n_boot=n_boot,
                    seed=seed)
    return CrossValidation(results, heldout, preds, scores, far, amplitudes, float(min_distance))
