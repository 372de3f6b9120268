"""CfC networks: kernels vs the NumPy reference, wired variants, closed form at any time, bounds, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuitsim.errors import InputError, OutOfSpanError, ParameterError
from circuitsim.liquid import CfCNetwork
from circuitsim.models.cfc import CfCLayer, CfCParams
from reference_liquid import cfc_run, ncp_wiring, worm_wiring


def states(res):
    """States after each sample (the result's first sample is the initial state)."""
    return res.y[..., 1:, :]


def outputs(res):
    return res.outputs()[..., 1:, :]

MODES = ["default", "no_gate", "pure"]


@pytest.fixture(scope="module")
def ncp():
    return ncp_wiring()


@pytest.fixture(scope="module")
def worm():
    return worm_wiring()


def _check_reference(net, rng, B=3, T=12, tol=1e-11, shared_dt=False):
    x = rng.normal(size=(B, T, net.n_inputs))
    dt = np.tile(rng.uniform(0.1, 2.0, T), (B, 1)) if shared_dt else rng.uniform(0.1, 2.0, (B, T))
    h0 = rng.uniform(-0.5, 0.5, (B, net.n_neurons))
    res = net.run(x, dt, h0=h0)
    for b in range(B):
        want = cfc_run(net.params, x[b], dt[b], h0[b])
        np.testing.assert_allclose(states(res)[b], want, rtol=0, atol=tol)
        np.testing.assert_allclose(outputs(res)[b], net.circuit.model.outputs(net.circuit, want), rtol=0, atol=tol)
    return res


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shared_dt", [False, True])
def test_dense_cfc_with_backbone_matches_reference(mode, shared_dt):
    rng = np.random.default_rng(1)
    params = CfCParams.dense(5, 7, mode=mode, backbone_units=11, backbone_layers=2, activation="silu",
                             proj_size=2, seed=3)
    _check_reference(CfCNetwork(params), rng, shared_dt=shared_dt)


@pytest.mark.parametrize("activation", ["lecun_tanh", "tanh", "relu"])
def test_backbone_activations(activation):
    rng = np.random.default_rng(2)
    _check_reference(CfCNetwork(CfCParams.dense(3, 4, backbone_units=6, activation=activation, seed=1)), rng)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("recurrent", ["wiring", "ncps"])
@pytest.mark.parametrize("which", ["ncp", "worm"])
def test_wired_cfc_matches_reference(mode, recurrent, which, ncp, worm):
    wiring = ncp if which == "ncp" else worm
    rng = np.random.default_rng(3)
    net = CfCNetwork.wired(wiring, mode=mode, recurrent=recurrent, seed=2)
    _check_reference(net, rng, shared_dt=(mode == "default"))


def test_wired_layers_follow_the_ncp_and_honour_recurrent_synapses(ncp):
    p = CfCParams.wired(ncp, recurrent="wiring", seed=0)
    names = [[ncp.neurons[i] for i in lay.neurons] for lay in p.layers]
    assert [nm[0].rstrip("0123456789") for nm in names] == ["inter", "command", "motor"]
    cmd = p.layers[1]
    n_in = p.n_inputs
    chem = ncp.chemical.toarray() != 0
    # a command neuron's ff1 sees exactly its presynaptic partners (incl. recurrent command synapses) and itself
    for q, j in enumerate(cmd.neurons):
        seen = {int(s) - n_in for s in cmd.sources[cmd.ff1[:, q] != 0]}
        assert seen == set(np.flatnonzero(chem[:, j]).tolist()) | {int(j)}
    # ncps's variant: dense within the layer, previous layer through the mask only
    q = CfCParams.wired(ncp, recurrent="ncps", seed=0)
    assert q.layers[1].mask[-len(q.layers[1].neurons):].all()
    # recurrent command synapses change the result only in the wiring variant
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 8))
    a = states(CfCNetwork.wired(ncp, p).run(x))
    no_rec = ncp.ablate(synapses=[(ncp.neurons[i], ncp.neurons[j]) for i, j in zip(*np.nonzero(chem))
                                  if ncp.metadata["layer"].iloc[i] == "command" == ncp.metadata["layer"].iloc[j]])
    b = states(CfCNetwork.wired(no_rec, CfCParams.wired(no_rec, recurrent="wiring", seed=0)).run(x))
    assert np.abs(a - b).max() > 1e-6


