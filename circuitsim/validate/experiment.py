"""The atlas experiment in silico: stimulate one neuron at a time, in batch, and read the responses.

For every stimulated neuron ``j`` the circuit starts from its initial state (the
model's rest for the graded network), runs a baseline, receives a depolarising
current step into ``j`` and runs on. The response of neuron ``i`` is the mean of
its display variable over the window after onset minus its mean over the
baseline, the statistic of the measured atlas (mean dF/F over the 30 s after
onset). For the graded network the display variable is ``V - Vth``; the
threshold cancels in the difference, so ``V`` is recorded.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from ..errors import AnalysisError, ParameterError, UnknownNeuronError

__all__ = ["Protocol", "Calibration", "responses", "calibrate_amplitude", "default_solver", "display_scale"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Protocol:
    """Timing of the in-silico experiment (ms).

    Parameters
    ----------
    baseline : float
        Time from the initial state to stimulation onset; the baseline mean is
        taken over all of it (> 0; the atlas: 30 s).
    pulse : float
        Duration of the depolarising step (> 0; the atlas: 0.5 s in wild type).
    response : float
        Window after onset over which the response is averaged (>= pulse; the
        atlas: 30 s).
    dt_baseline, dt_response : float
        Sampling interval of the two windows (the solver's continuous extension
        is sampled; means are trapezoidal).

    Examples
    --------
    >>> Protocol().saveat()[[0, -1]].tolist()
    [0.0, 60000.0]
    """

    baseline: float = 30_000.0
    pulse: float = 500.0
    response: float = 30_000.0
    dt_baseline: float = 1_000.0
    dt_response: float = 50.0

    def __post_init__(self):
        for name in ("baseline", "pulse", "response", "dt_baseline", "dt_response"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
                raise ParameterError(f"Protocol.{name} must be a finite number > 0 (ms), got {v!r}")
            object.__setattr__(self, name, float(v))
        if self.response < self.pulse:
            raise ParameterError(f"Protocol.response ({self.response:g} ms) must cover the pulse "
                                 f"({self.pulse:g} ms)")

    @property
    def onset(self) -> float:
        """Stimulation onset (ms)."""
        return self.baseline

    @property
    def end(self) -> float:
        """End of the run (ms): onset + response window."""
        return self.baseline + self.response

    def saveat(self) -> np.ndarray:
        """Sample times: the baseline grid, then the response grid (onset and pulse end included)."""
        base = np.arange(0.0, self.baseline, self.dt_baseline)
        resp = np.arange(self.onset, self.end, self.dt_response)
        return np.unique(np.r_[base, self.onset, resp, self.onset + self.pulse, self.end])

    def window_means(self, t, x):
        """Baseline and response means of samples `x` (..., n_t, n) taken at times `t` (n_t,).

        Returns
        -------
        baseline, response : ndarray (..., n)
        """
        t = np.asarray(t, dtype=np.float64)
        base = t <= self.onset
        resp = t >= self.onset
        return _trapezoid_mean(x[..., base, :], t[base]), _trapezoid_mean(x[..., resp, :], t[resp])


def _trapezoid_mean(x, t):
    """Time average of samples `x` (..., n_t, n) at times `t` (n_t,) by the trapezoidal rule."""
    dt = np.diff(t)[:, None]
    return (0.5 * (x[..., 1:, :] + x[..., :-1, :]) * dt).sum(axis=-2) / (t[-1] - t[0])


def default_solver(circuit):
    """Solver for the experiment: the model's default (:class:`~circuitsim.Rosenbrock` for the graded network)."""
    from ..solvers.base import get_solver

    return get_solver(None, circuit.model.default_solver())


