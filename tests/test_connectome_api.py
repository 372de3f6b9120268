"""The Connectome API: views agree with each other, validation names the offending rows."""

import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import connectome
from connectome import EdgeTableError, UnknownDatasetError, UnknownNeuronError


@pytest.fixture(scope="module")
def varshney():
    return connectome.load("varshney2011")


@pytest.fixture
def small_edges():
    return pd.DataFrame(
        {
            "pre": ["A", "A", "B", "C", "C"],
            "post": ["B", "C", "C", "M1", "C"],
            "type": ["chemical", "electrical", "chemical", "nmj", "electrical"],
            "weight": [3, 1, 2, 5, 4],
        }
    )


# -- datasets ----------------------------------------------------------------------
def test_datasets_lists_every_published_dataset_with_description():
    names = connectome.datasets()
    expected = {"varshney2011", "white1986_whole", "cook2019_herm", "cook2019_male"} | {
        f"witvliet2021_{i}" for i in range(1, 9)
    }
    assert expected <= set(names)
    assert all(isinstance(d, str) and d for d in names.values())


@pytest.mark.parametrize("name", sorted(connectome.datasets()))
def test_every_dataset_loads_and_views_agree(name):
    c = connectome.load(name)
    e = c.edges
    assert list(e.columns) == ["pre", "post", "type", "weight"]
    assert set(e["type"]) <= {"chemical", "electrical", "nmj"}
    assert (e["weight"] > 0).all()
    # every synapse endpoint is a neuron of this connectome, nmj targets are muscles
    syn = e[e["type"] != "nmj"]
    assert set(syn["pre"]) | set(syn["post"]) <= set(c.names)
    assert set(e.loc[e["type"] == "nmj", "post"]) <= set(c.muscles)
    # the chemical matrix sums to the edge table, element by element
    W = c.adjacency("chemical")
    chem = e[e["type"] == "chemical"]
    idx = pd.Index(c.names)
    assert W.sum() == chem["weight"].sum()
    assert np.array_equal(
        W[idx.get_indexer(chem["pre"]), idx.get_indexer(chem["post"])], chem["weight"].to_numpy()
    )
    assert c.provenance["weight_unit"]


def test_unknown_dataset_suggests_close_matches():
    with pytest.raises(UnknownDatasetError, match=r"unknown dataset 'varshney2010'.*'varshney2011'"):
        connectome.load("varshney2010")
    with pytest.raises(TypeError, match="must be a str"):
        connectome.load(2011)


def test_gap_junctions_symmetric_and_stored_once(varshney):
    G = varshney.adjacency("electrical")
    assert (G != G.T).nnz == 0
    gap = varshney.select_edges("electrical")
    assert (gap["pre"] <= gap["post"]).all()
    pairs = gap[["pre", "post"]].apply(lambda r: frozenset(r), axis=1)
    assert not pairs.duplicated().any()
    # each off-diagonal junction counted twice in the symmetric matrix, self-junctions once
    self_w = gap.loc[gap["pre"] == gap["post"], "weight"].sum()
    assert G.sum() == 2 * gap["weight"].sum() - self_w


def test_graph_matches_edge_table(varshney):
    G = varshney.graph()
    assert isinstance(G, nx.MultiDiGraph)
    assert set(G.nodes) == set(varshney.names)
    e = varshney.edges
    chem = e[e["type"] == "chemical"]
    gap = e[e["type"] == "electrical"]
    n_chem = sum(1 for *_, d in G.edges(data=True) if d["type"] == "chemical")
    n_gap = sum(1 for *_, d in G.edges(data=True) if d["type"] == "electrical")
    n_self = int((gap["pre"] == gap["post"]).sum())
    assert n_chem == len(chem)
    assert n_gap == 2 * len(gap) - n_self
    for u, v, k, d in G.edges(keys=True, data=True):
        if d["type"] == "electrical":
            assert G.edges[v, u, k]["weight"] == d["weight"]
    assert not any(d["type"] == "nmj" for *_, d in G.edges(data=True))
    assert G.nodes["AVAL"]["class"] == "AVA"


def test_graph_with_muscles_adds_muscle_nodes(varshney):
    G = varshney.graph(muscles=True)
    nmj = [(u, v, d) for u, v, d in G.edges(data=True) if d["type"] == "nmj"]
    assert sum(d["weight"] for *_, d in nmj) == varshney.select_edges("nmj")["weight"].sum()
    assert all(G.nodes[v]["kind"] == "muscle" for _, v, _ in nmj)


