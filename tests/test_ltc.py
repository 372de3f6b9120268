"""LTC networks: kernels vs the NumPy reference, irregular sampling, readout, tau_sys, bounds, errors."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import connectome
from circuitsim.errors import InputError, OutOfSpanError, ParameterError
from circuitsim.liquid import LTCNetwork, tau_sys
from circuitsim.models.ltc import LTC, LTCParams, kernel_params_for
from reference_liquid import LTCReference, ncp_wiring, sigmoid, worm_wiring


def states(res):
    """States after each sample (the result's first sample is the initial state)."""
    return res.y[..., 1:, :]


def outputs(res):
    return res.outputs()[..., 1:, :]


def _varied(params, rng):
    """Parameters with random reversal potentials and mappings (not just the signs)."""
    return params.replace(
        erev=rng.uniform(-1, 1, params.erev.size), sensory_erev=rng.uniform(-1, 1, params.sensory_erev.size),
        input_w=rng.uniform(0.5, 1.5, params.input_w.size), input_b=rng.uniform(-0.2, 0.2, params.input_b.size),
        output_w=rng.uniform(0.5, 1.5, params.output_w.size), output_b=rng.uniform(-0.2, 0.2, params.output_b.size))


@pytest.fixture(scope="module")
def ncp():
    return ncp_wiring()


@pytest.fixture(scope="module")
def worm():
    return worm_wiring()


def test_kernel_sigmoid_matches_numpy():
    from circuitsim._kernels.ltc import sigmoid_array

    z = np.r_[np.linspace(-60, 60, 20001), -1e6, 1e6, 0.0, 1e-12]
    ref = sigmoid(z)
    got = sigmoid_array(z)
    assert np.all(np.abs(got - ref) <= 1e-13 * ref + 1e-17)


@pytest.mark.parametrize("unfolds", [1, 3, 6])
@pytest.mark.parametrize("which", ["ncp", "worm"])
def test_fused_solver_matches_reference(which, unfolds, ncp, worm):
    wiring = ncp if which == "ncp" else worm
    rng = np.random.default_rng(unfolds)
    params = _varied(LTCParams.initial(wiring, seed=5), rng)
    net = LTCNetwork(wiring, params, ode_unfolds=unfolds)
    ref = LTCReference(wiring, params)
    B, T = 3, 15
    x = rng.normal(size=(B, T, net.n_inputs)) * 2
    dt = rng.uniform(0.05, 2.0, (B, T))  # every member on its own irregular grid
    h0 = rng.uniform(-0.5, 0.5, (B, wiring.n))
    res = net.run(x, dt, h0=h0)
    for b in range(B):
        want = ref.run(x[b], dt[b], h0[b], unfolds)
        np.testing.assert_allclose(states(res)[b], want, rtol=0, atol=1e-11)
        np.testing.assert_allclose(outputs(res)[b], ref.outputs(want), rtol=0, atol=1e-11)


def test_gap_junctions_enter_the_fused_step(worm):
    rng = np.random.default_rng(0)
    p = LTCParams.initial(worm, seed=1)
    assert p.gap_w.size == worm.electrical.nnz > 0
    x = rng.normal(size=(10, worm.input_matrix().shape[0]))
    with_gap = states(LTCNetwork(worm, p).run(x))
    without = states(LTCNetwork(worm, p.replace(gap_w=np.zeros_like(p.gap_w))).run(x))
    assert np.abs(with_gap - without).max() > 1e-3


def test_batch_members_equal_separate_runs(ncp):
    rng = np.random.default_rng(2)
    net = LTCNetwork(ncp, seed=4)
    x = rng.normal(size=(4, 12, 8))
    times = np.cumsum(rng.uniform(0.1, 3.0, (4, 12)), axis=1)
    res = net.run(x, times=times)
    for b in range(4):
        single = net.run(x[b], times=times[b])
        np.testing.assert_array_equal(states(single), states(res)[b])


def test_splitting_a_sample_into_halves_is_exact_for_the_fused_step(ncp):
    # the fused step with 2k unfolds over dt is 2 steps of k unfolds over dt/2 (same input)
    rng = np.random.default_rng(3)
    net6, net3 = LTCNetwork(ncp, ode_unfolds=6, seed=2), LTCNetwork(ncp, ode_unfolds=3, seed=2)
    x = rng.normal(size=(10, 8))
    dt = rng.uniform(0.2, 2.0, 10)
    whole = states(net6.run(x, dt))
    halves = states(net3.run(np.repeat(x, 2, axis=0), np.repeat(dt / 2, 2)))[1::2]
    np.testing.assert_allclose(halves, whole, rtol=0, atol=1e-12)


def test_fused_solver_converges_to_the_ode_with_first_order(worm):
    from scipy.integrate import solve_ivp

    rng = np.random.default_rng(4)
    p = _varied(LTCParams.initial(worm, seed=3), rng)
    ref = LTCReference(worm, p)
    xin = rng.normal(size=worm.input_matrix().shape[0])
    h0 = rng.uniform(-0.3, 0.3, worm.n)
    exact = solve_ivp(lambda t, v: ref.rhs(v, xin), (0, 2.0), h0, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    errs, ks = [], [4, 8, 16, 32, 64]
    for k in ks:
        v = LTCNetwork(worm, p, ode_unfolds=k).run(xin[None], [2.0], h0=h0).final_state
        errs.append(np.abs(v - exact).max())
    slope = np.polyfit(np.log(1.0 / np.array(ks)), np.log(errs), 1)[0]
    assert abs(slope - 1.0) < 0.3, (slope, errs)


def test_vector_field_matches_reference(worm):
    from circuitsim._kernels.ltc import ltc_vector_field

    rng = np.random.default_rng(5)
    p = _varied(LTCParams.initial(worm, seed=2), rng)
    kp = kernel_params_for(p, worm)
    ref = LTCReference(worm, p)
    for _ in range(3):
        v = rng.uniform(-1, 1, worm.n)
        u = rng.normal(size=p.input_w.size)
        out = np.empty(worm.n)
        ltc_vector_field(kp, 0.0, v, u, out)
        np.testing.assert_allclose(out, ref.rhs(v, u), rtol=1e-12, atol=1e-12)


def test_ltc_model_plugs_into_the_engine(worm):
    from circuitsim._kernels import dispatch
    from circuitsim._kernels.ltc import LTCKernelParams
    from circuitsim.circuit import Circuit

    assert LTCKernelParams in dispatch.registered_types()
    c = Circuit(worm, "ltc", LTCParams.initial(worm, seed=0))
    assert isinstance(c.model, LTC)
    assert c.model.input_names(worm) == worm.input_channels
    assert isinstance(c.model.kernel_params(c), LTCKernelParams)
    with pytest.raises(ParameterError, match="gleak has 19 values but wiring 'touch' has 21 neurons"):
        Circuit(worm, "ltc", LTCParams.initial(ncp_wiring(), seed=0))


def test_engine_solvers_agree_with_scipy(worm):
    """The same ODE through the engine's adaptive solver with dense output (Dopri5)."""
    from scipy.integrate import solve_ivp

    from circuitsim import inputs, solvers
    from circuitsim.circuit import Circuit
    from circuitsim.simulate import simulate

    rng = np.random.default_rng(6)
    p = _varied(LTCParams.initial(worm, seed=3), rng)
    ref = LTCReference(worm, p)
    xin = rng.normal(size=p.input_w.size)
    h0 = rng.uniform(-0.3, 0.3, worm.n)
    drive = sum((inputs.constant([ch], float(v)) for ch, v in zip(worm.input_channels, xin)), inputs.Drive())
    exact = solve_ivp(lambda t, v: ref.rhs(v, xin), (0, 2.0), h0, method="DOP853", rtol=1e-12, atol=1e-12,
                      dense_output=True)
    circuit = Circuit(worm, "ltc", p, y0=h0)
    res = simulate(circuit, (0.0, 2.0), drive, solver=solvers.Dopri5(rtol=1e-10, atol=1e-10))
    np.testing.assert_allclose(np.asarray(res["V"])[-1], exact.y[:, -1], atol=1e-7)
    np.testing.assert_allclose(res.at(0.7, "V"), exact.sol(0.7), atol=1e-6)  # dense output


def test_readout_between_samples(ncp):
    rng = np.random.default_rng(7)
    net = LTCNetwork(ncp, seed=1)
    x = rng.normal(size=(2, 6, 8))
    dt = rng.uniform(0.5, 1.5, (2, 6))
    res = net.run(x, dt, t0=[1.0, 3.0])
    out = lambda s: net.circuit.model.outputs(net.circuit, s)  # noqa: E731
    # at sample times: the sequence states
    s = res.at(res.t[:, 1:])["V"]
    np.testing.assert_allclose(s, states(res), atol=1e-12)
    np.testing.assert_allclose(out(s), outputs(res), atol=1e-12)
    # at t0: the initial state
    s0 = res.at(np.array([[1.0], [3.0]]))["V"]
    np.testing.assert_array_equal(s0[:, 0], res.y[:, 0])
    # between samples: the state reached after the partial interval with that sample's input
    tq = res.t[:, 3] - 0.3 * dt[:, 3 - 1]
    s = res.at(tq[:, None])["V"]
    for b in range(2):
        part = net.run(x[b, :3], np.r_[dt[b, :2], 0.7 * dt[b, 2]], t0=[1.0, 3.0][b])
        np.testing.assert_allclose(s[b, 0], part.y[-1], atol=1e-11)
        np.testing.assert_allclose(out(s[b, 0]), part.outputs()[-1], atol=1e-11)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        res.at(res.t[0, -1] + 1e-9 + 10)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        res.at(0.5)


def test_tau_sys_is_cm_over_total_conductance(worm):
    rng = np.random.default_rng(8)
    p = _varied(LTCParams.initial(worm, seed=7), rng)
    net = LTCNetwork(worm, p)
    x = rng.normal(size=(5, p.input_w.size))
    res = net.run(x)
    ref = LTCReference(worm, p)
    tau = tau_sys(res)[1:]
    assert tau.shape == states(res).shape
    for t in range(5):
        want = p.cm / ref.total_conductance(states(res)[t], x[t])
        np.testing.assert_allclose(tau[t], want, rtol=1e-12)
    assert np.all(tau <= p.cm / p.gleak + 1e-12)  # synapses only shorten the time constant
    # the same on bare arrays (e.g. states from the engine's solvers), inputs broadcast
    from circuitsim.liquid import ltc_tau_sys

    np.testing.assert_allclose(ltc_tau_sys(worm, p, states(res), x), tau, rtol=1e-14)
    np.testing.assert_allclose(ltc_tau_sys(worm, p, states(res)[:2], x[0]),
                               [p.cm / ref.total_conductance(states(res)[i], x[0]) for i in range(2)], rtol=1e-12)
    with pytest.raises(InputError, match="states must end with 21 neurons"):
        ltc_tau_sys(worm, p, states(res)[:, :3], x)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scale=st.floats(1e-3, 1e6), dt=st.floats(1e-3, 1e3), seed=st.integers(0, 2**16),
       unfolds=st.integers(1, 8))
def test_states_stay_within_the_proven_bounds(scale, dt, seed, unfolds):
    wiring = worm_wiring()
    rng = np.random.default_rng(seed)
    p = _varied(LTCParams.initial(wiring, seed=seed % 97), rng)
    lo, hi = p.bounds()
    net = LTCNetwork(wiring, p, ode_unfolds=unfolds)
    x = rng.choice([-1.0, 1.0], size=(2, 8, p.input_w.size)) * scale * rng.uniform(0, 1, (2, 8, p.input_w.size))
    h0 = rng.uniform(lo, hi, (2, wiring.n))
    s = states(net.run(x, dt, h0=h0))
    assert np.isfinite(s).all()
    assert s.min() >= lo - 1e-12 and s.max() <= hi + 1e-12


def test_parameters_save_load_exact(tmp_path, worm):
    p = LTCParams.initial(worm, seed=11)
    p.save(tmp_path / "ltc.npz")
    q = LTCParams.load(tmp_path / "ltc.npz")
    assert q.equals(p) and q.seed == 11
    with pytest.raises(ParameterError, match="not an LTC parameter file"):
        np.savez(tmp_path / "other.npz", a=np.zeros(2))
        LTCParams.load(tmp_path / "other.npz")


def test_initial_ranges_and_masks(ncp):
    p = LTCParams.initial(ncp, seed=0)
    assert p.w.size == ncp.chemical.nnz and p.sensory_w.size == ncp.input_map.nnz
    assert 0.4 <= p.cm.min() and p.cm.max() <= 0.6
    assert 3 <= p.sigma.min() and p.sigma.max() <= 8
    np.testing.assert_array_equal(p.erev, ncp.sign.data)
    with pytest.raises(ParameterError, match="unknown range 'wx'"):
        LTCParams.initial(ncp, ranges={"wx": (0, 1)})


# -- bad input ----------------------------------------------------------------------------------
def test_bad_inputs_raise_before_running(ncp):
    net = LTCNetwork(ncp, seed=0)
    x = np.zeros((4, 8))
    with pytest.raises(InputError, match="x has 5 input channels but the network has 8"):
        net.run(np.zeros((4, 5)))
    with pytest.raises(InputError, match="shape"):
        net.run(np.zeros(8))
    with pytest.raises(InputError, match=r"elapsed times must be > 0; got dt=0\.0"):
        net.run(x, [1, 0, 1, 1])
    with pytest.raises(InputError, match=r"elapsed times must be > 0; got dt=-1\.0"):
        net.run(x, -1.0)
    with pytest.raises(InputError, match="times must increase strictly"):
        net.run(x, times=[1, 2, 2, 3])
    with pytest.raises(InputError, match="times must increase strictly"):
        net.run(x, times=[0, 1, 2, 3])  # t0 = 0: the first sample needs elapsed time
    with pytest.raises(InputError, match="either dt"):
        net.run(x, 1.0, times=[1, 2, 3, 4])
    with pytest.raises(InputError, match="dt must have 4 entries"):
        net.run(x, [1, 1])
    with pytest.raises(InputError, match="NaN"):
        net.run(np.full((4, 8), np.nan))
    with pytest.raises(InputError, match="dt contains NaN"):
        net.run(x, [1, np.inf, 1, 1])
    with pytest.raises(InputError, match="h0 must have shape"):
        net.run(x, h0=np.zeros(3))
    with pytest.raises(InputError, match="at least one sample"):
        net.run(np.zeros((0, 8)))
    with pytest.raises(InputError, match="t0 must be"):
        net.run(x, t0=[0.0, 1.0])


def test_bad_parameters_raise(ncp):
    p = LTCParams.initial(ncp, seed=0)
    with pytest.raises(ParameterError, match="cm must be positive"):
        p.replace(cm=-p.cm)
    with pytest.raises(ParameterError, match="cm must be positive"):
        p.replace(cm=np.zeros_like(p.cm))
    with pytest.raises(ParameterError, match="gleak must be non-negative"):
        p.replace(gleak=-p.gleak)
    with pytest.raises(ParameterError, match="w must be non-negative"):
        p.replace(w=-p.w)
    with pytest.raises(ParameterError, match="sigma must be finite"):
        p.replace(sigma=np.full_like(p.sigma, np.nan))
    with pytest.raises(ParameterError, match="epsilon must be non-negative"):
        p.replace(epsilon=-1.0)
    with pytest.raises(ParameterError, match="must have the same length"):
        p.replace(mu=p.mu[:-1])
    with pytest.raises(ParameterError, match="1-d"):
        p.replace(vleak=np.zeros((2, 2)))
    with pytest.raises(ParameterError, match="ode_unfolds must be an integer >= 1"):
        LTCNetwork(ncp, p, ode_unfolds=0)
    with pytest.raises(ParameterError, match="params must be LTCParams"):
        LTCNetwork(ncp, params={"cm": 1})
    with pytest.raises(ParameterError, match="gleak has 19 values but wiring 'touch' has 21 neurons"):
        LTCNetwork(worm_wiring(), p)
    with pytest.raises(ParameterError, match="w has 61 values but wiring 'ncp' has 60 chemical synapses"):
        LTCNetwork(ncp, p.replace(**{k: np.r_[getattr(p, k), 1.0] for k in ("w", "sigma", "mu", "erev")}))


def test_asymmetric_gap_junctions_rejected(worm):
    p = LTCParams.initial(worm, seed=0)
    g = p.gap_w.copy()
    g[0] += 1.0
    with pytest.raises(ParameterError, match="gap_w must be symmetric"):
        LTCNetwork(worm, p.replace(gap_w=g))


def test_result_access_by_neuron_name(ncp):
    res = LTCNetwork(ncp, seed=0).run(np.ones((3, 8)))
    np.testing.assert_array_equal(res.neuron("motor0"), res.y[:, 0])
    with pytest.raises(connectome.UnknownNeuronError):
        res.neuron("motorX")
    with pytest.raises(ParameterError, match="LTC networks only"):
        from circuitsim.liquid import CfCNetwork
        from circuitsim.models.cfc import CfCParams

        tau_sys(CfCNetwork(CfCParams.dense(2, 3, backbone_layers=0)).run(np.ones((2, 2))))
