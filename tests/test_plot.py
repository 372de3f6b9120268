"""circuitsim.plot: figures checked for content and rendered to PNG."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402

import connectome  # noqa: E402
from circuitsim import analysis as A  # noqa: E402
from circuitsim import plot  # noqa: E402
from circuitsim.analysis import AnalysisError, MissingPositionsError  # noqa: E402
from circuitsim.errors import OutOfSpanError, UnknownNeuronError  # noqa: E402

NAMES = ["PLML", "PLMR", "DVA", "AVAL", "AVAR", "AVBL", "DB1", "VB1", "DD1"]
TYPES = ["sensory", "sensory", "interneuron", "interneuron", "interneuron", "interneuron", "motor", "motor", "motor"]
CLASSES = ["PLM", "PLM", "DVA", "AVA", "AVA", "AVB", "DB", "VB", "DD"]
LAYER_X = {"sensory": 0, "inter": 1, "command": 2, "motor": 3}
EXPECTED_LAYER = ["sensory", "sensory", "inter", "command", "command", "command", "motor", "motor", "motor"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def wiring():
    n = len(NAMES)
    idx = {nm: i for i, nm in enumerate(NAMES)}
    W = np.zeros((n, n))
    S = np.zeros((n, n))
    chem = [("PLML", "AVBL", 3, 1), ("PLMR", "AVBL", 2, 1), ("PLML", "DVA", 1, 1), ("AVAL", "DB1", 4, 1),
            ("AVBL", "VB1", 5, 1), ("DD1", "DB1", 2, -1), ("DD1", "VB1", 1, -1)]
    for pre, post, w, s in chem:
        W[idx[pre], idx[post]] = w
        S[idx[pre], idx[post]] = s
    G = np.zeros((n, n))
    for a, b in [("AVAL", "AVAR"), ("PLML", "PLMR")]:
        G[idx[a], idx[b]] = G[idx[b], idx[a]] = 1.0
    y = np.linspace(-300, 400, n)
    meta = pd.DataFrame({"class": CLASSES, "type": TYPES, "x": np.linspace(-5, 5, n), "y": y,
                         "z": 30 * np.sin(np.arange(n))}, index=pd.Index(NAMES, name="name"))
    return connectome.Wiring(NAMES, W, S, G, inputs=["PLML", "PLMR"], outputs=["DB1", "VB1", "DD1"],
                             metadata=meta, name="toy")


OMEGA = 2 * np.pi / 40.0
PHASE = np.linspace(0, np.pi, len(NAMES))


def exact(tq):
    """The 'solver's' continuous extension: known in closed form."""
    tq = np.atleast_1d(np.asarray(tq, float))
    return -40 + 20 * np.sin(OMEGA * tq[:, None] + PHASE)


class FakeResult:
    state_names = ("V",)
    units = {"V": "mV"}

    def __init__(self, wiring):
        self.t = np.arange(0.0, 200.0 + 1e-9, 4.0)  # coarse samples: linear interpolation would be visibly off
        self.neurons = wiring.neurons
        self.wiring = wiring
        self.stimulus = [(50.0, 70.0, "PLML")]

    def __getitem__(self, var):
        return exact(self.t)

    def at(self, t):
        if np.min(t) < self.t[0] or np.max(t) > self.t[-1]:
            raise OutOfSpanError("outside the simulated span")
        out = exact(t)
        return out[0] if np.ndim(t) == 0 else out


@pytest.fixture
def result(wiring):
    return FakeResult(wiring)


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid] + [
        a for a in ax.collections if a.get_gid() == gid and a not in ax.get_children()]


def _render(ax_or_fig, tmp_path, name):
    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 2000
    return path


