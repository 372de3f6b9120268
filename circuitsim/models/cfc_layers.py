"""Layers of a CfC network: the frozen layer record, random initialisation, layers of a wiring."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import ParameterError
from .base import check_array

__all__ = ["CfCLayer", "wiring_layers"]

_HEADS = ("ff1", "ff2", "time_a", "time_b")
_LAYER_ORDER = ("sensory", "inter", "command", "motor")  # NCP layer names, evaluation order


def _int_array(name, value):
    arr = np.array(value, dtype=np.int64).reshape(-1) if np.size(value) else np.zeros(0, np.int64)
    arr.setflags(write=False)
    return arr


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class CfCLayer:
    """One layer of a CfC network.

    Parameters
    ----------
    neurons : int array (m,)
        Indices (wiring order) of the neurons this layer computes.
    sources : int array (k,)
        The layer's inputs: ``c < n_inputs`` is input channel ``c``, ``n_inputs + i``
        is neuron ``i``.
    ff1, ff2, time_a, time_b : float arrays or scipy.sparse arrays (k_in, m)
        Head weights ``W[source, neuron]`` (``k_in = k``, or the backbone width);
        ``ff2``, ``time_a``, ``time_b`` are ``None`` in pure mode. Sparse heads (all of
        a layer's heads, or none) are stored as CSC arrays: their pattern is the synapse
        mask, so a wiring of 10^5 neurons costs memory in proportion to its synapses.
    ff1_b, ff2_b, time_a_b, time_b_b : float arrays (m,)
        Head biases.
    mask, time_mask : bool arrays (k_in, m), optional
        Synapse masks; weights outside are forced to zero (None: dense).
    """

    neurons: object
    sources: object
    ff1: object
    ff1_b: object
    ff2: object = None
    ff2_b: object = None
    time_a: object = None
    time_a_b: object = None
    time_b: object = None
    time_b_b: object = None
    mask: object = None
    time_mask: object = None

    def __repr__(self) -> str:
        from .base import summary_repr

        return summary_repr(self)

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "neurons", _int_array("neurons", self.neurons))
        set_(self, "sources", _int_array("sources", self.sources))
        m = self.neurons.size
        given = [h for h in _HEADS if getattr(self, h) is not None]
        sparse = [h for h in given if _is_sparse(getattr(self, h))]
        if sparse and len(sparse) != len(given):
            raise ParameterError(f"heads {sparse} are sparse and {sorted(set(given) - set(sparse))} dense: "
                                 "give all of a layer's heads in one form")
        sparse = bool(sparse)
        ff1 = _weights("ff1", self.ff1, sparse)
        if ff1.ndim != 2 or ff1.shape[1] != m:
            raise ParameterError(f"ff1 must have shape (k, {m}) (sources x neurons), got {ff1.shape}")
        k = ff1.shape[0]
        for name in ("mask", "time_mask"):
            val = getattr(self, name)
            if val is not None:
                val = _mask(val, sparse)
                if val.shape != (k, m):
                    raise ParameterError(f"{name} must have shape {(k, m)}, got {val.shape}")
                set_(self, name, val)
        for head in _HEADS:
            w, b = getattr(self, head), getattr(self, head + "_b")
            if w is None:
                if head != "ff1" and b is not None:
                    raise ParameterError(f"{head}_b given without {head}")
                continue
            w = _weights(head, w, sparse)
            b = check_array(head + "_b", b)
            if w.shape != (k, m) or b.shape != (m,):
                raise ParameterError(
                    f"{head} must have shape {(k, m)} and {head}_b shape {(m,)}, got {w.shape} and {b.shape}")
            msk = self.time_mask if head.startswith("time") else self.mask
            set_(self, head, _frozen(w if msk is None else w.multiply(msk) if sparse else w * msk, sparse))
            set_(self, head + "_b", b)
        present = [h for h in _HEADS[1:] if getattr(self, h) is not None]
        if present and len(present) != 3:
            raise ParameterError("ff2, time_a and time_b must be given together (or none of them, pure mode)")

    @property
    def pure(self) -> bool:
        return self.ff2 is None

    @property
    def sparse(self) -> bool:
        """Whether the heads are stored as sparse (CSC) arrays."""
        return _is_sparse(self.ff1)


def _weights(name, w, sparse):
    """Head weights as a checked float64 array, or (sparse) a CSC array with finite entries."""
    if not sparse:
        return check_array(name, w)
    import scipy.sparse as sp

    w = sp.csc_array(w, dtype=np.float64)
    bad = ~np.isfinite(w.data)
    if bad.any():
        raise ParameterError(f"{name} has a non-finite weight ({w.data[bad][0]!r})")
    return w


def _mask(val, sparse):
    """A synapse mask as a bool array, or (sparse) a bool CSC array."""
    if not sparse:
        val = np.array(val, dtype=bool)
        val.setflags(write=False)
        return val
    import scipy.sparse as sp

    return sp.csc_array(val if _is_sparse(val) else np.array(val, dtype=bool), dtype=bool)


def _frozen(w, sparse):
    """`w` read-only (dense), or in canonical CSC form (sparse: summed duplicates, sorted indices)."""
    if sparse:
        import scipy.sparse as sp

        w = sp.csc_array(w)
        w.sum_duplicates()
        w.sort_indices()
        return w
    w.setflags(write=False)
    return w


def _is_sparse(a) -> bool:
    import scipy.sparse as sp

    return sp.issparse(a)


def _xavier(rng, k, m, fan_in=None, fan_out=None):
    bound = np.sqrt(6.0 / ((fan_in or k) + (fan_out or m)))
    return rng.uniform(-bound, bound, (k, m))


def _bias(rng, fan_in, m):
    bound = 1.0 / np.sqrt(max(fan_in, 1))
    return rng.uniform(-bound, bound, m)


def _random_layer(rng, neurons, sources, mask, time_mask, pure, fan_in=None):
    k, m = len(sources), len(neurons)
    fan_in = fan_in or k
    kw = dict(neurons=neurons, sources=sources, mask=mask, time_mask=time_mask,
              ff1=_xavier(rng, k, m), ff1_b=_bias(rng, fan_in, m))
    if not pure:
        for head in _HEADS[1:]:
            kw[head] = _xavier(rng, k, m)
            kw[head + "_b"] = _bias(rng, fan_in, m)
    return CfCLayer(**kw)


def _random_sparse_layer(rng, neurons, sources, mask, pure, fan_in=None):
    """:func:`_random_layer` with heads stored on the (k, m) sparse `mask` (Xavier bounds of the dense shape)."""
    import scipy.sparse as sp

    k, m = len(sources), len(neurons)
    fan_in = fan_in or k
    mask = sp.csc_array(mask, dtype=bool)
    mask.sort_indices()
    bound = np.sqrt(6.0 / (k + m))

    def head():
        return sp.csc_array((rng.uniform(-bound, bound, mask.nnz), mask.indices.copy(), mask.indptr.copy()),
                            shape=(k, m))

    kw = dict(neurons=neurons, sources=sources, ff1=head(), ff1_b=_bias(rng, fan_in, m))
    if not pure:
        for name in _HEADS[1:]:
            kw[name] = head()
            kw[name + "_b"] = _bias(rng, fan_in, m)
    return CfCLayer(**kw)


def wiring_layers(wiring, layers=None) -> list:
    """Neuron index arrays of each layer (see :meth:`CfCParams.wired`)."""
    if layers is None:
        meta = wiring.metadata
        if "layer" in meta.columns and meta["layer"].notna().all():
            vals = meta["layer"].to_numpy()
            distinct = set(vals.tolist())
            if distinct <= set(_LAYER_ORDER):
                order = [v for v in _LAYER_ORDER if v in distinct]
            else:
                try:
                    order = sorted(distinct, key=float)
                except (TypeError, ValueError):
                    raise ParameterError(
                        f"cannot order the wiring's layers {sorted(map(str, distinct))}: use numbers or "
                        f"{list(_LAYER_ORDER)}, or pass layers=[[...], ...] explicitly") from None
            return [np.flatnonzero(vals == v) for v in order]
        return [np.arange(wiring.n)]
    groups = [wiring.index_of(list(g)) for g in layers]
    flat = np.concatenate(groups) if groups else np.zeros(0, np.int64)
    if np.sort(flat).tolist() != list(range(wiring.n)):
        raise ParameterError("layers must list every neuron of the wiring exactly once")
    if any(g.size == 0 for g in groups):
        raise ParameterError("layers must not be empty")
    return groups