def test_state_at_any_time_is_the_closed_form(ncp):
    rng = np.random.default_rng(4)
    net = CfCNetwork.wired(ncp, seed=1)
    x = rng.normal(size=(2, 5, 8))
    dt = rng.uniform(0.5, 1.5, (2, 5))
    res = net.run(x, dt)
    s = res.at(res.t[:, 1:])["h"]
    np.testing.assert_allclose(s, states(res), atol=1e-12)
    tq = res.t[:, 4] - 0.25 * dt[:, 3]
    s = res.at(tq[:, None])["h"]
    for b in range(2):
        want = cfc_run(net.params, x[b, :4], np.r_[dt[b, :3], 0.75 * dt[b, 3]], np.zeros(ncp.n))[-1]
        np.testing.assert_allclose(s[b, 0], want, atol=1e-11)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        res.at(-1.0)


def test_batch_members_with_own_grids_equal_separate_runs(worm):
    rng = np.random.default_rng(5)
    net = CfCNetwork.wired(worm, seed=3)
    x = rng.normal(size=(3, 9, net.n_inputs))
    times = np.cumsum(rng.uniform(0.1, 2.0, (3, 9)), axis=1)
    res = net.run(x, times=times)
    for b in range(3):
        np.testing.assert_allclose(states(net.run(x[b], times=times[b])), states(res)[b], atol=1e-13)


@pytest.mark.parametrize("mode", MODES)
def test_sparse_and_dense_evaluation_agree(mode, ncp, worm):
    rng = np.random.default_rng(9)
    for wiring in (ncp, worm):
        p = CfCParams.wired(wiring, mode=mode, seed=1)
        sparse = CfCNetwork.wired(wiring, p, sparse_below=1.1)
        dense = CfCNetwork.wired(wiring, p, sparse_below=0.0)
        assert sparse.kernel_params.layer_sparse.all() and not dense.kernel_params.layer_sparse.any()
        x = rng.normal(size=(3, 7, sparse.n_inputs))
        dt = rng.uniform(0.1, 2, (3, 7))
        np.testing.assert_allclose(states(sparse.run(x, dt)), states(dense.run(x, dt)), atol=1e-13)
        # shared elapsed times take the merged-time-gate path in dense layers
        np.testing.assert_allclose(states(sparse.run(x, 0.5)), states(dense.run(x, 0.5)), atol=1e-13)


def test_float32_close_to_float64(ncp):
    rng = np.random.default_rng(6)
    p = CfCParams.wired(ncp, recurrent="ncps", seed=0)
    x = rng.normal(size=(4, 30, 8))
    a = states(CfCNetwork.wired(ncp, p).run(x))
    b = states(CfCNetwork.wired(ncp, p, dtype=np.float32).run(x))
    np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sparse_below", [0.0, 1.1])
def test_float32_matches_reference_on_every_path(mode, sparse_below, ncp):
    """float32 weights (biases added in float64, closed form in float64) against the float64 reference:
    BLAS and synapse-list layers, shared (merged time gate) and per-member elapsed times."""
    rng = np.random.default_rng(7)
    p = CfCParams.wired(ncp, mode=mode, recurrent="ncps", seed=5)
    net = CfCNetwork.wired(ncp, p, dtype=np.float32, sparse_below=sparse_below)
    assert net.kernel_params.weights.dtype == np.float32
    for shared_dt in (False, True):
        _check_reference(net, rng, B=4, T=20, tol=2e-5, shared_dt=shared_dt)
    dense_p = CfCParams.dense(5, 7, mode=mode, backbone_units=11, backbone_layers=2, activation="silu", seed=3)
    _check_reference(CfCNetwork(dense_p, dtype=np.float32), rng, tol=2e-5, shared_dt=True)


@settings(max_examples=20, deadline=None)
@given(scale=st.floats(1e-3, 1e6), dt=st.floats(1e-2, 1e3), seed=st.integers(0, 2**16),
       mode=st.sampled_from(MODES))
def test_states_bounded_for_any_input(scale, dt, seed, mode):
    rng = np.random.default_rng(seed)
    wiring = ncp_wiring()
    net = CfCNetwork.wired(wiring, mode=mode, seed=seed % 13)
    x = rng.uniform(-1, 1, (2, 6, 8)) * scale
    s = states(net.run(x, dt))
    assert np.isfinite(s).all()
    if mode == "default":
        bound = 1.0  # convex combination of two tanh
    elif mode == "no_gate":
        bound = 2.0
    else:  # A - A exp(-t(|w|+|f|)) f with |f exp(-t|f|)| <= 1/(e t)
        bound = np.abs(net.params.A).max() * (1.0 + 1.0 / (np.e * dt))
    assert np.abs(s).max() <= bound + 1e-12


