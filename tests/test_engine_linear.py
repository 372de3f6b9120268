"""Linear networks against the matrix exponential; convergence and dense-output orders."""

from __future__ import annotations

import numpy as np
import pytest

from circuitsim.circuit import Circuit
from circuitsim.models.ctrnn import CTRNNParams
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4, Dopri5, Euler

from engine_fixtures import small_wiring
from reference import affine_exact, dense_signed_weights, linear_system

T_END = 8.0
TAU = np.array([2.0, 3.0, 1.5, 4.0, 2.5])
BIAS = np.array([0.5, -0.2, 0.1, 0.3, -0.4])
X0 = np.array([1.0, -0.5, 0.2, 0.0, 0.7])


@pytest.fixture(scope="module")
def linear():
    w = small_wiring()
    params = CTRNNParams.linear(tau=TAU, weight_scale=0.3, bias=BIAS)
    circuit = Circuit(w, "ctrnn", params, y0=X0)
    A, c = linear_system(dense_signed_weights(w, 0.3), TAU, BIAS)
    return circuit, A, c


def _exact(linear, ts):
    _, A, c = linear
    return np.array([affine_exact(A, c, X0, t) for t in ts])


def _slope(hs, errs):
    return np.polyfit(np.log(hs), np.log(errs), 1)[0]


def test_linear_model_is_stable_and_nontrivial(linear):
    _, A, _ = linear
    ev = np.linalg.eigvals(A)
    assert (ev.real < 0).all()
    assert np.abs(A - np.diag(np.diag(A))).max() > 0.1  # coupled


@pytest.mark.parametrize("solver, tol", [(RK4(0.01), 1e-9), (Dopri5(rtol=1e-10, atol=1e-12), 1e-8)])
def test_matches_matrix_exponential(linear, solver, tol):
    r = simulate(linear[0], (0.0, T_END), solver=solver)
    ref = _exact(linear, r.t)
    assert np.abs(r["x"] - ref).max() < tol
    assert r.t[0] == 0.0 and r.t[-1] == T_END


@pytest.mark.parametrize("solver_cls, order, dts", [
    (Euler, 1, [0.2, 0.1, 0.05, 0.025]),
    (RK4, 4, [0.8, 0.4, 0.2, 0.1]),
    (lambda dt: Dopri5(dt=dt), 5, [0.5, 0.25, 0.125, 0.0625]),
])
def test_convergence_order(linear, solver_cls, order, dts):
    errs = []
    ref = _exact(linear, [T_END])[0]
    for dt in dts:
        r = simulate(linear[0], (0.0, T_END), solver=solver_cls(dt), dense=False)
        errs.append(np.abs(r["x"][-1] - ref).max())
    assert abs(_slope(dts, errs) - order) < 0.3, errs


@pytest.mark.parametrize("solver_cls, order, dts", [
    (RK4, 4, [0.2, 0.1, 0.05, 0.025]),  # cubic Hermite between nodes
    (lambda dt: Dopri5(dt=dt), 5, [0.5, 0.25, 0.125, 0.0625]),  # 4th-order continuous extension: local O(h^5)
])
def test_dense_output_order(linear, solver_cls, order, dts):
    errs = []
    for dt in dts:
        r = simulate(linear[0], (0.0, T_END), solver=solver_cls(dt))
        tq = np.arange(0.37 * dt, T_END, dt)  # strictly between nodes
        errs.append(np.abs(r.at(tq, "x") - _exact(linear, tq)).max())
    assert abs(_slope(dts, errs) - order) < 0.3, errs


def test_dense_output_reproduces_nodes(linear):
    for solver in (RK4(0.1), Dopri5()):
        r = simulate(linear[0], (0.0, T_END), solver=solver)
        np.testing.assert_allclose(r.at(r.t, "x"), r["x"], rtol=0, atol=1e-13)


def test_at_is_not_linear_interpolation(linear):
    r = simulate(linear[0], (0.0, T_END), solver=RK4(0.5))
    tq = np.arange(0.25, T_END, 0.5)
    exact = _exact(linear, tq)
    lin = np.stack([np.interp(tq, r.t, r["x"][:, i]) for i in range(5)], axis=1)
    assert np.abs(r.at(tq, "x") - exact).max() < 0.05 * np.abs(lin - exact).max()


@pytest.mark.parametrize("rtol, atol", [(1e-4, 1e-7), (1e-6, 1e-9), (1e-8, 1e-11)])
def test_adaptive_meets_tolerance(linear, rtol, atol):
    """Global error within a small factor of ``atol + rtol * scale`` (scale: the component's magnitude)."""
    ts = np.linspace(0, T_END, 41)
    r = simulate(linear[0], (0.0, T_END), solver=Dopri5(rtol=rtol, atol=atol), saveat=ts)
    exact = _exact(linear, ts)
    scale = np.abs(exact).max(axis=0)
    assert (np.abs(r["x"] - exact) / (atol + rtol * scale)).max() < 5.0
    # and between steps, through the continuous extension
    tq = np.linspace(0.013, T_END - 0.013, 97)
    exact = _exact(linear, tq)
    assert (np.abs(r.at(tq, "x") - exact) / (atol + rtol * scale)).max() < 5.0


def test_tolerance_proportionality(linear):
    errs = []
    tols = [1e-5, 1e-7, 1e-9]
    ref = _exact(linear, [T_END])[0]
    for tol in tols:
        r = simulate(linear[0], (0.0, T_END), solver=Dopri5(rtol=tol, atol=tol * 1e-3), dense=False)
        errs.append(np.abs(r["x"][-1] - ref).max())
    slope = _slope(tols, errs)
    assert 0.6 < slope < 1.4, (errs, slope)


def test_per_variable_tolerance_arrays_accepted(linear):
    circuit = linear[0]
    r1 = simulate(circuit, (0.0, T_END), solver=Dopri5(rtol=np.full(5, 1e-6), atol=np.full(5, 1e-9)))
    r2 = simulate(circuit, (0.0, T_END), solver=Dopri5(rtol={"x": 1e-6}, atol={"x": 1e-9}))
    r3 = simulate(circuit, (0.0, T_END), solver=Dopri5(rtol=1e-6, atol=1e-9))
    np.testing.assert_array_equal(r1["x"], r3["x"])
    np.testing.assert_array_equal(r2["x"], r3["x"])
    loose = simulate(circuit, (0.0, T_END), solver=Dopri5(rtol=1e-3, atol=1e-9))
    one_tight = simulate(circuit, (0.0, T_END), solver=Dopri5(rtol=np.r_[1e-3, 1e-3, 1e-9, 1e-3, 1e-3], atol=1e-9))
    assert one_tight.stats["steps"][0] > 2 * loose.stats["steps"][0]


def test_nonlinear_ctrnn_against_solve_ivp():
    from scipy.integrate import solve_ivp

    from reference import ctrnn_rhs

    w = small_wiring()
    for act in ("tanh", "sigmoid", "relu"):
        p = CTRNNParams(tau=TAU, bias=BIAS, weight_scale=0.8, activation=act)
        c = Circuit(w, "ctrnn", p, y0=X0)
        W = dense_signed_weights(w, 0.8)
        ts = np.linspace(0, T_END, 17)
        ref = solve_ivp(lambda t, x: ctrnn_rhs(W, TAU, BIAS, act, x, 0.0), (0, T_END), X0, method="DOP853",
                        rtol=1e-12, atol=1e-13, t_eval=ts).y.T
        r = simulate(c, (0, T_END), solver=Dopri5(rtol=1e-10, atol=1e-12), saveat=ts)
        assert np.abs(r["x"] - ref).max() < 1e-8, act
