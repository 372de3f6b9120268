"""Derived wirings: selection, neighbourhoods, paths, circuits, layered and minimal subcircuits, statistics.

References are independent: NetworkX graph algorithms, boolean matrix powers and
plain loops over edge tables.
"""

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import connectome
from connectome import UnknownNameError, UnknownNeuronError, Wiring, WiringError
from connectome import circuits as C
from connectome import layered as L
from connectome import minimal as M
from connectome import select as S
from connectome import stats as ST


def _real(name):
    # the tables ship with the package: a missing one must fail, not skip
    return connectome.load(name)


def random_wiring(n=40, p=0.08, p_gap=0.03, seed=1, with_meta=True):
    rng = np.random.default_rng(seed)
    W = (rng.random((n, n)) < p) * rng.integers(1, 6, (n, n)).astype(float)
    np.fill_diagonal(W, 0)
    Sg = np.where(W > 0, rng.choice([-1.0, 1.0], (n, n)), 0)
    G = np.triu((rng.random((n, n)) < p_gap) * rng.integers(1, 4, (n, n)).astype(float), 1)
    G = G + G.T
    names = [f"N{i}" for i in range(n)]
    meta = None
    if with_meta:
        types = ["sensory"] * (n // 4) + ["interneuron"] * (n // 2) + ["motor"] * (n - n // 4 - n // 2)
        meta = pd.DataFrame({"type": types, "class": [f"K{i // 2}" for i in range(n)]},
                            index=pd.Index(names, name="name"))
    return Wiring(names, W, Sg, G, metadata=meta, name="rand")


def digraph(w, synapses=("chemical", "electrical")):
    G = nx.DiGraph()
    G.add_nodes_from(w.neurons)
    if "chemical" in synapses:
        c = w.chemical.tocoo()
        G.add_edges_from((w.neurons[i], w.neurons[j]) for i, j in zip(c.row, c.col))
    if "electrical" in synapses:
        g = w.electrical.tocoo()
        G.add_edges_from((w.neurons[i], w.neurons[j]) for i, j in zip(g.row, g.col))
    return G


# -- names ----------------------------------------------------------------------------
def test_resolve_classes_from_metadata_and_from_names():
    w = random_wiring()
    assert S.resolve(w, ["K1", "N0"]) == ["N2", "N3", "N0"]
    bare = Wiring(["AVAL", "AVAR", "AVBL", "VA1", "VA12", "DVA", "SMDDL", "SMDVR"], np.zeros((8, 8)))
    assert S.resolve(bare, ["AVA"]) == ["AVAL", "AVAR"]
    assert S.resolve(bare, ["VA", "DVA", "va01"]) == ["VA1", "VA12", "DVA"]
    assert S.resolve(bare, "SMD") == ["SMDDL", "SMDVR"]
    with pytest.raises(UnknownNeuronError, match=r"unknown neuron 'AVAX'.*did you mean 'AVA[LR]'"):
        S.resolve(bare, ["AVAX"])


def test_resolve_real_classes():
    c = _real("varshney2011")
    assert S.resolve(c, ["AVA"]) == ["AVAL", "AVAR"]
    assert len(S.resolve(c, ["VA"])) == 12 and len(S.resolve(c, ["DD"])) == 6
    with pytest.raises(UnknownNeuronError, match="did you mean"):
        S.resolve(c, ["AVAQ"])


def test_select_names_classes_types_and_order():
    w = random_wiring()
    sel = S.select(w, ["N5", "K0"], types="motor")
    motors = [nm for nm, t in zip(w.neurons, w.metadata["type"]) if t == "motor"]
    assert sel.neurons == tuple(nm for nm in w.neurons if nm in {"N5", "N0", "N1", *motors})
    given = S.select(w, ["N5", "K0"], order="given")
    assert given.neurons == ("N5", "N0", "N1")
    assert S.select(w, ["N5", "K0"]).equals(w.subset(["N0", "N1", "N5"]))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda w: S.select(w), WiringError, "selection is empty"),
        (lambda w: S.select(w, types="glia"), UnknownNameError, "unknown neuron type 'glia'"),
        (lambda w: S.select(w, ["N1"], order="random"), WiringError, "order must be"),
        (lambda w: S.neighbourhood(w, "N1", -1), WiringError, "non-negative integer"),
        (lambda w: S.neighbourhood(w, "N1", 1, direction="up"), WiringError, "direction must be"),
        (lambda w: S.neighbourhood(w, "N1", 1, synapses=("nmj",)), WiringError, "synapses must be"),
        (lambda w: S.paths_between(w, "N1", "N2", 0), WiringError, "max_length must be"),
        (lambda w: S.as_wiring(3), TypeError, "Wiring or connectome.Connectome"),
    ],
)
def test_select_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(random_wiring())


