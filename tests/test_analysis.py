"""circuitsim.analysis against signals whose answers are known in closed form."""

import numpy as np
import pandas as pd
import pytest

from circuitsim import analysis as A
from circuitsim.analysis import AnalysisError
from circuitsim.errors import OutOfSpanError, UnknownNeuronError


# ---------------------------------------------------------------------------
# a minimal Result stand-in: samples + an exact continuous extension
# ---------------------------------------------------------------------------
class FakeResult:
    """Duck-typed Result: ``t``, ``neurons``, ``result[var]``, ``at(t)`` returning the full state."""

    state_names = ("V", "s")
    units = {"V": "mV", "s": ""}

    def __init__(self, t, funcs, neurons, stimulus=None, wiring=None):
        self.t = np.asarray(t, float)
        self._f = funcs  # var -> callable(times (m,)) -> (m, n)
        self.neurons = tuple(neurons)
        self.stimulus = stimulus
        self.wiring = wiring

    def __getitem__(self, var):
        return self._f[var](self.t)

    def at(self, t):
        tq = np.atleast_1d(np.asarray(t, float))
        if tq.min() < self.t[0] or tq.max() > self.t[-1]:
            raise OutOfSpanError("outside")
        full = np.hstack([self._f[v](tq) for v in self.state_names])  # variable-major state vector
        return full[0] if np.ndim(t) == 0 else full


def _orthonormal(n, k, seed=0):
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, k)))
    return q.T


# ---------------------------------------------------------------------------
# Activity, dense output, names
# ---------------------------------------------------------------------------
def test_plain_array_interpolates_linearly_and_rejects_out_of_span():
    t = np.array([0.0, 1.0, 3.0])
    act = A.as_activity(np.c_[t * 2, -t], t=t, names=["a", "b"])
    np.testing.assert_allclose(act.at(2.0), [4.0, -2.0])
    np.testing.assert_allclose(act.at([0.5, 3.0]), [[1.0, -0.5], [6.0, -3.0]])
    with pytest.raises(OutOfSpanError, match=r"outside the simulated span \[0, 3\] ms"):
        act.at(3.5)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        act.at([-1.0, 1.0])


def test_result_dense_output_is_used_between_samples():
    w = 2 * np.pi / 10
    f = lambda tq: np.c_[np.sin(w * tq), np.cos(w * tq)]  # noqa: E731
    res = FakeResult(np.arange(0, 21.0, 2.0), {"V": f, "s": lambda tq: 5 + f(tq)}, ["AVAL", "AVAR"],
                     stimulus=[(4.0, 6.0, "PLML")])
    act = A.as_activity(res)
    assert act.var == "V" and act.unit == "mV" and act.neurons == ("AVAL", "AVAR")
    np.testing.assert_allclose(act.at(3.3), f(np.array([3.3]))[0], rtol=1e-12)  # exact, not linear
    act_s = A.as_activity(res, var="s")
    np.testing.assert_allclose(act_s.at(3.3), 5 + f(np.array([3.3]))[0], rtol=1e-12)
    assert act.stimulus == ((4.0, 6.0, "PLML"),)
    np.testing.assert_allclose(act.select(["AVAR"]).at(7.7), [np.cos(w * 7.7)])


