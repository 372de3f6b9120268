"""One view of simulated activity for analysis, plots and widgets.

:func:`as_activity` turns a simulation Result, a DataFrame (index = time in
ms, one column per neuron) or a plain ``(n_t, n_neurons)`` array into an
:class:`Activity`: sample times, time-major values, neuron names, optional
metadata (type, class, soma position), the wiring, the stimulus intervals, and
a dense-output function giving the activity at any time inside the span.

The activity of a Result is, by default, its model's *display quantity*
(:meth:`circuitsim.Result.display`): ``V - Vth`` for the graded network, the
rate ``f(x)`` for a CTRNN, the state for LTC and CfC networks. ``var="V"``
(any recorded state variable) reads that variable as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from connectome.names import normalise_neuron_name

from ..errors import AnalysisError, MissingPositionsError, OutOfSpanError, UnknownNeuronError  # noqa: F401
from ..result import Result
from ._duck import result_dense, result_var, result_wiring
from ._stimulus import parse_stimulus, stimulus_intervals

__all__ = ["Activity", "AnalysisError", "MissingPositionsError", "as_activity", "stimulus_intervals"]


@dataclass(frozen=True, eq=False)
class Activity:
    """Time-major activity of named neurons with dense output.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Strictly increasing sample times (ms).
    values : ndarray, shape (n_t, n_neurons)
        Activity at the sample times (e.g. ``V - Vth``, mV).
    neurons : tuple of str
        Column names.
    var : str
        Name of the quantity: a display label (``"V - Vth"``, ``"rate f(x)"``)
        or a state variable (``"V"``, ``"x"``, ...).
    unit : str
        Its unit (``"mV"``; empty if unknown).
    metadata : DataFrame or None
        Per-neuron table indexed by name (``type``, ``class``, ``x, y, z``...).
    wiring : connectome.Wiring or None
        The wiring the activity was simulated on (edges for network plots).
    stimulus : tuple of (start, stop, label)
        Stimulus intervals in ms (for markers); ``stop == start`` for an instant.
    dense : callable or None
        ``dense(times (m,)) -> (m, n_neurons)``: the solver's continuous
        extension. None: linear interpolation between samples.
    source : object or None
        The Result the activity was read from (None for tables and arrays).
    members : mapping or None
        For class-level activity: class -> member neuron names.
    display : circuitsim.models.base.Display or None
        How the values were derived from a state variable (offset, transform)
        when they are a model's display quantity; None for raw values.
    """

    t: np.ndarray
    values: np.ndarray
    neurons: tuple
    var: str = ""
    unit: str = ""
    metadata: pd.DataFrame | None = None
    wiring: object = None
    stimulus: tuple = ()
    dense: Callable | None = None
    source: object = None
    members: Mapping | None = None
    display: object = None

    def __post_init__(self):
        t = np.asarray(self.t, dtype=float)
        x = np.asarray(self.values, dtype=float)
        if t.ndim != 1 or len(t) == 0:
            raise AnalysisError(f"times must be a non-empty 1-D array (ms), got shape {t.shape}")
        if len(t) > 1 and not np.all(np.diff(t) > 0):
            raise AnalysisError("times must be strictly increasing")
        if not np.all(np.isfinite(t)):
            raise AnalysisError("times must be finite")
        if x.ndim == 1 and len(self.neurons) == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape != (len(t), len(self.neurons)):
            raise AnalysisError(
                f"activity must have shape (n_t, n_neurons) = ({len(t)}, {len(self.neurons)}), got {x.shape}; "
                "results are time-major (transpose a neuron-major array)")
        names = tuple(str(n) for n in self.neurons)
        if len(set(names)) != len(names):
            raise AnalysisError("neuron names must be unique")
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "values", x)
        object.__setattr__(self, "neurons", names)

    # -- basic access -------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of neurons (columns)."""
        return len(self.neurons)

    @property
    def span(self) -> tuple[float, float]:
        """First and last sample time (ms)."""
        return float(self.t[0]), float(self.t[-1])

    def replace(self, **changes) -> "Activity":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dataframe(self) -> pd.DataFrame:
        """Index = time (ms), one column per neuron."""
        return pd.DataFrame(self.values, index=pd.Index(self.t, name="t"), columns=list(self.neurons))

    def resolve(self, name) -> str:
        """Canonical name of neuron `name`; unknown names raise with close matches."""
        if name in self.neurons:
            return name
        canon = normalise_neuron_name(name)
        if canon in self.neurons:
            return canon
        raise UnknownNeuronError(name, self.neurons, where="the activity")

    def index_of(self, names) -> np.ndarray:
        """Column positions of `names` (str or sequence)."""
        if isinstance(names, str):
            names = [names]
        pos = {n: i for i, n in enumerate(self.neurons)}
        return np.array([pos[self.resolve(nm)] for nm in names], dtype=np.int64)

    def select(self, neurons=None) -> "Activity":
        """The activity of `neurons` only (None: unchanged)."""
        if neurons is None:
            return self
        if isinstance(neurons, str):
            neurons = [neurons]
        idx = self.index_of(list(neurons))
        if len(idx) == 0:
            raise AnalysisError("select needs at least one neuron")
        names = tuple(self.neurons[i] for i in idx)
        parent = self.dense
        dense = None if parent is None else (lambda tq, _p=parent, _i=idx: _p(tq)[:, _i])
        meta = None if self.metadata is None else self.metadata.loc[list(names)]
        return self.replace(values=self.values[:, idx], neurons=names, metadata=meta, dense=dense)

    # -- dense output ---------------------------------------------------------------
    def check_span(self, t) -> None:
        """Raise :class:`~circuitsim.errors.OutOfSpanError` if any of `t` lies outside the span."""
        tq = np.asarray(t, dtype=float)
        lo, hi = self.span
        tol = 1e-12 * max(1.0, abs(lo), abs(hi))
        bad = tq[~((tq >= lo - tol) & (tq <= hi + tol))] if tq.ndim else (
            tq[None] if not (lo - tol <= tq <= hi + tol) else np.empty(0))
        if bad.size:
            raise OutOfSpanError(
                f"time {float(bad.flat[0]):.6g} ms is outside the simulated span [{lo:.6g}, {hi:.6g}] ms; "
                "activity is never extrapolated: choose a time inside the span")

    def at(self, t) -> np.ndarray:
        """Activity at time(s) `t` (ms): shape ``(n_neurons,)`` for a scalar, ``(m, n_neurons)`` for ``(m,)``.

        Uses the solver's dense output when the activity came from a Result,
        linear interpolation between samples otherwise.
        """
        tq = np.asarray(t, dtype=float)
        self.check_span(tq)
        flat = np.atleast_1d(tq).ravel()
        flat = np.clip(flat, *self.span)
        if self.dense is not None:
            out = np.asarray(self.dense(flat), dtype=float).reshape(len(flat), self.n)
        elif len(self.t) == 1:
            out = np.repeat(self.values, len(flat), axis=0)
        else:
            j = np.clip(np.searchsorted(self.t, flat, side="right") - 1, 0, len(self.t) - 2)
            w = ((flat - self.t[j]) / (self.t[j + 1] - self.t[j]))[:, None]
            out = (1 - w) * self.values[j] + w * self.values[j + 1]
        return out[0] if tq.ndim == 0 else out.reshape(tq.shape + (self.n,))

    # -- metadata -------------------------------------------------------------------
    def column(self, name: str, default=None) -> list:
        """Metadata column `name` per neuron (`default` where missing)."""
        if self.metadata is None or name not in self.metadata:
            return [default] * self.n
        col = self.metadata[name].reindex(list(self.neurons))
        return [default if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in col]

    def classes(self, classes=None) -> list:
        """Class of every neuron: from `classes` (mapping) or the metadata ``class`` column; own name if none."""
        if classes is None:
            col = self.column("class")
            return [c if c not in (None, "") else nm for c, nm in zip(col, self.neurons)]
        if isinstance(classes, pd.Series):
            classes = classes.to_dict()
        if not isinstance(classes, Mapping):
            raise AnalysisError(f"classes must be a mapping neuron -> class, got {type(classes).__name__}")
        return [str(classes.get(nm, nm)) for nm in self.neurons]



