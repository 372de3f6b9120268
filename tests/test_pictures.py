"""Pictures show the science by default: display quantities, robust colour limits, legible layouts.

The worm checks run the published model (Kunert et al. 2014, PLM stimulated with
2 nA) for 6 s, long enough for five cycles of its rhythm; references are
computed here from the raw samples and the model's thresholds.
"""

import gc
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402
from scipy.spatial.distance import pdist  # noqa: E402

import connectome  # noqa: E402
from circuitsim import analysis as A  # noqa: E402
from circuitsim import plot  # noqa: E402
from circuitsim.analysis import AnalysisError  # noqa: E402

T_END = 6000.0  # ms


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def worm():
    import circuitsim as cs

    # from the no-input rest the touch starts a transient (the pictures must keep it out of their ranges)
    circuit = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000}, y0="rest")
    result = cs.simulate(circuit, T_END, cs.constant(["PLML", "PLMR"], 2000), cs.Rosenbrock(),
                         saveat=np.linspace(0.0, T_END, 601))  # uniform samples: the heatmap draws them as they are
    vth = np.asarray(circuit.model.thresholds(circuit))
    return circuit, result, vth


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _colourbar_axes(ax):
    return [a for a in ax.figure.axes if a is not ax][-1]


def test_importing_circuitsim_does_not_import_matplotlib_and_plot_is_lazy():
    code = ("import sys, circuitsim; "
            "print(sorted(m for m in ('matplotlib', 'circuitsim.plot', 'circuitsim.analysis') if m in sys.modules)); "
            "print(circuitsim.plot.heatmap.__module__, circuitsim.analysis.oscillations.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    first, second = out.stdout.strip().splitlines()
    assert first == "[]"
    assert second == "circuitsim.plot._heatmap circuitsim.analysis._oscillations"


# ---------------------------------------------------------------------------
# the worm: V - Vth, colour limits that leave PLM out
# ---------------------------------------------------------------------------
def test_worm_heatmap_shows_v_minus_threshold_with_limits_that_exclude_plm(worm, tmp_path):
    circuit, result, vth = worm
    display = result["V"] - vth  # independent of the plotting code: samples minus the model's thresholds
    ax = plot.heatmap(result)
    mesh = _by_gid(ax, "heatmap")[0]
    lo, hi = mesh.get_clim()
    second_half = result.t >= T_END / 2  # the default limits leave the first half out
    ref_lo, ref_hi = np.percentile(display[second_half], [2, 98])
    tol = 0.02 * (ref_hi - ref_lo)
    assert abs(lo - ref_lo) < tol and abs(hi - ref_hi) < tol
    plm = [result.neurons.index(n) for n in ("PLML", "PLMR")]
    settled = result.t >= 1000.0
    assert display[settled][:, plm].min() < lo and display[settled][:, plm].max() > hi  # PLM's swings left out
    # the locomotion rhythm spans a good part of the colour range (of the full range it would be 0.04 %)
    cls = circuit.wiring.metadata["class"]
    for c in ("DB", "VB"):
        members = [result.neurons.index(n) for n in result.neurons if cls[n] == c]
        assert np.median(np.ptp(display[settled][:, members], axis=0)) > 0.2 * (hi - lo)
        assert np.median(np.ptp(display[settled][:, members], axis=0)) < 0.001 * np.ptp(display)
    cbar = _colourbar_axes(ax)
    assert cbar.get_ylabel() == "V - Vth (mV)"
    assert _by_gid(ax, "heatmap")[0].colorbar.extend == "both"  # arrow ends: values beyond the limits
    # the drawn values are V - Vth, rows in layer order (279 rows: no names by default)
    assert len(ax.get_yticklabels()) == 0
    drawn = np.asarray(mesh.get_array()).reshape(len(result.neurons), -1)
    idx, _ = plot.order_neurons(result.neurons, circuit.wiring.metadata, circuit.wiring.inputs,
                                circuit.wiring.outputs)
    np.testing.assert_allclose(drawn, display[:, idx].T, rtol=1e-12, atol=1e-9)
    # raw V on request: its robust limits still leave PLM's volts out
    raw = plot.heatmap(result, var="V", ax=plt.figure().gca())
    rlo, rhi = _by_gid(raw, "heatmap")[0].get_clim()
    rref = np.percentile(result["V"][second_half], [2, 98])
    assert abs(rlo - rref[0]) < 0.02 * np.ptp(rref) and abs(rhi - rref[1]) < 0.02 * np.ptp(rref)
    assert result["V"][settled][:, plm].min() > 2 * rhi
    assert _colourbar_axes(raw).get_ylabel() == "V (mV)"
    ax.figure.savefig(tmp_path / "worm_heatmap.png", dpi=50)


def test_worm_network_nodes_are_v_minus_threshold_through_the_dense_output(worm):
    circuit, result, vth = worm
    t = 4321.123  # between samples
    ax = plot.network(result, t, edges=())
    nodes = _by_gid(ax, "nodes")[0]
    lo, hi = nodes.get_clim()
    display = result["V"] - vth
    ref = np.percentile(display[result.t >= T_END / 2], [2, 98])
    assert abs(lo - ref[0]) < 0.02 * np.ptp(ref) and abs(hi - ref[1]) < 0.02 * np.ptp(ref)
    order = [result.neurons.index(n) for n in nodes.neurons]
    expected = plt.get_cmap("coolwarm")(mcolors.Normalize(lo, hi)(result.at(t, variable="V")[order] - vth[order]))
    ax.figure.canvas.draw()
    np.testing.assert_allclose(nodes.get_facecolors(), expected, atol=1e-12)
    assert _colourbar_axes(ax).get_ylabel() == "V - Vth (mV)"


def test_worm_overview_is_the_cli_figure(worm, tmp_path):
    circuit, result, vth = worm
    fig = plot.overview(result)
    traces = [ln for ln in fig.axes_traces.lines if ln.get_gid() == "overview-trace"]
    cls = circuit.wiring.metadata["class"]
    motor = [n for n in result.neurons if cls[n] in ("VB", "DB", "VD", "DD")]
    assert len(traces) == len(motor) > 30
    first = traces[0]  # the first VB neuron, drawn through the dense output
    vb = [n for n in result.neurons if cls[n] == "VB"][0]
    k = result.neurons.index(vb)
    np.testing.assert_allclose(first.get_ydata(), result.at(first.get_xdata(), variable="V")[:, k] - vth[k],
                               rtol=1e-12, atol=1e-9)
    y0, y1 = fig.axes_traces.get_ylim()
    late = result.t >= 0.1 * T_END
    values = (result["V"] - vth)[:, [result.neurons.index(n) for n in motor]]
    assert y0 <= values[late].min() and y1 >= values[late].max()
    assert values[~late].max() > y1  # the start-up transient is left out of the range
    assert [t.get_text() for t in fig.axes_traces.get_legend().get_texts()] == [
        f"{c} ({sum(cls[n] == c for n in motor)})" for c in ("VB", "DB", "VD", "DD")]
    assert fig.axes_traces.get_xlabel() == "time (s)" and fig.axes_colorbar.get_ylabel() == "V - Vth (mV)"
    fig.savefig(tmp_path / "overview.png", dpi=50)
    with pytest.raises(AnalysisError, match="none of the classes"):
        plot.overview(result, classes=["XYZ"])
    with pytest.raises(AnalysisError, match="settle must be"):
        plot.overview(result, settle=1.0)
    with pytest.raises(AnalysisError, match="time_unit must be"):
        plot.overview(result, time_unit="min")


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")  # only frame times are checked
def test_worm_animation_has_twelve_frames_per_cycle(worm):
    circuit, result, vth = worm
    anim = plot.animate(result, layout="layered", edges=(), labels=False, neurons=["DB1", "VB1"])
    assert 1100.0 < anim.period < 1300.0  # the model's rhythm, about 1.2 s
    frames_per_cycle = anim.period / np.diff(anim.times).max()
    assert frames_per_cycle >= 12
    assert anim.times[0] == 0.0 and anim.times[-1] == T_END
    del anim
    gc.collect()  # the unrendered animation goes now, while its warning is filtered


def test_worm_analysis_reads_the_display_quantity_and_compare_the_state(worm):
    circuit, result, vth = worm
    names = ["DB1", "VB1", "AVBL"]
    k = [result.neurons.index(n) for n in names]
    osc = A.oscillations(result, names, start=2000.0)
    raw = A.oscillations(result, names, start=2000.0, var="V")
    np.testing.assert_allclose(osc["period"], raw["period"], rtol=1e-9)  # a constant offset per neuron
    np.testing.assert_allclose(osc["mean"], raw["mean"] - vth[k], rtol=1e-9, atol=1e-9)
    tab = A.compare(result, result, neurons=names, labels=("x", "y"))
    v = result["V"][:, k]
    mean_v = np.trapezoid(v, result.t, axis=0) / T_END
    np.testing.assert_allclose(tab.loc[names, "mean_x"], mean_v, rtol=1e-9)
    with pytest.raises(AnalysisError, match=r"no state variable 'VV'.*did you mean 'V'"):
        A.as_activity(result, var="VV")
    act = A.as_activity(result)
    assert (act.var, act.unit) == ("V - Vth", "mV") and act.display.variable == "V"
    np.testing.assert_allclose(act.display.offset, vth)  # how the values were made is kept with them
    assert A.as_activity(result, var="V").display is None


def test_traces_settle_leaves_the_transient_out_of_the_range():
    t = np.linspace(0.0, 100.0, 1001)
    x = np.where(t < 10.0, 100.0, np.sin(t))[:, None]
    act = A.as_activity(x, t=t, names=["a"])
    y0, y1 = plot.traces(act, settle=0.5).get_ylim()
    late = x[t >= 50.0]
    np.testing.assert_allclose([y0, y1], [late.min() - 0.1 * np.ptp(late), late.max() + 0.1 * np.ptp(late)])
    assert plot.traces(act, ax=plt.figure().gca()).get_ylim()[1] > 100.0  # default: everything drawn
    with pytest.raises(AnalysisError, match="settle must be a fraction"):
        plot.traces(act, settle=-0.1)


# ---------------------------------------------------------------------------
# body layout: the head somata apart
# ---------------------------------------------------------------------------
def test_body_layout_separates_the_head_somata(tmp_path):
    w = connectome.Wiring.from_connectome(connectome.load("varshney2011"))
    soma = w.metadata[["y", "z"]].to_numpy(float)
    d = pdist(soma)
    assert (d < 1.0).sum() > 80  # the problem: left/right pairs and head somata share places in a side view
    ax = plot.network(w, edges=())
    drawn = np.asarray(_by_gid(ax, "nodes")[0].get_offsets())
    body = np.ptp(soma[:, 0])
    assert pdist(drawn).min() >= 0.99 * body / 150  # nothing closer than 4.7 µm
    moved = np.hypot(*(drawn - soma).T)
    assert moved.max() < 25.0 and np.median(moved) < 10.0  # each soma stays near its place
    far = np.sort(np.vstack([np.delete(np.hypot(*(soma - s).T), i) for i, s in enumerate(soma)]), axis=1)[:, 0]
    np.testing.assert_array_equal(moved[far > 3 * body / 150], 0.0)  # isolated somata do not move
    again = _by_gid(plot.network(w, edges=(), ax=plt.figure().gca()), "nodes")[0].get_offsets()
    np.testing.assert_array_equal(drawn, again)  # reproducible
    raw = _by_gid(plot.network(w, edges=(), spread=False, ax=plt.figure().gca()), "nodes")[0].get_offsets()
    np.testing.assert_array_equal(raw, soma)
    wide = _by_gid(plot.network(w, edges=(), spread=8.0, ax=plt.figure().gca()), "nodes")[0].get_offsets()
    assert pdist(wide).min() >= 0.99 * 8.0
    with pytest.raises(AnalysisError, match="spread must be"):
        plot.network(w, spread=-1.0)
    ax.figure.savefig(tmp_path / "body.png", dpi=50)


def test_separate_moves_coinciding_points_apart_in_tiebreak_order():
    pos = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [10.0, 0.0]])
    out = plot.separate(pos, 1.0, tiebreak=[2.0, -1.0, 0.5, 0.0])
    np.testing.assert_allclose(out[:3, 0], 0.0)
    assert out[1, 1] < out[2, 1] < out[0, 1]  # bottom to top by the tiebreak coordinate
    np.testing.assert_allclose(out[:3, 1].mean(), 0.0, atol=1e-12)  # centred on their place
    assert pdist(out).min() >= 0.99
    np.testing.assert_array_equal(out[3], pos[3])
    np.testing.assert_array_equal(plot.separate(pos, 0.0), pos)


