"""The time loop shared by every solver.

:func:`run_members` advances batch members (groups of them in parallel threads) through the segments
of its drive, landing on every jump of the input; it owns step acceptance, the
step-size controller, recording (every k-th step or at ``saveat`` times), the dense
output of the recorded variables, room in the output buffers and the status codes.
A solver provides only its step, through hooks dispatched on the type of its kernel
configuration ``S`` (a NamedTuple with at least the fields ``ctl`` (a
:class:`~.buffers.StepControl`) and ``n_rows`` (rows of dense output per step)):

``workspace(S, p, tab, n_y)``
    the solver's work arrays: a NamedTuple with at least ``ynew`` (n_y,), ``err``
    (n_y,) and ``counts`` (int64 (3,): right-hand sides, linear solves,
    factorisations since the workspace was made);
``begin_segment(S, p, tab, seg, t, y, ws)``
    called when a segment of the drive starts (or the loop resumes): e.g. evaluate
    ``f(t, y)`` for a first-same-as-last method;
``attempt(S, p, tab, seg, t, h, y, ws)``
    one step of size ``h`` from ``(t, y)``: the new state in ``ws.ynew``, the error
    estimate in ``ws.err``; returns :data:`STEP_OK`, :data:`STEP_SINGULAR` (a matrix
    could not be factorised) or :data:`STEP_RETRY` (an inner iteration failed);
``complete_step(S, p, tab, seg, t, h, y, ws, rec_idx, rows, need_rows)``
    after acceptance: write the dense-output rows of the recorded entries into
    ``rows`` (K, n_rec) if ``need_rows`` (see :mod:`.interpolate`) and prepare the
    next step (first same as last).

The loop returns after ``budget`` attempted steps per member (status still
``RUNNING``), when a member's output buffers are full (``FULL``) or when it ends;
everything it needs to carry on is in :class:`~.buffers.Buffers`, so calling it
again resumes exactly where it stopped (results are the same as in one call).
"""

from __future__ import annotations

import numpy as np

from ._cache import kernel
from .buffers import (ACCEPTED, CNT_REJECTED_LAST, CNT_SINCE, CNT_SINGULAR, CNT_STARTED, CNT_STEP_IN_SEG,
                      CTL_ERRACC, CTL_H_BEFORE_CLAMP, CTL_HACC, CTL_HCAP, CTL_SEG_START, DIVERGED, DONE,
                      FACTORISATIONS, FULL, LINEAR_SOLVES, MAX_STEPS, REJECTED, RETRIES, RHS_CALLS, RUNNING, SINGULAR,
                      STEP_TOO_SMALL)
from numba import types
from numba.extending import overload

from .dispatch import _IMPLS, hook, member, rhs
from .inputs import input_at, n_segments, segment_end
from .interpolate import dense_point

STEP_OK, STEP_SINGULAR, STEP_RETRY = 0, 1, 2
#: consecutive failed factorisations after which a member stops with SINGULAR
MAX_SINGULAR = 5


@hook
def workspace(S, p, tab, n_y):
    """The solver's work arrays (see the module docstring)."""


@hook
def begin_segment(S, p, tab, seg, t, y, ws):
    """Prepare the first step of a segment (or of a resumed call)."""


@hook
def attempt(S, p, tab, seg, t, h, y, ws):
    """One step attempt; returns STEP_OK, STEP_SINGULAR or STEP_RETRY."""


@hook
def complete_step(S, p, tab, seg, t, h, y, ws, rec_idx, rows, need_rows):
    """Dense-output rows of an accepted step, and preparation of the next step."""


def error_split(p, n_y):
    """Where the second block of the error norm starts in a state of length `n_y` (`n_y`: one block).

    A model whose state holds variables on another scale (the weights of a plastic
    circuit) registers an implementation for its kernel parameter type with
    ``implements(error_split, ParamsType)``; every other model keeps one block.
    """
    impl = _IMPLS.get(("error_split", type(p)))
    return n_y if impl is None else impl(p, n_y)


