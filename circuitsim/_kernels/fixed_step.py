"""Fixed-step explicit Euler and classical RK4, batched over members with ``prange``.

Steps are ``t = a + i*dt`` inside each input segment ``[a, b]`` (between jump times of
the drive), the last one shortened to land on ``b``. Dense output: cubic Hermite from
the states and derivatives at both ends of each step.
"""

from __future__ import annotations

from . import _cache  # noqa: F401  (cache invalidation across kernel files)

import numpy as np
from numba import njit, prange

from .buffers import ACCEPTED, DIVERGED, DONE, RHS_CALLS
from .common import blamed_nonfinite, n_fixed_steps, save_state
from .dispatch import member, rhs
from .inputs import input_at, n_segments, segment_end
from .interpolate import hermite_point

EULER, RK4 = 0, 1


@njit(cache=True)
def _fixed_member(method, p, tab, b, dt, rec, buf):
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
    ytmp = np.empty(n_y)
    ynew = np.empty(n_y)
    fend = np.empty(n_y)
    need_end = rec.dense or rec.use_saveat
    seg_base = tab.break_ptr[b] + b
    n_seg = n_segments(tab, b)
    t = rec.t0
    isave = 0
    # initial sample
    if rec.use_saveat:
        while isave < rec.saveat.shape[0] and rec.saveat[isave] <= t:
            save_state(buf, b, rec.saveat[isave], y, rec_idx)
            isave += 1
    else:
        save_state(buf, b, t, y, rec_idx)
    if rec.dense:
        buf.dense_t[b, 0] = t
    calls = 0
    steps = 0
    since = 0
    for j in range(n_seg):
        a = t
        end = segment_end(tab, b, j, rec.t1)
        seg = seg_base + j
        n = n_fixed_steps(a, end, dt)
        have_k1 = False
        for i in range(n):
            ta = t
            tb = end if i == n - 1 else a + (i + 1) * dt
            h = tb - ta
            if not have_k1:
                input_at(tab, seg, ta, u)
                rhs(p, ta, y, u, k1)
                calls += 1
            if method == 0:
                for c in range(n_y):
                    ynew[c] = y[c] + h * k1[c]
            else:
                th = ta + 0.5 * h
                for c in range(n_y):
                    ytmp[c] = y[c] + 0.5 * h * k1[c]
                input_at(tab, seg, th, u)
                rhs(p, th, ytmp, u, k2)
                for c in range(n_y):
                    ytmp[c] = y[c] + 0.5 * h * k2[c]
                rhs(p, th, ytmp, u, k3)
                for c in range(n_y):
                    ytmp[c] = y[c] + h * k3[c]
                input_at(tab, seg, tb, u)
                rhs(p, tb, ytmp, u, k4)
                calls += 3
                for c in range(n_y):
                    ynew[c] = y[c] + h / 6.0 * (k1[c] + 2.0 * k2[c] + 2.0 * k3[c] + k4[c])
            bad = blamed_nonfinite(ynew, y)
            if bad >= 0:
                buf.fail_t[b] = tb
                buf.fail_i[b] = bad
                buf.status[b] = DIVERGED
                buf.t[b] = ta
                buf.stats[b, ACCEPTED] = steps
                buf.stats[b, RHS_CALLS] = calls
                return
            if need_end or method == 1:
                input_at(tab, seg, tb, u)
                rhs(p, tb, ynew, u, fend)
                calls += 1
                have_k1 = True
            steps += 1
            if rec.dense:
                d = buf.n_dense[b]
                buf.dense_t[b, d + 1] = tb
                for c in range(n_rec):
                    r = rec_idx[c]
                    buf.dense_c[b, d, 0, c] = y[r]
                    buf.dense_c[b, d, 1, c] = ynew[r]
                    buf.dense_c[b, d, 2, c] = k1[r]
                    buf.dense_c[b, d, 3, c] = fend[r]
                buf.n_dense[b] = d + 1
            if rec.use_saveat:
                while isave < rec.saveat.shape[0] and rec.saveat[isave] <= tb:
                    ts = rec.saveat[isave]
                    s = (ts - ta) / h
                    k = buf.n_out[b]
                    buf.out_t[b, k] = ts
                    for c in range(n_rec):
                        r = rec_idx[c]
                        buf.out_y[b, k, c] = hermite_point(h, s, y[r], ynew[r], k1[r], fend[r])
                    buf.n_out[b] = k + 1
                    isave += 1
            else:
                since += 1
                last = j == n_seg - 1 and i == n - 1
                if since == rec.every or last:
                    save_state(buf, b, tb, ynew, rec_idx)
                    since = 0
            for c in range(n_y):
                y[c] = ynew[c]
                k1[c] = fend[c]
            t = tb
    buf.t[b] = t
    buf.status[b] = DONE
    buf.stats[b, ACCEPTED] = steps
    buf.stats[b, RHS_CALLS] = calls


@njit(cache=True, parallel=True)
def run_fixed(method, P, tab, dt, rec, buf):
    """Integrate every batch member with Euler (``method=0``) or RK4 (``method=1``).

    Parameters
    ----------
    method : int
    P : NamedTuple or typed.List of NamedTuple
        Kernel parameters shared by all members, or one per member.
    tab : InputTable
    dt : float
        Step (ms).
    rec : Recording
    buf : Buffers
        Filled in place; ``buf.status`` holds each member's status code.
    """
    nb = buf.y.shape[0]
    for b in prange(nb):
        _fixed_member(method, member(P, b), tab, b, dt, rec, buf)


def count_fixed_steps(breaks_per_member, t0, t1, dt):
    """Steps each member will take (plain-Python mirror of :func:`n_fixed_steps`, same arithmetic)."""
    import math

    out = []
    for br in breaks_per_member:
        edges = [float(t0), *(float(x) for x in br), float(t1)]
        out.append(sum(max(int(math.ceil((e - a) / dt - 1e-9)), 1) for a, e in zip(edges[:-1], edges[1:])))
    return out
