"""Locate and read the packaged tables (CSV + provenance.json).

The top-level ``data/`` folder installs as the package ``connectome.data``;
in a source checkout that is not installed the folder is read directly.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path


@functools.lru_cache(maxsize=1)
def data_dir() -> Path:
    """Folder holding ``neurons.csv``, ``muscles.csv``, ``edges/`` and ``provenance.json``."""
    try:
        from importlib.resources import files

        path = Path(str(files("connectome.data")))
    except ModuleNotFoundError:  # source checkout, not installed
        path = Path(__file__).resolve().parents[2] / "data"
    return path


@functools.lru_cache(maxsize=1)
def provenance() -> dict:
    """The parsed ``provenance.json`` (cached)."""
    with open(data_dir() / "provenance.json", encoding="utf-8") as fh:
        return json.load(fh)


def dataset_tables() -> dict[str, dict]:
    """Map dataset name -> provenance record of its edge table."""
    out = {}
    for key, rec in provenance()["tables"].items():
        if key.startswith("edges/"):
            out[rec.get("dataset", Path(key).stem)] = rec
    return dict(sorted(out.items()))


def read_csv(relpath: str):
    """Read a packaged CSV with pandas (string columns stay strings)."""
    import pandas as pd

    return pd.read_csv(data_dir() / relpath, keep_default_na=False, na_values=[""])
