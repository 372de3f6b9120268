"""Closed-form continuous-time (CfC) networks: dense with a backbone, or wired.

The CfC cell (Hasani et al. 2022, Nature Machine Intelligence, eq. 10 and the
gated form of section "CfC") gives the state after an elapsed time ``t``
directly, without a numerical solver.  For a layer with sources ``z``::

    s = sigmoid(time_a(z) * t + time_b(z))
    default: h = tanh(ff1(z)) * (1 - s) + s * tanh(ff2(z))
    no_gate: h = tanh(ff1(z)) + s * tanh(ff2(z))
    pure:    h = A - A * exp(-t * (|w_tau| + |ff1(z)|)) * ff1(z)

where each head is affine: ``ff1(z) = z @ ff1 + ff1_b`` with ``ff1[source, neuron]``
(the transpose of a torch ``Linear.weight``).

* :meth:`CfCParams.dense` is ncps's ``CfCCell``: one layer of ``units`` neurons whose
  sources are all inputs and all units, through an optional backbone of dense
  layers.
* :meth:`CfCParams.wired` runs the cell on a :class:`connectome.Wiring` split into
  layers evaluated in order (each sees the new states of earlier layers and the
  previous states of itself and later layers).  ``recurrent="wiring"`` honours the
  wiring everywhere: a neuron's four heads see only its own state and its
  presynaptic partners (chemical and electrical synapses from any layer, input
  channels through the input map), so the recurrent command synapses of an NCP
  count and nothing else does.  ``recurrent="ncps"`` reproduces ncps's
  ``WiredCfCCell``: layer ``l`` sees only layer ``l-1`` (input channels for the
  first layer) through the synapse mask, all of its own layer densely (the
  wiring's recurrent synapses are ignored), and the time gates are unmasked.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ParameterError
from .base import Model, check_array, register_model
from .cfc_layers import (_HEADS, CfCLayer, _bias, _int_array, _random_layer, _random_sparse_layer, _xavier,
                         wiring_layers)

__all__ = ["CfC", "CfCLayer", "CfCParams", "MODES", "ACTIVATIONS", "SPARSE_FROM_NEURONS", "wiring_layers"]

#: from this many neurons ``CfCParams.wired(..., sparse="auto")`` stores sparse heads
SPARSE_FROM_NEURONS = 2000

MODES = {"default": 0, "no_gate": 1, "pure": 2}
ACTIVATIONS = {"lecun_tanh": 0, "tanh": 1, "relu": 2, "silu": 3, "gelu": 4}


def check_mode(mode) -> str:
    """Return `mode` or raise :class:`ParameterError` naming the valid modes."""
    if mode not in MODES:
        raise ParameterError(f"unknown CfC mode {mode!r}; use one of {sorted(MODES)}")
    return mode


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class CfCParams:
    """A CfC network: layers, mode, optional backbone and read-out (frozen, validated).

    Parameters
    ----------
    n_inputs, n_neurons : int
    mode : {"default", "no_gate", "pure"}
    layers : tuple of CfCLayer
        Together they compute every neuron exactly once.
    w_tau, A : float arrays (n_neurons,), pure mode only
        Wiring order.
    backbone : tuple of (W (k_in, U), b (U,)), optional
        Dense layers applied to the sources before the heads (single-layer networks only).
    activation : str
        Backbone activation (``lecun_tanh`` = 1.7159 tanh(0.666 x), ``tanh``, ``relu``,
        ``silu``, ``gelu``).
    readout : int array (n_out,)
        Neurons read out (default: all).
    proj_w, proj_b : float arrays (n_out, P), (P,), optional
        Linear projection of the read-out (ncps ``proj_size``).
    seed : int or None
        Seed of the random initialisation.
    """

    n_inputs: int
    n_neurons: int
    mode: str
    layers: tuple
    w_tau: object = None
    A: object = None
    backbone: tuple = ()
    activation: str = "lecun_tanh"
    readout: object = None
    proj_w: object = None
    proj_b: object = None
    seed: int | None = None

    def __repr__(self) -> str:
        from .base import summary_repr

        return summary_repr(self)

    def __post_init__(self):
        set_ = object.__setattr__
        check_mode(self.mode)
        if self.activation not in ACTIVATIONS:
            raise ParameterError(f"unknown backbone activation {self.activation!r}; use one of {sorted(ACTIVATIONS)}")
        n_in, n = int(self.n_inputs), int(self.n_neurons)
        if n_in < 0 or n < 1:
            raise ParameterError(f"n_inputs must be >= 0 and n_neurons >= 1, got {n_in} and {n}")
        set_(self, "n_inputs", n_in)
        set_(self, "n_neurons", n)
        layers = tuple(self.layers)
        if not layers or not all(isinstance(lay, CfCLayer) for lay in layers):
            raise ParameterError("layers must be a non-empty sequence of CfCLayer")
        set_(self, "layers", layers)
        covered = np.concatenate([lay.neurons for lay in layers])
        if np.sort(covered).tolist() != list(range(n)):
            raise ParameterError(f"the layers must compute each of the {n} neurons exactly once")
        pure = self.mode == "pure"
        for i, lay in enumerate(layers):
            if lay.pure != pure:
                raise ParameterError(f"layer {i} {'lacks' if not pure else 'has'} ff2/time_a/time_b "
                                     f"but mode is {self.mode!r}")
            if lay.sources.size and (lay.sources.min() < 0 or lay.sources.max() >= n_in + n):
                raise ParameterError(f"layer {i} has sources outside [0, n_inputs + n_neurons = {n_in + n})")
        backbone = tuple((check_array("backbone weight", w), check_array("backbone bias", b))
                         for w, b in self.backbone)
        if backbone:
            if len(layers) != 1:
                raise ParameterError("a backbone is only supported for a single-layer (dense) CfC")
            k = layers[0].sources.size
            for w, b in backbone:
                if w.ndim != 2 or w.shape[0] != k or b.shape != (w.shape[1],):
                    raise ParameterError(f"backbone layer must have weight (k={k}, U) and bias (U,), "
                                         f"got {w.shape} and {b.shape}")
                k = w.shape[1]
            if layers[0].ff1.shape[0] != k:
                raise ParameterError(f"head weights must have {k} rows (the backbone width), "
                                     f"got {layers[0].ff1.shape[0]}")
        else:
            for i, lay in enumerate(layers):
                if lay.ff1.shape[0] != lay.sources.size:
                    raise ParameterError(f"layer {i}: head weights need one row per source "
                                         f"({lay.sources.size}), got {lay.ff1.shape[0]}")
        set_(self, "backbone", backbone)
        if backbone and layers[0].sparse:
            raise ParameterError("a backbone needs dense head weights (the layer has sparse ones)")
        if pure:
            set_(self, "w_tau", check_array("w_tau", 0.0 if self.w_tau is None else self.w_tau, shape=(n,)))
            set_(self, "A", check_array("A", 1.0 if self.A is None else self.A, shape=(n,)))
        elif self.w_tau is not None or self.A is not None:
            raise ParameterError("w_tau and A are parameters of mode 'pure' only")
        readout = np.arange(n) if self.readout is None else _int_array("readout", self.readout)
        if readout.size and (readout.min() < 0 or readout.max() >= n):
            raise ParameterError(f"readout indices must be in [0, {n})")
        set_(self, "readout", readout)
        if self.proj_w is not None:
            pw = check_array("proj_w", self.proj_w)
            pb = check_array("proj_b", np.zeros(pw.shape[1]) if self.proj_b is None else self.proj_b)
            if pw.shape[0] != readout.size or pb.shape != (pw.shape[1],):
                raise ParameterError(f"proj_w must have shape ({readout.size}, P) and proj_b (P,), "
                                     f"got {pw.shape} and {pb.shape}")
            set_(self, "proj_w", pw)
            set_(self, "proj_b", pb)

    # -- builders ------------------------------------------------------------------------
    @classmethod
    def dense(cls, n_inputs: int, units: int, *, mode: str = "default", backbone_units: int = 128,
              backbone_layers: int = 1, activation: str = "lecun_tanh", proj_size: int | None = None,
              seed: int = 0) -> "CfCParams":
        """A fully connected CfC with a backbone (ncps ``CfC(n_inputs, units)``), random init.

        Initialisation as torch: Xavier-uniform weights, uniform(+-1/sqrt(fan_in)) biases.
        """
        check_mode(mode)
        rng = np.random.default_rng(seed)
        sources = np.arange(n_inputs + units)
        k = n_inputs + units
        backbone = []
        for _ in range(backbone_layers):
            backbone.append((_xavier(rng, k, backbone_units), _bias(rng, k, backbone_units)))
            k = backbone_units
        lay = CfCLayer(neurons=np.arange(units), sources=sources, ff1=_xavier(rng, k, units),
                       ff1_b=_bias(rng, k, units),
                       **({} if mode == "pure" else {
                           h: v for head in _HEADS[1:]
                           for h, v in ((head, _xavier(rng, k, units)), (head + "_b", _bias(rng, k, units)))}))
        proj = {}
        if proj_size is not None:
            proj = dict(proj_w=_xavier(rng, units, proj_size), proj_b=_bias(rng, units, proj_size))
        return cls(n_inputs=n_inputs, n_neurons=units, mode=mode, layers=(lay,), backbone=tuple(backbone),
                   activation=activation, seed=seed, **proj)

    @classmethod
    def wired(cls, wiring, *, mode: str = "default", layers=None, recurrent: str = "wiring",
              seed: int = 0, sparse="auto") -> "CfCParams":
        """A CfC on `wiring` (random init), see the module docstring for `recurrent`.

        Parameters
        ----------
        wiring : connectome.Wiring
            Input channels from ``wiring.input_matrix()``, read-out from ``wiring.outputs``.
        layers : sequence of sequences of neuron names, optional
            Evaluation order. Default: the ``layer`` column of ``wiring.metadata`` if
            present (ascending), else one layer with every neuron.
        recurrent : {"wiring", "ncps"}
        seed : int
        sparse : {"auto", True, False}
            Store the heads as sparse arrays on the synapse mask (memory and set-up in
            proportion to the synapses: the form for 10^4-10^5 neurons) instead of
            dense ``(sources, neurons)`` matrices. ``"auto"``: sparse from
            :data:`SPARSE_FROM_NEURONS` neurons with ``recurrent="wiring"``. Only the
            masked weights are drawn, so the two forms of one seed differ.
        """
        check_mode(mode)
        if recurrent not in ("wiring", "ncps"):
            raise ParameterError(f"recurrent must be 'wiring' or 'ncps', got {recurrent!r}")
        if not (sparse is True or sparse is False or (isinstance(sparse, str) and sparse == "auto")):
            raise ParameterError(f"sparse must be 'auto', True or False, got {sparse!r}")
        if sparse is True and recurrent == "ncps":
            raise ParameterError("sparse=True needs recurrent='wiring' (ncps's layers see their own layer densely)")
        if sparse == "auto":
            sparse = recurrent == "wiring" and wiring.n >= SPARSE_FROM_NEURONS
        if sparse:
            return cls._wired_sparse(wiring, mode, layers, seed)
        groups = wiring_layers(wiring, layers)
        n_in = wiring.input_matrix().shape[0]
        n = wiring.n
        inp = (wiring.input_matrix() != 0).toarray()
        chem = (wiring.chemical != 0).toarray() | (wiring.electrical != 0).toarray()
        rng = np.random.default_rng(seed)
        out = []
        for li, idx in enumerate(groups):
            if recurrent == "ncps":
                if li == 0:
                    prev_src, prev_mask = np.arange(n_in), inp[:, idx]
                else:
                    prev = groups[li - 1]
                    prev_src, prev_mask = n_in + prev, chem[np.ix_(prev, idx)]
                sources = np.r_[prev_src, n_in + idx]
                mask = np.vstack([prev_mask, np.ones((idx.size, idx.size), bool)])
                time_mask = None
            else:
                full = np.vstack([inp[:, idx], chem[:, idx]])
                full[n_in + idx, np.arange(idx.size)] = True  # a neuron always sees its own state
                sources = np.flatnonzero(full.any(axis=1))
                mask = full[sources]
                time_mask = mask
            out.append(_random_layer(rng, idx, sources, mask, time_mask, mode == "pure"))
        readout = wiring.output_index if len(wiring.outputs) else None
        return cls(n_inputs=n_in, n_neurons=n, mode=mode, layers=tuple(out), readout=readout, seed=seed)

    @classmethod
    def _wired_sparse(cls, wiring, mode, layers, seed):
        """:meth:`wired` (``recurrent="wiring"``) with sparse heads, never forming an n x n dense array."""
        import scipy.sparse as sp

        groups = wiring_layers(wiring, layers)
        n_in, n = wiring.input_matrix().shape[0], wiring.n
        inp = sp.csc_array(wiring.input_matrix() != 0, dtype=bool)
        syn = sp.csc_array((sp.csc_array(wiring.chemical) != 0) + (sp.csc_array(wiring.electrical) != 0), dtype=bool)
        full_all = sp.csc_array(sp.vstack([inp, syn]), dtype=bool)   # (n_in + n, n): source x neuron
        rng = np.random.default_rng(seed)
        out = []
        for idx in groups:
            own = sp.csc_array((np.ones(idx.size, bool), (n_in + idx, np.arange(idx.size))), shape=(n_in + n, idx.size))
            full = sp.csc_array(full_all[:, idx] + own, dtype=bool)  # a neuron always sees its own state
            sources = np.unique(full.indices)
            out.append(_random_sparse_layer(rng, idx, sources, full[sources], mode == "pure"))
        readout = wiring.output_index if len(wiring.outputs) else None
        return cls(n_inputs=n_in, n_neurons=n, mode=mode, layers=tuple(out), readout=readout, seed=seed)

    # -- kernel view ---------------------------------------------------------------------
    def kernel_params(self, dtype=np.float64, sparse_below: float = 0.25):
        """:class:`~circuitsim._kernels.cfc.CfCKernelParams` in `dtype` (float32 or float64).

        Layers whose weight matrices are less than `sparse_below` dense (nonzero
        entries of any head) are evaluated by synapse lists, the others by BLAS.
        """
        from .._kernels.cfc import CfCKernelParams

        dtype = np.dtype(dtype)
        pure = self.mode == "pure"
        layer_ptr, src_ptr, w_ptr, b_ptr = [0], [0], [0], [0]
        ws, bs = [], []
        for lay in self.layers:
            heads = ("ff1",) if pure else _HEADS
            # a sparse layer is evaluated by its synapse lists only: no dense block
            W = np.zeros((0, 0)) if lay.sparse else np.hstack([getattr(lay, h) for h in heads])
            b = np.concatenate([getattr(lay, h + "_b") for h in heads])
            ws.append(W.ravel())
            bs.append(b)
            layer_ptr.append(layer_ptr[-1] + lay.neurons.size)
            src_ptr.append(src_ptr[-1] + lay.sources.size)
            w_ptr.append(w_ptr[-1] + W.size)
            b_ptr.append(b_ptr[-1] + b.size)
        neurons = np.concatenate([lay.neurons for lay in self.layers])
        heads_ = ("ff1",) if pure else _HEADS
        sparse_flags, sp_ptr, sp_row, sp_w = [], [0], [], []
        for lay in self.layers:
            if lay.sparse:
                rows, w_syn, counts = _sparse_synapses(lay, heads_)
                sparse_flags.append(1)
                sp_row.append(rows)
                sp_w.append(w_syn)
                sp_ptr.extend((sp_ptr[-1] + np.cumsum(counts)).tolist())
                continue
            stack = np.stack([getattr(lay, h) for h in heads_], axis=-1)  # (k, m, heads)
            nz = (stack != 0).any(axis=-1)
            is_sparse = (not self.backbone) and nz.mean() < sparse_below
            sparse_flags.append(int(is_sparse))
            for q in range(lay.neurons.size):
                rows = np.flatnonzero(nz[:, q]) if is_sparse else np.zeros(0, np.int64)
                sp_row.append(rows)
                sp_w.append(stack[rows, q, :])
                sp_ptr.append(sp_ptr[-1] + rows.size)
        sp_row = np.concatenate(sp_row) if sp_row else np.zeros(0, np.int64)
        sp_w = np.concatenate(sp_w) if sp_w else np.zeros((0, len(heads_)))
        # fresh, writable, contiguous arrays: one compiled signature for every call
        c = lambda a, dt=dtype: np.array(a, dtype=dt, order="C", copy=True)  # noqa: E731
        i64 = lambda a: np.array(a, dtype=np.int64, order="C", copy=True)  # noqa: E731
        if self.backbone:
            w0, b0 = self.backbone[0]
            rest = self.backbone[1:]
            U = w0.shape[1]
            bw = np.stack([w for w, _ in rest]) if rest else np.zeros((0, U, U))
            bb = np.stack([b for _, b in rest]) if rest else np.zeros((0, U))
        else:
            w0, b0, bw, bb = np.zeros((0, 0)), np.zeros(0), np.zeros((0, 0, 0)), np.zeros((0, 0))
        return CfCKernelParams(
            MODES[self.mode], i64(layer_ptr), i64(neurons), i64(src_ptr),
            i64(np.concatenate([lay.sources for lay in self.layers])), i64(w_ptr), c(np.concatenate(ws)),
            i64(b_ptr), c(np.concatenate(bs)),
            c(self.w_tau[neurons] if pure else np.zeros(0)), c(self.A[neurons] if pure else np.zeros(0)),
            ACTIVATIONS[self.activation], c(w0), c(b0), c(bw), c(bb),
            i64(sparse_flags), i64(sp_ptr), i64(sp_row), c(sp_w.reshape(-1, len(heads_))), int(self.n_inputs),
        )

    @property
    def nbytes(self) -> int:
        """Bytes held by the weight arrays (dense or sparse)."""
        total = 0
        for lay in self.layers:
            for h in _HEADS:
                w = getattr(lay, h)
                if w is not None:
                    total += (w.data.nbytes + w.indices.nbytes + w.indptr.nbytes) if lay.sparse else w.nbytes
        return total

    # -- persistence ---------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the parameters to an ``.npz`` file atomically (exact round trip)."""
        from connectome.atomic import atomic_path

        a = {"format": np.array("circuitsim.CfCParams/1"), "n_inputs": np.array(self.n_inputs),
             "n_neurons": np.array(self.n_neurons), "mode": np.array(self.mode),
             "activation": np.array(self.activation), "readout": self.readout,
             "n_layers": np.array(len(self.layers)), "n_backbone": np.array(len(self.backbone)),
             "seed": np.array(-1 if self.seed is None else self.seed)}
        for key in ("w_tau", "A", "proj_w", "proj_b"):
            if getattr(self, key) is not None:
                a[key] = getattr(self, key)
        for i, (w, b) in enumerate(self.backbone):
            a[f"backbone{i}_w"], a[f"backbone{i}_b"] = w, b
        for i, lay in enumerate(self.layers):
            for f in dataclasses.fields(CfCLayer):
                v = getattr(lay, f.name)
                if v is None:
                    continue
                if lay.sparse and f.name in _SPARSE_FIELDS:  # CSC parts and shape
                    for part in ("data", "indices", "indptr"):
                        a[f"layer{i}_{f.name}_{part}"] = getattr(v, part)
                    a[f"layer{i}_{f.name}_shape"] = np.array(v.shape)
                else:
                    a[f"layer{i}_{f.name}"] = v
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez(tmp, **a)

    @classmethod
    def load(cls, path) -> "CfCParams":
        """Read parameters written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as f:
            if "format" not in f or str(f["format"]) != "circuitsim.CfCParams/1":
                raise ParameterError(f"{path} is not a CfC parameter file written by CfCParams.save")
            layers = []
            for i in range(int(f["n_layers"])):
                kw = {fl.name: f[f"layer{i}_{fl.name}"] for fl in dataclasses.fields(CfCLayer)
                      if f"layer{i}_{fl.name}" in f}
                kw.update({name: _csc_from(f, f"layer{i}_{name}") for name in _SPARSE_FIELDS
                           if f"layer{i}_{name}_data" in f})
                layers.append(CfCLayer(**kw))
            backbone = tuple((f[f"backbone{i}_w"], f[f"backbone{i}_b"]) for i in range(int(f["n_backbone"])))
            opt = {k: f[k] for k in ("w_tau", "A", "proj_w", "proj_b") if k in f}
            seed = int(f["seed"])
            return cls(n_inputs=int(f["n_inputs"]), n_neurons=int(f["n_neurons"]), mode=str(f["mode"]),
                       layers=tuple(layers), backbone=backbone, activation=str(f["activation"]),
                       readout=f["readout"], seed=None if seed < 0 else seed, **opt)

    def equals(self, other) -> bool:
        """True if structure and every value are identical."""
        if not isinstance(other, CfCParams):
            return False
        same = _same_values
        if (self.n_inputs, self.n_neurons, self.mode, self.activation, len(self.layers), len(self.backbone)) != (
                other.n_inputs, other.n_neurons, other.mode, other.activation, len(other.layers),
                len(other.backbone)):
            return False
        if not all(same(getattr(self, k), getattr(other, k)) for k in ("w_tau", "A", "readout", "proj_w", "proj_b")):
            return False
        if not all(same(a[0], b[0]) and same(a[1], b[1]) for a, b in zip(self.backbone, other.backbone)):
            return False
        return all(same(getattr(x, f.name), getattr(y, f.name))
                   for x, y in zip(self.layers, other.layers) for f in dataclasses.fields(CfCLayer))


@register_model
class CfC(Model):
    """The CfC network as a model of the engine (``Circuit(wiring, "cfc", CfCParams...)``).

    Not an ODE: its state between samples is its closed form, stepped by
    :class:`~circuitsim.solvers.sequence.ClosedForm`. The input ``u`` has one column
    per input channel of the wiring.
    """

    name = "cfc"
    state_names = ("h",)
    state_units = ("1",)
    params_type = CfCParams
    input_units = "1"
    time_units = "1"
    has_vector_field = False

    def default_params(self, wiring) -> CfCParams:
        return CfCParams.wired(wiring)

    def bind(self, params, wiring) -> CfCParams:
        params = super().bind(params, wiring)
        if params.n_neurons != wiring.n or params.n_inputs != len(wiring.input_channels):
            raise ParameterError(f"params are for {params.n_neurons} neurons and {params.n_inputs} inputs, "
                                 f"the wiring has {wiring.n} and {len(wiring.input_channels)}")
        return params

    def input_names(self, wiring) -> tuple:
        return tuple(wiring.input_channels)

    def kernel_params(self, circuit):
        return circuit.params.kernel_params(np.float64)

    def default_solver(self):
        from ..solvers.sequence import ClosedForm

        return ClosedForm()

    def missing_stiff_hooks(self, linear: str = "auto") -> str:
        return "CfC is a closed form, not an ODE (use ClosedForm)"

    def outputs(self, circuit, states):
        """Read-out neurons, then the optional linear projection (over the last axis of `states`)."""
        p = circuit.params
        y = np.asarray(states)[..., p.readout]
        if p.proj_w is not None:
            y = y @ p.proj_w + p.proj_b
        return y


def _sparse_synapses(lay, heads):
    """Synapse lists of a sparse layer: rows (within its sources) per neuron, weights (nnz, heads), counts (m,).

    The synapses are the union of the heads' patterns; a head without an entry there
    contributes 0.
    """
    import scipy.sparse as sp

    mats = [getattr(lay, h) for h in heads]
    union = sp.csc_array(sum(sp.csc_array(m != 0, dtype=np.int8) for m in mats), dtype=bool) if len(mats) > 1 \
        else sp.csc_array(mats[0] != 0, dtype=bool)
    union.sort_indices()
    k = union.shape[0]
    cols = np.repeat(np.arange(union.shape[1], dtype=np.int64), np.diff(union.indptr))
    keys = cols * k + union.indices
    w = np.zeros((keys.size, len(mats)))
    for j, m in enumerate(mats):
        m_cols = np.repeat(np.arange(m.shape[1], dtype=np.int64), np.diff(m.indptr))
        nz = m.data != 0
        w[np.searchsorted(keys, (m_cols * k + m.indices)[nz]), j] = m.data[nz]
    return union.indices.astype(np.int64), w, np.diff(union.indptr)


#: layer fields stored as CSC arrays in a sparse layer
_SPARSE_FIELDS = (*_HEADS, "mask", "time_mask")


def _csc_from(f, key):
    import scipy.sparse as sp

    return sp.csc_array((f[key + "_data"], f[key + "_indices"], f[key + "_indptr"]), shape=tuple(f[key + "_shape"]))


def _same_values(a, b) -> bool:
    """Both None, or the same values (dense arrays, or sparse arrays with the same shape and entries)."""
    import scipy.sparse as sp

    if a is None or b is None:
        return a is None and b is None
    if sp.issparse(a) or sp.issparse(b):
        return sp.issparse(a) and sp.issparse(b) and a.shape == b.shape and (a != b).nnz == 0
    return np.array_equal(a, b)
