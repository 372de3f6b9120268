"""The graded-potential network: vector field, thresholds, resting state, parameters."""

import numpy as np
import pytest

import connectome
from circuitsim.errors import ParameterError, UnknownNeuronError
from circuitsim.models.graded import Graded, GradedParams, thresholds
from circuitsim.presets import kunert2014
from circuitsim._kernels.graded import graded_gap_currents, graded_rhs

from reference_graded import PUBLISHED, ReferenceGraded


def small_wiring(n=12, seed=1):
    rng = np.random.default_rng(seed)
    W = (rng.random((n, n)) < 0.3) * rng.integers(1, 5, (n, n))
    np.fill_diagonal(W, 0)
    S = np.where(rng.random((n, n)) < 0.25, -1.0, 1.0) * (W > 0)
    G = np.triu((rng.random((n, n)) < 0.2) * rng.integers(1, 4, (n, n)), 1)
    return connectome.Wiring([f"N{i}" for i in range(n)], W.astype(float), S, (G + G.T).astype(float),
                             name="small")


@pytest.fixture(scope="module")
def wiring():
    return small_wiring()


STIM = {"N0": 20.0, "N1": -10.0}


def current(w, stim):
    I = np.zeros(w.n)
    for k, v in stim.items():
        I[w.index_of(k)] += v
    return I


def test_published_parameters_in_project_units():
    p = GradedParams.kunert2014()
    # 1 pF, 10 pS, 100 pS, 1/s, 5/s (Kunert et al. 2014) in pF, nS, 1/ms
    assert float(p.C) == PUBLISHED["C"] == 1.0
    assert float(p.Gc) == pytest.approx(0.010) and p.g_gap == pytest.approx(0.1) and p.g_syn == pytest.approx(0.1)
    assert float(p.a_r) == pytest.approx(1e-3) and float(p.a_d) == pytest.approx(5e-3)
    assert float(p.beta) == 0.125 and float(p.Ec) == -35.0 and p.E_exc == 0.0 and p.E_inh == -48.0
    assert p.threshold == "with_input"
    lab = GradedParams.kunert2014_leiferlab()
    assert float(lab.C) == 1.5 and lab.E_inh == -45.0