# ---------------------------------------------------------------------------
# network
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["anatomical", "layered"])
def test_network_nodes_coloured_by_dense_output(result, wiring, layout, tmp_path):
    t = 37.3  # between samples
    ax = plot.network(result, t, layout=layout, percentiles=None)  # colour limits: the full range
    nodes = _by_gid(ax, "nodes")[0]
    assert len(nodes.get_offsets()) == len(NAMES) and nodes.neurons == tuple(NAMES)
    _render(ax, tmp_path, f"network_{layout}")  # drawing maps the values through the colormap
    values = exact(t)[0]
    lo, hi = exact(result.t).min(), exact(result.t).max()
    expected = plt.get_cmap("coolwarm")(mcolors.Normalize(lo, hi)(values))
    np.testing.assert_allclose(nodes.get_facecolors(), expected, atol=1e-12)
    # and not the linear interpolation between the coarse samples
    act = A.as_activity(result["V"], t=result.t, names=NAMES)
    linear = plt.get_cmap("coolwarm")(mcolors.Normalize(lo, hi)(act.at(t)))
    assert np.abs(nodes.get_facecolors() - linear).max() > 1e-3
    assert ax.get_title() == "t = 37.3 ms"
    cbar = ax.figure.axes[-1]
    assert cbar.get_ylabel() == "V (mV)"


def test_network_positions_and_edges(result, wiring, tmp_path):
    ax = plot.network(result, 10.0, layout="anatomical")
    nodes = _by_gid(ax, "nodes")[0]
    meta = wiring.metadata
    np.testing.assert_allclose(nodes.get_offsets(), meta[["y", "z"]].to_numpy())  # body axis horizontal
    assert ax.get_xlabel().startswith("y (µm")
    counts = {g: len(_by_gid(ax, g)[0].get_segments()) for g in
              ("edges-chemical-excitatory", "edges-chemical-inhibitory", "edges-electrical")}
    assert counts == {"edges-chemical-excitatory": 5, "edges-chemical-inhibitory": 2, "edges-electrical": 2}
    seg = {tuple(map(tuple, s)) for s in _by_gid(ax, "edges-chemical-inhibitory")[0].get_segments()}
    pos = dict(zip(NAMES, meta[["y", "z"]].to_numpy()))
    assert (tuple(pos["DD1"]), tuple(pos["DB1"])) in seg
    arrows = [a for a in ax.patches if a.get_gid() == "arrow"]
    assert len(arrows) == 7  # one per chemical synapse, pre -> post
    assert not [a for a in plot.network(result, 10.0, arrows=False, ax=plt.figure().gca()).patches
                if a.get_gid() == "arrow"]
    lay = plot.network(result, 10.0, layout="layered", ax=plt.figure().gca())
    x = _by_gid(lay, "nodes")[0].get_offsets()[:, 0]
    np.testing.assert_array_equal(x, [LAYER_X[k] for k in EXPECTED_LAYER])
    assert [t.get_text() for t in lay.get_xticklabels()] == ["sensory", "inter", "command", "motor"]
    only_chem = plot.network(result, 10.0, edges=("chemical",), ax=plt.figure().gca())
    assert not _by_gid(only_chem, "edges-electrical")
    strong = plot.network(result, 10.0, edges=("chemical",), min_weight=3, ax=plt.figure().gca())
    assert len(_by_gid(strong, "edges-chemical-excitatory")[0].get_segments()) == 3
    _render(lay, tmp_path, "layered")


def test_network_of_a_wiring_alone_and_update(result, wiring, tmp_path):
    ax = plot.network(wiring, layout="layered")
    nodes = _by_gid(ax, "nodes")[0]
    assert len(nodes.get_offsets()) == len(NAMES)
    with pytest.raises(AnalysisError, match="no activity"):
        plot.update_network(ax, 3.0)
    _render(ax, tmp_path, "wiring_only")
    ax2 = plot.network(result, 0.0, ax=plt.figure().gca())
    plot.update_network(ax2, 123.4)
    n2 = _by_gid(ax2, "nodes")[0]
    np.testing.assert_allclose(n2.get_array(), exact(123.4)[0])
    assert ax2.get_title() == "t = 123.4 ms"
    with pytest.raises(AnalysisError, match="no network drawing"):
        plot.update_network(plt.figure().gca(), 1.0)


