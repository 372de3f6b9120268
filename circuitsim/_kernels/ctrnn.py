"""Compiled vector field of the leaky rate network (CTRNN)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ._cache import kernel
from .dispatch import implements, rhs
from .exponential import linear_diagonal
from .jacobian import jac_values
from .threads import threaded

IDENTITY, TANH, SIGMOID, RELU = 0, 1, 2, 3


class CTRNNKernelParams(NamedTuple):
    """Kernel view of a CTRNN circuit (``n`` neurons, ``nnz`` chemical synapses).

    Synapses onto neuron ``i`` are ``k in range(post_indptr[i], post_indptr[i+1])``
    from ``pre_index[k]`` with signed weight ``weight[k]``.
    """

    tau: np.ndarray  # float64 (n,), ms
    bias: np.ndarray  # float64 (n,)
    post_indptr: np.ndarray  # int64 (n + 1,)
    pre_index: np.ndarray  # int64 (nnz,)
    weight: np.ndarray  # float64 (nnz,), signed
    activation: int  # IDENTITY, TANH, SIGMOID or RELU


@kernel(inline="always")
def _act(code, x):
    if code == TANH:
        return np.tanh(x)
    if code == SIGMOID:
        return 1.0 / (1.0 + np.exp(-x))
    if code == RELU:
        return x if x > 0.0 else 0.0
    return x


@kernel(inline="always")
def _ctrnn_neuron(p, y, u, fx, dydt, i):
    acc = p.bias[i] + u[i] - y[i]
    for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
        acc += p.weight[k] * fx[p.pre_index[k]]
    dydt[i] = acc / p.tau[i]


@kernel(parallel=True)
def _ctrnn_rhs_threads(p, y, u, fx, dydt):
    n = p.tau.shape[0]
    code = p.activation
    for j in prange(n):
        fx[j] = _act(code, y[j])
    for i in prange(n):
        _ctrnn_neuron(p, y, u, fx, dydt, i)


@implements(rhs, CTRNNKernelParams)
@kernel
def ctrnn_rhs(p, t, y, u, dydt):
    """``tau_i dx_i/dt = -x_i + sum_j W[j, i] f(x_j) + b_i + u_i`` (large networks in threads, :mod:`.threads`)."""
    n = p.tau.shape[0]
    fx = np.empty(n)  # f evaluated once per neuron, not per synapse
    if threaded(n, p.pre_index.shape[0]):
        _ctrnn_rhs_threads(p, y, u, fx, dydt)
        return
    code = p.activation
    for j in range(n):
        fx[j] = _act(code, y[j])
    for i in range(n):
        _ctrnn_neuron(p, y, u, fx, dydt, i)


@kernel(inline="always")
def _dact(code, x):
    """Derivative of the activation."""
    if code == TANH:
        th = np.tanh(x)
        return 1.0 - th * th
    if code == SIGMOID:
        s = 1.0 / (1.0 + np.exp(-x))
        return s * (1.0 - s)
    if code == RELU:
        return 1.0 if x > 0.0 else 0.0
    return 1.0


@implements(jac_values, CTRNNKernelParams)
@kernel
def ctrnn_jac_values(p, t, y, u, vals):
    """``J`` on the pattern of ``CTRNN.jacobian_pattern``: the diagonal, then each synapse (post, pre)."""
    n = p.tau.shape[0]
    for i in range(n):
        vals[i] = -1.0 / p.tau[i]
    for i in range(n):
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            vals[n + k] = p.weight[k] * _dact(p.activation, y[p.pre_index[k]]) / p.tau[i]


@implements(linear_diagonal, CTRNNKernelParams)
@kernel
def ctrnn_linear_diagonal(p, t, y, u, d):
    """The leak ``-1 / tau`` (1/ms); the synaptic input stays in the explicit part."""
    for i in range(p.tau.shape[0]):
        d[i] = -1.0 / p.tau[i]
