"""Fitting circuits to the atlas: parameter maps, the optimiser, no leakage of held-out neurons, saved fits."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import connectome
import circuitsim as cs
from circuitsim import fit, validate

SMALL = ["ADAL", "ADAR", "ADEL", "ADER", "AIBL", "AIBR", "AVAL", "AVAR", "AVEL", "AVER", "AWBL", "AWBR", "RIML",
         "RIMR", "RMDL", "RMDR", "SMDVL", "SMDVR", "URYDL", "URYVL", "AIZL", "AIZR", "ASHL", "ASHR"]
SHORT = validate.Protocol(baseline=1_000.0, pulse=500.0, response=5_000.0, dt_response=100.0)


@pytest.fixture(scope="module")
def small_circuit():
    w = connectome.Wiring.from_connectome(connectome.load("cook2019_herm")).subset(SMALL)
    return cs.kunert2014(w)


# -- the optimiser -------------------------------------------------------------------------------
def test_cmaes_finds_the_minimum_of_a_shifted_sphere_and_of_rosenbrock():
    calls = []

    def sphere(X):
        calls.append(X.shape)
        return ((X - np.array([0.3, -0.7, 1.1])) ** 2).sum(axis=1)

    x, f, hist = fit.cmaes(sphere, np.zeros(3), 0.5, (-2 * np.ones(3), 2 * np.ones(3)), popsize=8, generations=60)
    np.testing.assert_allclose(x, [0.3, -0.7, 1.1], atol=1e-3)
    assert all(shape == (8, 3) for shape in calls)  # the whole population in one call
    assert len(hist) == 60 and hist[-1]["best"] <= hist[0]["best"]

    def rosen(X):
        return (1 - X[:, 0]) ** 2 + 100 * (X[:, 1] - X[:, 0] ** 2) ** 2

    x, f, _ = fit.cmaes(rosen, np.array([-1.0, 1.5]), 0.5, (-3 * np.ones(2), 3 * np.ones(2)), popsize=10,
                        generations=250, seed=1)
    np.testing.assert_allclose(x, [1.0, 1.0], atol=1e-2)


def test_cmaes_respects_the_box():
    x, _, _ = fit.cmaes(lambda X: -X.sum(axis=1), np.zeros(2), 0.3, (-np.ones(2), np.ones(2)), generations=40)
    assert np.all(x <= 1.0) and np.all(x >= -1.0) and np.allclose(x, 1.0, atol=1e-2)


# -- parameter maps -------------------------------------------------------------------------------
def test_scales_multiply_the_published_parameters(small_circuit):
    p0 = small_circuit.params
    c = fit.FitParameters({"g_syn": 2.0, "g_gap": 0.5, "beta": 3.0, "tau_rise": 4.0, "tau_decay": 0.25}).apply(
        small_circuit)
    p = c.params
    assert p.g_syn == pytest.approx(0.2) and p.g_gap == pytest.approx(0.05)
    np.testing.assert_allclose(p.beta, 3 * p0.beta)
    np.testing.assert_allclose(p.a_r, p0.a_r / 4)  # tau_rise = 1 / a_r
    np.testing.assert_allclose(p.a_d, p0.a_d * 4)
    assert not np.allclose(c.y0, small_circuit.y0)  # restarts from the new rest
    identity = fit.FitSpace().decode(fit.FitSpace().start()).apply(small_circuit)
    np.testing.assert_allclose(identity.y0, small_circuit.y0)


def test_class_scales_and_flips_change_only_that_class(small_circuit):
    w = small_circuit.wiring
    nt = w.metadata["neurotransmitter"].fillna("").to_numpy()
    c = fit.FitParameters(class_column="neurotransmitter", class_scales={"glutamate": 3.0},
                          flipped=("acetylcholine",)).apply(small_circuit)
    W0, S0 = w.chemical.toarray(), w.sign.toarray()
    W1, S1 = c.wiring.chemical.toarray(), c.wiring.sign.toarray()
    for pre in range(w.n):
        factor = 3.0 if nt[pre] == "glutamate" else 1.0
        flip = -1.0 if nt[pre] == "acetylcholine" else 1.0
        np.testing.assert_allclose(W1[pre], factor * W0[pre])
        np.testing.assert_array_equal(S1[pre], flip * S0[pre])
    assert (nt == "glutamate").any() and (nt == "acetylcholine").any()


def test_bad_parameters_raise_parameter_errors(small_circuit):
    with pytest.raises(cs.ParameterError, match="scale of g_syn must be finite and > 0, got nan"):
        fit.FitParameters({"g_syn": float("nan")})
    with pytest.raises(cs.ParameterError, match="unknown fit parameter 'g_sin'; did you mean 'g_syn'"):
        fit.FitParameters({"g_sin": 2.0})
    with pytest.raises(cs.ParameterError, match="unknown fit parameter 'tau_decy'"):
        fit.FitSpace(parameters=("tau_decy",))
    with pytest.raises(cs.ParameterError, match="no column 'neurotransmiter'; did you mean 'neurotransmitter'"):
        fit.FitParameters(class_column="neurotransmiter", class_scales={"gaba": 2.0}).apply(small_circuit)
    with pytest.raises(cs.ParameterError, match="no neuron of class 'glutamat'.*did you mean 'glutamate'"):
        fit.FitParameters(class_column="neurotransmitter", flipped=("glutamat",)).apply(small_circuit)
    with pytest.raises(cs.ParameterError, match="must be finite"):
        fit.FitSpace().decode([0.0, np.nan, 0.0, 0.0, 0.0])
    with pytest.raises(cs.ParameterError, match="bounds"):
        fit.FitSpace(bounds=(2.0, 10.0))
    ctrnn = cs.Circuit(small_circuit.wiring, "ctrnn")
    with pytest.raises(cs.ParameterError, match="graded network"):
        fit.FitParameters({"g_syn": 2.0}).apply(ctrnn)


def test_split_holds_out_a_fifth_disjointly():
    names = [f"N{k}" for k in range(173)]
    train, test = fit.split_stimulated(names, 0.2, seed=3)
    assert len(test) == 35 and set(train) | set(test) == set(names) and not set(train) & set(test)
    assert fit.split_stimulated(names, 0.2, seed=3) == (train, test)


# -- fitting ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_fit(small_circuit):
    target = validate.AtlasTarget.load().restrict(small_circuit.neurons)
    train, test = fit.split_stimulated(target, 0.25, seed=0)
    seen = []
    import circuitsim.validate.experiment as experiment

    original = experiment.responses

    def spy(circuits, stimulated, *args, **kwargs):
        seen.extend([stimulated] if isinstance(stimulated, str) else stimulated)
        return original(circuits, stimulated, *args, **kwargs)

    experiment.responses = spy
    try:
        result = fit.fit_atlas(small_circuit, target, train=train, test=test, popsize=4, generations=2,
                               protocol=SHORT, calibration_neurons=4)
    finally:
        experiment.responses = original
    return result, set(seen), target


def test_fit_never_simulates_held_out_neurons(small_fit):
    result, seen, _ = small_fit
    assert seen and seen <= set(result.train)
    assert not seen & set(result.test)


def test_fit_reports_its_work_and_never_ends_worse_than_the_start(small_fit):
    result, _, _ = small_fit
    assert result.evaluations == 1 + 4 * 2 and result.failures == 0
    assert len(result.history) == 2
    assert result.train_value >= result.start_value
    assert set(result.parameters.scales) == set(fit.GLOBAL_PARAMETERS)


def test_fitted_circuit_runs_like_any_other(small_fit, small_circuit):
    result, _, _ = small_fit
    res = cs.simulate(result.circuit, 2_000, cs.pulse(["AVAL"], 50.0, 500.0, 500.0), cs.Rosenbrock())
    assert np.isfinite(res["V"]).all()
    assert result.circuit.params.g_syn == pytest.approx(small_circuit.params.g_syn
                                                        * result.parameters.scales["g_syn"])


def test_saved_fit_reloads_and_rebuilds_the_same_circuit(small_fit, small_circuit, tmp_path):
    result, _, _ = small_fit
    path = tmp_path / "fit.json"
    result.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["fit.json"]  # no temporary file left behind
    back = fit.load(path)
    assert back.parameters == result.parameters and back.train == result.train and back.test == result.test
    again = back.apply(small_circuit)
    for field in ("g_syn", "g_gap"):
        assert getattr(again.params, field) == getattr(result.circuit.params, field)
    np.testing.assert_allclose(again.y0, result.circuit.y0)
    data = json.loads(path.read_text())
    data["parameters"]["scales"]["g_syn"] = math.nan
    path.write_text(json.dumps(data))
    with pytest.raises(cs.ParameterError, match="finite"):
        fit.load(path)
    path.write_text("{}")
    with pytest.raises(cs.ParameterError, match="not a fit file"):
        fit.load(path)


def test_fit_arguments_are_checked(small_circuit):
    with pytest.raises(cs.ParameterError, match="objective must be one of"):
        fit.fit_atlas(small_circuit, objective="accuracy")
    with pytest.raises(cs.ParameterError, match="share stimulated neurons"):
        fit.fit_atlas(small_circuit, train=["AVAL"], test=["AVAL"])
    with pytest.raises(validate.AtlasCoverageError, match="VB1"):
        fit.fit_atlas(small_circuit, train=["VB1"])


def test_cross_validation_scores_only_held_out_columns(small_circuit):
    cv = fit.cross_validate(small_circuit, folds=4, run_folds=1, popsize=2, generations=1, protocol=SHORT,
                            fit_protocol=SHORT, calibration_neurons=3, n_boot=20)
    (fold,) = cv.folds
    assert cv.target.stimulated == fold.test
    assert set(cv.scores.table.index) == {"fitted", "published", "direct synapse", "-hops", "linear propagation",
                                          "hit rate", "-soma distance"}
    # the published model's held-out prediction is the plain scoring run on those columns
    rep = validate.atlas(small_circuit, stimulated=fold.test, train_stimulated=fold.train, protocol=SHORT,
                         n_boot=0, sensitivity=(), baselines=False, min_distance=0)
    np.testing.assert_allclose(cv.predictions["published"].values, rep.predictions["model"].values)


def test_differential_evolution_hands_whole_populations_to_the_objective(small_circuit):
    sizes = []
    space = fit.FitSpace(parameters=("g_syn", "g_gap"))
    result = fit.fit_atlas(small_circuit, popsize=6, generations=2, method="differential_evolution", space=space,
                           protocol=SHORT, calibration_neurons=3, callback=lambda g, X, v: sizes.append(X.shape))
    assert sizes == [(6, 2), (6, 2)]  # the initial population, then one generation, each in one call
    assert result.evaluations == 1 + 12 and len(result.history) == 2
    assert result.train_value >= result.start_value