def test_unknown_neuron_names_suggest_close_matches():
    t = np.linspace(0, 1, 5)
    act = A.as_activity(np.zeros((5, 3)), t=t, names=["AVAL", "AVAR", "PLML"])
    with pytest.raises(UnknownNeuronError, match=r"unknown neuron 'AVAX'.*did you mean ('AVAL', 'AVAR'|'AVAR', 'AVAL')"):
        act.select(["AVAX"])
    with pytest.raises(UnknownNeuronError, match="did you mean 'PLML'"):
        A.pca(act, 1, neurons=["PLMX", "AVAL"])
    assert act.select(["plml"]).neurons == ("PLML",)  # case is normalised


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(data=np.zeros((4, 2))), "needs its sample times"),
        (dict(data=np.zeros((4, 2)), t=[0, 1, 1, 2]), "strictly increasing"),
        (dict(data=np.zeros((2, 4)), t=[0, 1, 2, 3]), "time-major"),
        (dict(data=np.zeros((4, 2)), t=[0, 1, np.inf, 3]), "strictly increasing|finite"),
        (dict(data=np.zeros((4, 2)), t=[0, 1, 2, 3], names=["a", "a"]), "unique"),
        (dict(data=np.zeros((4, 2)), t=[0, 1, 2, 3], stimulus="on"), "cannot read a stimulus"),
        (dict(data=np.zeros((4, 2)), t=[0, 1, 2, 3], stimulus={"x": 1}), "give 'start' and 'stop'"),
        (dict(data=np.zeros((4, 2)), t=[0, 1, 2, 3], stimulus=pd.DataFrame({"x": [1]})), "'start' column"),
    ],
)
def test_as_activity_rejects_bad_input(kwargs, match):
    data = kwargs.pop("data")
    with pytest.raises(AnalysisError, match=match):
        A.as_activity(data, **kwargs)


def test_stimulus_descriptions():
    t = np.linspace(0, 10, 11)
    x = np.zeros((11, 1))
    assert A.as_activity(x, t=t, stimulus=3.0).stimulus == ((3.0, 3.0, "stimulus"),)
    assert A.as_activity(x, t=t, stimulus={"start": 1, "stop": 2, "label": "PLM"}).stimulus == ((1.0, 2.0, "PLM"),)
    df = pd.DataFrame({"start": [5.0, 1.0], "stop": [6.0, 2.0], "neuron": ["b", "a"]})
    act = A.as_activity(x, t=t, stimulus=df)
    assert [s[:2] for s in A.stimulus_intervals(act)] == [(1.0, 2.0), (5.0, 6.0)]


def test_batched_result_needs_a_member():
    class Batched(FakeResult):
        def __getitem__(self, var):
            v = self._f[var](self.t)
            return np.stack([v, 2 * v])

    f = lambda tq: np.c_[tq, -tq]  # noqa: E731
    res = Batched(np.arange(5.0), {"V": f, "s": f}, ["a", "b"])
    with pytest.raises(AnalysisError, match="batched .*pass batch="):
        A.as_activity(res)
    np.testing.assert_allclose(A.as_activity(res, batch=1).values[:, 0], 2 * np.arange(5.0))
    with pytest.raises(AnalysisError, match="not batched"):
        A.as_activity(FakeResult(np.arange(5.0), {"V": f, "s": f}, ["a", "b"]), batch=0)


def test_dataframe_input_roundtrip():
    t = np.linspace(0, 5, 6)
    df = pd.DataFrame({"a": t, "b": 2 * t}, index=t)
    act = A.as_activity(df)
    pd.testing.assert_frame_equal(act.to_dataframe(), df.rename_axis("t"), check_names=False)


# ---------------------------------------------------------------------------
# PCA: a sum of two sinusoids along known orthonormal directions
# ---------------------------------------------------------------------------
def _two_mode_signal(t, offset):
    u = _orthonormal(6, 2)
    a1, a2 = 3.0, 1.0
    x = offset + np.outer(a1 * np.cos(2 * np.pi * t / 20), u[0]) + np.outer(a2 * np.sin(2 * np.pi * t / 50), u[1])
    return x, u


