"""The implicit-explicit solver (leak + gap junctions by conjugate gradients): exactness, order, stiffness, checks."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import expm

import circuitsim as cs
import connectome
from circuitsim.errors import ParameterError
from reference_graded import ReferenceGraded


@pytest.fixture(scope="module")
def passive():
    """Gap-coupled passive neurons (no chemical conductance): V' = A V + b is linear."""
    w = connectome.synthetic_brain(120, 5, seed=1, gap_junctions_per_neuron=4)
    c = cs.Circuit(w, "graded", cs.GradedParams(g_syn=0.0, g_gap=2.0),
                   drive=cs.constant([w.neurons[0], w.neurons[3]], 50.0))
    n = w.n
    G = w.electrical.toarray() * (1 - np.eye(n)) * 2.0
    A = -(0.01 * np.eye(n) + np.diag(G.sum(1)) - G) / 1.0          # -(Gc + L_gap) / C
    b = np.full(n, 0.01 * -35.0)
    b[[0, 3]] += 50.0
    return c, A, b


def exact_V(A, b, V0, T):
    E = expm(A * T)
    return E @ V0 + np.linalg.solve(A, (E - np.eye(len(b))) @ b)


def test_linear_gap_network_matches_matrix_exponential(passive):
    c, A, b = passive
    n = c.n
    T = 20.0
    exact = exact_V(A, b, c.y0[:n], T)
    assert np.abs(np.linalg.eigvals(A)).max() > 50.0  # stiff: explicit steps would be < 0.05 ms
    r = cs.simulate(c, T, solver=cs.IMEX(rtol=0.0, atol={"V": 1e-6, "s": 1e-8}), variables="V", dense=False)
    assert np.abs(r.y[-1] - exact).max() < 1e-5
    # fixed steps far beyond the explicit stability limit stay accurate (L-stable implicit part)
    r = cs.simulate(c, T, solver=cs.IMEX(dt=0.5, rtol=0.0, atol={"V": 1e-9, "s": 1e-9}), variables="V", dense=False)
    assert np.abs(r.y[-1] - exact).max() < 1e-3


def test_converges_with_order_two_on_a_nonlinear_network():
    w = connectome.synthetic_brain(60, 6, seed=2, gap_junctions_per_neuron=3)
    c = cs.kunert2014(w, {w.neurons[0]: 500.0}, y0="authors").with_params(g_gap=1.0)
    ref = ReferenceGraded(w, g_gap=1.0, vth=c.kernel_params().vth)
    current = np.zeros(w.n)
    current[0] = 500.0
    T = 10.0
    exact = ref.solve(c.y0, [0.0, T], current, rtol=1e-12, atol=1e-12)[-1]
    dts = np.array([0.4, 0.2, 0.1, 0.05])
    errs = [np.abs(cs.simulate(c, T, solver=cs.IMEX(dt=dt, rtol=0.0, atol=1e-11), dense=False).y[-1] - exact).max()
            for dt in dts]
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(slope - 2.0) < 0.3, (slope, errs)


def test_strong_gap_coupling_does_not_limit_the_step(passive):
    c, _, _ = passive
    stiff = c.with_params(g_gap=50.0)
    imex = cs.simulate(stiff, 20.0, solver=cs.IMEX(), dense=False)
    dopri = cs.simulate(stiff, 20.0, solver=cs.Dopri5(rtol=1e-4, atol=1e-4), dense=False)
    assert imex.stats["steps"][0] * 10 < dopri.stats["steps"][0]
    np.testing.assert_allclose(imex.y[-1], dopri.y[-1], atol=0.05)
    assert imex.stats["linear_iterations"][0] > 0


def test_linear_ctrnn_matches_matrix_exponential():
    w = connectome.random_sparse(30, 0.2, seed=2, inhibitory_fraction=0.5)
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams.linear(tau=2.0, weight_scale=0.3, bias=0.5), y0=np.zeros(30))
    W = w.chemical.toarray() * np.sign(w.sign.toarray()) * 0.3
    A = (W.T - np.eye(30)) / 2.0
    exact = np.linalg.solve(A, (expm(A * 10.0) - np.eye(30)) @ np.full(30, 0.25))
    r = cs.simulate(c, 10.0, solver=cs.IMEX(rtol=1e-8, atol=1e-10), dense=False)
    assert np.abs(r.y[-1] - exact).max() < 1e-5


def test_dense_output_interpolates_the_steps(passive):
    c, A, b = passive
    r = cs.simulate(c, 5.0, solver=cs.IMEX(rtol=0.0, atol={"V": 1e-7, "s": 1e-9}), variables="V")
    exact = exact_V(A, b, c.y0[:c.n], 2.345)
    assert np.abs(r.at(2.345)["V"].values - exact).max() < 1e-4


def test_options_and_models_are_checked():
    with pytest.raises(ParameterError, match="lin_tol must be in"):
        cs.IMEX(lin_tol=2.0)
    with pytest.raises(ParameterError, match="max_iterations must be a positive integer"):
        cs.IMEX(max_iterations=0)
    with pytest.raises(ParameterError, match="dt must be positive"):
        cs.IMEX(dt=-1.0)
    w = connectome.random_sparse(12, 0.3, seed=0)
    ltc = cs.Circuit(w, "ltc", cs.LTCParams.initial(w))
    with pytest.raises(ParameterError, match="IMEX needs the implicit linear part of the 'ltc' model"):
        cs.simulate(ltc, 1.0, solver=cs.IMEX())


def test_cg_solves_the_spd_system():
    """The compiled CG against scipy's dense solve on the graded network's implicit matrix."""
    from circuitsim._kernels.imex import cg_solve, graded_imex_mass, graded_imex_stiffness_diagonal

    w = connectome.synthetic_brain(80, 5, seed=4, gap_junctions_per_neuron=5)
    c = cs.Circuit(w, "graded", cs.GradedParams(g_gap=3.0, C=np.linspace(0.5, 2.0, 80)))
    kp = c.kernel_params()
    n2 = 2 * w.n
    m, kd = np.empty(n2), np.empty(n2)
    graded_imex_mass(kp, m)
    graded_imex_stiffness_diagonal(kp, kd)
    G = sp.csr_array((kp.g_gap, kp.gap_index, kp.gap_indptr), shape=(w.n, w.n)).toarray()
    K = np.zeros((n2, n2))
    K[:w.n, :w.n] = np.diag(kp.Gc + G.sum(1)) - G
    coef = 0.7
    Mat = np.diag(m) + coef * K
    rhs = np.random.default_rng(0).normal(size=n2)
    x = rhs / np.diag(Mat)
    work = [np.empty(n2) for _ in range(4)]
    its = cg_solve(kp, m, coef, 1.0 / np.diag(Mat), rhs, x, *work, np.full(n2, 1e12), 1.0, 500)
    assert 0 < its < 500
    np.testing.assert_allclose(x, np.linalg.solve(Mat, rhs), rtol=1e-8, atol=1e-10)
