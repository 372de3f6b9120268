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

Construction, every view, :meth:`~Wiring.subset`, :meth:`~Wiring.ablate`,
:meth:`~Wiring.save` and :meth:`~Wiring.load` cost ``O(n + synapses)`` time and
memory (no dense ``n x n`` temporary, no Python loop over synapses): a wiring of
10^6 neurons and 10^8 synapses fits in a few GiB. The class is assembled from
:mod:`connectome.wiring_views` (matrix and kernel views),
:mod:`connectome.wiring_derive` (subset, ablate, normalised) and
:mod:`connectome.wiring_io` (persistence); validation helpers are in
:mod:`connectome.wiring_checks`.

Derivations (subsets, circuits, layered and minimal wirings, synthetic wirings,
statistics, export) live in :mod:`connectome.select`, :mod:`connectome.circuits`,
:mod:`connectome.layered`, :mod:`connectome.minimal`, :mod:`connectome.synthetic`,
:mod:`connectome.stats` and :mod:`connectome.export`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import UnknownNameError, UnknownNeuronError, WiringError
from .wiring_checks import as_csr, check_weights, freeze, json_default, on_pattern, same_pattern
from .wiring_derive import WiringDerivations
from .wiring_io import FORMAT_VERSION as _FORMAT_VERSION  # noqa: F401  (kept for readers of old code)
from .wiring_io import WiringPersistence
from .wiring_views import ChemicalByPost, ElectricalByNeuron, WiringViews

__all__ = ["Wiring", "ChemicalByPost", "ElectricalByNeuron"]


def _duplicates(names) -> list:
    seen, dup = set(), set()
    for nm in names:
        (dup if nm in seen else seen).add(nm)
    return sorted(dup)