def test_pca_recovers_built_in_components():
    t = np.linspace(0, 200, 4001)  # whole periods of both modes
    offset = np.arange(6.0)
    x, u = _two_mode_signal(t, offset)
    p = A.pca(x, 3, t=t, names=list("abcdef"))
    # time-averaged variance of A cos is A^2 / 2
    np.testing.assert_allclose(p.explained_variance[:2], [4.5, 0.5], rtol=1e-6)
    np.testing.assert_allclose(p.explained_variance_ratio[:2], [0.9, 0.1], rtol=1e-6)
    assert p.explained_variance[2] < 1e-12
    np.testing.assert_allclose(np.abs(p.components[:2] @ u.T), np.eye(2), atol=1e-6)
    np.testing.assert_allclose(p.mean, offset, atol=1e-9)
    sign = np.sign(p.components[0] @ u[0])
    np.testing.assert_allclose(p.trajectory[:, 0], sign * 3 * np.cos(2 * np.pi * t / 20), atol=1e-6)
    np.testing.assert_allclose(p.transform(x[123]), p.trajectory[123], atol=1e-12)
    assert list(p.summary().index) == ["PC1", "PC2", "PC3"]
    late = A.pca(x, 2, t=t, names=list("abcdef"), start=100.0)  # whole periods again
    np.testing.assert_allclose(late.explained_variance, [4.5, 0.5], rtol=1e-6)
    assert late.t[0] == 100.0 and len(late.trajectory) == len(late.t)
    assert p.loadings().shape == (6, 3)


def test_pca_time_weighting_corrects_irregular_sampling():
    rng = np.random.default_rng(3)
    # dense sampling in the first 40 ms, sparse afterwards: sample-weighted PCA is biased
    t = np.unique(np.r_[np.linspace(0, 40, 3000), np.linspace(40, 200, 800), rng.uniform(0, 200, 50)])
    x, _ = _two_mode_signal(t, 0.0)
    timed = A.pca(x, 2, t=t)
    np.testing.assert_allclose(timed.explained_variance, [4.5, 0.5], rtol=5e-3)
    naive = A.pca(x, 2, t=t, weighting="samples")
    assert abs(naive.explained_variance[1] - 0.5) > 10 * abs(timed.explained_variance[1] - 0.5)


def test_pca_standardize_and_errors():
    t = np.linspace(0, 100, 1001)
    x = np.c_[100 * np.sin(2 * np.pi * t / 10), np.sin(2 * np.pi * t / 10 + 1.0), np.ones_like(t)]
    p = A.pca(x, 2, t=t, standardize=True)
    assert p.scale[2] == 1.0
    np.testing.assert_allclose(p.explained_variance.sum(), 2.0, rtol=1e-6)  # two unit-variance neurons
    with pytest.raises(AnalysisError, match="weighting must be 'time' or 'samples'"):
        A.pca(x, 2, t=t, weighting="uniform")
    with pytest.raises(AnalysisError, match="n_components must be between 1 and 3"):
        A.pca(x, 5, t=t)
    with pytest.raises(AnalysisError, match="fitted on 3"):
        p.transform(np.zeros(2))


# ---------------------------------------------------------------------------
# oscillations and phases
# ---------------------------------------------------------------------------
def test_oscillation_period_amplitude_and_phase():
    t = np.linspace(0, 1000, 5001)
    period = 37.0
    w = 2 * np.pi / period
    x = np.c_[
        2.0 * np.cos(w * t - 0.6) + 1.5,  # amplitude 2, phase 0.6 rad
        0.5 * np.cos(w * t - 0.6 - np.pi / 2),  # a quarter period later
        np.full_like(t, 3.0),  # constant
        1.0 * np.cos(2 * np.pi * t / 80) + 0.3 * np.cos(2 * np.pi * t / 13),  # sum of sinusoids
    ]
    out = A.oscillations(x, t=t, names=["a", "b", "flat", "mix"], reference="a")
    np.testing.assert_allclose(out.loc[["a", "b"], "period"], period, rtol=1e-4)
    np.testing.assert_allclose(out.loc["a", "frequency_hz"], 1000 / period, rtol=1e-4)
    np.testing.assert_allclose(out.loc[["a", "b"], "amplitude"], [2.0, 0.5], rtol=1e-3)
    np.testing.assert_allclose(out.loc["a", "mean"], 1.5, atol=1e-2)
    np.testing.assert_allclose(out.loc["b", "phase_deg"], 90.0, atol=0.5)
    assert out.loc["a", "oscillating"] and out.loc["b", "oscillating"]
    assert np.isnan(out.loc["flat", "period"]) and not out.loc["flat", "oscillating"]
    np.testing.assert_allclose(out.loc["mix", "period"], 80.0, rtol=1e-3)  # dominant component
    np.testing.assert_allclose(out.loc["mix", "power_fraction"], 1 / (1 + 0.09), rtol=2e-2)
    # restricting the period range finds the weaker component
    short = A.oscillations(x[:, [3]], t=t, names=["mix"], max_period=40)
    np.testing.assert_allclose(short.loc["mix", "period"], 13.0, rtol=1e-3)


