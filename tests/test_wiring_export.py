"""Export: masks, dict/JSON round trips and the ncps wiring (skipped without ncps)."""

import json

import numpy as np
import pandas as pd
import pytest

import connectome
from connectome import Wiring, WiringError
from connectome import export as ex
from connectome import synthetic as syn


@pytest.fixture(scope="module")
def wiring():
    rng = np.random.default_rng(4)
    n = 12
    W = (rng.random((n, n)) < 0.25) * rng.integers(1, 7, (n, n)).astype(float)
    S = np.where(W > 0, rng.choice([-1.0, 1.0], (n, n)), 0)
    G = np.triu((rng.random((n, n)) < 0.15) * 2.0, 1)
    names = [f"X{i}" for i in range(n)]
    idx = pd.Index(names, name="name")
    meta = pd.DataFrame({"type": pd.Series(["sensory"] * 4 + ["interneuron"] * 4 + ["motor"] * 4, idx, dtype="str"),
                         "x": np.where(np.arange(n) == 3, np.nan, np.arange(n) / 2.0),
                         "k": np.arange(n, dtype=np.int64), "ok": np.arange(n) % 3 == 0,
                         "tag": pd.Series([None, "a", "b"] * 4, idx, dtype=object)}, index=idx)
    assert meta["tag"].tolist()[:3] == [None, "a", "b"] and meta["type"].notna().all()
    return Wiring(names, W, S, G + G.T, names[:4], names[-2:], meta, "exp", info={"seed": 9})


def test_masks_equal_edge_table(wiring):
    m = ex.masks(wiring)
    sparse = ex.masks(wiring, dense=False)
    e = wiring.edges
    chem = e[e["type"] == "chemical"]
    pos = {nm: i for i, nm in enumerate(wiring.neurons)}
    ref = np.zeros((wiring.n, wiring.n), np.int8)
    for pre, post, s in chem[["pre", "post", "sign"]].itertuples(index=False):
        ref[pos[pre], pos[post]] = s
    assert np.array_equal(m["sign"], ref) and np.array_equal(m["chemical"], ref != 0)
    gap = np.zeros((wiring.n, wiring.n), bool)
    for pre, post in e.loc[e["type"] == "electrical", ["pre", "post"]].itertuples(index=False):
        gap[pos[pre], pos[post]] = gap[pos[post], pos[pre]] = True
    assert np.array_equal(m["electrical"], gap)
    assert m["input"].shape == (4, wiring.n) and np.array_equal(np.flatnonzero(m["input"].any(0)), [0, 1, 2, 3])
    assert m["output"].shape == (wiring.n, 2) and m["output"][10, 0] and m["output"][11, 1]
    for key in m:
        assert np.array_equal(sparse[key].toarray(), m[key]), key


def test_dict_and_json_round_trip_exact(tmp_path, wiring):
    d = ex.to_dict(wiring)
    text = json.dumps(d)  # plain JSON, no NaN tokens
    assert "NaN" not in text
    back = ex.from_dict(json.loads(text))
    assert back.equals(wiring) and back.info == wiring.info and back.name == wiring.name
    pd.testing.assert_frame_equal(back.metadata, wiring.metadata)
    path = tmp_path / "w.json"
    ex.to_json(wiring, path)
    assert ex.from_json(path).equals(wiring)
    assert ex.from_json(str(path)).equals(wiring)
    assert ex.from_json(ex.to_json(wiring)).equals(wiring)
    assert d["chemical"]["pre"] == sorted(d["chemical"]["pre"])
    assert all(a <= b for a, b in zip(d["electrical"]["a"], d["electrical"]["b"]))


def test_dict_round_trip_with_channel_maps():
    w = syn.ncp(inter_neurons=5, command_neurons=4, motor_neurons=2, sensory_fanout=2, inter_fanout=2,
                recurrent_command_synapses=3, motor_fanin=2, n_inputs=6, seed=3)
    back = ex.from_dict(json.loads(json.dumps(ex.to_dict(w))))
    assert back.equals(w) and back.info == w.info
    assert np.array_equal(back.input_matrix().toarray(), w.input_matrix().toarray())


def test_dict_errors(wiring):
    with pytest.raises(WiringError, match="not a wiring dict"):
        ex.from_dict({"format": "other"})
    with pytest.raises(WiringError, match="not a wiring dict"):
        ex.from_dict([1, 2])
    d = ex.to_dict(wiring)
    d["version"] = 7
    with pytest.raises(WiringError, match="unsupported wiring dict version 7"):
        ex.from_dict(d)


def test_outputs_first(wiring):
    w = ex.outputs_first(wiring)
    assert w.neurons[:2] == wiring.outputs and w.neurons[2:] == tuple(nm for nm in wiring.neurons
                                                                       if nm not in wiring.outputs)
    assert w.equals(wiring.subset(list(w.neurons)))


def test_to_ncps_equals_our_masks():
    pytest.importorskip("ncps")
    w = syn.ncp(inter_neurons=12, command_neurons=6, motor_neurons=1, sensory_fanout=6, inter_fanout=4,
                recurrent_command_synapses=6, motor_fanin=6, n_inputs=32, seed=5)
    n = ex.to_ncps(w)
    m = ex.masks(w)
    assert n.units == 19 and n.input_dim == 32 and n.output_dim == 1
    assert np.array_equal(n.adjacency_matrix, m["sign"].astype(np.int32))
    assert np.array_equal(n.sensory_adjacency_matrix, m["input_sign"].astype(np.int32))
    assert n.synapse_count == 60 and n.sensory_synapse_count == 192
    assert n.get_type_of_neuron(0) == "motor"
    assert np.array_equal(n.erev_initializer(), m["sign"])  # polarity as the LTC cell will read it


def test_to_ncps_builds_an_ltc_cell():
    pytest.importorskip("torch")
    ltc_mod = pytest.importorskip("ncps.torch")
    import torch

    w = syn.auto_ncp(16, 2, 3, seed=0)
    model = ltc_mod.LTC(3, ex.to_ncps(w), batch_first=True)
    out, _ = model(torch.zeros(1, 4, 3))
    assert out.shape == (1, 4, 2)


def test_to_ncps_real_layered_wiring():
    pytest.importorskip("ncps")
    from connectome.layered import layered

    w = ex.outputs_first(layered(connectome.load("varshney2011")))
    n = ex.to_ncps(w, gap_junctions="drop")
    assert np.array_equal(n.adjacency_matrix, ex.masks(w)["sign"])
    assert n.input_dim == len(w.inputs) and n.output_dim == len(w.outputs)
    assert np.array_equal(np.flatnonzero(n.sensory_adjacency_matrix.any(0)), np.sort(w.input_index))


def test_to_ncps_errors(wiring):
    pytest.importorskip("ncps")
    with pytest.raises(WiringError, match="outputs_first"):
        ex.to_ncps(wiring)
    first = ex.outputs_first(wiring)
    with pytest.raises(WiringError, match="gap_junctions='drop'"):
        ex.to_ncps(first)
    with pytest.raises(WiringError, match="'error' or 'drop'"):
        ex.to_ncps(first, gap_junctions="keep")
    with pytest.raises(WiringError, match="at least one output"):
        ex.to_ncps(Wiring(["A"], [[0]], inputs=["A"]))
    with pytest.raises(WiringError, match="at least one input channel"):
        ex.to_ncps(Wiring(["A"], [[0]], outputs=["A"]))
    assert ex.to_ncps(first, gap_junctions="drop").adjacency_matrix.shape == (12, 12)