def test_adjacency_matches_networkx_independently(varshney):
    """Our W[pre, post] equals NetworkX's own adjacency of the chemical subgraph."""
    G = varshney.graph()
    D = nx.DiGraph()
    D.add_nodes_from(varshney.names)
    for u, v, d in G.edges(data=True):
        if d["type"] == "chemical":
            D.add_edge(u, v, weight=d["weight"])
    ref = nx.to_scipy_sparse_array(D, nodelist=varshney.names, weight="weight")
    assert (ref != varshney.adjacency("chemical")).nnz == 0


def test_networkx_round_trip(varshney):
    back = connectome.from_networkx(varshney.graph(muscles=True))
    key = ["type", "pre", "post"]
    a = varshney.edges.sort_values(key).reset_index(drop=True)
    b = back.edges.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert back.names == varshney.names


def test_connectome_is_immutable(varshney):
    with pytest.raises(AttributeError, match="immutable"):
        varshney.name = "x"
    n = varshney.neurons
    n.loc["AVAL", "class"] = "changed"
    assert varshney.neurons.loc["AVAL", "class"] == "AVA"


def test_neuron_name_normalisation(varshney):
    assert varshney.neuron("va08") == "VA8"
    assert varshney.neuron("AVAL") == "AVAL"
    assert connectome.normalise_neuron_name("DB01") == "DB1"
    with pytest.raises(UnknownNeuronError, match=r"unknown neuron 'AVAX'.*did you mean 'AVA[LR]'"):
        varshney.neuron("AVAX")
    with pytest.raises(KeyError):  # also a KeyError for generic handlers
        varshney.neuron("nothing-like-it")


# -- sign rule ----------------------------------------------------------------------
# McIntire et al. 1993 / c302 / Kunert et al. 2014: the 26 GABAergic neurons
CLASSIC_26 = {f"DD{i}" for i in range(1, 7)} | {f"VD{i}" for i in range(1, 14)} | {
    "RMED", "RMEL", "RMER", "RMEV", "AVL", "RIS", "DVB"}


def test_default_sign_rule_is_classic_gabaergic_presynaptic(varshney):
    signed = varshney.chemical_signs()
    inhibitory_pre = set(signed.loc[signed["sign"] < 0, "pre"])
    assert inhibitory_pre == CLASSIC_26 & set(signed["pre"])
    assert {"DD1", "AVL", "DVB", "RIS", "RMED"} <= inhibitory_pre


def test_wang2024_gaba_rule_uses_the_transmitter_atlas(varshney):
    signed = varshney.chemical_signs("gaba")
    inhibitory_pre = set(signed.loc[signed["sign"] < 0, "pre"])
    gaba = {n for n, t in varshney.neurons["neurotransmitters"].items()
            if isinstance(t, str) and "gaba" in t.split(";")}
    assert inhibitory_pre == gaba & set(signed["pre"])
    assert CLASSIC_26 & set(signed["pre"]) <= inhibitory_pre


def test_sign_rule_is_swappable(varshney):
    assert (varshney.chemical_signs("excitatory")["sign"] == 1).all()
    custom = varshney.chemical_signs(lambda neurons, edges: np.where(edges["pre"] == "AVAL", -1, 1))
    assert set(custom.loc[custom["sign"] < 0, "pre"]) == {"AVAL"}
    with pytest.raises(KeyError, match="unknown sign rule 'gaba2'.*'gaba'"):
        varshney.chemical_signs("gaba2")
    with pytest.raises(ValueError, match=r"\+1 or -1"):
        varshney.chemical_signs(lambda neurons, edges: np.zeros(len(edges)))


# -- bring your own ----------------------------------------------------------------------
def test_from_edgelist_builds_and_symmetrises(small_edges):
    c = connectome.from_edgelist(small_edges)
    assert c.names == ["A", "B", "C"]
    assert c.muscles == ("M1",)
    G = c.adjacency("electrical").toarray()
    assert G.tolist() == [[0, 0, 1], [0, 0, 0], [1, 0, 4]]
    assert c.adjacency("nmj").toarray().ravel().tolist() == [0, 0, 5]