def test_network_missing_positions(result, wiring, tmp_path):
    meta = wiring.metadata.copy()
    meta.loc[["DVA", "VB1"], "y"] = np.nan
    w2 = connectome.Wiring(wiring.neurons, wiring.chemical, wiring.sign, wiring.electrical, wiring.inputs,
                           wiring.outputs, meta, "toy")
    with pytest.raises(MissingPositionsError, match=r"2 of 9 neurons have no soma position .*: DVA, VB1"):
        plot.network(result, 5.0, wiring=w2)
    with pytest.warns(UserWarning, match="left out"):
        ax = plot.network(result, 5.0, wiring=w2, missing="drop")
    nodes = _by_gid(ax, "nodes")[0]
    assert len(nodes.get_offsets()) == 7 and "DVA" not in nodes.neurons
    np.testing.assert_allclose(nodes.get_array(), exact(5.0)[0][[NAMES.index(n) for n in nodes.neurons]])
    with pytest.warns(UserWarning, match="in a row below the body"):
        ax = plot.network(result, 5.0, wiring=w2, missing="row", ax=plt.figure().gca())
    offs = _by_gid(ax, "nodes")[0].get_offsets()
    assert len(offs) == 9 and offs[NAMES.index("DVA"), 1] < meta["z"].min()
    _render(ax, tmp_path, "missing_row")
    bare = connectome.Wiring(wiring.neurons, wiring.chemical, wiring.sign)
    with pytest.raises(AnalysisError, match="metadata columns x, y, z are missing"):
        plot.network(result, 5.0, wiring=bare)
    with pytest.raises(AnalysisError, match="missing must be"):
        plot.network(result, 5.0, missing="ignore")


def test_network_bad_input(result, wiring):
    with pytest.raises(OutOfSpanError, match="outside the simulated span"):
        plot.network(result, 250.0)
    with pytest.raises(AnalysisError, match="layout must be"):
        plot.network(result, 5.0, layout="circle")
    with pytest.raises(AnalysisError, match="needs the wiring"):
        plot.network(pd.DataFrame(exact(result.t), index=result.t, columns=NAMES), 5.0)
    with pytest.raises(AnalysisError, match="axes must be"):
        plot.network(result, 5.0, axes=("y", "w"))
    with pytest.raises(AnalysisError, match="edges must name 'chemical' and/or 'electrical'"):
        plot.network(result, 5.0, edges=("gap",))
    single = plot.network(result, 5.0, edges="electrical", ax=plt.figure().gca())
    assert _by_gid(single, "edges-electrical") and not _by_gid(single, "edges-chemical-excitatory")


def test_network_real_worm_anatomy(tmp_path):
    conn = connectome.load("varshney2011")
    w = connectome.Wiring.from_connectome(conn)
    ax = plot.network(w)
    nodes = _by_gid(ax, "nodes")[0]
    assert len(nodes.get_offsets()) == w.n == 279
    xs = dict(zip(nodes.neurons, nodes.get_offsets()[:, 0]))
    assert xs["ADFL"] < xs["VB5"] < xs["PLML"] and xs["AVAL"] < xs["VB5"]  # head on the left, tail on the right
    _render(ax, tmp_path, "worm")