error_split._hook_name = "error_split"
error_split._hook_params = ["p", "n_y"]


@overload(error_split, inline="never")
def _error_split_default(p, n_y):
    # models without a registered split (their own overload is installed by `implements`)
    cls = getattr(p, "instance_class", None) if isinstance(p, types.BaseNamedTuple) else None
    if ("error_split", cls) in _IMPLS:
        return None
    return lambda p, n_y: n_y


@kernel
def _rms(err, y, ynew, rtol, atol, lo, hi):
    acc = 0.0
    for i in range(lo, hi):
        sc = atol[i] + rtol[i] * max(abs(y[i]), abs(ynew[i]))
        v = err[i] / sc
        acc += v * v
    return np.sqrt(acc / (hi - lo))


@kernel
def error_norm(err, y, ynew, rtol, atol, split):
    """RMS of ``err_i / (atol_i + rtol_i max(|y_i|, |ynew_i|))``, per block.

    With ``split < n`` the entries ``[0, split)`` and ``[split, n)`` are two blocks,
    each normalised by its own size, and the norm is the larger of the two: slow
    variables (learning weights) neither dilute nor dominate the control of the fast
    ones, and a block that does not move leaves the steps of the other unchanged
    bit for bit. ``split >= n`` is the plain RMS over all entries.
    """
    n = err.shape[0]
    if split >= n or split <= 0:
        return _rms(err, y, ynew, rtol, atol, 0, n)
    a = _rms(err, y, ynew, rtol, atol, 0, split)
    b = _rms(err, y, ynew, rtol, atol, split, n)
    return a if not b > a else b  # NaN in either block propagates


# A state beyond this magnitude has diverged although float64 still holds it (no neuron
# model reaches 1e15 mV, pA or any other unit we use; an unstable fixed step grows by a
# constant factor per step and would otherwise return 1e25 mV without complaint).
DIVERGED_ABOVE = 1e15


@kernel
def blamed_nonfinite(ynew, y):
    """The entry to blame when `ynew` has NaN/inf or beyond ``DIVERGED_ABOVE``, or -1 if none.

    Among those entries, the one largest in magnitude in the last accepted state `y`
    (several entries usually overflow in the same step).
    """
    best = -1
    big = -1.0
    for i in range(ynew.shape[0]):
        if not abs(ynew[i]) <= DIVERGED_ABOVE:  # NaN fails the comparison too
            a = abs(y[i])
            if a > big:
                big = a
                best = i
    return best


@kernel
def n_fixed_steps(a, b, dt):
    """Number of steps of size <= `dt` that cover ``[a, b]`` (a last step shorter than 1e-9 dt merges)."""
    n = int(np.ceil((b - a) / dt - 1e-9))
    return max(n, 1)


@kernel
def _initial_guess(y, f0, f1, h0, rtol, atol, order, lo, hi):
    """Hairer-Norsett-Wanner guess from entries ``[lo, hi)``: ``(d0, d1, h)``."""
    d0 = _rms(y, y, y, rtol, atol, lo, hi)
    d1 = _rms(f0, y, y, rtol, atol, lo, hi)
    acc = 0.0
    for i in range(lo, hi):
        v = (f1[i] - f0[i]) / (atol[i] + rtol[i] * abs(y[i]))
        acc += v * v
    d2 = np.sqrt(acc / (hi - lo)) / h0
    dm = max(d1, d2)
    if not (dm > 1e-15) or not np.isfinite(dm):
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / dm) ** (1.0 / order)
    return d0, d1, h1


