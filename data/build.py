"""Rebuild the canonical tables of ``data/`` from the published wheels.

The primary files (the papers' supplementary tables) are read straight out of
three PyPI wheels, ``cect==0.3.5`` (C. elegans Connectome Toolbox, which ships
the files unchanged), ``c302==0.12.1`` (NeuroML cells with soma positions) and
``wormneuroatlas==0.0.7.3`` (the compiled signal-propagation atlas of Randi et
al. 2023, ``funatlas.h5``, read with h5py). None of the packages is imported or
installed: the wheels are opened as zip archives. Every wheel and every file read from it is checked against a
sha256 hard-coded below before it is parsed, so a rebuild either reproduces
the committed tables byte for byte or fails naming the file that changed.

Usage::

    python data/build.py [--wheels DIR] [--out DIR]

or, from Python, ``build(wheel_dir, out_dir)``, which returns the provenance
record it writes to ``provenance.json``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import warnings
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

CECT_WHEEL = "cect-0.3.5-py3-none-any.whl"
C302_WHEEL = "c302-0.12.1-py3-none-any.whl"
ATLAS_WHEEL = "wormneuroatlas-0.0.7.3-py3-none-any.whl"

WHEEL_SHA256 = {
    CECT_WHEEL: "ea47f7a6b0d69a8d0bd3b0ade4037b7cc32d31ad0449f823d7ec153d6fd25057",
    C302_WHEEL: "65578a838a8cb52597c64a804b8ab7d5a3bf1b0cef23e196dd4385ac2a79c1b6",
    ATLAS_WHEEL: "166289031784c9565f6b9205e30dc718bafbc092db3b46f1aef73d93dc4d1325",
}
WHEEL_REQUIREMENTS = "cect==0.3.5 c302==0.12.1 wormneuroatlas==0.0.7.3"

NEURON_COLUMNS = (
    "name", "class", "side", "type", "sex", "neurotransmitter",
    "neurotransmitters", "lineage", "x", "y", "z",
)
MUSCLE_COLUMNS = ("name", "kind", "description")
EDGE_COLUMNS = ("pre", "post", "type", "weight")
NEURON_TYPES = ("sensory", "interneuron", "motor", "pharyngeal", "other")
SIDES = ("L", "R", "D", "V", "DL", "DR", "VL", "VR")

_NO_LICENCE = (
    "no data licence stated by the authors; redistributed unchanged in the "
    "cect 0.3.5 wheel (package licence MIT)"
)

CITATIONS = {
    "varshney2011": (
        "Varshney LR, Chen BL, Paniagua E, Hall DH, Chklovskii DB (2011). "
        "Structural properties of the Caenorhabditis elegans neuronal network. "
        "PLoS Comput Biol 7(2):e1001066. doi:10.1371/journal.pcbi.1001066"
    ),
    "white1986": (
        "White JG, Southgate E, Thomson JN, Brenner S (1986). The structure of "
        "the nervous system of the nematode Caenorhabditis elegans. Phil Trans "
        "R Soc Lond B 314:1-340. doi:10.1098/rstb.1986.0056 (whole-animal "
        "table as exported from nemanode.org)"
    ),
    "cook2019": (
        "Cook SJ, Jarrell TA, Brittin CA, et al. (2019). Whole-animal "
        "connectomes of both Caenorhabditis elegans sexes. Nature 571:63-71. "
        "doi:10.1038/s41586-019-1352-7 (SI 5, corrected July 2020)"
    ),
    "witvliet2021": (
        "Witvliet D, Mulcahy B, Mitchell JK, et al. (2021). Connectomes across "
        "development reveal principles of brain maturation. Nature 596:257-261. "
        "doi:10.1038/s41586-021-03778-8"
    ),
    "wang2024": (
        "Wang C, Vidal B, Sural S, et al. (2024). A neurotransmitter atlas of "
        "C. elegans males and hermaphrodites. eLife 13:RP95402. "
        "doi:10.7554/eLife.95402 (Supplementary files 2 and 3)"
    ),
    "c302": (
        "Gleeson P, Lung D, Grosu R, Hasani R, Larson SD (2018). c302: a "
        "multiscale framework for modelling the nervous system of "
        "Caenorhabditis elegans. Phil Trans R Soc B 373:20170379. "
        "doi:10.1098/rstb.2017.0379 (c302 0.12.1, NeuroML2 cell files)"
    ),
    "randi2023": (
        "Randi F, Sharma AK, Dvali S, Leifer AM (2023). Neural signal propagation "
        "atlas of Caenorhabditis elegans. Nature 623:406-414. "
        "doi:10.1038/s41586-023-06683-4; recordings: DANDI:001075 "
        "(https://dandiarchive.org/dandiset/001075), CC BY 4.0; compiled atlas "
        "funatlas.h5 as shipped in the wormneuroatlas 0.0.7.3 wheel"
    ),
}


@dataclass(frozen=True)
class Source:
    """One primary file inside a wheel, with its expected sha256."""

    key: str
    wheel: str
    path: str
    sha256: str
    citation: str
    licence: str


_CECT = "cect/data/"
SOURCES = {
    s.key: s
    for s in (
        Source("NeuronConnect.xls", CECT_WHEEL, _CECT + "NeuronConnect.xls",
               "b5e32612967ff277c91ba37463bd03a85678bd8e65a4861abc6516323b6ff5f3",
               CITATIONS["varshney2011"], _NO_LICENCE),
        Source("aconnectome_white_1986_whole.csv", CECT_WHEEL,
               _CECT + "aconnectome_white_1986_whole.csv",
               "c8aac78756b71f6337629951e5f4211448e85d148f6db9b367b2cd0450bb403a",
               CITATIONS["white1986"], _NO_LICENCE),
        Source("SI 5 Connectome adjacency matrices, corrected July 2020.xlsx",
               CECT_WHEEL,
               _CECT + "SI 5 Connectome adjacency matrices, corrected July 2020.xlsx",
               "1f4fdbf84746b69b49a8da0816f52787860ce349b638dce37924ba80f90c70c9",
               CITATIONS["cook2019"], _NO_LICENCE),
        Source("elife-95402-supp2-v1.xlsx", CECT_WHEEL,
               _CECT + "elife-95402-supp2-v1.xlsx",
               "0013e4b5f366b82a6b0ec0d682c3bace4027545c957823841293de93feafc0e2",
               CITATIONS["wang2024"], "CC BY 4.0 (eLife)"),
        Source("elife-95402-supp3-v1.xlsx", CECT_WHEEL,
               _CECT + "elife-95402-supp3-v1.xlsx",
               "34e8fddd31bcb2227d30c31cabb0d0c6d98d477140974d89d48d423987a41724",
               CITATIONS["wang2024"], "CC BY 4.0 (eLife)"),
        *(
            Source(f"witvliet_2020_{n} {stage}.xlsx", CECT_WHEEL,
                   _CECT + f"witvliet_2020_{n} {stage}.xlsx", digest,
                   CITATIONS["witvliet2021"], _NO_LICENCE)
            for n, stage, digest in (
                (1, "L1", "e988deaa25d290786434a23131c1bf3f144e3ca07980233a6edbfcfb8d4d30be"),
                (2, "L1", "b365bdd96dea52c261c748232dd5d333671721865be1282f3b7efa806d010e2a"),
                (3, "L1", "d94d522af2a64177ebef0dea0951b2a252eb973bbed01a85a19aaafe4ff0244b"),
                (4, "L1", "10f16bd1f122288e9111acabccbf3fbd4811b861ce6e3293600d4eb5e42e4fbe"),
                (5, "L2", "011ebda64c379fa066254ddd5c8ff0ab89621e1e85e8d31ffc0b37b9602fc163"),
                (6, "L3", "9b342751812bf42733ae7c0de8b40f41ea0af0c5c560215d59525631b220b177"),
                (7, "adult", "d0fd2dd32adbe5f04ce90a2e5b74c01c9a831876527b0a2b8bd5b94edc86b037"),
                (8, "adult", "fdead89606257c1b26e57069fbe1de14c7696633b75b59b79e74c0bcc3497e62"),
            )
        ),
    )
}
ATLAS_KEY = "funatlas.h5"
ATLAS_LICENCE = (
    "CC BY 4.0 (the recordings, DANDI:001075; cite Randi et al. 2023 and the "
    "dandiset); the compiled file is read from the wormneuroatlas 0.0.7.3 wheel "
    "(package licence GPL-3), whose code is neither used nor redistributed"
)
SOURCES[ATLAS_KEY] = Source(
    ATLAS_KEY, ATLAS_WHEEL, "wormneuroatlas/data/funatlas.h5",
    "53a99055667b853e1d3d6be573ec2613d38c9f6989f302ec38ecd38dd50c7975",
    CITATIONS["randi2023"], ATLAS_LICENCE)
COOK_KEY = "SI 5 Connectome adjacency matrices, corrected July 2020.xlsx"
C302_KEY = "c302/NeuroML2/<NAME>.cell.nml"
C302_LICENCE = "MIT (c302 package)"


class BuildError(RuntimeError):
    """Raised when an input is missing, altered, or not in the expected format."""


# ---------------------------------------------------------------------------
# Reading verified inputs
# ---------------------------------------------------------------------------

def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _check_hash(label: str, data: bytes, expected: str) -> None:
    actual = sha256_bytes(data)
    if actual != expected:
        raise BuildError(
            f"sha256 mismatch for {label}: expected {expected}, got {actual}; "
            "the file is not the published version this build was written for"
        )


class Wheels:
    """Verified read access to the files inside the two wheels.

    Parameters
    ----------
    wheel_dir : path-like
        Folder holding ``cect-0.3.5-py3-none-any.whl``,
        ``c302-0.12.1-py3-none-any.whl`` and
        ``wormneuroatlas-0.0.7.3-py3-none-any.whl``.
    """

    def __init__(self, wheel_dir):
        self._zips = {}
        for name, expected in WHEEL_SHA256.items():
            path = Path(wheel_dir) / name
            if not path.is_file():
                raise BuildError(
                    f"wheel {name!r} not found in {str(wheel_dir)!r}; get it with "
                    f"`pip download --no-deps {WHEEL_REQUIREMENTS} -d DIR`"
                )
            data = path.read_bytes()
            _check_hash(f"wheel {name}", data, expected)
            self._zips[name] = zipfile.ZipFile(io.BytesIO(data))

    def read(self, source: Source) -> bytes:
        """Return the verified bytes of ``source``."""
        return self._read(source.wheel, source.path, source.sha256)

    def _read(self, wheel: str, path: str, expected: str) -> bytes:
        try:
            data = self._zips[wheel].read(path)
        except KeyError:
            raise BuildError(f"{path!r} is missing from wheel {wheel}") from None
        _check_hash(f"{path} (in {wheel})", data, expected)
        return data

    def read_cell(self, name: str) -> bytes:
        """Return the verified NeuroML cell file of neuron ``name`` from c302."""
        return self._read(C302_WHEEL, f"c302/NeuroML2/{name}.cell.nml",
                          _C302_CELL_SHA256[name])


def _read_excel(data: bytes, **kwargs):
    # openpyxl warns about an unsupported (irrelevant) worksheet extension and
    # pandas about the future of its xlrd engine, the only reader of the .xls.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.read_excel(io.BytesIO(data), **kwargs)


# ---------------------------------------------------------------------------
# Names and cell kinds
# ---------------------------------------------------------------------------

_ZERO_PADDED = re.compile(r"^([A-Z]+)0+(\d+)$")
_WITVLIET_BWM = re.compile(r"^BWM-([DV])([LR])0*(\d+)$")


def canonical_name(raw) -> str:
    """Return the WormAtlas-style name of a cell label.

    Zero padding of numbered neurons is removed (``VA08`` -> ``VA8``,
    ``CP01`` -> ``CP1``) but a lone zero is kept (``CP0``). Witvliet's
    body-wall muscle labels are mapped onto Cook's (``BWM-DL01`` ->
    ``dBWML1``: quadrant, side, number from the anterior).
    """
    name = str(raw).strip()
    match = _WITVLIET_BWM.match(name)
    if match:
        quadrant, side, number = match.groups()
        return f"{quadrant.lower()}BWM{side}{int(number)}"
    return _ZERO_PADDED.sub(r"\1\2", name)


_MALE_MUSCLES = {
    "dgl": "diagonal muscle", "aob": "anterior oblique muscle",
    "pob": "posterior oblique muscle", "gec": "gubernacular erector muscle",
    "grt": "gubernacular retractor muscle", "cdl": "caudal longitudinal muscle",
    "ail": "anterior inner longitudinal muscle",
    "pil": "posterior inner longitudinal muscle",
    "pol": "posterior outer longitudinal muscle",
    "dsp": "dorsal spicule protractor muscle",
    "vsp": "ventral spicule protractor muscle",
    "dsr": "dorsal spicule retractor muscle",
    "vsr": "ventral spicule retractor muscle",
}
_ENTERIC = {
    "mu_intL": "intestinal muscle, left", "mu_intR": "intestinal muscle, right",
    "mu_anal": "anal depressor muscle", "mu_sph": "anal sphincter muscle",
}
_UNSPECIFIED_MUSCLES = {
    "NMJ": (
        "unspecified body-wall muscle target: Varshney et al. 2011 give "
        "neuromuscular junction counts per neuron without the muscle's identity"
    ),
    "LegacyBodyWallMuscles": (
        "unspecified body-wall muscles, aggregated as one target in the "
        "nemanode export of White et al. 1986"
    ),
}
# Non-neuronal cells that are not muscles: glia, epithelia, glands, end
# organs. Listing them lets any other unknown label fail loudly instead of
# being excluded by mistake (e.g. a neuron name spelt differently).
_NON_MUSCLE_CELLS = re.compile(
    r"^(mc\d[DV][LR]?|e\d[DV][LR]?|g\d[A-Za-z]*|bm|CEPsh[DV][LR]|GLR[DV]?[LR]?"
    r"|exc_cell|exc_gl|excgl|hmc|hyp|int|gonad|proctodeum|R\d(st|sh)[LR])$"
)


def muscle_info(name: str):
    """Return ``(kind, description)`` when ``name`` is a muscle, else None."""
    if name in _UNSPECIFIED_MUSCLES:
        return "body_wall", _UNSPECIFIED_MUSCLES[name]
    match = re.match(r"^([dv])BWM([LR])(\d+)$", name)
    if match:
        quadrant = {"d": "dorsal", "v": "ventral"}[match.group(1)]
        side = {"L": "left", "R": "right"}[match.group(2)]
        return "body_wall", (
            f"body-wall muscle {match.group(3)} (from the anterior) of the "
            f"{quadrant} {side} quadrant"
        )
    if re.match(r"^pm\d[A-Z]*$", name):
        return "pharyngeal", f"pharyngeal muscle {name}"
    if name in _ENTERIC:
        return "enteric", _ENTERIC[name]
    if re.match(r"^vm[12][AP][LR]$", name):
        return "vulval", f"vulval muscle {name} (hermaphrodite)"
    if re.match(r"^um[12][AP][LR]$", name):
        return "uterine", f"uterine muscle {name} (hermaphrodite)"
    match = re.match(r"^([a-z]{3})[LR]\d*$", name)
    if match and match.group(1) in _MALE_MUSCLES:
        return "male_sex", f"{_MALE_MUSCLES[match.group(1)]} {name} (male)"
    return None


# ---------------------------------------------------------------------------
# Edge accumulation with accounted exclusions
# ---------------------------------------------------------------------------

@dataclass
class EdgeSet:
    """Edges of one dataset, and everything left out with the reason.

    Parameters
    ----------
    neurons : set of str
        Canonical names of the neurons in ``neurons.csv``.
    """

    neurons: set
    weights: dict = field(default_factory=dict)
    excluded: dict = field(default_factory=dict)

    def _kind(self, name: str) -> str:
        if name in self.neurons:
            return "neuron"
        if muscle_info(name) is not None:
            return "muscle"
        if _NON_MUSCLE_CELLS.match(name):
            return "other"
        raise BuildError(f"unknown cell name {name!r}: neither a neuron, a "
                         "muscle nor a known non-neuronal cell")

    def exclude(self, reason: str, cells, weight: int, rows: int = 1) -> None:
        """Record ``rows`` source rows of total ``weight`` left out for ``reason``."""
        entry = self.excluded.setdefault(reason, {"rows": 0, "weight": 0, "cells": set()})
        entry["rows"] += rows
        entry["weight"] += int(weight)
        entry["cells"].update(cells)

    def _store(self, key, weight) -> None:
        if key in self.weights:
            raise BuildError(f"duplicate edge {key} in one dataset")
        if weight != int(weight) or weight <= 0:
            raise BuildError(f"edge {key} has weight {weight!r}, not a positive integer")
        self.weights[key] = int(weight)

    def add_directed(self, pre: str, post: str, weight) -> None:
        """Add a chemical synapse ``pre -> post`` (``nmj`` onto a muscle)."""
        pre_kind, post_kind = self._kind(pre), self._kind(post)
        if pre_kind != "neuron":
            self.exclude("presynaptic cell is not a neuron", [pre], weight)
        elif post_kind == "other":
            self.exclude("postsynaptic cell is neither a neuron nor a muscle", [post], weight)
        else:
            kind = "chemical" if post_kind == "neuron" else "nmj"
            self._store((pre, post, kind), weight)

    def add_electrical(self, a: str, b: str, weight) -> None:
        """Add a gap junction between ``a`` and ``b``, once per unordered pair."""
        outsiders = [n for n in (a, b) if self._kind(n) != "neuron"]
        if outsiders:
            self.exclude("gap junction with a non-neuronal cell (muscle, glia, ...)",
                         outsiders, weight)
        else:
            self._store((min(a, b), max(a, b), "electrical"), weight)

    def rows(self):
        """Return the edges as sorted ``(pre, post, type, weight)`` tuples."""
        return [(*key, w) for key, w in sorted(self.weights.items())]

    def excluded_record(self):
        """Return the exclusions as JSON-ready dicts with sorted cell lists."""
        return {
            reason: {"rows": e["rows"], "weight": e["weight"], "cells": sorted(e["cells"])}
            for reason, e in sorted(self.excluded.items())
        }

    def totals(self):
        """Return ``{type: (rows, summed weight)}`` for the notes."""
        out = {}
        for (_, _, kind), w in self.weights.items():
            n, s = out.get(kind, (0, 0))
            out[kind] = (n + 1, s + w)
        return dict(sorted(out.items()))


# ---------------------------------------------------------------------------
# Varshney et al. 2011
# ---------------------------------------------------------------------------

def read_varshney(data: bytes, neurons: set):
    """Parse ``NeuronConnect.xls`` into an :class:`EdgeSet`.

    ``S``/``Sp`` rows are chemical synapses N1 -> N2 (summed per pair, the
    file splits monadic and polyadic ones); ``R``/``Rp`` rows repeat them
    from the receiving side and are checked then ignored; ``EJ`` rows list
    each gap junction in both directions and are stored once; ``NMJ`` rows
    are summed per neuron onto the target ``NMJ``.
    """
    table = _read_excel(data, engine="xlrd")
    expected = ["Neuron 1", "Neuron 2", "Type", "Nbr"]
    if list(table.columns) != expected:
        raise BuildError(f"NeuronConnect.xls columns {list(table.columns)} != {expected}")
    # One receive row has lower-case names (avfl/avfr): compare upper-cased.
    pre = [canonical_name(str(n).upper()) for n in table["Neuron 1"]]
    post = [canonical_name(str(n).upper()) for n in table["Neuron 2"]]
    rows = list(zip(pre, post, table["Type"].str.strip(), table["Nbr"].astype(int)))
    unknown = sorted({t for *_, t, _ in rows} - {"S", "Sp", "R", "Rp", "EJ", "NMJ"})
    if unknown:
        raise BuildError(f"NeuronConnect.xls has unknown connection types {unknown}")

    sent, received, gaps, nmj = {}, {}, {}, {}
    for a, b, kind, n in rows:
        if kind in ("S", "Sp"):
            sent[(a, b)] = sent.get((a, b), 0) + n
        elif kind in ("R", "Rp"):
            received[(b, a)] = received.get((b, a), 0) + n
        elif kind == "EJ":
            if (a, b) in gaps:
                raise BuildError(f"NeuronConnect.xls lists EJ {a}-{b} twice")
            gaps[(a, b)] = n
        else:
            nmj[a] = nmj.get(a, 0) + n
    if sent != received:
        diff = sorted(k for k in set(sent) | set(received) if sent.get(k) != received.get(k))
        raise BuildError(f"NeuronConnect.xls S/Sp and R/Rp rows disagree for {diff[:5]}")
    for (a, b), n in gaps.items():
        if gaps.get((b, a)) != n:
            raise BuildError(f"NeuronConnect.xls EJ {a}-{b} ({n}) has no equal reverse row")

    edges = EdgeSet(neurons)
    for (a, b), n in sorted(sent.items()):
        edges.add_directed(a, b, n)
    for (a, b), n in sorted(gaps.items()):
        if a <= b:
            edges.add_electrical(a, b, n)
    for a, n in sorted(nmj.items()):
        edges.add_directed(a, "NMJ", n)
    recv_rows = [r for r in rows if r[2] in ("R", "Rp")]
    edges.exclude(
        "R/Rp rows: the S/Sp synapses listed again from the receiving side "
        "(checked equal pair by pair, not data loss)",
        [], sum(r[3] for r in recv_rows), rows=len(recv_rows))

    ej_rows = [r for r in rows if r[2] == "EJ"]
    n_self = sum(1 for a, b in gaps if a == b)
    zero_rows = [f"{a}->{b} {t}" for a, b, t, n in rows if n <= 0]
    notes = [
        f"S/Sp rows: {sum(1 for r in rows if r[2] in ('S', 'Sp'))} rows summed into "
        f"{len(sent)} directed pairs, {sum(sent.values())} synapses (published: 6393; "
        "the file has one synapse more; kept as in the file).",
        f"Zero-count rows {zero_rows} are polyadic companions of S/R rows of the same "
        "pair and add nothing.",
        f"EJ rows: {len(ej_rows)} rows = each non-self junction in both directions plus "
        f"{n_self} self-junctions listed once ({sorted(a for a, b in gaps if a == b)}); "
        "stored once per unordered pair, self-junctions kept with pre == post.",
        f"NMJ rows: {sum(1 for r in rows if r[2] == 'NMJ')} rows summed per neuron into "
        f"{len(nmj)} edges onto the target 'NMJ', {sum(nmj.values())} junctions.",
        "Names normalised: zero padding removed (VA08 -> VA8); the lower-case "
        "receive row avfl/avfr upper-cased.",
    ]
    return edges, notes


# ---------------------------------------------------------------------------
# Cook et al. 2019
# ---------------------------------------------------------------------------

@dataclass
class CookSheet:
    """One SI 5 matrix: ``values[i][j]`` from ``rows[i]`` to ``cols[j]``."""

    rows: list
    cols: list
    row_groups: list  # (category, subcategory) per row, forward-filled
    col_groups: list
    values: list


def _ffill(values):
    out, last = [], None
    for v in values:
        if isinstance(v, str) and v.strip():
            last = v.strip()
        elif not (isinstance(v, float) and pd.isna(v)) and v is not None:
            last = v
        out.append(last)
    return out


def parse_cook_sheet(frame) -> CookSheet:
    """Split a raw SI 5 sheet into labels, category headers and weights.

    Row 2 and column 2 carry the cell labels, rows 0-1 and columns 0-1 the
    category headers (merged cells, forward-filled here); weights start at
    row 3, column 3 and are rows = presynaptic, columns = postsynaptic.
    """
    raw = frame.to_numpy(dtype=object)
    row_idx = [i for i in range(3, raw.shape[0]) if isinstance(raw[i, 2], str)]
    col_idx = [j for j in range(3, raw.shape[1]) if isinstance(raw[2, j], str)]
    cat0, cat1 = _ffill(raw[:, 0]), _ffill(raw[:, 1])
    hdr0, hdr1 = _ffill(raw[0, :]), _ffill(raw[1, :])
    values = []
    for i in row_idx:
        line = []
        for j in col_idx:
            v = raw[i, j]
            v = 0 if v is None or (isinstance(v, float) and pd.isna(v)) else v
            if v != int(v) or v < 0:
                raise BuildError(f"SI 5 cell ({raw[i, 2]}, {raw[2, j]}) = {v!r} "
                                 "is not a non-negative integer")
            line.append(int(v))
        values.append(line)
    return CookSheet(
        rows=[canonical_name(raw[i, 2]) for i in row_idx],
        cols=[canonical_name(raw[2, j]) for j in col_idx],
        row_groups=[(cat0[i], cat1[i]) for i in row_idx],
        col_groups=[(hdr0[j], hdr1[j]) for j in col_idx],
        values=values,
    )


COOK_SHEETS = {
    sex: (f"{sex} chemical", f"{sex} gap jn asymmetric", f"{sex} gap jn symmetric")
    for sex in ("hermaphrodite", "male")
}


def read_cook(data: bytes):
    """Return ``{sheet name: CookSheet}`` for the six SI 5 matrices used."""
    names = [s for sheets in COOK_SHEETS.values() for s in sheets]
    frames = _read_excel(data, sheet_name=names, header=None)
    return {name: parse_cook_sheet(frames[name]) for name in names}


def cook_edges(sheets: dict, sex: str, neurons: set):
    """Build the :class:`EdgeSet` of one sex from its SI 5 matrices.

    The "symmetric" gap-junction sheet is checked to equal the asymmetric
    one plus its transpose (diagonal unchanged); one row per unordered pair
    then carries the symmetric value, i.e. all junctions between the two cells.
    """
    chem_name, asym_name, sym_name = COOK_SHEETS[sex]
    chem, asym, sym = sheets[chem_name], sheets[asym_name], sheets[sym_name]
    edges = EdgeSet(neurons)
    for pre, line in zip(chem.rows, chem.values):
        for post, w in zip(chem.cols, line):
            if w:
                edges.add_directed(pre, post, w)

    if not (asym.rows == asym.cols == sym.rows == sym.cols):
        raise BuildError(f"SI 5 {sex} gap-junction sheets are not square on one label list")
    n = len(asym.rows)
    for i in range(n):
        for j in range(i, n):
            expected = asym.values[i][j] + asym.values[j][i] if i != j else asym.values[i][i]
            if sym.values[i][j] != expected or sym.values[j][i] != expected:
                raise BuildError(
                    f"SI 5 {sex}: symmetric gap sheet ({asym.rows[i]}, {asym.rows[j]}) = "
                    f"{sym.values[i][j]} is not asymmetric + transpose = {expected}")
            if expected:
                edges.add_electrical(asym.rows[i], asym.rows[j], expected)
    notes = [
        "Chemical: rows = presynaptic, columns = postsynaptic (sheet legend); "
        "a neuron -> muscle entry becomes type nmj.",
        "Electrical: the symmetric sheet was verified to be the asymmetric sheet plus its "
        "transpose with the diagonal unchanged; each unordered pair is stored once with "
        "the symmetric value; self-junctions (diagonal) kept with pre == post.",
        "Weights are EM serial sections of contact (number and size of synapses), "
        "including connections the authors extrapolated into gaps in the series.",
    ]
    return edges, notes


# ---------------------------------------------------------------------------
# Edge lists: Witvliet et al. 2021 and White et al. 1986 (nemanode)
# ---------------------------------------------------------------------------

def read_edge_list(frame, label: str, neurons: set):
    """Parse a ``pre, post, type, synapses`` edge list into an :class:`EdgeSet`.

    Chemical rows are directed pre -> post; each electrical pair is listed
    once in these files (checked: no pair appears in both orders).
    """
    expected = ["pre", "post", "type", "synapses"]
    if list(frame.columns) != expected:
        raise BuildError(f"{label} columns {list(frame.columns)} != {expected}")
    edges = EdgeSet(neurons)
    kinds = sorted(set(frame["type"]) - {"chemical", "electrical"})
    if kinds:
        raise BuildError(f"{label} has unknown connection types {kinds}")
    for pre, post, kind, n in frame.itertuples(index=False):
        a, b = canonical_name(pre), canonical_name(post)
        if kind == "chemical":
            edges.add_directed(a, b, n)
        else:
            edges.add_electrical(a, b, n)
    return edges


# ---------------------------------------------------------------------------
# Neurons: Wang et al. 2024, Cook et al. 2019 categories, c302 positions
# ---------------------------------------------------------------------------

_TRANSMITTERS = (
    (re.compile(r"^ach\b"), "acetylcholine"),
    (re.compile(r"^glu\b"), "glutamate"),
    (re.compile(r"^gaba\b"), "gaba"),
    (re.compile(r"^da\b"), "dopamine"),
    (re.compile(r"^5-ht\b"), "serotonin"),
    (re.compile(r"^octopamine\b"), "octopamine"),
    (re.compile(r"^tyramine\b"), "tyramine"),
    (re.compile(r"^betaine\b"), "betaine"),
)


def parse_transmitter(entry: str):
    """Map one entry of Wang's "Neurotransmitter(s)" columns to a name.

    Returns ``(name, None)`` for a transmitter, ``(None, reason)`` for an
    entry deliberately not listed: uncertain ones (``?``), ``unknown``
    (orphan), the precursor 5-HTP, and male-only notes in the hermaphrodite
    sheet. Qualifiers are dropped: ``*`` (dim or variable expression),
    ``NEW``, ``(uptake)``, ``(synthesis + uptake)``. Anything else raises.
    """
    text = entry.strip().lstrip("*").strip().lower()
    if text.startswith("male -"):
        return None, "male-only expression noted in the hermaphrodite sheet"
    if "?" in text:
        return None, "uncertain identity (marked '?')"
    if text.startswith("unknown"):
        return None, "unknown transmitter (orphan)"
    if text.startswith("5-htp"):
        return None, "5-HTP, a serotonin precursor"
    for pattern, name in _TRANSMITTERS:
        if pattern.match(text):
            return name, None
    raise BuildError(f"unrecognised neurotransmitter entry {entry!r} in Wang et al. 2024")


# Section titles of Wang's file 3 ("HEAD", "VENTRAL NERVE CORD", "TAIL: ...").
_WANG_SECTION_TITLES = ("HEAD", "VENTRAL", "TAIL")


@dataclass
class WangRow:
    """One neuron of Wang et al. 2024 supplementary file 2 or 3."""

    label: str
    cls: str
    lineage: str
    entries: list


def read_wang(data: bytes, label: str):
    """Return the :class:`WangRow` list of supplementary file 2 or 3.

    The header row holds ``Class``, ``Neuron``, ``Lineage`` and
    ``Neurotransmitter(s)``; the transmitter entries run from that column to
    the one before ``Comments``. Class cells are merged (forward-filled);
    section titles (``HEAD``, ``TAIL: ...``) have no neuron and are skipped.
    """
    raw = _read_excel(data, header=None).to_numpy(dtype=object)
    header = next((i for i in range(raw.shape[0]) if raw[i, 1] == "Class"), None)
    if header is None or raw[header, 2] != "Neuron" or raw[header, 3] != "Lineage":
        raise BuildError(f"{label}: no Class/Neuron/Lineage header row")
    labels = [str(v).strip() if isinstance(v, str) else "" for v in raw[header]]
    first = labels.index("Neurotransmitter(s)")
    last = labels.index("Comments")
    out, cls = [], None
    for i in range(header + 1, raw.shape[0]):
        neuron = raw[i, 2]
        title = raw[i, 1].strip() if isinstance(raw[i, 1], str) else ""
        if not isinstance(neuron, str) or not neuron.strip():
            if title and out and not title.startswith(_WANG_SECTION_TITLES):
                break  # the footnotes below the table (which may fill the Neuron column)
            continue
        if isinstance(raw[i, 1], str) and raw[i, 1].strip():
            cls = raw[i, 1].strip().rstrip("*").strip()
        entries = [str(v).strip() for v in raw[i, first:last]
                   if isinstance(v, str) and v.strip()]
        lineage = raw[i, 3].strip() if isinstance(raw[i, 3], str) else ""
        out.append(WangRow(neuron.strip(), cls, lineage, entries))
    return out


# Wang's file 2 marks DB1 and DB3 as interchangeable ("DB1/3", "DB3/1"); the
# first number is taken as the name (DB1/3 has WormAtlas' DB1 lineage).
_WANG_HERM_ALIASES = {"DB1/3": "DB1", "DB3/1": "DB3"}
# Cook's male sheet files the head neurons under "HEAD"; CEM are ciliated
# sensory neurons and MCM interneurons (Cook et al. 2019; WormAtlas).
_MALE_HEAD_TYPES = {"CEM": "sensory", "MCM": "interneuron"}


def _cook_type(group, cls: str) -> str:
    """Map a Cook SI 5 (category, subcategory) header to one of NEURON_TYPES."""
    category = str(group[0]).upper().replace("-", " ")
    sub = str(group[1]).upper()
    if category == "PHARYNX":
        return "pharyngeal"
    if category.startswith("SENSO"):  # the male sheet spells one "SENSOSRY"
        return "sensory"
    if category == "INTERNEURONS":
        return "interneuron"
    if category == "MOTOR NEURONS":
        return "motor"
    if category == "OTHER END ORGANS":
        return "other"
    if category.startswith("SEX SPECIFIC"):
        if "MOTOR" in sub:
            return "motor"
        if sub.startswith("SENSO"):
            return "sensory"
        if sub == "INTERNEURONS":
            return "interneuron"
        if sub == "HEAD" and cls in _MALE_HEAD_TYPES:
            return _MALE_HEAD_TYPES[cls]
    raise BuildError(f"no neuron type for Cook category {group} (class {cls})")


def side_of(name: str, cls: str) -> str:
    """Return the side of ``name`` within its class.

    The side is what the name adds to the class name when that is one of
    L, R, D, V, DL, DR, VL, VR (``AVAL``/``AVA`` -> L, ``RMED``/``RME`` -> D,
    ``IL1VR``/``IL1`` -> VR); it is empty for unpaired neurons and numbered
    members of a series (``AVG``, ``VA8``).
    """
    if not name.startswith(cls):
        raise BuildError(f"neuron {name!r} does not start with its class {cls!r}")
    rest = name[len(cls):]
    if rest in SIDES:
        return rest
    if rest == "" or rest.isdigit():
        return ""
    raise BuildError(f"cannot derive the side of {name!r} from class {cls!r}")


def soma_position(nml: bytes, name: str):
    """Return the soma's proximal point ``(x, y, z)`` in µm from a c302 cell."""
    root = ET.fromstring(nml)
    ns = {"n": "http://www.neuroml.org/schema/neuroml2"}
    for segment in root.iterfind(".//n:segment", ns):
        if "soma" in segment.get("name", ""):
            p = segment.find("n:proximal", ns)
            return tuple(float(p.get(axis)) for axis in ("x", "y", "z"))
    raise BuildError(f"c302 cell {name} has no soma segment")