def test_noise_is_not_oscillating():
    t = np.linspace(0, 1000, 2001)
    x = np.random.default_rng(1).normal(size=(len(t), 1))
    out = A.oscillations(x, t=t, names=["noise"])
    assert not out.loc["noise", "oscillating"]
    assert out.loc["noise", "power_fraction"] < 0.1


def test_oscillations_on_irregular_samples_use_dense_output():
    rng = np.random.default_rng(2)
    t = np.unique(np.r_[0.0, rng.uniform(0, 500, 3000), 500.0])
    x = np.sin(2 * np.pi * t / 25.0)[:, None]
    out = A.oscillations(x, t=t, names=["a"])
    np.testing.assert_allclose(out.loc["a", "period"], 25.0, rtol=1e-3)


def test_phase_relations_and_dorsal_ventral_antiphase():
    t = np.linspace(0, 600, 6001)
    period = 60.0
    w = 2 * np.pi / period
    names = ["DB1", "DB2", "VB1", "VB2", "LAG"]
    x = np.c_[np.sin(w * t), 0.8 * np.sin(w * t - 0.2), -np.sin(w * t), -0.7 * np.sin(w * t - 0.2),
              np.sin(w * (t - 5.0))]
    rel = A.phase_relations(x, t=t, names=names, reference="DB1")
    np.testing.assert_allclose(rel.loc["LAG", "lag_ms"], 5.0, atol=0.01)
    np.testing.assert_allclose(rel.loc["LAG", "phase_deg"], 30.0, atol=0.1)
    np.testing.assert_allclose(abs(rel.loc["VB1", "phase_deg"]), 180.0, atol=0.1)
    np.testing.assert_allclose(rel["period"], period, rtol=1e-4)
    dv = A.phase_difference(x, ["DB1", "DB2"], ["VB1", "VB2"], t=t, names=names)
    np.testing.assert_allclose(abs(dv), 180.0, atol=0.5)
    same = A.phase_difference(x, ["DB1"], ["LAG"], t=t, names=names)
    np.testing.assert_allclose(same, -30.0, atol=0.1)  # DB1 peaks 5 ms = 30 deg before LAG
    fixed = A.phase_relations(x, ["LAG"], t=t, names=names, reference="DB1", period=60.0)
    assert list(fixed.index) == ["LAG", "DB1"]


def test_phase_errors():
    t = np.linspace(0, 100, 101)
    x = np.c_[np.zeros_like(t), np.sin(t)]
    with pytest.raises(AnalysisError, match="does not oscillate"):
        A.phase_relations(x, t=t, names=["a", "b"], reference="a")
    with pytest.raises(AnalysisError, match="period must be positive"):
        A.phase_relations(x, t=t, names=["a", "b"], reference="b", period=-1)
    with pytest.raises(AnalysisError, match="at least one neuron in each group"):
        A.phase_difference(x, [], ["a"], t=t, names=["a", "b"])
    with pytest.raises(AnalysisError, match="at least 4 time points"):
        A.oscillations(x[:3], t=t[:3])
    with pytest.raises(AnalysisError, match="empty time window"):
        A.oscillations(x, t=t, start=50, stop=20)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        A.oscillations(x, t=t, start=-10)
    with pytest.raises(AnalysisError, match="not among the analysed neurons"):
        A.oscillations(x, t=t, names=["a", "b"], neurons=["b"], reference="a")


# ---------------------------------------------------------------------------
# response latency and peak
# ---------------------------------------------------------------------------
def _delayed_rise(t, onset, delay, tau, amp, base):
    s = np.clip(t - onset - delay, 0, None)
    return base + amp * (1 - np.exp(-s / tau))