@kernel
def initial_step(p, tab, seg, t, y, ctl, order):
    """First step from the derivative (Hairer, Norsett & Wanner, *Solving ODEs I*, II.4).

    With two error blocks (:func:`error_split`) the guess comes from the first; the
    second only shortens it when it moves (a slow block at rest leaves it unchanged).
    """
    n = y.shape[0]
    split = error_split(p, n)
    if split <= 0 or split > n:
        split = n
    u = np.empty(tab.values.shape[1])
    f0 = np.empty(n)
    f1 = np.empty(n)
    tmp = np.empty(n)
    input_at(tab, seg, t, u)
    rhs(p, t, y, u, f0)
    d0 = _rms(y, y, y, ctl.rtol, ctl.atol, 0, split)
    d1 = _rms(f0, y, y, ctl.rtol, ctl.atol, 0, split)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5 or not np.isfinite(d0 / d1)) else 0.01 * d0 / d1
    h0 = min(h0, ctl.h_max)
    for i in range(n):
        tmp[i] = y[i] + h0 * f0[i]
    input_at(tab, seg, t + h0, u)
    rhs(p, t + h0, tmp, u, f1)
    for i in range(n):
        tmp[i] = f1[i] - f0[i]
    d2 = _rms(tmp, y, y, ctl.rtol, ctl.atol, 0, split) / h0
    dm = max(d1, d2)
    if not (dm > 1e-15) or not np.isfinite(dm):
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / dm) ** (1.0 / order)
    h = min(100 * h0, h1, ctl.h_max)
    if split < n:
        e0, e1, g1 = _initial_guess(y, f0, f1, h0, ctl.rtol, ctl.atol, order, split, n)
        if e1 >= 1e-5 and e0 >= 1e-5 and np.isfinite(e0 / e1):
            h = min(h, 100 * (0.01 * e0 / e1), g1)
    return h


@kernel
def _save_sample(buf, b, t, y, rec_idx):
    k = buf.n_out[b]
    buf.out_t[b, k] = t
    for c in range(rec_idx.shape[0]):
        buf.out_y[b, k, c] = y[rec_idx[c]]
    buf.n_out[b] = k + 1


@kernel
def _saveat_fits(saveat, k, tn, room):
    """Whether the ``saveat`` times from index `k` up to `tn` number at most `room` (buffer slots left)."""
    q = k
    while q < saveat.shape[0] and saveat[q] <= tn:
        q += 1
        if q - k > room:
            return False
    return True


@kernel
def _step_factor(ctl, err, hh, cs, n_acc, accepted):
    """Step-size factor after an attempt with scaled error `err` (I- or predictive controller)."""
    if ctl.predictive:  # Gustafsson (Hairer & Wanner, Solving ODEs II, IV.8)
        q = max(1.0 / ctl.fac_max, min(1.0 / ctl.fac_min, err ** ctl.expo / ctl.safety))
        if accepted:
            if n_acc >= 1 and cs[CTL_HACC] > 0.0:
                qg = cs[CTL_HACC] / hh * (err * err / cs[CTL_ERRACC]) ** ctl.expo / ctl.safety
                q = max(q, max(1.0 / ctl.fac_max, min(1.0 / ctl.fac_min, qg)))
            cs[CTL_HACC] = hh
            cs[CTL_ERRACC] = max(1e-2, err)
        return 1.0 / q
    if err > 0.0:
        fac = ctl.safety * err ** -ctl.expo
    else:
        fac = ctl.fac_max
    return min(ctl.fac_max, max(ctl.fac_min, fac))


