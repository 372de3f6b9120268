"""Liquid networks on a sparse 10^4-neuron wiring: parameters stay O(synapses), float32 agrees with float64."""

import numpy as np
import pytest

import connectome
from connectome.large import synthetic_brain
from circuitsim.liquid import LTCNetwork

#: documented bound: float32 states of the fused LTC step within this of float64 (states are in [-1, 1])
F32_ATOL = 1e-5


@pytest.fixture(scope="module")
def big():
    b = synthetic_brain(10_000, 10, seed=0)
    names = list(b.neurons)
    return connectome.Wiring(names, b.chemical, b.sign, inputs=names[:16], outputs=names[-4:])


def test_kernel_arrays_are_per_synapse_never_dense(big):
    kp = LTCNetwork(big, ode_unfolds=2).kernel_params
    sizes = [f.size for f in kp if isinstance(f, np.ndarray)]
    assert max(sizes) <= max(big.chemical.nnz, big.n + 1)


def test_float32_agrees_with_float64_at_ten_thousand_neurons(big):
    x = np.random.default_rng(0).normal(size=(2, 3, 16)) * 2
    runs = [LTCNetwork(big, ode_unfolds=2, dtype=d).run(x, dense=False).y for d in (np.float64, np.float32)]
    assert np.abs(runs[0]).max() > 0.1  # the network moved
    np.testing.assert_allclose(runs[1], runs[0], rtol=0, atol=F32_ATOL)
