"""Plastic synapses under the fused LTC step: rate 0 is the plain fused run, the Hebbian
discretisation is matched exactly, masks and bounds hold."""

import numpy as np
import pytest

import connectome
from circuitsim import plasticity as pl
from circuitsim.liquid import LTCNetwork
from circuitsim.models.ltc import LTCParams
from reference_liquid import ncp_wiring


@pytest.fixture(scope="module")
def net():
    return LTCNetwork(ncp_wiring(), ode_unfolds=4)


def test_rate_zero_is_bit_identical_to_the_plain_fused_run(net):
    x = np.random.default_rng(0).normal(size=(3, 15, net.n_inputs))
    dt = np.random.default_rng(1).uniform(0.2, 2.0, (3, 15))
    plain = net.run(x, dt)
    plastic = net.with_plasticity(pl.Hebbian(rate=0.0, decay=0.0)).run(x, dt)
    n = net.n_neurons
    assert np.array_equal(plastic.y[..., :n], plain.y)
    w0 = np.asarray(plastic["w"])[:, 0]
    assert np.array_equal(np.asarray(plastic["w"]), np.broadcast_to(w0[:, None], np.shape(plastic["w"])))


def _constant_pair():
    """A -> B with constant activities: A has no input and rests at vleak; B sits at the synapse's
    reversal potential, which is also its leak reversal, so no current moves it (epsilon 0)."""
    w = connectome.Wiring(["A", "B"], np.array([[0, 1.0], [0, 0]]), inputs=["A"], outputs=["B"])
    p = LTCParams.initial(w, seed=0)
    va, vb = 0.3, -0.2
    import dataclasses
    p = dataclasses.replace(p, vleak=np.array([va, vb]), erev=np.array([vb]), sensory_w=np.array([0.0]),
                            w=np.array([0.5]), epsilon=0.0)
    return LTCNetwork(w, p, ode_unfolds=5), va, vb


def test_hebbian_with_decay_follows_its_per_step_discretisation():
    net, va, vb = _constant_pair()
    eta, lam, dt, T, K = 0.05, 0.02, 2.0, 30, 5
    res = net.with_plasticity(pl.Hebbian(rate=eta, decay=lam)).run(np.zeros((T, 1)), dt, h0=[va, vb])
    np.testing.assert_allclose(res.y[:, :2], np.tile([va, vb], (T + 1, 1)), rtol=0, atol=1e-14)
    sa, sb = 1 / (1 + np.exp(-va)), 1 / (1 + np.exp(-vb))
    h = dt / K
    k = np.arange(T + 1) * K                      # sub-steps after each sample
    w_star = eta * sa * sb / lam                  # w_{k+1} = w_k + h (eta x y - lam w_k)
    exact = w_star + (0.5 - w_star) * (1 - h * lam) ** k
    np.testing.assert_allclose(np.asarray(res["w"])[:, 0], exact, rtol=0, atol=1e-12)
    # between samples: the replayed step over the partial interval
    assert abs(res.at(dt * 3)["w"][0] - exact[3]) < 1e-12


def test_mask_bounds_and_float32(net):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 40, net.n_inputs)) * 3
    import scipy.sparse as sp

    chem = sp.coo_array(net.wiring.chemical)
    keep = np.arange(0, chem.nnz, 2)
    some = sp.coo_array((np.ones(keep.size), (chem.row[keep], chem.col[keep])), shape=chem.shape)
    rule = pl.Hebbian(rate=2.0, decay=0.0, w_max=0.9)
    res = net.with_plasticity(rule, some).run(x)
    w = np.asarray(res["w"])
    assert w.shape[-1] == keep.size and res.meta["weights"]["synapse"] == keep.tolist()
    assert w.min() >= 0.0 and w.max() <= 0.9 and (w.max(axis=-2) >= 0.9 - 1e-12).any()
    # the synapses left out keep their weights: their kernel arrays are untouched by the run
    assert np.array_equal(net.kernel_params.w, LTCNetwork(net.wiring, net.params).kernel_params.w)
    f32 = LTCNetwork(net.wiring, net.params, ode_unfolds=4, dtype=np.float32).with_plasticity(rule, some).run(x)
    np.testing.assert_allclose(np.asarray(f32["w"]), w, rtol=0, atol=1e-4)