# ---------------------------------------------------------------------------
# heatmap, traces
# ---------------------------------------------------------------------------
def test_heatmap_order_content_and_stimulus(result, tmp_path):
    ax = plot.heatmap(result)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == ["PLML", "PLMR", "DVA", "AVAL", "AVAR", "AVBL", "DB1", "DD1", "VB1"]
    mesh = _by_gid(ax, "heatmap")[0]
    order = [NAMES.index(r) for r in rows]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(len(NAMES), -1), exact(result.t)[:, order].T)
    stim = _by_gid(ax, "stimulus")
    assert sorted(a.get_xdata()[0] for a in stim) == [50.0, 70.0]
    assert ax.get_xlabel() == "time (ms)" and ax.get_ylabel() == "neuron"
    assert ax.figure.axes[-1].get_ylabel() == "V (mV)"
    labels = [a.get_text() for a in ax.texts if a.get_gid() == "group-label"]
    assert labels == ["sensory", "inter", "command", "motor"]
    _render(ax, tmp_path, "heatmap")
    cls = plot.heatmap(result, classes=True, stimulus=False, ax=plt.figure().gca())
    assert [t.get_text() for t in cls.get_yticklabels()] == ["PLM", "DVA", "AVA", "AVB", "DB", "DD", "VB"]
    assert not _by_gid(cls, "stimulus") and cls.get_ylabel() == "class"
    bare = plot.heatmap(pd.DataFrame(exact(result.t)[:, ::-1], index=result.t, columns=NAMES[::-1]),
                        ax=plt.figure().gca())
    assert [t.get_text() for t in bare.get_yticklabels()] == NAMES[::-1]  # nothing to group by
    given = plot.heatmap(result, order="given", neurons=["VB1", "PLML"], ax=plt.figure().gca())
    assert [t.get_text() for t in given.get_yticklabels()] == ["VB1", "PLML"]
    with pytest.raises(AnalysisError, match="order must be"):
        plot.heatmap(result, order="alphabetical")
    z = plot.heatmap(result, order="given", normalize="zscore", start=100.0, stop=180.0, ax=plt.figure().gca())
    zm = np.asarray(_by_gid(z, "heatmap")[0].get_array()).reshape(len(NAMES), -1)
    keep = (result.t >= 100.0) & (result.t <= 180.0)
    ref = exact(result.t[keep])
    np.testing.assert_allclose(zm, ((ref - ref.mean(0)) / ref.std(0)).T)
    assert "z-scored" in z.figure.axes[-1].get_ylabel()
    mm = plot.heatmap(result, order="given", normalize="minmax", ax=plt.figure().gca())
    mmv = np.asarray(_by_gid(mm, "heatmap")[0].get_array())
    assert mmv.min() == 0.0 and mmv.max() == 1.0
    with pytest.raises(AnalysisError, match="normalize must be"):
        plot.heatmap(result, normalize="max")
    coarse = plot.heatmap(result, order="given", max_columns=7, colorbar=False, ax=plt.figure().gca())
    cm = np.asarray(_by_gid(coarse, "heatmap")[0].get_array()).reshape(len(NAMES), -1)
    np.testing.assert_allclose(cm, exact(np.linspace(0, 200, 7)).T)  # long runs drawn through the dense output


def test_traces(result, tmp_path):
    ax = plot.traces(result, ["AVAL", "DB1"], classes=["PLM"], cursor=88.8)
    labels = [ln.get_label() for ln in ax.lines if not ln.get_label().startswith("_") and ln.get_gid() is None]
    assert labels == ["PLM", "AVAL", "DB1"]
    plm = next(ln for ln in ax.lines if ln.get_label() == "PLM")
    np.testing.assert_allclose(plm.get_ydata(), exact(result.t)[:, :2].mean(axis=1))
    agg = A.aggregate_classes(result)  # class activity between samples comes from the members' dense output
    np.testing.assert_allclose(agg.at(41.3)[agg.neurons.index("AVA")], exact(41.3)[0][3:5].mean())
    np.testing.assert_allclose(A.aggregate_classes(result, "max").at([41.3])[0, 0], exact(41.3)[0][:2].max())
    cursor = _by_gid(ax, "cursor")[0]
    assert cursor.get_xdata()[0] == 88.8
    assert _by_gid(ax, "stimulus")  # shaded span
    assert ax.get_xlabel() == "time (ms)" and ax.get_ylabel() == "V (mV)"
    _render(ax, tmp_path, "traces")
    fine = plot.traces(result, ["AVAL"], resolution=501, ax=plt.figure().gca())
    line = next(ln for ln in fine.lines if ln.get_label() == "AVAL")
    np.testing.assert_allclose(line.get_ydata(), exact(np.linspace(0, 200, 501))[:, 3])
    with pytest.raises(UnknownNeuronError, match="unknown neuron 'AVAK'.*did you mean .*'AVAL'"):
        plot.traces(result, ["AVAK"])
    with pytest.raises(OutOfSpanError):
        plot.traces(result, ["AVAL"], cursor=-3)
    big = A.as_activity(np.zeros((3, 25)), t=[0, 1, 2])
    with pytest.raises(AnalysisError, match="choose up to 20"):
        plot.traces(big)


