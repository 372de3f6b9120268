"""Synthetic wirings: NCP rules, AutoNCP, random sparse, fully connected, degree-preserving null model."""

import numpy as np
import pandas as pd
import pytest

import connectome
from connectome import Wiring, WiringError
from connectome import synthetic as syn

LANE_KEEPING = dict(inter_neurons=12, command_neurons=6, motor_neurons=1, sensory_fanout=6, inter_fanout=4,
                    recurrent_command_synapses=6, motor_fanin=6, n_inputs=32)


def layer_edges(w):
    """(pre layer, post layer) -> list of (pre, post) of the chemical synapses, from the edge table."""
    layer = dict(zip(w.neurons, w.metadata["layer"]))
    e = w.edges
    out = {}
    for pre, post in e.loc[e["type"] == "chemical", ["pre", "post"]].itertuples(index=False):
        out.setdefault((layer[pre], layer[post]), []).append((pre, post))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ncp_lane_keeping_counts_follow_the_rules(seed):
    w = syn.ncp(**LANE_KEEPING, seed=seed)
    assert w.n == 19 and w.outputs == ("motor0",)
    assert list(w.metadata["layer"]) == ["motor"] + ["command"] * 6 + ["inter"] * 12
    by = layer_edges(w)
    assert set(by) <= {("inter", "command"), ("command", "command"), ("command", "motor")}
    # 12 inter x fan-out 4, 6 recurrent, 1 motor x fan-in 6 (no fill-ins can occur for these parameters)
    assert len(by[("inter", "command")]) == 48 and len(by[("command", "command")]) == 6
    assert len(by[("command", "motor")]) == 6
    M = w.input_matrix()
    assert M.shape == (32, 19) and M.nnz == 32 * 6
    inter_cols = [i for i, nm in enumerate(w.neurons) if nm.startswith("inter")]
    assert (np.diff(M.indptr) == 6).all() and set(M.indices) <= set(inter_cols)
    outdeg = pd.Series([pre for pre, _ in by[("inter", "command")]]).value_counts()
    assert (outdeg == 4).all() and len(outdeg) == 12
    assert w.chemical.nnz + M.nnz == 252  # vs 253 published (Lechner et al. 2020)


def test_ncp_fill_in_rules():
    # one channel with fan-out 1 reaches one of 5 inter neurons: the 4 others get clip(1*1//5, 1, 1) = 1 channel
    w = syn.ncp(inter_neurons=5, command_neurons=4, motor_neurons=3, sensory_fanout=1, inter_fanout=1,
                recurrent_command_synapses=0, motor_fanin=1, n_inputs=1, seed=4)
    M = w.input_matrix()
    assert M.nnz == 5 and set(M.indices) == {i for i, nm in enumerate(w.neurons) if nm.startswith("inter")}
    by = layer_edges(w)
    cmd_in = pd.Series([b for _, b in by[("inter", "command")]]).value_counts()
    assert len(cmd_in) == 4  # every command neuron reached by some inter neuron
    inter_to_cmd = len(by[("inter", "command")])
    assert 5 <= inter_to_cmd <= 5 + 4 * 1
    motor_in = pd.Series([b for _, b in by[("command", "motor")]]).value_counts()
    cmd_out = pd.Series([a for a, _ in by[("command", "motor")]]).value_counts()
    assert len(motor_in) == 3 and len(cmd_out) == 4  # every motor fed, every command neuron used
    # 3 motor fan-in synapses, then at most one fill-in synapse per command neuron (clip(3*1//4, 1, 3) = 1)
    assert 4 <= len(by[("command", "motor")]) <= 3 + 4 - 1


def test_ncp_exact_counts_without_fill_ins():
    p = dict(inter_neurons=7, command_neurons=5, motor_neurons=2, sensory_fanout=7, inter_fanout=5,
             recurrent_command_synapses=25, motor_fanin=5, n_inputs=3)
    w = syn.ncp(**p, seed=0)
    by = layer_edges(w)
    assert len(by[("inter", "command")]) == 35 and len(by[("command", "command")]) == 25
    assert len(by[("command", "motor")]) == 10 and w.input_matrix().nnz == 21


def test_ncp_seed_is_stored_and_reproducible():
    a = syn.ncp(**LANE_KEEPING, seed=7)
    b = syn.ncp(**LANE_KEEPING, seed=7)
    c = syn.ncp(**LANE_KEEPING, seed=8)
    assert a.equals(b) and not a.equals(c)
    fresh = syn.ncp(**LANE_KEEPING)
    assert isinstance(fresh.info["seed"], int)
    assert syn.from_info(fresh.info).equals(fresh)
    assert syn.from_info(a.info).equals(a)


