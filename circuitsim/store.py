"""Streaming a run to a zarr store, with checkpoints that resume it bit for bit.

``simulate(circuit, t_span, ..., store="run.zarr")`` writes the recorded samples and
the dense output to zarr arrays, chunked in time, while the run goes: the compiled
loop returns in chunks (:func:`circuitsim.solvers.driver.run_loop`), and after each
one every whole zarr chunk of output is written and dropped from memory, so memory
stays about two zarr chunks (``ZarrStore.chunk`` samples or steps per member) plus
what one call of compiled code produces (a tenth of a second). Samples at ``saveat``
times stream the same way: the buffers hold a window of them, the compiled loop
stops for room before a step that would overrun it, and the recording it is given
starts at the first time not yet written.

Every ``checkpoint_seconds`` of wall time, when the run stops early (error, Ctrl-C)
and at the end, the partial last chunks are written too and the loop's carry-on
state (:class:`~circuitsim._kernels.buffers.Buffers`: state, step-size controller,
counters, segment position, the output not yet in whole chunks) goes to
``checkpoint.npz`` atomically. A run killed at any moment is consistent up to its
last checkpoint: rerun with ``resume=True`` and it carries on from there and
writes exactly the arrays the uninterrupted run writes (the loop resumes exactly).
Zarr (>= 3.1.3) writes every chunk and metadata file through a temporary file
renamed into place, so a chunk of committed output rewritten at a checkpoint is never
left half old and half new. Opening a store whose run did not finish raises
:class:`~circuitsim.errors.IncompleteStoreError`.

Layout of the store (a zarr v3 group): ``t`` (B, n_t), ``y`` (B, n_t, n_rec),
``dense_t0`` (B,), ``dense_t1`` (B, S) (end of each step), ``dense_c`` (B, S, K, n_rec),
``result.npz`` (the run's description: circuit, wiring, drive, solver; written by
:meth:`Result.save`), and the attribute ``final`` once the run is complete.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from .errors import MissingDependencyError, ParameterError, StoreError, StoreMismatchError

__all__ = ["ZarrStore", "open_stream", "digest"]  # StoredResult, open_store: circuitsim.stored_result

#: bytes of dense output per member aimed at in one zarr chunk (when its length is not given)
CHUNK_BYTES = 16e6
#: wall time (s) between checkpoints
CHECKPOINT_SECONDS = 30.0
FORMAT_VERSION = 1


def require(name: str):
    """Import an optional dependency of the ``scale`` extra, or say how to install it."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingDependencyError(f"{name} is needed for stored runs and distributed sweeps; install the extra: "
                                     "pip install 'circuitsim[scale]'") from None


@dataclasses.dataclass(frozen=True)
class ZarrStore:
    """Where and how a run streams its output (``simulate(..., store=ZarrStore(...))``; a path is shorthand).

    Parameters
    ----------
    path : str or os.PathLike
        Directory of the zarr store (created; ``resume=True`` to carry on an existing one).
    chunk : int, optional
        Samples (and steps of dense output) per member in one zarr chunk: memory held
        by the run is about two chunks. Default: about 16 MB of dense output per
        member (e.g. 448 steps of the 279-neuron graded network, 558 values).
    checkpoint_seconds : float
        Wall time between checkpoints (0: after every call of compiled code).
    """

    path: str
    chunk: int | None = None
    checkpoint_seconds: float = CHECKPOINT_SECONDS

    def __post_init__(self):
        if not isinstance(self.path, (str, os.PathLike)) or not str(self.path):
            raise ParameterError(f"store path must be a non-empty str or path, got {self.path!r}")
        object.__setattr__(self, "path", os.fspath(self.path))
        if self.chunk is not None:
            if isinstance(self.chunk, bool) or not isinstance(self.chunk, (int, np.integer)) or self.chunk < 1:
                raise ParameterError(f"chunk must be a positive integer (samples per zarr chunk), got {self.chunk!r}")
            object.__setattr__(self, "chunk", int(self.chunk))
        try:
            sec = float(self.checkpoint_seconds)
        except (TypeError, ValueError):
            sec = float("nan")
        if not sec >= 0:
            raise ParameterError(f"checkpoint_seconds must be a number >= 0, got {self.checkpoint_seconds!r}")
        object.__setattr__(self, "checkpoint_seconds", sec)