# ---------------------------------------------------------------------------
# heatmap: labels, groups, colour limits
# ---------------------------------------------------------------------------
def _groups_activity(n_motor=200):
    names = ["PLML", "PLMR", "ALML", "AVAL", "AVAR", "AVBL", "DVA"] + [f"VB{i}" for i in range(n_motor)]
    types = ["sensory"] * 3 + ["interneuron"] * 4 + ["motor"] * n_motor
    classes = ["PLM", "PLM", "ALM", "AVA", "AVA", "AVB", "DVA"] + ["VB"] * n_motor
    meta = pd.DataFrame({"type": types, "class": classes}, index=names)
    t = np.linspace(0, 100, 201)
    x = np.sin(2 * np.pi * t[:, None] / 25 + np.arange(len(names)))
    x[:, 0] += 500.0  # an outlier neuron
    return A.as_activity(x, t=t, names=names, metadata=meta)


def test_heatmap_layer_strip_labels_do_not_overlap_and_explain_the_separators(tmp_path):
    act = _groups_activity()
    ax = plot.heatmap(act)
    fig = ax.figure
    fig.canvas.draw()
    strips = _by_gid(ax, "group-strip")
    assert [mcolors.to_hex(p.get_facecolor()) for p in strips] == [
        plot.LAYER_COLOURS[k] for k in ("sensory", "inter", "command", "motor")]
    seps = [ln.get_ydata()[0] for ln in _by_gid(ax, "group-separator")]
    np.testing.assert_allclose(seps, [2.5, 3.5, 6.5])  # 3 sensory, 1 inter (DVA), 3 command (AVA, AVB), motor
    np.testing.assert_allclose([p.get_y() for p in strips[1:]], seps)  # each band starts at a separator
    assert [t.get_text() for t in ax.texts if t.get_gid() == "group-title"] == ["layer"]
    labels = [t for t in ax.texts if t.get_gid() == "group-label"]
    assert [t.get_text() for t in labels] == ["sensory", "inter", "command", "motor"]
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.y0)
    assert all(b1.y0 >= b0.y1 for b0, b1 in zip(boxes, boxes[1:]))  # thin bands: labels moved apart
    cbar = _colourbar_axes(ax).get_window_extent()
    assert max(b.x1 for b in boxes) < cbar.x0  # and clear of the colour bar
    assert _by_gid(ax, "group-leader")  # a moved label points at its band
    fig.savefig(tmp_path / "groups.png", dpi=60)