def test_select_by_type_needs_type_column():
    with pytest.raises(WiringError, match="metadata column 'type'"):
        S.select(random_wiring(with_meta=False), types="sensory")


# -- neighbourhoods and paths ---------------------------------------------------------------
@pytest.mark.parametrize("k", [0, 1, 2, 3])
@pytest.mark.parametrize("direction", ["out", "in", "both"])
def test_neighbourhood_matches_networkx(k, direction):
    w = random_wiring(seed=k + 10)
    G = digraph(w)
    if direction == "in":
        G = G.reverse()
    elif direction == "both":
        G = G.to_undirected()
    seeds = ["N0", "N7"]
    expect = set()
    for s in seeds:
        expect |= set(nx.single_source_shortest_path_length(G, s, cutoff=k))
    got = S.neighbourhood(w, seeds, k, direction=direction)
    assert got.neurons == tuple(nm for nm in w.neurons if nm in expect)
    assert got.equals(w.subset(list(got.neurons)))


def walk_reference(w, sources, targets, max_length, synapses=("chemical", "electrical")):
    """Neurons on a walk of <= max_length steps from sources to targets, by boolean matrix powers."""
    A = np.zeros((w.n, w.n), dtype=np.int64)
    if "chemical" in synapses:
        A |= w.mask("chemical", dense=True)
    if "electrical" in synapses:
        A |= w.mask("electrical", dense=True)
    n = w.n
    src = np.zeros(n, bool)
    src[[w.neurons.index(s) for s in sources]] = True
    tgt = np.zeros(n, bool)
    tgt[[w.neurons.index(t) for t in targets]] = True
    fwd = [src.copy()]  # fwd[i][v]: v reachable in exactly i steps
    bwd = [tgt.copy()]
    for _ in range(max_length):
        fwd.append((fwd[-1].astype(np.int64) @ A) > 0)
        bwd.append((A @ bwd[-1].astype(np.int64)) > 0)
    keep = np.zeros(n, bool)
    for i in range(max_length + 1):
        for j in range(max_length + 1 - i):
            keep |= fwd[i] & bwd[j]
    return {w.neurons[v] for v in np.flatnonzero(keep)}


@pytest.mark.parametrize("max_length", [1, 2, 3, 4])
@pytest.mark.parametrize("synapses", [("chemical",), ("chemical", "electrical")])
def test_paths_between_matches_walk_reference(max_length, synapses):
    w = random_wiring(n=30, p=0.07, seed=max_length)
    sources, targets = ["N0", "N1", "N2"], ["N27", "N28", "N29"]
    expect = walk_reference(w, sources, targets, max_length, synapses)
    if not (expect & set(targets)):
        with pytest.raises(S.NoPathError, match="no path of at most"):
            S.paths_between(w, sources, targets, max_length, synapses=synapses)
        return
    got = S.paths_between(w, sources, targets, max_length, synapses=synapses)
    assert set(got.neurons) == expect
    assert got.inputs == tuple(s for s in sources if s in expect)
    assert got.outputs == tuple(t for t in targets if t in expect)


def test_paths_between_simple_paths_are_included():
    w = random_wiring(n=25, p=0.1, seed=4)
    G = digraph(w)
    got = set(S.paths_between(w, ["N0"], ["N20"], 3).neurons)
    for p in nx.all_simple_paths(G, "N0", "N20", cutoff=3):
        assert set(p) <= got


