"""Result: recording options, dense output span checks, DataFrame, exact atomic save/load, divergence."""

from __future__ import annotations

import os

import numpy as np
import pytest

from circuitsim import inputs
from circuitsim.circuit import Circuit
from circuitsim.errors import CircuitsimError, DivergenceError, OutOfSpanError, SolverError
from circuitsim.models.ctrnn import CTRNNParams
from circuitsim.result import Result
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4, Dopri5, Euler

import connectome
from engine_fixtures import small_wiring
from reference import euler

SPAN = (0.0, 10.0)
TAU = np.array([2.0, 3.0, 1.5, 4.0, 2.5])


@pytest.fixture(scope="module")
def circuit():
    return Circuit(small_wiring(), "ctrnn", CTRNNParams(tau=TAU, weight_scale=0.8, activation="tanh"))


@pytest.fixture(scope="module")
def result(circuit):
    return simulate(circuit, SPAN, inputs.step("PLML", 1.0, 2.5), Dopri5(rtol=1e-8, atol=1e-10))


def test_time_major_shapes_and_stats(result):
    assert result.y.ndim == 2 and result.y.shape == (len(result.t), 5)
    assert result["x"].shape == (len(result.t), 5)
    assert result.t[0] == 0.0 and result.t[-1] == 10.0 and (np.diff(result.t) > 0).all()
    assert 2.5 in result.t  # step landed on the jump
    assert result.stats["steps"][0] == len(result.t) - 1
    assert result.stats["rhs_calls"][0] >= 6 * result.stats["steps"][0]
    assert result.units == {"x": "1"} and result.meta["model"] == "ctrnn"
    assert result.stimuli[0][0]["kind"] == "step"
    np.testing.assert_array_equal(result.neuron("PLML"), result["x"][:, 2])


def test_every_and_record_subset(circuit):
    full = simulate(circuit, SPAN, None, RK4(0.1))
    sub = simulate(circuit, SPAN, None, RK4(0.1), every=7, record=["DB1", "AVAL"])
    assert sub.neurons == ("DB1", "AVAL")
    np.testing.assert_array_equal(sub.t[:-1], full.t[:-1:7])
    assert sub.t[-1] == 10.0
    np.testing.assert_array_equal(sub["x"][:-1], full["x"][:-1:7][:, [4, 0]])
    # dense output of the subset equals the dense output of the full run
    tq = np.linspace(0.05, 9.95, 13)
    np.testing.assert_array_equal(sub.at(tq, "x"), full.at(tq, "x")[:, [4, 0]])


def test_at_scalar_array_and_outside_span(result):
    v = result.at(5.3)
    assert set(v) == {"x"} and v["x"].shape == (5,)
    assert result.at([1.0, 2.0], "x").shape == (2, 5)
    for bad in (-0.1, 10.0001, np.nan):
        with pytest.raises(OutOfSpanError, match=r"outside the simulated span \[0, 10\] ms"):
            result.at(bad)
    with pytest.raises(OutOfSpanError):
        result.at([1.0, 11.0])
    with pytest.raises(KeyError, match=r"variable 'V' was not recorded"):
        result.at(1.0, "V")


def test_no_dense_output(circuit):
    r = simulate(circuit, SPAN, None, RK4(0.1), dense=False)
    assert r.dense is None
    with pytest.raises(CircuitsimError, match="no dense output; simulate with dense=True"):
        r.at(1.0)


def test_saveat_uses_continuous_extension(circuit):
    ts = np.array([0.0, 0.53, 2.14, 7.77, 10.0])
    a = simulate(circuit, SPAN, None, Dopri5(rtol=1e-8, atol=1e-10), saveat=ts)
    b = simulate(circuit, SPAN, None, Dopri5(rtol=1e-8, atol=1e-10))
    np.testing.assert_array_equal(a.t, ts)
    np.testing.assert_allclose(a["x"], b.at(ts, "x"), rtol=0, atol=1e-15)


def test_to_dataframe(result):
    df = result.to_dataframe()
    assert list(df.columns) == list(result.neurons) and df.index.name == "t"
    np.testing.assert_array_equal(df.to_numpy(), result["x"])
    np.testing.assert_array_equal(df.index.to_numpy(), result.t)


def test_save_load_exact(result, tmp_path):
    path = tmp_path / "run.npz"
    result.save(path)
    back = Result.load(path)
    assert back.equals(result)
    assert back.wiring.equals(result.wiring) and back.wiring.neurons == result.neurons
    np.testing.assert_array_equal(back.at(3.21)["x"], result.at(3.21)["x"])
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"]  # no temporary file left