def test_ncp_survives_file_round_trip(tmp_path):
    w = syn.auto_ncp(24, 3, 5, seed=3)
    w.save(tmp_path / "ncp.npz")
    back = Wiring.load(tmp_path / "ncp.npz")
    assert back.equals(w) and back.info == w.info
    assert syn.from_info(back.info).equals(w)


def test_ncp_polarity_fraction():
    w = syn.ncp(inter_neurons=40, command_neurons=30, motor_neurons=5, sensory_fanout=20, inter_fanout=15,
                recurrent_command_synapses=100, motor_fanin=10, n_inputs=50, seed=1, inhibitory_fraction=0.25)
    inh = (w.sign.data < 0).mean()
    n = w.sign.nnz
    assert abs(inh - 0.25) < 4 * np.sqrt(0.25 * 0.75 / n)
    assert (syn.ncp(**LANE_KEEPING, seed=1, inhibitory_fraction=0.0).sign.data == 1).all()


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(sensory_fanout=13), "sensory_fanout=13 is larger than the inter layer"),
        (dict(inter_fanout=7), "inter_fanout=7 is larger than the command layer"),
        (dict(motor_fanin=7), "motor_fanin=7 is larger than the command layer"),
        (dict(recurrent_command_synapses=37), "exceeds the 36 possible"),
        (dict(inter_neurons=0), "inter_neurons must be an integer >= 1"),
        (dict(n_inputs=2.5), "n_inputs must be an integer"),
        (dict(recurrent_command_synapses=-1), "recurrent_command_synapses must be an integer >= 0"),
        (dict(seed=-3), "seed must be a non-negative integer"),
        (dict(inhibitory_fraction=1.5), r"inhibitory_fraction must be a number in \[0, 1\]"),
    ],
)
def test_ncp_impossible_parameters(change, match):
    with pytest.raises(WiringError, match=match):
        syn.ncp(**{**LANE_KEEPING, **change})


def test_auto_ncp_parameters_follow_the_rule():
    p = syn.auto_ncp_parameters(28, 4, 10, sparsity=0.5)
    # command = int(0.4 * 24) = 9, inter = 15, density 0.5
    assert (p.inter_neurons, p.command_neurons, p.motor_neurons) == (15, 9, 4)
    assert (p.sensory_fanout, p.inter_fanout, p.recurrent_command_synapses, p.motor_fanin) == (7, 4, 9, 4)
    with pytest.raises(WiringError, match="outputs=8 must be smaller than units - 2 = 8"):
        syn.auto_ncp(10, 8, 3)
    with pytest.raises(WiringError, match=r"sparsity must be a number in \[0, 1\)"):
        syn.auto_ncp(10, 2, 3, sparsity=1.0)
    with pytest.raises(WiringError, match="sparsity"):
        syn.auto_ncp(10, 2, 3, sparsity=-0.1)


@pytest.mark.parametrize("units, outputs, sparsity", [(28, 4, 0.5), (19, 1, 0.3), (64, 8, 0.75)])
def test_auto_ncp_matches_ncps_package(units, outputs, sparsity):
    wirings = pytest.importorskip("ncps.wirings")
    ref = wirings.AutoNCP(units, outputs, sparsity_level=sparsity)
    p = syn.auto_ncp_parameters(units, outputs, 5, sparsity)
    assert (p.inter_neurons, p.command_neurons, p.motor_neurons) == (
        ref._num_inter_neurons, ref._num_command_neurons, ref._num_motor_neurons)
    assert (p.sensory_fanout, p.inter_fanout, p.recurrent_command_synapses, p.motor_fanin) == (
        ref._sensory_fanout, ref._inter_fanout, ref._recurrent_command_synapses, ref._motor_fanin)


