"""Export a :class:`~connectome.Wiring` to other frameworks.

* :func:`masks` -- boolean / signed masks as dense NumPy arrays or SciPy sparse matrices.
* :func:`to_dict` / :func:`from_dict`, :func:`to_json` / :func:`from_json` --
  a plain, lossless dict/JSON form (lists of indices, weights and signs).
* :func:`to_ncps` -- an ``ncps.wirings.Wiring`` (optional dependency ``ncps``,
  imported only inside the function).
* :func:`outputs_first` -- reorder explicitly so the outputs come first (what
  ``ncps`` expects of its motor neurons).

All matrices are ``[pre, post]`` (``[src, dest]`` in ncps) in the wiring's
neuron order; input maps are ``[channel, neuron]``, output maps ``[neuron, channel]``.
"""

from __future__ import annotations

import json

import numpy as np

from .errors import WiringError

__all__ = ["masks", "to_dict", "from_dict", "to_json", "from_json", "to_ncps", "outputs_first"]

_DICT_FORMAT = "connectome.wiring"
_DICT_VERSION = 1


def masks(w, *, dense: bool = True) -> dict:
    """Synapse masks of a wiring.

    Parameters
    ----------
    w : Wiring
    dense : bool
        NumPy arrays (True, default) or ``scipy.sparse.csr_array`` (False).

    Returns
    -------
    dict
        ``chemical`` bool (n, n) ``[pre, post]``; ``sign`` int8 (n, n) with +1 / -1
        on chemical synapses and 0 elsewhere; ``electrical`` bool (n, n),
        symmetric; ``input`` bool (n_input_channels, n); ``input_sign`` int8
        (n_input_channels, n); ``output`` bool (n, n_output_channels).
    """
    import scipy.sparse as sp

    def boolean(m):
        b = sp.csr_array(m != 0)
        return b.toarray() if dense else b

    M = w.input_matrix()
    S = sp.csr_array(M.sign()).astype(np.int8)
    sign = sp.csr_array(w.sign).astype(np.int8)
    return {
        "chemical": w.mask("chemical", dense=dense),
        "sign": sign.toarray() if dense else sign,
        "electrical": w.mask("electrical", dense=dense),
        "input": boolean(M),
        "input_sign": S.toarray() if dense else S,
        "output": boolean(w.output_matrix()),
    }


def _is_missing(v):
    import pandas as pd

    return v is None or (np.ndim(v) == 0 and bool(pd.isna(v)))


def _coo_lists(m):
    c = m.tocoo()
    order = np.lexsort((c.col, c.row))
    return c.row[order].tolist(), c.col[order].tolist(), c.data[order].tolist()


def to_dict(w) -> dict:
    """A plain-Python (JSON-serialisable) description of `w`, lossless.

    Returns
    -------
    dict
        ``format``, ``version``, ``name``, ``neurons``; ``chemical`` with lists
        ``pre``, ``post`` (indices into ``neurons``), ``weight``, ``sign``;
        ``electrical`` with ``a <= b``, ``weight`` (each gap junction once);
        ``inputs``, ``outputs``, ``input_channels``, ``output_channels``;
        ``input_map`` (``channel``, ``neuron``, ``weight``, ``sign``) and
        ``output_map`` (``neuron``, ``channel``, ``weight``), or None for the
        default maps; ``metadata`` (``columns``, ``dtypes``, ``data``); ``info``.
    """
    import scipy.sparse as sp

    from .wiring_checks import json_default as _json_default

    pre, post, weight = _coo_lists(w.chemical)
    _, _, sign = _coo_lists(w.sign)
    a, b, gw = _coo_lists(sp.triu(w.electrical).tocsr())
    meta = w.metadata
    data = {}
    for c in meta.columns:  # missing values become null (restored by the column dtype)
        col = meta[c].astype(object)
        data[str(c)] = [None if _is_missing(v) else (v.item() if isinstance(v, np.generic) else v)
                        for v in col.tolist()]
    out = {
        "format": _DICT_FORMAT, "version": _DICT_VERSION, "name": w.name, "neurons": list(w.neurons),
        "chemical": {"pre": pre, "post": post, "weight": weight, "sign": [int(s) for s in sign]},
        "electrical": {"a": a, "b": b, "weight": gw},
        "inputs": list(w.inputs), "outputs": list(w.outputs),
        "input_channels": list(w.input_channels), "output_channels": list(w.output_channels),
        "input_map": None, "output_map": None,
        "metadata": {"columns": [str(c) for c in meta.columns], "dtypes": [str(meta[c].dtype) for c in meta.columns],
                     "data": data},
        "info": json.loads(json.dumps(w.info, default=_json_default)),
    }
    if w.input_map is not None:
        ch, nr, wt = _coo_lists(w.input_map)
        _, _, sg = _coo_lists(w.input_sign)
        out["input_map"] = {"shape": list(w.input_map.shape), "channel": ch, "neuron": nr, "weight": wt,
                            "sign": [int(s) for s in sg]}
    if w.output_map is not None:
        nr, ch, wt = _coo_lists(w.output_map)
        out["output_map"] = {"shape": list(w.output_map.shape), "neuron": nr, "channel": ch, "weight": wt}
    return out


