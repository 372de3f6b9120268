"""Checks of the committed connectome tables in ``data/`` against published figures.

Expected numbers come from the papers (Varshney et al. 2011, Cook et al. 2019,
Wang et al. 2024) as summarised in the project's data notes, never from a
build's output. The tables are read with pandas directly, not through the
``connectome`` API, so a loader bug cannot hide a data bug.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parents[1] / "data"
DATASETS = (
    "varshney2011", "white1986_whole", "cook2019_herm", "cook2019_male",
    *(f"witvliet2021_{n}" for n in range(1, 9)),
)
EDGE_TYPES = {"chemical", "electrical", "nmj"}
NEURON_TYPES = {"sensory", "interneuron", "motor", "pharyngeal", "other"}
SIDES = {"", "L", "R", "D", "V", "DL", "DR", "VL", "VR"}
# The 26 GABAergic neurons of the c302 / Kunert et al. 2014 sign convention.
CLASSIC_GABA = {
    *(f"DD{i}" for i in range(1, 7)), *(f"VD{i}" for i in range(1, 14)),
    "RMED", "RMEL", "RMER", "RMEV", "AVL", "RIS", "DVB",
}


def _read(relpath: str) -> pd.DataFrame:
    # Empty cells are empty strings (unknown transmitter, unpaired side), not NaN.
    return pd.read_csv(DATA / relpath, keep_default_na=False, dtype=str)


@pytest.fixture(scope="module")
def neurons() -> pd.DataFrame:
    return _read("neurons.csv")


@pytest.fixture(scope="module")
def muscles() -> pd.DataFrame:
    return _read("muscles.csv")


@pytest.fixture(scope="module")
def provenance() -> dict:
    return json.loads((DATA / "provenance.json").read_text(encoding="utf-8"))


def edges(dataset: str) -> pd.DataFrame:
    table = _read(f"edges/{dataset}.csv")
    table["weight"] = table["weight"].astype(int)
    return table


@pytest.fixture(scope="module")
def varshney() -> pd.DataFrame:
    return edges("varshney2011")


# -- Varshney et al. 2011 -------------------------------------------------------------
def test_varshney_chemical_counts(varshney):
    chem = varshney[varshney["type"] == "chemical"]
    assert len(chem) == 2194  # directed chemical connections (published)
    # Published: 6393 chemical synapses. NeuronConnect.xls sums to 6394, one more;
    # the table keeps the file's value rather than patching the data.
    assert chem["weight"].sum() == 6394
    assert chem["weight"].sum() - 6393 == 1


def test_varshney_gap_junction_counts_and_self_junction_convention(varshney):
    gap = varshney[varshney["type"] == "electrical"]
    self_junctions = gap[gap["pre"] == gap["post"]]
    others = gap[gap["pre"] != gap["post"]]
    # Three self-junctions (a neuron coupled to itself), one junction each.
    assert sorted(self_junctions["pre"]) == ["RIBL", "RIBR", "VA8"]
    assert self_junctions["weight"].tolist() == [1, 1, 1]
    # Published "890 gap junctions" counts the self-junctions: 887 + 3 = 890.
    assert others["weight"].sum() == 887
    assert gap["weight"].sum() == 890
    # Published "514 connections" counts pairs of distinct neurons: 517 - 3 = 514.
    assert len(others) == 514
    assert len(gap) == 517


def test_varshney_neuromuscular_junctions(varshney):
    nmj = varshney[varshney["type"] == "nmj"]
    assert nmj["weight"].sum() == 1410
    assert set(nmj["post"]) == {"NMJ"}  # no muscle identity in the file
    assert not nmj["pre"].duplicated().any()  # a neuron's NMJ rows are summed


def test_varshney_connected_network_has_279_somatic_neurons(varshney, neurons):
    synaptic = varshney[varshney["type"] != "nmj"]
    network = set(synaptic["pre"]) | set(synaptic["post"])
    assert len(network) == 279
    # The 23 others: the 20 pharyngeal neurons, CANL/CANR (no synapses) and
    # VC6 (NMJs only).
    herm = neurons[neurons["sex"] != "male"]
    pharyngeal = set(herm.loc[herm["type"] == "pharyngeal", "name"])
    assert set(herm["name"]) - network == pharyngeal | {"CANL", "CANR", "VC6"}


# -- neurons ---------------------------------------------------------------------------
def test_neuron_columns(neurons):
    assert list(neurons.columns) == [
        "name", "class", "side", "type", "sex", "neurotransmitter",
        "neurotransmitters", "lineage", "x", "y", "z",
    ]
    assert neurons["name"].is_unique
    assert neurons["name"].tolist() == sorted(neurons["name"])


def test_302_hermaphrodite_neurons_split_by_cook_categories(neurons):
    herm = neurons[neurons["sex"].isin(["both", "hermaphrodite"])]
    assert len(herm) == 302
    assert herm["type"].value_counts().to_dict() == {
        "motor": 116, "sensory": 83, "interneuron": 81, "pharyngeal": 20, "other": 2,
    }
    by_name = herm.set_index("name")
    assert set(by_name.index[by_name["type"] == "other"]) == {"CANL", "CANR"}
    hermaphrodite_only = {"HSNL", "HSNR", *(f"VC{i}" for i in range(1, 7))}
    assert set(by_name.index[by_name["sex"] == "hermaphrodite"]) == hermaphrodite_only
    assert (by_name.loc[sorted(hermaphrodite_only), "type"] == "motor").all()


def test_neuron_fields_are_in_their_vocabularies(neurons):
    assert set(neurons["type"]) <= NEURON_TYPES
    assert set(neurons["side"]) <= SIDES
    assert set(neurons["sex"]) == {"both", "hermaphrodite", "male"}
    for primary, full in zip(neurons["neurotransmitter"], neurons["neurotransmitters"]):
        listed = full.split(";") if full else []
        assert primary == (listed[0] if listed else "")
        assert all(re.fullmatch(r"[a-z]+", t) for t in listed)


def test_names_are_canonical_without_zero_padding(neurons):
    names = set(neurons["name"])
    assert not [n for n in names if re.fullmatch(r"[A-Z]+0\d+", n)]
    assert {"VA8", "DB1", "AS11", "VD13", "VC6"} <= names
    male = set(neurons.loc[neurons["sex"] == "male", "name"])
    assert {f"CP{i}" for i in range(1, 10)} <= male
    assert {f"CA{i}" for i in range(1, 10)} <= male


def test_class_and_side_follow_the_name(neurons):
    by_name = neurons.set_index("name")
    assert by_name.loc["AVAL", ["class", "side"]].tolist() == ["AVA", "L"]
    assert by_name.loc["DD3", ["class", "side"]].tolist() == ["DD", ""]
    assert by_name.loc["VA12", ["class", "side"]].tolist() == ["VA", ""]
    assert by_name.loc["RMED", ["class", "side"]].tolist() == ["RME", "D"]
    assert by_name.loc["IL1VR", ["class", "side"]].tolist() == ["IL1", "VR"]
    # Rule: name = class + side, or class + a series number with no side.
    for name, cls, side in zip(neurons["name"], neurons["class"], neurons["side"]):
        rest = name[len(cls):]
        assert name.startswith(cls) and (rest == side or (side == "" and rest.isdigit()))


def test_classic_gabaergic_neurons_have_gaba(neurons):
    with_gaba = set(neurons.loc[neurons["neurotransmitters"].str.split(";").map(
        lambda ts: "gaba" in ts), "name"])
    assert CLASSIC_GABA <= with_gaba
    # Wang et al. 2024 (supplementary file 2) list GABA for more of the 302 than
    # the classic 26: ALA, RIB, AVF (uptake), AVJ and SMD (dim expression).
    herm = set(neurons.loc[neurons["sex"] != "male", "name"])
    assert (with_gaba & herm) - CLASSIC_GABA == {
        "ALA", "RIBL", "RIBR", "AVFL", "AVFR", "AVJL", "AVJR",
        "SMDDL", "SMDDR", "SMDVL", "SMDVR",
    }


def test_soma_positions_known_for_the_302(neurons):
    herm = neurons[neurons["sex"] != "male"]
    male = neurons[neurons["sex"] == "male"]
    coords = herm[["x", "y", "z"]].astype(float)
    assert coords.notna().all().all()
    assert (male[["x", "y", "z"]] == "").all().all()
    # The body axis is y, head negative: a head neuron lies anterior of a tail one.
    y = herm.set_index("name")["y"].astype(float)
    assert y["AVAL"] < y["VA8"] < y["PVCL"]


# -- edges of every dataset ----------------------------------------------------------
@pytest.mark.parametrize("dataset", DATASETS)
def test_edge_table_invariants(dataset, neurons, muscles):
    table = edges(dataset)
    assert list(table.columns) == ["pre", "post", "type", "weight"]
    assert set(table["type"]) <= EDGE_TYPES
    assert (table["weight"] > 0).all()
    assert not table.duplicated(["pre", "post", "type"]).any()
    neuron_names, muscle_names = set(neurons["name"]), set(muscles["name"])
    assert set(table["pre"]) <= neuron_names
    nmj = table["type"] == "nmj"
    assert set(table.loc[~nmj, "post"]) <= neuron_names
    assert set(table.loc[nmj, "post"]) <= muscle_names
    gap = table[table["type"] == "electrical"]
    assert (gap["pre"] <= gap["post"]).all()  # once per unordered pair


@pytest.mark.parametrize("dataset", DATASETS)
def test_edge_files_are_sorted_with_unix_newlines(dataset):
    raw = (DATA / "edges" / f"{dataset}.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    table = edges(dataset)
    keys = list(zip(table["pre"], table["post"], table["type"]))
    assert keys == sorted(keys)


def test_muscles_are_exactly_the_nmj_targets(muscles, neurons):
    assert list(muscles.columns) == ["name", "kind", "description"]
    targets = set()
    for dataset in DATASETS:
        table = edges(dataset)
        targets |= set(table.loc[table["type"] == "nmj", "post"])
    assert set(muscles["name"]) == targets
    assert not targets & set(neurons["name"])
    assert (muscles["description"] != "").all()
    assert muscles.set_index("name").loc["NMJ", "kind"] == "body_wall"


# -- provenance ------------------------------------------------------------------------
def _tables_on_disk():
    return sorted(["neurons.csv", "muscles.csv",
                   *(f"edges/{p.name}" for p in (DATA / "edges").glob("*.csv")),
                   *(f"functional/{p.name}" for p in (DATA / "functional").glob("*.csv"))])


def test_every_table_is_in_provenance_with_its_rows_and_hash(provenance):
    tables = provenance["tables"]
    assert sorted(tables) == _tables_on_disk()
    for path, record in tables.items():
        raw = (DATA / path).read_bytes()
        assert record["output_sha256"] == hashlib.sha256(raw).hexdigest(), path
        assert record["rows"] == raw.count(b"\n") - 1, path  # minus the header


def test_edge_tables_carry_dataset_metadata(provenance):
    records = {p: r for p, r in provenance["tables"].items() if p.startswith("edges/")}
    assert sorted(r["dataset"] for r in records.values()) == sorted(DATASETS)
    for path, record in records.items():
        assert path == f"edges/{record['dataset']}.csv"
        for key in ("description", "citation", "licence", "weight_unit"):
            assert isinstance(record[key], str) and record[key], (path, key)
        assert set(record["input_sha256"]) == set(record["source_files"])
        for source in record["source_files"]:
            assert provenance["sources"][source]["sha256"] == record["input_sha256"][source]
        for reason, excluded in record["excluded"].items():
            assert excluded["rows"] > 0 and isinstance(excluded["cells"], list), reason
    assert records["edges/cook2019_herm.csv"]["weight_unit"] == "EM serial sections"


def test_sources_name_their_wheel_and_hash(provenance):
    for name, source in provenance["sources"].items():
        assert source["wheel"] in {"cect-0.3.5-py3-none-any.whl", "c302-0.12.1-py3-none-any.whl",
                                   "wormneuroatlas-0.0.7.3-py3-none-any.whl"}
        assert re.fullmatch(r"[0-9a-f]{64}", source["sha256"]), name
        assert source["citation"] and source["licence"], name


def test_provenance_json_is_canonical(provenance):
    text = (DATA / "provenance.json").read_text(encoding="utf-8")
    assert text == json.dumps(provenance, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
