"""The core Wiring type: masks vs edge tables, kernel views, subsets, ablation, persistence, validation."""

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import connectome
from connectome import UnknownNeuronError, Wiring, WiringError


def random_edges(n=25, p_chem=0.15, p_gap=0.05, seed=0):
    """An independent random edge table (pre, post, type, weight, sign) over names N0..N{n-1}."""
    rng = np.random.default_rng(seed)
    names = [f"N{i}" for i in range(n)]
    rows = []
    for i in range(n):
        for j in range(n):
            if rng.random() < p_chem:
                rows.append((names[i], names[j], "chemical", int(rng.integers(1, 9)), int(rng.choice([-1, 1]))))
            if i < j and rng.random() < p_gap:
                rows.append((names[i], names[j], "electrical", int(rng.integers(1, 5)), 1))
    return names, pd.DataFrame(rows, columns=["pre", "post", "type", "weight", "sign"])


def wiring_from_table(names, table, **kw):
    """Build a Wiring from dense matrices filled entry by entry (the reference construction)."""
    n = len(names)
    pos = {nm: i for i, nm in enumerate(names)}
    W, S, G = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    for pre, post, typ, w, s in table.itertuples(index=False):
        if typ == "chemical":
            W[pos[pre], pos[post]] = w
            S[pos[pre], pos[post]] = s
        else:
            G[pos[pre], pos[post]] = G[pos[post], pos[pre]] = w
    return Wiring(names, W, S, G, **kw)


