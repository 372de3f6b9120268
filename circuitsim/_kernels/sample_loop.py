"""The time loop of sequence models: blocks of members advanced sample by sample.

Part of the shared loop (:mod:`.loop`): the same run state (:class:`~.buffers.Buffers`),
status codes, recording, chunked driving and result assembly; what differs is the step,
which for sequence models (the LTC fused step, the CfC closed form) spans one input
sample and vectorises across batch members (SIMD lanes, matrix products).
"""

from __future__ import annotations

import numpy as np

from ._cache import kernel
from .buffers import ACCEPTED, CNT_SINCE, CNT_STARTED, DIVERGED, DONE, FULL, RUNNING
from .dispatch import hook
from .inputs import n_segments, segment_end
from .loop import _save_sample


# -- sample-synchronous stepping: sequence models advanced by blocks of members -------------------
# Sequence models (the LTC fused step, the CfC closed form) advance from one input sample to the
# next in one step whose size is the elapsed time; their cost is in arithmetic that vectorises
# across batch members (SIMD lanes, matrix products), so the loop advances a block of members
# together, one sample interval (= one segment of the drive) at a time. It shares the run state,
# status codes, recording and chunked driving of run_members. Hooks, dispatched on ``S``:
#
# ``block_workspace(S, p, n, m)``
#     work arrays for blocks of up to ``m`` members: a NamedTuple with at least ``v`` (n, m), the
#     state, and ``x`` (n_in, m), the input of the current sample (both filled by the loop);
# ``block_step(S, p, ws, dt, m)``
#     advance the first ``m`` columns of ``ws.v`` over elapsed times ``dt`` (m,) with input ``ws.x``.

@hook
def block_workspace(S, p, n, m):
    """Work arrays of a block of up to `m` members (see above)."""


@hook
def block_step(S, p, ws, dt, m):
    """Advance a block of members over one sample interval (see above)."""


