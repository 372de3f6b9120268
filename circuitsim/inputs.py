"""External drive: constants, steps, pulses and irregular samples, per neuron (or channel).

Each stimulus is a small frozen object; add them with ``+`` to build a :class:`Drive`.
A drive is compiled into a piecewise-linear table with explicit jump times
(:class:`circuitsim._kernels.inputs.InputTable`) that the integrators evaluate
inside compiled code and whose jumps they land on exactly.

Units: times in ms; amplitudes in the model's input unit (pA for current-driven
models such as the graded-potential network).

Examples
--------
>>> from circuitsim import inputs
>>> drive = inputs.constant(["PLML", "PLMR"], 2000.0) + inputs.pulse("AVAL", 50.0, start=100.0, duration=20.0)
>>> len(drive.stimuli)
2
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from .errors import InputError, ParameterError
from .units import as_current, as_time, is_quantity

__all__ = ["Stimulus", "Constant", "Step", "Pulse", "Samples", "Drive",
           "constant", "step", "pulse", "samples", "as_drive"]


def _names(neurons) -> tuple:
    if isinstance(neurons, str):
        return (neurons,)
    try:
        names = tuple(str(x) for x in neurons)
    except TypeError:
        raise InputError(f"neurons must be a name or a sequence of names, got {neurons!r}") from None
    if not names:
        raise InputError("a stimulus needs at least one neuron")
    if len(set(names)) != len(names):
        twice = sorted({nm for nm in names if names.count(nm) > 1})
        raise InputError(f"a stimulus lists {', '.join(map(repr, twice))} twice (which would double its input); "
                         "list each neuron once, or add two stimuli on purpose")
    return names


def _current(stim, value):
    """`value` in pA when given with a unit (the stimulus remembers it needs a current-driven model)."""
    if is_quantity(value):
        object.__setattr__(stim, "_physical", True)
        try:
            return as_current(value)
        except ParameterError as err:
            raise InputError(str(err)) from None
    return value


def _finite(name, value, shape=None):
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numeric, got {value!r}") from None
    if shape is not None and arr.ndim != 0 and arr.shape != shape:
        raise InputError(f"{name} must be a scalar or have shape {shape}, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise InputError(f"{name} must be finite, got {value!r}")
    arr.setflags(write=False)
    return arr


class Stimulus:
    """Base class: a drive profile on some neurons.

    Subclasses define :meth:`knots` returning ``times (k,)``, ``left (k, n_targets)``
    and ``right (k, n_targets)``: the one-sided values at each knot; between knots
    the profile is linear from ``right[i]`` to ``left[i+1]``, constant beyond.
    """

    def knots(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def event_times(self) -> np.ndarray:
        """Times that must lie inside the simulated span."""
        return self.knots()[0]

    def break_times(self) -> np.ndarray:
        """Times the solvers must land on even where the value does not jump (sample times of held samples)."""
        return np.zeros(0)

    def __add__(self, other):
        return as_drive(self) + other

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:  # sum([stimulus, ...])
            return as_drive(self)
        return as_drive(other) + self

    def describe(self) -> dict:
        """JSON-friendly description (kind, neurons, times)."""
        d = {"kind": type(self).__name__.lower(), "neurons": list(self.neurons)}
        for f in dataclasses.fields(self):
            if f.name != "neurons":
                v = getattr(self, f.name)
                d[f.name] = v.tolist() if isinstance(v, np.ndarray) else v
        return d

    # evaluation of one-sided limits at arbitrary times (Python, used when combining)
    def _eval(self, ts: np.ndarray):
        times, left, right = self.knots()
        n_t = left.shape[1]
        L = np.empty((len(ts), n_t))
        R = np.empty((len(ts), n_t))
        for j, t in enumerate(ts):
            i = np.searchsorted(times, t, side="left")
            if i < len(times) and times[i] == t:
                L[j], R[j] = left[i], right[i]
            elif i == 0:
                L[j] = R[j] = left[0]
            elif i == len(times):
                L[j] = R[j] = right[-1]
            else:
                w = (t - times[i - 1]) / (times[i] - times[i - 1])
                L[j] = R[j] = right[i - 1] + w * (left[i] - right[i - 1])
        return L, R


@dataclasses.dataclass(frozen=True)
class Constant(Stimulus):
    """A constant drive ``amplitude`` (scalar or one per neuron) for all times."""

    neurons: tuple
    amplitude: object

    def __post_init__(self):
        object.__setattr__(self, "neurons", _names(self.neurons))
        object.__setattr__(self, "amplitude", _finite("amplitude", _current(self, self.amplitude), (len(self.neurons),)))

    def knots(self):
        a = np.broadcast_to(self.amplitude, (1, len(self.neurons))).astype(float)
        return np.zeros(1), a, a

    def event_times(self):
        return np.zeros(0)


@dataclasses.dataclass(frozen=True)
class Step(Stimulus):
    """Zero before `at` (ms), ``amplitude`` from `at` on."""

    neurons: tuple
    amplitude: object
    at: float

    def __post_init__(self):
        object.__setattr__(self, "neurons", _names(self.neurons))
        object.__setattr__(self, "amplitude", _finite("amplitude", _current(self, self.amplitude), (len(self.neurons),)))
        object.__setattr__(self, "at", float(_finite("at", as_time(self.at, "at"))))

    def knots(self):
        a = np.broadcast_to(self.amplitude, (1, len(self.neurons))).astype(float)
        return np.array([self.at]), np.zeros_like(a), a


@dataclasses.dataclass(frozen=True)
class Pulse(Stimulus):
    """Rectangular pulse(s): ``amplitude`` on ``[start + j*period, start + j*period + duration)``.

    Parameters
    ----------
    neurons : str or sequence of str
    amplitude : float or array (n_targets,)
    start : float
        Onset of the first pulse (ms).
    duration : float
        Pulse width (ms, > 0).
    period : float, optional
        Onset-to-onset interval (ms, > duration) when ``count > 1``.
    count : int
        Number of pulses (>= 1).
    """

    neurons: tuple
    amplitude: object
    start: float
    duration: float
    period: float | None = None
    count: int = 1

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "neurons", _names(self.neurons))
        set_(self, "amplitude", _finite("amplitude", _current(self, self.amplitude), (len(self.neurons),)))
        set_(self, "start", float(_finite("start", as_time(self.start, "start"))))
        set_(self, "duration", float(_finite("duration", as_time(self.duration, "duration"))))
        if self.duration <= 0:
            raise InputError(f"pulse duration must be positive, got {self.duration} ms")
        if int(self.count) != self.count or self.count < 1:
            raise InputError(f"pulse count must be a positive integer, got {self.count!r}")
        set_(self, "count", int(self.count))
        if self.count > 1:
            if self.period is None:
                raise InputError("pulse period is needed when count > 1")
            set_(self, "period", float(_finite("period", as_time(self.period, "period"))))
            if self.period <= self.duration:
                raise InputError(f"pulse period ({self.period} ms) must exceed the duration ({self.duration} ms)")

    def knots(self):
        a = np.broadcast_to(self.amplitude, (len(self.neurons),)).astype(float)
        on = self.start + (self.period or 0.0) * np.arange(self.count)
        times = np.sort(np.r_[on, on + self.duration])
        k = len(times)
        left = np.zeros((k, len(a)))
        right = np.zeros((k, len(a)))
        right[0::2] = a  # onsets
        left[1::2] = a  # offsets
        return times, left, right

    def event_times(self):
        return self.knots()[0][:1]  # the onset must be inside the span; later edges may lie beyond


@dataclasses.dataclass(frozen=True)
class Samples(Stimulus):
    """A drive given by samples at (irregular) times.

    Parameters
    ----------
    neurons : str or sequence of str
    times : array (k,)
        Strictly increasing sample times (ms).
    values : array (k,) or (k, n_targets)
        Samples (one column per target, or one shared column).
    interpolation : {"linear", "previous", "next"}
        Piecewise-linear between samples; piecewise-constant holding each sample
        until the next one (``"previous"``); or holding each sample over the interval
        that *ends* at its time (``"next"``: the convention of sequence models such as
        LTC and CfC networks, where sample ``i`` drives the network from ``t[i-1]`` to
        ``t[i]``). Both constant modes jump at every sample time. Before the first and
        after the last sample the nearest sample is held.
    """

    neurons: tuple
    times: object
    values: object
    interpolation: str = "linear"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "neurons", _names(self.neurons))
        t = _finite("times", as_time(self.times, "times"))
        if t.ndim != 1 or len(t) == 0:
            raise InputError(f"sample times must be a non-empty 1-d array, got shape {t.shape}")
        if len(t) > 1 and not (np.diff(t) > 0).all():
            i = int(np.flatnonzero(np.diff(t) <= 0)[0])
            raise InputError(f"sample times must be strictly increasing; "
                             f"times[{i}] = {t[i]} >= times[{i + 1}] = {t[i + 1]}")
        v = _finite("values", _current(self, self.values))
        if v.ndim == 1:
            v = v[:, None]
        if v.ndim != 2 or v.shape[0] != len(t) or v.shape[1] not in (1, len(self.neurons)):
            raise InputError(f"sample values must have shape ({len(t)},) or ({len(t)}, {len(self.neurons)}), "
                             f"got {np.shape(self.values)}")
        v.setflags(write=False)
        set_(self, "times", t)
        set_(self, "values", v)
        if self.interpolation not in ("linear", "previous", "next"):
            raise InputError(f"interpolation must be 'linear', 'previous' or 'next', got {self.interpolation!r}")

    def describe(self) -> dict:
        if self.values.size <= 4096:
            return super().describe()
        # a long sequence: its extent, not every value (results stay small)
        return {"kind": "samples", "neurons": list(self.neurons), "times": [float(self.times[0]), float(self.times[-1])],
                "values": None, "n_samples": int(len(self.times)), "interpolation": self.interpolation}

    def break_times(self) -> np.ndarray:
        # held samples of a sequence model: every sample ends an interval, even without a jump
        return self.times if self.interpolation == "next" else np.zeros(0)

    def knots(self):
        v = np.broadcast_to(self.values, (len(self.times), len(self.neurons))).astype(float)
        if self.interpolation == "linear":
            return self.times.copy(), v, v
        if self.interpolation == "next":  # sample i is held over the interval that ends at times[i]
            right = np.vstack([v[1:], v[-1:]])
            return self.times.copy(), v, right
        left = np.vstack([v[:1], v[:-1]])
        return self.times.copy(), left, v


def constant(neurons, amplitude) -> Constant:
    """A constant drive; see :class:`Constant`."""
    return Constant(neurons, amplitude)


def step(neurons, amplitude, at) -> Step:
    """A step switched on at `at` ms; see :class:`Step`."""
    return Step(neurons, amplitude, at)


def pulse(neurons, amplitude, start, duration, period=None, count=1) -> Pulse:
    """One or more rectangular pulses; see :class:`Pulse`."""
    return Pulse(neurons, amplitude, start, duration, period, count)


def samples(neurons, times, values, interpolation="linear") -> Samples:
    """A sampled drive; see :class:`Samples`."""
    return Samples(neurons, times, values, interpolation)


@dataclasses.dataclass(frozen=True)
class Drive:
    """The sum of several stimuli (possibly none)."""

    stimuli: tuple = ()

    def __post_init__(self):
        for s in self.stimuli:
            if not isinstance(s, Stimulus):
                raise InputError(f"a drive is made of stimuli, got {type(s).__name__}")

    def __add__(self, other):
        return Drive(self.stimuli + as_drive(other).stimuli)

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:  # sum([drive, ...])
            return self
        return Drive(as_drive(other).stimuli + self.stimuli)

    def describe(self) -> list:
        """Stimuli as JSON-friendly dicts (for plots: on/off times, targets)."""
        return [s.describe() for s in self.stimuli]

    def to_json(self) -> str:
        return json.dumps(self.describe())

    def check_channels(self, channels, wiring=None, input_units: str = "pA") -> None:
        """Raise :class:`UnknownNeuronError` (with close matches) unless every target is an input channel."""
        from ._input_table import _channel_index, _columns, _kind

        physical = [s for s in self.stimuli if getattr(s, "_physical", False)]
        if physical and input_units != "pA":
            raise InputError(f"{_kind(physical[0])} on {list(physical[0].neurons)} is a current, but this model's "
                             f"input is in {input_units!r} units: give plain numbers")
        index = _channel_index(channels, wiring)
        for s in self.stimuli:
            _columns(s, index)

    # -- compilation to a kernel table (circuitsim._input_table) ----------------------
    def _table(self, channels, wiring, t_span):
        """Knot times, values (m, n_in) and break times strictly inside `t_span`."""
        from ._input_table import drive_knots

        return drive_knots(self, channels, wiring, t_span)


def as_drive(x) -> Drive:
    """A :class:`Drive` from None, a stimulus, a drive or a sequence of stimuli."""
    if x is None:
        return Drive(())
    if isinstance(x, Drive):
        return x
    if isinstance(x, Stimulus):
        return Drive((x,))
    if isinstance(x, (list, tuple)):
        out = Drive(())
        for s in x:
            out = out + as_drive(s)
        return out
    raise InputError(f"inputs must be a stimulus, a Drive, a list of stimuli or None, got {type(x).__name__}")


def build_table(drives, channels, wiring, t_span):
    """Compile one drive per batch member into the kernels' table (see :mod:`circuitsim._input_table`)."""
    from ._input_table import build_table as _build

    return _build(drives, channels, wiring, t_span)


def held_sequence_table(times, values):
    """The kernel table of held sample sequences (see :mod:`circuitsim._input_table`)."""
    from ._input_table import held_sequence_table as _held

    return _held(times, values)