def test_heatmap_labels_and_limits_options():
    act = _groups_activity()
    values = act.values
    auto = plot.heatmap(act)
    assert len(auto.get_yticklabels()) == 0  # 207 rows: more than max_labels
    named = plot.heatmap(act, labels=True, ax=plt.figure().gca())
    assert len(named.get_yticklabels()) == act.n
    small = plot.heatmap(act, neurons=["AVAL", "DVA"], labels=False, ax=plt.figure().gca())
    assert len(small.get_yticklabels()) == 0
    lo, hi = _by_gid(auto, "heatmap")[0].get_clim()
    ref = np.percentile(values[act.t >= 50.0], [2, 98])  # the second half of the window
    assert abs(lo - ref[0]) < 0.02 * np.ptp(ref) and abs(hi - ref[1]) < 0.02 * np.ptp(ref)
    assert hi < 2.0 < 499.0 < values[:, 0].min()  # the outlier row takes the end colour
    assert _colourbar_axes(auto).get_ylabel() == "activity"
    full = plot.heatmap(act, percentiles=None, ax=plt.figure().gca())
    assert _by_gid(full, "heatmap")[0].get_clim() == (values.min(), values.max())
    fixed = plot.heatmap(act, vmin=-0.5, ax=plt.figure().gca())
    assert _by_gid(fixed, "heatmap")[0].get_clim() == (-0.5, hi)
    z = plot.heatmap(act, normalize="zscore", ax=plt.figure().gca())
    zlo, zhi = _by_gid(z, "heatmap")[0].get_clim()
    zs = (values - values.mean(0)) / values.std(0)
    assert zlo == -zhi and abs(zhi - np.abs(np.percentile(zs[act.t >= 50.0], [2, 98])).max()) < 0.05
    assert _colourbar_axes(z).get_ylabel() == "activity z-scored per row (z-score)"
    assert "mV" not in _colourbar_axes(z).get_ylabel()
    with pytest.raises(AnalysisError, match="percentiles must be two increasing numbers"):
        plot.heatmap(act, percentiles=(98, 2))
    lo_c, hi_c = plot.colour_limits(act)
    assert (lo_c, hi_c) == (lo, hi)