def test_from_edgelist_stores_gap_junctions_canonically(small_edges):
    e = small_edges.copy()
    e.loc[1, ["pre", "post"]] = ["C", "A"]
    c = connectome.from_edgelist(e)
    gap = c.select_edges("electrical")
    assert ("A", "C") in set(zip(gap["pre"], gap["post"]))


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda e: e.drop(columns="weight"), r"missing column\(s\) \['weight'\]"),
        (lambda e: e.assign(type=["chem", *e["type"][1:]]), "unknown synapse type"),
        (lambda e: e.assign(weight=[np.nan, *e["weight"][1:]]), "NaN"),
        (lambda e: e.assign(weight=[-1, *e["weight"][1:]]), "zero or negative"),
        (lambda e: e.assign(weight=[0, *e["weight"][1:]]), "zero or negative"),
        (lambda e: e.assign(weight=[np.inf, *e["weight"][1:]]), "infinite"),
        (lambda e: pd.concat([e, e.iloc[[0]]]), "duplicate connection"),
        (lambda e: pd.concat([e, e.iloc[[1]].assign(pre="C", post="A")]), "duplicate connection"),
    ],
)
def test_from_edgelist_rejects_bad_rows(small_edges, mutate, match):
    with pytest.raises(EdgeTableError, match=match) as info:
        connectome.from_edgelist(mutate(small_edges))
    if info.value.rows is not None:
        assert len(info.value.rows) >= 1


def test_unknown_neuron_in_edge_table_names_row_and_suggestion(small_edges):
    e = small_edges.assign(pre=["AVAX", *small_edges["pre"][1:]])
    with pytest.raises(EdgeTableError, match=r"unknown presynaptic neuron.*'AVAX': did you mean 'AVAL'") as info:
        connectome.from_edgelist(e, neurons=["AVAL", "A", "B", "C"])
    assert info.value.rows["pre"].tolist() == ["AVAX"]


def test_not_a_dataframe_is_rejected():
    with pytest.raises(EdgeTableError, match="must be a pandas DataFrame"):
        connectome.from_edgelist([("A", "B", "chemical", 1)])


def test_duplicate_neuron_names_rejected(small_edges):
    with pytest.raises(EdgeTableError, match="more than once"):
        connectome.from_edgelist(small_edges, neurons=["A", "B", "C", "A"])


def test_drop_invalid_reports_everything_it_dropped(small_edges):
    e = small_edges.assign(weight=[0, 1, 2, np.nan, 4])
    with pytest.warns(UserWarning, match="dropped 2 invalid edge row"):
        c = connectome.from_edgelist(e, drop_invalid=True)
    assert len(c.edges) + len(c.dropped) == len(e)
    assert sorted(c.dropped["reason"]) == sorted(
        ["weight is zero or negative", "weight is missing, NaN, infinite or not a number"]
    )


def test_valid_table_drops_nothing_and_does_not_warn(small_edges):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = connectome.from_edgelist(small_edges, drop_invalid=True)
    assert c.dropped.empty and len(c.edges) == len(small_edges)


def test_from_networkx_plain_digraph_defaults():
    D = nx.DiGraph()
    D.add_edge("x", "y")
    D.add_edge("y", "z", weight=2.5)
    c = connectome.from_networkx(D, name="toy")
    assert c.name == "toy"
    assert c.adjacency("chemical").toarray().tolist() == [[0, 1, 0], [0, 0, 2.5], [0, 0, 0]]


def test_from_networkx_rejects_unequal_gap_directions():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", type="electrical", weight=1)
    G.add_edge("b", "a", type="electrical", weight=2)
    with pytest.raises(EdgeTableError, match="different weights"):
        connectome.from_networkx(G)


def test_restrict_keeps_only_internal_synapses(varshney):
    sub = varshney.restrict(["AVAL", "AVAR", "AVBL", "VA8"])
    e = sub.edges
    assert sub.names == ["AVAL", "AVAR", "AVBL", "VA8"]
    syn = e[e["type"] != "nmj"]
    assert set(syn["pre"]) | set(syn["post"]) <= set(sub.names)
    full = varshney.edges
    inner = full[full["pre"].isin(sub.names) & full["post"].isin(sub.names)]
    assert len(syn) == len(inner[inner["type"] != "nmj"])
