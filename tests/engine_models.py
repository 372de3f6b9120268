"""A two-variable test model added *outside* the package, to check the engine hosts new models unchanged.

Coupled damped oscillators (linear, so the exact solution is a matrix exponential)::

    dp_i/dt = q_i
    dq_i/dt = -omega_i^2 p_i - 2 zeta omega_i q_i + sum_j W[j, i] p_j + u_i
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from circuitsim._kernels._cache import kernel
from circuitsim._kernels.dispatch import implements, rhs
from circuitsim.models.base import Model, ModelParams, check_array


class OscKernelParams(NamedTuple):
    omega: np.ndarray  # (n,) 1/ms
    zeta: float
    post_indptr: np.ndarray
    pre_index: np.ndarray
    weight: np.ndarray


@implements(rhs, OscKernelParams)
@kernel
def osc_rhs(p, t, y, u, dydt):
    n = p.omega.shape[0]
    for i in range(n):
        acc = -p.omega[i] ** 2 * y[i] - 2.0 * p.zeta * p.omega[i] * y[n + i] + u[i]
        for k in range(p.post_indptr[i], p.post_indptr[i + 1]):
            acc += p.weight[k] * y[p.pre_index[k]]
        dydt[i] = y[n + i]
        dydt[n + i] = acc



@dataclasses.dataclass(frozen=True, kw_only=True)
class OscParams(ModelParams):
    omega: object = 1.0
    zeta: float = 0.1
    scale: float = 0.1

    def __post_init__(self):
        object.__setattr__(self, "omega", check_array("omega", self.omega, positive=True))


class Oscillators(Model):
    name = "test-oscillators"
    state_names = ("p", "q")
    state_units = ("mV", "mV/ms")
    params_type = OscParams

    def default_params(self, wiring):
        return OscParams()

    def kernel_params(self, circuit):
        w, prm = circuit.wiring, circuit.params
        csc = (w.chemical * w.sign).tocsc()
        csc.sort_indices()
        return OscKernelParams(np.broadcast_to(prm.omega, (w.n,)).astype(float), float(prm.zeta),
                               csc.indptr.astype(np.int64), csc.indices.astype(np.int64), csc.data * prm.scale)


def system_matrix(wiring, prm):
    n = wiring.n
    W = wiring.chemical.toarray() * wiring.sign.toarray() * prm.scale
    om = np.broadcast_to(prm.omega, (n,))
    A = np.zeros((2 * n, 2 * n))
    A[:n, n:] = np.eye(n)
    A[n:, :n] = -np.diag(om ** 2) + W.T
    A[n:, n:] = -2 * prm.zeta * np.diag(om)
    return A
