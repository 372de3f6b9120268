"""Rebuild ``data/`` from the published wheels and compare with the committed tables.

The wheels (``cect==0.3.5``, ``c302==0.12.1``, ``wormneuroatlas==0.0.7.3``) come
from ``$CIRCUITSIM_WHEELS`` when set, else they are downloaded once with pip into
``~/.cache/circuitsim/wheels``; without network the rebuild tests are skipped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parents[1] / "data"
WHEELS = ("cect-0.3.5-py3-none-any.whl", "c302-0.12.1-py3-none-any.whl",
          "wormneuroatlas-0.0.7.3-py3-none-any.whl")


def _load_build_module():
    # Loaded from its path: data/ is a data folder, not importable from a checkout.
    spec = importlib.util.spec_from_file_location("_data_build", DATA / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


build_module = _load_build_module()


def _have_wheels(folder: Path) -> bool:
    return all((folder / name).is_file() for name in WHEELS)


@pytest.fixture(scope="module")
def wheel_dir() -> Path:
    env = os.environ.get("CIRCUITSIM_WHEELS")
    if env:
        folder = Path(env)
        if not _have_wheels(folder):
            pytest.fail(f"CIRCUITSIM_WHEELS={env!r} lacks one of {WHEELS}")
        return folder
    folder = Path.home() / ".cache" / "circuitsim" / "wheels"
    if _have_wheels(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           *build_module.WHEEL_REQUIREMENTS.split(), "-d", str(folder)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not download the cect/c302/wormneuroatlas wheels ({exc}); set CIRCUITSIM_WHEELS")
    if done.returncode != 0 or not _have_wheels(folder):
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"could not download the cect/c302/wormneuroatlas wheels (no network?): {last}")
    return folder


@pytest.fixture(scope="module")
def rebuilt(wheel_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    provenance = build_module.build(wheel_dir, out)
    return out, provenance


@pytest.mark.network
def test_rebuild_reproduces_every_committed_table(rebuilt):
    out, provenance = rebuilt
    committed = json.loads((DATA / "provenance.json").read_text(encoding="utf-8"))
    assert sorted(provenance["tables"]) == sorted(committed["tables"])
    for path, record in committed["tables"].items():
        digest = hashlib.sha256((out / path).read_bytes()).hexdigest()
        assert digest == record["output_sha256"], f"{path} differs from the committed table"
    assert (out / "provenance.json").read_bytes() == (DATA / "provenance.json").read_bytes()


@pytest.mark.network
def test_altered_input_file_is_rejected_by_name(wheel_dir, tmp_path, monkeypatch):
    key = build_module.COOK_KEY  # the first input read, so the test stays fast
    wrong = dataclasses.replace(build_module.SOURCES[key], sha256="0" * 64)
    monkeypatch.setitem(build_module.SOURCES, key, wrong)
    with pytest.raises(build_module.BuildError, match=r"sha256 mismatch for cect/data/SI 5 Connectome adjacency matrices"):
        build_module.build(wheel_dir, tmp_path)


@pytest.mark.network
def test_altered_wheel_is_rejected_by_name(wheel_dir, tmp_path):
    for name in WHEELS:
        (tmp_path / name).write_bytes((wheel_dir / name).read_bytes())
    with open(tmp_path / WHEELS[1], "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(build_module.BuildError, match=r"sha256 mismatch for wheel c302-0\.12\.1"):
        build_module.build(tmp_path, tmp_path / "out")


def test_missing_wheel_is_reported_with_the_fix(tmp_path):
    with pytest.raises(build_module.BuildError, match=r"not found.*pip download --no-deps"):
        build_module.build(tmp_path, tmp_path / "out")


def test_canonical_name_removes_zero_padding_only():
    assert build_module.canonical_name("VA08") == "VA8"
    assert build_module.canonical_name(" DB01 ") == "DB1"
    assert build_module.canonical_name("CP0") == "CP0"
    assert build_module.canonical_name("VD10") == "VD10"
    assert build_module.canonical_name("BWM-VR08") == "vBWMR8"


def test_side_rule_and_its_errors():
    assert build_module.side_of("AVAL", "AVA") == "L"
    assert build_module.side_of("SABVL", "SAB") == "VL"
    assert build_module.side_of("AS11", "AS") == ""
    with pytest.raises(build_module.BuildError, match="does not start with its class"):
        build_module.side_of("AVAL", "AVB")
    with pytest.raises(build_module.BuildError, match="cannot derive the side"):
        build_module.side_of("AVAX", "AVA")


def test_transmitter_entries():
    parse = build_module.parse_transmitter
    assert parse("*Glu - NEW ") == ("glutamate", None)
    assert parse("GABA (uptake)") == ("gaba", None)
    assert parse("5-HT  (synthesis + uptake)") == ("serotonin", None)
    assert parse("5-HTP - NEW")[0] is None
    assert parse("unknown monoamine? - NEW")[0] is None
    with pytest.raises(build_module.BuildError, match="unrecognised neurotransmitter"):
        parse("histamine")