def display_scale(circuit) -> float:
    """Display-variable units that correspond to one unit of dF/F in the amplitude calibration.

    For the graded network ``1 / beta`` (mV; median over neurons): a change of
    ``1 / beta`` moves a neuron's output sigmoid by one e-fold of its odds, so a
    mean autoresponse of 0.42 dF/F is matched by a mean depolarisation of
    0.42 / beta. Other models: 1 (their display variable is taken as dF/F).
    This is a convention; :func:`circuitsim.validate.atlas` reports the scores
    at half and twice the calibrated amplitude to show how much it matters.
    """
    from ..models.graded import Graded

    if isinstance(circuit.model, Graded):
        return float(1.0 / np.median(np.broadcast_to(circuit.params.beta, (circuit.n,))))
    return 1.0


def _variable(circuit, variable):
    if variable is None:
        return circuit.model.state_names[0]
    if variable not in circuit.model.state_names:
        raise ParameterError(f"unknown state variable {variable!r}; {type(circuit.model).__name__} has "
                             f"{circuit.model.state_names}")
    return variable


def responses(circuits, stimulated, amplitude, protocol: Protocol | None = None, *, variable=None, solver=None,
              chunk: int = 96) -> np.ndarray:
    """Response of every neuron to a step into each stimulated neuron, for one or more circuits.

    Parameters
    ----------
    circuits : Circuit or sequence of Circuit
        Circuits with the same neurons and model (parameters may differ), e.g.
        the members of a population; the runs of each circuit form one batch
        (parallel over stimulated neurons).
    stimulated : sequence of str
        Neurons stimulated, one run each.
    amplitude : float or sequence of float
        Step current (model input units, pA for the graded network), one per
        circuit or shared.
    protocol : Protocol, optional
    variable : str, optional
        Recorded state variable (default: the model's first, ``V``).
    solver : Solver, optional
        Default :func:`default_solver`.
    chunk : int
        Largest number of runs per batch call (bounds memory: each run keeps
        ``len(protocol.saveat()) * n_neurons`` samples).

    Returns
    -------
    ndarray (n_circuits, n_neurons, n_stimulated)
        ``r[c, i, j]``: response of neuron ``i`` (circuit order) when
        ``stimulated[j]`` is stimulated, in the variable's unit.
    """
    from ..circuit import Circuit
    from ..inputs import pulse
    from ..simulate import simulate_batch

    circuits = [circuits] if isinstance(circuits, Circuit) else list(circuits)
    protocol = protocol or Protocol()
    stimulated = [stimulated] if isinstance(stimulated, str) else list(stimulated)
    amps = np.broadcast_to(np.asarray(amplitude, dtype=np.float64), (len(circuits),))
    if not np.isfinite(amps).all():
        raise ParameterError(f"amplitude must be finite, got {amplitude!r}")
    ref = circuits[0]
    variable = _variable(ref, variable)
    if any(c.wiring.neurons != ref.wiring.neurons for c in circuits[1:]):
        raise ParameterError("all circuits must have the same neurons (in the same order)")
    known = set(ref.neurons)
    for name in stimulated:
        if name not in known:
            raise UnknownNeuronError(name, ref.neurons, where="the stimulated neurons")
    solver = solver if solver is not None else default_solver(ref)
    saveat = protocol.saveat()
    out = np.empty((len(circuits), ref.n, len(stimulated)))
    step = max(1, int(chunk))
    # one batch call per circuit: members sharing a circuit share its factorisation
    for c, circuit in enumerate(circuits):
        for start in range(0, len(stimulated), step):
            names = stimulated[start:start + step]
            drives = [pulse([name], float(amps[c]), protocol.onset, protocol.pulse) for name in names]
            result = simulate_batch(circuit, (0.0, protocol.end), drives, solver=solver, saveat=saveat,
                                    dense=False, variables=(variable,))
            base, resp = protocol.window_means(result.t, result[variable])
            out[c, :, start:start + len(names)] = (resp - base).T
    return out


