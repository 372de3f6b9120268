"""The :class:`Result` of a simulation: time-major samples plus the solver's dense output."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from .errors import CircuitsimError, OutOfSpanError, ParameterError

__all__ = ["Result", "DenseOutput"]



@dataclasses.dataclass(frozen=True, eq=False)
class DenseOutput:
    """The solver's continuous extension of every batch member.

    Two kinds:

    * ``"poly"`` (every ODE solver): step ``i`` of member ``b`` spans
      ``[node_t[b, i], node_t[b, i + 1]]`` and stores rows ``y0, y1, d_0, ...`` per
      recorded entry (:mod:`circuitsim._kernels.interpolate` gives the formula);
    * ``"replay"`` (sequence models: LTC fused step, CfC closed form): ``coeffs[b, i, 0]``
      is the full state at the start of sample interval ``i`` and ``inputs[b, i]`` the
      input held over it; the state inside is the model's own step over the partial
      interval (evaluated with the result's circuit and solver).

    Attributes
    ----------
    node_t : float64 array (B, S + 1)
        Step (or sample) boundaries (ms) of each member (first ``n_steps[b] + 1`` valid).
    coeffs : float64 array (B, S, K, width)
        Rows per step.
    n_steps : int64 array (B,)
    kind : {"poly", "replay"}
    inputs : float64 array (B, S, n_in), optional
        Held input per interval (replay).
    columns : int64 array (n_rec,), optional
        Recorded entries of the full state (replay).
    """

    node_t: np.ndarray
    coeffs: np.ndarray
    n_steps: np.ndarray
    kind: str = "poly"
    inputs: np.ndarray | None = None
    columns: np.ndarray | None = None

    def evaluate(self, member: int, tq: np.ndarray, replay=None) -> np.ndarray:
        """Recorded state at times `tq` (q,) of member `member` -> (q, n_rec).

        `replay(v0, x, dt)` advances full states (the sequence solver's step); needed for
        ``kind="replay"``.
        """
        tq = np.ascontiguousarray(tq, dtype=np.float64)
        n = int(self.n_steps[member])
        if self.kind == "replay":
            nodes = self.node_t[member, : n + 1]
            idx = np.clip(np.searchsorted(nodes, tq, side="right") - 1, 0, n - 1)
            elapsed = tq - nodes[idx]
            start = self.coeffs[member, idx, 0]
            full = start.copy()
            move = elapsed > 0
            if move.any():
                if replay is None:
                    raise CircuitsimError("this result's dense output replays its solver's step, which needs the "
                                          "circuit and solver it was run with (not available)")
                full[move] = replay(start[move], self.inputs[member, idx[move]], elapsed[move])
            return full[:, self.columns]
        from ._kernels.interpolate import evaluate_dense

        out = np.empty((len(tq), self.coeffs.shape[3]))
        evaluate_dense(np.ascontiguousarray(self.node_t[member, : n + 1]),
                       np.ascontiguousarray(self.coeffs[member, :n]), n, tq, out)
        return out


@dataclasses.dataclass(frozen=True, eq=False)
class Result:
    """Recorded trajectories of a simulation (time-major), with dense output.

    Attributes
    ----------
    t : float64 array (n_t,)
        Sample times (ms).
    y : float64 array (n_t, n_rec) or (B, n_t, n_rec)
        Recorded values; columns are variable-major blocks (each variable of
        :attr:`variables` for every neuron of :attr:`neurons`).
    variables : tuple of str
        Recorded state variables.
    neurons : tuple of str
        Recorded neurons (column order within each variable block).
    units : dict
        Unit of each recorded variable.
    t_span : (float, float)
        Requested span (ms).
    t_end : float
        Last time actually reached (``t_span[1]`` unless the run failed).
    dense : DenseOutput or None
        The solver's continuous extension over ``[t_span[0], t_end]``.
    stats : dict of int64 arrays (B,)
        ``steps``, ``rejected``, ``rhs_calls`` per member.
    stimuli : list
        Per member, the drive as a list of dicts (kind, neurons, on/off times).
    meta : dict
        Model, solver, wiring name and all neuron names.
    batched : bool
        True if arrays carry a leading batch axis.
    wiring : connectome.Wiring or None
        The simulated wiring (saved with the result; used by network plots).
    circuit : Circuit or None
        The simulated circuit (saved with the result) when every member ran the same one.
    """

    t: np.ndarray
    y: np.ndarray
    variables: tuple
    neurons: tuple
    units: dict
    t_span: tuple
    t_end: float
    dense: DenseOutput | None
    stats: dict
    stimuli: list
    meta: dict
    batched: bool = False
    wiring: object = None
    circuit: object = None

    # -- access -------------------------------------------------------------------------
    @property
    def batch_size(self) -> int:
        """Number of batch members (1 for a single run)."""
        return self.y.shape[0] if self.batched else 1

    def _block(self, variable) -> slice:
        if variable == "w" and "weights" in self.meta:  # plastic weights follow the neuron columns
            start = len(self.variables) * len(self.neurons)
            return slice(start, start + len(self.meta["weights"]["pre"]))
        if variable in self.meta.get("traces", {}):  # a plastic rule's neuron traces follow the weights
            start = len(self.variables) * len(self.neurons) + len(self.meta["weights"]["pre"])
            k, n = self.meta["traces"][variable], len(self.wiring.neurons) if self.wiring is not None else 0
            return slice(start + k * n, start + (k + 1) * n)
        if variable not in self.variables:
            from connectome.errors import close_matches
            near = close_matches(str(variable), self.variables)
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            raise KeyError(f"variable {variable!r} was not recorded (recorded: {self.variables}){hint}")
        k = self.variables.index(variable)
        n = len(self.neurons)
        return slice(k * n, (k + 1) * n)

    def __getitem__(self, variable: str) -> np.ndarray:
        """Samples of one variable: ``(n_t, n_neurons)`` (or ``(B, n_t, n_neurons)``)."""
        return self.y[..., self._block(variable)]

    def neuron(self, name: str, variable: str | None = None) -> np.ndarray:
        """Samples of one neuron's variable (default: the first recorded variable).

        A class name (``"AVA"``) gives every recorded member, on the last axis in wiring order.
        """
        var = self[variable or self.variables[0]]
        if name in self.neurons:
            return var[..., self.neurons.index(name)]
        from .errors import UnknownNeuronError

        members = []
        if self.wiring is not None:
            from connectome.errors import UnknownNeuronError as _Unknown
            from connectome.select import resolve

            try:
                members = [nm for nm in resolve(self.wiring, [name], what="neuron") if nm in self.neurons]
            except _Unknown:
                members = []
        if not members:
            raise UnknownNeuronError(name, self.neurons, where="the recorded neurons")
        if len(members) == 1:
            return var[..., self.neurons.index(members[0])]
        return var[..., [self.neurons.index(nm) for nm in members]]

    def at(self, t, variable: str | None = None):
        """State at any time(s) inside the simulated span, from the solver's continuous extension.

        Parameters
        ----------
        t : float, array_like (q,), or (B, q) for a batch whose members have their own times
            Times (ms) inside each member's span ``[start, end]``.
        variable : str, optional
            Return only this variable.

        Returns
        -------
        xarray.Dataset or ndarray
            With `variable` None, an :class:`xarray.Dataset` (the same labelled type for
            every result): one variable per state variable over ``neuron``, plus ``time``
            for an array of times and ``batch`` (labelled by swept values) for a batch;
            ``ds["V"].sel(neuron="AVAL")`` reads one neuron. With `variable` given, the
            plain array of that variable, shape ``(n_neurons,)`` for a scalar `t`,
            ``(q, n_neurons)`` for an array, with a leading batch axis when batched.

        Raises
        ------
        OutOfSpanError
            A time outside the simulated span (never extrapolates).
        CircuitsimError
            Dense output was not stored (``simulate(..., dense=False)``).
        ParameterError
            Times that are not numbers, or of the wrong shape.
        """
        if self.dense is None:
            raise CircuitsimError("this result has no dense output; simulate with dense=True to use at()")
        from .units import as_time

        try:
            tq = np.asarray(as_time(t, "t"), dtype=np.float64)
        except (TypeError, ValueError):
            raise ParameterError(f"t must be a time in ms (or a string like '530 ms'), or an array of times, "
                                 f"got {t!r}") from None
        scalar = tq.ndim == 0
        B = self.batch_size
        if tq.ndim <= 1:
            tq = np.broadcast_to(np.atleast_1d(tq), (B, np.atleast_1d(tq).shape[0]))
        elif not (self.batched and tq.ndim == 2 and tq.shape[0] == B):
            raise ParameterError(f"t must be a float or a 1-d array{f' or have shape ({B}, q)' if self.batched else ''}"
                                 f", got shape {tq.shape}")
        replay = self._replayer() if self.dense.kind == "replay" else None
        out = []
        for b in range(B):
            n = int(self.dense.n_steps[b])
            lo = float(self.dense.node_t[b, 0]) if n > 0 else float(self.t_span[0])
            hi = float(self.dense.node_t[b, n]) if n > 0 else lo
            bad = ~np.isfinite(tq[b]) | (tq[b] < lo) | (tq[b] > hi)
            if bad.any():
                where = f" of batch member {b}" if self.batched else ""
                raise OutOfSpanError(f"time {tq[b][bad][0]!r} ms is outside the simulated span [{lo:g}, {hi:g}] ms"
                                     f"{where}; results are not extrapolated")
            if n > 0:
                out.append(self.dense.evaluate(b, tq[b], replay))
            else:  # no step taken: the initial state
                first = (self.y if self.batched else self.y[None])[b, 0]
                out.append(np.broadcast_to(first, (tq.shape[1], self.y.shape[-1])))
        vals = np.stack(out)  # (B, q, n_rec)
        if not self.batched:
            vals = vals[0]
        if scalar:
            vals = vals[..., 0, :]
        if variable is not None:
            return vals[..., self._block(variable)]
        from ._result_io import labelled_state

        out = {v: vals[..., self._block(v)] for v in self.variables}
        if "weights" in self.meta:  # plastic runs: recorded weights (per synapse) and rule traces (per neuron)
            out["w"] = vals[..., self._block("w")]
            out.update({k: vals[..., self._block(k)] for k in self.meta.get("traces", {})})
        return labelled_state(self, out, tq, scalar)

    def _replayer(self):
        """``replay(v0, x, dt)``: the sequence solver's step, for dense output of kind "replay"."""
        if self.circuit is None:
            return None
        from .solvers.base import solver_from_description

        solver = solver_from_description(self.meta.get("solver", {}))
        circuit = self.circuit
        return lambda v0, x, dt: solver.advance(circuit, v0, x, dt)

    def outputs(self, t=None):
        """Mapped outputs of the model (e.g. an LTC or CfC network's readout) at the samples or at times `t`.

        Needs the full state of the output neurons (record them all) and a model with outputs.

        Returns
        -------
        ndarray (n_t, n_out) or (B, n_t, n_out)
        """
        if self.circuit is None or not hasattr(self.circuit.model, "outputs"):
            raise CircuitsimError("outputs() needs the circuit of a model with outputs (LTC, CfC)")
        if tuple(self.neurons) != tuple(self.circuit.neurons) or len(self.variables) != 1:
            raise CircuitsimError("outputs() needs every neuron of the (single-variable) model recorded")
        states = self.y if t is None else self.at(t, self.variables[0])
        return self.circuit.model.outputs(self.circuit, states)

    def member(self, b: int) -> "Result":
        """Batch member `b` as a result of its own (no batch axis)."""
        import dataclasses as _dc

        if not self.batched:
            raise ParameterError("member() needs a batched result")
        if not (isinstance(b, (int, np.integer)) and -self.batch_size <= b < self.batch_size):
            raise ParameterError(f"member must be an integer index into {self.batch_size} members, got {b!r}")
        b = int(b) % self.batch_size
        d = self.dense
        if d is not None:
            d = _dc.replace(d, node_t=d.node_t[b:b + 1], coeffs=d.coeffs[b:b + 1], n_steps=d.n_steps[b:b + 1],
                            inputs=None if d.inputs is None else d.inputs[b:b + 1])
        return _dc.replace(self, t=self.t[b] if self.t.ndim == 2 else self.t, y=self.y[b], dense=d,
                           stats={k: v[b:b + 1] for k, v in self.stats.items()},
                           stimuli=[self.stimuli[b]] if len(self.stimuli) > b else self.stimuli, batched=False)

    def display(self, t=None):
        """The model's display quantity (e.g. ``V - Vth`` for the graded network) at the samples or times `t`.

        Returns
        -------
        values : ndarray (n_t, n_neurons) or (B, n_t, n_neurons)
        info : circuitsim.models.base.Display
            Label, unit and how the values were made (raw first variable if the
            result carries no circuit).
        """
        from .models.base import Display

        if self.circuit is not None:
            info = self.circuit.model.display(self.circuit)
        else:
            v0 = self.variables[0]
            info = Display(v0, v0, self.units.get(v0, ""))
        if info.variable not in self.variables:
            raise CircuitsimError(f"the display quantity needs {info.variable!r}, which was not recorded")
        raw = self[info.variable] if t is None else self.at(t, info.variable)
        columns = None
        if self.circuit is not None:
            pos = {nm: i for i, nm in enumerate(self.circuit.neurons)}
            columns = [pos[nm] for nm in self.neurons]
        return info.apply(raw, columns), info

    def resampled(self, times, dense: bool = True) -> "Result":
        """The same run with samples at `times` (from the dense output); `dense=False` drops the dense output."""
        import dataclasses as _dc

        tq = np.asarray(times, dtype=np.float64)
        vals = self.at(tq)
        y = np.concatenate([vals[v] for v in self.variables] + [vals[k] for k in ["w", *self.meta.get("traces", {})] if k in vals], axis=-1)
        return _dc.replace(self, t=tq.copy(), y=y, dense=self.dense if dense else None)

    @property
    def final_state(self) -> np.ndarray:
        """The last recorded sample: (n_rec,) or (B, n_rec)."""
        return self.y[..., -1, :]

    def to_dataframe(self, variable: str | None = None):
        """Samples as a :class:`pandas.DataFrame`.

        Index: time ``t`` (ms) (``(member, t)`` when batched). Columns: neuron names,
        or ``(variable, neuron)`` when several variables are recorded and `variable`
        is None.
        """
        import pandas as pd

        if variable is not None:
            data = self[variable]
            cols = pd.Index(self.neurons, name="neuron")
        else:
            data = self.y
            cols = (pd.Index(self.neurons, name="neuron") if len(self.variables) == 1 else
                    pd.MultiIndex.from_product([self.variables, self.neurons], names=["variable", "neuron"]))
        if self.batched:
            times = np.broadcast_to(self.t, data.shape[:2])      # shared or per-member sample times
            members = np.repeat(np.arange(self.batch_size), data.shape[1])
            idx = pd.MultiIndex.from_arrays([members, times.reshape(-1)], names=["member", "t"])
            return pd.DataFrame(data.reshape(-1, data.shape[-1]), index=idx, columns=cols)
        return pd.DataFrame(data, index=pd.Index(self.t, name="t"), columns=cols)

    def to_xarray(self):
        """The samples as an :class:`xarray.Dataset`: one variable per recorded state variable.

        Dimensions ``time`` (ms) and ``neuron``, and ``batch`` for batched runs, labelled
        by the swept values of a :func:`~circuitsim.sweep` (else by member index). When
        members have their own sample times, ``time`` is a sample index and the times are
        the 2-d coordinate ``t``. Units, model and solver are attributes.
        """
        import xarray as xr

        from ._result_io import xarray_dataset

        return xarray_dataset(self, xr)

    # -- persistence ----------------------------------------------------------------------
    def save(self, path) -> None:
        """Write to a file atomically; :meth:`load` restores it exactly (see :mod:`circuitsim._result_io`)."""
        from ._result_io import save_result

        save_result(self, path)

    @classmethod
    def load(cls, path) -> "Result":
        """Read a result written by :meth:`save`."""
        from ._result_io import load_result

        return load_result(cls, path)

    def equals(self, other: "Result") -> bool:
        """Exact equality of every array and description (used to check round trips)."""
        if not isinstance(other, Result):
            return False
        same = lambda a, b: a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)  # noqa
        if not (same(self.t, other.t) and same(self.y, other.y)):
            return False
        if (self.variables, self.neurons, self.units, tuple(self.t_span), self.t_end, self.batched) != (
                other.variables, other.neurons, other.units, tuple(other.t_span), other.t_end, other.batched):
            return False
        if json.dumps([self.stimuli, self.meta]) != json.dumps([other.stimuli, other.meta]):
            return False
        if set(self.stats) != set(other.stats) or not all(same(self.stats[k], other.stats[k]) for k in self.stats):
            return False
        if (self.wiring is None) != (other.wiring is None) or (
                self.wiring is not None and not self.wiring.equals(other.wiring)):
            return False
        if (self.dense is None) != (other.dense is None):
            return False
        if self.dense is not None:
            a, b = self.dense, other.dense
            if a.kind != b.kind or not (same(a.node_t, b.node_t) and same(a.coeffs, b.coeffs)
                                        and same(a.n_steps, b.n_steps)):
                return False
            if a.kind == "replay" and not (same(a.inputs, b.inputs) and same(a.columns, b.columns)):
                return False
        if (self.circuit is None) != (other.circuit is None):
            return False
        return True

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.y.shape))
        return (f"<Result {self.meta.get('model', '')} / {self.meta.get('solver', {}).get('name', '')}: "
                f"t in [{self.t_span[0]:g}, {self.t_end:g}] ms, {self.t.shape[-1]} samples, "
                f"variables {self.variables}, {len(self.neurons)} neurons, y {shape}>")
