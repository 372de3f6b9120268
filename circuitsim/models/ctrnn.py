"""Leaky rate network (continuous-time recurrent neural network, CTRNN).

Equation (one state variable ``x`` per neuron, dimensionless)::

    tau_i dx_i/dt = -x_i + sum_j W[j, i] f(x_j) + b_i + u_i(t)

with ``W[pre, post]`` the signed chemical weights of the wiring times
``weight_scale`` (or explicit per-synapse weights), ``f`` one of ``"tanh"``,
``"sigmoid"``, ``"relu"``, ``"identity"`` (the last makes the network linear), and
``u`` the external drive (one channel per neuron). Gap junctions are not used.
Times in ms.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ParameterError
from .base import Model, ModelParams, check_array, register_model

__all__ = ["CTRNN", "CTRNNParams"]

_ACTIVATIONS = {"identity": 0, "tanh": 1, "sigmoid": 2, "relu": 3}


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class CTRNNParams(ModelParams):
    """Parameters of :class:`CTRNN`.

    Parameters
    ----------
    tau : float or array (n,)
        Time constants (ms, > 0).
    bias : float or array (n,)
        Constant drive ``b``.
    weight_scale : float
        Multiplies the wiring's signed chemical weights (ignored if `weights` is given).
    weights : array (nnz,), optional
        Signed per-synapse weights in the CSR order of ``wiring.chemical``
        (``W[pre, post]``, row-major). Overrides ``weight_scale * sign * W``.
    activation : {"tanh", "sigmoid", "relu", "identity"}
    """

    tau: object = 10.0
    bias: object = 0.0
    weight_scale: float = 1.0
    weights: object = None
    activation: str = "tanh"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "tau", check_array("tau", self.tau, positive=True))
        set_(self, "bias", check_array("bias", self.bias))
        set_(self, "weight_scale", float(check_array("weight_scale", self.weight_scale)))
        if self.weights is not None:
            w = check_array("weights", self.weights)
            if w.ndim != 1:
                raise ParameterError(f"weights must be a 1-d per-synapse array, got shape {w.shape}")
            set_(self, "weights", w)
        if self.activation not in _ACTIVATIONS:
            raise ParameterError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {self.activation!r}")

    @classmethod
    def linear(cls, tau=10.0, weight_scale=1.0, **kw) -> "CTRNNParams":
        """A linear network (identity activation)."""
        return cls(tau=tau, weight_scale=weight_scale, activation="identity", **kw)

    @classmethod
    def beer1995(cls, **kw) -> "CTRNNParams":
        """Beer's classic CTRNN settings: logistic activation, tau = 1 (time unit ms here)."""
        return cls(tau=1.0, activation="sigmoid", **kw)


@register_model
class CTRNN(Model):
    """The leaky rate network; see the module docstring for the equation."""

    name = "ctrnn"
    state_names = ("x",)
    state_units = ("1",)
    params_type = CTRNNParams
    synapse_value_fields = ("weight",)
    synapse_index_fields = ("pre_index",)
    input_units = "1"

    def default_params(self, wiring) -> CTRNNParams:
        return CTRNNParams()

    def bind(self, params, wiring) -> CTRNNParams:
        params = super().bind(params, wiring)
        n, nnz = wiring.n, wiring.chemical.nnz
        for name in ("tau", "bias"):
            v = getattr(params, name)
            if v.ndim != 0 and v.shape != (n,):
                raise ParameterError(f"{name} must be a scalar or have shape ({n},) (one per neuron), got {v.shape}")
        if params.weights is not None and params.weights.shape != (nnz,):
            raise ParameterError(
                f"weights must have shape ({nnz},) (one per chemical synapse of the wiring), "
                f"got {params.weights.shape}")
        return params

    def display(self, circuit):
        """The firing rate ``f(x)`` (the activation of the state)."""
        from .base import Display

        act = circuit.params.activation
        return Display("x", "rate f(x)" if act != "identity" else "x", "1",
                       transform=None if act == "identity" else act)

    def jacobian_pattern(self, kp):
        """The diagonal, then one entry (post, pre) per synapse in kernel order."""
        n = kp.tau.shape[0]
        post = np.repeat(np.arange(n), np.diff(kp.post_indptr))
        return np.r_[np.arange(n), post], np.r_[np.arange(n), kp.pre_index]

    def kernel_params(self, circuit):
        import scipy.sparse as sp

        from .._kernels.ctrnn import CTRNNKernelParams

        w, p = circuit.wiring, circuit.params
        n = w.n
        chem = w.chemical
        data = p.weights if p.weights is not None else chem.data * w.sign.data * p.weight_scale
        # CSR (pre-major) -> by-postsynaptic order, keeping the per-synapse values aligned
        order = sp.csr_array((np.arange(chem.nnz, dtype=np.float64) + 1.0, chem.indices, chem.indptr),
                             shape=chem.shape).tocsc()
        order.sort_indices()
        perm = order.data.astype(np.int64) - 1
        return CTRNNKernelParams(
            np.ascontiguousarray(np.broadcast_to(p.tau, (n,)), dtype=np.float64),
            np.ascontiguousarray(np.broadcast_to(p.bias, (n,)), dtype=np.float64),
            np.ascontiguousarray(order.indptr, dtype=np.int64),
            np.ascontiguousarray(order.indices, dtype=np.int64),
            np.ascontiguousarray(np.asarray(data, dtype=np.float64)[perm]),
            _ACTIVATIONS[p.activation],
        )
