"""Output buffers and configuration shared by the integrators (plain NamedTuples of arrays)."""

from __future__ import annotations

from . import _cache  # noqa: F401  (cache invalidation across kernel files)

from typing import NamedTuple

import numpy as np

# status codes returned per batch member
RUNNING, DONE, FULL, DIVERGED, STEP_TOO_SMALL, MAX_STEPS = -1, 0, 1, 2, 3, 4
OUT_OF_MEMORY = 5  # set by the Python driver when growing the buffers would exceed the allowed size

# columns of ``stats``
ACCEPTED, REJECTED, RHS_CALLS = 0, 1, 2
N_STATS = 3


class Buffers(NamedTuple):
    """State, outputs and counters of every batch member (leading axis ``B``).

    ``y``, ``t``, ``h`` and ``seg`` hold where each member is, so an integrator
    that returns ``FULL`` resumes from there after the caller enlarges the buffers.
    """

    y: np.ndarray  # float64 (B, n_state) current state
    t: np.ndarray  # float64 (B,) current time (ms)
    h: np.ndarray  # float64 (B,) next step size (ms); 0 = choose
    seg: np.ndarray  # int64 (B,) current input segment (per member)
    since: np.ndarray  # int64 (B,) steps since the last saved sample
    status: np.ndarray  # int64 (B,)
    out_t: np.ndarray  # float64 (B, cap_out)
    out_y: np.ndarray  # float64 (B, cap_out, n_rec)
    n_out: np.ndarray  # int64 (B,)
    dense_t: np.ndarray  # float64 (B, cap_dense + 1) step boundaries
    dense_c: np.ndarray  # float64 (B, cap_dense, K, n_rec) per-step interpolation data
    n_dense: np.ndarray  # int64 (B,) stored steps
    stats: np.ndarray  # int64 (B, N_STATS)
    fail_t: np.ndarray  # float64 (B,) time of a failure
    fail_i: np.ndarray  # int64 (B,) state index that became non-finite


class Recording(NamedTuple):
    """What to record."""

    t0: float
    t1: float
    rec_idx: np.ndarray  # int64 (n_rec,) indices into the state vector
    every: int  # record every k-th step (when saveat is empty)
    saveat: np.ndarray  # float64 (n_save,), sorted, inside [t0, t1]; empty = step grid
    use_saveat: bool
    dense: bool  # store per-step interpolation data


def new_buffers(y0, n_rec, cap_out, cap_dense, k_dense, t0):
    """Allocate :class:`Buffers` for initial states `y0` (B, n_state)."""
    B = y0.shape[0]
    return Buffers(
        y=np.ascontiguousarray(y0, dtype=np.float64).copy(), t=np.full(B, float(t0)), h=np.zeros(B),
        seg=np.zeros(B, np.int64), since=np.zeros(B, np.int64), status=np.full(B, RUNNING, np.int64),
        out_t=np.zeros((B, cap_out)), out_y=np.zeros((B, cap_out, n_rec)), n_out=np.zeros(B, np.int64),
        dense_t=np.zeros((B, cap_dense + 1)), dense_c=np.zeros((B, cap_dense, k_dense, n_rec)),
        n_dense=np.zeros(B, np.int64), stats=np.zeros((B, N_STATS), np.int64),
        fail_t=np.full(B, np.nan), fail_i=np.full(B, -1, np.int64),
    )


def grow(buf: Buffers, cap_out=None, cap_dense=None) -> Buffers:
    """Copy `buf` into larger output/dense arrays (counters and state kept)."""
    B = buf.y.shape[0]
    d = buf._asdict()
    if cap_out is not None and cap_out > buf.out_t.shape[1]:
        d["out_t"] = np.zeros((B, cap_out))
        d["out_t"][:, : buf.out_t.shape[1]] = buf.out_t
        d["out_y"] = np.zeros((B, cap_out, buf.out_y.shape[2]))
        d["out_y"][:, : buf.out_y.shape[1]] = buf.out_y
    if cap_dense is not None and cap_dense > buf.dense_c.shape[1]:
        _, _, K, n_rec = buf.dense_c.shape
        d["dense_t"] = np.zeros((B, cap_dense + 1))
        d["dense_t"][:, : buf.dense_t.shape[1]] = buf.dense_t
        d["dense_c"] = np.zeros((B, cap_dense, K, n_rec))
        d["dense_c"][:, : buf.dense_c.shape[1]] = buf.dense_c
    return Buffers(**d)
