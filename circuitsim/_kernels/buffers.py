"""Run state, outputs and settings of the time loop (plain NamedTuples of arrays).

Everything a run needs to resume lives in :class:`Buffers`, so the compiled loop can
return at any step (its step budget spent, its output buffers full, Ctrl-C pressed)
and be called again to carry on exactly where it stopped.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# status codes per batch member (one enum for every solver; see circuitsim.solvers.base.Status)
RUNNING, DONE, FULL, DIVERGED, STEP_TOO_SMALL, MAX_STEPS, OUT_OF_MEMORY, SINGULAR, INTERRUPTED = range(-1, 8)

# columns of ``stats``
ACCEPTED, REJECTED, RHS_CALLS, LINEAR_SOLVES, FACTORISATIONS, RETRIES = range(6)
N_STATS = 6

# columns of ``ctl`` (float64 controller state carried between calls)
CTL_HACC, CTL_ERRACC, CTL_HCAP, CTL_SEG_START, CTL_H_BEFORE_CLAMP = range(5)
N_CTL = 5

# columns of ``cnt`` (int64 counters carried between calls)
CNT_STEP_IN_SEG, CNT_SINGULAR, CNT_SINCE, CNT_SAVEAT, CNT_STARTED, CNT_REJECTED_LAST = range(6)
N_CNT = 6


class Buffers(NamedTuple):
    """State, outputs and counters of every batch member (leading axis ``B``)."""

    y: np.ndarray  # float64 (B, n_state) current state
    t: np.ndarray  # float64 (B,) current time (ms)
    t_stop: np.ndarray  # float64 (B,) end of each member's span (ms)
    h: np.ndarray  # float64 (B,) next step size (ms); 0 = choose
    seg: np.ndarray  # int64 (B,) current input segment (per member)
    status: np.ndarray  # int64 (B,)
    ctl: np.ndarray  # float64 (B, N_CTL)
    cnt: np.ndarray  # int64 (B, N_CNT)
    out_t: np.ndarray  # float64 (B, cap_out)
    out_y: np.ndarray  # float64 (B, cap_out, n_rec)
    n_out: np.ndarray  # int64 (B,)
    dense_t: np.ndarray  # float64 (B, cap_dense + 1) step boundaries
    dense_c: np.ndarray  # float64 (B, cap_dense, K, n_rec) per-step interpolation rows
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
    dense: bool  # store per-step interpolation rows


class StepControl(NamedTuple):
    """Settings of the step-size control shared by every solver."""

    rtol: np.ndarray  # float64 (n_state,)
    atol: np.ndarray  # float64 (n_state,)
    h0: float  # first step (ms); 0 = automatic
    h_max: float  # largest step (ms)
    max_steps: int  # attempted steps per member (accepted + rejected)
    fixed_dt: float  # > 0: fixed steps of this size on each input segment, no error control
    safety: float
    fac_min: float  # smallest step-size factor
    fac_max: float  # largest step-size factor
    expo: float  # exponent of the error in the controller (1 / (order of the error estimate + 1))
    order: int  # order of the method (initial step choice)
    predictive: bool  # Gustafsson's predictive controller (stiff solvers) instead of the I-controller


def new_buffers(y0, n_rec, cap_out, cap_dense, k_dense, t0, dense_width=None, t_stop=np.inf):
    """Allocate :class:`Buffers` for initial states `y0` (B, n_state).

    `dense_width` columns of dense output (default `n_rec`; sequence models keep the full state).
    """
    B = y0.shape[0]
    width = n_rec if dense_width is None else dense_width
    ctl = np.zeros((B, 5))
    ctl[:, CTL_HCAP] = np.inf
    ctl[:, CTL_ERRACC] = 1.0
    return Buffers(
        y=np.ascontiguousarray(y0, dtype=np.float64).copy(), t=np.array(np.broadcast_to(t0, (B,)), dtype=np.float64),
        t_stop=np.array(np.broadcast_to(t_stop, (B,)), dtype=np.float64), h=np.zeros(B),
        seg=np.zeros(B, np.int64), status=np.full(B, RUNNING, np.int64), ctl=ctl,
        cnt=np.zeros((B, N_CNT), np.int64),
        out_t=np.zeros((B, cap_out)), out_y=np.zeros((B, cap_out, n_rec)), n_out=np.zeros(B, np.int64),
        dense_t=np.zeros((B, cap_dense + 1)), dense_c=np.zeros((B, cap_dense, k_dense, width)),
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


def stored_bytes(buf: Buffers) -> int:
    """Bytes held by the output and dense arrays."""
    return sum(a.nbytes for a in (buf.out_t, buf.out_y, buf.dense_t, buf.dense_c))
