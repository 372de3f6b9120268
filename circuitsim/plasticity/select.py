"""Which chemical synapses and gap junctions are plastic: all, between chosen neurons or classes, pairs, or a mask."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import NoSuchSynapseError, NonSymmetricGapError, PlasticityError

__all__ = ["synapse_indices", "gap_pairs", "gap_indices"]


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


def gap_pairs(wiring):
    """The wiring's gap junctions as unordered pairs ``(a, b)``, ``a < b``, in row-major order of ``electrical``.

    Returns
    -------
    a, b : int64 arrays (n_junctions,)
        Junction ``j`` joins neurons ``a[j]`` and ``b[j]`` (self-junctions carry no current and are left out).

    Raises
    ------
    NonSymmetricGapError
        A junction present in one direction only, or with different conductances in the two.
    """
    g = sp.csr_array(wiring.electrical, dtype=np.float64)
    g.sum_duplicates()
    g.sort_indices()
    rows = np.repeat(np.arange(wiring.n), np.diff(g.indptr))
    cols = g.indices.astype(np.int64)
    off = rows != cols
    gt = sp.csr_array(g.T)
    diff = abs(g - gt)
    diff.eliminate_zeros()
    if diff.nnz:
        tol = 1e-12 * max(1.0, float(abs(g).max()))
        d = diff.tocoo()
        bad = np.flatnonzero(d.data > tol)
        if len(bad):
            i, j = int(d.row[bad[0]]), int(d.col[bad[0]])
            gij, gji = float(g[i, j]), float(g[j, i])
            raise NonSymmetricGapError(
                f"the wiring's gap junctions are not symmetric: {wiring.neurons[i]} ~ {wiring.neurons[j]} has weight "
                f"{gij:g} from {wiring.neurons[i]} and {gji:g} from {wiring.neurons[j]}; a plastic gap junction has one "
                "weight shared by both directions (fix the wiring's electrical matrix)")
    upper = off & (rows < cols)
    return rows[upper].astype(np.int64), cols[upper]


def gap_indices(wiring, spec, *, what="gap_junctions") -> np.ndarray:
    """Positions, in the order of :func:`gap_pairs`, of the gap junctions `spec` selects.

    Parameters
    ----------
    spec : "all", dict, list of (a, b) or symmetric mask (n, n)
        ``"all"``: every gap junction. ``{"pre": names, "post": names}``: every junction
        joining a neuron of one group to one of the other (in either order). A list of
        pairs: those junctions (``(a, b)`` and ``(b, a)`` name the same one). A mask: its
        non-zeros, which must be symmetric.

    Raises
    ------
    NoSuchSynapseError
        A pair or mask entry where the wiring has no gap junction, or a selection with none.
    NonSymmetricGapError
        A mask that selects ``a -> b`` but not ``b -> a``, or a wiring whose junctions are not symmetric.
    UnknownNeuronError
        Names that are neither neurons nor classes.
    """
    a_all, b_all = gap_pairs(wiring)
    n = wiring.n
    if isinstance(spec, str) and spec == "all":
        if len(a_all) == 0:
            raise NoSuchSynapseError(f"{what}='all' but the wiring has no gap junctions")
        return np.arange(len(a_all), dtype=np.int64)
    if isinstance(spec, dict):
        unknown = set(spec) - {"pre", "post"}
        if unknown:
            raise PlasticityError(f"{what} as a dict takes the keys 'pre' and 'post', got {sorted(unknown)}")
        side = {}
        for k in ("pre", "post"):
            side[k] = (np.ones(n, bool) if spec.get(k) is None else
                       np.isin(np.arange(n), _names(wiring, spec[k], f"{what}[{k!r}]")))
        ok = (side["pre"][a_all] & side["post"][b_all]) | (side["pre"][b_all] & side["post"][a_all])
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            raise NoSuchSynapseError(f"{what} selects no gap junction: the wiring has none between "
                                     f"{spec.get('pre', 'any neuron')} and {spec.get('post', 'any neuron')}")
        return idx.astype(np.int64)
    if sp.issparse(spec) or (isinstance(spec, np.ndarray) and spec.ndim == 2):
        m = sp.csr_array(spec)
        if m.shape != (n, n):
            raise PlasticityError(f"{what} mask must have shape ({n}, {n}), got {m.shape}")
        m = sp.csr_array((m != 0).astype(np.int8))
        one_way = (m - sp.csr_array(m.T)).tocoo()
        bad = np.flatnonzero(one_way.data > 0)
        if len(bad):
            i, j = int(one_way.row[bad[0]]), int(one_way.col[bad[0]])
            raise NonSymmetricGapError(
                f"{what} mask is not symmetric: it selects {wiring.neurons[i]} -> {wiring.neurons[j]} but not "
                f"{wiring.neurons[j]} -> {wiring.neurons[i]}; a gap junction is one pair with one weight "
                "(select both directions, e.g. mask | mask.T)")
        c = m.tocoo()
        pre, post = c.row.astype(np.int64), c.col.astype(np.int64)
    else:
        pairs = list(spec)
        if not pairs or not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in pairs):
            raise PlasticityError(f"{what} must be None, 'all', a dict of 'pre'/'post' names, a list of "
                                  f"(a, b) pairs or a symmetric mask; got {spec!r:.80}")
        pre = np.array([_names(wiring, [x], what)[0] for x, _ in pairs], dtype=np.int64)
        post = np.array([_names(wiring, [y], what)[0] for _, y in pairs], dtype=np.int64)
    lo, hi = np.minimum(pre, post), np.maximum(pre, post)
    want = np.unique(lo * n + hi)
    keys = a_all * n + b_all  # sorted: row-major with a < b
    pos = np.searchsorted(keys, want)
    bad = (pos >= len(keys)) | (keys[np.minimum(pos, max(len(keys) - 1, 0))] != want) if len(keys) else \
        np.ones(len(want), bool)
    if np.any(bad):
        k = int(want[np.flatnonzero(bad)[0]])
        raise NoSuchSynapseError(f"{what} asks for {int(np.sum(bad))} gap junction(s) the wiring does not have, e.g. "
                                 f"{wiring.neurons[k // n]} ~ {wiring.neurons[k % n]}: weights exist only on "
                                 "existing gap junctions")
    return pos.astype(np.int64)
