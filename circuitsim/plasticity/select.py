"""Which chemical synapses are plastic: all, between chosen neurons or classes, pairs, or a mask."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import NoSuchSynapseError, PlasticityError

__all__ = ["synapse_indices"]


def _names(wiring, items, what):
    from connectome.select import resolve

    from ..errors import UnknownNeuronError

    try:
        return wiring.index_of(resolve(wiring, items, what=what)).astype(np.int64)
    except Exception as err:  # noqa: BLE001 - unknown names: the project's error, naming them
        if isinstance(err, (UnknownNeuronError, PlasticityError)):
            raise
        name = getattr(err, "name", items if isinstance(items, str) else items[0])
        raise UnknownNeuronError(name, wiring.neurons, where=what) from None


def synapse_indices(wiring, spec, *, what="synapses") -> np.ndarray:
    """Positions, in the CSR order of ``wiring.chemical`` (``W[pre, post]``), of the synapses `spec` selects.

    Parameters
    ----------
    spec : None, "all", dict, list of (pre, post), bool array (n, n) or scipy.sparse matrix
        ``None``/``"all"``: every chemical synapse. ``{"pre": names, "post": names}`` (either
        key may be left out: any neuron): every synapse between those neurons or classes.
        A list of ``(pre, post)`` pairs: those synapses. A mask ``M[pre, post]``: its non-zeros.

    Raises
    ------
    NoSuchSynapseError
        A pair or mask entry where the wiring has no chemical synapse, or a selection with none.
    UnknownNeuronError
        Names that are neither neurons nor classes.
    """
    chem = sp.csr_array(wiring.chemical)
    chem.sort_indices()
    n = wiring.n
    pre_all = np.repeat(np.arange(n), np.diff(chem.indptr))
    post_all = chem.indices.astype(np.int64)
    if spec is None or (isinstance(spec, str) and spec == "all"):
        return np.arange(chem.nnz, dtype=np.int64)
    keys = pre_all * n + post_all  # sorted (row-major CSR with sorted indices)
    if isinstance(spec, dict):
        unknown = set(spec) - {"pre", "post"}
        if unknown:
            raise PlasticityError(f"{what} as a dict takes the keys 'pre' and 'post', got {sorted(unknown)}")
        ok = np.ones(chem.nnz, bool)
        for side, arr in (("pre", pre_all), ("post", post_all)):
            if spec.get(side) is not None:
                ok &= np.isin(arr, _names(wiring, spec[side], f"{what}[{side!r}]"))
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            raise NoSuchSynapseError(f"{what} selects no chemical synapse: the wiring has none from "
                                     f"{spec.get('pre', 'any neuron')} to {spec.get('post', 'any neuron')}")
        return idx.astype(np.int64)
    if sp.issparse(spec) or (isinstance(spec, np.ndarray) and spec.ndim == 2):
        m = sp.coo_array(spec)
        if m.shape != (n, n):
            raise PlasticityError(f"{what} mask must have shape ({n}, {n}) (W[pre, post]), got {m.shape}")
        nz = m.data != 0
        pre, post = m.row[nz].astype(np.int64), m.col[nz].astype(np.int64)
        want = np.unique(pre * n + post)
    else:
        pairs = list(spec)
        if not pairs or not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
            raise PlasticityError(f"{what} must be None, 'all', a dict of 'pre'/'post' names, a list of "
                                  f"(pre, post) pairs or a mask W[pre, post]; got {spec!r:.80}")
        pre = np.array([_names(wiring, [a], what)[0] for a, _ in pairs], dtype=np.int64)
        post = np.array([_names(wiring, [b], what)[0] for _, b in pairs], dtype=np.int64)
        want = pre * n + post
        if len(np.unique(want)) != len(want):
            raise PlasticityError(f"{what} names a synapse twice")
    pos = np.searchsorted(keys, want)
    pos_c = np.minimum(pos, max(len(keys) - 1, 0))
    bad = (len(keys) == 0) | (keys[pos_c] != want) if len(keys) else np.ones(len(want), bool)
    if np.any(bad):
        k = int(want[np.flatnonzero(bad)[0]])
        raise NoSuchSynapseError(f"{what} asks for {int(np.sum(bad))} synapse(s) the wiring does not have, e.g. "
                                 f"{wiring.neurons[k // n]} -> {wiring.neurons[k % n]}: weights exist only on "
                                 "existing chemical synapses")
    return pos.astype(np.int64)
