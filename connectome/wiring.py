"""The :class:`Wiring`: fixed neuron order + sparse synapse masks, the only thing a simulator needs.

Conventions
-----------
* Every user-facing matrix is ``W[pre, post]`` in the order of :attr:`Wiring.neurons`.
* Kernel views say their orientation in their names (``post_indptr``, ``pre_index``):
  nothing is transposed silently.
* Weights are float64 (synapse counts unless normalised), signs +1 / -1 per synapse.
* External inputs enter through *input channels*: ``input_matrix()[channel, neuron]``
  (by default channel ``k`` drives ``inputs[k]`` with weight 1). Read-outs leave
  through *output channels*: ``output_matrix()[neuron, channel]`` (by default
  channel ``k`` reads ``outputs[k]``).

Derivations (subsets, circuits, layered and minimal wirings, synthetic wirings,
statistics, export) live in :mod:`connectome.select`, :mod:`connectome.circuits`,
:mod:`connectome.layered`, :mod:`connectome.minimal`, :mod:`connectome.synthetic`,
:mod:`connectome.stats` and :mod:`connectome.export`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import UnknownNeuronError, WiringError

__all__ = ["Wiring", "ChemicalByPost", "ElectricalByNeuron"]

_FORMAT_VERSION = 2


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


def _as_csr(mat, shape, what, dtype=np.float64):
    if isinstance(shape, int):
        shape = (shape, shape)
    if not sp.issparse(mat):
        mat = np.asarray(mat)
        if mat.ndim != 2:
            raise WiringError(f"{what} must be a 2-d matrix of shape {shape}, got an array of shape {mat.shape}")
    mat = sp.csr_array(mat, dtype=dtype, copy=sp.issparse(mat))  # never alias a frozen matrix
    if mat.shape != tuple(shape):
        raise WiringError(f"{what} must have shape {tuple(shape)} to match the neuron list, got {mat.shape}")
    mat.sum_duplicates()
    mat.eliminate_zeros()
    mat.sort_indices()
    mat.indices = mat.indices.astype(np.int32, copy=False)
    mat.indptr = mat.indptr.astype(np.int32, copy=False)
    return mat


def _freeze(mat):
    for arr in (mat.data, mat.indices, mat.indptr):
        arr.setflags(write=False)
    return mat


def _same_pattern(a, b) -> bool:
    return a.nnz == b.nnz and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)


def _check_weights(mat, what):
    if not np.isfinite(mat.data).all() or (mat.data < 0).any():
        bad = mat.data[~np.isfinite(mat.data) | (mat.data < 0)][:3]
        raise WiringError(f"{what} weights must be finite and non-negative; got {bad.tolist()}")


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"info values must be JSON serialisable; got {type(obj).__name__}")


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
    input_map : array_like or sparse, shape (n_input_channels, n), optional
        Weight ``M[channel, neuron]`` (>= 0) with which each external input
        channel drives each neuron. Default (None): channel ``k`` drives
        ``inputs[k]`` with weight 1. When given and `inputs` is empty, `inputs`
        becomes the neurons that some channel drives (in neuron order); otherwise
        every driven neuron must be listed in `inputs`.
    input_sign : array_like or sparse, shape (n_input_channels, n), optional
        +1 / -1 per entry of `input_map` (same sparsity). Default: all +1.
    input_channels : sequence of str, optional
        Names of the input channels. Default: `inputs` (identity map) or
        ``"in0", "in1", ...``.
    output_map : array_like or sparse, shape (n, n_output_channels), optional
        Read-out weight ``R[neuron, channel]`` (>= 0). Default (None): channel
        ``k`` reads ``outputs[k]`` with weight 1. Same rules as `input_map`.
    output_channels : sequence of str, optional
        Names of the output channels. Default: `outputs` or ``"out0", ...``.
    info : dict, optional
        JSON-serialisable provenance (generator, parameters, seed, citation).
        Carried by :meth:`subset`, :meth:`ablate`, :meth:`save` / :meth:`load`.

    Raises
    ------
    WiringError
        Shape mismatches, negative or non-finite weights, an asymmetric
        electrical matrix, signs outside {+1, -1} or off the chemical pattern,
        channel maps that drive neurons not listed in `inputs` / `outputs`.
    UnknownNeuronError
        Input or output names that are not in `neurons`.

    Examples
    --------
    >>> w = Wiring(["A", "B"], [[0, 2], [0, 0]], [[0, -1], [0, 0]], inputs=["A"], outputs=["B"])
    >>> w.signed_chemical().toarray().tolist()
    [[0.0, -2.0], [0.0, 0.0]]
    >>> w.input_matrix().toarray().tolist()
    [[1.0, 0.0]]
    """

    neurons: tuple
    chemical: sp.csr_array
    sign: sp.csr_array | None = None
    electrical: sp.csr_array | None = None
    inputs: tuple = ()
    outputs: tuple = ()
    metadata: pd.DataFrame | None = None
    name: str = ""
    input_map: sp.csr_array | None = None
    input_sign: sp.csr_array | None = None
    input_channels: tuple = ()
    output_map: sp.csr_array | None = None
    output_channels: tuple = ()
    info: dict = field(default_factory=dict)
    _index: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.neurons, str):
            raise WiringError(f"neurons must be a sequence of names, got the string {self.neurons!r}")
        names = tuple(str(n) for n in self.neurons)
        if len(names) == 0:
            raise WiringError("a wiring needs at least one neuron")
        if len(set(names)) != len(names):
            seen, dup = set(), set()
            for nm in names:
                (dup if nm in seen else seen).add(nm)
            raise WiringError(f"neuron names must be unique; repeated: {sorted(dup)}")
        n = len(names)
        set_ = object.__setattr__
        set_(self, "neurons", names)
        set_(self, "_index", {nm: i for i, nm in enumerate(names)})

        chem = _as_csr(self.chemical, n, "chemical")
        _check_weights(chem, "chemical")
        if self.sign is None:
            sign = chem.copy()
            sign.data = np.ones_like(chem.data)
        else:
            sign = _as_csr(self.sign, n, "sign")
            if not _same_pattern(sign, chem):
                raise WiringError("sign must have exactly the sparsity pattern of chemical (one sign per synapse)")
            if not np.isin(sign.data, (-1.0, 1.0)).all():
                raise WiringError("sign values must be +1 or -1")
        gap = _as_csr(self.electrical if self.electrical is not None else sp.csr_array((n, n)), n, "electrical")
        _check_weights(gap, "electrical")
        if gap.nnz and abs(gap - gap.T).sum() > 1e-12 * max(1.0, abs(gap).sum()):
            raise WiringError("electrical (gap junction) matrix must be symmetric")
        set_(self, "chemical", _freeze(chem))
        set_(self, "sign", _freeze(sign))
        set_(self, "electrical", _freeze(gap))
        if isinstance(self.inputs, str) or isinstance(self.outputs, str):
            raise WiringError("inputs and outputs must be sequences of neuron names, not a single string")
        set_(self, "inputs", tuple(self._resolve(x, "inputs") for x in self.inputs))
        set_(self, "outputs", tuple(self._resolve(x, "outputs") for x in self.outputs))
        for what, seq in (("inputs", self.inputs), ("outputs", self.outputs)):
            if len(set(seq)) != len(seq):
                raise WiringError(f"{what} lists a neuron more than once: {list(seq)}")
        self._init_channels("input")
        self._init_channels("output")
        meta = self.metadata if self.metadata is not None else pd.DataFrame(index=pd.Index(names, name="name"))
        if not isinstance(meta, pd.DataFrame):
            raise WiringError(f"metadata must be a pandas DataFrame indexed by neuron name, got {type(meta).__name__}")
        meta = meta.reindex(pd.Index(names, name="name"))
        set_(self, "metadata", meta)
        info = dict(self.info or {})
        try:
            json.dumps(info, default=_json_default)
        except (TypeError, ValueError) as exc:
            raise WiringError(f"info must be JSON serialisable: {exc}") from None
        set_(self, "info", info)

    def _init_channels(self, kind):
        """Validate ``input_map/input_sign/input_channels`` (or the output ones)."""
        set_ = object.__setattr__
        n = self.n
        members = self.inputs if kind == "input" else self.outputs
        default_names = members
        mapping = getattr(self, f"{kind}_map")
        channels = getattr(self, f"{kind}_channels")
        if isinstance(channels, str):
            raise WiringError(f"{kind}_channels must be a sequence of names, not a single string")
        channels = tuple(str(c) for c in channels)
        if mapping is None:
            if kind == "input" and self.input_sign is not None:
                raise WiringError("input_sign needs an input_map (the default map is all excitatory)")
            if channels and len(channels) != len(members):
                raise WiringError(
                    f"{kind}_channels has {len(channels)} names but there are {len(members)} {kind}s "
                    f"(without an explicit {kind}_map, channel k is {kind}s[k])"
                )
            set_(self, f"{kind}_channels", channels or tuple(default_names))
            return
        if kind == "input":
            if not sp.issparse(mapping):
                mapping = np.asarray(mapping, dtype=float)
            shape = (mapping.shape[0] if mapping.ndim == 2 else -1, n)
        else:
            if not sp.issparse(mapping):
                mapping = np.asarray(mapping, dtype=float)
            shape = (n, mapping.shape[1] if mapping.ndim == 2 else -1)
        mapping = _as_csr(mapping, shape, f"{kind}_map")
        _check_weights(mapping, f"{kind}_map")
        n_ch = mapping.shape[0] if kind == "input" else mapping.shape[1]
        if kind == "input":
            if self.input_sign is None:
                sgn = mapping.copy()
                sgn.data = np.ones_like(mapping.data)
            else:
                sgn = _as_csr(self.input_sign, mapping.shape, "input_sign")
                if not _same_pattern(sgn, mapping):
                    raise WiringError("input_sign must have exactly the sparsity pattern of input_map")
                if not np.isin(sgn.data, (-1.0, 1.0)).all():
                    raise WiringError("input_sign values must be +1 or -1")
            set_(self, "input_sign", _freeze(sgn))
            driven = np.flatnonzero(np.diff(mapping.tocsc().indptr))
        else:
            driven = np.flatnonzero(np.diff(mapping.indptr))
        driven_names = [self.neurons[i] for i in driven]
        if not members:
            set_(self, f"{kind}s", tuple(driven_names))
        else:
            extra = [nm for nm in driven_names if nm not in set(members)]
            if extra:
                raise WiringError(
                    f"{kind}_map connects neurons that are not listed in {kind}s: {extra[:5]}; "
                    f"add them to {kind}s or leave {kind}s empty to derive it from the map"
                )
        prefix = "in" if kind == "input" else "out"
        if not channels:
            channels = tuple(f"{prefix}{k}" for k in range(n_ch))
        if len(channels) != n_ch or len(set(channels)) != n_ch:
            raise WiringError(f"{kind}_channels must name each of the {n_ch} channels of {kind}_map exactly once")
        set_(self, f"{kind}_map", _freeze(mapping))
        set_(self, f"{kind}_channels", channels)

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

        rule_name = sign_rule if isinstance(sign_rule, str) or sign_rule is None else getattr(
            sign_rule, "__name__", "custom")
        info = {"source": "connectome", "dataset": conn.name, "sign_rule": rule_name or "gaba",
                "normalise": normalise}
        return cls(names, W, S, G, pick(inputs), pick(outputs), meta, name or conn.name, info=info)

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

    def input_matrix(self) -> sp.csr_array:
        """Signed input weights ``M[channel, neuron]``, shape (n_input_channels, n), float64.

        Channel ``c`` adds ``M[c, i] * u_c(t)`` to the external drive of neuron ``i``.
        """
        if self.input_map is None:
            k = len(self.inputs)
            return sp.csr_array((np.ones(k), (np.arange(k), self.input_index)), shape=(k, self.n))
        out = self.input_map.copy()
        out.data = out.data * self.input_sign.data
        return out

    def output_matrix(self) -> sp.csr_array:
        """Read-out weights ``R[neuron, channel]``, shape (n, n_output_channels), float64."""
        if self.output_map is None:
            k = len(self.outputs)
            return sp.csr_array((np.ones(k), (self.output_index, np.arange(k))), shape=(self.n, k))
        return self.output_map.copy()

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
        g = sp.coo_array(self.electrical)
        off = g.row != g.col
        g = sp.csr_array((g.data[off], (g.row[off], g.col[off])), shape=g.shape)
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
    def _replace(self, **changes) -> "Wiring":
        fields = dict(
            neurons=self.neurons, chemical=self.chemical, sign=self.sign, electrical=self.electrical,
            inputs=self.inputs, outputs=self.outputs, metadata=self.metadata, name=self.name,
            input_map=self.input_map, input_sign=self.input_sign,
            input_channels=self.input_channels, output_map=self.output_map,
            output_channels=self.output_channels,
            info=self.info,
        )
        fields.update(changes)
        for kind in ("input", "output"):  # default maps: channels follow new inputs / outputs
            if f"{kind}s" in changes and f"{kind}_channels" not in changes and fields[f"{kind}_map"] is None:
                fields[f"{kind}_channels"] = ()
        return Wiring(**fields)

    def subset(self, neurons, name: str | None = None) -> "Wiring":
        """The wiring among `neurons` (in the order given), keeping every synapse between them.

        Inputs and outputs not selected are dropped. With the default channel
        maps the channels follow the kept inputs/outputs; explicit maps keep all
        their channels (a channel may then drive no neuron).
        """
        if isinstance(neurons, str):
            neurons = [neurons]
        idx = self.index_of(neurons)
        if len(idx) == 0:
            raise WiringError("subset needs at least one neuron; the selection is empty")
        if len(np.unique(idx)) != len(idx):
            names = [self.neurons[i] for i in idx]
            dup = sorted({nm for nm in names if names.count(nm) > 1})
            raise WiringError(f"subset lists neurons more than once: {dup}")
        keep = set(idx.tolist())

        def sel(m):
            return m[idx][:, idx]

        kept_inputs = [x for x in self.inputs if self._index[x] in keep]
        kept_outputs = [x for x in self.outputs if self._index[x] in keep]
        changes = dict(
            neurons=[self.neurons[i] for i in idx], chemical=sel(self.chemical), sign=sel(self.sign),
            electrical=sel(self.electrical), inputs=kept_inputs, outputs=kept_outputs,
            metadata=self.metadata.iloc[idx], name=name or self.name,
        )
        if self.input_map is not None:
            changes.update(input_map=self.input_map[:, idx], input_sign=self.input_sign[:, idx])
        else:
            ch = dict(zip(self.inputs, self.input_channels))
            changes.update(input_channels=[ch[x] for x in kept_inputs])
        if self.output_map is not None:
            changes.update(output_map=self.output_map[idx])
        else:
            ch = dict(zip(self.outputs, self.output_channels))
            changes.update(output_channels=[ch[x] for x in kept_outputs])
        return self._replace(**changes)

    def ablate(self, neurons=(), synapses=(), name: str | None = None) -> "Wiring":
        """A new wiring without `neurons` (and every synapse they make or receive) and without `synapses`.

        Parameters
        ----------
        neurons : str or sequence of str
            Neurons to remove.
        synapses : sequence of tuple
            ``(pre, post)`` removes the chemical synapse pre -> post;
            ``(pre, post, "electrical")`` removes the gap junction between the
            two (both directions); ``(pre, post, "chemical")`` is explicit.
        name : str, optional

        Raises
        ------
        UnknownNeuronError
            A name that is not in the wiring.
        WiringError
            A synapse that does not exist, or removing every neuron.
        """
        if isinstance(neurons, str):
            neurons = [neurons]
        w = self
        if len(synapses):
            chem = self.chemical.tolil()
            sign = self.sign.tolil()
            gap = self.electrical.tolil()
            for syn in synapses:
                if isinstance(syn, str) or len(syn) not in (2, 3):
                    raise WiringError(f"a synapse is (pre, post) or (pre, post, type); got {syn!r}")
                typ = syn[2] if len(syn) == 3 else "chemical"
                i, j = self.index_of([syn[0], syn[1]])
                if typ == "chemical":
                    if chem[i, j] == 0:
                        raise WiringError(
                            f"there is no chemical synapse {self.neurons[i]} -> {self.neurons[j]} to ablate")
                    chem[i, j] = 0
                    sign[i, j] = 0
                elif typ == "electrical":
                    if gap[i, j] == 0:
                        raise WiringError(
                            f"there is no gap junction {self.neurons[i]} -- {self.neurons[j]} to ablate")
                    gap[i, j] = 0
                    gap[j, i] = 0
                else:
                    raise WiringError(f"synapse type must be 'chemical' or 'electrical', got {typ!r}")
            w = self._replace(chemical=chem.tocsr(), sign=sign.tocsr(), electrical=gap.tocsr())
        drop = set(self.index_of(neurons).tolist()) if len(neurons) else set()
        if len(drop) == self.n:
            raise WiringError("ablating every neuron leaves an empty wiring")
        if drop:
            return w.subset([nm for i, nm in enumerate(self.neurons) if i not in drop], name)
        return w._replace(name=name) if name else w

    def normalised(self, how: str = "max") -> "Wiring":
        """A copy with rescaled weights (signs, pattern and everything else unchanged).

        Parameters
        ----------
        how : {"max", "in_sum"}
            ``"max"`` divides chemical and electrical weights each by their
            largest value; ``"in_sum"`` makes each neuron's incoming chemical
            weights sum to 1 (columns of ``W[pre, post]``) and each neuron's gap
            junction weights sum to 1 (then symmetrised as ``(G + G.T) / 2``).
        """
        chem, gap = self.chemical.copy(), self.electrical.copy()
        if how == "max":
            if chem.nnz:
                chem.data = chem.data / chem.data.max()
            if gap.nnz:
                gap.data = gap.data / gap.data.max()
        elif how == "in_sum":
            col = np.asarray(chem.sum(axis=0)).ravel()
            chem = chem @ sp.diags_array(np.divide(1.0, col, out=np.zeros_like(col), where=col > 0))
            row = np.asarray(gap.sum(axis=1)).ravel()
            g = sp.diags_array(np.divide(1.0, row, out=np.zeros_like(row), where=row > 0)) @ gap
            gap = (g + g.T) / 2
        else:
            raise WiringError(f"normalise 'how' must be 'max' or 'in_sum', got {how!r}")
        chem = sp.csr_array(chem)
        chem.sort_indices()
        return self._replace(chemical=chem, electrical=sp.csr_array(gap), info={**self.info, "normalise": how})

    # -- persistence ---------------------------------------------------------------
    def save(self, path) -> None:
        """Write the wiring to an ``.npz`` file atomically.

        The round trip with :meth:`load` is exact: neuron order, weights, signs,
        inputs, outputs, channel maps, ``info``, and the metadata's columns,
        values and dtypes (numeric and boolean columns stored as arrays, text and
        object columns as JSON).
        """
        from ._io.atomic import atomic_path

        meta = self.metadata
        columns = [str(c) for c in meta.columns]
        arrays = {
            "format_version": np.array(_FORMAT_VERSION), "neurons": np.array(self.neurons, dtype=str),
            "inputs": np.array(self.inputs, dtype=str), "outputs": np.array(self.outputs, dtype=str),
            "name": np.array(self.name), "info": np.array(json.dumps(self.info, default=_json_default)),
            "input_channels": np.array(self.input_channels, dtype=str),
            "output_channels": np.array(self.output_channels, dtype=str),
            "meta_columns": np.array(json.dumps(columns)),
            "meta_dtypes": np.array(json.dumps([str(meta[c].dtype) for c in meta.columns])),
        }
        for k, c in enumerate(meta.columns):
            col = meta[c]
            if col.dtype.kind in "biuf":
                arrays[f"meta_{k}"] = col.to_numpy()
            else:
                values = [v.item() if isinstance(v, np.generic) else v for v in col.astype(object).tolist()]
                values = [None if v is pd.NA or v is pd.NaT else v for v in values]
                arrays[f"meta_{k}"] = np.array(json.dumps(values, default=_json_default))
        mats = {"chemical": self.chemical, "sign": self.sign, "electrical": self.electrical,
                "input_map": self.input_map, "input_sign": self.input_sign, "output_map": self.output_map}
        for key, m in mats.items():
            if m is None:
                continue
            arrays[f"{key}_data"], arrays[f"{key}_indices"], arrays[f"{key}_indptr"] = m.data, m.indices, m.indptr
            arrays[f"{key}_shape"] = np.array(m.shape, dtype=np.int64)
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez_compressed(tmp, **arrays)

    @classmethod
    def load(cls, path) -> "Wiring":
        """Read a wiring written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as f:
            version = int(f["format_version"])
            if version not in (1, _FORMAT_VERSION):
                raise WiringError(f"{path}: unsupported wiring file version {version} (this version reads 1 and 2)")
            names = [str(x) for x in f["neurons"]]
            n = len(names)

            def mat(key, shape=None):
                if f"{key}_data" not in f:
                    return None
                if f"{key}_shape" in f:
                    shape = tuple(int(x) for x in f[f"{key}_shape"])
                return sp.csr_array((f[f"{key}_data"], f[f"{key}_indices"], f[f"{key}_indptr"]), shape=shape)

            chem, sign, gap = (mat(k, (n, n)) for k in ("chemical", "sign", "electrical"))
            if version == 1:
                import io

                meta = pd.read_json(io.StringIO(str(f["metadata"])), orient="split").set_index("name")
                return cls(names, chem, sign, gap, [str(x) for x in f["inputs"]],
                           [str(x) for x in f["outputs"]], meta, str(f["name"]))
            columns = json.loads(str(f["meta_columns"]))
            dtypes = json.loads(str(f["meta_dtypes"]))
            data = {}
            for k, (c, dt) in enumerate(zip(columns, dtypes)):
                raw = f[f"meta_{k}"]
                if raw.ndim == 1:
                    data[c] = pd.Series(raw, dtype=dt)
                else:
                    values = pd.Series(json.loads(str(raw)), dtype=object)
                    data[c] = values if dt == "object" else values.astype(dt)
            meta = pd.DataFrame(data, columns=columns)
            meta.index = pd.Index(names, name="name")
            input_map = mat("input_map")
            output_map = mat("output_map")
            return cls(
                names, chem, sign, gap, [str(x) for x in f["inputs"]], [str(x) for x in f["outputs"]], meta,
                str(f["name"]), input_map=input_map, input_sign=mat("input_sign"),
                input_channels=[str(x) for x in f["input_channels"]],
                output_map=output_map,
                output_channels=[str(x) for x in f["output_channels"]],
                info=json.loads(str(f["info"])),
            )

    def equals(self, other: "Wiring") -> bool:
        """True if both wirings have the same neurons (in order), synapses, signs,
        inputs, outputs and channel maps (metadata, name and info are not compared)."""
        if not isinstance(other, Wiring) or self.neurons != other.neurons:
            return False

        def same(a, b):
            return a.shape == b.shape and (a != b).nnz == 0

        return (same(self.chemical, other.chemical) and same(self.sign, other.sign)
                and same(self.electrical, other.electrical)
                and self.inputs == other.inputs and self.outputs == other.outputs
                and self.input_channels == other.input_channels and self.output_channels == other.output_channels
                and same(self.input_matrix(), other.input_matrix())
                and same(self.output_matrix(), other.output_matrix()))

    def __repr__(self) -> str:
        return (f"<Wiring {self.name!r}: {self.n} neurons, {self.chemical.nnz} chemical "
                f"({int((self.sign.data < 0).sum())} inhibitory), {self.electrical.nnz // 2} electrical pairs, "
                f"{len(self.inputs)} inputs, {len(self.outputs)} outputs>")
