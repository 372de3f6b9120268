"""Bad input, everywhere a user can give it: each case a specific, named error with a message that says what.

Every case is (what is tried, the exception class, a regex its message must match). The
list covers the findings of the user trials (class names, duplicates, units, results,
files, liquid networks, exports) and the validation of every public entry point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import connectome
import circuitsim as cs
from circuitsim import errors as E
from circuitsim.solvers.tableaus import ExplicitTableau
from connectome import errors as CE

W3 = connectome.Wiring(["A", "B", "C"], [[0, 1, 0], [0, 0, 1], [1, 0, 0]], inputs=["A"], outputs=["C"], name="w3")


def _worm():
    return connectome.Wiring.from_connectome(connectome.load("varshney2011"))


_cache = {}


def worm():
    if "w" not in _cache:
        _cache["w"] = _worm()
    return _cache["w"]


def graded():
    if "g" not in _cache:
        _cache["g"] = cs.kunert2014(worm(), {"PLML": 2000, "PLMR": 2000})
    return _cache["g"]


def ctrnn():
    return cs.Circuit(W3, "ctrnn")


def result():
    if "r" not in _cache:
        _cache["r"] = cs.simulate(ctrnn(), 10.0, cs.constant("A", 1.0), cs.RK4(0.5))
    return _cache["r"]


def batched():
    if "b" not in _cache:
        _cache["b"] = cs.simulate_batch([ctrnn()], 10.0, [cs.constant("A", 1.0), cs.constant("A", 2.0)], cs.RK4(0.5))
    return _cache["b"]


def edges(**cols):
    base = {"pre": ["A", "B"], "post": ["B", "C"], "type": ["chemical", "chemical"], "weight": [1, 2]}
    base.update(cols)
    return pd.DataFrame(base)


def bad_file(tmp, content: bytes, name="bad.npz"):
    path = tmp / name
    path.write_bytes(content)
    return path


CASES = [
    # -- datasets and names -----------------------------------------------------------------------
    ("unknown dataset", lambda t: connectome.load("varshney2012"), CE.UnknownDatasetError, "did you mean 'varshney2011'"),
    ("unknown neuron", lambda t: connectome.load("varshney2011").neuron("AVAX"), CE.UnknownNeuronError, "did you mean"),
    ("unknown atlas", lambda t: connectome.functional_atlas("randi2022"), CE.UnknownNameError, "randi2023"),
    ("unknown strain", lambda t: connectome.functional_atlas("randi2023", strain="mutant"), CE.UnknownNameError, "wt"),
    ("input type typo", lambda t: connectome.Wiring.from_connectome(connectome.load("varshney2011"), inputs="sensroy"),
     CE.UnknownNameError, "neuron type 'sensroy'.*did you mean 'sensory'"),
    ("restrict twice", lambda t: connectome.load("varshney2011").restrict(["AVAL", "AVAL"]), CE.DuplicateNameError,
     "'AVAL' twice"),
    ("from_connectome twice", lambda t: connectome.Wiring.from_connectome(connectome.load("varshney2011"),
                                                                           ["AVAL", "AVAR", "AVAL"]),
     CE.DuplicateNameError, "'AVAL' twice"),
    ("ablate class and member", lambda t: worm().ablate(["AVA", "AVAL"]), CE.DuplicateNameError, "'AVAL' twice"),
    ("ablate unknown class", lambda t: worm().ablate(["AVX"]), CE.UnknownNeuronError, "neither a neuron nor a class"),
    ("resolve typo", lambda t: connectome.resolve(worm(), ["PLX"]), CE.UnknownNeuronError, "did you mean"),
    ("wiring repeated names", lambda t: connectome.Wiring(["A", "A"], [[0, 1], [0, 0]]), CE.WiringError, "repeated"),
    ("wiring bad shape", lambda t: connectome.Wiring(["A", "B"], [[0, 1, 0]]), CE.WiringError, "shape"),
    ("wiring no neurons", lambda t: connectome.Wiring([], np.zeros((0, 0))), CE.WiringError, "at least one neuron"),
    # -- edge tables ---------------------------------------------------------------------------------
    ("edgelist not a frame", lambda t: connectome.from_edgelist([("A", "B")]), CE.EdgeTableError, "DataFrame"),
    ("edgelist None name", lambda t: connectome.from_edgelist(edges(pre=["A", None])), CE.EdgeTableError,
     "missing or non-text neuron name"),
    ("edgelist NaN name", lambda t: connectome.from_edgelist(edges(pre=["A", np.nan])), CE.EdgeTableError,
     "missing or non-text neuron name"),
    ("edgelist source/target NaN", lambda t: connectome.from_edgelist(
        pd.DataFrame({"source": ["A", np.nan], "target": ["B", "C"], "weight": [1, 1]})), CE.EdgeTableError,
     "missing or non-text"),
    ("edgelist no weight", lambda t: connectome.from_edgelist(pd.DataFrame({"source": ["A"], "target": ["B"]})),
     CE.EdgeTableError, r"missing column\(s\) \['weight'\]"),
    ("edgelist negative weight", lambda t: connectome.from_edgelist(edges(weight=[1, -2])), CE.EdgeTableError,
     "zero or negative"),
    ("edgelist NaN weight", lambda t: connectome.from_edgelist(edges(weight=[1, np.nan])), CE.EdgeTableError,
     "NaN"),
    ("edgelist bad type", lambda t: connectome.from_edgelist(edges(type=["chemical", "wireless"])), CE.EdgeTableError,
     "unknown synapse type"),
    ("edgelist duplicate", lambda t: connectome.from_edgelist(edges(pre=["A", "A"], post=["B", "B"])),
     CE.EdgeTableError, "duplicate connection"),
    ("networkx not a graph", lambda t: connectome.from_networkx("graph"), CE.ConnectomeError, "graph"),
    # -- wiring and result files ------------------------------------------------------------------
    ("wiring file truncated", lambda t: connectome.Wiring.load(bad_file(t, b"PK\x03\x04junk")), CE.WiringFileError,
     "cannot read wiring file .*bad.npz"),
    ("wiring file empty", lambda t: connectome.Wiring.load(bad_file(t, b"")), CE.WiringFileError, "bad.npz"),
    ("wiring file foreign", lambda t: (np.savez(t / "f.npz", a=np.zeros(2)), connectome.Wiring.load(t / "f.npz")),
     CE.WiringFileError, "not a wiring"),
    ("result file truncated", lambda t: cs.Result.load(bad_file(t, b"PK\x03\x04junk")), E.ResultFileError,
     "cannot read result file .*bad.npz"),
    ("result file empty", lambda t: cs.Result.load(bad_file(t, b"")), E.ResultFileError, "empty"),
    ("result file missing", lambda t: cs.Result.load(t / "none.npz"), E.ResultFileError, "does not exist"),
    ("result file foreign", lambda t: (np.savez(t / "f.npz", a=np.zeros(2)), cs.Result.load(t / "f.npz")),
     E.ResultFileError, "not a circuitsim result"),
    ("result file byte-flipped", lambda t: cs.Result.load(_flipped(t)), E.ResultFileError, "corrupt"),
    ("result netcdf read back", lambda t: cs.Result.load(bad_file(t, b"CDF", "x.nc")), E.ResultFileError,
     "xarray.open_dataset"),
    ("result save .h5", lambda t: result().save(t / "x.h5"), E.ParameterError, "unknown result file extension '.h5'"),
    ("result save no extension", lambda t: result().save(t / "x"), E.ParameterError, "unknown result file extension"),
    ("save into missing folder", lambda t: result().save(t / "nope" / "x.npz"), FileNotFoundError, "does not exist"),
    # -- circuits and parameters ------------------------------------------------------------------
    ("circuit not a wiring", lambda t: cs.Circuit("W3", "ctrnn"), E.ParameterError, "connectome.Wiring"),
    ("unknown model", lambda t: cs.Circuit(W3, "ctrnm"), E.ParameterError, "did you mean 'ctrnn'"),
    ("y0 wrong shape", lambda t: cs.Circuit(W3, "ctrnn", y0=[0, 1]), E.ParameterError, r"y0 must have shape \(3,\)"),
    ("y0 NaN", lambda t: cs.Circuit(W3, "ctrnn", y0=[0, np.nan, 0]), E.ParameterError, "must be finite"),
    ("unknown initial state", lambda t: cs.kunert2014(W3, y0="resting"), E.ParameterError,
     "unknown initial state 'resting'"),
    ("graded NaN capacitance", lambda t: cs.GradedParams(C=np.nan), E.ParameterError, "C must be finite"),
    ("graded negative leak", lambda t: cs.GradedParams(Gc=-1), E.ParameterError, "Gc must be positive"),
    ("graded convention", lambda t: cs.GradedParams(threshold="authors"), E.ParameterError,
     "threshold must be one of"),
    ("graded per-neuron shape", lambda t: cs.Circuit(W3, "graded", cs.GradedParams(C=[1.0, 2.0])), E.ParameterError,
     r"C must be a scalar or have shape \(3,\)"),
    ("graded threshold input name", lambda t: cs.Circuit(W3, "graded", cs.GradedParams(threshold_input={"Z": 1})),
     E.UnknownNeuronError, "threshold_input"),
    ("ctrnn activation", lambda t: cs.CTRNNParams(activation="softsign"), E.ParameterError, "activation must be"),
    ("ctrnn tau zero", lambda t: cs.CTRNNParams(tau=0.0), E.ParameterError, "tau must be positive"),
    ("ctrnn weights shape", lambda t: cs.Circuit(W3, "ctrnn", cs.CTRNNParams(weights=[1.0])), E.ParameterError,
     r"weights must have shape \(3,\)"),
    ("ltc negative cm", lambda t: cs.LTCParams.initial(W3).replace(cm=-np.ones(3)), E.ParameterError,
     "cm must be positive"),
    ("ltc for another wiring", lambda t: cs.Circuit(worm(), "ltc", cs.LTCParams.initial(W3)), E.ParameterError,
     "gleak has 3 values"),
    ("cfc mode", lambda t: cs.CfCParams.wired(W3, mode="gated"), E.ParameterError, "unknown CfC mode 'gated'"),
    ("cfc recurrent", lambda t: cs.CfCParams.wired(W3, recurrent="all"), E.ParameterError,
     "recurrent must be 'wiring' or 'ncps'"),
    # -- stimuli and units ------------------------------------------------------------------------
    ("stimulus twice", lambda t: cs.constant(["A", "A"], 1.0), E.InputError, "lists 'A' twice"),
    ("stimulus class and member", lambda t: cs.simulate(graded(), 10.0, cs.constant(["PLM", "PLML"], 1.0)),
     E.InputError, "drives a neuron twice"),
    ("stimulus unknown neuron", lambda t: cs.simulate(graded(), 10.0, cs.constant("PLMX", 1.0)),
     E.UnknownNeuronError, "neither a neuron nor a class.*did you mean"),
    ("stimulus no neuron", lambda t: cs.constant([], 1.0), E.InputError, "at least one neuron"),
    ("stimulus NaN amplitude", lambda t: cs.constant("A", np.nan), E.InputError, "amplitude must be finite"),
    ("stimulus amplitude unit", lambda t: cs.constant("A", "2 volts"), E.InputError,
     "amplitude must be numeric: '2 volts' is not a number with a unit"),
    ("stimulus amplitude text", lambda t: cs.step("A", "x", 1.0), E.InputError, "amplitude must be numeric"),
    ("step time unit", lambda t: cs.step("A", 1.0, "3 parsecs"), E.ParameterError, "at must be numeric"),
    ("pulse duration zero", lambda t: cs.pulse("A", 1.0, 0.0, 0.0), E.InputError, "duration must be positive"),
    ("pulse period", lambda t: cs.pulse("A", 1.0, 0.0, 2.0, period=1.0, count=2), E.InputError,
     "must exceed the duration"),
    ("pulse count", lambda t: cs.pulse("A", 1.0, 0.0, 1.0, count=0), E.InputError, "count must be a positive"),
    ("samples unsorted", lambda t: cs.samples("A", [0, 2, 1], [1, 2, 3]), E.InputError, "strictly increasing"),
    ("samples shape", lambda t: cs.samples("A", [0, 1], [1, 2, 3]), E.InputError, r"values must have shape"),
    ("samples interpolation", lambda t: cs.samples("A", [0, 1], [1, 2], "cubic"), E.InputError,
     "interpolation must be 'linear', 'previous' or 'next'"),
    ("current into a unitless model", lambda t: cs.simulate(ctrnn(), 10.0, cs.constant("A", "2 nA")), E.InputError,
     "is a current, but this model's input is in '1' units"),
    ("stimulus outside span", lambda t: cs.simulate(ctrnn(), 10.0, cs.step("A", 1.0, 50.0)), E.InputError,
     "outside the simulated span"),
    ("inputs not stimuli", lambda t: cs.simulate(ctrnn(), 10.0, 3.0), E.InputError, "inputs must be a stimulus"),
    ("circuit drive unknown channel", lambda t: cs.Circuit(W3, "ctrnn", drive=cs.constant("Z", 1.0)),
     E.UnknownNeuronError, "'Z'"),
    # -- simulate -----------------------------------------------------------------------------------
    ("span reversed", lambda t: cs.simulate(ctrnn(), (5.0, 1.0)), E.ParameterError, "did you mean \\(t1, t0\\)"),
    ("span zero", lambda t: cs.simulate(ctrnn(), 0.0), E.ParameterError, "positive length"),
    ("span NaN", lambda t: cs.simulate(ctrnn(), (0.0, np.nan)), E.ParameterError, "finite"),
    ("span bad unit", lambda t: cs.simulate(ctrnn(), "10 fortnights"), E.ParameterError, "t_span must be"),
    ("span three values", lambda t: cs.simulate(ctrnn(), (0.0, 1.0, 2.0)), E.ParameterError,
     r"t_span must be \(t0, t1\)"),
    ("circuit not a circuit", lambda t: cs.simulate("c", 10.0), E.ParameterError, "circuit must be a Circuit"),
    ("unknown solver name", lambda t: cs.simulate(ctrnn(), 10.0, solver="rk5"), E.ParameterError,
     "unknown solver 'rk5'; did you mean 'rk4'"),
    ("solver not a solver", lambda t: cs.simulate(ctrnn(), 10.0, solver=3), E.ParameterError,
     "solver must be a Solver"),
    ("record unknown", lambda t: cs.simulate(ctrnn(), 10.0, record=["Q"]), E.UnknownNeuronError, "'Q' in record"),
    ("record twice", lambda t: cs.simulate(ctrnn(), 10.0, record=["A", "A"]), E.ParameterError,
     "record lists a neuron twice"),
    ("record class and member", lambda t: cs.simulate(graded(), 10.0, record=["AVA", "AVAL"]), E.ParameterError,
     "record lists a neuron twice"),
    ("record empty", lambda t: cs.simulate(ctrnn(), 10.0, record=[]), E.ParameterError, "at least one neuron"),
    ("variable unknown", lambda t: cs.simulate(ctrnn(), 10.0, variables="V"), E.ParameterError,
     "unknown state variable 'V'"),
    ("every zero", lambda t: cs.simulate(ctrnn(), 10.0, every=0), E.ParameterError, "every must be a positive"),
    ("saveat outside", lambda t: cs.simulate(ctrnn(), 10.0, saveat=[0, 20]), E.ParameterError,
     "outside the simulated span"),
    ("saveat unsorted", lambda t: cs.simulate(ctrnn(), 10.0, saveat=[5, 1]), E.ParameterError,
     "strictly increasing"),
    ("max_bytes negative", lambda t: cs.simulate(ctrnn(), 10.0, max_bytes=-1), E.ParameterError,
     "max_bytes must be positive"),
    ("max_bytes known too small", lambda t: cs.simulate(ctrnn(), 1e4, None, cs.RK4(1e-3), max_bytes=1e5),
     E.ParameterError, "would store .* GB"),
    ("progress not callable", lambda t: cs.simulate(ctrnn(), 10.0, progress="yes"), E.ParameterError,
     "progress must be"),
    ("y0 override shape", lambda t: cs.simulate(ctrnn(), 10.0, y0=[1, 2]), E.ParameterError, "y0 must have shape"),
    ("batch counts disagree", lambda t: cs.simulate_batch([ctrnn(), ctrnn()], 10.0, [None, None, None], cs.RK4(0.5)),
     E.ParameterError, "batch arguments disagree: 2 circuits, 3 inputs"),
    ("batch different neurons", lambda t: cs.simulate_batch([ctrnn(), cs.Circuit(W3.subset(["A", "B"]), "ctrnn")],
                                                           10.0, None, cs.RK4(0.5)),
     E.ParameterError, "same model and the same neurons"),
    ("batch needs saveat", lambda t: cs.simulate_batch([ctrnn()], 10.0, [cs.step("A", 1, 1.0), cs.step("A", 1, 2.0)],
                                                       cs.Dopri5()), E.ParameterError, "pass saveat"),
    ("batch y0 shape", lambda t: cs.simulate_batch(ctrnn(), 10.0, y0=[0, 0, 0]), E.ParameterError,
     r"y0 for a batch must have shape \(B, n_state\)"),
    ("step too small dt", lambda t: cs.simulate(ctrnn(), 10.0, None, cs.RK4(1e-300)), E.ParameterError,
     "would need about 1e\\+301 steps"),
    ("max steps", lambda t: cs.simulate(ctrnn(), 100.0, cs.constant("A", 1.0), cs.Dopri5(max_steps=2)),
     E.MaxStepsError, "max_steps"),
    ("divergence", lambda t: cs.simulate(cs.Circuit(W3, "ctrnn", cs.CTRNNParams.linear(tau=1.0, weight_scale=50.0)),
                                         100.0, cs.constant("A", 1e300), cs.RK4(0.1)),
     E.DivergenceError, "became non-finite"),
    ("memory projection", lambda t: cs.simulate(graded(), 1e9, record=["AVAL"], dense=False, max_bytes=1e6),
     E.MemoryLimitError, "would exceed max_bytes"),
    ("closed form under an ODE solver", lambda t: cs.simulate(cs.Circuit(W3, "cfc"), 1.0, None, cs.Dopri5()),
     E.ParameterError, "closed form, not an ODE"),
    ("fused LTC on another model", lambda t: cs.simulate(ctrnn(), 1.0, None, cs.FusedLTC()), E.ParameterError,
     "FusedLTC steps the 'ltc' model"),
    ("rosenbrock without jacobian", lambda t: cs.simulate(_osc(), 1.0, None, cs.Rosenbrock()), E.ParameterError,
     "needs the Jacobian"),
    ("rosenbrock iterative on ctrnn", lambda t: cs.simulate(ctrnn(), 1.0, None, cs.Rosenbrock(linear="iterative")),
     E.ParameterError, "only the graded network has an iterative"),
    # -- solver settings ------------------------------------------------------------------------
    ("rk4 dt NaN", lambda t: cs.RK4(np.nan), E.ParameterError, "dt must be positive and finite"),
    ("euler dt negative", lambda t: cs.Euler(-0.1), E.ParameterError, "dt must be positive"),
    ("dopri rtol", lambda t: cs.Dopri5(rtol=1.0), E.ParameterError, r"rtol must be 0 or in \[1e-14, 1\)"),
    ("dopri atol", lambda t: cs.Dopri5(atol=0.0), E.ParameterError, "atol must be positive"),
    ("tsit5 atol dict variable", lambda t: cs.simulate(ctrnn(), 1.0, None, cs.Tsit5(atol={"V": 1e-6})),
     E.ParameterError, "atol names unknown state variable 'V'"),
    ("bs3 max_steps", lambda t: cs.BS3(max_steps=0), E.ParameterError, "max_steps must be a positive integer"),
    ("dopri h_max", lambda t: cs.Dopri5(h_max=0.0), E.ParameterError, "h_max must be positive"),
    ("rosenbrock method", lambda t: cs.Rosenbrock(method="rodas55"), E.ParameterError, "did you mean 'rodas5p'"),
    ("rosenbrock lin_tol", lambda t: cs.Rosenbrock(lin_tol=0.0), E.ParameterError, r"lin_tol must be in \(0, 1\]"),
    ("rosenbrock linear", lambda t: cs.Rosenbrock(linear="lu"), E.ParameterError, "linear must be"),
    ("rosenbrock atol numpy float", lambda t: cs.Rosenbrock(atol=np.float32(-1e-3)), E.ParameterError,
     "atol must be positive"),
    ("explicit rk not a tableau", lambda t: cs.ExplicitRK("heun"), E.ParameterError, "must be an ExplicitTableau"),
    ("tableau without estimate", lambda t: cs.ExplicitRK(ExplicitTableau("heun", c=[0, 1], A=[[0, 0], [1, 0]],
                                                                        b=[0.5, 0.5], order=2)),
     E.ParameterError, "no error estimate"),
    ("tableau implicit", lambda t: ExplicitTableau("x", c=[0, 1], A=[[0, 1], [0, 0]], b=[0.5, 0.5], order=1),
     E.ParameterError, "not explicit"),
    ("fused unfolds", lambda t: cs.FusedLTC(unfolds=0), E.ParameterError, "unfolds must be a positive integer"),
    ("closed form dtype", lambda t: cs.ClosedForm(dtype=np.int32), E.ParameterError, "dtype must be float32"),
    # -- results ------------------------------------------------------------------------------------
    ("at text", lambda t: result().at("abc"), E.ParameterError, "t must be a time in ms"),
    ("at outside", lambda t: result().at(11.0), E.OutOfSpanError, "outside the simulated span"),
    ("at 2-d single", lambda t: result().at([[1.0]]), E.ParameterError, "t must be a float or a 1-d array"),
    ("at without dense", lambda t: cs.simulate(ctrnn(), 1.0, dense=False).at(0.5), E.CircuitsimError,
     "no dense output"),
    ("result variable", lambda t: result()["V"], KeyError, "variable 'V' was not recorded"),
    ("result neuron", lambda t: result().neuron("Q"), E.UnknownNeuronError, "recorded neurons"),
    ("member of single", lambda t: result().member(0), E.ParameterError, "needs a batched result"),
    ("member out of range", lambda t: batched().member(5), E.ParameterError, "index into 2 members"),
    ("outputs of ctrnn", lambda t: result().outputs(), E.CircuitsimError, "model with outputs"),
    ("display unrecorded", lambda t: cs.simulate(graded(), 1.0, variables="s").display(), E.CircuitsimError,
     "needs 'V'"),
    # -- sweeps ---------------------------------------------------------------------------------------
    ("sweep two axes", lambda t: cs.sweep(graded(), amplitude=[1], g_syn=[1]), E.ParameterError, "one axis at a time"),
    ("sweep unknown field", lambda t: cs.sweep(graded(), g_sin=[0.1]), E.ParameterError, "did you mean 'g_syn'"),
    ("sweep amplitude without drive", lambda t: cs.sweep(ctrnn(), amplitude=[1.0]), E.ParameterError,
     "needs a circuit with a drive"),
    ("sweep NaN", lambda t: cs.sweep(graded(), amplitude=[np.nan]), E.ParameterError, "must be finite"),
    # -- liquid networks ------------------------------------------------------------------------------
    ("ltc channels", lambda t: cs.LTCNetwork(W3).run(np.zeros((4, 5))), E.InputError,
     "x has 5 input channels but the network has 1"),
    ("ltc elapsed zero", lambda t: cs.LTCNetwork(W3).run(np.zeros((3, 1)), [1, 0, 1]), E.InputError,
     "elapsed times must be > 0"),
    ("ltc NaN input", lambda t: cs.LTCNetwork(W3).run(np.full((3, 1), np.nan)), E.InputError, "NaN"),
    ("ltc unfolds", lambda t: cs.LTCNetwork(W3, ode_unfolds=0), E.ParameterError, "ode_unfolds must be"),
    ("cfc float32 overflow", lambda t: cs.CfCNetwork.wired(W3, dtype=np.float32).run(np.full((3, 1), 1e300)),
     E.InputError, "beyond the float32 range"),
    ("cfc params type", lambda t: cs.CfCNetwork({"a": 1}), E.ParameterError, "params must be CfCParams"),
    ("ltc dtype", lambda t: cs.LTCNetwork(W3, dtype="int8"), E.ParameterError, "dtype must be float32 or float64"),
    ("tau_sys of cfc", lambda t: _tau_sys_cfc(), E.ParameterError, "LTC networks only"),
]


def _flipped(tmp):
    result().save(tmp / "good.npz")
    data = bytearray((tmp / "good.npz").read_bytes())
    for i in range(200, min(len(data), 1200)):
        data[i] ^= 0xFF
    (tmp / "flipped.npz").write_bytes(bytes(data))
    return tmp / "flipped.npz"


def _osc():
    from engine_models import Oscillators

    return cs.Circuit(W3, Oscillators())


def _tau_sys_cfc():
    from circuitsim.liquid import tau_sys

    return tau_sys(cs.CfCNetwork.wired(W3).run(np.ones((2, 1))))


def test_there_are_many_cases():
    assert len(CASES) >= 120


@pytest.mark.parametrize("what, attempt, error, match", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_named_error(tmp_path, what, attempt, error, match):
    with pytest.raises(error, match=match):
        attempt(tmp_path)
