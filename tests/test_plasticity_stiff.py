"""Plastic circuits under the stiff solver: the eliminated plastic block against the generic sparse LU of
the whole system, bit-identity at learning rate 0 for adaptive solvers (RODAS4's order with plastic state, through the same
elimination, is checked in test_plasticity.py on a CTRNN)."""

import numpy as np
import pytest

import circuitsim as cs
from circuitsim import plasticity as pl
from circuitsim.models.base import Model
from circuitsim.plasticity.model import PlasticModel

from engine_fixtures import small_wiring

DRIVE = cs.constant("PLML", 200.0)


@pytest.fixture(scope="module")
def graded():
    return cs.Circuit(small_wiring(), "graded")


@pytest.fixture(scope="module")
def ctrnn():
    w = small_wiring()
    return cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=10.0, weight_scale=0.8, bias=0.1), y0=np.linspace(-1, 1, w.n))


def _generic(monkeypatch):
    """Make plastic circuits factorise the whole matrix (weights and traces included) by the sparse LU."""
    monkeypatch.setattr(PlasticModel, "linear_structure",
                        lambda self, circuit, linear="auto": Model.linear_structure(self, circuit, linear))


@pytest.mark.parametrize("rule, linear", [(pl.Hebbian(rate=1e-3, decay=1e-3), "iterative"),
                                          (pl.Hebbian(rate=1e-3, decay=1e-3), "direct"),
                                          (pl.Covariance(rate=1e-3), "direct")],
                         ids=["hebbian-iterative", "hebbian-direct", "covariance-neuron-traces"])
def test_eliminated_block_matches_the_sparse_lu_of_the_whole_system(graded, monkeypatch, rule, linear):
    p = graded.with_plasticity(rule)
    ours = cs.simulate(p, 50.0, DRIVE, cs.Rosenbrock(rtol=1e-7, atol=1e-9, linear=linear))
    _generic(monkeypatch)
    ref = cs.simulate(p, 50.0, DRIVE, cs.Rosenbrock(rtol=1e-7, atol=1e-9, linear="direct"))
    assert ours.stats["steps"][0] == ref.stats["steps"][0]
    assert np.abs(ours.y[-1] - ref.y[-1]).max() < 1e-8 * np.abs(ref.y[-1]).max()
    assert np.abs(ours["w"][-1] - ref["w"][-1]).max() < 1e-10 * np.abs(ref["w"][-1]).max()


def test_one_linear_solve_matches_a_dense_solve(graded):
    """One Rosenbrock matrix with neuron traces (Covariance): the eliminated solve against numpy."""
    from circuitsim._kernels.dispatch import implementation
    from circuitsim._kernels.jacobian import jac_values
    from circuitsim._kernels.plastic import PlasticKernelParams
    from circuitsim._kernels.rosenbrock import linear_setup, linear_solve, linear_workspace

    p = graded.with_plasticity(pl.Covariance(rate=0.05, tau_mean=3.0))
    kp = p.kernel_params()
    rng = np.random.default_rng(1)
    y = np.array(p.y0) + 0.01 * rng.standard_normal(p.n_state) * np.maximum(np.abs(p.y0), 1e-3)
    u = np.zeros(p.n)
    fac = 7.0
    rows, cols = p.model.jacobian_pattern(kp)
    vals = np.zeros(len(rows))
    implementation(jac_values, PlasticKernelParams)(kp, 0.0, y, u, vals)
    M = fac * np.eye(p.n_state)
    np.subtract.at(M, (rows, cols), vals)
    L = p.model.linear_structure(p, "direct")
    lw = implementation(linear_workspace, type(L))(L, kp, p.n_state)
    assert implementation(linear_setup, type(L))(L, kp, lw, 0.0, y, u, fac) == 0
    r = rng.standard_normal(p.n_state)
    out = np.zeros(p.n_state)
    implementation(linear_solve, type(L))(L, kp, lw, r, out, np.ones(p.n_state), 0.03)
    expect = np.linalg.solve(M, r)
    np.testing.assert_allclose(out, expect, rtol=0, atol=1e-10 * np.abs(expect).max())


@pytest.mark.parametrize("which", ["graded", "ctrnn"])
@pytest.mark.parametrize("solver", [cs.Dopri5(rtol=1e-6, atol=1e-8), cs.Rosenbrock()], ids=["Dopri5", "Rosenbrock"])
def test_rate_zero_is_bit_identical_under_adaptive_solvers(which, solver, graded, ctrnn):
    c = graded if which == "graded" else ctrnn
    T = 30.0 if which == "graded" else 50.0
    a = cs.simulate(c, T, DRIVE, solver)
    b = cs.simulate(c.with_plasticity(pl.Hebbian(rate=0.0)), T, DRIVE, solver)
    assert np.array_equal(a.t, b.t)
    assert np.array_equal(a.y, b.y[:, :a.y.shape[1]])
    assert a.stats["steps"][0] == b.stats["steps"][0]
