"""Every validation branch raises a specific error before any compiled code runs."""

from __future__ import annotations

import numpy as np
import pytest

import connectome
from circuitsim.circuit import Circuit
from circuitsim.errors import ParameterError, UnknownNeuronError
from circuitsim.models.base import check_array, check_scalar, get_model
from circuitsim.models.ctrnn import CTRNNParams
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4, Dopri5, Euler, get_solver

from engine_fixtures import small_wiring


@pytest.fixture(scope="module")
def circuit():
    return Circuit(small_wiring(), "ctrnn")


@pytest.mark.parametrize("span, match", [
    ((0.0, -1.0), r"t_span must be increasing .* got \(0, -1\) ms; did you mean \(t1, t0\)"),
    ((5.0, 5.0), r"t_span must have positive length, got \(5, 5\)"),
    (0.0, r"t_span must have positive length"),
    ((0.0, np.inf), r"t_span must be finite"),
    ((np.nan, 1.0), r"t_span must be finite"),
    (("a", 1.0), r"t_span must be \(t0, t1\)"),
    ((0.0, 1.0, 2.0), r"t_span must be \(t0, t1\)"),
])
def test_bad_span(circuit, span, match):
    with pytest.raises(ParameterError, match=match):
        simulate(circuit, span, None, RK4(0.1))


@pytest.mark.parametrize("kw, match", [
    (dict(every=0), r"every must be a positive integer"),
    (dict(every=1.5), r"every must be a positive integer"),
    (dict(every=True), r"every must be a positive integer"),
    (dict(saveat=[[0.0, 1.0]]), r"saveat must be a non-empty 1-d array"),
    (dict(saveat=[]), r"saveat must be a non-empty 1-d array"),
    (dict(saveat=[0.0, np.nan]), r"saveat must be finite"),
    (dict(saveat=[1.0, 0.5]), r"saveat must be strictly increasing"),
    (dict(saveat=[0.5, 12.0]), r"saveat time 12 ms is outside the simulated span \[0, 10\] ms"),
    (dict(record=[]), r"record must name at least one neuron"),
    (dict(record=["AVAL", "aval"]), r"record lists a neuron twice"),
    (dict(variables=["V"]), r"unknown state variable 'V' for CTRNN; it has \('x',\)"),
    (dict(variables=["x", "x"]), r"variables must be distinct"),
    (dict(y0=np.zeros(4)), r"y0 must have shape \(5,\)"),
    (dict(y0=[np.nan, 0, 0, 0, 0]), r"y0 must be finite; 'x' of neuron 'AVAL' is nan"),
])
def test_bad_simulate_arguments(circuit, kw, match):
    with pytest.raises(ParameterError, match=match):
        simulate(circuit, (0.0, 10.0), None, RK4(0.1), **kw)


def test_unknown_record_neuron(circuit):
    with pytest.raises(UnknownNeuronError, match=r"unknown neuron 'AVAX' in record; did you mean 'AVA"):
        simulate(circuit, (0.0, 10.0), None, RK4(0.1), record=["AVAL", "AVAX"])


def test_bad_circuit_argument():
    with pytest.raises(ParameterError, match="circuit must be a Circuit, got str"):
        simulate("worm", (0, 1))


@pytest.mark.parametrize("make, match", [
    (lambda: RK4(0.0), r"dt must be positive and finite, got 0.0"),
    (lambda: Euler(-1), r"dt must be positive and finite"),
    (lambda: RK4(np.nan), r"dt must be positive and finite"),
    (lambda: RK4(np.inf), r"dt must be positive and finite"),
    (lambda: RK4("a"), r"dt must be a number"),
    (lambda: Dopri5(rtol=0.0, atol=1e-9).dt, None),
    (lambda: Dopri5(rtol=1.0), r"rtol must be 0 or in \[1e-14, 1\), got 1.0"),
    (lambda: Dopri5(rtol=1e-20), r"rtol must be 0 or in \[1e-14, 1\)"),
    (lambda: Dopri5(rtol=-1e-3), r"rtol must be 0 or in"),
    (lambda: Dopri5(atol=0.0), r"atol must be positive, got 0.0"),
    (lambda: Dopri5(atol=np.nan), r"atol must be finite"),
    (lambda: Dopri5(atol="a"), r"atol must be numeric"),
    (lambda: Dopri5(atol={"x": -1.0}), r"atol\['x'\] must be positive"),
    (lambda: Dopri5(rtol=np.ones((2, 2)) * 1e-3), r"rtol must be a scalar, a dict per variable or a 1-d array"),
    (lambda: Dopri5(h0=0.0), r"h0 must be positive"),
    (lambda: Dopri5(h_max=-1.0), r"h_max must be positive"),
    (lambda: Dopri5(max_steps=0), r"max_steps must be a positive integer"),
    (lambda: Dopri5(max_steps=2.5), r"max_steps must be a positive integer"),
    (lambda: Dopri5(dt=0.0), r"dt must be positive"),
    (lambda: get_solver("rk5"), r"unknown solver 'rk5'; did you mean 'rk4'"),
    (lambda: get_solver(3), r"solver must be a Solver instance or name, got int"),
])
def test_bad_solver(make, match):
    if match is None:
        make()
        return
    with pytest.raises(ParameterError, match=match):
        make()