def test_save_is_atomic(result, tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    result.save(path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", boom)
    with pytest.raises(OSError, match="disk full"):
        result.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["run.npz"]


def test_divergence_names_time_neuron_variable():
    """A self-excited linear neuron overflows; the error says when, who and which variable."""
    W = np.zeros((3, 3))
    W[1, 1] = 1000.0  # B excites itself: dx/dt = 999 x (tau = 1)
    w = connectome.Wiring(["A", "B", "C"], W)
    c = Circuit(w, "ctrnn", CTRNNParams.linear(tau=1.0), y0=[0.0, 1.0, 0.0])
    dt = 0.01
    with pytest.raises(DivergenceError) as info:
        simulate(c, (0.0, 100.0), None, Euler(dt))
    err = info.value
    # reference: the first Euler step whose result is not finite or beyond 1e15
    with np.errstate(over="ignore", invalid="ignore"):
        ref = euler(lambda t, x: 999.0 * x, [1.0], 0.0, dt, 400)
    k = int(np.flatnonzero(~(np.abs(ref[:, 0]) <= 1e15))[0])
    assert err.neuron == "B" and err.variable == "x"
    assert err.time == pytest.approx(k * dt, abs=1e-12)
    assert "'x' of neuron 'B' became non-finite (NaN, inf or beyond 1e15) at t = " in str(err)
    partial = err.result
    assert partial.t[-1] == pytest.approx((k - 1) * dt) and np.isfinite(partial.y).all()
    assert partial.t_end == pytest.approx((k - 1) * dt)
    assert partial.at(partial.t_end / 2)["x"].shape == (3,)
    with pytest.raises(DivergenceError, match="neuron 'B'") as info:
        simulate(c, (0.0, 100.0), None, Dopri5())
    assert np.isfinite(info.value.result.y).all()


def test_step_budget_exhausted(circuit):
    with pytest.raises(SolverError, match="max_steps was exhausted") as info:
        simulate(circuit, SPAN, None, Dopri5(rtol=1e-12, atol=1e-14, max_steps=5))
    assert info.value.result is not None and info.value.time < SPAN[1]


def test_memory_guard(circuit):
    from circuitsim.errors import ParameterError

    with pytest.raises(ParameterError, match=r"would store .* GB .* dense=False"):
        simulate(circuit, (0.0, 1e4), None, RK4(1e-3), max_bytes=1e6)


def test_adaptive_output_buffers_grow_without_changing_the_run(circuit):
    """More steps than the first buffer guess: the kernel returns, buffers grow, the run resumes."""
    solver = Dopri5(rtol=1e-10, atol=1e-12)
    drive = inputs.pulse("AVAL", 1.0, start=1.0, duration=0.5, period=1.0, count=40)
    grown = simulate(circuit, (0.0, 60.0), drive, solver)
    assert grown.stats["steps"][0] > 4 * 256
    fresh = simulate(circuit, (0.0, 60.0), drive, solver, saveat=grown.t, dense=False)
    assert fresh.stats["steps"][0] == grown.stats["steps"][0]
    np.testing.assert_allclose(fresh["x"], grown["x"], rtol=0, atol=1e-13)


def test_divergence_in_first_step_keeps_initial_state():
    W = np.zeros((2, 2))
    W[0, 0] = 1e308
    c = Circuit(connectome.Wiring(["A", "B"], W), "ctrnn", CTRNNParams.linear(tau=1.0), y0=[1e10, 2.0])
    with pytest.raises(DivergenceError, match="neuron 'A'") as info:
        simulate(c, SPAN, None, RK4(0.1))
    partial = info.value.result
    assert partial.t.tolist() == [0.0] and partial.t_end == 0.0
    np.testing.assert_array_equal(partial.at(0.0)["x"], [1e10, 2.0])
    with pytest.raises(OutOfSpanError):
        partial.at(0.05)


def test_sum_of_stimuli():
    d = sum([inputs.constant("AVAL", 1.0), inputs.step("AVAR", 2.0, 1.0)])
    assert isinstance(d, inputs.Drive) and len(d.stimuli) == 2
    assert len(sum([d, d]).stimuli) == 4


def test_adaptive_output_limit_stops_with_partial_result(circuit):
    with pytest.raises(SolverError, match=r"stored output would exceed max_bytes=50000") as info:
        simulate(circuit, (0.0, 500.0), inputs.pulse("AVAL", 1.0, 1.0, 0.5, period=1.0, count=400),
                 Dopri5(rtol=1e-10, atol=1e-12), max_bytes=5e4)
    partial = info.value.result
    assert 0.0 < partial.t_end < 500.0 and partial.t[-1] <= partial.t_end
    assert partial.at(partial.t_end / 2)["x"].shape == (5,)
