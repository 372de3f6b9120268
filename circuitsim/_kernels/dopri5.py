"""Adaptive Dormand-Prince 5(4) with error control and its native continuous extension.

Coefficients: Dormand & Prince (1980), J. Comput. Appl. Math. 6:19-26; dense output
of order 4 and step-size control after Hairer, Norsett & Wanner, *Solving ODEs I*,
sec. II.4-II.6. The error norm is the RMS of ``err_i / (atol_i + rtol_i max(|y_i|, |y_new_i|))``.

Steps land on every jump time of the drive and on the end of the span. The kernel
returns (status ``FULL``) when a member's output buffers are full; the caller enlarges
them and calls again, resuming from ``buf.t``/``buf.y``/``buf.h``.
"""

from __future__ import annotations

from . import _cache  # noqa: F401  (cache invalidation across kernel files)

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .buffers import ACCEPTED, DIVERGED, DONE, FULL, MAX_STEPS, REJECTED, RHS_CALLS, RUNNING, STEP_TOO_SMALL
from .common import blamed_nonfinite, save_state
from .dispatch import member, rhs
from .inputs import input_at, n_segments, segment_end
from .interpolate import dopri5_point

C2, C3, C4, C5 = 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9
A21 = 1.0 / 5
A31, A32 = 3.0 / 40, 9.0 / 40
A41, A42, A43 = 44.0 / 45, -56.0 / 15, 32.0 / 9
A51, A52, A53, A54 = 19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729
A61, A62, A63, A64, A65 = 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656
A71, A73, A74, A75, A76 = 35.0 / 384, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84
E1, E3, E4, E5, E6, E7 = 71.0 / 57600, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40
D1, D3, D4 = -12715105075.0 / 11282082432, 87487479700.0 / 32700410799, -10690763975.0 / 1880347072
D5, D6, D7 = 701980252875.0 / 199316789632, -1453857185.0 / 822651844, 69997945.0 / 29380423


class Dopri5Config(NamedTuple):
    """Step control settings (arrays per state variable)."""

    rtol: np.ndarray  # float64 (n_state,)
    atol: np.ndarray  # float64 (n_state,)
    h0: float  # first step (ms); 0 = automatic
    h_max: float  # largest step (ms)
    max_steps: int  # attempted steps per member (accepted + rejected)
    fixed_dt: float  # > 0: take fixed steps of this size, no error control (for order studies)
    safety: float
    fac_min: float
    fac_max: float


@njit(cache=True)
def _norm(x, y, z, rtol, atol):
    acc = 0.0
    n = x.shape[0]
    for i in range(n):
        sc = atol[i] + rtol[i] * max(abs(y[i]), abs(z[i]))
        v = x[i] / sc
        acc += v * v
    return np.sqrt(acc / n)


@njit(cache=True)
def _initial_step(p, tab, seg, t, y, f0, u, cfg, tmp, f1):
    n = y.shape[0]
    d0 = _norm(y, y, y, cfg.rtol, cfg.atol)
    d1 = _norm(f0, y, y, cfg.rtol, cfg.atol)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, cfg.h_max)
    for i in range(n):
        tmp[i] = y[i] + h0 * f0[i]
    input_at(tab, seg, t + h0, u)
    rhs(p, t + h0, tmp, u, f1)
    for i in range(n):
        tmp[i] = f1[i] - f0[i]
    d2 = _norm(tmp, y, y, cfg.rtol, cfg.atol) / h0
    if max(d1, d2) <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** 0.2
    return min(100 * h0, h1, cfg.h_max)