def test_ncp_layer_counts_match_ncps_package():
    wirings = pytest.importorskip("ncps.wirings")
    p = {k: v for k, v in LANE_KEEPING.items() if k != "n_inputs"}
    ref = wirings.NCP(**p, seed=1)
    ref.build(32)
    ours = syn.ncp(**LANE_KEEPING, seed=1)
    assert int((ref.sensory_adjacency_matrix != 0).sum()) == ours.input_matrix().nnz == 192
    A = ref.adjacency_matrix != 0
    motor, command, inter = slice(0, 1), slice(1, 7), slice(7, 19)
    ours_m = ours.mask("chemical", dense=True)
    assert A[inter, command].sum() == ours_m[inter, command].sum() == 48
    assert A[command, motor].sum() == ours_m[command, motor].sum() == 6
    assert A[command, command].sum() <= ours_m[command, command].sum() == 6  # ncps may draw duplicates


def test_random_sparse_exact_density():
    w = syn.random_sparse(40, 0.1, seed=2)
    assert w.chemical.nnz == round(0.1 * 40 * 39) and not w.chemical.diagonal().any()
    s = syn.random_sparse(["a", "b", "c"], 1.0, self_synapses=True, seed=0)
    assert s.chemical.nnz == 9
    assert syn.random_sparse(10, 0.0, seed=0).chemical.nnz == 0
    full = syn.random_sparse(6, 1.0, seed=0)
    assert full.chemical.nnz == 30 and not full.chemical.diagonal().any()
    assert syn.random_sparse(30, 0.2, seed=5).equals(syn.random_sparse(30, 0.2, seed=5))
    inh = syn.random_sparse(60, 0.3, seed=1, inhibitory_fraction=0.5)
    assert 0.4 < (inh.sign.data < 0).mean() < 0.6
    with pytest.raises(WiringError, match=r"density must be a number in \[0, 1\], got -0.1"):
        syn.random_sparse(10, -0.1)
    with pytest.raises(WiringError, match="density"):
        syn.random_sparse(10, 1.5)
    with pytest.raises(WiringError, match="not a single string"):
        syn.random_sparse("abc", 0.5)
    with pytest.raises(WiringError, match="neurons must be an integer >= 1"):
        syn.random_sparse(0, 0.5)


def test_fully_connected():
    w = syn.fully_connected(5, inputs=["n0"], outputs=["n4"])
    assert w.chemical.nnz == 25 and w.inputs == ("n0",)
    assert syn.fully_connected(5, self_synapses=False).chemical.nnz == 20


def degrees_from_edges(w):
    e = w.edges
    chem = e[e["type"] == "chemical"]
    gap = e[(e["type"] == "electrical") & (e["pre"] != e["post"])]
    return (chem["pre"].value_counts().sort_index(), chem["post"].value_counts().sort_index(),
            pd.concat([gap["pre"], gap["post"]]).value_counts().sort_index())


def check_null(w, null):
    assert null.neurons == w.neurons
    for a, b in zip(degrees_from_edges(w), degrees_from_edges(null)):
        pd.testing.assert_series_equal(a, b)
    # each presynaptic neuron keeps its multiset of (weight, sign)
    e0, e1 = (x.edges.sort_values(["pre", "weight", "sign"]) for x in (w, null))
    c0 = e0[e0["type"] == "chemical"][["pre", "weight", "sign"]].reset_index(drop=True)
    c1 = e1[e1["type"] == "chemical"][["pre", "weight", "sign"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(c0, c1)
    assert np.array_equal(w.chemical.diagonal(), null.chemical.diagonal())
    changed = (w.mask("chemical") != null.mask("chemical")).nnz
    assert changed > 0.5 * w.chemical.nnz


def test_degree_preserving_null_model_synthetic():
    rng = np.random.default_rng(0)
    n = 60
    W = (rng.random((n, n)) < 0.1) * rng.integers(1, 5, (n, n)).astype(float)
    np.fill_diagonal(W[:5, :5], 2.0)  # a few self-synapses stay put
    G = np.triu((rng.random((n, n)) < 0.05) * 1.0, 1)
    w = Wiring([f"n{i}" for i in range(n)], W, np.where(W > 0, rng.choice([-1.0, 1.0], (n, n)), 0), G + G.T)
    null = syn.degree_preserving(w, seed=1)
    check_null(w, null)
    assert null.info["null_seed"] == 1 and syn.degree_preserving(w, seed=1).equals(null)
    with pytest.raises(WiringError, match="swaps_per_synapse"):
        syn.degree_preserving(w, swaps_per_synapse=-1)


def test_degree_preserving_null_model_real():

    w = Wiring.from_connectome(connectome.load("varshney2011"))
    null = syn.degree_preserving(w, seed=0)
    check_null(w, null)
    assert null.inputs == w.inputs and null.outputs == w.outputs
