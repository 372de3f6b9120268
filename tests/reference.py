"""Slow, obviously-correct NumPy references for the engine tests.

Nothing here imports circuitsim's kernels: dense matrices, explicit loops, scipy.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.integrate import solve_ivp


def dense_signed_weights(wiring, scale=1.0):
    """``W[pre, post] * sign * scale`` as a dense array."""
    return wiring.chemical.toarray() * wiring.sign.toarray() * scale


def ctrnn_rhs(W, tau, bias, act, x, u):
    """``dx/dt = (-x + W.T @ f(x) + b + u) / tau`` with dense ``W[pre, post]``."""
    f = {"identity": lambda z: z, "tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
         "relu": lambda z: np.maximum(z, 0)}[act]
    return (-x + W.T @ f(x) + bias + u) / tau


def linear_system(W, tau, bias):
    """``A, c`` with ``dx/dt = A x + c + u/tau`` for the identity-activation CTRNN."""
    tau = np.broadcast_to(tau, (W.shape[0],)).astype(float)
    A = (-np.eye(W.shape[0]) + W.T) / tau[:, None]
    c = np.broadcast_to(bias, (W.shape[0],)) / tau
    return A, c


def affine_exact(A, c, x0, t):
    """Exact solution of ``dx/dt = A x + c`` at time `t` from ``x(0) = x0`` (augmented expm)."""
    n = len(x0)
    M = np.zeros((n + 1, n + 1))
    M[:n, :n] = A
    M[:n, n] = c
    z = scipy.linalg.expm(M * t) @ np.r_[x0, 1.0]
    return z[:n]


def affine_exact_piecewise(A, pieces, x0, times):
    """Exact solution with a piecewise-constant forcing.

    Parameters
    ----------
    pieces : list of (t_start, c)
        Forcing ``c`` from `t_start` on (sorted, first at the initial time).
    times : array
        Output times (>= first t_start).
    """
    out = []
    for t in times:
        x = np.array(x0, float)
        for k, (ts, c) in enumerate(pieces):
            te = pieces[k + 1][0] if k + 1 < len(pieces) else np.inf
            if t <= ts:
                break
            x = affine_exact(A, c, x, min(t, te) - ts)
        out.append(x)
    return np.array(out)


def drive_value(stimuli, n_in, index, t, side="right"):
    """Drive vector at time `t` from stimulus descriptions, evaluated from scratch.

    stimuli : list of dicts as produced by ``Stimulus.describe()``.
    side : "left" or "right" limit at jump times.
    """
    u = np.zeros(n_in)
    for s in stimuli:
        cols = [index[nm] for nm in s["neurons"]]
        kind = s["kind"]
        if kind == "constant":
            u[cols] += s["amplitude"]
        elif kind == "step":
            on = t > s["at"] or (t == s["at"] and side == "right")
            u[cols] += np.asarray(s["amplitude"]) * on
        elif kind == "pulse":
            for j in range(s["count"]):
                a = s["start"] + j * (s["period"] or 0.0)
                b = a + s["duration"]
                inside = (a < t < b) or (t == a and side == "right") or (t == b and side == "left")
                u[cols] += np.asarray(s["amplitude"]) * inside
        elif kind == "samples":
            ts = np.asarray(s["times"])
            vs = np.asarray(s["values"], float).reshape(len(ts), -1)
            vs = np.broadcast_to(vs, (len(ts), len(cols)))
            if s["interpolation"] == "linear":
                u[cols] += [np.interp(t, ts, vs[:, c]) for c in range(len(cols))]
            else:
                if side == "right":
                    i = np.searchsorted(ts, t, side="right") - 1
                else:
                    i = np.searchsorted(ts, t, side="left") - 1
                u[cols] += vs[max(i, 0)]
        else:  # pragma: no cover
            raise ValueError(kind)
    return u


def solve_piecewise(f, y0, t_span, breaks, t_eval, rtol=1e-12, atol=1e-13):
    """``solve_ivp`` (DOP853) restarted at every break.

    `f(t, y, side)` is the vector field with the drive's one-sided value: ``side`` is
    "right" at the start of a segment and inside it, "left" at its end.
    """
    edges = [t_span[0], *sorted(b for b in breaks if t_span[0] < b < t_span[1]), t_span[1]]
    y = np.asarray(y0, float)
    t_eval = np.asarray(t_eval, float)
    out = np.full((len(t_eval), len(y)), np.nan)
    for a, b in zip(edges[:-1], edges[1:]):
        sol = solve_ivp(lambda t, z, b=b: f(t, z, "left" if t >= b else "right"), (a, b), y,
                        method="DOP853", rtol=rtol, atol=atol, dense_output=True)
        sel = (t_eval >= a) & (t_eval <= b)
        out[sel] = sol.sol(t_eval[sel]).T
        y = sol.y[:, -1]
    return out


def euler(f, y0, t0, dt, n):
    """Plain explicit Euler loop; returns the states after each step (n + 1, len(y0))."""
    ys = [np.asarray(y0, float)]
    for i in range(n):
        ys.append(ys[-1] + dt * f(t0 + i * dt, ys[-1]))
    return np.array(ys)
