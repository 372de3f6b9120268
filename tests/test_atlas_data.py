"""The packaged functional atlas (Randi et al. 2023): counts, orientation, names, rebuild.

Expected values are the published counts of the compiled atlas and one pair read
off the paper's file; the rebuild tests read ``funatlas.h5`` from the wheel (see
``tests/test_data_build.py`` for how wheels are obtained) and are skipped
without network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest

import connectome
from connectome.errors import UnknownNameError
from test_data_build import build_module, wheel_dir  # noqa: F401  (the shared wheel fixture)

DATA = Path(__file__).parents[1] / "data"
TABLE = "functional/randi2023.csv"


def _off_diagonal(table):
    off = table[table.stimulated != table.responding]
    return off[np.isfinite(off.q) & np.isfinite(off.dff)]


@pytest.fixture(scope="module")
def wt():
    return connectome.functional_atlas("randi2023", strain="wt")


def test_wild_type_counts_are_the_published_ones(wt):
    off = _off_diagonal(wt)
    assert len(off) == 23_901
    sig = off[off.q < 0.05]
    assert len(sig) == 1_150
    assert (sig.dff > 0).sum() == 1_000 and (sig.dff < 0).sum() == 150
    confident_negative = (off.q_eq < 0.05) & (off.q >= 0.05)
    assert confident_negative.sum() == 13_060
    assert ((off.q < 0.05) & (off.q_eq < 0.05)).sum() == 327  # counted as positive
    assert off.stimulated.nunique() == 173 and off.responding.nunique() == 207


def test_unc31_counts_are_the_published_ones():
    off = _off_diagonal(connectome.functional_atlas("randi2023", strain="unc-31"))
    assert len(off) == 9_119
    assert (off.q < 0.05).sum() == 357


def test_orientation_adel_responds_to_adal(wt):
    pair = wt[(wt.stimulated == "ADAL") & (wt.responding == "ADEL")]
    assert len(pair) == 1
    assert pair.dff.iloc[0] == pytest.approx(0.2263, abs=5e-4)
    assert pair.q.iloc[0] == pytest.approx(0.0298, abs=5e-4)
    reverse = wt[(wt.stimulated == "ADEL") & (wt.responding == "ADAL")]
    assert reverse.q.iloc[0] > 0.05  # the other direction does not respond


def test_autoresponses_are_the_diagonal(wt):
    diag = wt[wt.stimulated == wt.responding]
    assert len(diag) == 173
    assert diag.dff.median() == pytest.approx(0.42, abs=0.01)


def test_awc_names_follow_the_atlas_mapping(wt):
    atlas_names = connectome.functional_atlas("randi2023", "wt", names="atlas")
    for column in ("stimulated", "responding"):
        assert {"AWCOFF", "AWCON"} <= set(atlas_names[column])
        assert not {"AWCL", "AWCR"} & set(atlas_names[column])
        mapped = atlas_names[column].replace({"AWCOFF": "AWCL", "AWCON": "AWCR"})
        assert (mapped.to_numpy() == wt[column].to_numpy()).all()
    known = set(connectome.load("cook2019_herm").neurons.index)
    assert set(wt.stimulated) | set(wt.responding) <= known  # every name joins Cook 2019


def test_every_column_has_its_type(wt):
    assert list(wt.columns) == ["stimulated", "responding", "dff", "q", "q_eq", "n_trials"]
    assert wt.n_trials.dtype == np.int64 and (wt.n_trials >= 1).all()
    assert ((wt.q >= 0) & (wt.q <= 1)).all()
    wt.loc[0, "dff"] = 99.0  # a fresh copy each call
    assert connectome.functional_atlas().loc[0, "dff"] != 99.0


def test_unknown_atlas_and_strain_name_close_matches():
    with pytest.raises(connectome.UnknownAtlasError, match=r"unknown functional atlas 'randi2024'; did you mean 'randi2023'"):
        connectome.functional_atlas("randi2024")
    with pytest.raises(connectome.UnknownStrainError, match=r"unknown strain 'unc32'.*did you mean 'unc31'"):
        connectome.functional_atlas("randi2023", strain="unc32")
    with pytest.raises(UnknownNameError):  # the package's base class catches both
        connectome.functional_atlas("randi2023", strain="daf2")
    with pytest.raises(ValueError, match="names must be"):
        connectome.functional_atlas(names="wormbase")


# -- rebuild from the wheel ------------------------------------------------------------
@pytest.fixture(scope="module")
def funatlas_bytes(wheel_dir):  # noqa: F811
    return build_module.Wheels(wheel_dir).read(build_module.SOURCES[build_module.ATLAS_KEY])


@pytest.mark.network
def test_rebuild_reproduces_the_committed_table(funatlas_bytes, tmp_path):
    rows, _, _ = build_module.read_functional_atlas(funatlas_bytes)
    data = build_module._write_csv(tmp_path / "atlas.csv", build_module.ATLAS_COLUMNS, rows)
    assert data == (DATA / TABLE).read_bytes()
    record = json.loads((DATA / "provenance.json").read_text(encoding="utf-8"))["tables"][TABLE]
    assert hashlib.sha256(data).hexdigest() == record["output_sha256"]


@pytest.mark.network
def test_table_matches_the_h5_matrices_read_independently(funatlas_bytes, wt):
    h5py = pytest.importorskip("h5py")
    with h5py.File(io.BytesIO(funatlas_bytes), "r") as fh:
        ids = [x.decode() for x in fh["neuron_ids"][()]]
        dff, q = fh["wt/dFF"][()], fh["wt/q"][()]
    i, j = ids.index("ADEL"), ids.index("ADAL")  # X[i, j]: i responds when j is stimulated
    assert dff[i, j] == pytest.approx(0.2262577, abs=1e-6)
    table = wt.set_index(["stimulated", "responding"])
    rng = np.random.default_rng(0)
    measured = np.argwhere(np.isfinite(q) & np.isfinite(dff))
    for r, s in measured[rng.choice(len(measured), 200, replace=False)]:
        name = {"AWCOF": "AWCL", "AWCON": "AWCR"}
        row = table.loc[(name.get(ids[s], ids[s]), name.get(ids[r], ids[r]))]
        assert row.dff == pytest.approx(dff[r, s], rel=1e-5, abs=1e-9)
        assert row.q == pytest.approx(q[r, s], rel=1e-5)


@pytest.mark.network
def test_altered_atlas_file_is_rejected_by_name(wheel_dir, monkeypatch):  # noqa: F811
    key = build_module.ATLAS_KEY
    wrong = dataclasses.replace(build_module.SOURCES[key], sha256="0" * 64)
    monkeypatch.setitem(build_module.SOURCES, key, wrong)
    with pytest.raises(build_module.BuildError, match=r"sha256 mismatch for wormneuroatlas/data/funatlas\.h5"):
        build_module.Wheels(wheel_dir).read(build_module.SOURCES[key])
