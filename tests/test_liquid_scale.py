"""Liquid networks on a sparse 10^4-neuron wiring: parameters stay O(synapses), float32 agrees with float64."""

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

import connectome
from connectome.large import synthetic_brain
from circuitsim.liquid import CfCNetwork, LTCNetwork
from circuitsim.models.cfc import CfCParams

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


# -- CfC with sparse heads ---------------------------------------------------------------------
def test_sparse_cfc_is_per_synapse_and_float32_agrees(big):
    net = CfCNetwork.wired(big)                                # 10^4 neurons: sparse heads by default
    assert all(lay.sparse for lay in net.params.layers)
    nnz = big.chemical.nnz + big.n                             # synapses and each neuron's own state
    assert net.params.nbytes <= 4 * 16 * (nnz + 16 * big.n) + 4 * 8 * (big.n + 1)  # 4 heads, CSC: O(synapses)
    kp = net.kernel_params
    assert max(f.size for f in kp if isinstance(f, np.ndarray)) <= 4 * (nnz + 16 * big.n)
    x = np.random.default_rng(0).normal(size=(2, 3, 16))
    y64 = net.run(x, dense=False).y
    y32 = CfCNetwork(net.params, dtype=np.float32, wiring=big).run(x, dense=False).y
    assert np.abs(y64).max() > 0.01  # moved (Xavier bounds of a 10^4-wide layer keep the weights small)
    np.testing.assert_allclose(y32, y64, rtol=0, atol=F32_ATOL)


def _as_sparse(params):
    """The same weights with every layer's heads stored sparse."""
    heads = ("ff1", "ff2", "time_a", "time_b")
    layers = [dataclasses.replace(lay, mask=None, time_mask=None,
                                  **{h: sp.csc_array(getattr(lay, h)) for h in heads if getattr(lay, h) is not None})
              for lay in params.layers]
    return dataclasses.replace(params, layers=tuple(layers))


@pytest.mark.parametrize("mode", ["default", "pure"])
def test_sparse_storage_computes_the_dense_network(mode, tmp_path):
    w = connectome.synthetic_brain(300, 8, seed=2)
    names = list(w.neurons)
    w = connectome.Wiring(names, w.chemical, w.sign, inputs=names[:5], outputs=names[-3:])
    dense = CfCParams.wired(w, mode=mode, sparse=False)
    sparse = _as_sparse(dense)
    assert not dense.layers[0].sparse and sparse.layers[0].sparse and sparse.equals(_as_sparse(dense))
    x = np.random.default_rng(1).normal(size=(3, 6, 5))
    dt = np.random.default_rng(2).uniform(0.2, 2.0, size=(3, 6))
    ya = CfCNetwork(dense, wiring=w).run(x, dt=dt, dense=False).y
    yb = CfCNetwork(sparse, wiring=w).run(x, dt=dt, dense=False).y
    np.testing.assert_allclose(yb, ya, rtol=0, atol=1e-14)
    sparse.save(tmp_path / "p.npz")
    back = CfCParams.load(tmp_path / "p.npz")
    assert back.layers[0].sparse and back.equals(sparse) and not back.equals(dense)


def test_sparse_heads_are_checked():
    from circuitsim.errors import ParameterError
    from circuitsim.models.cfc import CfCLayer

    m = sp.csc_array(np.eye(3))
    with pytest.raises(ParameterError, match="give all of a layer's heads in one form"):
        CfCLayer(neurons=[0, 1, 2], sources=[0, 1, 2], ff1=m, ff1_b=np.zeros(3), ff2=np.eye(3), ff2_b=np.zeros(3),
                 time_a=m, time_a_b=np.zeros(3), time_b=m, time_b_b=np.zeros(3))
    bad = sp.csc_array(np.diag([1.0, np.nan, 1.0]))
    with pytest.raises(ParameterError, match="ff1 has a non-finite weight"):
        CfCLayer(neurons=[0, 1, 2], sources=[0, 1, 2], ff1=bad, ff1_b=np.zeros(3))
    with pytest.raises(ParameterError, match="sparse must be 'auto', True or False"):
        CfCParams.wired(connectome.random_sparse(5, 0.5, seed=0), sparse="yes")