def from_dict(d: dict):
    """Rebuild a :class:`~connectome.Wiring` from :func:`to_dict` output.

    Raises
    ------
    WiringError
        Not a dict of this format / version, or inconsistent content.
    """
    import pandas as pd
    import scipy.sparse as sp

    from .wiring import Wiring

    if not isinstance(d, dict) or d.get("format") != _DICT_FORMAT:
        raise WiringError(f"not a wiring dict: expected format {_DICT_FORMAT!r}, got "
                          f"{d.get('format') if isinstance(d, dict) else type(d).__name__!r}")
    if d.get("version") != _DICT_VERSION:
        raise WiringError(f"unsupported wiring dict version {d.get('version')!r} (this version reads {_DICT_VERSION})")
    names = d["neurons"]
    n = len(names)
    ch = d["chemical"]
    W = sp.csr_array((np.asarray(ch["weight"], float), (ch["pre"], ch["post"])), shape=(n, n))
    S = sp.csr_array((np.asarray(ch["sign"], float), (ch["pre"], ch["post"])), shape=(n, n))
    el = d["electrical"]
    a, b, gw = np.asarray(el["a"], int), np.asarray(el["b"], int), np.asarray(el["weight"], float)
    off = a != b
    G = sp.csr_array((np.r_[gw, gw[off]], (np.r_[a, b[off]], np.r_[b, a[off]])), shape=(n, n))
    md = d["metadata"]
    cols = {}
    for c, dt in zip(md["columns"], md["dtypes"]):
        vals = md["data"][c]
        s = pd.Series(vals, dtype=object)
        cols[c] = s if dt == "object" else s.astype(dt)
    meta = pd.DataFrame(cols, columns=md["columns"])
    meta.index = pd.Index(names, name="name")
    kw = {}
    if d.get("input_map") is not None:
        im = d["input_map"]
        shape = tuple(im["shape"])
        kw["input_map"] = sp.csr_array((np.asarray(im["weight"], float), (im["channel"], im["neuron"])), shape=shape)
        kw["input_sign"] = sp.csr_array((np.asarray(im["sign"], float), (im["channel"], im["neuron"])), shape=shape)
    if d.get("output_map") is not None:
        om = d["output_map"]
        kw["output_map"] = sp.csr_array((np.asarray(om["weight"], float), (om["neuron"], om["channel"])),
                                        shape=tuple(om["shape"]))
    return Wiring(names, W, S, G, d["inputs"], d["outputs"], meta, d["name"],
                  input_channels=d["input_channels"], output_channels=d["output_channels"], info=d["info"], **kw)


def to_json(w, path=None, *, indent: int | None = None) -> str:
    """:func:`to_dict` as JSON text; also written (atomically) to `path` if given."""
    text = json.dumps(to_dict(w), indent=indent)
    if path is not None:
        from .atomic import atomic_path

        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return text


def from_json(text_or_path):
    """Read :func:`to_json` output from a JSON string or a file path."""
    from pathlib import Path

    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str) and not text_or_path.lstrip().startswith("{")):
        text = Path(text_or_path).read_text(encoding="utf-8")
    else:
        text = text_or_path
    return from_dict(json.loads(text))


def outputs_first(w, name: str | None = None):
    """The same wiring with its outputs first (in output order), then the rest in the current order."""
    rest = [nm for nm in w.neurons if nm not in set(w.outputs)]
    return w.subset(list(w.outputs) + rest, name=name)


def to_ncps(w, *, gap_junctions: str = "error"):
    """An ``ncps.wirings.Wiring`` with exactly the synapses of `w`.

    ``adjacency_matrix[src, dest]`` is the sign (+1 / -1) of each chemical
    synapse and 0 elsewhere; ``sensory_adjacency_matrix[channel, dest]`` is the
    sign of each input-map entry; ``output_dim`` is the number of outputs.
    ncps stores polarities only: weights are not exported.

    Parameters
    ----------
    w : Wiring
        Its outputs must be its first neurons, in order (ncps reads the first
        ``output_dim`` neurons as motor neurons): use :func:`outputs_first`.
        It needs at least one input channel.
    gap_junctions : {"error", "drop"}
        ncps has no gap junctions: refuse (default) or drop them.

    Raises
    ------
    ImportError
        ``ncps`` is not installed (``pip install ncps``).
    WiringError
        Outputs not first, no input channel, or gap junctions with ``"error"``.
    """
    if gap_junctions not in ("error", "drop"):
        raise WiringError(f"gap_junctions must be 'error' or 'drop', got {gap_junctions!r}")
    k = len(w.outputs)
    if k == 0:
        raise WiringError("to_ncps needs at least one output (motor) neuron")
    if tuple(w.neurons[:k]) != tuple(w.outputs):
        raise WiringError(
            f"ncps reads its first {k} neurons as the outputs, but this wiring's outputs {list(w.outputs)[:5]} "
            f"are not its first neurons; export connectome.export.outputs_first(wiring) instead"
        )
    if w.electrical.nnz and gap_junctions == "error":
        raise WiringError(f"wiring has {w.electrical.nnz // 2} gap-junction pairs and ncps has no gap junctions; "
                          f"pass gap_junctions='drop' to export without them")
    M = w.input_matrix()
    if M.shape[0] == 0:
        raise WiringError("to_ncps needs at least one input channel (inputs or input_map)")
    try:
        from ncps import wirings
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("to_ncps needs the optional package ncps: pip install ncps") from exc

    out = wirings.Wiring(w.n)
    adj = np.zeros((w.n, w.n), dtype=np.int32)
    c = w.sign.tocoo()
    adj[c.row, c.col] = c.data.astype(np.int32)
    out.adjacency_matrix = adj
    out.build(M.shape[0])
    sens = np.zeros(M.shape, dtype=np.int32)
    m = M.tocoo()
    sens[m.row, m.col] = np.sign(m.data).astype(np.int32)
    out.sensory_adjacency_matrix = sens
    out.set_output_dim(k)
    return out