@pytest.mark.parametrize("solver, match", [
    (Dopri5(atol={"V": 1e-3}), r"atol names unknown state variable 'V'; the model has \('x',\)"),
    (Dopri5(rtol=np.full(3, 1e-6)), r"rtol array must have shape \(5,\) \(one per state entry\), got \(3,\)"),
])
def test_tolerances_checked_against_circuit(circuit, solver, match):
    with pytest.raises(ParameterError, match=match):
        simulate(circuit, (0.0, 1.0), None, solver)


def test_solver_by_name(circuit):
    assert isinstance(get_solver("rk4"), RK4) and isinstance(get_solver(None), Dopri5)


@pytest.mark.parametrize("make, match", [
    (lambda w: Circuit("w", "ctrnn"), r"wiring must be a connectome.Wiring, got str"),
    (lambda w: Circuit(w, "ctrn"), r"unknown model 'ctrn'; did you mean 'ctrnn'"),
    (lambda w: Circuit(w, 3), r"model must be a Model instance or a registered name"),
    (lambda w: Circuit(w, "ctrnn", params=object()), r"CTRNN needs CTRNNParams, got object"),
    (lambda w: Circuit(w, "ctrnn", CTRNNParams(tau=np.ones(3))), r"tau must be a scalar or have shape \(5,\)"),
    (lambda w: Circuit(w, "ctrnn", CTRNNParams(bias=np.ones((5, 1)))), r"bias must be a scalar or have shape"),
    (lambda w: Circuit(w, "ctrnn", CTRNNParams(weights=np.ones(3))), r"weights must have shape \(9,\)"),
    (lambda w: CTRNNParams(weights=np.ones((3, 3))), r"weights must be a 1-d per-synapse array"),
    (lambda w: CTRNNParams(tau=[1.0, np.nan]), r"tau must be finite, got nan at index \(1,\)"),
    (lambda w: CTRNNParams(tau=[1.0, -2.0]), r"tau must be positive, got -2.0 at index \(1,\)"),
    (lambda w: CTRNNParams(bias=np.inf), r"bias must be finite, got inf"),
    (lambda w: CTRNNParams(activation="softplus"), r"activation must be one of"),
    (lambda w: CTRNNParams(tau="fast"), r"tau must be numeric"),
    (lambda w: Circuit(w, "ctrnn", y0=np.zeros((2, 5))), r"y0 must have shape \(5,\)"),
    (lambda w: Circuit(w, "ctrnn", y0=["a"] * 5), r"y0 must be numeric"),
    (lambda w: Circuit(w, "ctrnn", y0=[0, 0, np.inf, 0, 0]), r"'x' of neuron 'PLML' is inf"),
])
def test_bad_circuit(make, match):
    with pytest.raises(ParameterError, match=match):
        make(small_wiring())


def test_check_helpers():
    assert check_scalar("g", 2) == 2.0
    with pytest.raises(ParameterError, match="g must be a scalar, got shape"):
        check_scalar("g", [1.0, 2.0])
    with pytest.raises(ParameterError, match=r"g must be >= 0.5, got 0.1"):
        check_array("g", 0.1, lower=0.5)
    with pytest.raises(ParameterError, match=r"g must be <= 1.0, got 2.0"):
        check_array("g", 2.0, upper=1.0)
    with pytest.raises(ParameterError, match=r"g must be non-negative, got -1.0"):
        check_array("g", -1.0, nonnegative=True)
    with pytest.raises(ParameterError, match=r"g must be a scalar or have shape \(3,\)"):
        check_array("g", [1.0, 2.0], shape=(3,))
    assert check_array("g", 1.0, shape=(3,)).tolist() == [1.0, 1.0, 1.0]
    assert get_model("ctrnn").state_names == ("x",)


def test_circuit_conveniences():
    w = small_wiring()
    c = Circuit(w, "ctrnn", y0=np.arange(5.0).reshape(1, 5))
    assert c.n == 5 and c.n_state == 5 and c.neurons == w.neurons
    np.testing.assert_array_equal(c.state_block(c.y0, "x"), np.arange(5.0))
    c2 = c.with_params(tau=3.0)
    assert c2.params.tau == 3.0 and np.array_equal(c2.y0, c.y0)
    c3 = c.replace(wiring=w.subset(["AVAL", "AVAR"]))
    assert c3.y0.shape == (2,)
    assert "CTRNN" in repr(c) and not c.y0.flags.writeable
    assert isinstance(w, connectome.Wiring)