def _fmt_um(value) -> str:
    if value is None:
        return ""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def _transmitters(entries, name, skipped):
    names = []
    for entry in entries:
        t, reason = parse_transmitter(entry)
        if t is None:
            skipped.setdefault(reason, set()).add(name)
        elif t not in names:
            names.append(t)
    return names


def build_neurons(wheels: Wheels, cook: dict):
    """Assemble the neuron rows, the sources used and the notes.

    Returns
    -------
    rows : list of dict
        One dict per neuron, keys ``NEURON_COLUMNS``, sorted by name.
    excluded, notes : dict, list of str
        For provenance.
    """
    skipped = {}
    herm = read_wang(wheels.read(SOURCES["elife-95402-supp2-v1.xlsx"]), "supp2")
    male = read_wang(wheels.read(SOURCES["elife-95402-supp3-v1.xlsx"]), "supp3")

    info = {}
    for r in herm:
        name = _WANG_HERM_ALIASES.get(r.label, r.label)
        info[name] = {"class": r.cls, "lineage": r.lineage,
                      "nt": _transmitters(r.entries, name, skipped), "sex": "both"}
    if len(info) != 302:
        raise BuildError(f"Wang supplementary file 2 lists {len(info)} neurons, not 302")

    # Male file 3: "DX1/2"-style labels name two cells that Wang could not tell
    # apart; both rows agree on transmitters, so each cell gets them, but the
    # lineage is left empty since it cannot be assigned to one of the two.
    male_info, ambiguous = {}, set()
    for r in male:
        cls = r.cls
        nt = _transmitters(r.entries, r.label, skipped)
        if cls in ("RnA", "RnB"):
            cls = r.label[:-1]  # one class per ray neuron pair: R1AL -> R1A
        match = re.match(r"^([A-Z]+)(\d+)/(\d+)$", r.label)
        names = [match.group(1) + match.group(k) for k in (2, 3)] if match else [r.label]
        for name in names:
            prev = male_info.get(name)
            if prev is not None and prev["nt"] != nt:
                raise BuildError(f"Wang file 3 rows for {name} disagree on transmitters")
            male_info[name] = {"class": cls, "lineage": "" if match else r.lineage,
                               "nt": nt, "sex": "male"}
            if match:
                ambiguous.add(name)

    herm_chem = cook[COOK_SHEETS["hermaphrodite"][0]]
    male_chem = cook[COOK_SHEETS["male"][0]]
    types = {}
    for name, group in zip(herm_chem.rows, herm_chem.row_groups):
        types[name] = _cook_type(group, info.get(name, {}).get("class", ""))
    for name, group in zip(herm_chem.cols, herm_chem.col_groups):
        if name in info and name not in types:  # CANL/CANR: "other end organs"
            types[name] = _cook_type(group, info[name]["class"])
    if set(types) != set(info):
        raise BuildError(
            "Cook hermaphrodite neurons and Wang's 302 differ: "
            f"{sorted(set(types) ^ set(info))}")
    male_specific = [n for n in male_chem.rows if n not in info]
    for name, group in zip(male_chem.rows, male_chem.row_groups):
        if name in info:
            continue
        if name not in male_info:
            raise BuildError(f"male neuron {name} of Cook's sheet is not in Wang file 3")
        info[name] = male_info[name]
        types[name] = _cook_type(group, male_info[name]["class"])
    for name in ("HSNL", "HSNR", "VC1", "VC2", "VC3", "VC4", "VC5", "VC6"):
        info[name]["sex"] = "hermaphrodite"

    rows = []
    for name in sorted(info):
        entry = info[name]
        pos = (soma_position(wheels.read_cell(name), name)
               if name in _C302_CELL_SHA256 else (None, None, None))
        rows.append({
            "name": name, "class": entry["class"], "side": side_of(name, entry["class"]),
            "type": types[name], "sex": entry["sex"],
            "neurotransmitter": entry["nt"][0] if entry["nt"] else "",
            "neurotransmitters": ";".join(entry["nt"]), "lineage": entry["lineage"],
            "x": _fmt_um(pos[0]), "y": _fmt_um(pos[1]), "z": _fmt_um(pos[2]),
        })

    not_in_cook = sorted(set(male_info) - set(info))
    excluded = {
        "male-specific neurons of Wang file 3 absent from Cook's male sheet": {
            "rows": len(not_in_cook), "cells": not_in_cook},
        "c302 NeuroML files that are not neurons (muscle cell MDL08)": {
            "rows": 1, "cells": ["MDL08"]},
    }
    gaba = sorted(r["name"] for r in rows if "gaba" in r["neurotransmitters"].split(";"))
    notes = [
        f"{sum(1 for r in rows if r['sex'] != 'male')} hermaphrodite neurons (Wang file 2, "
        f"the 302) and {len(male_specific)} male-specific neurons (rows of Cook's male "
        "sheet not among the 302; transmitters, classes and lineages from Wang file 3).",
        "type: Cook SI 5 category headers of the hermaphrodite chemical sheet rows "
        "(PHARYNX -> pharyngeal, SENSORY NEURONS -> sensory, INTERNEURONS -> interneuron, "
        "MOTOR NEURONS and SEX SPECIFIC ventral cord motor neurons (HSN, VC1-6) -> motor); "
        "CANL/CANR, which appear only as columns under OTHER END ORGANS, -> other. "
        "Male-specific neurons from the male sheet's SEX SPECIFIC subheaders: SENSORY "
        "NEURONS -> sensory, INTERNEURONS -> interneuron (this includes the CA and CP "
        "ventral cord neurons, as Cook files them), HEAD -> CEM sensory, MCM interneuron.",
        "side: the name minus the class name when that is L, R, D, V, DL, DR, VL or VR; "
        "empty for unpaired neurons and numbered series (VA8).",
        "class: Wang's Class column; the male ray neurons, grouped by Wang as RnA/RnB, "
        "get one class per ray pair (R1AL, R1AR -> R1A).",
        "neurotransmitters: Wang's Neurotransmitter(s) columns in their order, the first "
        "one is 'neurotransmitter'. Uptake-only and dim ('*') entries are kept; entries "
        "marked '?', 'unknown' (orphan), 5-HTP (a precursor) and male-only notes of the "
        "hermaphrodite sheet are left out: "
        + "; ".join(f"{reason}: {', '.join(sorted(names))}"
                    for reason, names in sorted(skipped.items())) + ".",
        f"GABA among the transmitters of {len(gaba)} neurons: {', '.join(gaba)}. The "
        "26 classic GABAergic neurons (DD1-6, VD1-13, RMED/L/R/V, AVL, RIS, DVB) are all "
        "among them; Wang et al. 2024 add ALA, RIBL/R, AVFL/R (uptake), AVJL/R and "
        "SMDDL/DR/VL/VR (dim) among the 302.",
        "Wang file 2 labels DB1 and DB3 'DB1/3' and 'DB3/1' (identities interchangeable); "
        "read as DB1 and DB3. Wang file 3 labels DX1/2, DX3/4, EF1/2, EF3/4 as pairs it "
        "could not tell apart: their transmitters agree and are assigned to each cell, the "
        f"lineage is left empty ({', '.join(sorted(ambiguous & set(info)))}).",
        "lineage: Wang's Lineage column as printed (Sulston nomenclature).",
        "x, y, z: proximal point of the soma segment of c302's NeuroML2 cell, µm, "
        "formatted to 0.001 µm; empty for the male-specific neurons, which c302 does "
        "not model.",
    ]
    return rows, excluded, notes



