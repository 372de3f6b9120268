"""Reading large connectome tables from disk into a :class:`~connectome.Wiring` in O(synapses).

Shared machinery of the format readers (:mod:`connectome.flywire`,
:mod:`connectome.neuprint`) and the generic :func:`read_edge_list`:

* tables are read with pandas' C parser (``.csv``, ``.csv.gz``, ``.tsv``, any
  compression pandas infers) or, for ``.parquet``, with pyarrow (the optional
  extra ``pip install "circuitsim[parquet]"``);
* every problem is a named subclass of :class:`~connectome.EdgeTableError`
  (:class:`~connectome.errors.MissingColumnsError`,
  :class:`~connectome.errors.InvalidIdError`,
  :class:`~connectome.errors.UnknownIdError`,
  :class:`~connectome.errors.InvalidCountError`,
  :class:`~connectome.errors.DuplicateConnectionError`,
  :class:`~connectome.errors.UnknownTransmitterError`) whose ``rows`` are the
  offending rows, indexed by their ``line`` in the file (the header is line 1);
* rows of the same ``pre -> post`` pair are summed; the wiring is assembled with
  sparse COO -> CSR conversions (no Python loop over rows).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import (
    EdgeTableError,
    WiringError,
    InvalidCountError,
    InvalidIdError,
    MissingColumnsError,
    UnknownIdError,
    UnknownTransmitterError,
)

__all__ = ["read_edge_list", "read_table"]

_INT = r"\s*[+-]?\d+\s*"


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _require_pyarrow(path):
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ImportError(f"reading {str(path)!r} needs pyarrow: pip install \"circuitsim[parquet]\" "
                          "(or pip install pyarrow)") from None


def describe(source) -> str:
    """``"DataFrame"`` or the path of a table source (for ``Wiring.info``)."""
    return "DataFrame" if isinstance(source, pd.DataFrame) else str(os.fspath(source))


def label_of(what: str, source) -> str:
    """How error messages name a table: ``what`` and, for a file, its path."""
    return what if isinstance(source, pd.DataFrame) else f"{what} {str(os.fspath(source))!r}"


def read_table(source, required, *, optional=(), int_columns=(), what="table", sep=None) -> pd.DataFrame:
    """Read the `required` (and present `optional`) columns of a CSV/parquet file or a DataFrame.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
    required, optional : sequence of str
        Column names.
    int_columns : sequence of str
        Integer id columns, parsed as int64 (exact for 18-digit ids); a missing
        or non-integer value raises :class:`InvalidIdError`.
    what : str
        Named in error messages (e.g. ``"FlyWire connections"``).
    sep : str, optional
        CSV separator; default ``","`` (``"\\t"`` for ``.tsv``).

    Returns
    -------
    pandas.DataFrame
        Index ``line`` (file line numbers, header = 1) for CSV, ``row`` otherwise.

    Raises
    ------
    MissingColumnsError, InvalidIdError, FileNotFoundError
    """
    if isinstance(source, pd.DataFrame):
        header, label = [str(c) for c in source.columns], what
    else:
        path = Path(os.fspath(source))
        if not path.exists():
            raise FileNotFoundError(f"{what}: no file {str(path)!r}")
        label = f"{what} {str(path)!r}"
        if _is_parquet(path):
            _require_pyarrow(path)
            import pyarrow.parquet as pq

            header = list(pq.read_schema(path).names)
        else:
            if sep is None:
                sep = "\t" if path.name.lower().endswith((".tsv", ".tsv.gz")) else ","
            header = list(pd.read_csv(path, sep=sep, nrows=0).columns)
    missing = [c for c in required if c not in header]
    if missing:
        raise MissingColumnsError(f"{label} is missing column(s) {missing}; the format needs {list(required)} "
                                  f"(found {header})")
    cols = list(required) + [c for c in optional if c in header and c not in required]
    if isinstance(source, pd.DataFrame):
        df = source[cols].reset_index(drop=True)
        df.index = pd.RangeIndex(len(df), name="row")
    elif _is_parquet(path):
        df = pd.read_parquet(path, columns=cols)
        df.index = pd.RangeIndex(len(df), name="row")
    else:
        # ids as text: pandas' int64 parser would accept '7.2e17' or '...708.5' through float, inexactly
        df = pd.read_csv(path, sep=sep, usecols=cols, dtype={c: str for c in int_columns})
        df.index = pd.RangeIndex(2, len(df) + 2, name="line")
    for c in int_columns:
        df[c] = _int_ids(df, c, label)
    return df[cols]


def _int_ids(df, col, label) -> pd.Series:
    """Column `col` as exact int64 ids; text is validated once per distinct value (hash, O(rows))."""
    s = df[col]
    if s.dtype.kind in "iu":
        return s.astype(np.int64)
    if s.dtype.kind == "f":  # exact only up to 2**53: larger ids must come as text or integers
        x = s.to_numpy()
        bad = ~np.isfinite(x) | (x != np.round(x)) | (np.abs(x) > 2.0**53)
        values = np.where(bad, 0, x).astype(np.int64)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        text = pd.Series(uniques, dtype="string").str.strip()
        ok = text.str.fullmatch(_INT).fillna(False).to_numpy(dtype=bool)
        bad = (codes < 0) | ~ok[np.maximum(codes, 0)] if len(ok) else codes < 0
        values = np.where(ok, text.where(ok, "0"), "0").astype(np.int64)[np.maximum(codes, 0)] if len(ok) \
            else np.zeros(len(s), np.int64)
    if bad.any():
        raise InvalidIdError(f"{label}: {int(bad.sum())} row(s) with a missing (NaN, empty) or non-integer id in "
                             f"column {col!r}", df[bad])
    return pd.Series(values, index=df.index)


def check_counts(df, col, label) -> np.ndarray:
    """Column `col` as float64, or :class:`InvalidCountError` naming negative / missing / non-numeric rows."""
    values = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        rows = df[bad].copy()
        rows["reason"] = np.where(np.isnan(values[bad]), "missing or not a number",
                                  np.where(values[bad] < 0, "negative", "infinite"))
        raise InvalidCountError(f"{label}: {int(bad.sum())} row(s) with a negative, missing or non-numeric "
                                f"{col!r}", rows)
    return values


def transmitter_signs(df, col, mapping, label) -> np.ndarray:
    """+1 / -1 (float64) per row from the transmitter in `col`, via `mapping` (case-insensitive keys).

    Raises :class:`UnknownTransmitterError` for values (or blanks) that `mapping` lacks.
    """
    table = {str(k).strip().upper(): float(v) for k, v in mapping.items()}
    for k, v in table.items():
        if v not in (-1.0, 1.0):
            raise WiringError(f"transmitter sign for {k!r} must be +1 or -1, got {v!r}")
    raw = df[col].astype("string").str.strip().str.upper().fillna("")
    cat = raw.astype("category")
    codes = cat.cat.codes.to_numpy()
    cats = [str(c) for c in cat.cat.categories]
    known = np.array([c in table for c in cats], dtype=bool)
    bad = ~known[codes] if len(cats) else np.zeros(len(df), bool)
    if bad.any():
        unknown = sorted({cats[c] for c in np.unique(codes[bad])})
        raise UnknownTransmitterError(
            f"{label}: {int(bad.sum())} row(s) with a neurotransmitter that has no sign ({unknown}; known: "
            f"{sorted(table)}); pass a mapping that includes them (blank = '')", df[bad], unknown, list(table))
    values = np.array([table[c] for c in cats], dtype=np.float64)
    return values[codes] if len(cats) else np.zeros(0)


def positions(pre, post, order=None, rows=None, label="table"):
    """Neuron ids and the positions of `pre` / `post` among them.

    Parameters
    ----------
    pre, post : ndarray of int64 or object
        Ids per row.
    order : ndarray, optional
        The neurons (ids) in wiring order; rows naming other ids raise
        :class:`UnknownIdError`. Default: the sorted distinct ids of the rows.
    rows : pandas.DataFrame, optional
        The table (for the error's rows).

    Returns
    -------
    ids : ndarray (n,)
    pre_pos, post_pos : ndarray of int64 (rows,)
    """
    if order is None:
        ids, inv = np.unique(np.concatenate([pre, post]), return_inverse=True)
        return ids, inv[:len(pre)].astype(np.int64), inv[len(pre):].astype(np.int64)
    ids = np.asarray(order)
    sorter = np.argsort(ids, kind="stable")
    sorted_ids = ids[sorter]

    def find(x):
        at = np.minimum(np.searchsorted(sorted_ids, x), len(ids) - 1)
        return sorter[at].astype(np.int64), sorted_ids[at] == x

    pre_pos, ok_pre = find(pre)
    post_pos, ok_post = find(post)
    bad = ~(ok_pre & ok_post)
    if bad.any():
        raise UnknownIdError(f"{label}: {int(bad.sum())} row(s) name neurons that the neuron table does not list",
                             None if rows is None else rows[bad])
    return ids, pre_pos, post_pos


def assemble(n, pre, post, weight, sign=None):
    """CSR ``W[pre, post]`` (summed weights) and the majority sign per pair.

    Rows of one pair are summed. The pair's sign is the sign of
    ``sum(sign * weight)`` over its rows, i.e. that of the majority of its
    synapses; an exact tie counts as inhibitory. Rows with weight 0 are dropped.

    Returns
    -------
    W, S : scipy.sparse.csr_array, shape (n, n), float64
    """
    import scipy.sparse as sp

    keep = weight > 0
    pre, post, weight = pre[keep], post[keep], weight[keep]
    idx = np.int32 if n < 2**31 else np.int64
    W = sp.coo_array((weight, (pre.astype(idx), post.astype(idx))), shape=(n, n)).tocsr()
    W.sum_duplicates()
    if sign is None:
        return W, None
    net = sp.coo_array((sign[keep] * weight, (pre.astype(idx), post.astype(idx))), shape=(n, n)).tocsr()
    net.sum_duplicates()
    S = sp.csr_array((np.where(net.data > 0, 1.0, -1.0), net.indices, net.indptr), shape=(n, n))
    return W, S


def read_edge_list(source, *, pre: str = "pre", post: str = "post", weight: str | None = "weight",
                   sign: str | None = None, transmitter: str | None = None, transmitter_signs_map=None,
                   type: str | None = None, neurons=None, sep: str | None = None, name: str | None = None):
    """A :class:`~connectome.Wiring` from a generic edge list (CSV, TSV, parquet or DataFrame).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        ``.csv``, ``.csv.gz``, ``.tsv``; ``.parquet`` needs pyarrow
        (``pip install "circuitsim[parquet]"``).
    pre, post : str
        Columns of the presynaptic and postsynaptic neuron names or ids (read as
        text; a missing value raises :class:`~connectome.errors.InvalidIdError`).
    weight : str or None
        Column of synapse counts or weights (>= 0; rows of one pair are summed,
        zero rows dropped). None: every row weighs 1.
    sign : str, optional
        Column of +1 / -1 per row. Mutually exclusive with `transmitter`.
    transmitter : str, optional
        Column of neurotransmitter names, turned into signs by
        `transmitter_signs_map` (default :data:`connectome.flywire.FLYWIRE_SIGNS`).
    transmitter_signs_map : mapping, optional
    type : str, optional
        Column of ``"chemical"`` / ``"electrical"`` per row (default: all
        chemical). Electrical rows give a symmetric gap-junction matrix (a pair
        listed both ways is counted twice).
    neurons : sequence, optional
        Neuron names in wiring order (rows naming others raise
        :class:`~connectome.errors.UnknownIdError`); default: the sorted
        distinct names of the rows.
    sep : str, optional
    name : str, optional
        Default: the file's name.

    Returns
    -------
    Wiring
        Without a sign column every chemical synapse is excitatory. A pair's sign
        is that of the majority of its synapses (see :func:`assemble`).

    Raises
    ------
    MissingColumnsError, InvalidIdError, InvalidCountError, UnknownTransmitterError, UnknownIdError, EdgeTableError
        The message names the problem; ``.rows`` holds the offending rows.
    """
    import scipy.sparse as sp

    from .wiring import Wiring

    if sign is not None and transmitter is not None:
        raise EdgeTableError("give either a sign column or a transmitter column, not both")
    label = label_of("edge list", source)
    required = [pre, post] + [c for c in (weight, sign, transmitter, type) if c is not None]
    df = read_table(source, required, what="edge list", sep=sep)
    names = {}
    for col in (pre, post):
        text = df[col].astype("string").str.strip()
        bad = text.isna() | (text == "")
        if bad.any():
            raise InvalidIdError(f"{label}: {int(bad.sum())} row(s) with a missing (NaN, empty) neuron in column "
                                 f"{col!r}", df[bad])
        names[col] = text.to_numpy(dtype=object)
    w = np.ones(len(df)) if weight is None else check_counts(df, weight, label)
    if sign is not None:
        s = pd.to_numeric(df[sign], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isin(s, (-1.0, 1.0))
        if bad.any():
            raise EdgeTableError(f"{label}: {int(bad.sum())} row(s) with a sign other than +1 or -1 in column "
                                 f"{sign!r}", df[bad])
    elif transmitter is not None:
        from .flywire import FLYWIRE_SIGNS

        s = transmitter_signs(df, transmitter, transmitter_signs_map or FLYWIRE_SIGNS, label)
    else:
        s = np.ones(len(df))
    kind = np.zeros(len(df), dtype=bool)  # True = electrical
    if type is not None:
        t = df[type].astype("string").str.strip().str.lower()
        bad = ~t.isin(["chemical", "electrical"]).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            raise EdgeTableError(f"{label}: {int(bad.sum())} row(s) with a synapse type other than 'chemical' or "
                                 f"'electrical' in column {type!r}", df[bad])
        kind = (t == "electrical").to_numpy(dtype=bool)
    order = None if neurons is None else np.array([str(x) for x in neurons], dtype=object)
    ids, a, b = positions(names[pre], names[post], order, df, label)
    n = len(ids)
    W, S = assemble(n, a[~kind], b[~kind], w[~kind], s[~kind])
    G = None
    if kind.any():
        ga, gb, gw = a[kind], b[kind], w[kind]
        G = sp.coo_array((np.r_[gw, gw], (np.r_[ga, gb], np.r_[gb, ga])), shape=(n, n)).tocsr()
    src = describe(source)
    default = "edge_list" if isinstance(source, pd.DataFrame) else Path(src).name.split(".")[0]
    info = {"source": "edge_list", "file": src, "rows": int(len(df))}
    return Wiring([str(x) for x in ids], W, S, G, name=name or default, info=info)
