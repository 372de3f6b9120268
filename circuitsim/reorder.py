"""A locality-improving neuron order, applied inside the engine and invisible outside it.

The vector fields gather, for each postsynaptic neuron, the state of its presynaptic
partners (``y[pre_index[k]]``). On a large wiring whose neuron order has nothing to do
with its connectivity, those reads land anywhere in the state vector, and once the
state no longer fits in the caches every synapse costs a cache miss. Numbering
neurons so that connected neurons get nearby numbers (reverse Cuthill-McKee on the
symmetrised chemical + gap-junction pattern, which keeps the bandwidth of the
matrix small) turns most of those reads into cache hits.

The order is internal: :func:`circuitsim.simulate` permutes the kernel arrays, the
initial state, the input columns and the recorded indices, so results (samples, dense
output, :meth:`Result.at`, recorded neurons, inputs addressed by name) come back in the
user's neuron order. Each neuron keeps its synapses in their original order, so every
sum is taken in the same order as without the permutation: fixed-step explicit runs
(``Euler``, ``RK4``, ``ETD2(dt=...)``) are bitwise identical to unpermuted runs.
Adaptive runs agree to rounding: their error norm sums over the state in another order,
which may change a step size in the last bits.

``Circuit(..., reorder=True)`` permutes (an error for models without a layout here),
``reorder="auto"`` permutes circuits of at least :data:`AUTO_MIN_NEURONS` neurons when
the new order at least halves the mean ``|post - pre|`` of the synapses, and
``reorder=False`` (the default) never. Measured on :func:`connectome.synthetic_brain`
(10^5 neurons x 100 synapses, ``benchmarks/bench_scale.py``): RCM shortens the mean
``|post - pre|`` by only 6% (33,300 -> 31,400; heavy-tailed hubs and long-range
synapses leave little bandwidth to remove) and did not speed RK4 up (0.90x, paired
median at load 9), hence the default. Wirings with more locality gain more.
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError

__all__ = ["AUTO_MIN_NEURONS", "REORDER_OPTIONS", "neuron_order", "permute_kernel_params", "state_permutation",
           "supports_reorder", "register_layout"]

#: from this many neurons ``reorder="auto"`` permutes: below it the state (16 B per
#: neuron for the graded network) fits in the 1-2 MB of L2 cache and the order hardly matters
AUTO_MIN_NEURONS = 50_000

REORDER_OPTIONS = ("auto", True, False)

#: kernel-parameter type name -> (per-neuron fields, [(indptr, index, (per-entry fields...)), ...])
_LAYOUTS: dict = {
    "GradedKernelParams": (("C", "Gc", "Ec", "vth", "beta", "a_r", "a_d"),
                           (("gap_indptr", "gap_index", ("g_gap",)),
                            ("post_indptr", "pre_index", ("g_syn", "e_syn", "g_signed")))),
    "CTRNNKernelParams": (("tau", "bias"), (("post_indptr", "pre_index", ("weight",)),)),
}


def register_layout(kp_type, neuron_fields, csr_groups) -> None:
    """Declare which fields of a model's kernel parameters are per neuron and which are CSR rows by neuron.

    Parameters
    ----------
    kp_type : type
        The model's kernel-parameter NamedTuple.
    neuron_fields : tuple of str
        Arrays of shape (n,), in neuron order.
    csr_groups : sequence of (indptr, index, values)
        Row pointer (n + 1,) by postsynaptic neuron, the neuron index of each entry,
        and the fields with one value per entry.
    """
    _LAYOUTS[kp_type.__name__] = (tuple(neuron_fields), tuple((a, b, tuple(c)) for a, b, c in csr_groups))


def check_reorder(value):
    """`value` if it is one of :data:`REORDER_OPTIONS`, else :class:`ParameterError`."""
    if not any(value is o or (isinstance(value, str) and value == o) for o in REORDER_OPTIONS):
        raise ParameterError(f"reorder must be 'auto', True or False, got {value!r}")
    return value


def supports_reorder(kp) -> bool:
    """Whether kernel parameters `kp` have a declared layout (so they can be permuted)."""
    return type(kp).__name__ in _LAYOUTS


def neuron_order(kp) -> np.ndarray:
    """Reverse Cuthill-McKee order of the neurons of kernel parameters `kp`.

    Parameters
    ----------
    kp : NamedTuple
        Kernel parameters of a model with a declared layout.

    Returns
    -------
    ndarray of int64, shape (n,)
        ``order[new] = old``: the neuron that takes position ``new``.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    neuron_fields, groups = _LAYOUTS[type(kp).__name__]
    n = getattr(kp, neuron_fields[0]).shape[0]
    rows, cols = [], []
    for ptr, idx, _ in groups:
        indptr = getattr(kp, ptr)
        rows.append(np.repeat(np.arange(n, dtype=np.int32), np.diff(indptr)))
        cols.append(np.asarray(getattr(kp, idx), dtype=np.int32))
    r, c = np.concatenate(rows), np.concatenate(cols)
    A = sp.csr_array((np.ones(r.shape[0], np.int8), (r, c)), shape=(n, n))
    A = (A + A.T).tocsr()
    A.sort_indices()
    return np.asarray(reverse_cuthill_mckee(A, symmetric_mode=True), dtype=np.int64)