def as_store(store) -> ZarrStore:
    if isinstance(store, ZarrStore):
        return store
    if isinstance(store, (str, os.PathLike)):
        return ZarrStore(store)
    raise ParameterError(f"store must be a path or a ZarrStore, got {type(store).__name__}")


def digest(*parts) -> str:
    """SHA-256 of arrays, NamedTuples of arrays, (typed) lists and plain values, in order."""
    h = hashlib.sha256()

    def feed(x):
        if isinstance(x, np.ndarray):
            h.update(f"{x.dtype}{x.shape}".encode())
            h.update(np.ascontiguousarray(x).tobytes())
        elif isinstance(x, (str, bytes, int, float, bool, np.generic)) or x is None:
            h.update(repr(x).encode())
        elif isinstance(x, dict):
            h.update(json.dumps(x, sort_keys=True, default=repr).encode())
        elif hasattr(x, "__iter__"):  # NamedTuples, lists, numba typed lists
            h.update(b"[")
            for v in x:
                feed(v)
            h.update(b"]")
        else:
            h.update(repr(x).encode())

    for part in parts:
        feed(part)
    return h.hexdigest()


def fingerprint(job, solver) -> str:
    """A digest of everything that determines a run's numbers (to refuse resuming another run)."""
    return digest(job.y0, job.table, job.rec, job.P, job.t_span, job.t_start, job.t_stop, solver.describe())


def _empty_buffers(job):
    from ._kernels.buffers import new_buffers

    return new_buffers(job.y0, job.n_rec, 0, 0, 1, job.t_span[0] if job.t_start is None else job.t_start)


def _describe(job, buf, solver, variables, neurons, drives, batched):
    """The run's Result without samples or dense output (t_end and statistics from `buf`)."""
    from ._outcome import make_result

    zero = np.zeros_like(buf.n_out)
    res = make_result(job, buf._replace(n_out=zero, n_dense=zero), solver, variables, neurons, drives, batched)
    return dataclasses.replace(res, dense=None)


def open_stream(store, resume, job, solver, variables, neurons, drives, batched, sequence=False):
    """A :class:`Stream` for `job` (new, or resumed from its checkpoint), or a complete store's result.

    Returns
    -------
    Stream or StoredResult
        A :class:`StoredResult` when `resume` finds the run already complete.
    """
    cfg = as_store(store)
    if sequence:
        raise ParameterError("stored runs are not available for sequence models (LTC fused step, CfC); "
                             "simulate them in memory")
    if not isinstance(resume, bool):
        raise ParameterError(f"resume must be True or False, got {resume!r}")
    zarr = require("zarr")
    fp = fingerprint(job, solver)
    path = Path(cfg.path)
    state = None
    if path.exists():
        if not resume:
            raise StoreError(f"store {str(path)!r} already exists; pass resume=True to carry on (or reuse) its run, "
                             "or remove it")
        try:
            group = zarr.open_group(str(path), mode="r+")
            attrs = dict(group.attrs)
        except Exception as err:  # noqa: BLE001 - any unreadable directory
            raise StoreError(f"{str(path)!r} is not a circuitsim run store ({type(err).__name__}: {err})") from None
        if attrs.get("circuitsim_store") != FORMAT_VERSION:
            raise StoreError(f"{str(path)!r} is not a circuitsim run store")
        if attrs.get("fingerprint") != fp:
            raise StoreMismatchError(f"store {str(path)!r} holds a different run (circuit, inputs, solver, span or "
                                     "recording differ); use another path to run this one")
        if attrs.get("final") is not None:
            from .stored_result import StoredResult

            return StoredResult(path)
        state = _read_checkpoint(path, fp)
    else:
        group = zarr.open_group(str(path), mode="w")
    stream = Stream(cfg, group, job, fp)
    if state is None:  # new, or killed before its first checkpoint: start from scratch
        stream.create(_describe(job, _empty_buffers(job), solver, variables, neurons, drives, batched))
    stream.state = state
    stream.describe = lambda buf: _describe(job, buf, solver, variables, neurons, drives, batched)
    return stream


def _read_checkpoint(path: Path, fp: str):
    f = path / "checkpoint.npz"
    if not f.is_file():
        return None
    with np.load(f, allow_pickle=False) as z:
        state = {k: z[k] for k in z.files}
    if str(state.pop("fingerprint")) != fp:
        raise StoreMismatchError(f"the checkpoint in {str(path)!r} belongs to a different run")
    return state


