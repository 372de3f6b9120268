"""The solver chosen by model and size, and the solvers at 10^4 neurons."""

import numpy as np
import pytest

import circuitsim as cs
import connectome
from circuitsim.solvers import auto


def small_graded(gaps):
    w = connectome.synthetic_brain(300, 6, seed=1, gap_junctions_per_neuron=gaps)
    return cs.kunert2014(w, {w.neurons[0]: 200.0}, y0="rest")


def test_worm_sized_graded_keeps_rosenbrock():
    c = small_graded(2)
    r = cs.simulate(c, 5.0, dense=False)
    assert r.meta["solver"] == cs.Rosenbrock().describe()
    assert "Rosenbrock" in r.meta["solver_choice"]


def test_ctrnn_keeps_dopri5():
    w = connectome.random_sparse(30, 0.1, seed=0)
    solver, why = auto.choose_solver(cs.Circuit(w, "ctrnn"))
    assert solver == cs.Dopri5() and "Dopri5" in why


def test_large_graded_leaves_rosenbrock(monkeypatch):
    monkeypatch.setattr(auto, "ROSENBROCK_MAX_NEURONS", 100)
    weak = small_graded(2).with_params(g_gap=0.01)
    solver, why = auto.choose_solver(weak)
    assert isinstance(solver, cs.ETD2) and "ETD2" in why
    strong = weak.with_params(g_gap=5.0)
    solver, why = auto.choose_solver(strong)
    assert isinstance(solver, cs.IMEX) and "gap conductance" in why
    r = cs.simulate(strong, 2.0, dense=False)
    assert r.meta["solver"]["name"] == "imex"
    r = cs.simulate(strong, 2.0, solver=cs.RK4(dt=0.01), dense=False)  # an explicit choice wins
    assert r.meta["solver"]["name"] == "rk4" and "solver_choice" not in r.meta


def test_factorisation_that_would_fill_leaves_rosenbrock(monkeypatch):
    import circuitsim.steady_state as ss

    monkeypatch.setattr(ss, "choose_method", lambda method, n, pattern: "iterative")
    solver, why = auto.choose_solver(small_graded(2))
    assert not isinstance(solver, cs.Rosenbrock) and "fill" in why


@pytest.fixture(scope="module")
def brain():
    w = connectome.synthetic_brain(10_000, 10, seed=0, gap_junctions_per_neuron=1)
    return cs.kunert2014(w, {nm: 200.0 for nm in w.neurons[:10]}, y0="rest")


@pytest.mark.parametrize("solver", [cs.Rosenbrock(linear="iterative"), cs.Dopri5(rtol=1e-7, atol=1e-7),
                                    cs.Tsit5(rtol=1e-7, atol=1e-7), cs.BS3(rtol=1e-7, atol=1e-7),
                                    cs.ETD2(rtol=0.0, atol={"V": 1e-5, "s": 1e-8}),
                                    cs.IMEX(rtol=0.0, atol={"V": 1e-5, "s": 1e-8})],
                         ids=["rosenbrock-iterative", "dopri5", "tsit5", "bs3", "etd2", "imex"])
def test_solvers_at_ten_thousand_neurons_agree_with_rk4(brain, solver):
    record = list(brain.neurons[:40])
    ref = cs.simulate(brain, 2.0, solver=cs.RK4(dt=0.005), record=record, dense=False)
    r = cs.simulate(brain, 2.0, solver=solver, record=record, dense=False)
    assert r.t[-1] == 2.0 and r.stats["steps"][0] > 0
    scale = np.abs(ref.y[-1] - ref.y[0]).max()
    assert np.abs(r.y[-1] - ref.y[-1]).max() < 1e-3 * max(scale, 1.0)
