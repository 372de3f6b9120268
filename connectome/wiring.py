"""The :class:`Wiring`: fixed neuron order + sparse synapse masks, the only thing a simulator needs.

Conventions
-----------
* Every user-facing matrix is ``W[pre, post]`` in the order of :attr:`Wiring.neurons`.
* Kernel views say their orientation in their names (``post_indptr``, ``pre_index``):
  nothing is transposed silently.
* Weights are float64 (synapse counts unless normalised), signs +1 / -1 per synapse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import UnknownNeuronError, WiringError

__all__ = ["Wiring", "ChemicalByPost", "ElectricalByNeuron"]

_FORMAT_VERSION = 1


class ChemicalByPost(NamedTuple):
    """Chemical synapses grouped by postsynaptic neuron (CSC of ``W[pre, post]``).

    The synapses onto neuron ``i`` are ``k in range(post_indptr[i], post_indptr[i+1])``
    with presynaptic neuron ``pre_index[k]``, weight ``weight[k]`` and sign ``sign[k]``.
    """

    post_indptr: np.ndarray  # int64 (n + 1,)
    pre_index: np.ndarray  # int64 (nnz,)
    weight: np.ndarray  # float64 (nnz,)
    sign: np.ndarray  # float64 (nnz,), +1 or -1


class ElectricalByNeuron(NamedTuple):
    """Gap junctions of each neuron (rows of the symmetric matrix).

    Neuron ``i`` is coupled to ``index[k]`` with conductance weight ``weight[k]``
    for ``k in range(indptr[i], indptr[i+1])``; self-junctions are omitted
    (they carry no current).
    """

    indptr: np.ndarray  # int64 (n + 1,)
    index: np.ndarray  # int64 (nnz,)
    weight: np.ndarray  # float64 (nnz,)


def _as_csr(mat, n, what, dtype=np.float64):
    if not sp.issparse(mat):
        mat = np.asarray(mat)
    mat = sp.csr_array(mat, dtype=dtype)
    if mat.shape != (n, n):
        raise WiringError(f"{what} must have shape ({n}, {n}) to match the neuron list, got {mat.shape}")
    mat.sum_duplicates()
    mat.eliminate_zeros()
    mat.sort_indices()
    return mat


def _freeze(mat):
    for arr in (mat.data, mat.indices, mat.indptr):
        arr.setflags(write=False)
    return mat


@dataclass(frozen=True, eq=False)
class Wiring:
    """An immutable, ordered neural wiring: the input every circuitsim model takes.

    Parameters
    ----------
    neurons : sequence of str
        Neuron names; this order is the order of every matrix and state vector.
    chemical : array_like or sparse, shape (n, n)
        Chemical synapse weights ``W[pre, post]`` (>= 0; zeros are no synapse).
    sign : array_like or sparse, shape (n, n), optional
        +1 (excitatory) or -1 (inhibitory) for every chemical synapse, with the
        sparsity of `chemical`. Default: all excitatory.
    electrical : array_like or sparse, shape (n, n), optional
        Symmetric gap-junction weights. Default: none.
    inputs : sequence of str, optional
        Neurons that receive external input (sensory), in channel order.
    outputs : sequence of str, optional
        Neurons that are read out (motor), in channel order.
    metadata : pandas.DataFrame, optional
        Per-neuron table indexed by name (rows reordered to `neurons`).
    name : str
        Label (e.g. ``"varshney2011"``).

    Raises
    ------
    WiringError
        Shape mismatches, negative or non-finite weights, an asymmetric
        electrical matrix, signs outside {+1, -1} or off the chemical pattern.
    UnknownNeuronError
        Input or output names that are not in `neurons`.
    """

    neurons: tuple
    chemical: sp.csr_array
    sign: sp.csr_array | None = None
    electrical: sp.csr_array | None = None
    inputs: tuple = ()
    outputs: tuple = ()
    metadata: pd.DataFrame | None = None
    name: str = ""
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        names = tuple(str(n) for n in self.neurons)
        if len(names) == 0:
            raise WiringError("a wiring needs at least one neuron")
        dup = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) != len(names) else []
        if dup:
            raise WiringError(f"neuron names must be unique; repeated: {dup}")
        n = len(names)
        set_ = object.__setattr__
        set_(self, "neurons", names)
        set_(self, "_index", {nm: i for i, nm in enumerate(names)})

        chem = _as_csr(self.chemical, n, "chemical")
        if not np.isfinite(chem.data).all() or (chem.data < 0).any():
            raise WiringError("chemical weights must be finite and non-negative")
        if self.sign is None:
            sign = chem.copy()
            sign.data = np.ones_like(chem.data)
        else:
            sign = _as_csr(self.sign, n, "sign")
            if sign.nnz != chem.nnz or not (
                np.array_equal(sign.indptr, chem.indptr) and np.array_equal(sign.indices, chem.indices)
            ):
                raise WiringError("sign must have exactly the sparsity pattern of chemical (one sign per synapse)")
            if not np.isin(sign.data, (-1.0, 1.0)).all():
                raise WiringError("sign values must be +1 or -1")
        gap = _as_csr(self.electrical if self.electrical is not None else sp.csr_array((n, n)), n, "electrical")
        if not np.isfinite(gap.data).all() or (gap.data < 0).any():
            raise WiringError("electrical weights must be finite and non-negative")
        if abs(gap - gap.T).sum() > 1e-12 * max(1.0, abs(gap).sum()):
            raise WiringError("electrical (gap junction) matrix must be symmetric")
        set_(self, "chemical", _freeze(chem))
        set_(self, "sign", _freeze(sign))
        set_(self, "electrical", _freeze(gap))
        set_(self, "inputs", tuple(self._resolve(x, "inputs") for x in self.inputs))
        set_(self, "outputs", tuple(self._resolve(x, "outputs") for x in self.outputs))
        meta = self.metadata if self.metadata is not None else pd.DataFrame(index=pd.Index(names, name="name"))
        meta = meta.reindex(pd.Index(names, name="name"))
        set_(self, "metadata", meta)

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_connectome(
        cls,
        conn,
        neurons=None,
        *,
        sign_rule=None,
        normalise: str | None = None,
        inputs="sensory",
        outputs="motor",
        name: str | None = None,
    ) -> "Wiring":
        """The wiring of a :class:`~connectome.Connectome` (or a part of it).

        Parameters
        ----------
        conn : Connectome
        neurons : sequence of str, optional
            Neurons to keep, in this order. Default: every neuron with at least
            one chemical or electrical synapse, in the connectome's order (for
            ``varshney2011`` the 279 somatic neurons of the connected network).
        sign_rule : str or callable, optional
            See :meth:`Connectome.chemical_signs` (default: GABAergic = inhibitory).
        normalise : {None, "max"}
            None keeps the dataset's weights (synapse counts); ``"max"`` divides
            each synapse type by its largest weight.
        inputs, outputs : str or sequence of str
            A neuron ``type`` (``"sensory"``, ``"motor"``...) selecting neurons
            from the metadata, or explicit names.
        name : str, optional
            Defaults to the connectome's name.
        """
        if neurons is None:
            e = conn.edges
            syn = e[e["type"] != "nmj"]
            present = set(syn["pre"]) | set(syn["post"])
            names = [nm for nm in conn.names if nm in present]
        else:
            names = [conn.neuron(nm) for nm in neurons]
        if not names:
            raise WiringError("the selection contains no neuron")
        pos = pd.Index(names)
        n = len(names)

        chem = conn.chemical_signs(sign_rule)
        chem = chem[chem["pre"].isin(pos) & chem["post"].isin(pos)]
        r, c = pos.get_indexer(chem["pre"]), pos.get_indexer(chem["post"])
        W = sp.csr_array((chem["weight"].to_numpy(float), (r, c)), shape=(n, n))
        S = sp.csr_array((chem["sign"].to_numpy(float), (r, c)), shape=(n, n))

        gap = conn.select_edges("electrical")
        gap = gap[gap["pre"].isin(pos) & gap["post"].isin(pos) & (gap["pre"] != gap["post"])]
        r, c = pos.get_indexer(gap["pre"]), pos.get_indexer(gap["post"])
        w = gap["weight"].to_numpy(float)
        G = sp.csr_array((np.r_[w, w], (np.r_[r, c], np.r_[c, r])), shape=(n, n))

        if normalise == "max":
            if W.nnz:
                W = W / W.max()
            if G.nnz:
                G = G / G.max()
        elif normalise is not None:
            raise WiringError(f"normalise must be None or 'max', got {normalise!r}")

        meta = conn.neurons.loc[names]

        def pick(spec):
            if isinstance(spec, str):
                if "type" not in meta:
                    return ()
                return tuple(meta.index[meta["type"] == spec])
            return tuple(conn.neuron(x) for x in spec)

        return cls(names, W, S, G, pick(inputs), pick(outputs), meta, name or conn.name)

    # -- lookups -----------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of neurons."""
        return len(self.neurons)

    def _resolve(self, name, what="neurons"):
        from ._names import normalise_neuron_name

        if name in self._index:
            return name
        canon = normalise_neuron_name(name)
        if canon in self._index:
            return canon
        raise UnknownNeuronError(name, self.neurons, where=f"wiring {self.name!r} ({what})")

    def index_of(self, names) -> np.ndarray:
        """Positions of `names` (str or sequence) in :attr:`neurons`; unknown names raise."""
        if isinstance(names, str):
            names = [names]
        return np.array([self._index[self._resolve(nm)] for nm in names], dtype=np.int64)

    @property
    def input_index(self) -> np.ndarray:
        """Positions of :attr:`inputs` (int64)."""
        return self.index_of(self.inputs) if self.inputs else np.zeros(0, np.int64)

    @property
    def output_index(self) -> np.ndarray:
        """Positions of :attr:`outputs` (int64)."""
        return self.index_of(self.outputs) if self.outputs else np.zeros(0, np.int64)

    # -- views -------------------------------------------------------------------
    def signed_chemical(self) -> sp.csr_array:
        """``W[pre, post] * sign``: negative entries are inhibitory synapses."""
        out = self.chemical.copy()
        out.data = out.data * self.sign.data
        return out

    def mask(self, type: str = "chemical", dense: bool = False):
        """Boolean connectivity ``M[pre, post]`` of ``"chemical"`` or ``"electrical"`` synapses."""
        mat = {"chemical": self.chemical, "electrical": self.electrical}.get(type)
        if mat is None:
            raise WiringError(f"mask type must be 'chemical' or 'electrical', got {type!r}")
        m = sp.csr_array((np.ones(mat.nnz, bool), mat.indices.copy(), mat.indptr.copy()), shape=mat.shape)
        return m.toarray() if dense else m

    def chemical_by_post(self) -> ChemicalByPost:
        """Kernel view of chemical synapses grouped by postsynaptic neuron."""
        csc = self.chemical.tocsc()
        csc.sort_indices()
        sign = self.sign.tocsc()
        sign.sort_indices()
        return ChemicalByPost(
            np.ascontiguousarray(csc.indptr, dtype=np.int64),
            np.ascontiguousarray(csc.indices, dtype=np.int64),
            np.ascontiguousarray(csc.data, dtype=np.float64),
            np.ascontiguousarray(sign.data, dtype=np.float64),
        )

    def electrical_by_neuron(self) -> ElectricalByNeuron:
        """Kernel view of gap junctions per neuron (self-junctions dropped)."""
        g = self.electrical.tolil()
        g.setdiag(0)
        g = sp.csr_array(g)
        g.eliminate_zeros()
        g.sort_indices()
        return ElectricalByNeuron(
            np.ascontiguousarray(g.indptr, dtype=np.int64),
            np.ascontiguousarray(g.indices, dtype=np.int64),
            np.ascontiguousarray(g.data, dtype=np.float64),
        )

    @property
    def edges(self) -> pd.DataFrame:
        """Edge table ``pre, post, type, weight, sign`` (gap junctions once per pair)."""
        names = np.array(self.neurons, dtype=object)
        c = self.chemical.tocoo()
        s = self.sign.tocoo()
        g = sp.triu(self.electrical).tocoo()
        chem = pd.DataFrame(
            {"pre": names[c.row], "post": names[c.col], "type": "chemical", "weight": c.data,
             "sign": s.data.astype(np.int8)}
        )
        gap = pd.DataFrame(
            {"pre": names[g.row], "post": names[g.col], "type": "electrical", "weight": g.data,
             "sign": np.ones(g.nnz, np.int8)}
        )
        return pd.concat([chem, gap], ignore_index=True)

    def to_networkx(self):
        """A :class:`networkx.MultiDiGraph` (gap junctions as two opposite edges)."""
        import networkx as nx

        G = nx.MultiDiGraph(name=self.name)
        meta = self.metadata.astype(object).where(self.metadata.notna(), None)
        for nm, row in zip(self.neurons, meta.to_dict("records")):
            G.add_node(nm, **row, input=nm in self.inputs, output=nm in self.outputs)
        for pre, post, typ, w, s in self.edges.itertuples(index=False):
            G.add_edge(pre, post, key=typ, type=typ, weight=float(w), sign=int(s))
            if typ == "electrical":
                G.add_edge(post, pre, key=typ, type=typ, weight=float(w), sign=int(s))
        return G

    # -- derived wirings ------------------------------------------------------------
    def subset(self, neurons, name: str | None = None) -> "Wiring":
        """The wiring among `neurons` (in the order given)."""
        idx = self.index_of(neurons)
        if len(idx) == 0:
            raise WiringError("subset needs at least one neuron")
        keep = set(idx.tolist())
        sel = lambda m: m[idx][:, idx]  # noqa: E731
        return Wiring(
            [self.neurons[i] for i in idx], sel(self.chemical), sel(self.sign), sel(self.electrical),
            [x for x in self.inputs if self._index[x] in keep],
            [x for x in self.outputs if self._index[x] in keep],
            self.metadata.iloc[idx], name or self.name,
        )

    def ablate(self, neurons=(), name: str | None = None) -> "Wiring":
        """A new wiring without `neurons` (and every synapse they make or receive)."""
        drop = set(self.index_of(neurons).tolist())
        return self.subset([nm for i, nm in enumerate(self.neurons) if i not in drop], name)

    # -- persistence ---------------------------------------------------------------
    def save(self, path) -> None:
        """Write the wiring to an ``.npz`` file atomically (exact round trip with :meth:`load`)."""
        from ._io.atomic import atomic_path

        meta_json = self.metadata.reset_index().to_json(orient="split", double_precision=15)
        arrays = {"format_version": np.array(_FORMAT_VERSION), "neurons": np.array(self.neurons, dtype=str),
                  "inputs": np.array(self.inputs, dtype=str), "outputs": np.array(self.outputs, dtype=str),
                  "name": np.array(self.name), "metadata": np.array(meta_json)}
        for key in ("chemical", "sign", "electrical"):
            m = getattr(self, key)
            arrays[f"{key}_data"], arrays[f"{key}_indices"], arrays[f"{key}_indptr"] = m.data, m.indices, m.indptr
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez_compressed(tmp, **arrays)

    @classmethod
    def load(cls, path) -> "Wiring":
        """Read a wiring written by :meth:`save`."""
        import io

        with np.load(path, allow_pickle=False) as f:
            if int(f["format_version"]) != _FORMAT_VERSION:
                raise WiringError(f"{path}: unsupported wiring file version {int(f['format_version'])}")
            names = [str(x) for x in f["neurons"]]
            n = len(names)
            mats = {
                key: sp.csr_array((f[f"{key}_data"], f[f"{key}_indices"], f[f"{key}_indptr"]), shape=(n, n))
                for key in ("chemical", "sign", "electrical")
            }
            meta = pd.read_json(io.StringIO(str(f["metadata"])), orient="split").set_index("name")
            return cls(names, mats["chemical"], mats["sign"], mats["electrical"],
                       [str(x) for x in f["inputs"]], [str(x) for x in f["outputs"]], meta, str(f["name"]))

    def equals(self, other: "Wiring") -> bool:
        """True if both wirings have the same neurons, synapses, signs, inputs and outputs."""
        if not isinstance(other, Wiring) or self.neurons != other.neurons:
            return False
        same = lambda a, b: (a != b).nnz == 0  # noqa: E731
        return (same(self.chemical, other.chemical) and same(self.sign, other.sign)
                and same(self.electrical, other.electrical)
                and self.inputs == other.inputs and self.outputs == other.outputs)

    def __repr__(self) -> str:
        return (f"<Wiring {self.name!r}: {self.n} neurons, {self.chemical.nnz} chemical "
                f"({int((self.sign.data < 0).sum())} inhibitory), {self.electrical.nnz // 2} electrical pairs, "
                f"{len(self.inputs)} inputs, {len(self.outputs)} outputs>")