def test_response_latency_and_peak_known_answers():
    t = np.arange(0, 300.0, 0.1)
    onset, tau = 100.0, 8.0
    x = np.c_[_delayed_rise(t, onset, 12.0, tau, 4.0, -50.0),
              _delayed_rise(t, onset, 3.0, tau, -2.0, 1.0),
              np.full_like(t, 7.0)]
    res = A.response(x, onset, t=t, names=["up", "down", "flat"])
    expected_up = 12.0 + tau * np.log(1 / 0.9)  # 10 % of the (almost complete) rise
    peak_up = 4.0 * (1 - np.exp(-(t[-1] - onset - 12.0) / tau))
    np.testing.assert_allclose(res.loc["up", "baseline"], -50.0)
    np.testing.assert_allclose(res.loc["up", "change"], peak_up, rtol=1e-9)
    np.testing.assert_allclose(res.loc["up", "latency"], 12.0 + tau * np.log(1 / (1 - 0.1 * peak_up / 4)),
                               atol=2e-3)
    np.testing.assert_allclose(res.loc["up", "latency"], expected_up, atol=2e-3)
    np.testing.assert_allclose(res.loc["up", "peak_time"], t[-1] - onset)
    np.testing.assert_allclose(res.loc["down", "change"], -2.0, rtol=1e-6)
    np.testing.assert_allclose(res.loc["down", "latency"], 3.0 + tau * np.log(1 / 0.9), atol=2e-3)
    assert res.loc["down", "peak"] < res.loc["down", "baseline"]
    assert not res.loc["flat", "responded"] and np.isnan(res.loc["flat", "latency"])
    quiet = A.response(x, onset, t=t, names=["up", "down", "flat"], min_change=3.0)
    assert quiet["responded"].tolist() == [True, False, False] and np.isnan(quiet.loc["down", "latency"])
    # an absolute threshold: half of the full rise
    half = A.response(x[:, :1], onset, t=t, names=["up"], threshold=2.0)
    np.testing.assert_allclose(half.loc["up", "latency"], 12.0 + tau * np.log(2), atol=2e-3)


def test_response_onset_from_stimulus_and_baseline_window():
    t = np.arange(0, 100.0, 0.5)
    x = np.where(t < 20, 0.0, 5.0) + _delayed_rise(t, 50.0, 4.0, 2.0, 1.0, 0.0)
    act = A.as_activity(x[:, None], t=t, names=["n"], stimulus=(50.0, 60.0))
    res = A.response(act, baseline=10.0)
    np.testing.assert_allclose(res.loc["n", "baseline"], 5.0)
    np.testing.assert_allclose(res.loc["n", "latency"], 4.0 + 2.0 * np.log(1 / 0.9), atol=0.02)
    whole = A.response(act)  # baseline from every sample before onset
    assert whole.loc["n", "baseline"] < 5.0


def test_response_errors():
    t = np.linspace(0, 10, 11)
    x = np.zeros((11, 1))
    with pytest.raises(AnalysisError, match="no stimulus onset"):
        A.response(x, t=t)
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        A.response(x, 20.0, t=t)
    with pytest.raises(AnalysisError, match=r"fraction must be in \(0, 1\)"):
        A.response(x, 5.0, t=t, fraction=1.5)
    with pytest.raises(AnalysisError, match="baseline window must be positive"):
        A.response(x, 5.0, t=t, baseline=0)


