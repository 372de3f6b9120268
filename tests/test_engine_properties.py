"""Property tests (hypothesis): drive tables agree with a from-scratch evaluation for random
stimuli; relabelling neurons permutes trajectories."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circuitsim import inputs
from circuitsim._kernels.inputs import input_at
from circuitsim.circuit import Circuit
from circuitsim.models.ctrnn import CTRNNParams
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4

from engine_fixtures import NAMES, small_wiring
from reference import drive_value

SPAN = (0.0, 20.0)
WIRING = small_wiring()
times = st.floats(0.0, 19.0, allow_nan=False).map(lambda x: round(x, 3))
amps = st.floats(-5.0, 5.0, allow_nan=False)
neurons = st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True)


@st.composite
def stimuli(draw):
    kind = draw(st.sampled_from(["constant", "step", "pulse", "samples_linear", "samples_previous"]))
    nm = draw(neurons)
    if kind == "constant":
        return inputs.constant(nm, draw(amps))
    if kind == "step":
        return inputs.step(nm, draw(amps), draw(times))
    if kind == "pulse":
        dur = draw(st.floats(0.01, 3.0))
        count = draw(st.integers(1, 3))
        return inputs.pulse(nm, draw(amps), draw(times), dur, period=dur + draw(st.floats(0.01, 3.0)), count=count)
    ts = sorted(set(draw(st.lists(times, min_size=1, max_size=6))))
    vals = draw(st.lists(amps, min_size=len(ts), max_size=len(ts)))
    return inputs.samples(nm, ts, vals, "linear" if kind == "samples_linear" else "previous")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(stimuli(), min_size=1, max_size=5), st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5))
def test_table_equals_reference(stims, fracs):
    drive = inputs.as_drive(stims)
    tab = inputs.build_table([drive], WIRING.neurons, WIRING, SPAN)
    index = {nm: i for i, nm in enumerate(WIRING.neurons)}
    edges = [SPAN[0], *tab.breaks, SPAN[1]]
    assert (np.diff(edges) > 0).all()
    u = np.empty(5)
    desc = drive.describe()
    for seg, (a, b) in enumerate(zip(edges[:-1], edges[1:])):
        for f in fracs:
            t = b if f == 1.0 else min(a + f * (b - a), b)
            input_at(tab, seg, t, u)
            side = "left" if (t == b and t != a) else "right"
            np.testing.assert_allclose(u, drive_value(desc, 5, index, t, side), rtol=1e-12, atol=1e-12)


@settings(max_examples=10, deadline=None)
@given(st.permutations(range(5)), st.integers(0, 2**31 - 1))
def test_relabelling_permutes(perm, seed):
    rng = np.random.default_rng(seed)
    tau = rng.uniform(1.0, 4.0, 5)
    bias = rng.normal(0, 0.5, 5)
    x0 = rng.normal(0, 1, 5)
    c1 = Circuit(WIRING, "ctrnn", CTRNNParams(tau=tau, bias=bias, weight_scale=0.7), y0=x0)
    w2 = WIRING.subset([WIRING.neurons[i] for i in perm])
    c2 = Circuit(w2, "ctrnn", CTRNNParams(tau=tau[perm], bias=bias[perm], weight_scale=0.7), y0=x0[perm])
    drive = inputs.pulse("PLML", 1.0, 2.0, 3.0)
    r1 = simulate(c1, (0.0, 10.0), drive, RK4(0.05))
    r2 = simulate(c2, (0.0, 10.0), drive, RK4(0.05))
    np.testing.assert_allclose(r2["x"], r1["x"][:, list(perm)], rtol=0, atol=1e-12)
    np.testing.assert_allclose(r2.at(4.321, "x"), r1.at(4.321, "x")[list(perm)], rtol=0, atol=1e-12)