def metadata_for(names):
    k = len(names)
    idx = pd.Index(names, name="name")
    meta = pd.DataFrame(
        {
            "class": pd.Series([f"C{i // 2}" for i in range(k)], idx, dtype="str"),
            "type": pd.Series(["sensory", "interneuron", "motor"] * (k // 3) + ["motor"] * (k % 3), idx,
                              dtype="str"),
            "x": np.linspace(0, 1, k),
            "count": np.arange(k, dtype=np.int64),
            "flag": np.arange(k) % 2 == 0,
            "note": pd.Series([None if i % 4 == 0 else f"n{i}" for i in range(k)], idx, dtype=object),
        },
        index=idx,
    )
    assert meta["type"].notna().all() and meta["note"].iloc[1] == "n1"
    return meta


@pytest.fixture(scope="module")
def table():
    return random_edges()


@pytest.fixture(scope="module")
def wiring(table):
    names, t = table
    return wiring_from_table(names, t, inputs=names[:3], outputs=names[-2:], metadata=metadata_for(names),
                             name="rand", info={"seed": 0, "note": "test"})


def test_masks_and_edges_equal_the_edge_table(wiring, table):
    names, t = table
    chem = t[t["type"] == "chemical"]
    expected = {(a, b): (w, s) for a, b, _, w, s in chem.itertuples(index=False)}
    got = wiring.edges
    got_chem = got[got["type"] == "chemical"]
    assert {(a, b): (w, s) for a, b, w, s in got_chem[["pre", "post", "weight", "sign"]].itertuples(index=False)} \
        == expected
    M = wiring.mask("chemical", dense=True)
    assert M.dtype == bool and M.sum() == len(chem)
    for a, b in expected:
        assert M[names.index(a), names.index(b)]
    gap = t[t["type"] == "electrical"]
    G = wiring.mask("electrical", dense=True)
    assert (G == G.T).all() and G.sum() == 2 * len(gap)
    got_gap = got[got["type"] == "electrical"]
    assert {frozenset((a, b)) for a, b in got_gap[["pre", "post"]].itertuples(index=False)} == \
        {frozenset((a, b)) for a, b in gap[["pre", "post"]].itertuples(index=False)}
    assert (wiring.mask("chemical").toarray() == M).all()
    with pytest.raises(WiringError, match="mask type"):
        wiring.mask("nmj")


def test_chemical_by_post_matches_loop_reference(wiring, table):
    names, t = table
    view = wiring.chemical_by_post()
    assert view.post_indptr.dtype == np.int64 and view.pre_index.dtype == np.int64
    chem = t[t["type"] == "chemical"]
    for i, nm in enumerate(names):
        rows = chem[chem["post"] == nm]
        ks = range(view.post_indptr[i], view.post_indptr[i + 1])
        got = sorted((names[view.pre_index[k]], view.weight[k], view.sign[k]) for k in ks)
        assert got == sorted((a, float(w), float(s)) for a, _, _, w, s in rows.itertuples(index=False))
    gv = wiring.electrical_by_neuron()
    G = wiring.electrical.toarray()
    for i in range(wiring.n):
        ks = range(gv.indptr[i], gv.indptr[i + 1])
        assert {int(gv.index[k]): gv.weight[k] for k in ks} == {j: G[i, j] for j in np.flatnonzero(G[i]) if j != i}


def test_subset_of_subset_equals_direct_subset(wiring):
    rng = np.random.default_rng(3)
    first = list(rng.permutation(wiring.neurons)[:18])
    second = list(rng.permutation(first)[:9])
    twice = wiring.subset(first).subset(second)
    direct = wiring.subset(second)
    assert twice.equals(direct)
    pd.testing.assert_frame_equal(twice.metadata, direct.metadata)
    assert twice.neurons == tuple(second)
    # against the dense reference
    idx = [wiring.neurons.index(x) for x in second]
    assert np.array_equal(direct.chemical.toarray(), wiring.chemical.toarray()[np.ix_(idx, idx)])
    assert np.array_equal(direct.signed_chemical().toarray(), wiring.signed_chemical().toarray()[np.ix_(idx, idx)])


def test_subset_keeps_channel_maps():
    M = sp.csr_array(np.array([[1.0, 0, 2.0], [0, 3.0, 0]]))
    S = sp.csr_array(np.array([[1.0, 0, -1.0], [0, 1.0, 0]]))
    w = Wiring(["A", "B", "C"], np.zeros((3, 3)), input_map=M, input_sign=S, input_channels=["u", "v"],
               output_map=[[0.0], [0.0], [1.0]], output_channels=["y"])
    assert w.inputs == ("A", "B", "C") and w.outputs == ("C",)
    sub = w.subset(["C", "A"])
    assert sub.input_channels == ("u", "v")
    assert np.array_equal(sub.input_matrix().toarray(), [[-2.0, 1.0], [0.0, 0.0]])
    assert np.array_equal(sub.output_matrix().toarray(), [[1.0], [0.0]])
    named = Wiring(["A", "B"], np.zeros((2, 2)), inputs=["A", "B"], input_channels=["left", "right"])
    assert named.subset(["B"]).input_channels == ("right",)


def test_ablation_removes_exactly_what_was_asked(wiring, table):
    names, t = table
    gone = ["N3", "N7"]
    syn = t[(t["type"] == "chemical") & ~t["pre"].isin(gone) & ~t["post"].isin(gone)].iloc[0]
    gap = t[(t["type"] == "electrical") & ~t["pre"].isin(gone) & ~t["post"].isin(gone)].iloc[0]
    out = wiring.ablate(gone, synapses=[(syn["pre"], syn["post"]), (gap["post"], gap["pre"], "electrical")])
    assert out.neurons == tuple(nm for nm in names if nm not in gone)
    keep = t[~t["pre"].isin(gone) & ~t["post"].isin(gone)]
    keep = keep.drop(index=[syn.name, gap.name])
    ref = wiring_from_table(list(out.neurons), keep)
    assert (out.chemical != ref.chemical).nnz == 0 and (out.sign != ref.sign).nnz == 0
    assert (out.electrical != ref.electrical).nnz == 0
    # only what was asked: nothing else changed
    assert out.chemical.nnz == wiring.subset(out.neurons).chemical.nnz - 1


def test_ablation_errors(wiring):
    with pytest.raises(WiringError, match="no chemical synapse N0 -> N0|no chemical synapse"):
        pre = wiring.neurons[0]
        absent = next(nm for nm in wiring.neurons if wiring.chemical[0, wiring.neurons.index(nm)] == 0)
        wiring.ablate(synapses=[(pre, absent)])
    j = next(k for k in range(wiring.n) if wiring.electrical[0, k] == 0 and k != 0)
    with pytest.raises(WiringError, match="no gap junction"):
        wiring.ablate(synapses=[(wiring.neurons[0], wiring.neurons[j], "electrical")])
    with pytest.raises(WiringError, match="'chemical' or 'electrical'"):
        wiring.ablate(synapses=[("N0", "N1", "nmj")])
    with pytest.raises(WiringError, match=r"\(pre, post\)"):
        wiring.ablate(synapses=["N0"])
    with pytest.raises(WiringError, match="empty wiring"):
        wiring.ablate(list(wiring.neurons))
    with pytest.raises(UnknownNeuronError, match="did you mean"):
        wiring.ablate(["N300"])


def test_save_load_round_trip_is_exact(tmp_path, wiring):
    path = tmp_path / "w.npz"
    wiring.save(path)
    back = Wiring.load(path)
    assert back.equals(wiring)
    assert back.name == wiring.name and back.info == wiring.info
    pd.testing.assert_frame_equal(back.metadata, wiring.metadata, check_exact=True)
    for key in ("chemical", "sign", "electrical"):
        a, b = getattr(back, key), getattr(wiring, key)
        assert np.array_equal(a.data, b.data) and np.array_equal(a.indices, b.indices)
        assert np.array_equal(a.indptr, b.indptr) and a.data.dtype == b.data.dtype


def test_save_load_channel_maps(tmp_path):
    w = Wiring(["A", "B", "C"], [[0, 1, 0], [0, 0, 2], [0, 0, 0]], input_map=[[0.5, 0, 0], [0, 0, 0]],
               input_sign=[[-1, 0, 0], [0, 0, 0]], input_channels=["x", "y"], output_map=[[0, 0], [0, 0], [1, 2]],
               info={"seed": 12345678901234, "nested": {"a": [1, 2]}})
    path = tmp_path / "maps.npz"
    w.save(path)
    back = Wiring.load(path)
    assert back.equals(w) and back.info == w.info
    assert back.input_channels == ("x", "y") and back.output_channels == ("out0", "out1")
    assert np.array_equal(back.input_matrix().toarray(), [[-0.5, 0, 0], [0, 0, 0]])


def test_load_rejects_unknown_version(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, format_version=np.array(99))
    with pytest.raises(WiringError, match="unsupported wiring file version 99"):
        Wiring.load(path)


def test_normalised(wiring):
    m = wiring.normalised("max")
    assert m.chemical.max() == 1.0 and m.electrical.max() == 1.0
    assert np.allclose(m.chemical.toarray() * wiring.chemical.max(), wiring.chemical.toarray())
    s = wiring.normalised("in_sum")
    col = np.asarray(s.chemical.sum(axis=0)).ravel()
    has_in = np.asarray(wiring.chemical.sum(axis=0)).ravel() > 0
    assert np.allclose(col[has_in], 1.0) and np.all(col[~has_in] == 0)
    assert (s.sign != wiring.sign).nnz == 0
    G = s.electrical.toarray()
    assert np.allclose(G, G.T)
    with pytest.raises(WiringError, match="'max' or 'in_sum'"):
        wiring.normalised("l2")


def test_from_connectome_matches_edge_table():
    names, t = random_edges(n=15, seed=5)
    conn = connectome.from_edgelist(t[["pre", "post", "type", "weight"]], metadata_for(names))
    w = Wiring.from_connectome(conn, sign_rule="excitatory")
    present = sorted(set(t["pre"]) | set(t["post"]), key=names.index)
    ref = wiring_from_table(present, t.assign(sign=1))
    assert w.equals(ref._replace(inputs=w.inputs, outputs=w.outputs))
    assert w.inputs == tuple(nm for nm in present if metadata_for(names).loc[nm, "type"] == "sensory")
    assert w.info["dataset"] == "custom" and w.info["sign_rule"] == "excitatory"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(neurons=["A", "A"], chemical=np.zeros((2, 2))), WiringError, "repeated"),
        (dict(neurons=[], chemical=np.zeros((0, 0))), WiringError, "at least one neuron"),
        (dict(neurons="AB", chemical=np.zeros((2, 2))), WiringError, "sequence of names"),
        (dict(neurons=["A", "B"], chemical=np.zeros((3, 3))), WiringError, r"shape \(2, 2\)"),
        (dict(neurons=["A", "B"], chemical=np.zeros(2)), WiringError, "2-d matrix"),
        (dict(neurons=["A", "B"], chemical=[[0, -1], [0, 0]]), WiringError, "non-negative"),
        (dict(neurons=["A", "B"], chemical=[[0, np.nan], [0, 0]]), WiringError, "finite"),
        (dict(neurons=["A", "B"], chemical=[[0, 1], [0, 0]], sign=[[0, 1], [1, 0]]), WiringError, "sparsity"),
        (dict(neurons=["A", "B"], chemical=[[0, 1], [0, 0]], sign=[[0, 2], [0, 0]]), WiringError, r"\+1 or -1"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), electrical=[[0, 1], [0, 0]]), WiringError,
         "symmetric"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), electrical=[[0, -1], [-1, 0]]), WiringError,
         "non-negative"),
        (dict(neurons=["AVAL", "AVAR"], chemical=np.zeros((2, 2)), inputs=["AVAX"]), UnknownNeuronError,
         "did you mean 'AVA[LR]', 'AVA[LR]'"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), inputs="A"), WiringError, "single string"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), outputs=["A", "A"]), WiringError, "more than once"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), inputs=["A"], input_map=[[0, 1]]), WiringError,
         "not listed in inputs"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), inputs=["A"], input_channels=["u", "v"]),
         WiringError, "2 names but there are 1 inputs"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_sign=[[1, 0]]), WiringError,
         "input_sign needs an input_map"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_map=[[1, 0]], input_sign=[[1, 1]]),
         WiringError, "sparsity pattern of input_map"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_map=[[1, 0]], input_sign=[[3, 0]]),
         WiringError, "input_sign values"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_map=[[-1, 0]]), WiringError, "input_map"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_map=[[1, 0, 0]]), WiringError, "shape"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_map=[[1, 0]], input_channels=["a", "b"]),
         WiringError, "exactly once"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), input_channels="ab"), WiringError, "single string"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), info={"f": object()}), WiringError,
         "JSON serialisable"),
        (dict(neurons=["A", "B"], chemical=np.zeros((2, 2)), metadata={"x": [1, 2]}), WiringError,
         "DataFrame"),
    ],
)
def test_validation_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        Wiring(**kwargs)