# ---------------------------------------------------------------------------
# classes, time constants, comparison
# ---------------------------------------------------------------------------
def test_aggregate_classes_from_metadata():
    t = np.linspace(0, 1, 3)
    names = ["AVAL", "AVAR", "PLML", "DVA"]
    meta = pd.DataFrame({"class": ["AVA", "AVA", "PLM", None], "type": ["interneuron"] * 2 + ["sensory", "interneuron"]},
                        index=names)
    x = np.c_[t, 3 * t, -t, 5 + t]
    act = A.as_activity(x, t=t, names=names, metadata=meta)
    agg = A.aggregate_classes(act)
    assert agg.neurons == ("AVA", "PLM", "DVA")
    np.testing.assert_allclose(agg.values[:, 0], 2 * t)
    assert agg.metadata.loc["AVA", "members"] == ("AVAL", "AVAR")
    assert agg.metadata.loc["PLM", "type"] == "sensory"
    np.testing.assert_allclose(A.aggregate_classes(act, "sum").values[:, 0], 4 * t)
    np.testing.assert_allclose(A.aggregate_classes(act, "max").values[:, 0], 3 * t)
    custom = A.aggregate_classes(act, classes={"AVAL": "X", "PLML": "X"})
    assert custom.neurons == ("X", "AVAR", "DVA")
    with pytest.raises(AnalysisError, match="how must be one of"):
        A.aggregate_classes(act, "median")
    with pytest.raises(AnalysisError, match="classes must be a mapping"):
        A.aggregate_classes(act, classes=["AVA"])


def test_time_constant_table():
    t = np.linspace(0, 40, 4001)  # four whole periods
    tau = np.c_[2 + np.sin(2 * np.pi * t / 10), np.full_like(t, 5.0)]
    tab = A.time_constant_table(tau, t=t, names=["a", "b"])
    np.testing.assert_allclose(tab.loc["a", "mean"], 2.0, atol=1e-6)
    np.testing.assert_allclose(tab.loc["a", ["min", "max"]], [1.0, 3.0], atol=1e-4)
    np.testing.assert_allclose(tab.loc["a", "range_ratio"], 3.0, rtol=1e-3)
    np.testing.assert_allclose(tab.loc["b", "median"], 5.0)
    with pytest.raises(AnalysisError, match=r"finite and positive .*bad neurons: \['b'\]"):
        A.time_constant_table(np.c_[tau[:, 0], -tau[:, 1]], t=t, names=["a", "b"])


def test_decay_time_constants():
    t = np.linspace(0, 100, 2001)
    x = np.c_[1 + 3 * np.exp(-np.clip(t - 10, 0, None) / 7.0), -2 + 0.5 * np.exp(-np.clip(t - 10, 0, None) / 20.0),
              np.ones_like(t)]
    x = np.c_[x, 0.01 * t]  # a drift: no time constant resolvable in the window
    out = A.decay_time_constants(x, 10.0, t=t, names=["fast", "slow", "flat", "drift"])
    np.testing.assert_allclose(out.loc[["fast", "slow"], "tau"], [7.0, 20.0], rtol=1e-4)
    np.testing.assert_allclose(out.loc["fast", "x_inf"], 1.0, atol=1e-4)
    assert np.isnan(out.loc["flat", "tau"]) and np.isnan(out.loc["drift", "tau"])


def test_compare_intact_vs_ablated():
    ta = np.linspace(0, 100, 101)
    tb = np.linspace(-10, 90, 37)  # other grid, shorter span: compared on [0, 90]
    a = pd.DataFrame({"AVAL": ta / 10, "AVBL": np.ones_like(ta), "DB1": -ta / 10}, index=ta)
    b = pd.DataFrame({"AVAL": tb / 10 + 1.0, "DB1": -tb / 10}, index=tb)
    tab = A.compare(a, b, labels=("intact", "ablated"))
    assert list(tab.index) == ["AVAL", "DB1", "AVBL"]  # sorted by rms difference, missing last
    np.testing.assert_allclose(tab.loc["AVAL", ["mean_diff", "rms_diff", "max_abs_diff"]], 1.0, atol=1e-12)
    np.testing.assert_allclose(tab.loc["DB1", "rms_diff"], 0.0, atol=1e-12)
    np.testing.assert_allclose(tab.loc["AVAL", "mean_intact"], 4.5)  # mean of t/10 over [0, 90]
    assert not tab.loc["AVBL", "in_ablated"] and tab.loc["AVBL", "in_intact"]
    assert np.isnan(tab.loc["AVBL", "rms_diff"])
    np.testing.assert_allclose(tab.loc["AVAL", "corr"], 1.0)
    sub = A.compare(a, b, neurons=["DB1"], start=10, stop=20)
    assert list(sub.index) == ["DB1"]
    with pytest.raises(UnknownNeuronError, match="did you mean 'AVBL'"):
        A.compare(a, b, neurons=["AVBX"])
    with pytest.raises(AnalysisError, match="labels must differ"):
        A.compare(a, b, labels=("x", "x"))
    late = pd.DataFrame({"AVAL": [0.0, 1.0]}, index=[200.0, 300.0])
    with pytest.raises(AnalysisError, match="share no time span"):
        A.compare(a, late)