@dataclasses.dataclass(frozen=True)
class Calibration:
    """The stimulus amplitude chosen for a model, and how it was found.

    Attributes
    ----------
    amplitude : float
        Step current (model input units).
    target : float
        Median measured autoresponse (dF/F) times :func:`display_scale`.
    achieved : float
        Median self-response of the model at `amplitude` (display units).
    history : tuple of (amplitude, median self-response)
    neurons : tuple of str
        Stimulated neurons whose self-responses entered the median.
    in_range : float
        Fraction of the model's self-responses (converted to dF/F with the
        display scale) inside the 5-95% range of the measured autoresponses.
    response : ndarray (n_neurons, len(neurons)) or None
        The responses of the last run (at `amplitude`), reused by callers.
    """

    amplitude: float
    target: float
    achieved: float
    history: tuple
    neurons: tuple
    in_range: float = float("nan")
    response: np.ndarray | None = dataclasses.field(default=None, repr=False)


def calibrate_amplitude(circuit, target, protocol: Protocol | None = None, *, neurons=None, scale=None,
                        start: float = 100.0, rtol: float = 0.02, max_iter: int = 8, variable=None,
                        solver=None) -> Calibration:
    """One step amplitude per model, so that its own responses match the measured autoresponses.

    The median over stimulated neurons of the model's self-response ``r[j, j]``
    (the response statistic of the atlas diagonal) is matched to the median
    measured autoresponse times `scale`, by multiplicative (secant in log-log)
    updates of the amplitude; the self-response grows monotonically with it.

    Parameters
    ----------
    circuit : Circuit
    target : AtlasTarget
        Its :attr:`~AtlasTarget.autoresponse` gives the measured values.
    protocol : Protocol, optional
    neurons : sequence of str, optional
        Stimulated neurons used (default: every stimulated neuron of `target`
        with a measured autoresponse).
    scale : float, optional
        Display units per unit dF/F (default :func:`display_scale`).
    start : float
        First amplitude tried.
    rtol : float
        Relative tolerance on the median self-response.
    max_iter : int

    Returns
    -------
    Calibration

    Raises
    ------
    AnalysisError
        If the self-response is not positive (the step does not depolarise) or
        does not converge.
    """
    auto = dict(zip(target.stimulated, target.autoresponse))
    if neurons is None:
        neurons = [n for n in target.stimulated if np.isfinite(auto[n])]
    neurons = list(neurons)
    measured = np.array([auto.get(n, np.nan) for n in neurons])
    if not neurons or not np.isfinite(measured).any():
        raise AnalysisError("no stimulated neuron with a measured autoresponse to calibrate the amplitude on")
    scale = display_scale(circuit) if scale is None else float(scale)
    goal = float(np.nanmedian(measured)) * scale
    idx = circuit.wiring.index_of(neurons)
    amp, history = float(start), []
    prev = None
    for _ in range(max_iter):
        r = responses(circuit, neurons, amp, protocol, variable=variable, solver=solver)[0]
        own = r[idx, np.arange(len(neurons))]
        got = float(np.median(own))
        history.append((amp, got))
        if not got > 0:
            raise AnalysisError(f"the model's self-response to a {amp:g} step is {got:g}, not positive: the "
                                "stimulus does not depolarise the stimulated neurons; pass amplitude= explicitly")
        if abs(got / goal - 1.0) <= rtol:
            lo, hi = np.nanpercentile(measured, [5, 95]) * scale
            in_range = float(np.mean((own >= lo) & (own <= hi)))
            return Calibration(amp, goal, got, tuple(history), tuple(neurons), in_range, r)
        slope = 1.0
        if prev is not None and prev[0] != amp and prev[1] > 0 and got != prev[1]:
            slope = math.log(got / prev[1]) / math.log(amp / prev[0])
            slope = min(max(slope, 0.2), 5.0)
        prev = (amp, got)
        amp = amp * (goal / got) ** (1.0 / slope)
    raise AnalysisError(f"amplitude calibration did not converge in {max_iter} iterations: {history}")


def as_frame(r, neurons, stimulated) -> pd.DataFrame:
    """Response matrix ``r[i, j]`` as a DataFrame (rows: responding neuron, columns: stimulated)."""
    return pd.DataFrame(r, index=pd.Index(list(neurons), name="responding"),
                        columns=pd.Index(list(stimulated), name="stimulated"))