def test_default_colour_limits_leave_out_the_rest_before_a_stimulus():
    # every neuron 50 below threshold for the first 10 % of the run, then a rhythm of amplitude 1
    t = np.linspace(0.0, 1000.0, 1001)
    x = np.where(t[:, None] < 100.0, -50.0, np.sin(2 * np.pi * t[:, None] / 120.0 + np.arange(20)))
    act = A.as_activity(x, t=t, names=[f"n{i}" for i in range(20)])
    lo, hi = plot.colour_limits(act)
    assert -1.0 <= lo < -0.9 and 0.9 < hi <= 1.0  # the rhythm fills the colour range
    lo0, _ = plot.colour_limits(act, settle=0.0)
    assert lo0 == -50.0  # counting the rest, 10 % of the values would set the lower limit
    ax = plot.heatmap(act, order="given")
    assert _by_gid(ax, "heatmap")[0].get_clim() == (lo, hi)
    with pytest.raises(AnalysisError, match="settle must be a fraction"):
        plot.colour_limits(act, settle=1.0)


def test_weighted_percentiles_do_not_count_short_steps_more():
    # x(t) = t on [0, 1] sampled 1000 times in the first tenth and 10 times after: its median over time is 0.5
    t = np.unique(np.r_[np.linspace(0, 0.1, 1000), np.linspace(0.1, 1.0, 10)])
    x = t[:, None]
    np.testing.assert_allclose(A.weighted_percentiles(t, x, [10, 50, 90]), [0.1, 0.5, 0.9], atol=0.02)
    assert np.percentile(x, 50) < 0.1  # counting samples, the median would sit in the transient


