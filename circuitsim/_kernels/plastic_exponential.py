"""The diagonal linear part of a plastic circuit, for the exponential solver (:class:`~circuitsim.solvers.ETD2`).

The base model's diagonal is taken with the current weights written in (a neuron's
total conductance depends on them); the plastic block gets a zero diagonal, so its
slow weights and traces are stepped explicitly inside ETD2's second-order scheme
(which stays second order for any frozen diagonal).
"""

from __future__ import annotations

from ._cache import kernel
from .dispatch import implements
from .exponential import linear_diagonal
from .plastic import PlasticKernelParams, _copy_weights


@implements(linear_diagonal, PlasticKernelParams)
@kernel
def plastic_linear_diagonal(p, t, y, u, d):
    nb = p.n_base
    _copy_weights(p, y)
    linear_diagonal(p.base, t, y[:nb], u, d[:nb])
    for i in range(nb, d.shape[0]):
        d[i] = 0.0