@dataclass(frozen=True, eq=False)
class Wiring(WiringViews, WiringDerivations, WiringPersistence):
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
        index = {nm: i for i, nm in enumerate(names)}
        if len(index) != len(names):
            raise WiringError(f"neuron names must be unique; repeated: {_duplicates(names)}")
        n = len(names)
        set_ = object.__setattr__
        set_(self, "neurons", names)
        set_(self, "_index", index)

        chem = as_csr(self.chemical, n, "chemical")
        check_weights(chem, "chemical")
        if self.sign is None:
            sign = on_pattern(np.ones_like(chem.data), chem)
        else:
            sign = as_csr(self.sign, n, "sign")
            if not same_pattern(sign, chem):
                raise WiringError("sign must have exactly the sparsity pattern of chemical (one sign per synapse)")
            if not ((sign.data == 1.0) | (sign.data == -1.0)).all():
                raise WiringError("sign values must be +1 or -1")
            sign = on_pattern(sign.data, chem)  # one copy of the pattern for weights and signs
        gap = as_csr(self.electrical if self.electrical is not None else sp.csr_array((n, n)), n, "electrical")
        check_weights(gap, "electrical")
        if gap.nnz and abs(gap - gap.T).sum() > 1e-12 * max(1.0, abs(gap).sum()):
            raise WiringError("electrical (gap junction) matrix must be symmetric")
        set_(self, "chemical", freeze(chem))
        set_(self, "sign", freeze(sign))
        set_(self, "electrical", freeze(gap))
        if isinstance(self.inputs, str) or isinstance(self.outputs, str):
            raise WiringError("inputs and outputs must be sequences of neuron names, not a single string")
        set_(self, "inputs", tuple(self._resolve(x, "inputs") for x in self.inputs))
        set_(self, "outputs", tuple(self._resolve(x, "outputs") for x in self.outputs))
        for what, seq in (("inputs", self.inputs), ("outputs", self.outputs)):
            if len(set(seq)) != len(seq):
                raise WiringError(f"{what} lists a neuron more than once: {list(seq)}")
        self._init_channels("input")
        self._init_channels("output")
        index_names = pd.Index(names, name="name")
        meta = self.metadata if self.metadata is not None else pd.DataFrame(index=index_names)
        if not isinstance(meta, pd.DataFrame):
            raise WiringError(f"metadata must be a pandas DataFrame indexed by neuron name, got {type(meta).__name__}")
        if meta.index.equals(index_names):  # the common case: no hash join over the names
            meta = meta.copy(deep=False)
            meta.index = index_names
        else:
            meta = meta.reindex(index_names)
        set_(self, "metadata", meta)
        info = dict(self.info or {})
        try:
            json.dumps(info, default=json_default)
        except (TypeError, ValueError) as exc:
            raise WiringError(f"info must be JSON serialisable: {exc}") from None
        set_(self, "info", info)

    def _init_channels(self, kind):
        """Validate ``input_map/input_sign/input_channels`` (or the output ones)."""
        set_ = object.__setattr__
        n = self.n
        members = self.inputs if kind == "input" else self.outputs
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
            set_(self, f"{kind}_channels", channels or tuple(members))
            return
        if not sp.issparse(mapping):
            mapping = np.asarray(mapping, dtype=float)
        if kind == "input":
            shape = (mapping.shape[0] if mapping.ndim == 2 else -1, n)
        else:
            shape = (n, mapping.shape[1] if mapping.ndim == 2 else -1)
        mapping = as_csr(mapping, shape, f"{kind}_map")
        check_weights(mapping, f"{kind}_map")
        n_ch = mapping.shape[0] if kind == "input" else mapping.shape[1]
        if kind == "input":
            if self.input_sign is None:
                sgn = on_pattern(np.ones_like(mapping.data), mapping)
            else:
                sgn = as_csr(self.input_sign, mapping.shape, "input_sign")
                if not same_pattern(sgn, mapping):
                    raise WiringError("input_sign must have exactly the sparsity pattern of input_map")
                if not ((sgn.data == 1.0) | (sgn.data == -1.0)).all():
                    raise WiringError("input_sign values must be +1 or -1")
            set_(self, "input_sign", freeze(sgn))
            driven = np.flatnonzero(np.bincount(mapping.indices, minlength=n))
        else:
            driven = np.flatnonzero(np.diff(mapping.indptr))
        driven_names = [self.neurons[i] for i in driven]
        if not members:
            set_(self, f"{kind}s", tuple(driven_names))
        else:
            member_set = set(members)
            extra = [nm for nm in driven_names if nm not in member_set]
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
        set_(self, f"{kind}_map", freeze(mapping))
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
            if isinstance(neurons, str):
                neurons = [neurons]
            names = [conn.neuron(nm) for nm in neurons]
            if len(set(names)) != len(names):
                from .errors import DuplicateNameError

                twice = sorted({nm for nm in names if names.count(nm) > 1})
                raise DuplicateNameError(f"from_connectome lists {', '.join(map(repr, twice))} twice; list each "
                                         "neuron once")
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
                known = sorted({t for t in meta["type"].dropna().tolist() if isinstance(t, str)})
                if spec not in known:
                    raise UnknownNameError(spec, known, kind="neuron type",
                                           where=f"{conn.name} (inputs/outputs by type)")
                return tuple(meta.index[meta["type"] == spec])
            return tuple(conn.neuron(x) for x in spec)

        rule_name = sign_rule if isinstance(sign_rule, str) or sign_rule is None else getattr(
            sign_rule, "__name__", "custom")
        info = {"source": "connectome", "dataset": conn.name, "sign_rule": rule_name or "gaba",
                "normalise": normalise, "weight_unit": "max-normalised" if normalise == "max" else
                str(conn.provenance.get("weight_unit", "synapse count"))}
        return cls(names, W, S, G, pick(inputs), pick(outputs), meta, name or conn.name, info=info)

    # -- lookups -----------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of neurons."""
        return len(self.neurons)

    def _resolve(self, name, what="neurons"):
        from .names import normalise_neuron_name

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
        index = self._index
        out = np.empty(len(names), dtype=np.int64)
        for k, nm in enumerate(names):
            i = index.get(nm)
            out[k] = index[self._resolve(nm)] if i is None else i
        return out

    @property
    def input_index(self) -> np.ndarray:
        """Positions of :attr:`inputs` (int64)."""
        return self.index_of(self.inputs) if self.inputs else np.zeros(0, np.int64)

    @property
    def output_index(self) -> np.ndarray:
        """Positions of :attr:`outputs` (int64)."""
        return self.index_of(self.outputs) if self.outputs else np.zeros(0, np.int64)

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