def test_no_path_error_names_the_neurons():
    w = Wiring(["A", "B", "C"], [[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    with pytest.raises(S.NoPathError, match=r"from \['A'\] to \['C'\].*no path exists at any length"):
        S.paths_between(w, "A", "C", 5)
    w2 = Wiring(["A", "B", "C"], [[0, 1, 0], [0, 0, 1], [0, 0, 0]])
    with pytest.raises(S.NoPathError, match="shortest path has 2 steps"):
        S.paths_between(w2, "A", "C", 1)


def test_ablate_by_class():
    w = random_wiring()
    out = S.ablate(w, ["K0", "N9"], synapses=[])
    assert set(w.neurons) - set(out.neurons) == {"N0", "N1", "N9"}
    assert out.equals(w.subset([nm for nm in w.neurons if nm not in {"N0", "N1", "N9"}]))


# -- circuits --------------------------------------------------------------------------------
def test_circuit_registry_is_cited_and_consistent():
    for name, spec in C.CIRCUITS.items():
        assert spec.references, name
        assert spec.sensory and spec.motor, name
    tw = C.CIRCUITS["tap_withdrawal"]
    assert set(tw.sensory) == {"ALM", "AVM", "PLM", "PVD"}
    assert set(tw.inter + tw.command) == {"DVA", "AVA", "AVD", "AVB", "PVC"}
    assert "Wicks & Rankin 1995" in tw.references[0]
    assert set(C.CIRCUITS["klinotaxis"].sensory) == {"ASE"}
    assert {"AIY", "AIZ", "RIA"} <= set(C.CIRCUITS["klinotaxis"].inter)
    with pytest.raises(WiringError, match="as sensory and as motor"):
        C.Circuit("bad", "x", sensory=("A",), motor=("A",))


@pytest.mark.parametrize("dataset", ["varshney2011", "cook2019_herm"])
def test_circuits_on_real_data(dataset):
    conn = _real(dataset)
    full = Wiring.from_connectome(conn)
    w = C.circuit("tap_withdrawal", conn)
    expect_sensory = ["ALML", "ALMR", "AVM", "PLML", "PLMR", "PVDL", "PVDR"]
    assert list(w.inputs) == expect_sensory
    assert w.neurons[:7] == tuple(expect_sensory)
    assert {"DVA", "AVAL", "AVAR", "AVBL", "AVBR", "AVDL", "AVDR", "PVCL", "PVCR"} <= set(w.neurons)
    assert set(w.outputs) == {nm for nm in full.neurons if nm[:2] in ("VA", "DA", "VB", "DB") and nm[2:].isdigit()}
    assert w.equals(full.subset(list(w.neurons))._replace(inputs=w.inputs, outputs=w.outputs))
    assert list(w.metadata["layer"].unique()) == ["sensory", "inter", "command", "motor"]
    assert "Wicks & Rankin 1995" in w.info["references"][0]
    for name in C.CIRCUITS:
        assert C.circuit(name, conn).n > 0


def test_circuit_errors_and_missing_members():
    w = Wiring(["ASEL", "ASER", "AIYL", "AIYR", "SMBDL"], np.zeros((5, 5)))
    with pytest.raises(UnknownNameError, match="unknown circuit 'klinotaxys'; did you mean 'klinotaxis'"):
        C.circuit("klinotaxys", w)
    with pytest.raises(UnknownNeuronError, match="AIZ"):
        C.circuit("klinotaxis", w)
    part = C.circuit("klinotaxis", w, missing="skip")
    assert part.neurons == ("ASEL", "ASER", "AIYL", "AIYR", "SMBDL")
    assert part.info["skipped"] == ["AIZ", "RIA", "SMD"]
    with pytest.raises(WiringError, match="'error' or 'skip'"):
        C.circuit("klinotaxis", w, missing="ignore")
    with pytest.raises(WiringError, match="none of the members"):
        C.circuit("tap_withdrawal", w, missing="skip")


# -- layered ------------------------------------------------------------------------------------
def layered_reference(w, command):
    types = dict(zip(w.neurons, w.metadata["type"]))
    A = digraph(w)
    sens = [n for n in w.neurons if types[n] == "sensory" and n not in command]
    inter = [n for n in w.neurons if types[n] == "interneuron" and n not in command
             and any(A.has_edge(s, n) for s in sens) and any(A.has_edge(n, c) for c in command)]
    sens = [s for s in sens if any(A.has_edge(s, x) for x in inter + command)]
    motor = [n for n in w.neurons if types[n] == "motor" and n not in command
             and any(A.has_edge(c, n) for c in command)]
    return sens, inter, motor


@pytest.mark.parametrize("connect", ["all", "feedforward"])
def test_layered_matches_reference(connect):
    w = random_wiring(n=60, p=0.1, seed=7)
    command = ["N20", "N21", "N22"]
    out = L.layered(w, command=command, connect=connect)
    sens, inter, motor = layered_reference(w, command)
    assert out.neurons == tuple(sens + inter + command + motor)
    assert out.inputs == tuple(sens) and out.outputs == tuple(motor)
    layer = dict(zip(out.neurons, out.metadata["layer"]))
    rank = {"sensory": 0, "inter": 1, "command": 2, "motor": 3}
    full = w.subset(list(out.neurons))
    for pre, post, typ, wt, sg in full.edges.itertuples(index=False):
        d = rank[layer[post]] - rank[layer[pre]]
        kept = ((out.edges["pre"] == pre) & (out.edges["post"] == post) & (out.edges["type"] == typ)).any()
        if connect == "all":
            assert kept
        elif typ == "chemical":
            assert kept == (d in (0, 1))
        else:
            assert kept == (abs(d) <= 1)


def test_layered_real_data():
    conn = _real("cook2019_herm")
    out = L.layered(conn)
    lay = out.metadata["layer"]
    assert set(out.neurons[i] for i in np.flatnonzero(lay == "command")) == \
        {"AVAL", "AVAR", "AVBL", "AVBR", "AVDL", "AVDR", "AVEL", "AVER", "PVCL", "PVCR"}
    types = conn.neurons["type"]
    assert (types[list(out.inputs)] == "sensory").all() and (types[list(out.outputs)] == "motor").all()
    counts = ST.layer_counts(out)
    assert list(counts.index) == ["sensory", "inter", "command", "motor"] and counts["command"] == 10


def test_layered_errors():
    w = random_wiring(n=20, seed=2)
    with pytest.raises(WiringError, match="metadata column 'type'"):
        L.layered(random_wiring(with_meta=False), command=["N1"])
    with pytest.raises(WiringError, match="'all' or 'feedforward'"):
        L.layered(w, command=["N5"], connect="some")
    with pytest.raises(WiringError, match="both the inter and the command layer"):
        L.layered(w, command=["N5"], inter=["N5", "N6"])
    with pytest.raises(WiringError, match="the sensory layer is empty; pass sensory="):
        L.layered(Wiring(["S", "C", "M"], [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
                         metadata=pd.DataFrame({"type": ["sensory", "interneuron", "motor"]}, index=["S", "C", "M"])),
                  command=["C"])


# -- minimal subcircuits --------------------------------------------------------------------
def cost_graph(w):
    G = nx.DiGraph()
    S_ = (w.chemical + w.electrical).tocoo()
    for i, j, v in zip(S_.row, S_.col, S_.data):
        if i != j:
            G.add_edge(w.neurons[i], w.neurons[j], cost=1.0 / v)
    return G


def test_minimal_shortest_paths_are_cheapest():
    w = random_wiring(n=50, p=0.08, seed=11)
    G = cost_graph(w)
    sensors, motors = ["N0", "N1", "N2"], ["N47", "N48", "N49"]
    res = M.minimal_subcircuit(w, sensors, motors, allow_partial=True)
    assert res.paths
    for (s, m), path in res.paths.items():
        expect = nx.shortest_path_length(G, s, m, weight="cost")
        got = sum(G[a][b]["cost"] for a, b in itertools.pairwise(path))
        assert got == pytest.approx(expect)
    for s, m in itertools.product(sensors, motors):
        assert ((s, m) in res.paths) == nx.has_path(G, s, m)
    union = {nm for p in res.paths.values() for nm in p}
    assert set(res.neurons) == union and res.size == len(union)
    assert res.wiring.inputs == tuple(s for s in sensors if s in union)
    assert res.wiring.neurons[:len(res.wiring.inputs)] == res.wiring.inputs


def test_minimal_steiner_connects_along_synapses():
    w = random_wiring(n=50, p=0.08, seed=11)
    res = M.minimal_subcircuit(w, ["N0", "N1", "N2"], ["N47", "N48", "N49"], method="steiner", allow_partial=True)
    sub = digraph(res.wiring)
    for (s, m) in res.paths:
        assert any(nx.has_path(sub, x, m) for x in res.wiring.inputs)
    assert res.size <= w.n


def test_minimal_hops_cost_counts_synapses():
    w = Wiring(["S", "A", "B", "C", "M"], [[0, 9, 1, 0, 0], [0, 0, 0, 9, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 9],
                                         [0, 0, 0, 0, 0]])
    assert M.minimal_subcircuit(w, "S", "M", cost="hops").paths[("S", "M")] == ("S", "B", "M")
    assert M.minimal_subcircuit(w, "S", "M").paths[("S", "M")] == ("S", "A", "C", "M")


def test_minimal_real_data_sizes():
    conn = _real("cook2019_herm")
    res = M.minimal_subcircuit(conn, ["ALM", "AVM", "PLM"], ["VA", "VB"])
    res_st = M.minimal_subcircuit(conn, ["ALM", "AVM", "PLM"], ["VA", "VB"], method="steiner")
    assert len(res.paths) == 5 * 23
    assert 0 < res.size < 100 and 0 < res_st.size < 100


def test_minimal_errors():
    w = Wiring(["S", "A", "M", "X"], [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    with pytest.raises(S.NoPathError, match="no synaptic path"):
        M.minimal_subcircuit(w, "M", "S")
    with pytest.raises(S.NoPathError, match=r"motor neurons reached by no sensor \['X'\]"):
        M.minimal_subcircuit(w, "S", ["M", "X"])
    res = M.minimal_subcircuit(w, "S", ["M", "X"], allow_partial=True)
    assert res.unreachable == (("S", "X"),) and res.wiring.neurons == ("S", "A", "M")
    with pytest.raises(WiringError, match="both sensor and motor"):
        M.minimal_subcircuit(w, ["S", "M"], "M")
    with pytest.raises(WiringError, match="method must be"):
        M.minimal_subcircuit(w, "S", "M", method="ilp")
    with pytest.raises(WiringError, match="cost must be"):
        M.minimal_subcircuit(w, "S", "M", cost="length")


# -- statistics -----------------------------------------------------------------------------
def test_stats_match_networkx():
    w = random_wiring(n=45, p=0.12, seed=5)
    G = digraph(w, ("chemical",))
    deg = ST.degrees(w)
    assert deg["in_degree"].to_dict() == dict(G.in_degree())
    assert deg["out_degree"].to_dict() == dict(G.out_degree())
    assert ST.reciprocity(w) == pytest.approx(nx.overall_reciprocity(G))
    assert ST.density(w) == pytest.approx(nx.density(G))
    e = w.edges
    chem = e[e["type"] == "chemical"]
    assert ST.fraction_inhibitory(w) == pytest.approx((chem["sign"] < 0).mean())
    assert ST.fraction_inhibitory(w, weighted=True) == pytest.approx(
        chem.loc[chem["sign"] < 0, "weight"].sum() / chem["weight"].sum())
    gap = e[e["type"] == "electrical"]
    gd = pd.concat([gap["pre"], gap["post"]]).value_counts()
    assert deg["gap_degree"].to_dict() == {nm: int(gd.get(nm, 0)) for nm in w.neurons}


def test_layer_tables_match_loop():
    w = random_wiring(n=30, p=0.15, seed=9)
    table = ST.layer_connections(w, "type")
    types = dict(zip(w.neurons, w.metadata["type"]))
    e = w.edges
    for (a, b), grp in e[e["type"] == "chemical"].groupby([e["pre"].map(types), e["post"].map(types)]):
        assert table.loc[a, b] == len(grp)
    assert table.to_numpy().sum() == w.chemical.nnz
    assert ST.layer_counts(w, "type").to_dict() == w.metadata["type"].value_counts().to_dict()
    s = ST.summary(w, column="type")
    assert s["neurons"] == 30 and s["chemical_connections"] == w.chemical.nnz
    assert s["electrical_pairs"] == w.electrical.nnz // 2
    with pytest.raises(WiringError, match="no metadata column 'layer'"):
        ST.layer_counts(w)
    with pytest.raises(WiringError, match="at least two neurons"):
        ST.density(Wiring(["A"], [[0]]))
    assert np.isnan(ST.reciprocity(Wiring(["A", "B"], np.zeros((2, 2)))))
    assert np.isnan(ST.fraction_inhibitory(Wiring(["A", "B"], np.zeros((2, 2)))))