@kernel(nogil=True)
def run_blocks(P, S, tab, rec, buf, budget, b0, b1):
    """Advance members ``b0 .. b1 - 1`` sample by sample, in blocks of ``S.block`` (0: all at once).

    Every member has the same number of segments (samples); segment ``j`` of member ``b``
    spans ``[start, end]`` and holds the input value of its sample. ``rec.dense`` keeps the
    full state at the start of every interval (``buf.dense_c[b, j, 0]``): the dense output
    of a sequence model replays its step from there (:func:`advance_blocks`).
    Arguments as :func:`run_members` (``P`` shared by all members).
    """
    n = buf.y.shape[1]
    size = S.block if S.block > 0 else b1 - b0
    rec_idx = rec.rec_idx
    n_rec = rec_idx.shape[0]
    for c0 in range(b0, b1, size):
        c1 = min(b1, c0 + size)
        m = c1 - c0
        if buf.status[c0] != RUNNING and buf.status[c0] != FULL:
            continue
        ws = block_workspace(S, P, n, m)
        dt = np.zeros(m)
        ends = np.zeros(m)
        ok = np.ones(m, np.bool_)
        bad = np.zeros(m, np.int64)
        vt = np.empty((m, n))
        n_in = ws.x.shape[0]
        for q in range(m):
            buf.status[c0 + q] = RUNNING
            for i in range(n):
                ws.v[i, q] = buf.y[c0 + q, i]
            if buf.cnt[c0 + q, CNT_STARTED] == 0:
                buf.cnt[c0 + q, CNT_STARTED] = 1
                _save_sample(buf, c0 + q, buf.t[c0 + q], buf.y[c0 + q], rec_idx)
                buf.dense_t[c0 + q, 0] = buf.t[c0 + q]
        n_seg = n_segments(tab, c0)
        done = 0
        j = buf.seg[c0]
        status = RUNNING
        diverged = False
        slot = np.empty(m, np.int64)  # output row each member writes after this step (-1: none)
        while j < n_seg:
            if done >= budget:
                break
            if (rec.dense and buf.n_dense[c0] >= buf.dense_c.shape[1]) or buf.n_out[c0] + 2 > buf.out_t.shape[1]:
                status = FULL
                break
            for q in range(m):
                b = c0 + q
                ends[q] = segment_end(tab, b, j, buf.t_stop[b])
                dt[q] = ends[q] - buf.t[b]
                lo = tab.seg_lo[tab.break_ptr[b] + b + j]    # one held value per segment (checked by the caller)
                for c in range(n_in):
                    ws.x[c, q] = tab.values[lo, c]
            if rec.dense:  # the state at the interval's start, member-major (ws.v is (n, m))
                for i in range(n):
                    for q in range(m):
                        vt[q, i] = ws.v[i, q]
                for q in range(m):
                    d = buf.n_dense[c0 + q]
                    for i in range(n):
                        buf.dense_c[c0 + q, d, 0, i] = vt[q, i]
            block_step(S, P, ws, dt, m)
            j += 1
            done += 1
            for i in range(n):  # member-major copy (ws.v is (n, m)): contiguous checks and recording below
                for q in range(m):
                    vt[q, i] = ws.v[i, q]
            for q in range(m):
                slot[q] = -1
                ok[q] = True
                for i in range(n):
                    if not np.isfinite(vt[q, i]):
                        ok[q] = False
                        bad[q] = i
                        break
            for q in range(m):
                b = c0 + q
                t_new = ends[q]
                buf.t[b] = t_new
                if not ok[q]:
                    if buf.status[b] == RUNNING:
                        buf.status[b] = DIVERGED
                        buf.fail_t[b] = t_new
                        buf.fail_i[b] = bad[q]
                    diverged = True
                if rec.dense:
                    buf.dense_t[b, buf.n_dense[b] + 1] = t_new
                    buf.n_dense[b] += 1
                buf.cnt[b, CNT_SINCE] += 1
                if buf.cnt[b, CNT_SINCE] >= rec.every or j == n_seg:
                    k = buf.n_out[b]
                    buf.out_t[b, k] = t_new
                    slot[q] = k
                    buf.n_out[b] = k + 1
                    buf.cnt[b, CNT_SINCE] = 0
                buf.stats[b, ACCEPTED] += 1
            for q in range(m):
                if slot[q] >= 0:
                    for c in range(n_rec):
                        buf.out_y[c0 + q, slot[q], c] = vt[q, rec_idx[c]]
            if diverged:  # the block stops together (members stay aligned on the same sample)
                for q in range(m):
                    if buf.status[c0 + q] == RUNNING:
                        buf.status[c0 + q] = DIVERGED
                break
        for q in range(m):
            b = c0 + q
            for i in range(n):
                buf.y[b, i] = ws.v[i, q]
            buf.seg[b] = j
            if buf.status[b] == RUNNING:
                if status == FULL:
                    buf.status[b] = FULL
                elif j >= n_seg:
                    buf.status[b] = DONE


@kernel
def advance_blocks(P, S, x, dt, v0, out):
    """States after one step of each query: from `v0` (Q, n) over `dt` (Q,) with inputs `x` (Q, n_in).

    The dense output of sequence models: their own step over a partial interval.
    """
    Q, n = v0.shape
    size = S.block if S.block > 0 else Q
    for c0 in range(0, Q, size):
        m = min(Q, c0 + size) - c0
        ws = block_workspace(S, P, n, m)
        d = np.empty(m)
        for q in range(m):
            d[q] = dt[c0 + q]
            for i in range(n):
                ws.v[i, q] = v0[c0 + q, i]
            for c in range(x.shape[1]):
                ws.x[c, q] = x[c0 + q, c]
        block_step(S, P, ws, d, m)
        for q in range(m):
            for i in range(n):
                out[c0 + q, i] = ws.v[i, q]
    return 0