def test_rhs_matches_reference(wiring):
    c = kunert2014(wiring, STIM)
    kp = c.kernel_params()
    ref = ReferenceGraded(wiring, vth=kp.vth)
    rng = np.random.default_rng(3)
    I = current(wiring, STIM)
    n = wiring.n
    for _ in range(5):
        y = np.r_[rng.normal(-30, 20, n), rng.random(n)]
        out = np.empty(2 * n)
        graded_rhs(kp, 0.0, y, I, out)
        np.testing.assert_allclose(out, ref.f(0.0, y, I), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("convention", ["with_input", "rest"])
def test_thresholds_satisfy_equilibrium_equations(wiring, convention):
    c = kunert2014(wiring, STIM, threshold=convention)
    vth = c.model.thresholds(c)
    ref = ReferenceGraded(wiring, vth=vth)
    I = current(wiring, STIM) if convention == "with_input" else np.zeros(wiring.n)
    np.testing.assert_allclose(vth, ref.thresholds(I), rtol=1e-10, atol=1e-10)
    s_star = 1e-3 / (1e-3 + 2 * 5e-3)
    assert s_star == pytest.approx(1 / 11)
    y = np.r_[vth, np.full(wiring.n, s_star)]
    # at V = Vth and s = 1/11 both equations are at rest (phi = 1/2 there)
    np.testing.assert_allclose(ref.f(0.0, y, I), 0.0, atol=1e-9)


def test_conventions_differ_only_with_input(wiring):
    a = kunert2014(wiring, STIM).kernel_params().vth
    b = kunert2014(wiring, STIM, threshold="rest").kernel_params().vth
    c = kunert2014(wiring).kernel_params().vth
    assert np.abs(a - b).max() > 1.0
    np.testing.assert_allclose(b, c)
    given = kunert2014(wiring, STIM, vth=np.full(wiring.n, -20.0)).kernel_params().vth
    np.testing.assert_array_equal(given, -20.0)


def test_default_state_is_no_input_equilibrium(wiring):
    c = kunert2014(wiring, STIM, y0="rest")
    ref = ReferenceGraded(wiring, vth=c.kernel_params().vth)
    np.testing.assert_allclose(ref.f(0.0, c.y0, np.zeros(wiring.n)), 0.0, atol=1e-9)
    # a user state is kept as given
    y0 = np.r_[np.full(wiring.n, -30.0), np.zeros(wiring.n)]
    np.testing.assert_array_equal(kunert2014(wiring, STIM, y0=y0).y0, y0)


def test_gap_junction_currents_sum_to_zero(wiring):
    kp = kunert2014(wiring).kernel_params()
    V = np.random.default_rng(0).normal(-30, 30, wiring.n)
    out = np.empty(kp.gap_index.shape[0])
    graded_gap_currents(kp, V, out)
    assert abs(out.sum()) < 1e-10 * np.abs(out).sum()
    ref = ReferenceGraded(wiring).gap_currents(V)
    rows = np.repeat(np.arange(wiring.n), np.diff(kp.gap_indptr))
    np.testing.assert_allclose(out, ref[rows, kp.gap_index])


def test_kunert2014_on_varshney():
    conn = connectome.load("varshney2011")
    c = kunert2014(conn, {"PLML": 2000, "PLMR": 2000})
    assert c.n == 279 and c.model.state_names == ("V", "s") and c.y0.shape == (558,)
    kp = c.kernel_params()
    assert (np.diff(kp.gap_indptr) >= 0).all() and kp.g_syn.shape == (c.wiring.chemical.nnz,)
    assert set(np.unique(kp.e_syn)) == {0.0, -48.0}
    ref = ReferenceGraded(c.wiring, vth=kp.vth)
    rest = kunert2014(conn, {"PLML": 2000, "PLMR": 2000}, y0="rest")
    np.testing.assert_allclose(ref.f(0.0, rest.y0, np.zeros(c.n)), 0.0, atol=1e-8)
    # the preset's default is the authors' start: s = a_r / (a_r + 2 a_d) = 1/11, and V the no-input
    # linear equilibrium at that s (dV/dt = 0 without input)
    n = c.n
    np.testing.assert_allclose(c.y0[n:], 1.0 / 11.0, rtol=1e-14)
    np.testing.assert_allclose(ref.f(0.0, c.y0, np.zeros(n))[:n], 0.0, atol=1e-9)
    # model from its registered name
    from circuitsim.circuit import Circuit
    assert isinstance(Circuit(c.wiring, "graded").model, Graded)


@pytest.mark.parametrize("kw, match", [
    ({"C": -1.0}, "C must be positive"),
    ({"Gc": np.nan}, "Gc must be finite"),
    ({"g_gap": -0.1}, "g_gap must be non-negative"),
    ({"g_syn": [0.1, 0.2]}, "g_syn must be a scalar"),
    ({"a_r": 0.0}, "a_r must be positive"),
    ({"beta": np.inf}, "beta must be finite"),
    ({"E_inh": "x"}, "E_inh must be numeric"),
    ({"threshold": "authors"}, "threshold must be one of"),
    ({"threshold_input": {"PLML": np.nan}}, "threshold_input for 'PLML' must be finite"),
    ({"threshold_input": 5}, "threshold_input must map neuron names"),
    ({"vth": np.zeros((2, 2))}, "vth must be a 1-d array"),
])
def test_parameter_validation(kw, match):
    with pytest.raises(ParameterError, match=match):
        GradedParams(**kw)


def test_binding_validation(wiring):
    with pytest.raises(ParameterError, match=r"C must be a scalar or have shape \(12,\)"):
        kunert2014(wiring, C=np.ones(3))
    with pytest.raises(ParameterError, match=r"vth must have shape \(12,\)"):
        kunert2014(wiring, vth=np.zeros(3))
    with pytest.raises(UnknownNeuronError, match="N99"):
        kunert2014(wiring, {"N99": 1.0})
    with pytest.raises(ParameterError, match="source must be a connectome"):
        kunert2014("varshney2011")
    with pytest.raises(ParameterError, match="needs GradedParams"):
        from circuitsim.circuit import Circuit
        from circuitsim.models.ctrnn import CTRNNParams
        Circuit(wiring, Graded(), CTRNNParams())


def test_thresholds_function_matches_model(wiring):
    p = GradedParams()
    np.testing.assert_allclose(thresholds(p, wiring), kunert2014(wiring).kernel_params().vth)


def test_resting_state_failure_is_reported(wiring):
    from circuitsim.models.graded import resting_state

    p = GradedParams()
    with pytest.raises(ParameterError, match="no resting equilibrium found.*pass an explicit initial state y0"):
        resting_state(p, wiring, thresholds(p, wiring), max_iter=0)
    y = resting_state(p, wiring, thresholds(p, wiring), current(wiring, STIM))
    ref = ReferenceGraded(wiring, vth=thresholds(p, wiring))
    np.testing.assert_allclose(ref.f(0.0, y, current(wiring, STIM)), 0.0, atol=1e-8)
