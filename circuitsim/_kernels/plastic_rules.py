"""Compiled rates of the shipped learning rules (see :mod:`circuitsim.plasticity.rules`).

Every rule is synapse-local: the rates of synapse ``q`` read its own states, the
activities ``x = a_pre[pre[q]]`` and ``y = a_post[post[q]]``, and neuron traces at its
pre- or postsynaptic neuron; the rates of a neuron trace read that neuron's activities.
Times in ms, rates per ms.
"""

from __future__ import annotations

from typing import NamedTuple


from ._cache import kernel
from .dispatch import implements
from .plastic import rule_rates


class HebbianKernel(NamedTuple):
    rate: float
    decay: float


class OjaKernel(NamedTuple):
    rate: float


class BCMKernel(NamedTuple):
    rate: float
    tau_theta: float


class CovarianceKernel(NamedTuple):
    rate: float
    tau_mean: float


class RewardKernel(NamedTuple):
    rate: float
    tau_e: float


class ScalingKernel(NamedTuple):
    rate: float
    target: float
    tau_avg: float


@implements(rule_rates, HebbianKernel)
@kernel
def hebbian_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """``dw/dt = rate x y - decay w``."""
    for q in range(w.shape[0]):
        dw[q] = r.rate * a_pre[pre[q]] * a_post[post[q]] - r.decay * w[q]


@implements(rule_rates, OjaKernel)
@kernel
def oja_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """``dw/dt = rate y (x - y w)``."""
    for q in range(w.shape[0]):
        y = a_post[post[q]]
        dw[q] = r.rate * y * (a_pre[pre[q]] - y * w[q])


@implements(rule_rates, BCMKernel)
@kernel
def bcm_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """``dw/dt = rate x y (y - theta_post)``, ``tau_theta dtheta/dt = y^2 - theta``."""
    for q in range(w.shape[0]):
        y = a_post[post[q]]
        dw[q] = r.rate * a_pre[pre[q]] * y * (y - zn[post[q]])
    for i in range(zn.shape[0]):
        y = a_post[i]
        dzn[i] = (y * y - zn[i]) / r.tau_theta


@implements(rule_rates, CovarianceKernel)
@kernel
def covariance_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """``dw/dt = rate (x - <x>) (y - <y>)`` with running means of time constant ``tau_mean``."""
    n = a_pre.shape[0]
    for q in range(w.shape[0]):
        dw[q] = r.rate * (a_pre[pre[q]] - zn[pre[q]]) * (a_post[post[q]] - zn[n + post[q]])
    for i in range(n):
        dzn[i] = (a_pre[i] - zn[i]) / r.tau_mean
        dzn[n + i] = (a_post[i] - zn[n + i]) / r.tau_mean


@implements(rule_rates, RewardKernel)
@kernel
def reward_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """``tau_e de/dt = -e + tau_e x y`` (eligibility), ``dw/dt = rate M(t) e``."""
    for q in range(w.shape[0]):
        e = zs[q]
        dzs[q] = a_pre[pre[q]] * a_post[post[q]] - e / r.tau_e
        dw[q] = r.rate * mod * e


@implements(rule_rates, ScalingKernel)
@kernel
def scaling_rates(r, t, mod, pre, post, a_pre, a_post, w, zs, zn, dw, dzs, dzn):
    """``dw/dt = rate w (target - <y>_post)``, ``tau_avg d<y>/dt = y - <y>``."""
    for q in range(w.shape[0]):
        dw[q] = r.rate * w[q] * (r.target - zn[post[q]])
    for i in range(zn.shape[0]):
        dzn[i] = (a_post[i] - zn[i]) / r.tau_avg