def test_subset_errors(wiring):
    with pytest.raises(WiringError, match="selection is empty"):
        wiring.subset([])
    with pytest.raises(WiringError, match="more than once"):
        wiring.subset(["N1", "N1"])
    with pytest.raises(UnknownNeuronError, match="unknown neuron 'N99'"):
        wiring.subset(["N99"])


def test_matrices_are_read_only(wiring):
    with pytest.raises(ValueError):
        wiring.chemical.data[0] = 5.0
    with pytest.raises(AttributeError):
        wiring.name = "other"


def test_info_is_json(wiring):
    assert json.loads(json.dumps(wiring.info)) == {"seed": 0, "note": "test"}


# -- real data ------------------------------------------------------------------------------
def _real(name):
    # the tables ship with the package: a missing one must fail, not skip
    return connectome.load(name)


@pytest.mark.parametrize("dataset", ["varshney2011", "cook2019_herm"])
def test_real_connectome_masks_equal_edge_table(dataset):
    conn = _real(dataset)
    w = Wiring.from_connectome(conn)
    pos = {nm: i for i, nm in enumerate(w.neurons)}
    e = conn.edges
    chem = e[(e["type"] == "chemical") & e["pre"].isin(pos) & e["post"].isin(pos)]
    M = w.mask("chemical", dense=True)
    assert M.sum() == len(chem)
    assert M[chem["pre"].map(pos).to_numpy(), chem["post"].map(pos).to_numpy()].all()
    assert np.isclose(w.chemical.sum(), chem["weight"].sum())
    gap = e[(e["type"] == "electrical") & (e["pre"] != e["post"])]
    assert w.electrical.nnz == 2 * len(gap)
    if dataset == "varshney2011":
        assert w.n == 279  # the connected somatic network (Varshney et al. 2011)


def test_networkx_view_matches_edge_table(wiring, table):
    names, t = table
    G = wiring.to_networkx()
    assert list(G.nodes) == list(wiring.neurons)
    chem = {(u, v): (d["weight"], d["sign"]) for u, v, k, d in G.edges(keys=True, data=True) if k == "chemical"}
    assert chem == {(a, b): (float(w), s) for a, b, typ, w, s in t.itertuples(index=False) if typ == "chemical"}
    gap = {(u, v) for u, v, k in G.edges(keys=True) if k == "electrical"}
    ref = {(a, b) for a, b, typ, _, _ in t.itertuples(index=False) if typ == "electrical"}
    assert gap == ref | {(b, a) for a, b in ref}
    assert G.nodes["N0"]["input"] and G.nodes[names[-1]]["output"] and G.nodes["N5"]["type"] == "motor"
