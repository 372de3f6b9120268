"""Scoring circuits against the atlas: target alignment, the experiment, baselines, scores, errors.

References: exact integrals of a linear network (augmented matrix exponential),
breadth-first search, explicit Neumann series, explicit leave-one-out counts,
and the slow metric references of ``tests/reference_atlas.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.linalg

import connectome
import circuitsim as cs
import reference_atlas as ref
from circuitsim import validate
from circuitsim.validate import baselines as B

# -- a tiny synthetic atlas ---------------------------------------------------------------
NAMES = ["A", "B", "C", "D", "E"]


def _table():
    rng = np.random.default_rng(1)
    rows = []
    for j in ["A", "B", "C", "D"]:
        rows.append((j, j, 0.5, 0.001, 0.9))  # autoresponse
        for i in NAMES:
            if i != j:
                q = float(rng.choice([0.01, 0.2, 0.6]))
                rows.append((j, i, float(rng.normal(0.05, 0.2)), q, 0.01 if q > 0.05 else float(rng.choice([0.01, 0.5]))))
    return pd.DataFrame(rows, columns=["stimulated", "responding", "dff", "q", "q_eq"])


@pytest.fixture(scope="module")
def tiny_target():
    return validate.AtlasTarget.from_table(_table(), label="tiny")


def test_target_orientation_and_labels(tiny_target):
    t, table = tiny_target, _table()
    assert t.stimulated == ("A", "B", "C", "D") and t.responding == ("A", "B", "C", "D", "E")
    for row in table.itertuples():
        if row.stimulated == row.responding:
            assert t.autoresponse[t.stimulated.index(row.stimulated)] == row.dff
            continue
        i, j = t.responding.index(row.responding), t.stimulated.index(row.stimulated)
        assert t.dff[i, j] == row.dff  # M[responding, stimulated]
        assert t.positive[i, j] == (row.q < 0.05)
        assert t.negative[i, j] == (row.q_eq < 0.05 and row.q >= 0.05)
    assert np.isnan(t.dff[0, 0]) and not t.measured[0, 0]  # the diagonal is kept apart
    sub = t.restrict(["A", "C", "E"], stimulated=["C", "A"])
    assert sub.stimulated == ("C", "A") and sub.responding == ("A", "C", "E")
    assert sub.dff[2, 0] == t.dff[4, 2]


def test_real_target_counts_match_the_table():
    t = validate.AtlasTarget.load()
    assert t.counts() == {"pairs": 23_901, "positive": 1_150, "positive_up": 1_000, "positive_down": 150,
                          "negative": 13_060, "stimulated": 173, "responding": 207}
    i, j = t.responding.index("ADEL"), t.stimulated.index("ADAL")
    assert t.dff[i, j] == pytest.approx(0.2263, abs=5e-4) and t.positive[i, j]


# -- the experiment in silico against exact integrals of a linear network -----------------
def _mean_response_exact(W, tau, j, amp, protocol):
    """Exact window means of x for dx/dt = (-x + W.T x + u) / tau, u = amp on j during the pulse."""
    n = len(W)
    A = (-np.eye(n) + W.T) / tau
    M = np.zeros((2 * n, 2 * n))
    M[:n, :n], M[n:, :n] = A, np.eye(n)  # second block: running integral of x

    def advance(z, c, dt):
        K = np.zeros((2 * n + 1, 2 * n + 1))
        K[:2 * n, :2 * n] = M
        K[:n, 2 * n] = c
        return (scipy.linalg.expm(K * dt) @ np.r_[z, 1.0])[:2 * n]

    u = np.zeros(n)
    u[j] = amp / tau
    z0 = np.zeros(2 * n)
    z_on = advance(z0, np.zeros(n), protocol.onset)
    z_off = advance(z_on, u, protocol.pulse)
    z_end = advance(z_off, np.zeros(n), protocol.response - protocol.pulse)
    base = z_on[n:] / protocol.onset
    resp = (z_end[n:] - z_on[n:]) / protocol.response
    return resp - base


def test_responses_match_exact_window_means_of_a_linear_network():
    W = np.array([[0, 0.8, 0, 0], [0, 0, -0.5, 0], [0.3, 0, 0, 0], [0, 0, 0, 0]], dtype=float)
    wiring = connectome.Wiring(["A", "B", "C", "D"], np.abs(W), np.sign(W))
    circuit = cs.Circuit(wiring, "ctrnn", cs.CTRNNParams.linear(tau=10.0))
    protocol = validate.Protocol(baseline=20.0, pulse=5.0, response=60.0, dt_baseline=1.0, dt_response=0.25)
    r = validate.responses(circuit, ["A", "C"], 2.0, protocol, solver=cs.Dopri5(rtol=1e-10, atol=1e-12))
    assert r.shape == (1, 4, 2)
    for k, j in enumerate([0, 2]):
        exact = _mean_response_exact(W, 10.0, j, 2.0, protocol)
        np.testing.assert_allclose(r[0, :, k], exact, atol=2e-4 * np.abs(exact).max())
    assert r[0, 1, 0] > 0 and r[0, 3, 0] == 0  # B responds to A; D is not connected


def test_calibration_matches_the_measured_median_autoresponse():
    wiring = connectome.Wiring(["A", "B", "C", "D"], np.array([[0, 1.0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1],
                                                                [0, 0, 0, 0]]))
    circuit = cs.Circuit(wiring, "ctrnn", cs.CTRNNParams.linear(tau=10.0))
    target = validate.AtlasTarget.from_table(_table())
    protocol = validate.Protocol(baseline=10.0, pulse=5.0, response=40.0, dt_baseline=1.0, dt_response=0.5)
    cal = validate.calibrate_amplitude(circuit, target, protocol)
    r = validate.responses(circuit, list(target.stimulated), cal.amplitude, protocol)[0]
    own = [r[k, k] for k in range(4)]
    assert np.median(own) == pytest.approx(0.5, rel=0.02)  # every autoresponse of the tiny table is 0.5
    assert cal.achieved == pytest.approx(np.median(own))


# -- baselines against independent references -----------------------------------------------
@pytest.fixture(scope="module")
def toy():
    chem = np.zeros((5, 5))
    sign = np.zeros((5, 5))
    for pre, post, w, s in [(0, 1, 2, 1), (1, 2, 1, -1), (2, 3, 3, 1), (4, 0, 1, 1)]:
        chem[pre, post], sign[pre, post] = w, s
    gap = np.zeros((5, 5))
    gap[3, 4] = gap[4, 3] = 1.0
    return connectome.Wiring(NAMES, chem, sign, gap)


def test_hops_match_breadth_first_search(toy, tiny_target):
    pred = B.hops(toy, tiny_target).values
    chem = [(0, 1), (1, 2), (2, 3), (4, 0)]
    for c, s in enumerate(tiny_target.stimulated):
        dist = ref.hops_bfs(5, chem, [(3, 4)], NAMES.index(s))
        for r, name in enumerate(tiny_target.responding):
            d = dist.get(NAMES.index(name))
            assert pred[r, c] == (0.0 if d in (None, 0) else 1.0 / d)


def test_direct_and_linear_propagation_match_explicit_sums(toy, tiny_target):
    A = np.zeros((5, 5))  # A[post, pre]
    for pre, post, v in [(0, 1, 2), (1, 2, -1), (2, 3, 3), (4, 0, 1)]:
        A[post, pre] = v
    A[3, 4] = A[4, 3] = 1.0
    rho = max(abs(np.linalg.eigvals(np.abs(A))))
    series = sum(np.linalg.matrix_power(0.5 * A / rho, k) for k in range(200))
    np.fill_diagonal(series, 0)
    direct, lin = B.direct_synapse(toy, tiny_target).values, B.linear_propagation(toy, tiny_target, 0.5).values
    for c, s in enumerate(tiny_target.stimulated):
        for r, name in enumerate(tiny_target.responding):
            i, j = NAMES.index(name), NAMES.index(s)
            assert direct[r, c] == (A[i, j] if i != j else 0)
            assert lin[r, c] == pytest.approx(series[i, j], abs=1e-12)


def test_hit_rate_leaves_the_pair_out(tiny_target):
    pred = B.hit_rate(tiny_target).values
    for r in range(5):
        for c in range(4):
            expected = ref.hit_rate(tiny_target.measured, tiny_target.positive, r, c)
            if expected is not None:
                assert abs(pred[r, c]) == pytest.approx(expected)
    # flipping a pair's own label never changes its own prediction
    table = _table()
    k = table.index[(table.stimulated == "B") & (table.responding == "E")][0]
    table.loc[k, "q"] = 0.2 if table.loc[k, "q"] < 0.05 else 0.001
    flipped = B.hit_rate(validate.AtlasTarget.from_table(table)).values
    assert abs(flipped[4, 1]) == abs(pred[4, 1])
    # with train columns, held-out columns never inform each other
    held = B.hit_rate(tiny_target, train_stimulated=["A", "B"]).values
    m2, p2 = tiny_target.measured[:, :2], tiny_target.positive[:, :2]
    for r in range(5):
        expected = ref.hit_rate(m2, p2, r, -1)  # column D is held out: only A and B count
        assert abs(held[r, 3]) == pytest.approx(p2.sum() / m2.sum() if expected is None else expected)


def test_soma_distance_is_the_euclidean_distance():
    t = validate.AtlasTarget.load().restrict(["ADAL", "ADEL", "AVAL", "PVQL"])
    pos = connectome.load("cook2019_herm").neurons[["x", "y", "z"]]
    pred = B.soma_distance(t).values
    for r, a in enumerate(t.responding):
        for c, b in enumerate(t.stimulated):
            d = np.sqrt(((pos.loc[a] - pos.loc[b]) ** 2).sum())
            assert pred[r, c] == pytest.approx(1 / (1 + d))


# -- scores ---------------------------------------------------------------------------------------
def test_scores_equal_reference_metrics_on_common_pairs(tiny_target):
    rng = np.random.default_rng(4)
    p1 = rng.normal(size=tiny_target.shape)
    p2 = rng.normal(size=tiny_target.shape)
    p2[1, 0] = np.nan  # one pair unscored by p2: left out for every predictor
    sc = validate.score({"one": p1, "two": p2}, tiny_target, n_boot=0)
    common = tiny_target.measured & np.isfinite(p2)
    det = common & (tiny_target.positive | tiny_target.negative)
    labels = tiny_target.positive[det]
    assert sc.counts["pairs"] == common.sum()
    assert sc.table.loc["one", "auroc"] == pytest.approx(ref.auroc(np.abs(p1[det]), labels))
    assert sc.table.loc["one", "auprc"] == pytest.approx(ref.average_precision(np.abs(p1[det]), labels))
    assert sc.table.loc["one", "base_rate"] == pytest.approx(labels.mean())
    sig = common & tiny_target.positive
    assert sc.table.loc["two", "spearman"] == pytest.approx(ref.spearman(p2[sig], tiny_target.dff[sig]))
    assert sc.table.loc["two", "sign_accuracy"] == pytest.approx(
        ref.balanced_sign_accuracy(p2[sig], tiny_target.dff[sig]))


def test_bootstrap_is_paired_and_reproducible():
    t = validate.AtlasTarget.load()
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=t.shape), rng.normal(size=t.shape)
    s1 = validate.score({"a": a, "b": b}, t, n_boot=200, seed=3)
    s2 = validate.score({"a": a, "b": b}, t, n_boot=200, seed=3)
    pd.testing.assert_frame_equal(s1.table, s2.table)
    row = s1.table.loc["a"]
    assert row.auroc_lo < row.auroc < row.auroc_hi and row.auroc == pytest.approx(0.5, abs=0.03)
    same = s1.compare("a", "a")
    assert same["difference"] == 0 and same["lo"] == same["hi"] == 0


# -- the whole scoring run on a small circuit --------------------------------------------------------
SMALL = ["ADAL", "ADAR", "ADEL", "ADER", "AIBL", "AIBR", "AVAL", "AVAR", "AVEL", "AVER", "AWBL", "AWBR", "RIML",
         "RIMR", "RMDL", "RMDR", "SMDVL", "SMDVR", "URYDL", "URYVL", "AIZL", "AIZR", "ASHL", "ASHR"]
SHORT = validate.Protocol(baseline=1_000.0, pulse=500.0, response=5_000.0, dt_response=100.0)


@pytest.fixture(scope="module")
def small_circuit():
    w = connectome.Wiring.from_connectome(connectome.load("cook2019_herm")).subset(SMALL)
    return cs.kunert2014(w)


@pytest.fixture(scope="module")
def small_report(small_circuit):
    return validate.atlas(small_circuit, protocol=SHORT, n_boot=50)


def test_small_circuit_report_covers_exactly_the_atlas_pairs_among_its_neurons(small_report):
    wt = connectome.functional_atlas("randi2023", "wt")
    inside = wt[wt.stimulated.isin(SMALL) & wt.responding.isin(SMALL) & (wt.stimulated != wt.responding)]
    inside = inside.dropna(subset=["dff"])
    cov = small_report.coverage
    assert cov["pairs"] == len(inside) and cov["pairs_in_atlas"] == 23_901
    assert cov["stimulated"] == inside.stimulated.nunique() and cov["stimulated_in_atlas"] == 173
    assert set(small_report.scores.table.index) == {"model", "direct synapse", "-hops", "linear propagation",
                                                    "hit rate", "-soma distance"}
    assert list(small_report.sensitivity.index) == [0.5, 1.0, 2.0]


def test_calibration_reports_how_many_self_responses_fall_in_the_measured_range(small_report, small_circuit):
    cal = small_report.calibration
    wt = connectome.functional_atlas()
    auto = wt[wt.stimulated == wt.responding].set_index("stimulated").dff
    measured = auto.reindex(list(cal.neurons)).to_numpy()
    beta = float(np.median(small_circuit.params.beta))
    own = np.array([small_report.response.loc[n, n] for n in cal.neurons]) * beta  # mV -> dF/F units
    lo, hi = np.percentile(measured, [5, 95])
    assert cal.in_range == pytest.approx(np.mean((own >= lo) & (own <= hi)))
    assert np.median(own) == pytest.approx(np.median(measured), rel=0.02)


def test_small_circuit_model_scores_are_the_reference_metrics_of_its_responses(small_report, small_circuit):
    t = small_report.target
    r = small_report.response.loc[list(t.responding), list(t.stimulated)].to_numpy()
    common = np.logical_and.reduce([np.isfinite(p.values) for p in small_report.predictions.values()]) & t.measured
    det = common & (t.positive | t.negative)
    assert small_report.scores.table.loc["model", "auroc"] == pytest.approx(ref.auroc(np.abs(r[det]), t.positive[det]))
    # the response orientation: r[responding, stimulated] from the circuit run by hand
    j = t.stimulated[0]
    res = cs.simulate(small_circuit, (0, SHORT.end), cs.pulse([j], small_report.calibration.amplitude, SHORT.onset,
                                                               SHORT.pulse), cs.Rosenbrock(), saveat=SHORT.saveat())
    base, resp = SHORT.window_means(res.t, res["V"][None])
    np.testing.assert_allclose(small_report.response[j].to_numpy(), (resp - base)[0], rtol=1e-6, atol=1e-9)


def test_pictures_return_figures(small_report):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = small_report.plot_matrices()
    assert len(fig.axes) >= 2
    fig2, ax = plt.subplots()
    assert small_report.plot_roc(ax=ax) is fig2 and len(ax.lines) == 7  # 6 predictors + chance
    assert small_report.plot_roc(far=True).axes
    plt.close("all")


# -- bad inputs ------------------------------------------------------------------------------------------
def test_unknown_atlas_and_strain_are_named(small_circuit):
    with pytest.raises(connectome.UnknownStrainError, match="did you mean 'unc31'"):
        validate.atlas(small_circuit, strain="unc32")
    with pytest.raises(connectome.UnknownAtlasError, match="did you mean 'randi2023'"):
        validate.atlas(small_circuit, "randi2032")


def test_circuits_missing_atlas_neurons_raise_named_errors(small_circuit):
    toy = cs.kunert2014(connectome.Wiring(["X1", "X2"], np.array([[0, 1.0], [0, 0]])))
    with pytest.raises(validate.AtlasCoverageError, match="contains no measured pair"):
        validate.atlas(toy)
    wt = connectome.functional_atlas()
    off = wt[wt.stimulated != wt.responding]
    atlas_neurons = set(off.stimulated) | set(off.responding)
    n_absent = len(atlas_neurons - set(SMALL))
    with pytest.raises(validate.AtlasCoverageError,
                       match=f"lacks {n_absent} of the {len(atlas_neurons)} atlas neurons") as err:
        validate.atlas(small_circuit, missing="raise")
    assert "AVBL" in err.value.missing
    with pytest.raises(validate.AtlasCoverageError, match=r"'AVAX'.*did you mean 'AVA[LR]', 'AVA[LR]'"):
        validate.atlas(small_circuit, stimulated=["AVAX"])
    with pytest.raises(cs.AnalysisError):  # the package's base class catches it
        validate.atlas(small_circuit, stimulated=["VB1"])


def test_bad_arguments_are_refused(small_circuit, tiny_target):
    with pytest.raises(cs.AnalysisError, match="circuit must be a circuitsim.Circuit"):
        validate.atlas(small_circuit.wiring)
    with pytest.raises(cs.AnalysisError, match="amplitude must be finite"):
        validate.atlas(small_circuit, amplitude=float("nan"), protocol=SHORT)
    with pytest.raises(cs.AnalysisError, match="missing must be"):
        validate.atlas(small_circuit, missing="ignore")
    with pytest.raises(cs.AnalysisError, match="sensitivity factors must be finite and > 0"):
        validate.atlas(small_circuit, sensitivity=(0.5, -2.0), amplitude=10.0, protocol=SHORT)
    with pytest.raises(cs.AnalysisError, match="amplitude must be 'calibrate' or a number"):
        validate.atlas(small_circuit, amplitude="auto")
    with pytest.raises(cs.ParameterError, match="Protocol.pulse"):
        validate.Protocol(pulse=float("nan"))
    with pytest.raises(cs.AnalysisError, match="shape"):
        validate.score({"bad": np.zeros((2, 2))}, tiny_target)
    with pytest.raises(cs.UnknownNeuronError, match=r"unknown neuron 'AVAK'.*did you mean 'AVA[LR]'"):
        validate.responses(small_circuit, ["AVAK"], 10.0, SHORT)


def test_unc31_is_scored_with_its_own_shorter_stimulation(small_circuit):
    rep = validate.atlas(small_circuit, strain="unc-31", protocol=None, n_boot=20, sensitivity=(), min_distance=0)
    assert rep.protocol.pulse == 300.0  # 0.3 s in unc-31 (0.5 s in wild type)
    assert rep.coverage["pairs_in_atlas"] == 9_119 and rep.coverage["stimulated_in_atlas"] == 109