# ---------------------------------------------------------------------------
# PCA, time constants
# ---------------------------------------------------------------------------
def test_pca_trajectory_marks_time(result, tmp_path):
    t = 101.7
    ax = plot.pca_trajectory(result, t)
    p = A.pca(result, 2)
    marker = _by_gid(ax, "time-marker")[0]
    np.testing.assert_allclose([marker.get_xdata()[0], marker.get_ydata()[0]], p.transform(exact(t)[0]))
    traj = _by_gid(ax, "trajectory")[0]
    assert len(traj.get_segments()) == len(result.t) - 1
    assert ax.get_xlabel().startswith("PC1 (") and "% variance" in ax.get_ylabel()
    assert _by_gid(ax, "stimulus")  # the onset is starred
    _render(ax, tmp_path, "pca")
    with pytest.raises(AnalysisError, match="components"):
        plot.pca_trajectory(result, pca=p, components=(0, 4))
    late = plot.pca_trajectory(result, 20.0, start=100.0, standardize=True, ax=plt.figure().gca())
    p_late = A.pca(result, 2, start=100.0, standardize=True)
    assert len(_by_gid(late, "trajectory")[0].get_segments()) == int((result.t >= 100.0).sum()) - 1
    m = _by_gid(late, "time-marker")[0]  # a time before the window is still marked
    np.testing.assert_allclose([m.get_xdata()[0], m.get_ydata()[0]], p_late.transform(exact(20.0)[0]))
    with pytest.raises(OutOfSpanError):
        plot.pca_trajectory(result, 1e4)


def test_time_constants_plot(tmp_path):
    t = np.linspace(0, 100, 201)
    tau = 1 + np.abs(np.sin(t[:, None] / 10 + np.arange(30)))
    ax = plot.time_constants(tau, t=t, stimulus=(20, 40))
    assert _by_gid(ax, "tau-band") and _by_gid(ax, "tau-median")
    np.testing.assert_allclose(_by_gid(ax, "tau-median")[0].get_ydata(), np.median(tau, axis=1))
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "effective time constant (ms)"
    assert _by_gid(ax, "stimulus")
    _render(ax, tmp_path, "tau")
    few = plot.time_constants(tau[:, :3], t=t, names=["a", "b", "c"], ax=plt.figure().gca(), log=False)
    assert [ln.get_label() for ln in few.lines] == ["a", "b", "c"]
    with pytest.raises(AnalysisError, match="finite and positive"):
        plot.time_constants(-tau, t=t)


# ---------------------------------------------------------------------------
# snapshot and animation
# ---------------------------------------------------------------------------
def test_snapshot_set_time(result, tmp_path):
    fig = plot.snapshot(result, 20.0, neurons=["AVAL", "DB1"])
    fig.set_time(66.6)
    nodes = _by_gid(fig.axes_network, "nodes")[0]
    np.testing.assert_allclose(nodes.get_array(), exact(66.6)[0])
    assert _by_gid(fig.axes_traces, "cursor")[0].get_xdata()[0] == 66.6
    _render(fig, tmp_path, "snapshot")


def test_animation_gif_and_html(result, tmp_path):
    from PIL import Image
    from matplotlib import animation

    anim = plot.animate(result, times=[0.0, 12.5, 33.3, 150.0], layout="layered", neurons=["AVAL"])
    path = plot.save_animation(anim, tmp_path / "worm.gif", fps=4, dpi=40)
    with Image.open(path) as im:
        assert im.format == "GIF" and im.n_frames == 4
    html = plot.animation_html(anim)
    assert ("<video" in html) if animation.writers.is_available("ffmpeg") else ("<script" in html)
    if not animation.writers.is_available("ffmpeg"):
        with pytest.raises(AnalysisError, match="needs ffmpeg"):
            plot.save_animation(anim, tmp_path / "worm.mp4")
    with pytest.raises(AnalysisError, match=r"must end in .gif or .mp4"):
        plot.save_animation(anim, tmp_path / "worm.avi")
    with pytest.raises(OutOfSpanError):
        plot.animate(result, times=[0.0, 500.0])


# ---------------------------------------------------------------------------
# widgets (ipywidgets is optional: the slider is tested when it is installed)
# ---------------------------------------------------------------------------
def test_widget_slider_redraws_network_and_cursor(result):
    pytest.importorskip("ipywidgets")
    from circuitsim import widgets

    view = widgets.explore(result, 10.0, neurons=["AVAL", "DB1"])
    assert view.slider.min == 0.0 and view.slider.max == 200.0 and view.slider.value == 10.0
    view.slider.value = 77.77  # an arbitrary float time, between samples
    nodes = _by_gid(view.figure.axes_network, "nodes")[0]
    np.testing.assert_allclose(nodes.get_array(), exact(77.77)[0])
    assert _by_gid(view.figure.axes_traces, "cursor")[0].get_xdata()[0] == 77.77
    with pytest.raises(OutOfSpanError):
        widgets.explore(result, 300.0)