@njit(cache=True)
def _dopri5_member(p, tab, b, cfg, rec, buf):
    n_y = buf.y.shape[1]
    n_in = tab.values.shape[1]
    rec_idx = rec.rec_idx
    n_rec = rec_idx.shape[0]
    y = buf.y[b]
    u = np.empty(n_in)
    k1 = np.empty(n_y)
    k2 = np.empty(n_y)
    k3 = np.empty(n_y)
    k4 = np.empty(n_y)
    k5 = np.empty(n_y)
    k6 = np.empty(n_y)
    k7 = np.empty(n_y)
    yt = np.empty(n_y)
    ynew = np.empty(n_y)
    err = np.empty(n_y)
    r = np.empty((5, n_rec))
    seg_base = tab.break_ptr[b] + b
    n_seg = n_segments(tab, b)
    cap_out = buf.out_t.shape[1]
    cap_dense = buf.dense_c.shape[1]
    n_save = rec.saveat.shape[0]
    fixed = cfg.fixed_dt > 0.0

    t = buf.t[b]
    h = buf.h[b]
    j = buf.seg[b]
    since = buf.since[b]
    if buf.status[b] == RUNNING:  # fresh start (FULL = resumed)
        if rec.use_saveat:
            while buf.n_out[b] < n_save and rec.saveat[buf.n_out[b]] <= t:
                save_state(buf, b, rec.saveat[buf.n_out[b]], y, rec_idx)
        else:
            save_state(buf, b, t, y, rec_idx)
        buf.dense_t[b, 0] = t
    calls = buf.stats[b, RHS_CALLS]
    n_acc = buf.stats[b, ACCEPTED]
    n_rej = buf.stats[b, REJECTED]
    status = RUNNING
    while j < n_seg and status == RUNNING:
        seg = seg_base + j
        end = segment_end(tab, b, j, rec.t1)
        input_at(tab, seg, t, u)
        rhs(p, t, y, u, k1)
        calls += 1
        if fixed:
            h = cfg.fixed_dt
        elif h <= 0.0:
            h = _initial_step(p, tab, seg, t, y, k1, u, cfg, yt, k2)
            calls += 1
        last_reject = False
        while t < end:
            # room for one more step?
            if (rec.dense and buf.n_dense[b] >= cap_dense) or \
                    (not rec.use_saveat and buf.n_out[b] + 2 > cap_out):
                status = FULL
                break
            if n_acc + n_rej >= cfg.max_steps:
                status = MAX_STEPS
                break
            h_min = 16.0 * np.finfo(np.float64).eps * max(abs(t), 1.0)
            if fixed:
                h = cfg.fixed_dt
                if t + h > end - 1e-9 * cfg.fixed_dt:
                    h = end - t
            elif t + 1.01 * h >= end:
                h = end - t
            if h < h_min and t + h < end:
                status = STEP_TOO_SMALL
                break
            for i in range(n_y):
                yt[i] = y[i] + h * A21 * k1[i]
            input_at(tab, seg, t + C2 * h, u)
            rhs(p, t + C2 * h, yt, u, k2)
            for i in range(n_y):
                yt[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i])
            input_at(tab, seg, t + C3 * h, u)
            rhs(p, t + C3 * h, yt, u, k3)
            for i in range(n_y):
                yt[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i])
            input_at(tab, seg, t + C4 * h, u)
            rhs(p, t + C4 * h, yt, u, k4)
            for i in range(n_y):
                yt[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i])
            input_at(tab, seg, t + C5 * h, u)
            rhs(p, t + C5 * h, yt, u, k5)
            for i in range(n_y):
                yt[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i])
            tn = end if t + h >= end else t + h
            input_at(tab, seg, tn, u)
            rhs(p, tn, yt, u, k6)
            for i in range(n_y):
                ynew[i] = y[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i])
            rhs(p, tn, ynew, u, k7)
            calls += 6
            bad = blamed_nonfinite(ynew, y)
            if bad >= 0:
                if fixed or h * 0.25 < h_min:
                    buf.fail_t[b] = tn
                    buf.fail_i[b] = bad
                    status = DIVERGED
                    break
                h *= 0.25
                n_rej += 1
                last_reject = True
                continue
            if fixed:
                e = 0.0
            else:
                for i in range(n_y):
                    err[i] = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i])
                e = _norm(err, y, ynew, cfg.rtol, cfg.atol)
            if e > 1.0:
                fac = max(cfg.fac_min, cfg.safety * e ** -0.2)
                h *= fac
                n_rej += 1
                last_reject = True
                continue
            # accepted
            n_acc += 1
            for c in range(n_rec):
                i = rec_idx[c]
                dy = ynew[i] - y[i]
                bspl = h * k1[i] - dy
                r[0, c] = y[i]
                r[1, c] = dy
                r[2, c] = bspl
                r[3, c] = dy - h * k7[i] - bspl
                r[4, c] = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i])
            if rec.dense:
                d = buf.n_dense[b]
                buf.dense_t[b, d + 1] = tn
                for q in range(5):
                    for c in range(n_rec):
                        buf.dense_c[b, d, q, c] = r[q, c]
                buf.n_dense[b] = d + 1
            if rec.use_saveat:
                while buf.n_out[b] < n_save and rec.saveat[buf.n_out[b]] <= tn:
                    ts = rec.saveat[buf.n_out[b]]
                    s = (ts - t) / h
                    k = buf.n_out[b]
                    buf.out_t[b, k] = ts
                    for c in range(n_rec):
                        buf.out_y[b, k, c] = dopri5_point(s, r[0, c], r[1, c], r[2, c], r[3, c], r[4, c])
                    buf.n_out[b] = k + 1
            else:
                since += 1
                if since >= rec.every or (j == n_seg - 1 and tn >= end):
                    save_state(buf, b, tn, ynew, rec_idx)
                    since = 0
            for i in range(n_y):
                y[i] = ynew[i]
                k1[i] = k7[i]
            t = tn
            if not fixed:
                fac = cfg.safety * e ** -0.2 if e > 0.0 else cfg.fac_max
                fac = min(cfg.fac_max, max(cfg.fac_min, fac))
                if last_reject:
                    fac = min(fac, 1.0)
                h = min(h * fac, cfg.h_max)
            last_reject = False
        if status == RUNNING:
            j += 1
    buf.t[b] = t
    buf.h[b] = h
    buf.seg[b] = j
    buf.since[b] = since
    buf.stats[b, RHS_CALLS] = calls
    buf.stats[b, ACCEPTED] = n_acc
    buf.stats[b, REJECTED] = n_rej
    buf.status[b] = DONE if status == RUNNING else status


@njit(cache=True, parallel=True)
def run_dopri5(P, tab, cfg, rec, buf):
    """Integrate the members whose status is ``RUNNING`` or ``FULL`` (resumed)."""
    nb = buf.y.shape[0]
    for b in prange(nb):
        if buf.status[b] == RUNNING or buf.status[b] == FULL:
            _dopri5_member(member(P, b), tab, b, cfg, rec, buf)