class Stream:
    """Writes the output of a running loop to the store and checkpoints it (used by the driver)."""

    def __init__(self, cfg: ZarrStore, group, job, fp: str):
        self.cfg, self.group, self.fp = cfg, group, fp
        self.path = Path(cfg.path)
        self.rec = job.rec
        self.B = job.batch_size
        self.t0 = np.array(np.broadcast_to(job.t_span[0] if job.t_start is None else job.t_start, (self.B,)), float)
        self.out_base = 0        # samples before index 0 of the buffers (written to the store)
        self.saveat = self.rec.saveat
        self.dense_base = np.zeros(self.B, np.int64)
        self.state = None
        self.last = time.perf_counter()
        width = 8 * 8 * max(len(self.rec.rec_idx), 1)  # bytes per step: up to 8 dense rows of float64
        self.chunk = cfg.chunk or int(min(max(CHUNK_BYTES // width, 64), 1 << 16))

    # -- setting up ---------------------------------------------------------------------
    def create(self, skeleton):
        """Lay out the arrays and write the run's description (a new store, or one restarted from scratch)."""
        B, n_rec, c = self.B, len(self.rec.rec_idx), self.chunk
        g = self.group
        for name in list(g.array_keys()):
            del g[name]
        g.create_array("t", shape=(B, 0), chunks=(1, c), dtype="f8", fill_value=0.0,
                       dimension_names=("batch", "time"))
        g.create_array("y", shape=(B, 0, n_rec), chunks=(1, c, n_rec), dtype="f8", fill_value=0.0,
                       dimension_names=("batch", "time", "column"))
        skeleton.save(self.path / "result.npz")
        g.attrs.update({"circuitsim_store": FORMAT_VERSION, "fingerprint": self.fp, "final": None,
                        "chunk": c})
        (self.path / "checkpoint.npz").unlink(missing_ok=True)

    def _dense_arrays(self, K, width):
        g, c = self.group, self.chunk
        if "dense_c" not in g:
            g.create_array("dense_t0", shape=(self.B,), chunks=(self.B,), dtype="f8", fill_value=0.0,
                           dimension_names=("batch",))[:] = self.t0
            g.create_array("dense_t1", shape=(self.B, 0), chunks=(1, c), dtype="f8", fill_value=0.0,
                           dimension_names=("batch", "step"))
            g.create_array("dense_c", shape=(self.B, 0, K, width), chunks=(1, c, K, width), dtype="f8",
                           fill_value=0.0, dimension_names=("batch", "step", "row", "column"))
        return g["dense_t1"], g["dense_c"]

    def capacities(self, cap_out, cap_dense):
        """Buffer sizes: about two zarr chunks."""
        c = self.chunk
        return min(cap_out, 2 * c + 2), min(cap_dense, 2 * c)

    def recording(self, rec):
        """`rec` for the next call of compiled code: ``saveat`` from the first sample not yet written."""
        if not rec.use_saveat or self.out_base == 0:
            return rec
        return rec._replace(saveat=np.ascontiguousarray(self.saveat[self.out_base:]))

    def start(self, buf):
        """The buffers to run with: fresh ones, or the checkpoint's."""
        from ._kernels.buffers import INTERRUPTED, RUNNING, Buffers

        if self.rec.dense:
            self._dense_arrays(buf.dense_c.shape[2], buf.dense_c.shape[3])
        if self.state is None:
            return buf
        s = self.state
        self.out_base = int(s["out_base"])
        self.dense_base = s["dense_base"].astype(np.int64)
        resumed = Buffers(**{f: np.ascontiguousarray(s[f]) for f in Buffers._fields})
        resumed.status[resumed.status == INTERRUPTED] = RUNNING
        return resumed

    # -- while running ------------------------------------------------------------------
    def _put(self, arr, index, data):
        """Write `data` at `index` (a tuple of slices), growing the array along axis 1 in whole chunks."""
        stop = index[1].stop
        if arr.shape[1] < stop:
            c = self.chunk
            arr.resize((arr.shape[0], -(-stop // c) * c, *arr.shape[2:]))
        arr[index] = data

    def flush(self, buf, force=False):
        """Write whole chunks (all output when `force`) and drop whole chunks from the buffers."""
        from ._kernels.buffers import FULL, RUNNING

        c, g = self.chunk, self.group
        n = int(buf.n_out.min())  # samples every member has: written; whole chunks of them dropped
        freed = False
        if n >= c or (force and n > 0):
            rows = slice(self.out_base, self.out_base + n)
            self._put(g["t"], (slice(None), rows), buf.out_t[:, :n])
            self._put(g["y"], (slice(None), rows, slice(None)), buf.out_y[:, :n])
            d = (n // c) * c
            if d:
                m = int(buf.n_out.max())
                buf.out_t[:, :m - d] = buf.out_t[:, d:m].copy()
                buf.out_y[:, :m - d] = buf.out_y[:, d:m].copy()
                buf.n_out[:] -= d
                self.out_base += d
                freed = True
        dense_freed = np.zeros(self.B, bool)
        if self.rec.dense:
            t1, coeffs = g["dense_t1"], g["dense_c"]
            for b in range(self.B):
                n = int(buf.n_dense[b])
                if not (n >= c or (force and n > 0)):
                    continue
                base = int(self.dense_base[b])
                self._put(t1, (b, slice(base, base + n)), buf.dense_t[b, 1:n + 1])
                self._put(coeffs, (b, slice(base, base + n)), buf.dense_c[b, :n])
                d = (n // c) * c
                if d:
                    buf.dense_c[b, :n - d] = buf.dense_c[b, d:n].copy()
                    buf.dense_t[b, :n - d + 1] = buf.dense_t[b, d:n + 1].copy()
                    buf.n_dense[b] = n - d
                    self.dense_base[b] = base + d
                    dense_freed[b] = True
        # members stopped for room that now have it carry on in place (no growth)
        full = buf.status == FULL
        if full.any():
            room = np.ones(self.B, bool)
            if self.rec.use_saveat:
                # the loop stopped because its next step's samples (or dense rows) did not fit: only freed
                # slots help (otherwise the driver grows the buffers; a member that still lacks sample room
                # stops again at once, and then nothing is freed)
                room &= freed | dense_freed
            else:
                room &= buf.n_out + 2 <= buf.out_t.shape[1]
            if self.rec.dense:
                room &= buf.n_dense < buf.dense_c.shape[1]
            buf.status[full & room] = RUNNING

    def after_chunk(self, buf):
        """Called by the driver after every call of compiled code."""
        self.flush(buf)
        if time.perf_counter() - self.last >= self.cfg.checkpoint_seconds:
            self.checkpoint(buf)

    def _counts(self, buf):
        n_t = self.out_base + int(buf.n_out.min())
        return n_t, self.dense_base + buf.n_dense

    def checkpoint(self, buf):
        """Write all output, then the carry-on state (atomically): the store is consistent up to here."""
        from connectome.atomic import atomic_path

        self.flush(buf, force=True)
        n_t, n_steps = self._counts(buf)
        res = self.describe(buf)
        payload = dict(buf._asdict())
        payload.update(out_base=np.int64(self.out_base),
                       dense_base=self.dense_base, fingerprint=np.array(self.fp), n_t=np.int64(n_t),
                       n_steps=n_steps, t_end=np.float64(res.t_end),
                       **{f"stats_{k}": v for k, v in res.stats.items()})
        with atomic_path(self.path / "checkpoint.npz", suffix=".npz") as tmp:
            np.savez(tmp, **payload)
        self.last = time.perf_counter()

    def finish(self, buf, job, solver, ref, batched, max_bytes):
        """After the loop: complete the store (or checkpoint a run that stopped early) and report as in memory."""
        from ._kernels.buffers import DONE
        from ._outcome import raise_for_status
        from .stored_result import StoredResult

        if not (buf.status == DONE).all():
            self.checkpoint(buf)
            partial = StoredResult(self.path, _partial=True)
            raise_for_status(buf, partial, ref, batched, max_bytes)
        self.flush(buf, force=True)
        n_t, n_steps = self._counts(buf)
        g = self.group
        for name in ("t", "y"):
            g[name].resize((self.B, n_t, *g[name].shape[2:]))
        t = g["t"][:]
        if self.rec.dense:
            S = int(n_steps.max())
            for name in ("dense_t1", "dense_c"):
                g[name].resize((self.B, S, *g[name].shape[2:]))
        res = self.describe(buf)
        final = {"n_t": n_t, "n_steps": n_steps.tolist(), "t_end": res.t_end,
                 "t_shared": bool((t == t[:1]).all()), "stats": {k: v.tolist() for k, v in res.stats.items()}}
        g.attrs["final"] = final
        (self.path / "checkpoint.npz").unlink(missing_ok=True)
        return StoredResult(self.path)


def __getattr__(name):
    if name in ("StoredResult", "open_store"):
        from . import stored_result

        return getattr(stored_result, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
