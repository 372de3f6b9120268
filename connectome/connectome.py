"""The :class:`Connectome` type: neurons table + edge table, with graph and matrix views.

A connectome is two tables:

``neurons``
    indexed by neuron name; columns such as ``class``, ``side``, ``type``,
    ``neurotransmitter``, ``neurotransmitters``, ``lineage``, ``x, y, z``.
``edges``
    columns ``pre, post, type, weight``; ``type`` is ``chemical`` (directed,
    pre -> post), ``electrical`` (gap junction, stored once per unordered pair)
    or ``nmj`` (neuromuscular junction; ``post`` names a muscle).

Every matrix view is ``W[pre, post]`` in the order of ``neurons.index``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .names import normalise_neuron_name
from .errors import ConnectomeError, EdgeTableError, UnknownNeuronError, UnknownNameError

__all__ = ["Connectome", "from_edgelist", "from_networkx", "EDGE_TYPES"]

EDGE_TYPES = ("chemical", "electrical", "nmj")
EDGE_COLUMNS = ["pre", "post", "type", "weight"]


class Connectome:
    """An immutable wiring diagram: neurons, synapses and their provenance.

    Build one with :func:`connectome.load`, :func:`from_edgelist` or
    :func:`from_networkx`; do not call the constructor with unvalidated tables.

    Attributes
    ----------
    name : str
        Dataset name (``"varshney2011"``) or a user-given label.
    neurons : pandas.DataFrame
        One row per neuron, indexed by name (a copy: editing it changes nothing here).
    edges : pandas.DataFrame
        Columns ``pre, post, type, weight`` (a copy).
    muscles : tuple of str
        Postsynaptic targets of ``nmj`` edges that are not neurons.
    provenance : dict
        Citation, licence, source files and hashes (empty for user data).
    dropped : pandas.DataFrame
        Rows removed by ``drop_invalid=True``, with a ``reason`` column (empty otherwise).
    """

    __slots__ = ("_name", "_neurons", "_edges", "_muscles", "_provenance", "_dropped")

    def __init__(self, name, neurons, edges, muscles=(), provenance=None, dropped=None):
        object.__setattr__(self, "_name", str(name))
        object.__setattr__(self, "_neurons", neurons)
        object.__setattr__(self, "_edges", edges.reset_index(drop=True))
        object.__setattr__(self, "_muscles", tuple(muscles))
        object.__setattr__(self, "_provenance", dict(provenance or {}))
        if dropped is None:
            dropped = pd.DataFrame(columns=EDGE_COLUMNS + ["reason"])
        object.__setattr__(self, "_dropped", dropped)

    def __setattr__(self, key, value):
        raise AttributeError(f"Connectome is immutable; cannot set {key!r}")

    # -- tables ---------------------------------------------------------------
    name = property(lambda self: self._name, doc="Dataset name or user label.")
    muscles = property(lambda self: self._muscles, doc="Muscle targets of nmj edges.")
    provenance = property(lambda self: dict(self._provenance), doc="Source and hashes.")

    @property
    def neurons(self) -> pd.DataFrame:
        """Neurons table indexed by name (a copy)."""
        return self._neurons.copy()

    @property
    def edges(self) -> pd.DataFrame:
        """Edge table ``pre, post, type, weight`` (a copy)."""
        return self._edges.copy()

    @property
    def dropped(self) -> pd.DataFrame:
        """Rows removed by ``drop_invalid=True`` with the reason (a copy)."""
        return self._dropped.copy()

    @property
    def names(self) -> list[str]:
        """Neuron names in matrix order."""
        return list(self._neurons.index)

    def __len__(self) -> int:
        return len(self._neurons)

    def __repr__(self) -> str:
        counts = self._edges.groupby("type")["weight"].agg(["size", "sum"])
        parts = [f"{t}: {int(r['size'])} connections / {r['sum']:g}" for t, r in counts.iterrows()]
        return f"<Connectome {self._name!r}: {len(self)} neurons; " + "; ".join(parts) + ">"

    def summary(self) -> pd.DataFrame:
        """Connections (rows) and summed weight per edge type."""
        g = self._edges.groupby("type")["weight"]
        return pd.DataFrame({"connections": g.size(), "weight": g.sum()}).reindex(
            [t for t in EDGE_TYPES if t in set(self._edges["type"])]
        )

    def neuron(self, name: str) -> str:
        """Return the canonical name of neuron `name`, or raise with close matches.

        Accepts zero-padded or lower-case spellings (``"va08"`` -> ``"VA8"``).
        """
        idx = self._neurons.index
        if name in idx:
            return name
        canon = normalise_neuron_name(name)
        if canon in idx:
            return canon
        raise UnknownNeuronError(name, idx, where=f"connectome {self._name!r}")

    def select_edges(self, type: str | None = None) -> pd.DataFrame:
        """Edge rows of one `type` (or all when None)."""
        if type is None:
            return self.edges
        _check_type(type)
        return self._edges[self._edges["type"] == type].reset_index(drop=True)

    # -- signs ----------------------------------------------------------------
    def chemical_signs(self, rule=None) -> pd.DataFrame:
        """Chemical edges with a ``sign`` column (+1 excitatory, -1 inhibitory).

        Parameters
        ----------
        rule : str or callable, optional
            A name from :data:`connectome.signs.SIGN_RULES`: ``"classic_gaba"``
            (the default: the 26 GABAergic neurons of McIntire et al. 1993, as in
            c302 and Kunert et al. 2014), ``"gaba"`` (GABA in Wang et al. 2024),
            ``"gaba+glutamate"``, ``"excitatory"``; or a callable
            ``rule(neurons, edges) -> array of +1/-1``.
        """
        from .signs import resolve_rule

        chem = self.select_edges("chemical")
        sign = np.asarray(resolve_rule(rule)(self._neurons, chem))
        if sign.shape != (len(chem),) or not np.isin(sign, (-1, 1)).all():
            raise ValueError("a sign rule must return one +1 or -1 per chemical edge")
        chem["sign"] = sign.astype(np.int8)
        return chem

    # -- matrix and graph views -----------------------------------------------
    def adjacency(self, type: str = "chemical", dtype=None):
        """Sparse weight matrix ``W[pre, post]`` of one synapse type.

        Parameters
        ----------
        type : {"chemical", "electrical", "nmj"}
            Synapse type. ``electrical`` is returned symmetric (each gap junction
            counted in both directions; a self-junction sits on the diagonal once).
            ``nmj`` has shape ``(n_neurons, n_muscles)`` in the order of :attr:`muscles`.
        dtype : numpy dtype, optional
            Defaults to the weights' dtype.

        Returns
        -------
        scipy.sparse.csr_array
            Rows and columns in the order of ``neurons.index``.
        """
        import scipy.sparse as sp

        edges = self.select_edges(type)
        rows = self._neurons.index.get_indexer(edges["pre"])
        cols_index = pd.Index(self._muscles) if type == "nmj" else self._neurons.index
        cols = cols_index.get_indexer(edges["post"])
        w = edges["weight"].to_numpy()
        if dtype is not None:
            w = w.astype(dtype)
        shape = (len(self._neurons), len(cols_index))
        if type == "electrical":
            off = rows != cols
            rows, cols, w = (
                np.concatenate([rows, cols[off]]),
                np.concatenate([cols, rows[off]]),
                np.concatenate([w, w[off]]),
            )
        mat = sp.csr_array((w, (rows, cols)), shape=shape)
        mat.sum_duplicates()
        mat.sort_indices()
        return mat

    def graph(self, muscles: bool = False):
        """A :class:`networkx.MultiDiGraph` of the connectome.

        Nodes are neurons carrying their metadata as attributes. Every edge has
        ``type`` and ``weight`` attributes and its type as key: chemical synapses
        are directed; each gap junction becomes two opposite edges of equal weight
        (a self-junction one self-loop). Muscles and nmj edges are included
        only when `muscles` is True (muscle nodes get ``kind="muscle"``).
        """
        import networkx as nx

        G = nx.MultiDiGraph(name=self._name)
        meta = self._neurons.astype(object).where(self._neurons.notna(), None)
        for name, row in zip(meta.index, meta.to_dict("records")):
            G.add_node(name, kind="neuron", **row)
        for pre, post, typ, w in self._edges[EDGE_COLUMNS].itertuples(index=False):
            w = w.item() if hasattr(w, "item") else w
            if typ == "nmj":
                if not muscles:
                    continue
                if post not in G:
                    G.add_node(post, kind="muscle")
            G.add_edge(pre, post, key=typ, type=typ, weight=w)
            if typ == "electrical" and pre != post:
                G.add_edge(post, pre, key=typ, type=typ, weight=w)
        return G

    def restrict(self, neurons) -> "Connectome":
        """A new connectome with only `neurons` (in the given order) and the edges among them.

        nmj edges from kept neurons are kept.

        Raises
        ------
        UnknownNeuronError
            A name that is not a neuron of this connectome (with close matches).
        DuplicateNameError
            A neuron listed twice.
        """
        if isinstance(neurons, str):
            neurons = [neurons]
        names = [self.neuron(n) for n in neurons]
        keep = set(names)
        if len(keep) != len(names):
            from .errors import DuplicateNameError

            twice = sorted({nm for nm in names if names.count(nm) > 1})
            raise DuplicateNameError(f"restrict lists {', '.join(map(repr, twice))} twice; list each neuron once")
        e = self._edges
        mask = e["pre"].isin(keep) & (e["post"].isin(keep) | (e["type"] == "nmj"))
        edges = e[mask]
        mus = [m for m in self._muscles if m in set(edges.loc[edges["type"] == "nmj", "post"])]
        return Connectome(self._name, self._neurons.loc[names], edges, mus, self._provenance)


# -- validation ------------------------------------------------------------------
def _check_type(type):
    if type not in EDGE_TYPES:
        raise UnknownNameError(type, EDGE_TYPES, kind="synapse type")


def _validate_edges(edges, neuron_names, muscles, drop_invalid):
    """Check an edge table; return (clean edges, dropped rows with reasons)."""
    if not isinstance(edges, pd.DataFrame):
        raise EdgeTableError(f"edges must be a pandas DataFrame, got {type(edges).__name__}")
    missing = [c for c in EDGE_COLUMNS if c not in edges.columns]
    if missing:
        raise EdgeTableError(
            f"edge table is missing column(s) {missing}; expected columns {EDGE_COLUMNS} "
            f"(got {list(edges.columns)})"
        )
    e = edges[EDGE_COLUMNS].reset_index(drop=True).copy()
    missing_name = np.zeros(len(e), dtype=bool)
    for col in ("pre", "post"):   # None, NaN, "" or non-text names: reported as rows, never sorted or compared
        ok = e[col].map(lambda x: isinstance(x, str) and bool(x.strip()))
        missing_name |= ~ok.to_numpy(dtype=bool)
        e[col] = [x.strip() if isinstance(x, str) else "" for x in e[col]]
    e["type"] = e["type"].astype(str).str.strip().str.lower()
    weight = pd.to_numeric(e["weight"], errors="coerce")

    problems = [(missing_name, "missing or non-text neuron name")]  # (boolean mask, reason)
    problems.append((~e["type"].isin(EDGE_TYPES), f"unknown synapse type (allowed: {', '.join(EDGE_TYPES)})"))
    problems.append((weight.isna() | ~np.isfinite(weight.fillna(0)), "weight is missing, NaN, infinite or not a number"))
    problems.append((weight.notna() & (weight <= 0), "weight is zero or negative"))
    known_pre = set(neuron_names)
    known_post = known_pre | set(muscles)
    problems.append((~e["pre"].isin(known_pre), "unknown presynaptic neuron"))
    is_nmj = e["type"] == "nmj"
    problems.append(
        (~is_nmj & ~e["post"].isin(known_pre) | is_nmj & ~e["post"].isin(known_post),
         "unknown postsynaptic neuron or muscle"),
    )
    # one row per (pre, post, type); gap junctions once per unordered pair
    a = np.where(e["type"] == "electrical", np.minimum(e["pre"], e["post"]), e["pre"])
    b = np.where(e["type"] == "electrical", np.maximum(e["pre"], e["post"]), e["post"])
    key = pd.DataFrame({"a": a, "b": b, "t": e["type"]})
    problems.append(
        (key.duplicated(keep=False),
         "duplicate connection (gap junctions must appear once per unordered pair)"),
    )

    bad = np.zeros(len(e), dtype=bool)
    reasons = pd.Series("", index=e.index, dtype=object)
    for mask, reason in problems:
        mask = np.asarray(mask, dtype=bool)
        reasons[mask & ~bad] = reason
        bad |= mask
    if bad.any() and not drop_invalid:
        rows = edges.reset_index(drop=True).loc[bad, EDGE_COLUMNS].assign(reason=reasons[bad])
        raise EdgeTableError(
            f"{int(bad.sum())} edge row(s) rejected ({'; '.join(sorted(set(reasons[bad])))})"
            f"{_name_hints(rows, known_post)}. Fix them, or pass drop_invalid=True to drop and report them",
            rows,
        )
    dropped = e[bad].assign(reason=reasons[bad])
    clean = e[~bad].copy()
    w = weight[~bad]
    clean["weight"] = w.astype(np.int64) if (w == np.round(w)).all() else w.astype(float)
    if drop_invalid and len(dropped):
        warnings.warn(
            f"dropped {len(dropped)} invalid edge row(s); see Connectome.dropped for the reasons",
            stacklevel=3,
        )
    # canonical storage: gap junctions as pre <= post
    el = clean["type"] == "electrical"
    lo = np.minimum(clean.loc[el, "pre"], clean.loc[el, "post"])
    hi = np.maximum(clean.loc[el, "pre"], clean.loc[el, "post"])
    clean.loc[el, "pre"], clean.loc[el, "post"] = lo, hi
    return clean.reset_index(drop=True), dropped.reset_index(drop=True)


def _name_hints(rows, known):
    """' (did you mean ...)' hints for the unknown names among rejected rows."""
    from .errors import close_matches

    hints = []
    for col, tag in (("pre", "presynaptic"), ("post", "postsynaptic")):
        for nm in sorted(set(rows.loc[rows["reason"].str.contains(tag), col].astype(str)))[:3]:
            m = close_matches(nm, known)
            hints.append(f"{nm!r}: did you mean {', '.join(map(repr, m))}?" if m else f"{nm!r}: no close match")
    return f" [{'; '.join(hints)}]" if hints else ""


def _validate_neurons(neurons):
    if isinstance(neurons, pd.DataFrame):
        df = neurons.copy()
        if "name" in df.columns:
            df = df.set_index("name")
    else:
        df = pd.DataFrame(index=pd.Index([str(n) for n in neurons]))
    df.index = df.index.astype(str)
    df.index.name = "name"
    dup = df.index[df.index.duplicated()]
    if len(dup):
        raise EdgeTableError(f"neuron table lists these names more than once: {sorted(set(dup))}")
    return df


def from_edgelist(edges, neurons=None, *, muscles=(), name: str = "custom", drop_invalid: bool = False):
    """Build a :class:`Connectome` from any species' edge table.

    Parameters
    ----------
    edges : pandas.DataFrame
        Columns ``pre, post, type, weight`` (extra columns are ignored), or the
        pandas/NetworkX convention ``source, target`` (and ``weight``). ``type`` in
        ``{"chemical", "electrical", "nmj"}`` (default ``"chemical"`` when the column is
        absent); ``weight`` finite and positive. Gap junctions are listed once per
        unordered pair.
    neurons : pandas.DataFrame or sequence of str, optional
        Neuron table (indexed by name, or with a ``name`` column) or names.
        Defines the neuron order. Defaults to every name in `edges` (sorted).
    muscles : sequence of str, optional
        Allowed non-neuron targets of ``nmj`` edges. Defaults to all nmj targets
        that are not neurons.
    name : str
        Label of the connectome.
    drop_invalid : bool
        If False (default) any invalid row raises :class:`EdgeTableError`
        naming the rows. If True invalid rows are dropped, a warning is issued
        and the rows with their reasons are kept in :attr:`Connectome.dropped`.

    Returns
    -------
    Connectome

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"pre": ["A", "A"], "post": ["B", "C"],
    ...                   "type": ["chemical", "electrical"], "weight": [3, 1]})
    >>> c = from_edgelist(e)
    >>> c.adjacency("electrical").toarray().tolist()
    [[0, 0, 1], [0, 0, 0], [1, 0, 0]]
    """
    if not isinstance(edges, pd.DataFrame):
        raise EdgeTableError(f"edges must be a pandas DataFrame, got {type(edges).__name__}")
    edges = _conventional_columns(edges)
    has_cols = {"pre", "post", "type"} <= set(edges.columns)
    is_nmj = edges["type"].astype(str).str.strip().str.lower() == "nmj" if has_cols else None
    if neurons is None and has_cols:
        def named(col):  # missing names (None, NaN, "") are reported by the row checks, not sorted here
            return {str(x).strip() for x in col if isinstance(x, str) and x.strip()}

        names = named(edges["pre"]) | named(edges.loc[~is_nmj, "post"])
        neuron_df = pd.DataFrame(index=pd.Index(sorted(names), name="name"))
    else:
        neuron_df = _validate_neurons(neurons)
    if not muscles and has_cols:
        muscles = sorted(set(edges.loc[is_nmj, "post"].astype(str).str.strip()) - set(neuron_df.index))
    clean, dropped = _validate_edges(edges, neuron_df.index, muscles, drop_invalid)
    used = set(clean.loc[clean["type"] == "nmj", "post"])
    muscles = [m for m in muscles if m in used]
    return Connectome(name, neuron_df, clean, muscles, dropped=dropped)


def _conventional_columns(edges: pd.DataFrame) -> pd.DataFrame:
    """``source/target`` -> ``pre/post``; default ``type`` chemical when absent (``weight`` is required)."""
    cols = set(edges.columns)
    if not {"pre", "post"} <= cols and {"source", "target"} <= cols:
        edges = edges.rename(columns={"source": "pre", "target": "post"})
    if {"pre", "post"} <= set(edges.columns):
        if "type" not in edges.columns:
            edges = edges.assign(type="chemical")
    return edges


def from_networkx(G, *, name: str | None = None, drop_invalid: bool = False):
    """Build a :class:`Connectome` from a NetworkX graph.

    Nodes become neurons (node attributes become columns), except nodes with
    ``kind="muscle"``. Each edge needs a ``weight`` (default 1) and may carry a
    ``type`` (default ``"chemical"``). Gap junctions may be given as two opposite
    edges of equal weight (as :meth:`Connectome.graph` produces) or once; an
    undirected graph's edges are read once.

    Returns
    -------
    Connectome

    Raises
    ------
    EdgeTableError
        Opposite gap-junction edges with different weights, or any row that
        :func:`from_edgelist` rejects.
    ConnectomeError
        `G` is not a NetworkX graph.
    """
    import networkx as nx

    if not isinstance(G, nx.Graph):
        raise ConnectomeError(f"from_networkx needs a networkx graph, got {type(G).__name__}")
    muscles = [n for n, d in G.nodes(data=True) if d.get("kind") == "muscle"]
    neuron_nodes = [n for n, d in G.nodes(data=True) if d.get("kind") != "muscle"]
    rows = [
        {k: v for k, v in d.items() if k != "kind"} for n, d in G.nodes(data=True) if d.get("kind") != "muscle"
    ]
    neurons = pd.DataFrame(rows, index=pd.Index([str(n) for n in neuron_nodes], name="name"))
    records = []
    for u, v, d in G.edges(data=True):
        records.append((str(u), str(v), d.get("type", "chemical"), d.get("weight", 1)))
    edges = pd.DataFrame(records, columns=EDGE_COLUMNS)
    el = edges["type"] == "electrical"
    if el.any() and G.is_directed():
        gap = edges[el].copy()
        gap["a"] = np.minimum(gap["pre"], gap["post"])
        gap["b"] = np.maximum(gap["pre"], gap["post"])
        grouped = gap.groupby(["a", "b"])["weight"]
        unequal = grouped.nunique() > 1
        if unequal.any():
            bad = gap.set_index(["a", "b"]).loc[unequal[unequal].index].reset_index(drop=True)
            raise EdgeTableError("gap junctions with different weights in the two directions", bad[EDGE_COLUMNS])
        once = grouped.first().reset_index().rename(columns={"a": "pre", "b": "post"})
        once["type"] = "electrical"
        edges = pd.concat([edges[~el], once[EDGE_COLUMNS]], ignore_index=True)
    return from_edgelist(
        edges, neurons, muscles=muscles, name=name or G.graph.get("name") or "custom", drop_invalid=drop_invalid
    )
