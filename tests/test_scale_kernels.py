"""Large-network kernels: threaded vector fields, float32 storage, the exponential integrator."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.special import expit

import circuitsim as cs
import connectome
from circuitsim.errors import ParameterError


def numpy_graded_rhs(kp, y, u):
    """The graded vector field from the kernel arrays with numpy (np.add.at over synapses)."""
    n = kp.C.shape[0]
    V, s = y[:n], y[n:]
    cur = -kp.Gc * (V - kp.Ec) + u
    gpost = np.repeat(np.arange(n), np.diff(kp.gap_indptr))
    np.add.at(cur, gpost, -kp.g_gap * (V[gpost] - V[kp.gap_index]))
    post = np.repeat(np.arange(n), np.diff(kp.post_indptr))
    np.add.at(cur, post, -kp.g_syn * s[kp.pre_index] * (V[post] - kp.e_syn))
    ph = expit(kp.beta * (V - kp.vth))
    return np.concatenate([cur / kp.C, kp.a_r * ph * (1 - s) - kp.a_d * s])


@pytest.fixture(scope="module")
def big():
    w = connectome.random_sparse(1500, 0.03, seed=3, inhibitory_fraction=0.2)  # 67k synapses: the threaded path
    return cs.kunert2014(w, {w.neurons[0]: 200.0}, y0="rest")


@pytest.mark.parametrize("form", ["two-stream", "general"])
def test_threaded_graded_rhs_matches_numpy(big, form):
    from circuitsim._kernels.graded import graded_rhs
    from circuitsim._kernels.threads import PARALLEL_MIN_WORK

    kp = big.kernel_params()
    assert kp.C.shape[0] + kp.pre_index.shape[0] >= PARALLEL_MIN_WORK
    # the published parameters take the two-stream form: +g excitatory, -g inhibitory
    np.testing.assert_array_equal(kp.e_two, [big.params.E_exc, big.params.E_inh])
    np.testing.assert_array_equal(np.signbit(kp.g_signed), kp.e_syn == big.params.E_inh)
    np.testing.assert_array_equal(np.abs(kp.g_signed), kp.g_syn)
    kp.g_syn[:50] = 0.0  # zero conductances of both classes
    kp.g_signed[:50] = np.copysign(0.0, kp.g_signed[:50])
    if form == "general":
        kp = kp._replace(e_two=np.zeros(0), g_signed=np.zeros(0))
    rng = np.random.default_rng(0)
    # s slightly outside [0, 1] as an explicit step may leave it: the class comes from g, not from g*s
    y = np.concatenate([rng.uniform(-60, 0, big.n), rng.uniform(-0.1, 1.1, big.n)])
    u = rng.normal(0, 100, big.n)
    out = np.empty_like(y)
    graded_rhs(kp, 0.0, y, u, out)
    np.testing.assert_allclose(out, numpy_graded_rhs(kp, y, u), rtol=1e-12, atol=1e-12)


def test_threaded_ctrnn_rhs_matches_dense():
    from circuitsim._kernels.ctrnn import ctrnn_rhs

    w = connectome.random_sparse(1200, 0.05, seed=4, inhibitory_fraction=0.3)
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=3.0, bias=0.1, weight_scale=0.2))
    kp = c.kernel_params()
    W = (w.chemical.toarray() * np.sign(w.sign.toarray()) * 0.2)
    x = np.random.default_rng(1).normal(size=w.n)
    u = np.random.default_rng(2).normal(size=w.n)
    out = np.empty(w.n)
    ctrnn_rhs(kp, 0.0, x, u, out)
    np.testing.assert_allclose(out, (-x + W.T @ np.tanh(x) + 0.1 + u) / 3.0, rtol=1e-11, atol=1e-12)


def test_float32_storage_within_documented_bound(big):
    c32 = big.replace(precision="float32")
    kp = c32.kernel_params()
    assert kp.g_syn.dtype == np.float32 and kp.pre_index.dtype == np.int32 and kp.C.dtype == np.float64
    solver = cs.RK4(dt=0.1)
    r64 = cs.simulate(big, (0.0, 20.0), solver=solver, dense=False)
    r32 = cs.simulate(c32, (0.0, 20.0), solver=solver, dense=False)
    V64, V32 = big.state_block(r64.y, "V"), big.state_block(r32.y, "V")
    diff = np.abs(V32 - V64).max()
    assert 0.0 < diff <= 1e-5 * np.abs(V64).max()


def test_precision_is_validated():
    w = connectome.random_sparse(10, 0.3, seed=0)
    with pytest.raises(ParameterError, match="precision must be one of"):
        cs.Circuit(w, "ctrnn", precision="float16")


def test_etd2_converges_with_order_two():
    w = connectome.random_sparse(40, 0.1, seed=1, inhibitory_fraction=0.2)
    c = cs.kunert2014(w, {w.neurons[0]: 2000.0}, y0="authors")
    kp = c.kernel_params()
    u = np.zeros(c.n)
    u[0] = 2000.0
    T = 20.0
    ref = solve_ivp(lambda t, y: numpy_graded_rhs(kp, y, u), (0, T), c.y0, method="DOP853", rtol=1e-12,
                    atol=1e-12).y[:, -1]
    dts = np.array([0.4, 0.2, 0.1, 0.05])
    errs = [np.abs(cs.simulate(c, (0, T), solver=cs.ETD2(dt=dt), dense=False).y[-1] - ref).max() for dt in dts]
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(slope - 2.0) < 0.3


def test_etd2_adaptive_meets_tolerance_on_linear_ctrnn():
    from scipy.linalg import expm

    w = connectome.random_sparse(30, 0.2, seed=2, inhibitory_fraction=0.5)
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams.linear(tau=2.0, weight_scale=0.3, bias=0.5), y0=np.zeros(30))
    W = w.chemical.toarray() * np.sign(w.sign.toarray()) * 0.3
    A = (W.T - np.eye(30)) / 2.0
    b = np.full(30, 0.25)
    T = 10.0
    exact = np.linalg.solve(A, (expm(A * T) - np.eye(30)) @ b)  # x' = A x + b, x(0) = 0
    r = cs.simulate(c, (0, T), solver=cs.ETD2(rtol=1e-7, atol=1e-9), dense=False)
    assert np.abs(r.y[-1] - exact).max() < 1e-4