def test_widget_static_fallback(result, monkeypatch, tmp_path):
    from circuitsim import widgets

    monkeypatch.setattr(widgets, "have_widgets", lambda: False)
    with pytest.warns(UserWarning, match="ipywidgets is not installed"):
        fig = widgets.explore(result, neurons=["AVAL"])
    nets = [ax for ax in fig.axes if _by_gid(ax, "nodes")]
    assert len(nets) == 4
    np.testing.assert_allclose(_by_gid(nets[1], "nodes")[0].get_array(), exact(200.0 / 3)[0])
    cursors = [ax for ax in fig.axes if _by_gid(ax, "cursor")][0]
    np.testing.assert_allclose(sorted(c.get_xdata()[0] for c in _by_gid(cursors, "cursor")),
                               np.linspace(0, 200, 4))
    _render(fig, tmp_path, "static_view")
    fig2 = widgets.static_view(result, [12.5, 99.9], layout="layered", neurons=["DB1"])
    assert len([ax for ax in fig2.axes if _by_gid(ax, "nodes")]) == 2
    with pytest.raises(OutOfSpanError):
        widgets.static_view(result, [12.5, 999.0])
    with pytest.raises(AnalysisError, match="at least one time"):
        widgets.static_view(result, [])


def test_layers_from_metadata_column_or_wiring_ends():
    meta = pd.DataFrame({"layer": ["sensory", "inter", "command", "motor"]}, index=["s", "i", "c", "m"])
    assert plot.layer_of(["m", "s"], meta) == ["motor", "sensory"]
    assert plot.layer_of(["x", "y", "z"], None, inputs=["x"], outputs=["z"]) == ["sensory", "inter", "motor"]
    order, layers = plot.order_neurons(["z", "y", "x"], None, inputs=["x"], outputs=["z"])
    assert list(order) == [2, 1, 0] and layers == ["sensory", "inter", "motor"]


def test_network_needs_activity_for_every_drawn_neuron(result, wiring):
    part = pd.DataFrame(exact(result.t)[:, :4], index=result.t, columns=NAMES[:4])
    with pytest.raises(AnalysisError, match="5 wiring neurons have no activity"):
        plot.network(part, 5.0, wiring=wiring)
    ax = plot.network(part, 5.0, wiring=wiring.subset(NAMES[:4]))
    assert len(_by_gid(ax, "nodes")[0].get_offsets()) == 4


def test_network_of_an_engine_result_with_recorded_subset(tmp_path):
    from circuitsim import inputs
    from circuitsim.circuit import Circuit
    from circuitsim.simulate import simulate

    conn = connectome.load("varshney2011")
    w = connectome.Wiring.from_connectome(conn).subset(["PLML", "PLMR", "PVCL", "AVBL", "AVBR", "DB1", "VB1"])
    res = simulate(Circuit(w, "ctrnn"), (0.0, 30.0), inputs.pulse(["PLML", "PLMR"], 1.0, start=5.0, duration=10.0),
                   record=["PLML", "AVBL", "DB1", "VB1"])
    ax = plot.network(res, 12.34, var="x")  # the state variable as it is
    nodes = _by_gid(ax, "nodes")[0]
    assert nodes.neurons == ("PLML", "AVBL", "DB1", "VB1")
    np.testing.assert_allclose(nodes.get_array(), res.at(12.34, variable=res.variables[0]))
    rate = plot.network(res, 12.34, ax=plt.figure().gca())  # by default the CTRNN's rate tanh(x)
    np.testing.assert_allclose(_by_gid(rate, "nodes")[0].get_array(), np.tanh(res.at(12.34, variable="x")),
                               rtol=1e-15)
    assert rate.figure.axes[-1].get_ylabel() == "rate f(x) (1)"
    _render(ax, tmp_path, "engine_subset")
