"""Fitting a graded circuit to the atlas: the population objective, the driver, saved results."""

from __future__ import annotations

import dataclasses
import json
import math
import time

import numpy as np

from ..errors import ParameterError
from .cmaes import cmaes
from .parameters import FitParameters, FitSpace

__all__ = ["OBJECTIVES", "FitResult", "fit_atlas", "load"]

_FORMAT = "circuitsim.fit/1"


OBJECTIVES = ("auroc", "macro_auroc", "auprc")


def _train_metric(values, target, objective):
    from ..validate import metrics

    det = target.positive | target.negative
    s, labels = np.abs(values[det]), target.positive[det]
    if objective == "auroc":
        return metrics.auroc(s, labels)
    if objective == "auprc":
        return metrics.average_precision(s, labels)
    return metrics.macro_auroc(s, labels, np.nonzero(det)[1])


class _Objective:
    """Population -> minus the training metric; keeps count of evaluations and failures."""

    def __init__(self, circuit, target, space, protocol, objective, calibration_neurons, reference_amplitude,
                 solver):
        from ..validate.experiment import display_scale

        self.circuit, self.target, self.space, self.protocol = circuit, target, space, protocol
        self.objective, self.solver = objective, solver
        self.calib = list(calibration_neurons)
        auto = dict(zip(target.stimulated, target.autoresponse))
        self.goal_dff = float(np.median([auto[n] for n in self.calib]))
        self.reference = float(reference_amplitude)
        self.display_scale = display_scale
        self.rows = circuit.wiring.index_of(list(target.responding))
        self.calib_idx = circuit.wiring.index_of(self.calib)
        self.evaluations, self.failures = 0, 0

    def amplitudes(self, circuits):
        """One probe run per candidate at the reference amplitude, then a proportional correction."""
        from ..validate.experiment import responses

        r = responses(circuits, self.calib, self.reference, self.protocol, solver=self.solver)
        selfr = np.median(r[:, self.calib_idx, np.arange(len(self.calib))], axis=1)
        goals = np.array([self.goal_dff * self.display_scale(c) for c in circuits])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(selfr > 0, self.reference * goals / selfr, np.nan)

    def values(self, circuit_list):
        """Training metric of each circuit (NaN for None or a failed run), each run as one batch."""
        from ..errors import SolverError
        from ..validate.experiment import responses

        out = np.full(len(circuit_list), np.nan)
        for k, c in enumerate(circuit_list):
            if c is None:
                continue
            try:
                amp = self.amplitudes([c])[0]
                if not np.isfinite(amp):
                    continue
                r = responses(c, self.target.stimulated, amp, self.protocol, solver=self.solver)[0]
                out[k] = _train_metric(r[self.rows], self.target, self.objective)
            except (SolverError, ParameterError):
                continue
        return out

    def __call__(self, X):
        circuits = []
        for x in np.atleast_2d(X):
            try:
                circuits.append(self.space.decode(x).apply(self.circuit))
            except ParameterError:
                circuits.append(None)
        v = self.values(circuits)
        self.evaluations += len(v)
        self.failures += int(np.isnan(v).sum())
        return np.where(np.isfinite(v), -v, np.inf)


