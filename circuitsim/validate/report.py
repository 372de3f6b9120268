"""One call that scores a circuit against the atlas, beside the naive baselines."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from . import baselines as _baselines
from .baselines import Prediction
from .experiment import Calibration, Protocol, as_frame, calibrate_amplitude, responses
from .scoring import Scores, score
from .target import AtlasCoverageError, AtlasTarget

__all__ = ["AtlasReport", "atlas", "MODEL"]

#: name of the model's row in the score tables
MODEL = "model"


@dataclasses.dataclass(frozen=True, eq=False)
class AtlasReport:
    """Everything :func:`atlas` measured.

    Attributes
    ----------
    target : AtlasTarget
        The atlas restricted to the circuit's neurons and the scored columns.
    response : pandas.DataFrame
        ``r[responding, stimulated]`` of the model at the calibrated amplitude
        (every circuit neuron as a row, display-variable units).
    calibration : Calibration
        The amplitude used and how it was found.
    predictions : dict
        ``{name: Prediction}``: the model (:data:`MODEL`) and the baselines.
    scores : Scores
        All pairs scored.
    scores_far : Scores or None
        Pairs whose somata are at least `min_distance` apart.
    sensitivity : pandas.DataFrame
        Model metrics at every amplitude factor tried (1 = calibrated).
    coverage : dict
        Measured pairs and stimulated neurons of the atlas that the circuit
        contains (counts and fractions).
    timings : dict
        Seconds spent calibrating, simulating and scoring.
    """

    target: AtlasTarget
    response: pd.DataFrame
    calibration: Calibration
    predictions: dict
    scores: Scores
    scores_far: Scores | None
    sensitivity: pd.DataFrame
    coverage: dict
    protocol: Protocol
    min_distance: float
    timings: dict

    def summary(self, digits: int = 3) -> pd.DataFrame:
        """Model and baselines side by side: every metric as ``value [lo, hi]``."""
        return self.scores.summary(digits)

    def plot_matrices(self, **kwargs):
        """Measured and predicted matrices side by side; see :func:`circuitsim.validate.plot.matrices`."""
        from .plot import matrices

        return matrices(self.target, self.response, **kwargs)

    def plot_roc(self, *, far: bool = False, **kwargs):
        """ROC curves of the model and baselines (``far=True``: somata >= `min_distance` apart)."""
        from .plot import roc

        scores = self.scores_far if far else self.scores
        if scores is None:
            raise AnalysisError("no scores of distant pairs: the report was made with min_distance=0")
        if far and "title" not in kwargs:
            kwargs["title"] = f"somata >= {self.min_distance:g} um apart"
        return roc(scores, **kwargs)

    def __repr__(self) -> str:
        t = self.scores.table
        lines = [f"<AtlasReport {self.target.label}: {self.coverage['pairs']} pairs "
                 f"({100 * self.coverage['pair_fraction']:.0f}% of the atlas), "
                 f"{self.coverage['stimulated']} stimulated; amplitude {self.calibration.amplitude:.4g}>"]
        for name in t.index:
            lines.append(f"  {name:>20s}: AUROC {t.loc[name, 'auroc']:.3f} "
                         f"[{t.loc[name, 'auroc_lo']:.3f}, {t.loc[name, 'auroc_hi']:.3f}]")
        return "\n".join(lines)


def _coverage(full: AtlasTarget, part: AtlasTarget) -> dict:
    n_all, n_part = int(full.measured.sum()), int(part.measured.sum())
    s_all = int(full.measured.any(axis=0).sum())
    s_part = int(part.measured.any(axis=0).sum())
    return {"pairs": n_part, "pairs_in_atlas": n_all, "pair_fraction": n_part / max(n_all, 1),
            "stimulated": s_part, "stimulated_in_atlas": s_all, "stimulated_fraction": s_part / max(s_all, 1)}


def _model_prediction(r, circuit, target) -> Prediction:
    rows = circuit.wiring.index_of(list(target.responding))
    return Prediction(MODEL, r[rows], signed=True)


def _factors(sensitivity):
    try:
        factors = [float(f) for f in sensitivity]
    except (TypeError, ValueError):
        raise AnalysisError(f"sensitivity must be a sequence of amplitude factors, got {sensitivity!r}") from None
    bad = [f for f in factors if not (np.isfinite(f) and f > 0)]
    if bad:
        raise AnalysisError(f"sensitivity factors must be finite and > 0, got {bad}")
    return factors


def _calibration(circuit, amplitude, pool, part, train_stimulated, protocol, variable, solver) -> Calibration:
    """The calibrated amplitude (on the training neurons when given), or the explicit one."""
    if isinstance(amplitude, str):
        if amplitude != "calibrate":
            raise AnalysisError(f"amplitude must be 'calibrate' or a number, got {amplitude!r}")
        if train_stimulated is None:
            return calibrate_amplitude(circuit, part, protocol, variable=variable, solver=solver)
        auto = dict(zip(pool.stimulated, pool.autoresponse))
        neurons = [s for s in train_stimulated if s in auto and np.isfinite(auto[s])]
        return calibrate_amplitude(circuit, pool, protocol, neurons=neurons, variable=variable, solver=solver)
    try:
        amp = float(amplitude)
    except (TypeError, ValueError):
        raise AnalysisError(f"amplitude must be 'calibrate' or a number, got {amplitude!r}") from None
    if not np.isfinite(amp):
        raise AnalysisError(f"amplitude must be finite, got {amplitude!r}")
    return Calibration(amp, float("nan"), float("nan"), (), ())


def _sensitivity(runs, amplitude, preds, circuit, part) -> pd.DataFrame:
    """Model metrics at every amplitude factor, on the pairs every predictor scores."""
    common = np.logical_and.reduce([np.isfinite(p.values) for p in preds.values()])
    rows = []
    for f, r in sorted(runs.items()):
        t = score({MODEL: _model_prediction(r, circuit, part)}, part, pairs=common, n_boot=0).table
        rows.append({"factor": f, "amplitude": amplitude * f,
                     **{m: t.loc[MODEL, m] for m in ("auroc", "macro_auroc", "auprc", "spearman", "sign_accuracy")}})
    return pd.DataFrame(rows).set_index("factor")


def atlas(circuit, name: str = "randi2023", strain: str = "wt", *, target: AtlasTarget | None = None,
          stimulated=None, train_stimulated=None, amplitude="calibrate", protocol: Protocol | None = None,
          sensitivity=(0.5, 2.0), baselines: bool = True, baseline_wiring=None, positions=None,
          min_distance: float = 10.0, missing: str = "drop", alpha: float = 0.05, n_boot: int = 500,
          seed: int = 0, ci: float = 0.95, variable=None, solver=None) -> AtlasReport:
    """Run the atlas experiment on `circuit` in silico and score it beside the naive baselines.

    For every stimulated neuron ``j`` of the atlas that the circuit contains,
    one batch member starts from the circuit's initial state (its rest), runs
    the protocol's baseline, gets a depolarising step into ``j`` and runs on;
    ``r[i, j]`` is the mean of neuron ``i``'s display variable over the window
    after onset minus its baseline mean (see :mod:`circuitsim.validate.experiment`).

    Parameters
    ----------
    circuit : Circuit
    name, strain : str
        Packaged atlas (:func:`connectome.functional_atlas`), unless `target` is given.
    target : AtlasTarget, optional
    stimulated : sequence of str, optional
        Score only these stimulated neurons (e.g. a held-out set). Default: every
        stimulated neuron of the atlas in the circuit.
    train_stimulated : sequence of str, optional
        Stimulated neurons a fit has seen: the hit-rate baseline and the
        amplitude calibration use only these (default: all scored ones).
    amplitude : "calibrate" or float
        Step current; ``"calibrate"`` (default) finds one amplitude per model with
        :func:`~circuitsim.validate.experiment.calibrate_amplitude`.
    protocol : Protocol, optional
        Default: 30 s baseline, 0.5 s step (0.3 s for unc-31), 30 s response
        window (the atlas).
    sensitivity : sequence of float
        Amplitude factors also scored (model only).
    baselines : bool
        Score the naive baselines beside the model.
    baseline_wiring : connectome.Wiring, optional
        Wiring of the structural baselines (default: the circuit's).
    positions : pandas.DataFrame, optional
        Soma ``x, y, z`` (µm) by name (default: the packaged neuron table).
    min_distance : float
        Also score pairs whose somata are at least this far apart (µm; 0: skip).
    missing : {"drop", "raise"}
        Atlas neurons absent from the circuit: leave their pairs out and report
        the coverage, or raise :class:`AtlasCoverageError`.
    alpha : float
        Significance level of the labels.
    n_boot, seed, ci
        Cluster bootstrap over stimulated neurons (see :func:`~circuitsim.validate.scoring.score`).
    variable : str, optional
        Recorded state variable (default: the model's first).
    solver : Solver, optional

    Returns
    -------
    AtlasReport

    Raises
    ------
    AtlasCoverageError
        The circuit lacks every stimulated atlas neuron, a requested stimulated
        neuron, or (``missing="raise"``) any atlas neuron.
    UnknownAtlasError, UnknownStrainError
        Unknown atlas or strain names.
    """
    from ..circuit import Circuit

    if not isinstance(circuit, Circuit):
        raise AnalysisError(f"circuit must be a circuitsim.Circuit, got {type(circuit).__name__}")
    if missing not in ("drop", "raise"):
        raise AnalysisError(f"missing must be 'drop' or 'raise', got {missing!r}")
    full = target if target is not None else AtlasTarget.load(name, strain, alpha=alpha)
    neurons = set(circuit.neurons)
    atlas_neurons = sorted(set(full.responding) | set(full.stimulated))
    absent = [n for n in atlas_neurons if n not in neurons]
    if absent and missing == "raise":
        raise AtlasCoverageError(f"the circuit lacks {len(absent)} of the {len(atlas_neurons)} atlas neurons: "
                                 f"{absent[:20]}{' ...' if len(absent) > 20 else ''} (missing='drop' scores the "
                                 "rest and reports the coverage)", absent, circuit.neurons)
    if stimulated is not None:
        stimulated = [stimulated] if isinstance(stimulated, str) else list(stimulated)
        lacking = [s for s in stimulated if s not in neurons]
        if lacking:
            raise AtlasCoverageError(f"the circuit lacks the requested stimulated neuron(s) {lacking[:20]}",
                                     lacking, circuit.neurons)
    part = full.restrict(neurons, stimulated=stimulated)
    if not part.measured.any():
        raise AtlasCoverageError(f"the circuit contains no measured pair of the atlas {full.label}; its neurons "
                                 f"are named like {list(circuit.neurons)[:5]}", absent, circuit.neurons)
    part = part.restrict(stimulated=[s for s, m in zip(part.stimulated, part.measured.any(axis=0)) if m])
    if protocol is None:   # the atlas's own stimulation: 0.5 s in wild type, 0.3 s in unc-31
        protocol = Protocol(pulse=300.0) if target is None and strain.replace("-", "") == "unc31" else Protocol()
    timings = {}

    t0 = time.perf_counter()
    calibration = _calibration(circuit, amplitude, full.restrict(neurons), part, train_stimulated, protocol,
                               variable, solver)
    timings["calibrate"] = time.perf_counter() - t0

    factors = [1.0] + [f for f in _factors(sensitivity) if f != 1.0]
    t0 = time.perf_counter()
    runs = {}
    for f in factors:
        if f == 1.0 and calibration.response is not None and calibration.neurons == part.stimulated:
            runs[f] = calibration.response   # the calibration's last run is this one
        else:
            runs[f] = responses(circuit, part.stimulated, calibration.amplitude * f, protocol, variable=variable,
                                solver=solver)[0]
    timings["simulate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    preds = {MODEL: _model_prediction(runs[1.0], circuit, part)}
    if baselines:
        wiring = baseline_wiring if baseline_wiring is not None else circuit.wiring
        preds.update(_baselines.all_baselines(wiring, part, positions=positions, train_stimulated=train_stimulated,
                                              evidence=full.restrict(neurons)))
    kw = dict(n_boot=n_boot, seed=seed, ci=ci)
    scores = score(preds, part, **kw)
    scores_far = None
    if min_distance and min_distance > 0:
        far = _baselines.pair_distances(part, positions) >= min_distance
        scores_far = score(preds, part, pairs=far, **kw)
    sens = _sensitivity(runs, calibration.amplitude, preds, circuit, part)
    timings["score"] = time.perf_counter() - t0
    return AtlasReport(part, as_frame(runs[1.0], circuit.neurons, part.stimulated), calibration, preds, scores,
                       scores_far, sens, _coverage(full, part), protocol, float(min_distance), timings)
