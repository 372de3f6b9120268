"""The internal neuron order: invisible in results (bitwise for fixed steps), and it improves locality."""

import numpy as np
import pytest

import circuitsim as cs
import connectome
from circuitsim.errors import ParameterError
from circuitsim.reorder import AUTO_MIN_NEURONS, bandwidth, neuron_order, permute_kernel_params, state_permutation


@pytest.fixture(scope="module")
def pair():
    w = connectome.synthetic_brain(400, 8, seed=5, gap_junctions_per_neuron=2)
    plain = cs.kunert2014(w, {w.neurons[5]: 300.0}, y0="rest").replace(reorder=False)
    return plain, plain.replace(reorder=True)


def test_permuted_vector_field_is_the_permuted_field(pair):
    from circuitsim._kernels.graded import graded_rhs

    plain, reordered = pair
    order = reordered.neuron_order
    assert sorted(order) == list(range(plain.n)) and not np.array_equal(order, np.arange(plain.n))
    perm = state_permutation(order, 2)
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.uniform(-60, 0, plain.n), rng.uniform(0, 1, plain.n)])
    u = rng.normal(0, 50, plain.n)
    a, b = np.empty(2 * plain.n), np.empty(2 * plain.n)
    graded_rhs(plain.kernel_params(), 0.0, y, u, a)
    graded_rhs(reordered.internal_kernel_params(), 0.0, y[perm], u[order], b)
    assert np.array_equal(a[perm], b)  # same sums in the same order: bitwise


@pytest.mark.filterwarnings("ignore::circuitsim.errors.DriveWarning")
@pytest.mark.parametrize("solver", [cs.RK4(dt=0.1), cs.ETD2(dt=0.2)], ids=["rk4", "etd2"])
def test_fixed_step_results_are_bitwise_identical(pair, solver):
    plain, reordered = pair
    w = plain.wiring
    record = [w.neurons[17], w.neurons[3], w.neurons[250]]
    y0 = np.array(plain.y0)
    y0[3] += 5.0  # a user-given state, in the user's order
    drive = cs.pulse([w.neurons[40], w.neurons[3]], 150.0, start=2.0, duration=4.0)
    ra = cs.simulate(plain, 10.0, drive, solver=solver, record=record, y0=y0)
    rb = cs.simulate(reordered, 10.0, drive, solver=solver, record=record, y0=y0)
    assert rb.meta.get("reordered") and not ra.meta.get("reordered")
    assert rb.neurons == ra.neurons
    assert np.array_equal(ra.t, rb.t) and np.array_equal(ra.y, rb.y)
    for t in (0.05, 4.321, 9.99):
        assert np.array_equal(ra.at(t)["V"].values, rb.at(t)["V"].values)


def test_adaptive_results_agree_to_rounding(pair):
    plain, reordered = pair
    ra = cs.simulate(plain, 10.0, solver=cs.Dopri5(rtol=1e-6, atol=1e-6), dense=False)
    rb = cs.simulate(reordered, 10.0, solver=cs.Dopri5(rtol=1e-6, atol=1e-6), dense=False)
    np.testing.assert_allclose(rb.y[-1], ra.y[-1], rtol=1e-9, atol=1e-9)


def test_ctrnn_batch_is_identical():
    w = connectome.random_sparse(150, 0.05, seed=3, inhibitory_fraction=0.3)
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams(weight_scale=0.5), reorder=False)
    d = c.replace(reorder=True)
    drive = cs.constant([w.neurons[1]], 1.0)
    ra = cs.simulate_batch([c, c.with_params(bias=0.2)], 5.0, drive, solver=cs.RK4(dt=0.05))
    rb = cs.simulate_batch([d, d.with_params(bias=0.2)], 5.0, drive, solver=cs.RK4(dt=0.05))
    assert np.array_equal(ra.y, rb.y)
    with pytest.raises(ParameterError, match="share their neuron order"):
        cs.simulate_batch([c, d], 5.0, drive, solver=cs.RK4(dt=0.05))


def test_rcm_recovers_locality_of_a_shuffled_ring():
    n = 300
    W = np.zeros((n, n))
    for i in range(n):
        for k in (1, 2, 3):
            W[i, (i + k) % n] = 1.0
    names = [f"n{i}" for i in np.random.default_rng(1).permutation(n)]  # neighbours get unrelated positions
    shuffle = np.random.default_rng(2).permutation(n)
    w = connectome.Wiring([names[i] for i in shuffle], W[np.ix_(shuffle, shuffle)])
    kp = cs.Circuit(w, "ctrnn").kernel_params()
    order = neuron_order(kp)
    assert bandwidth(kp, order) < bandwidth(kp) / 5
    back = permute_kernel_params(permute_kernel_params(kp, order), np.argsort(order))
    for a, b in zip(back, kp):
        assert np.array_equal(a, b)


def test_options_and_thresholds():
    w = connectome.random_sparse(20, 0.2, seed=0)
    assert cs.Circuit(w, "ctrnn").neuron_order is None  # default: off
    assert cs.Circuit(w, "ctrnn", reorder="auto").neuron_order is None  # below AUTO_MIN_NEURONS
    assert AUTO_MIN_NEURONS > w.n
    with pytest.raises(ParameterError, match="reorder must be 'auto', True or False"):
        cs.Circuit(w, "ctrnn", reorder="yes")
    ltc = cs.Circuit(w, "ltc", cs.LTCParams.initial(w), reorder=True)
    with pytest.raises(ParameterError, match="cannot be permuted"):
        ltc.neuron_order
    assert cs.Circuit(w, "ltc", cs.LTCParams.initial(w), reorder="auto").neuron_order is None


def test_auto_keeps_an_order_only_when_it_pays(monkeypatch):
    import circuitsim.reorder as reorder

    monkeypatch.setattr(reorder, "AUTO_MIN_NEURONS", 10)
    n = 200
    W = np.zeros((n, n))
    for i in range(n):
        W[i, (i + 1) % n] = 1.0
    shuffle = np.random.default_rng(3).permutation(n)
    ring = connectome.Wiring([f"n{i}" for i in range(n)], W[np.ix_(shuffle, shuffle)])
    assert cs.Circuit(ring, "ctrnn", reorder="auto").neuron_order is not None   # a shuffled ring: large gain
    dense = connectome.random_sparse(200, 0.3, seed=1)                          # no locality to recover
    assert cs.Circuit(dense, "ctrnn", reorder="auto").neuron_order is None
