"""The graded model and the Rosenbrock solver through the engine (simulate, Result, batch)."""

import numpy as np
import pytest

from circuitsim.circuit import Circuit
from circuitsim.errors import DivergenceError, OutOfSpanError, ParameterError, SolverError
from circuitsim.inputs import constant, step
from circuitsim.presets import kunert2014
from circuitsim.result import Result
from circuitsim.simulate import simulate, simulate_batch
from circuitsim.solvers import RK4, Dopri5, get_solver
from circuitsim.solvers import Rosenbrock

from reference_graded import ReferenceGraded
from test_graded_model import STIM, current, small_wiring


@pytest.fixture(scope="module")
def small():
    w = small_wiring()
    c = kunert2014(w, STIM, y0="rest")   # tests below start from the no-input equilibrium
    ref = ReferenceGraded(w, vth=c.kernel_params().vth)
    return w, c, ref


def drive():
    return constant(list(STIM), list(STIM.values()))


@pytest.mark.parametrize("solver", [Rosenbrock(atol={"V": 1e-6, "s": 1e-9}), RK4(dt=0.01),
                                    Dopri5(rtol=1e-9, atol=1e-9)])
def test_solvers_agree_with_reference(small, solver):
    w, c, ref = small
    T = 200.0
    tq = np.array([0.53, 21.4, 77.7, 150.0, 200.0])
    Yr = ref.solve(c.y0, np.r_[0.0, tq], current(w, STIM), rtol=1e-12, atol=1e-12)[1:]
    res = simulate(c, (0.0, T), drive(), solver)
    got = res.at(tq)
    np.testing.assert_allclose(got["V"], Yr[:, :w.n], atol=2e-3)
    np.testing.assert_allclose(got["s"], Yr[:, w.n:], atol=1e-6)


def test_result_of_rosenbrock(small, tmp_path):
    w, c, ref = small
    res = simulate(c, (0.0, 100.0), drive(), Rosenbrock(), every=2)
    assert res.meta["solver"]["name"] == "rosenbrock" and res.stats["steps"][0] > 0
    assert res.t[0] == 0.0 and res.t[-1] == 100.0
    np.testing.assert_allclose(res.at(res.t)["V"], res["V"], atol=1e-12)
    df = res.to_dataframe("V")
    assert list(df.columns) == list(w.neurons)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        res.at(100.5)
    path = tmp_path / "r.npz"
    res.save(path)
    back = Result.load(path)
    np.testing.assert_array_equal(back.at(42.0)["V"], res.at(42.0)["V"])
    assert get_solver("rosenbrock") == Rosenbrock()


def test_saveat_and_breaks(small):
    w, c, ref = small
    res = simulate(c, (0.0, 120.0), step(["N0"], 30.0, at=40.0), Rosenbrock(), saveat=[0.0, 39.0, 40.0, 120.0])
    np.testing.assert_array_equal(res.t, [0.0, 39.0, 40.0, 120.0])
    np.testing.assert_allclose(res["V"][1], c.y0[:w.n], atol=1e-9)   # nothing happens before the step
    I = np.zeros(w.n)
    I[0] = 30.0
    Yr = ref.solve(c.y0, [40.0, 120.0], I, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res["V"][-1], Yr[-1, :w.n], atol=1e-3)


def test_batch_equals_loop(small):
    w, c, ref = small
    circuits = [c, c.with_params(g_syn=0.15)]
    inputs = [[drive()], [constant(["N2"], 15.0)]]   # one drive per member
    t = np.linspace(0.0, 80.0, 9)
    batch = simulate_batch(circuits, (0.0, 80.0), inputs, Rosenbrock(), saveat=t)
    for b in range(2):
        single = simulate(circuits[b], (0.0, 80.0), inputs[b], Rosenbrock(), saveat=t)
        np.testing.assert_array_equal(batch["V"][b], single["V"])
        np.testing.assert_array_equal(batch.at(33.3)["s"][b], single.at(33.3)["s"])


def test_relabelling_permutes_result(small):
    w, c, ref = small
    perm = np.random.default_rng(5).permutation(w.n)
    w2 = w.subset([w.neurons[i] for i in perm])
    c2 = kunert2014(w2, STIM, y0="rest")
    t = np.linspace(0.0, 150.0, 7)
    a = simulate(c, (0.0, 150.0), drive(), Rosenbrock(atol={"V": 1e-7, "s": 1e-10}), saveat=t)
    b = simulate(c2, (0.0, 150.0), drive(), Rosenbrock(atol={"V": 1e-7, "s": 1e-10}), saveat=t)
    np.testing.assert_allclose(b["V"], a["V"][:, perm], atol=1e-5)


def test_errors(small):
    w, c, ref = small
    from engine_models import Oscillators  # a model without Jacobian hooks

    osc = Circuit(w, Oscillators())
    with pytest.raises(ParameterError, match=r"Rosenbrock needs the Jacobian of the 'test-oscillators' model: it "
                                             r"defines no jacobian_pattern\(\)"):
        simulate(osc, (0.0, 10.0), None, Rosenbrock())
    with pytest.raises(ParameterError, match="only the graded network has an iterative linear solver"):
        simulate(Circuit(w, "ctrnn"), (0.0, 10.0), None, Rosenbrock(linear="iterative"))
    with pytest.raises(DivergenceError, match="became non-finite") as info:
        simulate(c, (0.0, 50.0), constant(["N0"], 1e306), Rosenbrock())
    assert info.value.variable in ("V", "s") and info.value.neuron in w.neurons
    assert info.value.result is not None
    with pytest.raises(SolverError, match="max_steps"):
        simulate(c, (0.0, 500.0), drive(), Rosenbrock(atol={"V": 1e-9}, max_steps=3))


def test_record_subset(small):
    w, c, ref = small
    full = simulate(c, (0.0, 60.0), drive(), Rosenbrock())
    part = simulate(c, (0.0, 60.0), drive(), Rosenbrock(), record=["N3", "N0"], variables=["s"])
    assert part.neurons == ("N3", "N0") and part.variables == ("s",)
    np.testing.assert_array_equal(part["s"], full["s"][:, [3, 0]])
    np.testing.assert_array_equal(part.at(17.0)["s"], full.at(17.0)["s"][[3, 0]])