def test_save_load_exact(tmp_path, ncp):
    for p in (CfCParams.wired(ncp, mode="pure", seed=4),
              CfCParams.dense(3, 5, backbone_layers=2, backbone_units=4, proj_size=2, seed=9)):
        p.save(tmp_path / "cfc.npz")
        q = CfCParams.load(tmp_path / "cfc.npz")
        assert q.equals(p) and q.seed == p.seed
    np.savez(tmp_path / "x.npz", a=1)
    with pytest.raises(ParameterError, match="not a CfC parameter file"):
        CfCParams.load(tmp_path / "x.npz")


# -- bad input ----------------------------------------------------------------------------------
def test_bad_configuration_raises(ncp):
    with pytest.raises(ParameterError, match="unknown CfC mode 'gated'; use one of"):
        CfCParams.dense(2, 3, mode="gated")
    with pytest.raises(ParameterError, match="unknown CfC mode"):
        CfCParams.wired(ncp, mode="Default")
    with pytest.raises(ParameterError, match="unknown backbone activation 'sigmoid'"):
        CfCParams.dense(2, 3, activation="sigmoid")
    with pytest.raises(ParameterError, match="recurrent must be 'wiring' or 'ncps'"):
        CfCParams.wired(ncp, recurrent="dense")
    with pytest.raises(ParameterError, match="layers must list every neuron"):
        CfCParams.wired(ncp, layers=[ncp.neurons[:5]])
    with pytest.raises(ParameterError, match="dtype must be float32 or float64"):
        CfCNetwork(CfCParams.dense(2, 3), dtype=np.int32)
    with pytest.raises(ParameterError, match="params are for 3 neurons"):
        CfCNetwork.wired(ncp, CfCParams.dense(2, 3))
    p = CfCParams.dense(2, 3, backbone_layers=0, seed=0)
    lay = p.layers[0]
    with pytest.raises(ParameterError, match="ff1 must have shape"):
        CfCLayer(neurons=[0, 1, 2], sources=lay.sources, ff1=np.zeros((5, 2)), ff1_b=np.zeros(3))
    with pytest.raises(ParameterError, match="ff2 must have shape"):
        CfCLayer(neurons=[0, 1, 2], sources=lay.sources, ff1=lay.ff1, ff1_b=lay.ff1_b, ff2=np.zeros((5, 2)),
                 ff2_b=np.zeros(3), time_a=lay.time_a, time_a_b=lay.time_a_b, time_b=lay.time_b,
                 time_b_b=lay.time_b_b)
    with pytest.raises(ParameterError, match="must be given together"):
        CfCLayer(neurons=[0, 1, 2], sources=lay.sources, ff1=lay.ff1, ff1_b=lay.ff1_b, ff2=lay.ff2,
                 ff2_b=lay.ff2_b)
    with pytest.raises(ParameterError, match="ff1 must be finite"):
        CfCLayer(neurons=[0, 1, 2], sources=lay.sources, ff1=lay.ff1 * np.nan, ff1_b=lay.ff1_b)
    with pytest.raises(ParameterError, match="exactly once"):
        CfCParams(n_inputs=2, n_neurons=4, mode="default", layers=(lay,))
    with pytest.raises(ParameterError, match="lacks ff2"):
        CfCParams(n_inputs=2, n_neurons=3, mode="default",
                  layers=(CfCLayer(neurons=[0, 1, 2], sources=lay.sources, ff1=lay.ff1, ff1_b=lay.ff1_b),))
    with pytest.raises(ParameterError, match="w_tau and A are parameters of mode 'pure' only"):
        CfCParams(n_inputs=2, n_neurons=3, mode="default", layers=(lay,), w_tau=np.zeros(3))
    with pytest.raises(ParameterError, match="sources outside"):
        CfCParams(n_inputs=1, n_neurons=3, mode="default", layers=(lay,))


def test_bad_inputs_raise(ncp):
    net = CfCNetwork.wired(ncp, seed=0)
    with pytest.raises(InputError, match="x has 3 input channels but the network has 8"):
        net.run(np.zeros((4, 3)))
    with pytest.raises(InputError, match="elapsed times must be > 0"):
        net.run(np.zeros((2, 4, 8)), np.array([[1, 1, 1, 1], [1, 1, -2, 1]]))
    with pytest.raises(InputError, match="elapsed times must be > 0"):
        net.run(np.zeros((4, 8)), 0.0)
