"""The :class:`Result` of a simulation: time-major samples plus the solver's dense output."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from .errors import CircuitsimError, OutOfSpanError, ParameterError

__all__ = ["Result", "DenseOutput"]

_FORMAT_VERSION = 2


@dataclasses.dataclass(frozen=True, eq=False)
class DenseOutput:
    """Per-step interpolation rows of the recorded variables (one representation for every solver).

    Step ``i`` of member ``b`` spans ``[node_t[b, i], node_t[b, i + 1]]`` and stores
    rows ``y0, y1, d_0, ...`` per recorded variable; see
    :mod:`circuitsim._kernels.interpolate` for the formula.

    Attributes
    ----------
    node_t : float64 array (B, S + 1)
        Step boundaries (ms) of each member (first ``n_steps[b] + 1`` valid).
    coeffs : float64 array (B, S, K, n_rec)
        Rows per step.
    n_steps : int64 array (B,)
    """

    node_t: np.ndarray
    coeffs: np.ndarray
    n_steps: np.ndarray

    def evaluate(self, member: int, tq: np.ndarray) -> np.ndarray:
        """Interpolated recorded state at times `tq` (q,) of member `member` -> (q, n_rec)."""
        from ._kernels.interpolate import evaluate_dense

        out = np.empty((len(tq), self.coeffs.shape[3]))
        n = int(self.n_steps[member])
        evaluate_dense(np.ascontiguousarray(self.node_t[member, : n + 1]),
                       np.ascontiguousarray(self.coeffs[member, :n]), n, np.ascontiguousarray(tq, dtype=np.float64),
                       out)
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

    # -- access -------------------------------------------------------------------------
    @property
    def batch_size(self) -> int:
        """Number of batch members (1 for a single run)."""
        return self.y.shape[0] if self.batched else 1

    def _block(self, variable) -> slice:
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
        """Samples of one neuron's variable (default: the first recorded variable)."""
        if name not in self.neurons:
            from .errors import UnknownNeuronError
            raise UnknownNeuronError(name, self.neurons, where="the recorded neurons")
        return self[variable or self.variables[0]][..., self.neurons.index(name)]

    def at(self, t, variable: str | None = None):
        """State at any time(s) inside the simulated span, from the solver's continuous extension.

        Parameters
        ----------
        t : float or array_like (q,)
            Times (ms) in ``[t_span[0], t_end]``.
        variable : str, optional
            Return only this variable.

        Returns
        -------
        ndarray or dict of ndarray
            Shape ``(n_neurons,)`` for a scalar `t`, ``(q, n_neurons)`` for an array,
            with a leading batch axis when batched; a dict ``{variable: array}``
            when `variable` is None.

        Raises
        ------
        OutOfSpanError
            A time outside ``[t_span[0], t_end]`` (never extrapolates).
        CircuitsimError
            Dense output was not stored (``simulate(..., dense=False)``).
        """
        if self.dense is None:
            raise CircuitsimError("this result has no dense output; simulate with dense=True to use at()")
        tq = np.asarray(t, dtype=np.float64)
        scalar = tq.ndim == 0
        tq = np.atleast_1d(tq)
        if tq.ndim != 1:
            raise ParameterError(f"t must be a float or a 1-d array, got shape {tq.shape}")
        t0 = self.t_span[0]
        bad = ~np.isfinite(tq) | (tq < t0) | (tq > self.t_end)
        if bad.any():
            raise OutOfSpanError(f"time {tq[bad][0]!r} ms is outside the simulated span [{t0:g}, {self.t_end:g}] ms")
        vals = np.stack([self.dense.evaluate(b, tq) if self.dense.n_steps[b] > 0 else
                         np.broadcast_to((self.y if self.batched else self.y[None])[b, 0], (len(tq), self.y.shape[-1]))
                         for b in range(self.batch_size)])  # (B, q, n_rec); no step taken: the initial state
        if not self.batched:
            vals = vals[0]
        if scalar:
            vals = vals[..., 0, :]
        if variable is not None:
            return vals[..., self._block(variable)]
        return {v: vals[..., self._block(v)] for v in self.variables}

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
            idx = pd.MultiIndex.from_product([range(self.batch_size), self.t], names=["member", "t"])
            return pd.DataFrame(data.reshape(-1, data.shape[-1]), index=idx, columns=cols)
        return pd.DataFrame(data, index=pd.Index(self.t, name="t"), columns=cols)

    # -- persistence ----------------------------------------------------------------------
    def save(self, path) -> None:
        """Write to an ``.npz`` file atomically; :meth:`load` restores it exactly."""
        from connectome._io.atomic import atomic_path

        header = {"format_version": _FORMAT_VERSION, "variables": list(self.variables), "neurons": list(self.neurons),
                  "units": self.units, "t_span": list(self.t_span), "t_end": self.t_end, "stimuli": self.stimuli,
                  "meta": self.meta, "batched": self.batched, "stats": list(self.stats),
                  "dense": self.dense is not None}
        arrays = {"header": np.array(json.dumps(header)), "t": self.t, "y": self.y}
        for k, v in self.stats.items():
            arrays[f"stats_{k}"] = v
        if self.dense is not None:
            arrays.update(dense_node_t=self.dense.node_t, dense_coeffs=self.dense.coeffs,
                          dense_n_steps=self.dense.n_steps)
        if self.wiring is not None:
            arrays["wiring_npz"] = _wiring_bytes(self.wiring)
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez_compressed(tmp, **arrays)

    @classmethod
    def load(cls, path) -> "Result":
        """Read a result written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as f:
            h = json.loads(str(f["header"]))
            version = h.get("format_version")
            if version not in (1, _FORMAT_VERSION):
                raise CircuitsimError(f"{path}: unsupported result file version {version}")
            dense = None
            if version == 1 and h["dense_kind"] is not None:
                dense = _dense_v1(h["dense_kind"], f["dense_node_t"], f["dense_coeffs"], f["dense_n_steps"])
            elif version == _FORMAT_VERSION and h["dense"]:
                dense = DenseOutput(f["dense_node_t"], f["dense_coeffs"], f["dense_n_steps"])
            wiring = None
            if "wiring_npz" in f.files:
                import io

                from connectome import Wiring
                wiring = Wiring.load(io.BytesIO(f["wiring_npz"].tobytes()))
            return cls(t=f["t"], y=f["y"], variables=tuple(h["variables"]), neurons=tuple(h["neurons"]),
                       units=h["units"], t_span=tuple(h["t_span"]), t_end=h["t_end"], dense=dense,
                       stats={k: f[f"stats_{k}"] for k in h["stats"]}, stimuli=h["stimuli"], meta=h["meta"],
                       batched=h["batched"], wiring=wiring)

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
            return same(a.node_t, b.node_t) and same(a.coeffs, b.coeffs) and same(
                a.n_steps, b.n_steps)
        return True

    def __repr__(self) -> str:
        shape = "x".join(map(str, self.y.shape))
        return (f"<Result {self.meta.get('model', '')} / {self.meta.get('solver', {}).get('name', '')}: "
                f"t in [{self.t_span[0]:g}, {self.t_end:g}] ms, {len(self.t)} samples, "
                f"variables {self.variables}, {len(self.neurons)} neurons, y {shape}>")


def _dense_v1(kind, node_t, coeffs, n_steps):
    """Dense output of a version-1 result file in this version's rows."""
    c = np.asarray(coeffs, dtype=np.float64)
    if kind == "rodas4":
        rows = c
    elif kind == "dopri5":  # r1..r5: y = r1 + th (r2 + (1-th) (r3 + th (r4 + (1-th) r5)))
        r1, r2, r3, r4, r5 = (c[:, :, q] for q in range(5))
        rows = np.stack([r1, r1 + r2, r3, r4 + r5, -r5], axis=2)
    elif kind == "hermite":  # y0, y1, f0, f1: d0 = h f0 - (y1 - y0), d1 = 2 (y1 - y0) - h (f0 + f1)
        h = np.diff(np.asarray(node_t, dtype=np.float64), axis=1)[:, :, None]
        y0, y1, f0, f1 = (c[:, :, q] for q in range(4))
        delta = y1 - y0
        rows = np.stack([y0, y1, h * f0 - delta, 2 * delta - h * (f0 + f1)], axis=2)
    else:
        raise CircuitsimError(f"unknown dense output kind {kind!r} in a version-1 result file")
    return DenseOutput(np.asarray(node_t, dtype=np.float64), np.ascontiguousarray(rows), np.asarray(n_steps))


def _wiring_bytes(wiring) -> np.ndarray:
    """The wiring's own ``.npz`` file as a uint8 array (stored inside the result file)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "wiring.npz")
        wiring.save(path)
        with open(path, "rb") as fh:
            return np.frombuffer(fh.read(), dtype=np.uint8)
