"""Statistics of a wiring: counts per layer, density, degrees, reciprocity, inhibition.

"Connections" count distinct ``pre -> post`` pairs (entries of the chemical
matrix); "weight" sums synapse weights (synapse counts for the datasets).
"""

from __future__ import annotations

import numpy as np

from .errors import WiringError

__all__ = ["degrees", "density", "reciprocity", "fraction_inhibitory", "layer_counts", "layer_connections",
           "summary"]


def _w(source):
    from .select import as_wiring

    return as_wiring(source)


def degrees(source):
    """Per-neuron degrees.

    Returns
    -------
    pandas.DataFrame
        Indexed by neuron (wiring order); columns ``in_degree``, ``out_degree``
        (chemical connections, self-synapses counted once each way),
        ``in_weight``, ``out_weight`` (summed chemical weight) and
        ``gap_degree`` (gap-junction partners, self excluded).
    """
    import pandas as pd

    w = _w(source)
    M = w.mask("chemical")
    g = w.electrical.tolil()
    g.setdiag(0)
    g = g.tocsr()
    g.eliminate_zeros()
    return pd.DataFrame(
        {
            "in_degree": np.asarray(M.sum(axis=0)).ravel().astype(np.int64),
            "out_degree": np.asarray(M.sum(axis=1)).ravel().astype(np.int64),
            "in_weight": np.asarray(w.chemical.sum(axis=0)).ravel(),
            "out_weight": np.asarray(w.chemical.sum(axis=1)).ravel(),
            "gap_degree": np.diff(g.indptr).astype(np.int64),
        },
        index=pd.Index(w.neurons, name="name"),
    )


def density(source, *, self_synapses: bool = False) -> float:
    """Chemical connections divided by the possible ones, ``n (n - 1)`` (or ``n^2`` with `self_synapses`).

    Self-synapses are not counted unless `self_synapses` is True.
    """
    w = _w(source)
    n = w.n
    if self_synapses:
        return w.chemical.nnz / (n * n)
    if n < 2:
        raise WiringError("density without self-synapses needs at least two neurons")
    off = w.chemical.nnz - int(np.count_nonzero(w.chemical.diagonal()))
    return off / (n * (n - 1))


def reciprocity(source) -> float:
    """Fraction of chemical connections ``a -> b`` (a != b) whose reverse ``b -> a`` also exists.

    Returns NaN for a wiring without connections between distinct neurons.
    """
    w = _w(source)
    M = w.mask("chemical").astype(np.int8).tolil()
    M.setdiag(0)
    M = M.tocsr()
    M.eliminate_zeros()
    if M.nnz == 0:
        return float("nan")
    both = M.multiply(M.T)
    return float(both.nnz / M.nnz)


def fraction_inhibitory(source, *, weighted: bool = False) -> float:
    """Fraction of chemical connections (or of chemical weight) that are inhibitory (NaN if none)."""
    w = _w(source)
    if w.chemical.nnz == 0:
        return float("nan")
    inh = w.sign.data < 0
    if weighted:
        return float(w.chemical.data[inh].sum() / w.chemical.data.sum())
    return float(inh.mean())


def _layers(w, column):
    if column not in w.metadata:
        raise WiringError(f"wiring {w.name!r} has no metadata column {column!r}; derive it with "
                          f"connectome.layered.layered() or pass column='type'")
    return w.metadata[column].astype(object).where(w.metadata[column].notna(), "unassigned")


def layer_counts(source, column: str = "layer"):
    """Neurons per layer (in order of first appearance) as a pandas Series."""
    w = _w(source)
    lay = _layers(w, column)
    return lay.value_counts(sort=False).rename("neurons")


def layer_connections(source, column: str = "layer", *, weighted: bool = False):
    """Chemical connections (or weight) from each layer (rows, pre) to each layer (columns, post).

    Returns
    -------
    pandas.DataFrame
        Square table in order of first appearance of the layers.
    """
    import pandas as pd

    w = _w(source)
    lay = _layers(w, column).to_numpy()
    order = list(dict.fromkeys(lay.tolist()))
    code = {k: i for i, k in enumerate(order)}
    c = w.chemical.tocoo()
    vals = c.data if weighted else np.ones(c.nnz)
    table = np.zeros((len(order), len(order)))
    np.add.at(table, (np.array([code[lay[i]] for i in c.row], dtype=np.int64),
                      np.array([code[lay[j]] for j in c.col], dtype=np.int64)), vals)
    df = pd.DataFrame(table, index=pd.Index(order, name="pre"), columns=pd.Index(order, name="post"))
    return df if weighted else df.astype(np.int64)


def summary(source, column: str | None = "layer") -> dict:
    """All statistics at once.

    Returns
    -------
    dict
        ``neurons``, ``chemical_connections``, ``chemical_weight``,
        ``electrical_pairs``, ``density``, ``reciprocity``,
        ``fraction_inhibitory``, ``fraction_inhibitory_weighted``,
        ``mean_degree``, ``inputs``, ``outputs``; and, when the metadata has
        `column`, ``layer_counts`` (Series) and ``layer_connections`` (DataFrame).
    """
    w = _w(source)
    out = {
        "neurons": w.n,
        "chemical_connections": int(w.chemical.nnz),
        "chemical_weight": float(w.chemical.sum()),
        "electrical_pairs": (int(w.electrical.nnz) + int(np.count_nonzero(w.electrical.diagonal()))) // 2,
        "density": density(w) if w.n > 1 else float("nan"),
        "reciprocity": reciprocity(w),
        "fraction_inhibitory": fraction_inhibitory(w),
        "fraction_inhibitory_weighted": fraction_inhibitory(w, weighted=True),
        "mean_degree": w.chemical.nnz / w.n,
        "inputs": len(w.inputs),
        "outputs": len(w.outputs),
    }
    if column is not None and column in w.metadata:
        out["layer_counts"] = layer_counts(w, column)
        out["layer_connections"] = layer_connections(w, column)
    return out
