"""Exponential Runge-Kutta step (ETD2RK) with a diagonal linear part from the model.

Each step freezes a diagonal ``D = diag(d)`` supplied by the model at the step's
start -- the decay rate each state variable has on its own: leak plus the total
gap-junction and synaptic conductance a neuron sees over its capacitance, the
deactivation rate of a synaptic variable -- and splits ``f(t, y) = D y + N(t, y)``.
The linear part is integrated exactly (a diagonal "solve": one exponential per
entry), the rest explicitly, with the second-order scheme of Cox & Matthews (2002),
J. Comput. Phys. 176:430 (ETD2RK)::

    a     = y + h phi1(hD) f(t, y)                              (exponential Euler)
    y_new = a + h phi2(hD) (N(t + h, a) - N(t, y))
          = a + h phi2(hD) (f(t + h, a) - f(t, y) - D (a - y))

with ``phi1(z) = (e^z - 1) / z``, ``phi2(z) = (e^z - 1 - z) / z^2``. The order is 2
for any frozen ``D`` (``N`` is defined as ``f - D y``, so no approximation enters);
``y_new - a`` (order 1) is the error estimate. Decays much faster than the step
(``h d << -1``) are damped exactly instead of limiting the step, which is what makes
the leak- and conductance-dominated stiffness of large networks cheap; coupling
*between* neurons (gap junctions, synapses) stays explicit.

Model hook, dispatched on the kernel-parameter type:

``linear_diagonal(p, t, y, u, d)``
    write the diagonal ``d`` (n_state,) (1/ms, usually negative).

Two right-hand sides per step (``f(t + h, y_new)`` is the next step's ``f(t, y)``)
plus one diagonal; dense output: cubic Hermite through ``y, f, y_new, f_new``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._cache import kernel
from .buffers import StepControl
from .dispatch import hook, implements, rhs
from .inputs import input_at
from .loop import STEP_OK, attempt, begin_segment, complete_step, workspace

__all__ = ["linear_diagonal", "ExponentialConfig", "phi12"]


@hook
def linear_diagonal(p, t, y, u, d):
    """Write the diagonal of the model's stiff linear part at ``(t, y)`` into `d` (see the module docstring)."""


class ExponentialConfig(NamedTuple):
    """Kernel configuration of the ETD2RK step."""

    ctl: StepControl
    n_rows: int  # 4: y0, y1 and two Hermite rows


class ExponentialWork(NamedTuple):
    d: np.ndarray  # (n,) frozen diagonal
    f0: np.ndarray  # (n,) f(t, y)
    fa: np.ndarray  # (n,) f(t + h, a), then f(t + h, y_new)
    a: np.ndarray  # (n,) exponential Euler state
    ynew: np.ndarray
    err: np.ndarray
    u: np.ndarray  # (n_in,)
    counts: np.ndarray  # int64 (3,)


@kernel(inline="always")
def phi12(z):
    """``(phi1(z), phi2(z))`` accurate to rounding for every ``z <= 0`` and moderate ``z > 0``."""
    if abs(z) < 1e-2:  # Taylor series: the closed forms cancel here
        p2 = 0.5 + z * (1.0 / 6.0 + z * (1.0 / 24.0 + z * (1.0 / 120.0 + z * (1.0 / 720.0))))
        return 1.0 + z * p2, p2
    em1 = np.expm1(z)
    return em1 / z, (em1 - z) / (z * z)


@implements(workspace, ExponentialConfig)
@kernel
def exponential_workspace(S, p, tab, n_y):
    return ExponentialWork(np.zeros(n_y), np.zeros(n_y), np.zeros(n_y), np.zeros(n_y), np.zeros(n_y),
                           np.zeros(n_y), np.zeros(tab.values.shape[1]), np.zeros(3, np.int64))


@implements(begin_segment, ExponentialConfig)
@kernel
def exponential_begin(S, p, tab, seg, t, y, ws):
    input_at(tab, seg, t, ws.u)
    rhs(p, t, y, ws.u, ws.f0)
    ws.counts[0] += 1
    return 0


@implements(attempt, ExponentialConfig)
@kernel
def exponential_attempt(S, p, tab, seg, t, h, y, ws):
    n = y.shape[0]
    input_at(tab, seg, t, ws.u)
    linear_diagonal(p, t, y, ws.u, ws.d)
    for i in range(n):
        p1, _ = phi12(h * ws.d[i])
        ws.a[i] = y[i] + h * p1 * ws.f0[i]
    input_at(tab, seg, t + h, ws.u)
    rhs(p, t + h, ws.a, ws.u, ws.fa)
    ws.counts[0] += 1
    for i in range(n):
        _, p2 = phi12(h * ws.d[i])
        corr = h * p2 * (ws.fa[i] - ws.f0[i] - ws.d[i] * (ws.a[i] - y[i]))
        ws.ynew[i] = ws.a[i] + corr
        ws.err[i] = corr
    return STEP_OK


@implements(complete_step, ExponentialConfig)
@kernel
def exponential_complete(S, p, tab, seg, t, h, y, ws, rec_idx, rows, need_rows):
    input_at(tab, seg, t + h, ws.u)
    rhs(p, t + h, ws.ynew, ws.u, ws.fa)
    ws.counts[0] += 1
    if need_rows:
        for c in range(rec_idx.shape[0]):
            r = rec_idx[c]
            delta = ws.ynew[r] - y[r]
            rows[0, c] = y[r]
            rows[1, c] = ws.ynew[r]
            rows[2, c] = h * ws.f0[r] - delta
            rows[3, c] = 2.0 * delta - h * ws.f0[r] - h * ws.fa[r]
    for i in range(y.shape[0]):
        ws.f0[i] = ws.fa[i]
    return 0
