"""Plastic synapses against analytic solutions, a NumPy/scipy reference of the full system, and
solver convergence orders with the weights as state."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import connectome
import circuitsim as cs
from circuitsim import plasticity as pl

from engine_fixtures import small_wiring
from reference import ctrnn_rhs, dense_signed_weights


def pair_circuit(xa=0.8, xb=0.6):
    """A -> B, identity CTRNN, both activities constant: A has no input and starts at rest at its
    bias, B's time constant is so long that it does not move over the run."""
    w = connectome.Wiring(["A", "B"], np.array([[0, 1.0], [0, 0]]))
    prm = cs.CTRNNParams(tau=np.array([10.0, 1e15]), bias=np.array([xa, 0.0]), activation="identity")
    return cs.Circuit(w, "ctrnn", prm, y0=[xa, xb])


def test_hebbian_with_decay_matches_its_exponential_solution():
    xa, xb, eta, lam, w0 = 0.8, 0.6, 2e-3, 5e-3, 1.0
    c = pair_circuit(xa, xb).with_plasticity(pl.Hebbian(rate=eta, decay=lam))
    r = cs.simulate(c, 1000.0, None, cs.Dopri5(rtol=1e-12, atol=1e-14))
    t = np.linspace(0, 1000, 21)
    c_ = eta * xa * xb
    exact = c_ / lam + (w0 - c_ / lam) * np.exp(-lam * t)
    np.testing.assert_allclose(r.at(t, "w")[:, 0], exact, rtol=0, atol=1e-8)


def test_reward_modulated_matches_trace_times_pulse():
    xa, xb, eta, tau, A, t1, t2 = 0.8, 0.6, 1e-3, 200.0, 2.0, 300.0, 500.0
    c = pair_circuit(xa, xb).with_plasticity(pl.RewardModulated(rate=eta, tau_e=tau))
    drive = cs.pulse(["reward"], A, t1, t2 - t1)
    r = cs.simulate(c, 800.0, drive, cs.Dopri5(rtol=1e-12, atol=1e-14))
    k = xa * xb
    integral = lambda a, b: k * tau * ((b - a) + tau * (np.exp(-b / tau) - np.exp(-a / tau)))  # noqa: E731
    for t in (200.0, 400.0, 500.0, 700.0):
        expect = 1.0 + eta * A * integral(t1, min(max(t, t1), t2))
        assert abs(r.at(t, "w")[0] - expect) < 1e-8, t


def test_oja_finds_the_leading_eigenvector_with_unit_norm():
    rng = np.random.default_rng(3)
    n_in, T, hold = 3, 40000.0, 2.0
    names = [f"X{i}" for i in range(n_in)] + ["Y"]
    W = np.zeros((n_in + 1, n_in + 1))
    W[:n_in, n_in] = 1.0
    w = connectome.Wiring(names, W)
    mix = np.array([[1.0, 0.6, 0.3], [0.0, 0.7, 0.4], [0.0, 0.0, 0.5]])
    times = np.arange(0.0, T + hold, hold)
    z = rng.standard_normal((len(times), n_in)) @ mix
    tau = np.array([0.05] * n_in + [0.05])
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=tau, activation="identity"))
    c = c.with_plasticity(pl.Oja(rate=2e-4), synapses={"post": ["Y"]})
    c = c.replace(y0=np.r_[np.zeros(n_in + 1), [0.3, 0.3, 0.3]])
    drive = cs.samples(names[:n_in], times, z, interpolation="previous")
    r = cs.simulate(c, T, drive, cs.RK4(dt=0.05), every=20)
    x = r["x"][:, :n_in]
    _, vecs = np.linalg.eigh(x.T @ x / len(x))
    wt = r["w"][-1]
    cos = abs(wt @ vecs[:, -1]) / np.linalg.norm(wt)
    assert cos > 0.99, cos
    assert abs(np.linalg.norm(wt) - 1.0) < 0.05


def test_bcm_becomes_selective_and_its_threshold_tracks_mean_square():
    names = ["P", "Q", "Y"]
    W = np.zeros((3, 3))
    W[0, 2] = W[1, 2] = 1.0
    w = connectome.Wiring(names, W)
    period, T = 20.0, 15000.0
    times = np.arange(0.0, T, period / 2)
    pat = np.where((np.arange(len(times)) % 2)[:, None] == 0, [1.0, 0.2], [0.2, 1.0])
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=np.array([0.2, 0.2, 0.2]), activation="identity"))
    c = c.with_plasticity(pl.BCM(rate=3e-3, tau_theta=100.0, theta0=0.0, w_max=5.0), synapses={"post": ["Y"]})
    c = c.replace(y0=np.r_[0, 0, 0, 0.55, 0.5, 0.0, 0.0, 0.0])
    drive = cs.samples(["P", "Q"], times, pat, interpolation="previous")
    r = cs.simulate(c, T, drive, cs.RK4(dt=0.1), every=10)
    wt = pl.weights(r)[-1]
    y1, y2 = wt @ [1.0, 0.2], wt @ [0.2, 1.0]
    assert abs(y1 - y2) / (y1 + y2) > 0.5, (wt, y1, y2)
    late = r.t > T - 4000
    mean_sq = np.mean(r["x"][late, 2] ** 2)
    theta = r["theta"][late, 2]
    assert abs(theta.mean() - mean_sq) < 0.05 * mean_sq, (theta.mean(), mean_sq)


