"""Published behaviour of the worm network (Kunert, Shlizerman & Kutz 2014).

PLM stimulation (2 nA into PLML and PLMR) drives the forward-locomotion motor
neurons (VB, DB, VD, DD) into a stable oscillation with two dominant principal
components, under the authors' threshold convention; without stimulus, or with
thresholds solved without the input, the network sits at a fixed point.
Measured here (10 s, default solver): period ~1.23 s, PC1 + PC2 ~99.9 % of the
motor variance.
"""

import numpy as np
import pytest

import connectome
from circuitsim.inputs import constant
from circuitsim.presets import kunert2014
from circuitsim.simulate import simulate
from circuitsim.solvers import Rosenbrock

PLM = {"PLML": 2000.0, "PLMR": 2000.0}
MOTOR_CLASSES = ("VB", "DB", "VD", "DD")


@pytest.fixture(scope="module")
def conn():
    return connectome.load("varshney2011")


def motor_names(wiring):
    cls = wiring.metadata["class"]
    return [nm for nm in wiring.neurons if cls[nm] in MOTOR_CLASSES]


def run(circuit, stim, T=10000.0, y0=None):
    t = np.arange(0.0, T + 0.5, 2.0)
    inp = constant(list(stim), list(stim.values())) if stim else None
    res = simulate(circuit, (0.0, T), inp, Rosenbrock(), saveat=t, y0=y0)
    return t, res


def pca_fractions(X):
    X = X - X.mean(axis=0)
    sv = np.linalg.svd(X, compute_uv=False) ** 2
    return sv / sv.sum()


def upward_crossings(t, x):
    x = x - x.mean()
    i = np.flatnonzero((x[:-1] < 0) & (x[1:] >= 0))
    return t[i] - x[i] * (t[i + 1] - t[i]) / (x[i + 1] - x[i])


def test_plm_drives_stable_low_dimensional_oscillation(conn):
    c = kunert2014(conn, PLM)
    motors = motor_names(c.wiring)
    assert len(motors) == 37
    t, res = run(c, PLM)
    V = res["V"][:, c.wiring.index_of(motors)]
    late = t >= 5000.0
    X = V[late]
    assert X.std(axis=0).max() > 1.0                        # mV: a real oscillation
    frac = pca_fractions(X)
    assert frac[:2].sum() > 0.99 and frac[1] > 0.05         # two components, both used
    # period from the dominant motor neuron, regular cycle after cycle
    k = int(np.argmax(X.std(axis=0)))
    up = upward_crossings(t[late], X[:, k])
    periods = np.diff(up)
    assert len(periods) >= 2
    assert 800.0 < periods.mean() < 1800.0
    assert periods.std() < 0.02 * periods.mean()
    # stable: the same amplitude in the last two cycles
    P = periods.mean()
    a1 = np.ptp(X[(t[late] >= 10000 - 2 * P) & (t[late] < 10000 - P), k])
    a2 = np.ptp(X[t[late] >= 10000 - P, k])
    assert abs(a1 - a2) < 0.02 * a2


def test_rest_threshold_convention_gives_fixed_point(conn):
    c = kunert2014(conn, PLM, threshold="rest")
    t, res = run(c, PLM, T=6000.0)
    V = res["V"][:, c.wiring.index_of(motor_names(c.wiring))]
    assert V[t >= 4000.0].std(axis=0).max() < 1e-3


def test_no_stimulus_rests_at_fixed_point(conn):
    c = kunert2014(conn)
    rng = np.random.default_rng(0)
    n = c.n
    y0 = c.y0 + np.r_[rng.normal(0.0, 2.0, n), np.zeros(n)]   # perturbed resting state
    t, res = run(c, {}, T=6000.0, y0=y0)
    V = res["V"]
    assert np.abs(V[0] - c.y0[:n]).max() > 1.0
    assert V[t >= 4000.0].std(axis=0).max() < 1e-3
    np.testing.assert_allclose(V[-1], c.y0[:n], atol=1e-2)


def test_published_preset_gives_the_published_period_by_default(conn):
    # no y0, no inputs: the preset starts where the authors start and runs its own drive
    import circuitsim as cs

    c = cs.kunert2014(conn, PLM)
    t = np.arange(0.0, 15000.5, 1.0)
    res = cs.simulate(c, 15000.0, saveat=t, dense=False)
    V = res["V"][:, c.wiring.index_of(motor_names(c.wiring))]
    late = t >= 5000.0
    k = int(np.argmax(V[late].std(axis=0)))
    period = np.diff(upward_crossings(t[late], V[late][:, k])).mean()
    assert abs(period - 1197.0) < 0.01 * 1197.0, period     # Kunert et al. 2014: 1.197 s


def test_the_drive_is_given_once(conn):
    import circuitsim as cs
    from circuitsim.errors import DriveWarning

    c = cs.kunert2014(conn, PLM)
    with pytest.warns(DriveWarning, match="carries its own drive"):
        cs.simulate(c, 100.0, cs.constant(["PLML", "PLMR"], 1000.0), dense=False)
    import warnings
    with warnings.catch_warnings():       # the same input, spelled differently: no warning
        warnings.simplefilter("error")
        cs.simulate(c, 100.0, cs.constant(["PLML", "PLMR"], [2000.0, 2000.0]), dense=False)
    weaker = c.with_drive(cs.constant(["PLML", "PLMR"], 1000.0))
    assert dict(weaker.params.threshold_input) == {"PLML": 1000.0, "PLMR": 1000.0}
    np.testing.assert_allclose(weaker.model.thresholds(weaker),
                               cs.thresholds(weaker.params, weaker.wiring, _current(weaker, 1000.0)), rtol=1e-12)
    assert not np.allclose(weaker.model.thresholds(weaker), c.model.thresholds(c))


def _current(c, amp):
    I = np.zeros(c.n)
    I[c.wiring.index_of(["PLML", "PLMR"])] = amp
    return I