# ---------------------------------------------------------------------------
# a real Result from the engine
# ---------------------------------------------------------------------------
def test_engine_result_is_read_with_its_dense_output_and_stimulus():
    import connectome
    from circuitsim import inputs
    from circuitsim.circuit import Circuit
    from circuitsim.simulate import simulate

    w = connectome.Wiring(["A", "B", "C"], np.array([[0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]]))
    res = simulate(Circuit(w, "ctrnn"), (0.0, 50.0), inputs.pulse("A", 1.0, start=10.0, duration=5.0, period=20.0,
                                                                   count=2))
    act = A.as_activity(res, var="x")  # a state variable as it is
    assert act.var == res.variables[0] and act.neurons == ("A", "B", "C")
    tq = np.array([3.21, 17.7, 49.99])
    np.testing.assert_allclose(act.at(tq), res.at(tq, variable=act.var), rtol=0, atol=0)
    rate = A.as_activity(res)  # by default the model's display quantity: the rate tanh(x) of a CTRNN
    assert rate.var == "rate f(x)" and rate.unit == "1"
    np.testing.assert_allclose(rate.values, np.tanh(res["x"]), rtol=1e-15)
    np.testing.assert_allclose(rate.at(tq), np.tanh(res.at(tq, variable="x")), rtol=1e-15)
    assert A.as_activity(res, var="display").var == "rate f(x)"
    with pytest.raises(AnalysisError, match="default must be 'display' or 'state'"):
        A.as_activity(res, default="raw")
    assert [s[:2] for s in act.stimulus] == [(10.0, 15.0), (30.0, 35.0)]
    assert A.response(res, neurons=["A"]).loc["A", "responded"]
    with pytest.raises(OutOfSpanError):
        act.at(50.5)


def test_liquid_result_is_read_with_initial_state_and_dense_output():
    import connectome
    from circuitsim.liquid import LTCNetwork

    w = connectome.Wiring(["A", "B", "C"], [[0, 1, 0], [0, 0, 1], [1, 0, 0]], inputs=["A"], outputs=["C"])
    net = LTCNetwork(w, seed=0)
    res = net.run(np.ones((6, 1)), dt=[1, 1, 0.5, 2, 1, 1])
    act = A.as_activity(res)
    np.testing.assert_allclose(act.t, [0, 1, 2, 2.5, 4.5, 5.5, 6.5])  # the initial state comes first
    np.testing.assert_allclose(act.values[0], np.zeros(3))
    np.testing.assert_allclose(act.at(3.3), res.at(3.3)["V"])
    assert act.var == "V" and act.neurons == ("A", "B", "C")
    with pytest.raises(AnalysisError, match="no state variable 'state'"):
        A.as_activity(res, var="state")
    batched = net.run(np.ones((2, 6, 1)), dt=np.array([[1, 1, 0.5, 2, 1, 1], [1, 1, 1, 1, 1, 1.0]]))
    second = A.as_activity(batched, batch=1)
    np.testing.assert_allclose(second.t, np.arange(7.0))
    np.testing.assert_allclose(second.at(4.4), batched.at(4.4)["V"][1])
    with pytest.raises(AnalysisError, match="pass batch="):
        A.as_activity(batched)
    from circuitsim.liquid import tau_sys

    tab = A.time_constant_table(tau_sys(res), t=res.t, names=res.neurons)
    assert (tab["min"] > 0).all() and list(tab.index) == ["A", "B", "C"]


