"""Readers of large public connectome formats, on hand-written fixtures in the real column layouts.

References are plain Python loops over the files read with the ``csv`` module.
"""

import csv
import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import connectome
from connectome.errors import (
    DuplicateConnectionError,
    EdgeTableError,
    InvalidCountError,
    InvalidIdError,
    MissingColumnsError,
    UnknownIdError,
    UnknownTransmitterError,
)

FIX = Path(__file__).parent / "fixtures"
FLY = FIX / "flywire" / "connections.csv"
FLY_NEURONS = FIX / "flywire" / "neurons.csv"
HB_NEURONS = FIX / "hemibrain" / "traced-neurons.csv"
HB_CONN = FIX / "hemibrain" / "traced-total-connections.csv"
SIGN = {"ACH": 1, "GABA": -1, "GLUT": -1, "DA": 1, "SER": 1, "OCT": 1}


def reference_flywire(path, neuropils=None, min_count=1):
    """{(pre, post): (count, sign)} summed over neuropils, majority sign (tie inhibitory)."""
    total, net = {}, {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if neuropils is not None and row["neuropil"] not in neuropils:
                continue
            key = (row["pre_root_id"], row["post_root_id"])
            c = int(row["syn_count"])
            total[key] = total.get(key, 0) + c
            net[key] = net.get(key, 0) + SIGN[row["nt_type"]] * c
    return {k: (v, 1 if net[k] > 0 else -1) for k, v in total.items() if v >= min_count}


def as_dict(w):
    c = w.chemical.tocoo()
    s = {(w.neurons[i], w.neurons[j]): v for i, j, v in zip(c.row, c.col, w.sign.tocoo().data)}
    return {(w.neurons[i], w.neurons[j]): (v, s[w.neurons[i], w.neurons[j]]) for i, j, v in zip(c.row, c.col, c.data)}


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- FlyWire ---------------------------------------------------------------------------
def test_flywire_matches_reference_with_exact_18_digit_ids():
    w = connectome.read_flywire(FLY)
    ref = reference_flywire(FLY)
    assert as_dict(w) == ref
    assert list(w.neurons) == sorted({k for pair in ref for k in pair}, key=int)
    assert "720575940629970489" in w.neurons  # never passed through float
    tie = ("720575940631267655", "720575940629970489")
    assert as_dict(w)[tie] == (8, -1)  # 4 ACH + 4 GABA synapses: a tie is inhibitory


def test_flywire_gzip_and_dataframe_equal_plain_csv(tmp_path):
    gz = tmp_path / "connections.csv.gz"
    with open(FLY, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    w = connectome.read_flywire(FLY)
    assert connectome.read_flywire(gz).equals(w)
    assert connectome.read_flywire(pd.read_csv(FLY, dtype=str)).equals(w)


def test_flywire_neuron_table_sets_order_metadata_and_isolated_neurons():
    w = connectome.read_flywire(FLY, FLY_NEURONS)
    table = pd.read_csv(FLY_NEURONS, dtype={"root_id": str})
    assert list(w.neurons) == list(table["root_id"])
    assert w.metadata.loc["720575940604737708", "group"] == "LH.LH_R"
    assert w.chemical[[w.neurons.index("720575940622838154")], :].nnz == 0  # listed, no connections
    assert as_dict(w) == reference_flywire(FLY)


def test_flywire_neuropil_filter_and_min_count():
    w = connectome.read_flywire(FLY, neuropils=["AL_R", "LH_R"], min_count=5)
    ref = reference_flywire(FLY, neuropils={"AL_R", "LH_R"}, min_count=5)
    assert as_dict(w) == ref and len(ref) >= 3


def test_flywire_sign_mapping_is_swappable():
    w = connectome.read_flywire(FLY, signs={**connectome.FLYWIRE_SIGNS, "DA": -1})
    assert as_dict(w)[("720575940660219265", "720575940604737708")] == (3, -1)
    assert w.info["signs"]["DA"] == -1


def test_flywire_missing_column(tmp_path):
    path = write(tmp_path, "c.csv", "pre_root_id,post_root_id,neuropil,syn_count\n1,2,AL_R,3\n")
    with pytest.raises(MissingColumnsError, match=r"missing column\(s\) \['nt_type'\]"):
        connectome.read_flywire(path)


def test_flywire_unknown_transmitter_lists_rows_and_suggests(tmp_path):
    text = FLY.read_text().replace("LH_R,5,GLUT", "LH_R,5,GLUTT")
    with pytest.raises(UnknownTransmitterError, match="GLUTT.*did you mean 'GLUT'") as err:
        connectome.read_flywire(write(tmp_path, "c.csv", text))
    assert list(err.value.rows.index) == [5]  # file line (header is line 1)


def test_flywire_blank_transmitter_is_an_error_unless_mapped(tmp_path):
    path = write(tmp_path, "c.csv", FLY.read_text().replace("AL_R,3,DA", "AL_R,3,"))
    with pytest.raises(UnknownTransmitterError, match="no sign"):
        connectome.read_flywire(path)
    w = connectome.read_flywire(path, signs={**connectome.FLYWIRE_SIGNS, "": 1})
    assert as_dict(w)[("720575940660219265", "720575940604737708")] == (3, 1)


def test_flywire_negative_and_missing_counts(tmp_path):
    bad = FLY.read_text().replace("MB_CA_R,9,GABA", "MB_CA_R,-9,GABA").replace("LH_R,6,GLUT", "LH_R,,GLUT")
    with pytest.raises(InvalidCountError, match="2 row.*negative, missing") as err:
        connectome.read_flywire(write(tmp_path, "c.csv", bad))
    assert list(err.value.rows.index) == [4, 6]
    assert list(err.value.rows["reason"]) == ["negative", "missing or not a number"]


def test_flywire_nan_and_non_integer_ids(tmp_path):
    bad = FLY.read_text().replace("720575940660219265,720575940629970489", ",720575940629970489")
    with pytest.raises(InvalidIdError, match="missing.*'pre_root_id'") as err:
        connectome.read_flywire(write(tmp_path, "c.csv", bad))
    assert list(err.value.rows.index) == [7]
    bad = FLY.read_text().replace("720575940604737708,720575940629970489", "7.2e17,720575940629970489")
    with pytest.raises(InvalidIdError, match="non-integer"):
        connectome.read_flywire(write(tmp_path, "d.csv", bad))


def test_flywire_ids_missing_from_neuron_table(tmp_path):
    table = FLY_NEURONS.read_text().replace("720575940604737708,LH.LH_R,GLUT,0.66\n", "")
    with pytest.raises(UnknownIdError, match="do(es)? not list") as err:
        connectome.read_flywire(FLY, write(tmp_path, "n.csv", table))
    assert len(err.value.rows) == sum("720575940604737708" in ln for ln in FLY.read_text().splitlines())


# -- neuPrint --------------------------------------------------------------------------
def reference_neuprint(min_weight=1):
    with open(HB_CONN, newline="") as fh:
        return {(r["bodyId_pre"], r["bodyId_post"]): (int(r["weight"]), 1)
                for r in csv.DictReader(fh) if int(r["weight"]) >= min_weight}


def test_neuprint_matches_reference():
    w = connectome.read_neuprint(HB_NEURONS, HB_CONN)
    assert as_dict(w) == reference_neuprint()
    assert list(w.neurons) == [line.split(",")[0] for line in HB_NEURONS.read_text().splitlines()[1:]]
    assert w.metadata.loc["1036753721", "type"] == "Delta7"
    assert pd.isna(w.metadata.loc["5813022341", "type"])
    assert as_dict(connectome.read_neuprint(HB_NEURONS, HB_CONN, min_weight=10)) == reference_neuprint(10)


def test_neuprint_neuron_signs_follow_dale():
    w = connectome.read_neuprint(HB_NEURONS, HB_CONN, neuron_signs={1036753721: -1})
    signs = as_dict(w)
    assert all(s == (-1 if pre == "1036753721" else 1) for (pre, _), (_, s) in signs.items())
    by_type = connectome.read_neuprint(HB_NEURONS, HB_CONN,
                                       neuron_signs=lambda t: np.where(t["type"] == "Delta7", -1, 1))
    assert by_type.equals(w)
    with pytest.raises(EdgeTableError, match="must be \\+1 or -1"):
        connectome.read_neuprint(HB_NEURONS, HB_CONN, neuron_signs={1036753721: 0})


def test_neuprint_errors(tmp_path):
    dup = HB_CONN.read_text() + "1005952640,1003215282,3\n"
    with pytest.raises(DuplicateConnectionError, match="repeat a connected pair") as err:
        connectome.read_neuprint(HB_NEURONS, write(tmp_path, "c.csv", dup))
    assert list(err.value.rows.index) == [2, 11]
    unknown = HB_CONN.read_text() + "1005952640,999,3\n"
    with pytest.raises(UnknownIdError):
        connectome.read_neuprint(HB_NEURONS, write(tmp_path, "u.csv", unknown))
    with pytest.raises(MissingColumnsError, match="'weight'"):
        connectome.read_neuprint(HB_NEURONS, write(tmp_path, "m.csv", "bodyId_pre,bodyId_post\n1,2\n"))
    with pytest.raises(InvalidCountError, match="negative"):
        connectome.read_neuprint(HB_NEURONS, write(tmp_path, "n.csv", HB_CONN.read_text().replace(",42", ",-42")))
    with pytest.raises(DuplicateConnectionError, match="body ids listed more than once"):
        connectome.read_neuprint(write(tmp_path, "t.csv", HB_NEURONS.read_text() + "1005952640,EPG,x\n"), HB_CONN)
    with pytest.raises(FileNotFoundError, match="no file"):
        connectome.read_neuprint(tmp_path / "absent.csv", HB_CONN)


# -- generic edge lists ----------------------------------------------------------------
EDGES = "pre,post,weight,sign,type\nA,B,3,1,chemical\nB,C,2,-1,chemical\nA,B,1,1,chemical\nC,A,4,1,electrical\n"


def test_edge_list_csv_tsv_and_dataframe_agree(tmp_path):
    w = connectome.read_edge_list(write(tmp_path, "e.csv", EDGES), sign="sign", type="type")
    assert w.neurons == ("A", "B", "C")
    assert as_dict(w) == {("A", "B"): (4, 1), ("B", "C"): (2, -1)}
    assert w.electrical.toarray().tolist() == [[0, 0, 4], [0, 0, 0], [4, 0, 0]]
    tsv = connectome.read_edge_list(write(tmp_path, "e.tsv", EDGES.replace(",", "\t")), sign="sign", type="type")
    frame = connectome.read_edge_list(pd.read_csv(tmp_path / "e.csv"), sign="sign", type="type")
    assert tsv.equals(w) and frame.equals(w)
    ordered = connectome.read_edge_list(tmp_path / "e.csv", sign="sign", type="type", neurons=["C", "B", "A"])
    assert ordered.neurons == ("C", "B", "A") and as_dict(ordered) == as_dict(w)


def test_edge_list_transmitter_column_and_unweighted(tmp_path):
    path = write(tmp_path, "e.csv", "source,target,nt\nx,y,gaba\ny,x,ach\ny,x,ach\n")
    w = connectome.read_edge_list(path, pre="source", post="target", weight=None, transmitter="nt")
    assert as_dict(w) == {("x", "y"): (1, -1), ("y", "x"): (2, 1)}


def test_edge_list_errors(tmp_path):
    with pytest.raises(MissingColumnsError, match="'weight'"):
        connectome.read_edge_list(write(tmp_path, "a.csv", "pre,post\nA,B\n"))
    with pytest.raises(InvalidIdError, match="'post'"):
        connectome.read_edge_list(write(tmp_path, "b.csv", "pre,post,weight\nA,,1\n"))
    with pytest.raises(InvalidCountError, match="negative"):
        connectome.read_edge_list(write(tmp_path, "c.csv", "pre,post,weight\nA,B,-1\n"))
    with pytest.raises(EdgeTableError, match="sign other than"):
        connectome.read_edge_list(write(tmp_path, "d.csv", "pre,post,weight,s\nA,B,1,2\n"), sign="s")
    with pytest.raises(EdgeTableError, match="synapse type other than"):
        connectome.read_edge_list(write(tmp_path, "e.csv", "pre,post,weight,t\nA,B,1,nmj\n"), type="t")
    with pytest.raises(UnknownIdError):
        connectome.read_edge_list(write(tmp_path, "f.csv", "pre,post,weight\nA,B,1\n"), neurons=["A"])
    with pytest.raises(EdgeTableError, match="not both"):
        connectome.read_edge_list(tmp_path / "f.csv", sign="s", transmitter="t")


def test_edge_list_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    df = pd.read_csv(pd.io.common.StringIO(EDGES))
    df.to_parquet(tmp_path / "e.parquet")
    w = connectome.read_edge_list(tmp_path / "e.parquet", sign="sign", type="type")
    assert w.equals(connectome.read_edge_list(df, sign="sign", type="type"))
    fly = pd.read_csv(FLY, dtype={"pre_root_id": "int64", "post_root_id": "int64"})
    fly.to_parquet(tmp_path / "connections.parquet")
    assert connectome.read_flywire(tmp_path / "connections.parquet").equals(connectome.read_flywire(FLY))


def test_bad_reader_arguments_are_named():
    from connectome.errors import WiringError

    with pytest.raises(WiringError, match="transmitter sign for 'ACH' must be \\+1 or -1"):
        connectome.read_flywire(FLY, signs={**connectome.FLYWIRE_SIGNS, "ACH": 0})
    with pytest.raises(WiringError, match="min_count must be a number >= 0"):
        connectome.read_flywire(FLY, min_count=-1)