def bandwidth(kp, order=None) -> float:
    """Mean ``|post - pre|`` over the chemical synapses of `kp` (in `order`, default as given): a locality measure."""
    neuron_fields, groups = _LAYOUTS[type(kp).__name__]
    ptr, idx, _ = groups[-1]
    indptr, index = getattr(kp, ptr), np.asarray(getattr(kp, idx), np.int64)
    n = indptr.shape[0] - 1
    post = np.repeat(np.arange(n), np.diff(indptr))
    if order is not None:
        inv = np.empty(n, np.int64)
        inv[order] = np.arange(n)
        post, index = inv[post], inv[index]
    return float(np.abs(post - index).mean()) if index.size else 0.0


def _permute_csr(indptr, index, values, order, inv):
    """Rows of a CSR by neuron in `order`, entries renumbered, each row's entries kept in their order."""
    counts = np.diff(indptr)[order]
    new_ptr = np.zeros(indptr.shape[0], dtype=indptr.dtype)
    np.cumsum(counts, out=new_ptr[1:])
    take = np.repeat(indptr[:-1][order] - new_ptr[:-1], counts) + np.arange(new_ptr[-1], dtype=np.int64)
    new_index = inv[index[take]].astype(index.dtype)
    # an optional per-entry field may be empty (e.g. the graded network's g_signed): it stays empty
    return new_ptr, new_index, [np.ascontiguousarray(v[take] if v.shape[0] == index.shape[0] else v) for v in values]


def permute_kernel_params(kp, order):
    """`kp` with neuron ``order[new]`` at position ``new`` (see :func:`neuron_order`).

    Per-neuron arrays are gathered, CSR rows are moved with their neuron and their
    neuron indices renumbered; the entries of a row keep their order (sums in the
    same order). Dtypes are kept (float32 storage stays float32).
    """
    neuron_fields, groups = _LAYOUTS[type(kp).__name__]
    order = np.asarray(order, dtype=np.int64)
    inv = np.empty_like(order)
    inv[order] = np.arange(order.shape[0])
    d = kp._asdict()
    for f in neuron_fields:
        d[f] = np.ascontiguousarray(np.asarray(d[f])[order])
    for ptr, idx, vals in groups:
        new_ptr, new_index, new_vals = _permute_csr(d[ptr], d[idx], [d[v] for v in vals], order, inv)
        d[ptr], d[idx] = new_ptr, new_index
        d.update(zip(vals, new_vals))
    return type(kp)(**d)


def state_permutation(order, n_vars) -> np.ndarray:
    """Flat-state version of a neuron order: ``y_internal = y_user[perm]`` for a variable-major state."""
    n = order.shape[0]
    return np.concatenate([k * n + order for k in range(n_vars)]).astype(np.int64)


class InternalCircuit:
    """A circuit as the solvers see it: kernel arrays, tolerances and states in the internal neuron order.

    Everything else (model, wiring, parameters) is the circuit's own; solvers build
    their kernel configuration from it (``Job.solver_circuits``).
    """

    def __init__(self, circuit):
        self.circuit = circuit
        self.order = circuit.neuron_order
        self.state_perm = state_permutation(self.order, circuit.model.n_vars)

    def __getattr__(self, name):
        return getattr(self.circuit, name)

    def kernel_params(self, copy: bool = True):
        return self.circuit.internal_kernel_params(copy)

    @property
    def y0(self):
        return self.circuit.y0[self.state_perm]