def test_batched_engine_result_member():
    import connectome
    from circuitsim import inputs
    from circuitsim.circuit import Circuit
    from circuitsim.simulate import simulate_batch

    w = connectome.Wiring(["A", "B"], np.array([[0, 1.0], [0, 0]]))
    drives = [inputs.pulse("A", 1.0, start=5.0, duration=2.0), inputs.pulse("A", 2.0, start=8.0, duration=3.0)]
    res = simulate_batch(Circuit(w, "ctrnn"), (0.0, 20.0), drives, saveat=np.linspace(0, 20, 41))
    second = A.as_activity(res, batch=1, var="x")
    np.testing.assert_allclose(second.at([3.3, 9.9]), res.at([3.3, 9.9], variable=second.var)[1])
    rate = A.as_activity(res, batch=1)  # one circuit for the batch: its display quantity
    np.testing.assert_allclose(rate.at([3.3, 9.9]), np.tanh(res.at([3.3, 9.9], variable="x")[1]), rtol=1e-15)
    assert [s[:2] for s in second.stimulus] == [(8.0, 11.0)]
    with pytest.raises(AnalysisError, match="pass batch="):
        A.as_activity(res)


def test_more_validation_branches():
    t = np.arange(4.0)
    with pytest.raises(AnalysisError, match="non-empty 1-D"):
        A.as_activity(np.zeros((0, 2)), t=[])
    with pytest.raises(AnalysisError, match="times must be finite"):
        A.as_activity(np.zeros((4, 1)), t=[0, 1, 2, np.inf])
    act = A.as_activity(np.zeros((4, 2)), t=t, names=["a", "b"])
    with pytest.raises(AnalysisError, match="at least one neuron"):
        act.select([])

    class BadDense(FakeResult):
        def at(self, t):
            return np.zeros((np.size(t), 5))

    f = lambda tq: np.c_[tq, tq]  # noqa: E731
    bad = A.as_activity(BadDense(np.arange(5.0), {"V": f, "s": f}, ["a", "b"]))
    with pytest.raises(AnalysisError, match=r"dense output has shape \(1, 5\)"):
        bad.at(1.5)
    good = FakeResult(np.arange(5.0), {"V": f, "s": f}, ["a", "b"])
    with pytest.raises(AnalysisError, match="no state variable 'W'"):
        A.as_activity(good, var="W")


def test_stimulus_description_kinds():
    from circuitsim import inputs

    x, t = np.zeros((11, 1)), np.linspace(0, 10, 11)
    descr = [inputs.step("A", 1.0, at=2.0).describe(), inputs.constant("A", 1.0).describe(),
             inputs.samples("A", [3.0, 4.0, 7.5], [0.0, 1.0, 0.0]).describe()]
    act = A.as_activity(x, t=t, stimulus=descr)
    assert [s[:2] for s in act.stimulus] == [(2.0, 2.0), (3.0, 7.5)]  # a constant drive has no marker

    class Described:
        intervals = [(1.0, 2.0)]

    assert A.as_activity(x, t=t, stimulus=Described()).stimulus == ((1.0, 2.0, "stimulus"),)
    assert A.as_activity(x, t=t, stimulus={"intervals": [(4.0, 5.0)]}).stimulus == ((4.0, 5.0, "stimulus"),)


def test_oscillation_period_bounds():
    t = np.linspace(0, 400, 4001)
    x = (np.sin(2 * np.pi * t / 50) + 0.2 * np.sin(2 * np.pi * t / 10))[:, None]
    out = A.oscillations(x, t=t, names=["a"], min_period=20)
    np.testing.assert_allclose(out.loc["a", "period"], 50, rtol=1e-3)
    slow = A.oscillations(x, t=t, names=["a"], min_period=1000, max_period=2000)
    assert 1000 <= slow.loc["a", "period"] <= 2000 and not slow.loc["a", "oscillating"]  # < 2 cycles fit
