"""External drive: table evaluation against a from-scratch reference, jumps landed on exactly."""

from __future__ import annotations

import numpy as np
import pytest

import connectome
from circuitsim import inputs
from circuitsim._kernels.inputs import input_at
from circuitsim.circuit import Circuit
from circuitsim.errors import InputError, UnknownNeuronError
from circuitsim.models.ctrnn import CTRNNParams
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4, Dopri5, Euler

from engine_fixtures import NAMES, small_wiring
from reference import affine_exact_piecewise, ctrnn_rhs, dense_signed_weights, drive_value, linear_system, \
    solve_piecewise

TAU = np.array([2.0, 3.0, 1.5, 4.0, 2.5])
SPAN = (0.0, 12.0)


@pytest.fixture(scope="module")
def wiring():
    return small_wiring()


def _mixed_drive():
    return (inputs.constant(["AVAL", "AVAR"], [0.3, -0.2])
            + inputs.step("PLML", 1.5, at=3.37)
            + inputs.pulse("DB1", -0.8, start=1.1, duration=0.9, period=2.5, count=3)
            + inputs.samples("PLMR", [0.5, 2.0, 4.1, 7.3, 9.0], [0.0, 1.0, -1.0, 0.5, 0.2], "linear")
            + inputs.samples(["AVAL", "DB1"], [2.2, 5.05, 8.8], [[1.0, 0.1], [-0.5, 0.4], [0.0, 0.0]], "previous"))


JUMPS = [1.1, 2.0, 3.37, 3.6, 4.5, 5.05, 6.1, 7.0, 8.8]


def test_table_matches_reference_everywhere(wiring):
    drive = _mixed_drive()
    tab = inputs.build_table([drive], wiring.neurons, wiring, SPAN)
    np.testing.assert_array_equal(tab.breaks, JUMPS)
    index = {nm: i for i, nm in enumerate(wiring.neurons)}
    desc = drive.describe()
    edges = [SPAN[0], *JUMPS, SPAN[1]]
    u = np.empty(5)
    for seg, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        for t in np.r_[a, np.linspace(a, b, 7)[1:-1], b]:
            input_at(tab, seg, t, u)
            side = "left" if t == b and t != a else "right"
            np.testing.assert_allclose(u, drive_value(desc, 5, index, t, side), atol=1e-14, err_msg=f"t={t}")


@pytest.mark.parametrize("solver", [RK4(0.5), Euler(0.5), Dopri5(rtol=1e-6, atol=1e-9)])
def test_steps_land_on_jumps(wiring, solver):
    c = Circuit(wiring, "ctrnn", CTRNNParams.linear(tau=TAU, weight_scale=0.3))
    r = simulate(c, SPAN, _mixed_drive(), solver)
    nodes = r.dense.node_t[0, : r.dense.n_steps[0] + 1]
    for tj in JUMPS:
        assert tj in nodes, tj
    if solver.fixed_step:
        assert np.diff(nodes).max() <= 0.5 + 1e-12


@pytest.mark.parametrize("solver, tol", [(RK4(0.01), 1e-9), (Dopri5(rtol=1e-10, atol=1e-12), 1e-8)])
def test_step_and_pulse_exact_against_expm(wiring, solver, tol):
    """Piecewise-constant drive on a linear network: exact by matrix exponentials per piece."""
    W = dense_signed_weights(wiring, 0.3)
    A, c0 = linear_system(W, TAU, 0.0)
    drive = inputs.step("PLML", 1.5, at=3.37) + inputs.pulse("AVAR", 2.0, start=5.013, duration=1.7)
    amp = np.zeros((4, 5))
    amp[1:, 2] = 1.5
    amp[2, 1] = 2.0
    pieces = [(0.0, amp[0] / TAU), (3.37, amp[1] / TAU), (5.013, amp[2] / TAU), (6.713, amp[3] / TAU)]
    x0 = np.array([0.5, 0.0, -0.3, 0.1, 0.2])
    circuit = Circuit(wiring, "ctrnn", CTRNNParams.linear(tau=TAU, weight_scale=0.3), y0=x0)
    ts = np.linspace(*SPAN, 49)
    r = simulate(circuit, SPAN, drive, solver, saveat=ts)
    exact = affine_exact_piecewise(A, pieces, x0, ts)
    assert np.abs(r["x"] - exact).max() < tol
    tq = np.array([3.369, 3.371, 5.0, 6.0, 6.713, 11.9])
    assert np.abs(r.at(tq, "x") - affine_exact_piecewise(A, pieces, x0, tq)).max() < tol


def test_mixed_drive_nonlinear_against_solve_ivp(wiring):
    p = CTRNNParams(tau=TAU, weight_scale=0.8, bias=0.1, activation="tanh")
    circuit = Circuit(wiring, "ctrnn", p)
    W = dense_signed_weights(wiring, 0.8)
    drive = _mixed_drive()
    desc = drive.describe()
    index = {nm: i for i, nm in enumerate(wiring.neurons)}
    ts = np.linspace(*SPAN, 61)

    def f(t, x, side):
        return ctrnn_rhs(W, TAU, 0.1, "tanh", x, drive_value(desc, 5, index, t, side))

    ref = solve_piecewise(f, np.zeros(5), SPAN, JUMPS, ts)
    r = simulate(circuit, SPAN, drive, Dopri5(rtol=1e-10, atol=1e-12), saveat=ts)
    assert np.abs(r["x"] - ref).max() < 1e-8