# -- results ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class FitResult:
    """A fitted parameter set and how it was found (save with :meth:`save`, reload with :func:`load`).

    Attributes
    ----------
    parameters : FitParameters
        Apply them with :meth:`apply` to the circuit that was fitted.
    space : FitSpace
    train, test : tuple of str
        Stimulated neurons used for fitting, and held out.
    objective : str
    train_value, start_value : float
        Training metric of the fitted and of the starting (published) model.
    history : list of dict
        Per generation of the optimiser: best and median objective, step size.
    method, seed, evaluations, failures, seconds, protocol, base
        Optimiser, seed, candidates evaluated (and failed), wall time, the
        fitting protocol (dict) and a description of the fitted circuit.
    circuit : Circuit or None
        The fitted circuit (not saved: rebuild it with :meth:`apply`).
    """

    parameters: FitParameters
    space: FitSpace
    train: tuple
    test: tuple
    objective: str
    train_value: float
    start_value: float
    history: list
    method: str
    seed: int
    evaluations: int
    failures: int
    seconds: float
    protocol: dict
    base: dict
    circuit: object = dataclasses.field(default=None, repr=False)

    def apply(self, circuit):
        """`circuit` with the fitted parameters (see :meth:`FitParameters.apply`)."""
        return self.parameters.apply(circuit)

    def to_dict(self) -> dict:
        """JSON-ready description (everything but :attr:`circuit`)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "circuit"}
        d.update(format=_FORMAT, parameters=self.parameters.to_dict(), space=self.space.to_dict(),
                 train=list(self.train), test=list(self.test))
        d["history"] = [{k: (v if v is None or math.isfinite(v) else None) for k, v in h.items()}
                        for h in self.history]
        return d

    def save(self, path) -> None:
        """Write as JSON, atomically (a reader never sees a half-written file)."""
        from connectome.atomic import atomic_path

        text = json.dumps(self.to_dict(), indent=1, sort_keys=True, allow_nan=False)
        with atomic_path(path) as tmp:
            tmp.write_text(text + "\n", encoding="utf-8")


def load(path) -> FitResult:
    """Read a :class:`FitResult` written by :meth:`FitResult.save`.

    Raises
    ------
    ParameterError
        Not a fit file, or invalid (e.g. non-finite) parameters.
    """
    try:
        d = json.loads(open(path, encoding="utf-8").read())
    except json.JSONDecodeError as err:
        raise ParameterError(f"{str(path)!r} is not a fit file (JSON: {err})") from None
    if not isinstance(d, dict) or d.get("format") != _FORMAT:
        raise ParameterError(f"{str(path)!r} is not a fit file of format {_FORMAT!r}")
    space = d["space"]
    return FitResult(FitParameters.from_dict(d["parameters"]),
                     FitSpace(**{k: tuple(v) if isinstance(v, list) else v for k, v in space.items()}),
                     tuple(d["train"]), tuple(d["test"]), d["objective"], d["train_value"], d["start_value"],
                     d["history"], d["method"], d["seed"], d["evaluations"], d["failures"], d["seconds"],
                     d["protocol"], d["base"])


# -- driver -------------------------------------------------------------------------------------
def fit_atlas(circuit, target=None, *, train=None, test=(), space: FitSpace | None = None, objective: str = "auroc",
              method: str = "cmaes", popsize: int = 8, generations: int = 15, sigma0: float = 0.5,
              seed: int = 0, protocol=None, calibration_neurons: int = 16, solver=None,
              callback=None) -> FitResult:
    """Fit `space` of a graded circuit to the atlas on the `train` stimulated neurons.

    Parameters
    ----------
    circuit : Circuit
        A graded circuit (e.g. :func:`circuitsim.kunert2014`); the scales are
        relative to its parameters.
    target : AtlasTarget, optional
        Default: the packaged wild-type atlas.
    train : sequence of str, optional
        Stimulated neurons to fit on (default: every one in the circuit minus `test`).
    test : sequence of str
        Held-out stimulated neurons (recorded in the result, never used).
    space : FitSpace, optional
        Default: the five global scales within 0.1 - 10.
    objective : {"auroc", "macro_auroc", "auprc"}
        Training detection metric maximised.
    method : {"cmaes", "differential_evolution"}
        CMA-ES (:func:`cmaes`) or :func:`scipy.optimize.differential_evolution`
        (vectorised: the population is evaluated at once).
    popsize, generations : int
        Population size and number of generations (for differential evolution
        ``popsize`` is rounded up to a multiple of the dimension, and scipy uses
        at least 5 candidates).
    sigma0 : float
        CMA-ES initial step (log-scale units).
    seed : int
    protocol : Protocol, optional
        Default: the atlas protocol with a 2 s baseline (the circuit starts at
        rest) and 100 ms sampling.
    calibration_neurons : int
        Training neurons whose self-responses calibrate each candidate's amplitude.
    callback : callable, optional
        ``callback(generation, X, values)`` after each generation.

    Returns
    -------
    FitResult
        With ``circuit`` the fitted circuit.
    """
    from ..validate.experiment import Protocol, calibrate_amplitude
    from ..validate.target import AtlasCoverageError, AtlasTarget

    if objective not in OBJECTIVES:
        raise ParameterError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if method not in ("cmaes", "differential_evolution"):
        raise ParameterError(f"method must be 'cmaes' or 'differential_evolution', got {method!r}")
    space = space or FitSpace()
    protocol = protocol or Protocol(baseline=2_000.0, dt_response=100.0)
    space.decode(space.start()).apply(circuit)  # a space that does not fit the circuit fails here
    target = (target or AtlasTarget.load()).restrict(circuit.neurons)
    test = tuple(test)
    if train is None:
        train = [s for s in target.stimulated if s not in set(test)]
    train = tuple(train)
    if set(train) & set(test):
        raise ParameterError(f"train and test share stimulated neurons: {sorted(set(train) & set(test))[:10]}")
    lacking = [s for s in train if s not in target.stimulated]
    if lacking:
        raise AtlasCoverageError(f"training neurons not stimulated in the atlas among the circuit's neurons: "
                                 f"{lacking[:20]}", lacking, target.stimulated)
    train_target = target.restrict(stimulated=train)
    auto = dict(zip(train_target.stimulated, train_target.autoresponse))
    measured_auto = [s for s in train if np.isfinite(auto[s])]
    step = max(1, len(measured_auto) // max(1, int(calibration_neurons)))
    calib = measured_auto[::step][:calibration_neurons]
    t0 = time.perf_counter()
    reference = calibrate_amplitude(circuit, train_target, protocol, neurons=calib, solver=solver).amplitude
    f = _Objective(circuit, train_target, space, protocol, objective, calib, reference, solver)
    start_value = -float(f(space.start()[None])[0])
    lo, hi = space.box()
    if method == "cmaes":
        best_x, best_f, history = cmaes(f, space.start(), sigma0, (lo, hi), popsize=popsize,
                                        generations=generations, seed=seed, callback=callback)
    else:
        from scipy.optimize import differential_evolution

        history = []

        def batch(X_T):  # scipy hands the population as (dim, S)
            v = f(X_T.T)
            history.append({"generation": len(history), "best": float(np.min(v)), "median": float(np.median(v)),
                            "sigma": float("nan")})
            if callback is not None:
                callback(len(history) - 1, X_T.T, v)
            return v

        res = differential_evolution(batch, list(zip(lo, hi)), popsize=max(1, math.ceil(popsize / space.dim)),
                                     maxiter=max(0, generations - 1), seed=seed, vectorized=True, polish=False,
                                     init="latinhypercube", updating="deferred", x0=space.start())
        best_x, best_f = res.x, float(res.fun)
    if not best_f < -start_value:  # never return something worse than the start
        best_x, best_f = space.start(), -start_value
    params = space.decode(best_x)
    return FitResult(params, space, train, test, objective, -float(best_f), start_value, history, method, int(seed),
                     f.evaluations, f.failures, time.perf_counter() - t0, dataclasses.asdict(protocol),
                     {"wiring": circuit.wiring.name, "model": circuit.model.name, "neurons": circuit.n},
                     params.apply(circuit))
