"""Batch == loop of single runs; relabelling neurons permutes the result."""

from __future__ import annotations

import numpy as np
import pytest

from circuitsim import inputs
from circuitsim.circuit import Circuit
from circuitsim.errors import ParameterError
from circuitsim.models.ctrnn import CTRNNParams
from circuitsim.simulate import simulate, simulate_batch
from circuitsim.solvers import RK4, Dopri5

from engine_fixtures import NAMES, small_wiring

SPAN = (0.0, 10.0)
TAU = np.array([2.0, 3.0, 1.5, 4.0, 2.5])


@pytest.fixture(scope="module")
def base():
    return Circuit(small_wiring(), "ctrnn", CTRNNParams(tau=TAU, weight_scale=0.8, activation="tanh"))


def _same(a, b):
    np.testing.assert_array_equal(a, b)


def test_batch_of_params_equals_loop(base):
    circuits = [base.with_params(bias=b) for b in (0.0, 0.3, -0.5, 1.0)]
    drive = inputs.step("PLML", 1.0, 2.5)
    ts = np.linspace(*SPAN, 21)
    for solver in (RK4(0.05), Dopri5(rtol=1e-8, atol=1e-10)):
        batch = simulate_batch(circuits, SPAN, drive, solver, saveat=ts)
        assert batch.y.shape == (4, 21, 5) and batch.batched
        for b, c in enumerate(circuits):
            single = simulate(c, SPAN, drive, solver, saveat=ts)
            _same(batch.y[b], single.y)
            _same(batch.at(4.321)["x"][b], single.at(4.321)["x"])
            assert batch.stats["steps"][b] == single.stats["steps"][0]


def test_batch_of_stimuli_and_initial_states_equals_loop(base):
    drives = [inputs.constant("AVAL", a) + inputs.pulse("DB1", 1.0, start=1.0 + a, duration=0.5)
              for a in (0.0, 0.5, 1.0)]
    y0 = np.random.default_rng(0).normal(size=(3, 5))
    ts = np.linspace(*SPAN, 11)
    batch = simulate_batch(base, SPAN, drives, Dopri5(rtol=1e-7, atol=1e-9), y0=y0, saveat=ts)
    for b in range(3):
        single = simulate(base, SPAN, drives[b], Dopri5(rtol=1e-7, atol=1e-9), y0=y0[b], saveat=ts)
        _same(batch.y[b], single.y)


def test_fixed_step_batch_on_step_grid(base):
    y0 = np.linspace(-1, 1, 10).reshape(2, 5)
    batch = simulate_batch(base, SPAN, inputs.step("AVAR", 0.5, 3.3), RK4(0.1), y0=y0, every=5)
    for b in range(2):
        single = simulate(base, SPAN, inputs.step("AVAR", 0.5, 3.3), RK4(0.1), y0=y0[b], every=5)
        _same(batch.t, single.t)
        _same(batch.y[b], single.y)
    df = batch.to_dataframe()
    assert df.index.names == ["member", "t"] and df.shape == (2 * len(batch.t), 5)


def test_batch_needs_saveat_when_grids_differ(base):
    with pytest.raises(ParameterError, match="pass saveat"):
        simulate_batch(base, SPAN, [inputs.step("AVAL", 1, 1.0), inputs.step("AVAL", 1, 2.0)], RK4(0.1))
    with pytest.raises(ParameterError, match="pass saveat"):
        simulate_batch([base, base.with_params(bias=1.0)], SPAN, None, Dopri5())
    with pytest.raises(ParameterError, match=r"batch arguments disagree: 3 circuits, 2 inputs"):
        simulate_batch([base] * 3, SPAN, [None, None], RK4(0.1))
    with pytest.raises(ParameterError, match=r"same model and the same neurons"):
        other = Circuit(small_wiring().subset(NAMES[:4]), "ctrnn")
        simulate_batch([base, other], SPAN, None, RK4(0.1))
    with pytest.raises(ParameterError, match=r"y0 for a batch must have shape \(B, n_state\)"):
        simulate_batch(base, SPAN, None, RK4(0.1), y0=np.zeros(5))


def test_relabelling_neurons_permutes_result(base):
    w = base.wiring
    perm = [3, 0, 4, 1, 2]
    w2 = w.subset([w.neurons[i] for i in perm])
    c2 = Circuit(w2, "ctrnn", CTRNNParams(tau=TAU[perm], weight_scale=0.8, activation="tanh"))
    drive = inputs.pulse("AVAR", 1.0, 1.0, 2.0) + inputs.samples("DB1", [0.0, 4.0, 8.0], [0.0, 1.0, -1.0])
    ts = np.linspace(*SPAN, 31)
    r1 = simulate(base, SPAN, drive, Dopri5(rtol=1e-10, atol=1e-12), saveat=ts)
    r2 = simulate(c2, SPAN, drive, Dopri5(rtol=1e-10, atol=1e-12), saveat=ts)
    assert r2.neurons == tuple(w.neurons[i] for i in perm)
    np.testing.assert_allclose(r2["x"], r1["x"][:, perm], rtol=0, atol=1e-9)
    # record order follows the request
    r3 = simulate(base, SPAN, drive, Dopri5(rtol=1e-10, atol=1e-12), saveat=ts, record=["DB1", "AVAL"])
    np.testing.assert_array_equal(r3["x"], r1["x"][:, [4, 0]])


def test_batch_divergence_names_member(base):
    from circuitsim.errors import DivergenceError

    w = base.wiring
    weights = w.chemical.data * w.sign.data * 0.8
    self_loop = int(np.flatnonzero((w.chemical.tocoo().row == 4) & (w.chemical.tocoo().col == 4))[0])
    boom = weights.copy()
    boom[self_loop] = 5000.0  # DB1 excites itself without bound (identity activation)
    good = base.with_params(activation="identity", weights=weights)
    bad = base.with_params(activation="identity", weights=boom)
    with pytest.raises(DivergenceError, match=r"'x' of neuron 'DB1' became non-finite .* in batch member 1") as info:
        simulate_batch([good, bad, good], SPAN, None, RK4(0.01), y0=np.full((3, 5), 0.1))
    err = info.value
    assert err.member == 1 and err.neuron == "DB1"
    assert err.result.batched and np.isfinite(err.result.y).all()