def test_learning_rate_zero_is_bit_identical():
    w = small_wiring()
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=10.0, weight_scale=0.8, bias=0.1), y0=np.linspace(-1, 1, w.n))
    drive = cs.constant("PLML", 0.7)
    for rule in (pl.Hebbian(rate=0.0), pl.BCM(rate=0.0), pl.Covariance(rate=0.0)):
        p = c.with_plasticity(rule)
        a = cs.simulate(c, 50.0, drive, cs.RK4(dt=0.1))
        b = cs.simulate(p, 50.0, drive, cs.RK4(dt=0.1))
        assert np.array_equal(a.y, b["x"])
        assert np.array_equal(b["w"][-1], b["w"][0])


def test_graded_plastic_rate_zero_is_bit_identical_and_rosenbrock_agrees():
    w = small_wiring()
    c = cs.Circuit(w, "graded")
    drive = cs.constant("PLML", 200.0)
    a = cs.simulate(c, 50.0, drive, cs.RK4(dt=0.01))
    b = cs.simulate(c.with_plasticity(pl.Hebbian(rate=0.0)), 50.0, drive, cs.RK4(dt=0.01))
    assert np.array_equal(a.y, b.y[:, :a.y.shape[1]])
    p = c.with_plasticity(pl.Hebbian(rate=1e-3, decay=1e-3))
    ref = cs.simulate(p, 50.0, drive, cs.Dopri5(rtol=1e-10, atol=1e-12))
    ros = cs.simulate(p, 50.0, drive, cs.Rosenbrock(rtol=1e-7, atol=1e-9))
    assert np.abs(ros["w"][-1] - ref["w"][-1]).max() < 1e-5 * np.abs(ref["w"][-1]).max()
    assert np.abs(ros["V"][-1] - ref["V"][-1]).max() < 1e-3


# -- convergence orders with plastic state: reference by scipy on the full system ---------------
@pytest.fixture(scope="module")
def plastic_net():
    w = small_wiring()
    prm = cs.CTRNNParams(tau=10.0, weight_scale=0.8, bias=0.1)
    base = cs.Circuit(w, "ctrnn", prm, y0=np.linspace(-1.0, 1.0, w.n))
    eta, lam = 0.02, 0.01
    c = base.with_plasticity(pl.Hebbian(rate=eta, decay=lam))
    W0 = dense_signed_weights(w, 0.8)
    pre, post = np.nonzero(W0)
    sign = np.sign(W0[pre, post])
    u = np.zeros(w.n)
    u[2] = 0.7

    def f(t, z):
        x, m = z[:w.n], z[w.n:]
        Wt = np.zeros_like(W0)
        Wt[pre, post] = sign * np.maximum(m, 0)
        fx = np.tanh(x)
        return np.r_[ctrnn_rhs(Wt, 10.0, 0.1, "tanh", x, u), eta * fx[pre] * fx[post] - lam * m]

    # the plastic synapses in CSR order of the wiring are the non-zeros in row-major order
    T = 20.0
    ref = solve_ivp(f, (0, T), c.y0, method="DOP853", rtol=1e-13, atol=1e-14).y[:, -1]
    return c, cs.constant("PLML", 0.7), T, ref


@pytest.mark.parametrize("make, order", [(lambda h: cs.Euler(dt=h), 1), (lambda h: cs.RK4(dt=h), 4),
                                         (lambda h: cs.BS3(dt=h), 3), (lambda h: cs.Dopri5(dt=h), 5),
                                         (lambda h: cs.Tsit5(dt=h), 5), (lambda h: cs.ETD2(dt=h), 2),
                                         (lambda h: cs.Rosenbrock(method="rodas4", dt=h), 4),
                                         (lambda h: cs.Rosenbrock(method="rodas5p", dt=h), 5)],
                         ids=["Euler", "RK4", "BS3", "Dopri5", "Tsit5", "ETD2", "rodas4", "rodas5p"])
def test_convergence_order_with_plastic_state(plastic_net, make, order):
    c, drive, T, ref = plastic_net
    hs = [1.0, 0.5, 0.25, 0.125]
    errs = [np.abs(cs.simulate(c, T, drive, make(h), dense=False).y[-1] - ref).max()
            for h in hs]
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    # At these step sizes Tsit5's leading error term is still shrinking, so its
    # observed slope sits a little above 5; the lower bound is the claim.
    assert order - 0.3 < slope < order + 0.5, (slope, errs)