# ---------------------------------------------------------------------------
# Functional atlas (Randi et al. 2023)
# ---------------------------------------------------------------------------

ATLAS_TABLE = "functional/randi2023.csv"
ATLAS_COLUMNS = ("strain", "stimulated", "responding", "dff", "q", "q_eq", "n_trials")
ATLAS_STRAINS = {"wt": "wt", "unc31": "unc31"}   # h5 group -> strain column
ATLAS_NAME_FIXES = {"AWCOF": "AWCOFF"}           # neuron_ids are |S5: truncated
_ATLAS_FLOAT_FORMAT = ".6g"


def _fmt_float(value) -> str:
    return format(float(value), _ATLAS_FLOAT_FORMAT) if value == value else ""


def read_functional_atlas(data: bytes):
    """Parse ``funatlas.h5`` into the rows of the vendored long table.

    Keeps, per strain, every ordered pair (stimulated j, responding i) with a
    finite q-value, the diagonal (autoresponse) included. In the file,
    ``X[i, j]`` is the response of neuron ``i`` when ``j`` is stimulated.

    Returns
    -------
    rows : list of list of str
        Sorted by strain, stimulated, responding.
    excluded : dict
        Pairs left out per strain (no finite q: not measured).
    notes : list of str
    """
    try:
        import h5py
    except ModuleNotFoundError:
        raise BuildError("reading funatlas.h5 needs h5py (`pip install h5py`)") from None
    import numpy as np

    rows, excluded, counts = [], {}, []
    with h5py.File(io.BytesIO(data), "r") as fh:
        raw = [x.decode("ascii") for x in fh["neuron_ids"][()]]
        if raw != sorted(raw) or len(set(raw)) != len(raw):
            raise BuildError("funatlas.h5: neuron_ids are not unique and sorted as expected")
        names = [ATLAS_NAME_FIXES.get(x, x) for x in raw]
        n = len(names)
        for group, strain in ATLAS_STRAINS.items():
            g = fh[group]
            dff, q, q_eq = (np.asarray(g[k][()], dtype=np.float64) for k in ("dFF", "q", "q_eq"))
            occ = np.asarray(g["occ1"][()])
            for label, arr in (("dFF", dff), ("q", q), ("q_eq", q_eq), ("occ1", occ)):
                if arr.shape != (n, n):
                    raise BuildError(f"funatlas.h5: {group}/{label} has shape {arr.shape}, expected ({n}, {n})")
            keep = np.isfinite(q)
            if (occ[keep] < 1).any():
                raise BuildError(f"funatlas.h5: {group} has a pair with a q-value but no observation")
            for label, arr in (("q", q), ("q_eq", q_eq)):
                vals = arr[keep & np.isfinite(arr)]
                text = np.array([float(_fmt_float(v)) for v in vals])
                if ((text < 0.05) != (vals < 0.05)).any() or ((text < 0.01) != (vals < 0.01)).any():
                    raise BuildError(f"funatlas.h5: rounding {group}/{label} would move a pair across a threshold")
            vals = dff[keep & np.isfinite(dff)]
            if (np.sign([float(_fmt_float(v)) for v in vals]) != np.sign(vals)).any():
                raise BuildError(f"funatlas.h5: rounding {group}/dFF would change a sign")
            resp, stim = np.nonzero(keep)
            for i, j in zip(resp.tolist(), stim.tolist()):
                rows.append([strain, names[j], names[i], _fmt_float(dff[i, j]), _fmt_float(q[i, j]),
                             _fmt_float(q_eq[i, j]), str(int(occ[i, j]))])
            off = keep & ~np.eye(n, dtype=bool)
            excluded[strain] = {"pairs_without_q": int((~keep).sum()),
                                "reason": "not measured (no finite q-value)"}
            counts.append(f"{strain}: {int(keep.sum())} rows, of which {int(np.diag(keep).sum())} "
                          f"autoresponses (stimulated == responding) and {int(off.sum())} "
                          f"pairs, {int((off & np.isfinite(dff)).sum())} with a finite dff")
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    notes = [
        "Long form of the signal-propagation atlas: one row per (strain, stimulated, responding) "
        "pair with a finite q-value. In funatlas.h5, X[i, j] is the response of neuron i when "
        "neuron j is stimulated; here that is the row stimulated=j, responding=i.",
        "dff: mean over trials of dF/F averaged over 30 s after stimulation onset; q: FDR q-value "
        "that the pair responds; q_eq: FDR q-value of the equivalence test that it does not "
        "respond (margin 1.2 control s.d.); n_trials: stimulation events in which the pair was "
        "observed (occ1). Floats written with 6 significant digits (the build checks that no "
        "pair crosses q = 0.05 or 0.01 and no dff changes sign); empty = NaN.",
        "Strains: wt (wild type) and unc31 (unc-31 mutants, defective in dense-core-vesicle "
        "release). Names as in the atlas; 'AWCOF' in the file (5-byte names) is written "
        "AWCOFF. The atlas identifies AWC by its ON/OFF state; it joins connectomes as "
        "AWCL -> AWCOFF, AWCR -> AWCON. CANL/CANR are not in the atlas.",
        *counts,
    ]
    return rows, excluded, notes


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def _write_csv(path: Path, columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


DATASETS = {
    "varshney2011": {
        "description": "Varshney et al. 2011 hermaphrodite somatic connectome "
                       "(chemical, gap junction, NMJ counts)",
        "citation": CITATIONS["varshney2011"],
        "sources": ["NeuronConnect.xls"],
        "weight_unit": "synapse count (chemical synapses, gap junctions, NMJs)",
    },
    "white1986_whole": {
        "description": "White et al. 1986 whole-animal hermaphrodite connectome "
                       "(nemanode export)",
        "citation": CITATIONS["white1986"],
        "sources": ["aconnectome_white_1986_whole.csv"],
        "weight_unit": "synapse count (file column 'synapses')",
    },
    "cook2019_herm": {
        "description": "Cook et al. 2019 adult hermaphrodite whole-animal connectome "
                       "(SI 5, corrected July 2020)",
        "citation": CITATIONS["cook2019"],
        "sources": [COOK_KEY],
        "weight_unit": "EM serial sections",
    },
    "cook2019_male": {
        "description": "Cook et al. 2019 adult male whole-animal connectome "
                       "(SI 5, corrected July 2020)",
        "citation": CITATIONS["cook2019"],
        "sources": [COOK_KEY],
        "weight_unit": "EM serial sections",
    },
}
_WITVLIET_STAGES = {1: "L1", 2: "L1", 3: "L1", 4: "L1", 5: "L2", 6: "L3", 7: "adult", 8: "adult"}
for _n, _stage in _WITVLIET_STAGES.items():
    DATASETS[f"witvliet2021_{_n}"] = {
        "description": f"Witvliet et al. 2021 brain (nerve ring, head only) connectome, "
                       f"dataset {_n} ({_stage})",
        "citation": CITATIONS["witvliet2021"],
        "sources": [f"witvliet_2020_{_n} {_stage}.xlsx"],
        "weight_unit": "synapse count (file column 'synapses')",
    }


def _edge_notes(edges: EdgeSet):
    return "Totals by type: " + ", ".join(
        f"{kind} {n} rows / weight {w}" for kind, (n, w) in edges.totals().items()) + "."


def build(wheel_dir, out_dir) -> dict:
    """Rebuild every table from the wheels in ``wheel_dir`` into ``out_dir``.

    Parameters
    ----------
    wheel_dir : path-like
        Folder with the cect 0.3.5, c302 0.12.1 and wormneuroatlas 0.0.7.3 wheels.
    out_dir : path-like
        Destination; ``neurons.csv``, ``muscles.csv``, ``edges/*.csv``,
        ``functional/randi2023.csv`` and ``provenance.json`` are (over)written
        there.

    Returns
    -------
    dict
        The provenance record, as written to ``provenance.json``.

    Raises
    ------
    BuildError
        If a wheel or input file is missing or its sha256 differs, or an input
        does not have the expected layout.
    """
    out = Path(out_dir)
    wheels = Wheels(wheel_dir)
    cook = read_cook(wheels.read(SOURCES[COOK_KEY]))
    neuron_rows, neuron_excluded, neuron_notes = build_neurons(wheels, cook)
    neurons = {r["name"] for r in neuron_rows}

    edge_sets = {}
    edge_sets["varshney2011"] = read_varshney(wheels.read(SOURCES["NeuronConnect.xls"]), neurons)
    white = pd.read_csv(io.BytesIO(wheels.read(SOURCES["aconnectome_white_1986_whole.csv"])),
                        sep="\t")
    edge_sets["white1986_whole"] = (read_edge_list(white, "White 1986", neurons), [
        "Tab-separated nemanode export with columns pre, post, type, synapses; each "
        "electrical pair is listed once (self-junctions kept with pre == post).",
        "LegacyBodyWallMuscles and pm1/pm4 are muscle targets (type nmj)."])
    for sex, dataset in (("hermaphrodite", "cook2019_herm"), ("male", "cook2019_male")):
        edge_sets[dataset] = cook_edges(cook, sex, neurons)
    for n, stage in _WITVLIET_STAGES.items():
        key = f"witvliet_2020_{n} {stage}.xlsx"
        frame = _read_excel(wheels.read(SOURCES[key]))
        edge_sets[f"witvliet2021_{n}"] = (read_edge_list(frame, key, neurons), [
            "Edge list with columns pre, post, type, synapses; rows are pre -> post for "
            "chemical synapses, each electrical pair is listed once.",
            "Head only: the EM volume covers the nerve ring (brain), so body neurons are "
            "absent or cut.",
            "Body-wall muscle labels BWM-DL01 ... are renamed to Cook's dBWML1 ... "
            "(quadrant, side, number from the anterior).",
            "Unit: the file's column is 'synapses', a count of synapses per cell pair "
            "(some summaries call the unit active zones; the file itself does not say)."])

    tables = {}
    sources_used = {}

    def record(path, data, rows, *, description, citation, licence, sources,
               weight_unit, excluded, notes, dataset=None):
        for key in sources:
            sources_used[key] = True
        entry = {
            "description": description, "citation": citation, "licence": licence,
            "source_files": list(sources),
            "input_sha256": {k: _source_sha(k) for k in sources},
            "output_sha256": sha256_bytes(data), "rows": rows,
            "weight_unit": weight_unit, "excluded": excluded, "notes": notes,
        }
        if dataset is not None:
            entry["dataset"] = dataset
        tables[path] = entry

    data = _write_csv(out / "neurons.csv", NEURON_COLUMNS,
                      [[r[c] for c in NEURON_COLUMNS] for r in neuron_rows])
    record("neurons.csv", data, len(neuron_rows),
           description="Neurons: 302 hermaphrodite plus the male-specific neurons of "
                       "Cook 2019, with class, side, type, transmitters, lineage, soma position",
           citation="; ".join(CITATIONS[k] for k in ("wang2024", "cook2019", "c302")),
           licence="Wang et al. 2024: CC BY 4.0; Cook et al. 2019: " + _NO_LICENCE
                   + "; c302: MIT",
           sources=["elife-95402-supp2-v1.xlsx", "elife-95402-supp3-v1.xlsx",
                    COOK_KEY, C302_KEY],
           weight_unit=None, excluded=neuron_excluded, notes=neuron_notes)

    muscles = {}
    for dataset, (edges, notes) in edge_sets.items():
        meta = DATASETS[dataset]
        rows = edges.rows()
        for pre, post, kind, _ in rows:
            if kind == "nmj":
                muscles[post] = muscle_info(post)
        data = _write_csv(out / "edges" / f"{dataset}.csv", EDGE_COLUMNS, rows)
        record(f"edges/{dataset}.csv", data, len(rows), dataset=dataset,
               description=meta["description"], citation=meta["citation"],
               licence=SOURCES[meta["sources"][0]].licence, sources=meta["sources"],
               weight_unit=meta["weight_unit"], excluded=edges.excluded_record(),
               notes=[*notes, _edge_notes(edges)])

    muscle_rows = [[name, kind, desc] for name, (kind, desc) in sorted(muscles.items())]
    data = _write_csv(out / "muscles.csv", MUSCLE_COLUMNS, muscle_rows)
    record("muscles.csv", data, len(muscle_rows),
           description="Muscles and other postsynaptic targets of nmj edges in any dataset",
           citation="; ".join(CITATIONS[k] for k in ("varshney2011", "white1986", "cook2019",
                                                     "witvliet2021")),
           licence=_NO_LICENCE,
           sources=[k for k, src in SOURCES.items()
                    if src.wheel == CECT_WHEEL and not k.startswith("elife")],
           weight_unit=None, excluded={},
           notes=["Exactly the postsynaptic non-neuronal cells of nmj edges; kind is "
                  "body_wall, pharyngeal, enteric, vulval, uterine or male_sex.",
                  "NMJ (Varshney) and LegacyBodyWallMuscles (White, nemanode) are "
                  "aggregate targets without muscle identity."])

    atlas_rows, atlas_excluded, atlas_notes = read_functional_atlas(wheels.read(SOURCES[ATLAS_KEY]))
    data = _write_csv(out / ATLAS_TABLE, ATLAS_COLUMNS, atlas_rows)
    record(ATLAS_TABLE, data, len(atlas_rows),
           description="Signal-propagation atlas of Randi et al. 2023 (wild type and unc-31): "
                       "response of each measured neuron to optogenetic stimulation of another",
           citation=CITATIONS["randi2023"], licence=ATLAS_LICENCE, sources=[ATLAS_KEY],
           weight_unit=None, excluded=atlas_excluded, notes=atlas_notes)

    provenance = {"sources": _sources_record(sorted(sources_used)), "tables": tables}
    text = json.dumps(provenance, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (out / "provenance.json").write_text(text, encoding="utf-8", newline="\n")
    return provenance


def _c302_digest() -> str:
    # One digest stands for all c302 cell files read: sha256 over the sorted
    # "NAME sha256" lines (each file is itself verified when read).
    lines = "".join(f"{n} {h}\n" for n, h in sorted(_C302_CELL_SHA256.items()))
    return sha256_bytes(lines.encode())


def _source_sha(key: str) -> str:
    return _c302_digest() if key == C302_KEY else SOURCES[key].sha256


def _sources_record(keys):
    record = {}
    for key in keys:
        if key == C302_KEY:
            record[key] = {
                "wheel": C302_WHEEL, "path_in_wheel": "c302/NeuroML2/<NAME>.cell.nml",
                "sha256": _c302_digest(), "files": len(_C302_CELL_SHA256),
                "citation": CITATIONS["c302"], "licence": C302_LICENCE,
                "notes": "one file per hermaphrodite neuron; sha256 is that of the sorted "
                         "'NAME sha256' lines of the files, each verified when read",
            }
        else:
            s = SOURCES[key]
            record[key] = {"wheel": s.wheel, "path_in_wheel": s.path, "sha256": s.sha256,
                           "citation": s.citation, "licence": s.licence}
    return record


def main(argv=None) -> int:
    """Command-line entry point; see the module docstring."""
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", default="/tmp/wheels",
                        help="folder with the cect 0.3.5, c302 0.12.1 and wormneuroatlas "
                             "0.0.7.3 wheels")
    parser.add_argument("--out", default=str(here), help="output folder (default: data/)")
    args = parser.parse_args(argv)
    try:
        provenance = build(args.wheels, args.out)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path, entry in sorted(provenance["tables"].items()):
        print(f"{path}: {entry['rows']} rows")
    return 0


# sha256 of each c302 NeuroML cell file read (one per hermaphrodite neuron).
_C302_CELL_SHA256 = {
    "ADAL": "df118a8709591ac704df2558d02b98fa017faecdd625db87d892b0e8ef4cf44d",
    "ADAR": "74337893973ba9c6652c916cb38a233ab1cae32aed7d955ff35b5abd07e427f7",
    "ADEL": "61fa6182a7a8481903ed585b0d90fc628bcc9b8951500f34ee5529b7ffb0a8ba",
    "ADER": "24613a9b62324fb1a723772facef719a262c4396862f574a770fc8d57c493f0f",
    "ADFL": "7f4f665ce4989ec268b1afc88009e22f04a0bed401d57385d1b442118ac31cc6",
    "ADFR": "7a03688c21780ceebb4ae90ff1dd0bb3acf913b9373111bdc1bc76ccc7a01c8e",
    "ADLL": "99247e970fdf88b576b413d66d84aeccb338c7e8d8b982ecbfcd800987654d15",
    "ADLR": "16d16f4375712edace15ef30925fcf58898e406c1461ed7a9ca355452bdc7ed9",
    "AFDL": "c767ad3f6e3058a37853d526d861b7988c8976074a16e1d55251ce78027ace63",
    "AFDR": "b2aefbbbc33235e10d131df44e254e5fa5cabd8218c5d6019a57e5a2c529ba1e",
    "AIAL": "cbfc03992a1a861626c6dd4023bf7ea75c62211e932a592d9b486a2804c7926e",
    "AIAR": "f2f81543ba8388a5a9099ee39f38cdb6ec4de9267bfe8666821171185700be8d",
    "AIBL": "a443e7897674c7b540dbcf38592e96d1d91fd90142322ec0df0a0df3abe96c01",
    "AIBR": "61e75ad50fe6392429216e46f19fe124ba1f93936a3bc9e578400109ca3a0cd5",
    "AIML": "bb867d8bd3c336b61784b47fe1ec3e57b39a27fa1563f08fd2854afd7ed4d0ef",
    "AIMR": "a77f8b225c7333d63a897489a9c330ae85d7939b5780110a3626db13e38f1003",
    "AINL": "641a91a8f4733419afc47ae89c472fa8359eeeab0056c9a021e0b90ddcfdb95c",
    "AINR": "a8a8a5891bdc11f26f91bcca904f2e124810f3b78cbba2e052b57b07738581dc",
    "AIYL": "6556f8dfcdcb756dd952ec496a9593274163de1f7f72647b3ce61fb4ebec1002",
    "AIYR": "e4f33053d30b73809f9acf55a91380d9a98a3cfe0e09fe8c04ab4596ae8e9b6f",
    "AIZL": "500b099715cab57f6f72f6064e3d4ef98da7c2c9adc11afa4a726069a9435842",
    "AIZR": "2ecbf4e42c54a6b8eea6e0b42027d96674fb7f5006c593ee11bc6605f212838a",
    "ALA": "efca7d44fbf3e33c40ed1ede36a3ae7d7710c207b3f9db37fe8770ad6b788b44",
    "ALML": "4b8f68a989e8b999ba87276d9510ff2e2a4ac5fc49f5f0790e6465166e10c78e",
    "ALMR": "5095fb3126834c2e8598625baa72c2e27226796666d360ad5daf534e89adb4ae",
    "ALNL": "910d910fd203bf93a7735f64934e40717f482104ef874a35987c686e53196355",
    "ALNR": "8efbc3eba72309ad90513e23c131d69d5865db5f696975bd5226fef2d461c4c0",
    "AQR": "c77b0de7a0734b5e838a0b62e150f39faa1fc252e8d67babc45abdf774a57da0",
    "AS1": "5f87a50be4c53b18a4c207ffa2c230e02427f7187ff163837499e9f179811e9d",
    "AS10": "132fa98067691a4cbdc06036bca12077140a9f6f7eff6b8f3dfa1ce9f53aac13",
    "AS11": "541abbf9e56a26ea1388d6b20d66c09f0b364df539262bd6303e11d8070d6c9a",
    "AS2": "570f56ce571df87bcc1c985569622629c43b0d3bc7b919fb29ab4c065044065b",
    "AS3": "c503a335ef37795d982429d216b1cb895a124794c5379c0d9210de7f9ac3f392",
    "AS4": "47222510a87c735c349872c873022f93955200e7150d77f7826e516b94bb03d0",
    "AS5": "7d5254dfec0f6bbfe2013f10ec125e006f3a550e19523a92234fe53752ee9ca9",
    "AS6": "2285138ea2f1c02cbdde6c650b5743c01661162055d353b4aa4771d77d95b000",
    "AS7": "c1ff19955779bbc3830acf6c8d45627219935041fb26328b92772ee31fb067da",
    "AS8": "31a7014bcb3cc0b9b201da3ed1be9ed9b9d0fadaa3a96754a0fc3941fa7b01a7",
    "AS9": "6989361c2b82f727265bc02bc2d2bf5079b1b692e409f063a68f1973014869af",
    "ASEL": "f4ff3bade86c97999fe3fdf1e7b9e90f17c580d5ba82db6b96543a9050c797f7",
    "ASER": "191753e38e70fda0efb4ee39fd9307dc8a545e94d22a57de2e1f75e8b61d37de",
    "ASGL": "cb8f5aaa69b5c319d2fa13e7354da755a007e27a1957025a04c82ebceed1d3dd",
    "ASGR": "7c8396e0234c612a4ed774f2682f4fdd78646d25fe3cbcbf282710673842c243",
    "ASHL": "a94d1dd853758b85a49beac7bd4d9d5a30081a71ae28aa35f12c3c3a4ace8c4e",
    "ASHR": "e509f3c55e91a44b3b3471c671e7b1ad812a86051b06dd19f5b21cbeb1cf5298",
    "ASIL": "2ccc0a7c0143e0bc0d360c69ca54d792e061048a84637c4baaa847d9a7e44781",
    "ASIR": "f47fb50c56e50f02af51d1008ee15933894fb3514d12667ba5f56f41c8d37fe2",
    "ASJL": "ef3dcbbc5e1675dbb29a51f206bec34dc0d7735aaa89237813541096b9c94978",
    "ASJR": "de7a75b19fd48628c600f69e8699472cc542756b399d1dfd8db130433b8208c4",
    "ASKL": "1742c951bdaead923f66e762f1a2ae536a82b0e9d56ad6a39b1452e0999cbb1c",
    "ASKR": "71647beb67179409a909d49e4ee60ff7da49ea1cf5bc66d18ebb572f395ea357",
    "AUAL": "02e3e3123d2f5282632aac52448f728bf047774d5521cfc203b5a86e49b2a9db",
    "AUAR": "85150f653e317831ab3bd95f42e6265dbf8aef90cf7195dfd1e24ff8f78a3b7e",
    "AVAL": "7af984e2895b9184eaf9fa4560b6279bcb28449613e305eb23156bb6211fe180",
    "AVAR": "21cc84ea5ef0a05be854dc596eb310481f863c48e133fad7d07a15f24ec74ebf",
    "AVBL": "c13f7b6757f19442ae0006b9e5c8880a0d548180b1b4cc8f9e4e6b7bdc9da289",
    "AVBR": "c7d0876abcb193fd663045fb5c085035eb87e58d56a4307b628b6485934d6341",
    "AVDL": "0120a9f3f21d85b1189afacf0145f07275c469225162721c8368cfb543b58595",
    "AVDR": "5ebd4a8bb70f03ffb905260142a778e624fa6e86288849fd4c63d9230f1d74f9",
    "AVEL": "cb20bca98326eeb5e9d0bc19de0ada107da53b1b954d004ed6405881401450ec",
    "AVER": "1559ca04f744f602ad4528dcd57e500dcfa34a5a7d65537417c50045c65e239d",
    "AVFL": "753bc66f1180feb5bf86a5cc5b8b34840f818d4c6addccac66fd49b2f4412470",
    "AVFR": "aa9cac1bbb825662d1b614bf9bf829c64369fd6a29a25d3fa5581406b525bd1c",
    "AVG": "f31fe37ab0965a24094b9f059b5b2a67ee3ba67479aa8fdb5837af98f5da1f81",
    "AVHL": "dec1ed78ef688ae8fe11a74b70497a38500befb157954cde28017bf8425bce78",
    "AVHR": "4dffdb777d269ccb348a9572f4d49f4d8f89837c8594e52101253891d75af622",
    "AVJL": "00a41528b241ce6c2db3159805c88d426ba6f9512787cff8b48358b1202801f0",
    "AVJR": "0e87e975a93271b1fa9a0b801c3b69b5da416b678052c888404cf6951d4ccfb2",
    "AVKL": "7a1230078419dcaa210c67d05dba19cfbf428b37b99c3760bf4ac2e0b00198bd",
    "AVKR": "97abadce5de80afd19db3ac4cb8e1cc9d285c445c621f9b2a2c74881519ea47f",
    "AVL": "0e9110557143da3ef9e6825c76678836fdd905e5e901d57b731e23afd305fc67",
    "AVM": "49868ad2f2c0d08e9a8fcf7e31c6050cf0ea18868a7a7e10fac2e9bbcee26436",
    "AWAL": "db213a399a4b354d4fcf946909e46c8a1c29f24075d44d6ef8062073eb5085b6",
    "AWAR": "d746c6713db7e2865261562c3b789a52ac838e7ec606c9ab8ec6e9ecf4e98512",
    "AWBL": "c74275d5f28fe909f2e80606524bc35629cd67dad093c8498790fedb3bec2205",
    "AWBR": "d46b06255864f30e063dbf0943d03f17ba157c175d7173913af678cf52934d6e",
    "AWCL": "b7f8c6f561de90461a3ec048fdd3b6abbf04868bf44dd513dc804f7697cc3eb3",
    "AWCR": "e8b2d1769eea8dd238ee8434f08e5ae85a61e4f0672e9b2f546ee506afaa0f69",
    "BAGL": "940ec796d24637d6b2f80bc28554b8b4955ccb0ccaef5d45c2a4d079b84ceaef",
    "BAGR": "fbe35da720ddc79ef06c8f56bfd3c263639e8ab2b8dc3854f0174a103814d043",
    "BDUL": "38510e7444829384a0ebaf2253bb03d0e1a21b957772fb28cb7a84da45927eb7",
    "BDUR": "d0d1056d3005a653dc7dd5ea26b8156ce0ea2d0d9cd5c888f8c5cfbd13086550",
    "CANL": "4612299af78009247cd54196cd9fe84330231056a707d2960cc84a4caf754532",
    "CANR": "9356f9b5afa2e03395562c02cf0aa2e23ae294738aaea08b39942ba5ed87f079",
    "CEPDL": "1b6c9a8ea74b361df0b62582c003cb8dbd419c221ee7e65805195f78ace4c8fc",
    "CEPDR": "9226656d9d63b4bd62617806b11913e34827c115dba70b9e665d2d1068033a57",
    "CEPVL": "ec3aaf3401334cebef5092a4649c69a9c3c54d435d297935176ce5d407fc6284",
    "CEPVR": "fe17aadf531f5db229774aeae98feb9511f5a9e2ad683bf5baace60ef190ea90",
    "DA1": "bc0983f1f623551c6655b8637b8b4a4175508d50761bbf366731ca5250491e83",
    "DA2": "3037eaf18803efe88b2d539989b0c970738671b9eb42fd86bc077fc8644805b2",
    "DA3": "0404856882a12e243e3b03d4f82a07a0d247783b70c1d79381391c3be951f38c",
    "DA4": "165a250f328cbb5527845cdc590429895083dbfd15dad147379d33aec94d0791",
    "DA5": "3c87fd92ff8846615c4c5aa9a2ede08a9927522c8911da9dae988418131c4816",
    "DA6": "c04fbff5e4831fa6eaa0839ef84cc069a4058c7dabf882e583d2baeb12269253",
    "DA7": "3c44a3c6869c8e1a600caaf88645a74552311bd6539e27ec0b3e0904b70b284d",
    "DA8": "a598fb3abe4e5f6211f0aaf35b6c018ec0fe3899eb9e404d5c0eef204030efa0",
    "DA9": "2d9fba914520124f35891a30f1666ceec9dd889a5813816c74fc8a8a76177d39",
    "DB1": "67992545703d86eb1de54a6efea95789832d2c1ce7625a810c6b19fceed57ef2",
    "DB2": "79acd20fadc67db2f1989fb64bb8a36c206120e11157a8dcaaf0463e0d633883",
    "DB3": "eba3deb3a35718634cfe3e7d267798f68bc0bed5792b5a0005ba80870a016080",
    "DB4": "515f2d29da7ac96f60f90a945e090491c6445172c85ac4a1f688d43089c8eab5",
    "DB5": "b010d1261a064f3261a198bcda2ce818c9667064448a827bfa91eb244aac9c56",
    "DB6": "7d818d10d3978147477e865dcf7de8d4b924d174d680b3ead221d7b4fa999299",
    "DB7": "5d0c7ed373729b8fbc6cad5e676af21501936dc97cb019a6ece98991dc5b47ff",
    "DD1": "eec49a1cbdf9cfc1818b5a7543a236dc3527b3fb0aab1112d4106e0819471610",
    "DD2": "5194d5d3f198c1964303b00e807055b4da5cbf34838863b88d01c0655ec65dba",
    "DD3": "e36c82f4df38a79d2c44916da92061eaff510586a8eaa9fb37152f2bbd2204b4",
    "DD4": "246aa538d5b5725e6ecbcaa4b924c0011c85b7fa996b4c167b41d02d17277c5d",
    "DD5": "5d4ca43ca27190bbd9131b40f546f3b02a88dd9909150daab4e4556c0078d57e",
    "DD6": "6e0951335221f200b5d098d131dab9a401d0548d87383fd72787d2c58eb96ab1",
    "DVA": "f320380f6354dd841f34f4655a37a6efadc0cf1e3345bc5160bba1dde101d6a9",
    "DVB": "265ed9a8d9e2934e72d19469abea39f3cd55e02d2bf7b5cd4e0d57c4b0f67550",
    "DVC": "bb148d4a82a41369b0e982eb451a265e44093a8b9969f83ce7945a84cb6196a2",
    "FLPL": "ad818a97775bd80da1145222299633a296f29a1216c33cedee2130b77f0a28c4",
    "FLPR": "05e1f9cde0a2788a3456da75c10a2dc4ad816be09bdf11aa892365a2dcda6083",
    "HSNL": "6da3ad2fcb9daf815c8b65d02fd079d9765a984eded0d93a7d08a2837cc70fb0",
    "HSNR": "5ee0f7c2af585b86437ea7ade70481824e24a6ed34db1f5bee3989666cf1c456",
    "I1L": "fcd27b37a8bf2163d87e72fa351e9f232b48b0f070508af7198902b0a8c2919f",
    "I1R": "3a957d489c636a74d6ead55851470a37ff460652b229e8288bf6d012986798e0",
    "I2L": "50f0ede013a65b30a462c4563409d40c9724a29e1681a4a57f41526f18c390f1",
    "I2R": "12f4be665e80670bd923bace79dd049749f3ba98f9764366e013f462548d521b",
    "I3": "16615ac08928b52beb85521979f54c1683edddf7ed76813bae91e2615e5896d3",
    "I4": "4b1e1d5a3664b419d000a262d452a1d0f7124c4349807958f1bdd7e67611a09f",
    "I5": "2c46758c8311fe0f02a18d4696ead0faf9d5a191e9be9f2f2bbfd93173e8c4ec",
    "I6": "58f13bdd0b7dc3801339f799d2633e48722891d3d524fa97670bcf397b747cde",
    "IL1DL": "817a94f0fba71f7bda84d5ae1f4b1688254f5c065e6cf6d1411ad4fcb6b074b2",
    "IL1DR": "d09ecb117aa5d1773034912cb3566b54e6388a22ed9d2308335c3590b2ce56d3",
    "IL1L": "9a117774bb07d1243d5d3f1762c76a2e21ccb91abca302248f7943a2a1d83ea2",
    "IL1R": "0f5798c880d326eafb601aa4413aa1a8fdbd88d3dd3d8ea0da41f40a36c02460",
    "IL1VL": "4e8ccd90414a0844cf237842305ff40787155452e5fbb30d547323cc11441591",
    "IL1VR": "b3f861b24ecfb3e8a7858293c2f266ed4237b2bdd003bb3b5463c8ce0875ee5a",
    "IL2DL": "57bf8aefc2ea1512424e55f3eeb3f935e86ce81be3d2aaad00057f0eb92380f4",
    "IL2DR": "f8f419fd824e2f9163460c37a95eb398a756e1b3877a287539f955040736d6c0",
    "IL2L": "c594fcde0efa4037c6b33888a4fabefed7378bd2edf145d768b093a9abf400fb",
    "IL2R": "9792429f5a7633856baf486f22fc1b954746abe2e8d88ccf5267580ff2c63bf8",
    "IL2VL": "fb124b101b12c7567dbdb41a843594448df49f910fb13450a70cbfb9b92626d2",
    "IL2VR": "9f5bba480b2af78cb2618d6efcb0863951e4f3257d8a79668477b944bc9b598f",
    "LUAL": "2b66a3b4c6c3e53f26de122e95f664df2174a41dbc5a351e60e7b0ab1efd0e51",
    "LUAR": "9b9dda56ec7153c71ea53405d2abb3d942a970bc9ee5a2cd603715dcd158d788",
    "M1": "3f585486b0a8a8d0fe79abb0319677347552b560e0fffb985d5cdcdfe92e8eec",
    "M2L": "89739b0a8c6a0d02bb160f3c06a781f1a12e1abacd04715ab414dfd7e6a6c0bc",
    "M2R": "438be950b8744b33b4c3bbc735866050af55d764420273537e67e460788856b4",
    "M3L": "c97884d44ac810a5c515ccc80d027036ec4b53835f504e105e818d9c397bf926",
    "M3R": "a917eaee270c9eff0c42f4dba9dd8c4183b2ce5330683ee4fec712c290675450",
    "M4": "e57d6935d531770bf7906bf52db111e5f5725f1110ccd71f1b2c78cf0b08a6bf",
    "M5": "12002b638f0e2fc50442557833d685e5f7788e122989f23d43bee9ba76cf14e2",
    "MCL": "603f8b86f916e9f82be434db6c7475b949f5e6df8826eb32f520754c40ee17de",
    "MCR": "c7233644499438e13404e3d97d9471451ff1aa6edba90d0968238396a887e1d2",
    "MI": "0776e586ab6677bf6832f4e196d3b7162e02548efdf67926fb85737aba38d5dd",
    "NSML": "669f6f4f013e292c08e0a709e9557cd1f2e9f2f020c926da0df3063f92b5c15a",
    "NSMR": "e338e47eadd81f181a12a7ee5b084522a334fb513d794217011ad7fe368e0b68",
    "OLLL": "69ca714bb45e9c65af802c047f5614e9b0e1e9d888f91954bdd18f30f4b514a2",
    "OLLR": "857772c1f8693a034fb801485751601c53f21fbf112c531d5a2b27e0b6cc1981",
    "OLQDL": "c67419968600ba40877eefdc04d3ab3fba6096f426df17ba40e549d8213d5e19",
    "OLQDR": "b044d2f608cea25f90870b33a384ab9d400b30f3aa49e7103602806caeec4ef1",
    "OLQVL": "edfc0745bedbbc59dbc15e71788ab7b99512d662093290e5162991f484560ae7",
    "OLQVR": "a3482302330147b144a53bb634ea6d725c2d6df12d0484f5a527e2c1072a99d2",
    "PDA": "d487600aacb72ec9fdf593f14fd247c57fc5ed27c86389e7054da1fb72d477be",
    "PDB": "f68950bddd3f606aefc212f3d69caa3261d247118b5e420386bf6e20996ac0f5",
    "PDEL": "d59a002c6015ef8c847d51fb104bc6bbab93eb49d438a89d4fc69088b4b27f77",
    "PDER": "eb4f857eca1afb82e56fff07c14cafcef7db9a39267c664e48d8450a93ce42c4",
    "PHAL": "dfa9ebe4e708bd86b31ded4d8d1b64b163c980bb2a3657c4a4a394defad2b14d",
    "PHAR": "dbd2dcd72d47f7e9dd6412db5641d5437aa31a6d6020402f49e6cd6f73a82140",
    "PHBL": "74451e66ced3086611657e49e130142e82f126bc8ece601160e01ac898c1f6b1",
    "PHBR": "b83893636eb67e1e6fd82be3b37a23ed92e13c1487029641016cba883f46cfe0",
    "PHCL": "d67a604200d340470a44613113b59aee9187d6ff2ac1a4669e7d856d8d4ea81c",
    "PHCR": "161f2783331a22b12cf5def3b397f51b7957ac6ec2250a2f95350fd6b82ee5da",
    "PLML": "d2328a1e9d8696de0af41f87d8d0afe2c8ce11ca9227a81c4700d6252d063e83",
    "PLMR": "cba349ccc149ca67eb066eda9461803f65603532374cb4554de5162adcc42979",
    "PLNL": "0363122342eff05909d975ceb9548b492d6102bb13621bf328ce53b4ec3409f0",
    "PLNR": "ebe490145c68db8f3d8dc1b6536306fec318f377f4f7436b5200000e2fe455fa",
    "PQR": "d106db2bf8169f87aead6df935b2a67a08029b4995bea8370ab64aabca77bcd4",
    "PVCL": "61bfe18b3a63fd1051fe3dc701fd83c11847c467d266ca9b05a74e42317cb289",
    "PVCR": "873c676f28dada7093540006f21895cb08b521b7cc9ec7e27f19965bc977848c",
    "PVDL": "db19baa15c30aa84ea203c0d8f24b842b214d8884d7fbc0288880052efea1756",
    "PVDR": "72c1b8f2bd3d24df0ef6f829fa528d1a7ecd9d180d0770d85d3bd32fb41f6d55",
    "PVM": "2f2878b1e82b28cef1c2511610dadde559089133125cceec8de731aa8b4d56dc",
    "PVNL": "048ada51f039ac220041709b200137efc984cc0c60b2d4b88bfa566b67f7d420",
    "PVNR": "ee13e8ce1de036e2381d14a56a0dc7faa641c1cee404904961aa442b9c648638",
    "PVPL": "0192e77f6ae1af6265d1a89fa5ab542f519c9a54556729dd793eb50f3abf12d2",
    "PVPR": "c0b4136cbd841797041ced156fe3ff974c96a8798ba0cd1cfad80f6cadac5179",
    "PVQL": "910a102c5a25c5bd9f06f1e0eb3fc38eb8e2b5002f9f96fea53a10b7c026e1a7",
    "PVQR": "16267a5caaee752640dd373b4b9989c58b7133828e02a1ca17a94a58292cfcfe",
    "PVR": "7541940fc3780f737b98d7007f81067503c688e2ed9d0c457405c95b458969e4",
    "PVT": "087ff5666e4481a7974fa25bf5ef4823a6b870b2a1305b30ad86cc357064a9df",
    "PVWL": "a015cb6d7cd211909eda447ac4bdd80649f5eb95f9f2616da2e5eed412b39851",
    "PVWR": "52199539e743d5e72216408f483072286b7fe2f9f95966f0c5de0115247c0541",
    "RIAL": "5e36baec6b811f2c05de40ecf194caad0c90daa9bb620aec8ec254ba469b837c",
    "RIAR": "8f8568c2702ca55f7ea0a4a6793abf5c856de24e8028c140f0b427289d90597f",
    "RIBL": "630b69c0b17498bfe335ca6112d2327e46bcdb73870357d2ee31bcc4e3e522ef",
    "RIBR": "1106b24f7d4796c64292e0683219ef8ceae0714ba2021bc52676ace012dc005c",
    "RICL": "090d95cdba0d989ab1cdb65ac4d8883474725d48eb119ad8b432fbea62ab93f1",
    "RICR": "05dac65b09502c6718268161b5937c757bc63202e4fc34f54e466bd1acbc6a98",
    "RID": "6253a96738c695f06177fa7194023230a31a83cbd1b17b99afc1cea0a7ff79d2",
    "RIFL": "cabab7ebe569722be075ecd2d88c492087e1b48ec0083efca0716975ff79c19c",
    "RIFR": "022bdb92be6e696d661e7ae0c322df40158bc9fec0aaac9c32de5722fe9faf4b",
    "RIGL": "8539395418d9112c62a522013239b854b24140eed516c229d8df444f8d7875cf",
    "RIGR": "ba169fdae13b33ce320e4020ff4efe6f2e288d865272a7be276db3217342e170",
    "RIH": "008c8b68c165a47aefe42f5b8e1af5f072fdbf1c8ee0a794f7a8c807eb61af07",
    "RIML": "584958064ed7d20e921da9df6c07b7dc92681146c54448221df01b2bfe75b6eb",
    "RIMR": "f5ff34625d25ed3a807cefb87c2d3e36861cd577c0d579d6f4e5b36bb0bb886f",
    "RIPL": "89a6ed42f94668c405043a2f6ca60556cfea5c5d54555949422e20b46c20618c",
    "RIPR": "d182fad188f8c5c6df68f5f33fb61773ea0f8cea1247c1fa31c4a4189d0f5c05",
    "RIR": "19796c340f0e70cfe75675662e7cc4df579c6ac785b3a039e1e73a255275519f",
    "RIS": "ee2aa582e9cd9e289985cccc522166c6199f9c398d054b358036173a0beb2008",
    "RIVL": "aaa0b7e43a98eefdfe5d7d0bbd050784003bf041daa3cda2b3fa7d32467f2a1e",
    "RIVR": "69dafde40b6cc9f56c106fada9e4197fc37c98a1f5e068cf3784613a7f7367d9",
    "RMDDL": "040a97feb6324f99477f634cf40c1a33b3434f4836f27ff8901f547283cdd435",
    "RMDDR": "7f172bc3ec5536993ec8007ee96f0af50a52d8469e5b9ef428eee997815981b5",
    "RMDL": "7d277f422f02e1887f77eec46a2b0aa1459d5c911b889202afa2a699dc956a52",
    "RMDR": "7bd7f52ecc47ce0e281e5548330c5e3988040c0f86baa4941cd56ddea1d33507",
    "RMDVL": "d6677651ce0d6c35159732b9a40120457d2b48da02175ee5178662f20ebbd6ad",
    "RMDVR": "1b4e6b923f5ff75d5de38b69ce4610b5db67bb5f7a584b65ff9e57032b024411",
    "RMED": "c6a08be92d6e5ceeca7402d93c17d7629b7c2a25303f68591d7328b5188e14ce",
    "RMEL": "257b284ce554ef52d69b7a95990008bbaf3643e04a8326cd30dd503c147c37f2",
    "RMER": "2ed8c9f2b1617ba3019370a45f274d5b2f5d7b31a1841998c128e4f4c1eb0d62",
    "RMEV": "949d45d647811e66035c7796b11083672991676968515709bff0bc2efb23e31e",
    "RMFL": "35322f57304f5f8fe2bdbfdde2c8221aba416af452ae2b28b08d9943d223d7c2",
    "RMFR": "ad96094d6f53ae579314b41ed0f5e48227e3397e003a4c1aec51a9310c062833",
    "RMGL": "2e1bc143734f7cb0612f0dbd654b60522bec3b366e3324acc9f0c0b123dd256e",
    "RMGR": "1848091b08947298e4b897fb0fd4bc0e5b71b26a827e80d79a8307d56ae00f0b",
    "RMHL": "26e4a408123c07972cfd92cb5ed973ace4c09e2dd595b215084d6feddf254f28",
    "RMHR": "7a90e73d2af158f4255b4d3f7169c5d5391e06c23eafb133e3f7b05a33db27b3",
    "SAADL": "96fcd02620f643930addaf854170ffceb25a96e45c38acf10fc39718cc135155",
    "SAADR": "8a74132216200cc687121ec77b8ec376ed1f14b810e51dffee8aa2b376897a23",
    "SAAVL": "4ab2eeecc2115634791e8f6f794af1352a9eb8985c6adcbe4b492677ffbe192c",
    "SAAVR": "9e8d1ba346f5aaf7958cc05140e253074a58df55e0f292c28ba57ac83d2a0c7d",
    "SABD": "51c60937ff4b62d179d8eb0ea19ba0f4fa341b0b70bedd701000213c2c6c73f3",
    "SABVL": "de39e255649b97e9a1be5f932fc1c30b87e1929bdf9401a5e45c3cc33d0ecd0b",
    "SABVR": "2aa98fc533421269d7e853470af781e6ff89d8c55d8383768dc2748641b956d0",
    "SDQL": "f363610aa7479506ebede1df87be1478865eb2423fe9c2f845a7e2cc852e5ff7",
    "SDQR": "f88992a962f24fb8124b268964e62fcf20609c981d452365d3c26b73ff420452",
    "SIADL": "a17a0cb755e687e6fef36a0caf4f4622003324dcf63c0823d385534c3aa9b0dd",
    "SIADR": "33a23a7443afcbf4c0caa83203bd9a493ca7d9f5d2a1f6ff312b7b0062f89fad",
    "SIAVL": "6a539a7914a955369fff58cc7fa6062f19e3281f36803a6f85807254ccd600f8",
    "SIAVR": "5bf118853bcb1fdc10ca91dad70fe016e5c04d09fde0472eabc9a26cc6dfd391",
    "SIBDL": "88317c8e285bdad56da7622deb0e8b08de6e44265510b7169ef2d0fb5d858221",
    "SIBDR": "98e0f7429691d1d63de23cc765d97644fe3b85e41fd32df83e585fbb08f5c070",
    "SIBVL": "80b05bc663e44100b239ab26d9f2855b717e67d14d3298f21abbe3b8f87f2b16",
    "SIBVR": "a34b043917d07942e095125ccea91390e5457446fb932aa07a0fb8d504e83963",
    "SMBDL": "ee32d2b206df3df99755360aea8968eeea84462c189e5784969df6a2ac3ec7c8",
    "SMBDR": "f7c562cd40a53d37641934c91083e0a2f960c30adecfd89e6aeafb243ad5a2d0",
    "SMBVL": "4981cafd72d1614ee563b0b937d3bfde125deb5ff080bb3ebcd413c1cdf4c88a",
    "SMBVR": "d8ba4b5b7595c79e78b59d0f6e81b6e724f989d062285cc50683fea200290a51",
    "SMDDL": "702ded4ce6a8f5c6d204da7e6bcf1f64a9c9d997b4da8d67f12c1d2b2443191d",
    "SMDDR": "b5bac477bf1449768dcdbcf2391b6aada0a143f84212b28039fb67df23c361e6",
    "SMDVL": "bf94e8e88c2da619c0b351cea32de04029121c7c48c9d66d73144b5b0bf79018",
    "SMDVR": "cfe91d868d9232c8f4246f22cb5a0306585ffacfedb2ae5fb9e2a822e9007675",
    "URADL": "0548977835657c2067c0f2f59fb1d83f25c3f13d578e31acdfee578e3de8a2b4",
    "URADR": "8fa7444c427a7221decc9a8f24697ac241c7b7c2db5974d1ee52b7ebdf4b324e",
    "URAVL": "43e1f083d18f3a8e1fe32751bf73934c6afb3fc9d322be9372edeebc9ac7d1eb",
    "URAVR": "37a4899dc30cf89170914e5dec16d0d098586407df4ce551db72ea171fecc9ca",
    "URBL": "f1cf7527edc638c3711eb94881e0afe6f2ec15d7fc9f6940786d66d73d85bab1",
    "URBR": "768e4aa2ab86dd39644724e030b9128db6fb67b68786ee94910f418c48f4300a",
    "URXL": "8d82bf2b786d0ef60743af1f04e21d7c7d467463ab8bc2d32a7bf95deefe66b2",
    "URXR": "404a45c8a7e0b2cdb4118a24212d9a7438e80bcb15b493c915d39802e57a2de6",
    "URYDL": "47e5357e4fee0ec114d2953fe6d23c50da611fc601c1945a8383eed7f46350cb",
    "URYDR": "a44bcff071e6ca4b9c76fca2c9e17671a5d2e1915b9713b7f949d32bf337cc03",
    "URYVL": "1f9cd0854be738db55ca463ffeb029ad9f8a72b5503d9fa7aa4ce37cc7dcf0e3",
    "URYVR": "3b7a4e29fae2c13ceca112ac0489c32bc26ec804e3df65d928ce052072eb2a2b",
    "VA1": "7750604b2f4b646f61e48dc2cfd65e37033b522b4461065157b9df28e4443da3",
    "VA10": "56335914a384599a3e831a2874c27a6896a529af0581c3b0fa28d7c67e6960c2",
    "VA11": "23322561dac38c493b9573e560a555760636d1750e250bb81cced91a5169de92",
    "VA12": "b6f02272659a7236f8e64df274e3aa6539b10cb12dbcd5f60cd1529c00b3030e",
    "VA2": "36742a68eb23c67458bbc053e2518e836710b826ecc4bf999cdf108a684fcd60",
    "VA3": "868a7a357ebd396f33e92eef2f236609a4f2bd804014f455fababbbe59461f44",
    "VA4": "aab290db29d8c85d73c3541978588f50b21fa056099f65b930cac190102599a9",
    "VA5": "ce0e93adee9b2c23f471be8a0eaff1a706b83438e591d85648b4f79e6452b2ca",
    "VA6": "f9ef0435467fa9c909b02f55accfea3736e14e2579b029115d8c5362ec0be313",
    "VA7": "222c26431f232a5b8bb8b9e0c8a797a7c019d8de96a61730dc202d79a6bc2c54",
    "VA8": "03370832b89f163f457d8cd30cafc8324693d6ba83d0cb5f3ac37d8e1483d1fd",
    "VA9": "c4a18a173085853cb32717ab7ba5f6542eceaa9e3a7d9937fefa41ad9d81d276",
    "VB1": "88a8721479c2ed3659226e6625c868e67bebdc4abbd16ed992c3ab4cfe073c53",
    "VB10": "9a3af74f96e9f9bb73758d3ae29fb52184a721271e11d3980af2b5d5d1341af6",
    "VB11": "4c45fa46384edf4c0294bdd6faf72ecba54cc65a8d6c34beec9db6d0e4e07909",
    "VB2": "5d1199e4ed6b7c7a406ac316d5b6de88cbf3ebb07a81d7ad00192a16ee0b5e9b",
    "VB3": "1aa98c2872cf182d25f78c933690be3c28e374e5885c34eec8441d4c66bcf6c5",
    "VB4": "7f4c0d585a100df2dc5260a837eed620b2c32c53795a8cae465d518727a32c09",
    "VB5": "5cec20d3a414bc4c9f6c2ceef43d2640362b8dc20b91f6238661cd03951c8f15",
    "VB6": "57bd7449aaecc1c6db0085ded44a209e3662d7b8426dd5b7b596e1472ac57c60",
    "VB7": "c3603a79636a1afd447f9fb4390441f7908e68c4d9d249075bfe9df4d46658fc",
    "VB8": "5770c3a53f93c403a8d8383750a54ea4e4e4a36b8a2503db9c6a9f9e8594ae97",
    "VB9": "382191ed8ab241ec645ca86cde6673a68091f7b60aeb987fb81bab22ca999470",
    "VC1": "a189842e570de451a6ced5fdbff208f41a0b5265043911d312a070f64ac597a3",
    "VC2": "7e8fd5c0ab7d52835b86a1947e2b7ca2afb7eb54ba5313298d4cdc7b677828d7",
    "VC3": "33dc7357ed1a3af3d23c1756ce1505884b90cbaeb7096f2d462d2f3862e6cc0d",
    "VC4": "e080a3ac1483dda48c5161b71b8b616b51537fc15e5bf088dcc6d3b27e5a81e1",
    "VC5": "7d560bc934fdee584c168bb6f55d2de2bd4747ce3e2b6e8a90efcbd9653fd41e",
    "VC6": "21dbe10cfa624cfe0426a915658855cc077a6cab4d181a7f07d498b9bba28683",
    "VD1": "df4d00a952e6062fbe63c4ae39122d0cabc25acf9f78dffa6dbdfc4e82b6a677",
    "VD10": "8b54c70a6fdd63549909aaaee87ced0ad093e585df341aa6213318f8ca21cca8",
    "VD11": "04231e17a6eae258518799a18ddc94d5eefd07883b58dda7135755a246d2d964",
    "VD12": "b3a254f820f96dc24cf59d2ab571d99f15aeb767a7dc994fe92057d7264e2e15",
    "VD13": "b57dab55336aa1e9064fc273921590bd5b02896e2152e762cb018520df9794d0",
    "VD2": "a04df19bc3cf30bd2db00ad1e0fac94280076f22c7b0dbee092d9f8b900af42d",
    "VD3": "3e2e392cd2f3a525e8afe8c16575d59f327367dd6efd94772ace08f187b0cb6a",
    "VD4": "da87db7b75d42b9ba73e25523e8202337aa5e665b2e1f350eb194a2ee831e4e1",
    "VD5": "4d6aeb1a81a514dc539a0f31cf7bcbe62f27dad13d59a7abeb487754bf4d76b9",
    "VD6": "c02d891c63ce3c8e712c87747d809e73752ae65f53b31b9eea5433bf8cbb4ad6",
    "VD7": "eb5d3078707f2921d5c9b99e71339a503e1d792feda7ef9b05bcda891eda9e38",
    "VD8": "617db476b60a470296595391c40fe845c49d0b0979c67483ef947a32f26aa218",
    "VD9": "431cdccb520cfd1c0f7028d42c02b52f89200bdb5051fbcb9e03249ae91eea44",
}

if __name__ == "__main__":
    sys.exit(main())