def _display_of(result):
    """The Display of a Result's model, or None (no circuit, or its variable was not recorded)."""
    circuit = getattr(result, "circuit", None)
    if circuit is None:
        return None
    info = circuit.model.display(circuit)
    return info if info.variable in result.variables else None


def as_activity(data, *, var: str | None = None, t=None, names=None, metadata=None, wiring=None,
                stimulus=None, batch: int | None = None, default: str = "display") -> Activity:
    """Turn a Result, DataFrame, Activity or array into an :class:`Activity`.

    Parameters
    ----------
    data : Result, Activity, DataFrame or array_like (n_t, n_neurons)
        A Result needs ``.t``, ``result[var]`` (time-major) and preferably
        ``.neurons``, ``.at(t)``, ``.wiring`` and a stimulus description. A
        DataFrame has time (ms) as index and one column per neuron.
    var : str, optional
        What to read from a Result: a recorded state variable (``"V"``) as it
        is, or ``"display"`` for the model's display quantity. Default: see
        `default`.
    t : array_like (n_t,), optional
        Times (ms) for a plain array (required then).
    names : sequence of str, optional
        Neuron names for a plain array (default ``n0, n1, ...``; taken from
        `wiring` when given and of the right length).
    metadata : DataFrame, optional
        Per-neuron table indexed by name (default: the wiring's metadata).
    wiring : connectome.Wiring, optional
        Wiring used for network plots (default: the Result's).
    stimulus : float, (start, stop), list of them, or DataFrame, optional
        Stimulus intervals in ms (default: from the Result).
    batch : int, optional
        Member of a batched Result (leading batch axis).
    default : {"display", "state"}
        What a Result gives when `var` is None: the model's display quantity
        (:meth:`circuitsim.Result.display`; e.g. ``V - Vth`` in mV for the
        graded network), or its first state variable as it is. A Result
        without its circuit (a batch of different circuits, a result saved
        without it) has no display quantity and gives its first variable.

    Returns
    -------
    Activity

    Raises
    ------
    AnalysisError
        Unknown variable, a batched result without `batch`, arrays without
        times or of the wrong shape, an unreadable stimulus description.
    """
    if default not in ("display", "state"):
        raise AnalysisError(f"default must be 'display' or 'state', got {default!r}")
    if isinstance(data, Activity):
        changes = {}
        if metadata is None and wiring is not None and data.metadata is None:
            metadata = getattr(wiring, "metadata", None)
        if metadata is not None:
            changes["metadata"] = metadata.reindex(list(data.neurons))
        if wiring is not None:
            changes["wiring"] = wiring
        if stimulus is not None:
            changes["stimulus"] = parse_stimulus(stimulus)
        return data.replace(**changes) if changes else data
    if isinstance(data, pd.DataFrame):
        act_t = data.index.to_numpy(dtype=float) if t is None else np.asarray(t, float)
        values = data.to_numpy(dtype=float)
        neurons = tuple(str(c) for c in data.columns)
        dense = None
        units = ""
        source = None
    elif isinstance(data, Result):
        if data.batched:
            if batch is None:
                raise AnalysisError(f"the result is batched ({data.batch_size} members); pass batch=<index>")
            data = data.member(batch)
        elif batch is not None:
            raise AnalysisError("batch= given but the result is not batched")
        info = None
        if var == "display" or (var is None and default == "display"):
            info = _display_of(data)
            if info is None and var == "display" and getattr(data, "circuit", None) is not None:
                raise AnalysisError(f"the display quantity of this result needs "
                                    f"{data.circuit.model.display(data.circuit).variable!r}, which was not recorded "
                                    f"(recorded: {data.variables})")
            var = None if info is None else var
        if info is not None:
            values = data.display()[0]
            dense = None if data.dense is None else (lambda tq, _r=data: _r.display(tq)[0])
            var, units = info.label, info.unit
        else:
            var = data.variables[0] if var in (None, "display") else str(var)
            if var not in data.variables:
                from connectome.errors import close_matches

                near = close_matches(var, data.variables)
                hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
                raise AnalysisError(f"the result has no state variable {var!r}; it recorded {data.variables}{hint}")
            values = data[var]
            dense = None if data.dense is None else (lambda tq, _r=data, _v=var: _r.at(tq, _v))
            units = data.units.get(var, "")
        act_t = data.t
        wiring = wiring if wiring is not None else data.wiring
        neurons = tuple(data.neurons)
        if stimulus is None and data.stimuli:
            stimulus = data.stimuli[0]
        source = data
    elif hasattr(data, "t") and hasattr(data, "__getitem__") and not isinstance(data, np.ndarray):
        var = result_var(data, None if var == "display" else var)  # duck-typed results: no display quantity
        try:
            values = np.asarray(data[var], dtype=float)
        except KeyError as exc:
            raise AnalysisError(f"the result has no state variable {var!r}: {exc}") from None
        act_t = np.asarray(data.t, dtype=float)
        if values.ndim == 3:
            if batch is None:
                raise AnalysisError(f"the result is batched ({values.shape[0]} members); pass batch=<index>")
            values = values[batch]
        elif batch is not None:
            raise AnalysisError("batch= given but the result is not batched")
        wiring = wiring if wiring is not None else result_wiring(data)
        neurons = getattr(data, "neurons", None)
        if neurons is None and wiring is not None:
            neurons = wiring.neurons
        if neurons is None:
            neurons = [f"n{i}" for i in range(values.shape[-1])]
        neurons = tuple(neurons)
        state_names = tuple(getattr(data, "state_names", None) or getattr(data, "variables", None) or (var,))
        var_index = state_names.index(var) if var in state_names else 0
        base_dense = result_dense(data, var, len(neurons), var_index)
        if base_dense is not None and batch is not None:
            dense = lambda tq, _d=base_dense, _b=batch: _d(tq)[_b]  # noqa: E731
        else:
            dense = base_dense
        units = getattr(data, "units", None) or {}
        units = units.get(var, "") if isinstance(units, Mapping) else ""
        if stimulus is None:
            for attr in ("stimulus", "stimuli", "inputs"):
                s = getattr(data, attr, None)
                if attr == "stimuli" and s and isinstance(s[0], (list, tuple)):  # one drive per batch member
                    s = s[batch or 0]
                if s is not None:
                    try:
                        stimulus = parse_stimulus(s)
                        break
                    except AnalysisError:
                        continue
        source = data
    else:
        values = np.asarray(data, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if t is None:
            raise AnalysisError("a plain array needs its sample times: pass t=<array of ms>")
        act_t = np.asarray(t, dtype=float)
        if names is None and wiring is not None and getattr(wiring, "n", None) == values.shape[-1]:
            names = wiring.neurons
        neurons = tuple(names) if names is not None else tuple(f"n{i}" for i in range(values.shape[-1]))
        dense, units, source = None, "", None
    if metadata is None and wiring is not None:
        metadata = getattr(wiring, "metadata", None)
    if metadata is not None:
        metadata = metadata.reindex(list(neurons))
    return Activity(act_t, values, neurons, var=var or "", unit=units, metadata=metadata, wiring=wiring,
                    stimulus=parse_stimulus(stimulus), dense=dense, source=source,
                    display=info if isinstance(data, Result) else None)