def test_held_sampled_drive_is_marked_from_the_start():
    from circuitsim import inputs

    t = np.linspace(0, 10, 11)
    held = inputs.samples("A", [3.0, 4.0, 7.5], [1.0, 1.0, 0.0]).describe()
    act = A.as_activity(np.zeros((11, 1)), t=t, names=["A"], stimulus=held)
    assert act.stimulus[0][:2] == (-np.inf, 7.5)  # the first sample is held before it
    ax = plot.traces(act)
    span = _by_gid(ax, "stimulus")[0]
    np.testing.assert_allclose([span.get_x(), span.get_x() + span.get_width()], [0.0, 7.5])
    with pytest.raises(AnalysisError, match="on from the start of the run"):
        A.response(act)


@pytest.mark.filterwarnings("ignore:Animation was deleted without rendering")
def test_animation_frames_follow_the_rhythm(wiring_result):
    result, period = wiring_result
    anim = plot.animate(result, layout="layered", neurons=["AVAL"])
    np.testing.assert_allclose(anim.period, period, rtol=1e-3)
    assert len(anim.times) >= 12 * (result.t[-1] - result.t[0]) / period + 1
    assert period / np.diff(anim.times).max() >= 12
    seven = plot.animate(result, n_frames=7, layout="layered", neurons=["AVAL"])
    assert len(seven.times) == 7
    assert len(plot.frame_times(result)) == len(anim.times)
    with pytest.warns(UserWarning, match="aliases the rhythm"):
        assert len(plot.frame_times(result, max_frames=45)) == 45
    flat = A.as_activity(np.ones((50, 2)), t=np.linspace(0, 500, 50), names=["a", "b"])
    assert len(plot.frame_times(flat)) == 40  # nothing oscillates: the old default
    with pytest.raises(AnalysisError, match="frames_per_cycle"):
        plot.frame_times(flat, frames_per_cycle=0)
    with pytest.raises(AnalysisError, match="at least one frame"):
        plot.animate(result, times=[])
    del anim, seven
    gc.collect()  # the unrendered animations go now, while their warning is filtered


@pytest.fixture
def wiring_result():
    """A toy result whose every neuron oscillates with period 40 ms (exact dense output)."""
    names = ["PLML", "AVAL", "DB1"]
    w = connectome.Wiring(names, np.zeros((3, 3)), metadata=pd.DataFrame(
        {"type": ["sensory", "interneuron", "motor"], "class": ["PLM", "AVA", "DB"]}, index=names))
    period = 40.0

    def exact(tq):
        tq = np.atleast_1d(np.asarray(tq, float))
        return 3 * np.sin(2 * np.pi * tq[:, None] / period + np.arange(3))

    class Toy:
        state_names = ("V",)
        units = {"V": "mV"}
        t = np.arange(0.0, 400.0 + 1e-9, 2.0)
        neurons = tuple(names)
        wiring = w

        def __getitem__(self, var):
            return exact(self.t)

        def at(self, tq):
            out = exact(tq)
            return out[0] if np.ndim(tq) == 0 else out

    return Toy(), period
