"""Learning rules: small frozen, validated objects with a compiled update.

A rule declares its states and gives a NamedTuple of numbers whose type selects its
compiled rates (:func:`circuitsim._kernels.plastic.rule_rates`). A new rule is defined
the same way as a model: a :class:`Rule` subclass plus a compiled ``rule_rates``
registered for its NamedTuple with :func:`circuitsim._kernels.dispatch.implements`.

Activities: ``x`` is the presynaptic and ``y`` the postsynaptic activity of a synapse
(the graded network: ``s_pre`` and ``V_post - Vth``; LTC: ``sigmoid(v)``; CTRNN: the rate
``f(x)``). Weights ``w`` are magnitudes (nS for conductance models, the |weight| of a
CTRNN); the wiring's sign is kept apart and never flips. Times in ms, rates per ms.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

import numpy as np

from ..errors import ParameterError

__all__ = ["Rule", "Hebbian", "Oja", "BCM", "Covariance", "RewardModulated", "SynapticScaling"]


def _nonneg(name, v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {v!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ParameterError(f"{name} must be finite and non-negative, got {v!r}")
    return v


def _positive(name, v):
    v = _nonneg(name, v)
    if v <= 0:
        raise ParameterError(f"{name} must be positive, got {v!r}")
    return v


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rule:
    """Base of learning rules.

    Parameters
    ----------
    w_max : float
        Upper bound of the weight magnitudes (default: none, ``inf``); the lower bound is 0.
    bounds : {"hard", "soft"}
        Hard bounds stop a rate that pushes through a bound; soft bounds scale potentiation
        by ``1 - w / w_max`` and depression by ``w / w_max`` (need a finite `w_max`).
        The network always uses ``clip(w, 0, w_max)``: under hard bounds the integrated
        state may pass a bound by one step's error, never the weight the network uses
        (:func:`circuitsim.plasticity.weights` returns the clipped values). Wiring weights
        above `w_max` start at `w_max`.

    Class attributes
    ----------------
    synapse_states : tuple of str
        Per-synapse traces besides the weight (e.g. an eligibility trace).
    neuron_states : tuple of str
        Per-neuron traces (e.g. BCM's sliding threshold).
    neuron_sides : tuple of {"pre", "post"}
        Where synapse rates read each neuron trace.
    modulated : bool
        Reads a neuromodulator from an extra input channel.
    """

    w_max: float = math.inf
    bounds: str = "hard"

    synapse_states: ClassVar[tuple] = ()
    neuron_states: ClassVar[tuple] = ()
    neuron_sides: ClassVar[tuple] = ()
    modulated: ClassVar[bool] = False

    def __post_init__(self):
        try:
            w_max = float(self.w_max)
        except (TypeError, ValueError):
            raise ParameterError(f"w_max must be a number, got {self.w_max!r}") from None
        if not w_max > 0:
            raise ParameterError(f"bounds must be [0, w_max] with w_max > 0 (reversed or empty bounds), got "
                                 f"w_max={self.w_max!r}")
        object.__setattr__(self, "w_max", w_max)
        if self.bounds not in ("hard", "soft"):
            raise ParameterError(f"bounds must be 'hard' or 'soft', got {self.bounds!r}")
        if self.bounds == "soft" and not math.isfinite(w_max):
            raise ParameterError("soft bounds need a finite w_max")
        for f in dataclasses.fields(self):
            if f.name.startswith("tau"):
                object.__setattr__(self, f.name, _positive(f.name, getattr(self, f.name)))
            elif f.name in ("rate", "decay"):
                object.__setattr__(self, f.name, _nonneg(f.name, getattr(self, f.name)))

    def kernel(self) -> tuple:
        """The NamedTuple of numbers the compiled rates read (its type selects them)."""
        raise NotImplementedError

    def initial_neuron_state(self, n: int) -> np.ndarray:
        """Neuron traces at the start, ``(len(neuron_states) * n,)``."""
        return np.zeros(len(self.neuron_states) * n)

    def initial_synapse_state(self, m: int) -> np.ndarray:
        """Synapse traces at the start, ``(len(synapse_states) * m,)``."""
        return np.zeros(len(self.synapse_states) * m)

    def describe(self) -> dict:
        """JSON-friendly description (saved with results)."""
        return {"rule": type(self).__name__, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self)}}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Hebbian(Rule):
    """``dw/dt = rate x y - decay w`` (Hebb's rule with passive decay)."""

    rate: float = 1e-4
    decay: float = 0.0

    def kernel(self):
        from .._kernels.plastic_rules import HebbianKernel
        return HebbianKernel(self.rate, self.decay)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Oja(Rule):
    """``dw/dt = rate y (x - y w)`` (Oja 1982): the weight vector onto a linear neuron
    converges to the unit leading eigenvector of the input correlation."""

    rate: float = 1e-4

    def kernel(self):
        from .._kernels.plastic_rules import OjaKernel
        return OjaKernel(self.rate)


@dataclasses.dataclass(frozen=True, kw_only=True)
class BCM(Rule):
    """``dw/dt = rate x y (y - theta)``, ``tau_theta dtheta/dt = y^2 - theta`` per postsynaptic neuron
    (Bienenstock, Cooper & Munro 1982, with the sliding threshold of Intrator & Cooper 1992)."""

    rate: float = 1e-4
    tau_theta: float = 100.0
    theta0: float = 0.0

    neuron_states = ("theta",)
    neuron_sides = ("post",)

    def kernel(self):
        from .._kernels.plastic_rules import BCMKernel
        return BCMKernel(self.rate, self.tau_theta)

    def initial_neuron_state(self, n):
        return np.full(n, self.theta0)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Covariance(Rule):
    """``dw/dt = rate (x - <x>) (y - <y>)`` with running means (time constant ``tau_mean``) as state."""

    rate: float = 1e-4
    tau_mean: float = 1000.0

    neuron_states = ("mean_pre", "mean_post")
    neuron_sides = ("pre", "post")

    def kernel(self):
        from .._kernels.plastic_rules import CovarianceKernel
        return CovarianceKernel(self.rate, self.tau_mean)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RewardModulated(Rule):
    """Three-factor rule: ``tau_e de/dt = -e + tau_e x y`` per synapse, ``dw/dt = rate M(t) e``.

    The neuromodulator ``M`` is an input channel named `channel` (drive it like any input:
    ``cs.pulse(["reward"], ...)``, ``cs.constant``, ``cs.samples``).
    """

    rate: float = 1e-4
    tau_e: float = 1000.0
    channel: str = "reward"

    synapse_states = ("eligibility",)
    modulated = True

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.channel, str) or not self.channel:
            raise ParameterError(f"channel must be a non-empty name, got {self.channel!r}")

    def kernel(self):
        from .._kernels.plastic_rules import RewardKernel
        return RewardKernel(self.rate, self.tau_e)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SynapticScaling(Rule):
    """Homeostatic scaling: ``dw/dt = rate w (target - <y>)`` with ``<y>`` the postsynaptic activity
    averaged over ``tau_avg`` (Turrigiano 2008): all inputs of a neuron scale together."""

    rate: float = 1e-4
    target: float = 0.0
    tau_avg: float = 1000.0

    neuron_states = ("avg_post",)
    neuron_sides = ("post",)

    def __post_init__(self):
        target = self.target
        super().__post_init__()
        try:
            t = float(target)
        except (TypeError, ValueError):
            raise ParameterError(f"target must be a number, got {target!r}") from None
        if not math.isfinite(t):
            raise ParameterError(f"target must be finite, got {target!r}")
        object.__setattr__(self, "target", t)

    def kernel(self):
        from .._kernels.plastic_rules import ScalingKernel
        return ScalingKernel(self.rate, self.target, self.tau_avg)