def test_jump_at_span_start_and_end(wiring):
    c = Circuit(wiring, "ctrnn", CTRNNParams.linear(tau=TAU, weight_scale=0.3))
    drive = inputs.step("AVAL", 1.0, at=0.0) + inputs.step("AVAR", 1.0, at=SPAN[1])
    tab = inputs.build_table([drive], wiring.neurons, wiring, SPAN)
    assert len(tab.breaks) == 0
    u = np.empty(5)
    input_at(tab, 0, 0.0, u)
    assert u[0] == 1.0 and u[1] == 0.0
    input_at(tab, 0, SPAN[1], u)
    assert u[1] == 0.0
    r = simulate(c, SPAN, drive, RK4(0.1))
    assert r["x"][1, 0] > 0  # on from the start


def test_neuron_names_are_normalised_and_unknown_ones_named(wiring):
    tab = inputs.build_table([inputs.constant("aval", 1.0)], wiring.neurons, wiring, SPAN)
    assert tab.values[0, 0] == 1.0
    with pytest.raises(UnknownNeuronError, match=r"unknown neuron 'AVAX'.*did you mean 'AVA"):
        inputs.build_table([inputs.constant("AVAX", 1.0)], wiring.neurons, wiring, SPAN)
    with pytest.raises(connectome.UnknownNeuronError):
        simulate(Circuit(wiring, "ctrnn"), SPAN, inputs.step("PLMX", 1.0, 2.0), RK4(0.1))


@pytest.mark.parametrize("stim, match", [
    (inputs.step("AVAL", 1.0, at=13.0), r"step on \['AVAL'\] has time 13 ms outside the simulated span \[0, 12\]"),
    (inputs.step("AVAL", 1.0, at=-1.0), r"outside the simulated span"),
    (inputs.pulse("AVAL", 1.0, start=20.0, duration=1.0), r"pulse .* time 20 ms outside"),
    (inputs.samples("AVAL", [0.0, 5.0, 15.0], [1, 2, 3]), r"samples .* time 15 ms outside .* trim the samples"),
])
def test_times_outside_span(wiring, stim, match):
    with pytest.raises(InputError, match=match):
        simulate(Circuit(wiring, "ctrnn"), SPAN, stim, RK4(0.1))


@pytest.mark.parametrize("make, match", [
    (lambda: inputs.constant("AVAL", np.nan), r"amplitude must be finite"),
    (lambda: inputs.constant(["AVAL", "AVAR"], [1.0, 2.0, 3.0]), r"amplitude must be a scalar or have shape \(2,\)"),
    (lambda: inputs.constant([], 1.0), r"at least one neuron"),
    (lambda: inputs.constant(3, 1.0), r"neurons must be a name or a sequence"),
    (lambda: inputs.step("AVAL", "x", 1.0), r"amplitude must be numeric"),
    (lambda: inputs.step("AVAL", 1.0, np.inf), r"at must be finite"),
    (lambda: inputs.pulse("AVAL", 1.0, 0.0, 0.0), r"duration must be positive"),
    (lambda: inputs.pulse("AVAL", 1.0, 0.0, 1.0, count=0), r"count must be a positive integer"),
    (lambda: inputs.pulse("AVAL", 1.0, 0.0, 1.0, count=2), r"period is needed"),
    (lambda: inputs.pulse("AVAL", 1.0, 0.0, 1.0, period=0.5, count=2), r"must exceed the duration"),
    (lambda: inputs.samples("AVAL", [0.0, 2.0, 1.0], [1, 2, 3]), r"strictly increasing; times\[1\] = 2.0"),
    (lambda: inputs.samples("AVAL", [], []), r"non-empty 1-d array"),
    (lambda: inputs.samples("AVAL", [0.0, 1.0], [1, 2, 3]), r"values must have shape \(2,\) or \(2, 1\)"),
    (lambda: inputs.samples("AVAL", [0.0, 1.0], [1, 2], "cubic"), r"interpolation must be 'linear', 'previous' or 'next'"),
    (lambda: inputs.samples("AVAL", [0.0, np.nan], [1, 2]), r"times must be finite"),
    (lambda: inputs.as_drive(3.0), r"inputs must be a stimulus"),
    (lambda: inputs.Drive((1.0,)), r"a drive is made of stimuli"),
])
def test_stimulus_validation(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_channel_names_for_non_neuron_inputs(wiring):
    tab = inputs.build_table([inputs.constant("ch1", 2.0)], ("ch0", "ch1"), None, SPAN)
    assert tab.values.tolist() == [[0.0, 2.0]]
    with pytest.raises(UnknownNeuronError, match=r"unknown neuron 'ch2'.*input channels"):
        inputs.build_table([inputs.constant("ch2", 2.0)], ("ch0", "ch1"), None, SPAN)


def test_describe_round_trips_through_json():
    import json

    d = _mixed_drive()
    assert json.loads(d.to_json()) == d.describe()
    assert [s["kind"] for s in d.describe()] == ["constant", "step", "pulse", "samples", "samples"]
    assert NAMES[0] in d.describe()[0]["neurons"]