@kernel
def advance_member(p, S, tab, b, rec, buf, budget):
    """Advance batch member `b` by at most `budget` attempted steps (see the module docstring)."""
    ctl = S.ctl
    n_y = buf.y.shape[1]
    y = buf.y[b]
    cs = buf.ctl[b]
    cnt = buf.cnt[b]
    st = buf.stats[b]
    rec_idx = rec.rec_idx
    n_rec = rec_idx.shape[0]
    ws = workspace(S, p, tab, n_y)
    split = error_split(p, n_y)
    rows = np.zeros((S.n_rows, n_rec))
    fixed = ctl.fixed_dt > 0.0
    n_seg = n_segments(tab, b)
    seg_base = tab.break_ptr[b] + b
    cap_out = buf.out_t.shape[1]
    cap_dense = buf.dense_c.shape[1]
    n_save = rec.saveat.shape[0]
    t = buf.t[b]
    h = buf.h[b]
    j = buf.seg[b]
    if cnt[CNT_STARTED] == 0:
        cnt[CNT_STARTED] = 1
        if rec.use_saveat:
            while buf.n_out[b] < n_save and rec.saveat[buf.n_out[b]] <= t:
                _save_sample(buf, b, rec.saveat[buf.n_out[b]], y, rec_idx)
        else:
            _save_sample(buf, b, t, y, rec_idx)
        buf.dense_t[b, 0] = t
        cs[CTL_SEG_START] = t
        cnt[CNT_STEP_IN_SEG] = 0
    attempts = 0
    status = RUNNING
    paused = False
    n_fix = 0
    tn = t
    while j < n_seg:
        seg = seg_base + j
        end = segment_end(tab, b, j, buf.t_stop[b])
        if t < end:
            begin_segment(S, p, tab, seg, t, y, ws)
            n_fix = n_fixed_steps(cs[CTL_SEG_START], end, ctl.fixed_dt) if fixed else 0
            if not fixed and h <= 0.0:
                h = ctl.h0 if ctl.h0 > 0.0 else initial_step(p, tab, seg, t, y, ctl, ctl.order)
                h = min(h, ctl.h_max)
        while t < end:
            if attempts >= budget:
                paused = True
                break
            if (rec.dense and buf.n_dense[b] >= cap_dense) or (not rec.use_saveat and buf.n_out[b] + 2 > cap_out):
                status = FULL
                break
            if st[ACCEPTED] + st[REJECTED] >= ctl.max_steps:
                status = MAX_STEPS
                break
            h_min = 16.0 * np.finfo(np.float64).eps * max(abs(t), 1.0)
            last = False
            if fixed:
                i = cnt[CNT_STEP_IN_SEG]
                if i >= n_fix - 1:
                    tn = end
                    last = True
                else:
                    tn = cs[CTL_SEG_START] + (i + 1) * ctl.fixed_dt
                hh = tn - t
            else:
                hh = h
                if t + 1.01 * hh >= end:
                    cs[CTL_H_BEFORE_CLAMP] = hh
                    hh = end - t
                    tn = end
                    last = True
                else:
                    tn = t + hh
                if hh < h_min and not last:
                    status = STEP_TOO_SMALL
                    break
            # a streamed run holds a window of the saveat samples: stop for room before a step that would
            # produce more than the window has left (nothing of the step is kept, so resuming repeats it exactly)
            if rec.use_saveat and cap_out < n_save and not _saveat_fits(rec.saveat, buf.n_out[b], tn,
                                                                         cap_out - buf.n_out[b]):
                status = FULL
                break
            attempts += 1
            code = attempt(S, p, tab, seg, t, hh, y, ws)
            if code == STEP_SINGULAR or (code == STEP_RETRY and fixed):
                cnt[CNT_SINGULAR] += 1
                st[REJECTED] += 1
                if fixed or cnt[CNT_SINGULAR] >= MAX_SINGULAR:
                    status = SINGULAR
                    buf.fail_t[b] = tn
                    break
                h = 0.5 * hh
                cnt[CNT_REJECTED_LAST] = 1
                continue
            if code == STEP_RETRY and not fixed:
                st[REJECTED] += 1
                st[RETRIES] += 1
                h = 0.5 * hh
                cs[CTL_HCAP] = h  # do not grow straight back into the failing size
                cnt[CNT_REJECTED_LAST] = 1
                continue
            bad = blamed_nonfinite(ws.ynew, y)
            if bad >= 0:
                if fixed or 0.25 * hh < h_min:
                    buf.fail_t[b] = tn
                    buf.fail_i[b] = bad
                    status = DIVERGED
                    break
                st[REJECTED] += 1
                h = 0.25 * hh
                cnt[CNT_REJECTED_LAST] = 1
                continue
            if fixed:
                err = 0.0
            else:
                err = error_norm(ws.err, y, ws.ynew, ctl.rtol, ctl.atol, split)
                if not err <= 1.0:  # also NaN
                    st[REJECTED] += 1
                    fac = _step_factor(ctl, err, hh, cs, st[ACCEPTED], False) if np.isfinite(err) else 0.25
                    h = hh * fac
                    cnt[CNT_REJECTED_LAST] = 1
                    continue
            # accepted
            need_rows = rec.dense or (rec.use_saveat and buf.n_out[b] < n_save and rec.saveat[buf.n_out[b]] <= tn)
            complete_step(S, p, tab, seg, t, hh, y, ws, rec_idx, rows, need_rows)
            if rec.dense:
                d = buf.n_dense[b]
                buf.dense_t[b, d + 1] = tn
                for q in range(rows.shape[0]):
                    for c in range(n_rec):
                        buf.dense_c[b, d, q, c] = rows[q, c]
                buf.n_dense[b] = d + 1
            if rec.use_saveat:
                while buf.n_out[b] < n_save and rec.saveat[buf.n_out[b]] <= tn:
                    k = buf.n_out[b]
                    ts = rec.saveat[k]
                    buf.out_t[b, k] = ts
                    if ts == tn:
                        for c in range(n_rec):
                            buf.out_y[b, k, c] = ws.ynew[rec_idx[c]]
                    else:
                        th = (ts - t) / hh
                        for c in range(n_rec):
                            buf.out_y[b, k, c] = dense_point(th, rows, c)
                    buf.n_out[b] = k + 1
            else:
                cnt[CNT_SINCE] += 1
                if cnt[CNT_SINCE] >= rec.every or (last and j == n_seg - 1):
                    _save_sample(buf, b, tn, ws.ynew, rec_idx)
                    cnt[CNT_SINCE] = 0
            for i in range(n_y):
                y[i] = ws.ynew[i]
            t = tn
            st[ACCEPTED] += 1
            cnt[CNT_SINGULAR] = 0
            if fixed:
                cnt[CNT_STEP_IN_SEG] += 1
            else:
                fac = _step_factor(ctl, err, hh, cs, st[ACCEPTED] - 1, True)
                if cnt[CNT_REJECTED_LAST] == 1:
                    fac = min(fac, 1.0)
                hnew = min(hh * fac, ctl.h_max, cs[CTL_HCAP])
                cs[CTL_HCAP] *= 1.2  # the cap relaxes as the state moves on
                if last:  # the clamp to the segment end should not shrink the next segment's steps
                    hnew = max(hnew, min(cs[CTL_H_BEFORE_CLAMP], ctl.h_max, cs[CTL_HCAP]))
                h = hnew
            cnt[CNT_REJECTED_LAST] = 0
        if paused or status != RUNNING:
            break
        j += 1
        cs[CTL_SEG_START] = t
        cnt[CNT_STEP_IN_SEG] = 0
    if not paused and status == RUNNING:
        status = DONE
    buf.t[b] = t
    buf.h[b] = h
    buf.seg[b] = j
    buf.status[b] = status
    st[RHS_CALLS] += ws.counts[0]
    st[LINEAR_SOLVES] += ws.counts[1]
    st[FACTORISATIONS] += ws.counts[2]


@kernel(nogil=True)
def run_members(P, S, tab, rec, buf, budget, b0, b1):
    """Advance members ``b0 .. b1 - 1`` whose status is ``RUNNING`` or ``FULL`` (after the caller grew the buffers).

    Releases the GIL: the driver runs groups of members in parallel threads.

    Parameters
    ----------
    P : NamedTuple or typed.List of NamedTuple
        Model kernel parameters shared by all members, or one per member.
    S : NamedTuple or typed.List of NamedTuple
        Solver kernel configuration, shared or one per member.
    tab : InputTable
    rec : Recording
    buf : Buffers
        Updated in place.
    budget : int
        Largest number of step attempts per member in this call.
    b0, b1 : int
        Members to advance.
    """
    for b in range(b0, b1):
        if buf.status[b] == RUNNING or buf.status[b] == FULL:
            buf.status[b] = RUNNING
            advance_member(member(P, b), member(S, b), tab, b, rec, buf, budget)
