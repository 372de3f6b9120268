"""The result of a run stored by :mod:`circuitsim.store`, read lazily from its zarr store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .errors import IncompleteStoreError, ParameterError, StoreError
from .store import FORMAT_VERSION, require

__all__ = ["StoredResult", "open_store"]


def open_store(path) -> "StoredResult":
    """The result of a completed stored run (``simulate(..., store=path)``), read lazily.

    Raises
    ------
    IncompleteStoreError
        The run did not finish (killed, interrupted or failed): the message gives the
        time of its last checkpoint; ``simulate(..., store=path, resume=True)`` carries on.
    StoreError
        Not a run store.
    """
    return StoredResult(Path(path))


class StoredResult:
    """A run's result backed by its zarr store: arrays are read when asked for.

    Has the attributes of :class:`~circuitsim.Result` (``variables``, ``neurons``,
    ``units``, ``t_span``, ``t_end``, ``stats``, ``meta``, ``batched``, ``wiring``,
    ``circuit``, ``stimuli``); ``y`` and ``result[variable]`` are lazy dask arrays,
    :meth:`to_xarray` a lazy :class:`xarray.Dataset`, :meth:`at` reads only the steps it
    needs, and :meth:`load` gives the in-memory :class:`~circuitsim.Result` (equal, bit
    for bit, to the one the same run returns without a store).
    """

    def __init__(self, path, _partial=False):
        zarr = require("zarr")
        from .result import Result

        self.path = Path(path)
        try:
            self._group = zarr.open_group(str(self.path), mode="r")
            attrs = dict(self._group.attrs)
        except Exception as err:  # noqa: BLE001 - missing or unreadable
            raise StoreError(f"{str(self.path)!r} is not a readable circuitsim run store "
                             f"({type(err).__name__}: {err})") from None
        if attrs.get("circuitsim_store") != FORMAT_VERSION:
            raise StoreError(f"{str(self.path)!r} is not a circuitsim run store")
        final = attrs.get("final")
        self.complete = final is not None
        if final is None:
            ckpt = self.path / "checkpoint.npz"
            if not ckpt.is_file():
                raise IncompleteStoreError(f"store {str(self.path)!r} holds a run that did not reach its first "
                                           "checkpoint; run it again (resume=True starts it over)", str(self.path))
            with np.load(ckpt, allow_pickle=False) as z:
                final = {"n_t": int(z["n_t"]), "n_steps": z["n_steps"].tolist(), "t_end": float(z["t_end"]),
                         "stats": {k[6:]: z[k] for k in z.files if k.startswith("stats_")}}
            if not _partial:
                raise IncompleteStoreError(
                    f"store {str(self.path)!r} holds an unfinished run, consistent up to t = {final['t_end']:.6g} ms "
                    "(its last checkpoint); carry on with simulate(..., store=path, resume=True)",
                    str(self.path), final["t_end"])
        skel = Result.load(self.path / "result.npz")
        self._skeleton = skel
        for name in ("variables", "neurons", "units", "t_span", "stimuli", "meta", "batched", "wiring", "circuit"):
            setattr(self, name, getattr(skel, name))
        self.t_end = float(final["t_end"])
        self.stats = {k: np.asarray(v, dtype=np.int64) for k, v in final["stats"].items()}
        self._n_t = int(final["n_t"])
        self._n_steps = np.asarray(final["n_steps"], dtype=np.int64)
        self._t_shared = final.get("t_shared")

    # -- arrays -------------------------------------------------------------------------
    @property
    def batch_size(self) -> int:
        return self._group["t"].shape[0] if self.batched else 1

    @property
    def t(self) -> np.ndarray:
        """Sample times (ms): (n_t,), or (B, n_t) when members have their own."""
        t = self._group["t"][:, : self._n_t]
        return t[0] if (self._t_shared if self._t_shared is not None else (t == t[:1]).all()) else t

    @property
    def y(self):
        """Recorded values, a lazy dask array (n_t, n_rec) or (B, n_t, n_rec)."""
        da = require("dask.array")
        y = da.from_zarr(self._group["y"])[:, : self._n_t]
        return y if self.batched else y[0]

    def __getitem__(self, variable):
        return self.y[..., self._skeleton._block(variable)]

    @property
    def dense(self):
        """The dense output (read into memory)."""
        return self.load().dense

    def to_xarray(self):
        """The samples as a lazy :class:`xarray.Dataset` (dask-backed; same layout as :meth:`Result.to_xarray`)."""
        import xarray as xr

        from ._result_io import xarray_dataset

        return xarray_dataset(self, xr)

    def load(self):
        """The whole result in memory, as a :class:`~circuitsim.Result`."""
        from .result import DenseOutput

        g = self._group
        t = self.t
        y = g["y"][:, : self._n_t]
        dense = None
        if "dense_c" in g:
            S = int(self._n_steps.max()) if len(self._n_steps) else 0
            node_t = np.zeros((self.batch_size, S + 1))
            node_t[:, 0] = g["dense_t0"][:]
            node_t[:, 1:] = g["dense_t1"][:, :S]
            dense = DenseOutput(node_t, np.ascontiguousarray(g["dense_c"][:, :S]), self._n_steps.copy())
        return dataclasses.replace(self._skeleton, t=t, y=y if self.batched else y[0], dense=dense,
                                   stats={k: v.copy() for k, v in self.stats.items()}, t_end=self.t_end)

    def at(self, t, variable=None):
        """State at times inside the span, as :meth:`Result.at`, reading only the steps that hold them."""
        from .errors import CircuitsimError, OutOfSpanError

        g = self._group
        if "dense_c" not in g:
            raise CircuitsimError("this result has no dense output; simulate with dense=True to use at()")
        tq = np.asarray(t, dtype=np.float64)
        scalar = tq.ndim == 0
        tq = np.atleast_1d(tq)
        if tq.ndim != 1:
            raise ParameterError(f"t must be a float or a 1-d array of times, got shape {tq.shape}")
        out = []
        for b in range(self.batch_size):
            n = int(self._n_steps[b])
            nodes = np.concatenate([g["dense_t0"][b:b + 1], g["dense_t1"][b, :n]])
            bad = ~np.isfinite(tq) | (tq < nodes[0]) | (tq > nodes[-1])
            if bad.any():
                raise OutOfSpanError(f"time {tq[bad][0]!r} ms is outside the simulated span [{nodes[0]:g}, "
                                     f"{nodes[-1]:g}] ms; results are not extrapolated")
            idx = np.clip(np.searchsorted(nodes, tq, side="right") - 1, 0, n - 1)
            steps, inverse = np.unique(idx, return_inverse=True)
            rows = g["dense_c"].get_orthogonal_selection((b, steps))[inverse]  # (q, K, n_rec)
            h = nodes[idx + 1] - nodes[idx]
            th = np.where(h > 0.0, (tq - nodes[idx]) / np.where(h > 0.0, h, 1.0), 0.0)[:, None]
            acc = np.zeros(rows.shape[::2])
            for q in range(rows.shape[1] - 1, 1, -1):  # the evaluation order of the compiled interpolant
                acc = rows[:, q] + th * acc
            out.append((1.0 - th) * rows[:, 0] + th * rows[:, 1] + th * (1.0 - th) * acc)
        vals = np.stack(out) if self.batched else out[0]
        if scalar:
            vals = vals[..., 0, :]
        if variable is not None:
            return vals[..., self._skeleton._block(variable)]
        return {v: vals[..., self._skeleton._block(v)] for v in self.variables}

    def __repr__(self) -> str:
        state = "complete" if self.complete else "partial"
        return (f"<StoredResult {self.meta.get('model', '')} in {str(self.path)!r} ({state}): t in "
                f"[{self.t_span[0]:g}, {self.t_end:g}] ms, {self._n_t} samples, variables {self.variables}, "
                f"{len(self.neurons)} neurons>")
