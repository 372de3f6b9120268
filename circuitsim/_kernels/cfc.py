"""Compiled kernels of closed-form continuous-time (CfC) networks (Hasani et al. 2022).

For one layer with input vector ``z`` (the layer's sources: input channels and
neuron states) and elapsed time ``t`` since the previous sample::

    f1 = z @ ff1 + b1,  f2 = z @ ff2 + b2,  ta = z @ time_a + ba,  tb = z @ time_b + bb
    s  = sigmoid(ta * t + tb)
    default:  h = tanh(f1) * (1 - s) + s * tanh(f2)
    no_gate:  h = tanh(f1) + s * tanh(f2)
    pure:     h = A - A * exp(-t * (|w_tau| + |f1|)) * f1       (eq. 10 of the paper)

Weights are ``W[source, neuron]`` blocks (sources x 4 heads); masked entries
are stored as zeros.  Layers are evaluated in order and write their neurons
into the shared state ``h`` as soon as they are done, so a later layer sees the
new states of earlier layers and the previous states of itself and later
layers (for ncps's layered NCP wiring this is exactly ncps's WiredCfCCell).

Dense layers go through BLAS (``np.dot``), one product per layer and step with
the heads side by side; the kernel works feature-major (states and products are
(features, batch), weights transposed once per call), which OpenBLAS runs
markedly faster than the batch-major product in float32 for a few dozen batch
members.  When every batch member has the same elapsed time at a step,
``time_a * t + time_b`` is folded into one matrix so three heads replace four.
Biases are added in the elementwise closed form, which runs in float64 with
batch members innermost (vectorised).  Sparse layers (a worm-derived wiring under
``recurrent="wiring"``) run over their synapse lists instead, batch members in
the innermost (SIMD) loop.  Works in float32 or float64 (the dtype of
the weights and states).
"""

from __future__ import annotations

from typing import NamedTuple

import math

import numpy as np
from numba import prange

from ._cache import kernel
from .dispatch import implements
from .sample_loop import block_step, block_workspace
from .threads import threaded


__all__ = ["CfCKernelParams", "ClosedFormConfig", "MODE_DEFAULT", "MODE_NO_GATE", "MODE_PURE"]

MODE_DEFAULT = 0
MODE_NO_GATE = 1
MODE_PURE = 2

ACT_LECUN_TANH = 0
ACT_TANH = 1
ACT_RELU = 2
ACT_SILU = 3
ACT_GELU = 4


class CfCKernelParams(NamedTuple):
    """Flat arrays of one CfC network (see :class:`circuitsim.models.cfc.CfCParams`)."""

    mode: int
    layer_ptr: np.ndarray  # int64 (L + 1,)
    layer_neurons: np.ndarray  # int64 (n,) neuron indices, layer by layer
    src_ptr: np.ndarray  # int64 (L + 1,)
    src_index: np.ndarray  # int64: < n_in input channel, else n_in + neuron index
    w_ptr: np.ndarray  # int64 (L + 1,) offsets into weights
    weights: np.ndarray  # (sum |S_l| * heads * m_l,) row-major blocks [ff1 | ff2 | time_a | time_b]
    b_ptr: np.ndarray  # int64 (L + 1,)
    bias: np.ndarray  # (sum heads * m_l,)
    w_tau: np.ndarray  # (n,) layer order, pure mode (else empty)
    A: np.ndarray  # (n,) layer order, pure mode (else empty)
    bb_act: int  # backbone activation code
    bb_w0: np.ndarray  # (|S_0|, U) first backbone layer, (0, 0) without backbone
    bb_b0: np.ndarray  # (U,)
    bb_w: np.ndarray  # (n_bb - 1, U, U)
    bb_b: np.ndarray  # (n_bb - 1, U)
    layer_sparse: np.ndarray  # int64 (L,): 1 = evaluate the layer by its synapse lists
    sp_ptr: np.ndarray  # int64 (n + 1,) synapses of each neuron (layer order)
    sp_row: np.ndarray  # int64 (nnz,) row within the layer's sources
    sp_w: np.ndarray  # (nnz, heads) weights [ff1, ff2, time_a, time_b] of each synapse
    n_in: int  # input channels


@kernel
def _activate(a, code):
    """Backbone activation in place on a 2-d array."""
    B, U = a.shape
    for b in range(B):
        for k in range(U):
            z = a[b, k]
            if code == ACT_LECUN_TANH:
                a[b, k] = 1.7159 * np.tanh(0.666 * z)
            elif code == ACT_TANH:
                a[b, k] = np.tanh(z)
            elif code == ACT_RELU:
                a[b, k] = z if z > 0.0 else 0.0
            elif code == ACT_SILU:
                a[b, k] = z / (1.0 + np.exp(-z))
            else:
                a[b, k] = 0.5 * z * (1.0 + math.erf(z * 0.7071067811865476))


@kernel(inline="always")
def _exp_neg(z):
    """``exp(-z)`` with ``z`` clamped to [-40, 40], in pure arithmetic (vectorises; see ``ltc._sigmoid``)."""
    if z > 40.0:
        z = 40.0
    elif z < -40.0:
        z = -40.0
    r = z * (-1.0 / 256.0)
    e = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (
        1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (1.0 / 3628800.0))))))))))
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    e = e * e
    return e * e


@kernel(inline="always")
def _gated(a1, a2, a3, gate):
    """``tanh(a1) (1 - s) + s tanh(a2)`` (or ``tanh(a1) + s tanh(a2)``), ``s = sigmoid(a3)``, one division.

    With ``e_i = exp(-2 a_1), exp(-2 a_2), exp(-a_3)``: ``tanh(a) = (1 - e) / (1 + e)``,
    ``s = 1 / (1 + e_3)`` and ``1 - s = e_3 / (1 + e_3)``; the three fractions share one
    denominator (the exponentials are clamped, so the products stay below 1e53).
    """
    e1 = _exp_neg(2.0 * a1)
    e2 = _exp_neg(2.0 * a2)
    e3 = _exp_neg(a3)
    p1 = 1.0 + e1
    p2 = 1.0 + e2
    p3 = 1.0 + e3
    m1 = 1.0 - e1
    m2 = 1.0 - e2
    if gate:
        return (m1 * p2 * e3 + m2 * p1) / (p1 * p2 * p3)
    return (m1 * p2 * p3 + m2 * p1) / (p1 * p2 * p3)


@kernel
def _heads_default(GT, bl, m, dtb, shared, ts, mode, neurons, zT, off):
    """Elementwise closed form of default / no_gate modes; writes rows ``off + neurons`` of ``zT``.

    ``GT`` (heads * m, B) holds the head products without bias (``bl``, added here).
    The closed form runs in float64 (also for float32 weights), batch members in the
    innermost loop (contiguous, branch-free: it vectorises).
    """
    B = GT.shape[1]
    gate = mode != MODE_NO_GATE
    for q in range(m):
        row = off + neurons[q]
        c1 = float(bl[q])
        c2 = float(bl[m + q])
        c3 = float(bl[2 * m + q])
        if shared:
            if gate:
                for b in range(B):
                    zT[row, b] = _gated(float(GT[q, b]) + c1, float(GT[m + q, b]) + c2,
                                        float(GT[2 * m + q, b]) + c3, True)
            else:
                for b in range(B):
                    zT[row, b] = _gated(float(GT[q, b]) + c1, float(GT[m + q, b]) + c2,
                                        float(GT[2 * m + q, b]) + c3, False)
        else:
            c4 = float(bl[3 * m + q])
            for b in range(B):
                a3 = (float(GT[2 * m + q, b]) + c3) * dtb[b] + float(GT[3 * m + q, b]) + c4
                zT[row, b] = _gated(float(GT[q, b]) + c1, float(GT[m + q, b]) + c2, a3, gate)


@kernel
def _heads_pure(GT, bl, m, dtb, w_tau, A, off, neurons, zT, zoff):
    """Closed form of pure mode (``GT`` (m, B) without bias ``bl``); writes rows ``zoff + neurons`` of ``zT``."""
    B = GT.shape[1]
    for q in range(m):
        row = zoff + neurons[q]
        a = float(A[off + q])
        wt = abs(float(w_tau[off + q]))
        c1 = float(bl[q])
        for b in range(B):
            f1 = float(GT[q, b]) + c1
            zT[row, b] = -a * np.exp(-dtb[b] * (wt + abs(f1))) * f1 + a


@kernel
def _sparse_heads(p, XT, l, heads, GT):
    """``GT[head * m + q, b] = sum_k XT[row_k, b] * w_k[head]`` over the synapses of each neuron (no bias).

    Wide layers (a sparse CfC of 10^4-10^5 neurons) run the neurons in threads; each
    neuron's sums are the same in either path.
    """
    m = p.layer_ptr[l + 1] - p.layer_ptr[l]
    base = p.layer_ptr[l]
    if threaded(m, (p.sp_ptr[base + m] - p.sp_ptr[base]) * XT.shape[1]):
        _sparse_heads_threads(p, XT, heads, GT, m, base)
    else:
        acc = np.empty((heads, XT.shape[1]))
        for q in range(m):
            _sparse_neuron(p, XT, heads, GT, m, base, q, acc)


_SPARSE_BLOCK = 64  # neurons per task of the threaded path (one scratch allocation each)


@kernel(parallel=True)
def _sparse_heads_threads(p, XT, heads, GT, m, base):
    for c in prange((m + _SPARSE_BLOCK - 1) // _SPARSE_BLOCK):
        acc = np.empty((heads, XT.shape[1]))
        for q in range(c * _SPARSE_BLOCK, min(m, (c + 1) * _SPARSE_BLOCK)):
            _sparse_neuron(p, XT, heads, GT, m, base, q, acc)


@kernel(inline="always")
def _sparse_neuron(p, XT, heads, GT, m, base, q, acc):
    # sums in a small local scratch (no aliasing with GT or XT: the inner loop over members vectorises)
    B = XT.shape[1]
    for hd in range(heads):
        for b in range(B):
            acc[hd, b] = 0.0
    for k in range(p.sp_ptr[base + q], p.sp_ptr[base + q + 1]):
        r = p.sp_row[k]
        for hd in range(heads):
            w = float(p.sp_w[k, hd])
            for b in range(B):
                acc[hd, b] += XT[r, b] * w
    for hd in range(heads):
        for b in range(B):
            GT[hd * m + q, b] = acc[hd, b]


@kernel
def _transposed(a):
    """C-contiguous copy of ``a.T`` for a 2-d array."""
    out = np.empty((a.shape[1], a.shape[0]), a.dtype)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j, i] = a[i, j]
    return out


class ClosedFormConfig(NamedTuple):
    """Kernel configuration of the CfC closed form as a step of the sample loop."""

    block: int  # members advanced together (0: every member of a thread's group)


class CfCWork(NamedTuple):
    zT: np.ndarray  # (n_in + n, m): inputs of this sample, then neuron states (feature-major)
    x: np.ndarray  # view zT[:n_in]
    v: np.ndarray  # view zT[n_in:]
    kin: np.ndarray  # int64 (L,) rows of each layer's head matrices
    wt: np.ndarray  # transposed head weights, layer by layer (heads * m_l, kin_l), columns in `rows` order
    wc_ptr: np.ndarray  # int64 (L + 1,)
    bc_ptr: np.ndarray  # int64 (L + 1,)
    wc: np.ndarray  # merged heads [ff1 | ff2 | time_a * t + time_b] (3 m_l, kin_l) for a shared elapsed time
    bc: np.ndarray  # float64 merged biases
    bw0T: np.ndarray  # first backbone layer, transposed
    bwT: np.ndarray  # further backbone layers, transposed
    last_ts: np.ndarray  # float64 (1,) elapsed time the merged heads were built for (-1: none)
    rows: np.ndarray  # int64 (sum |S_l|,) zT row of each source, sorted within each layer
    row0: np.ndarray  # int64 (L,) first zT row when a layer's sources are consecutive rows, else -1
    xbuf: np.ndarray  # gathered sources of a layer (|S_l| * m,)
    gbuf: np.ndarray  # head products of a layer (heads * m_l * m,)


@implements(block_workspace, ClosedFormConfig)
@kernel
def cfc_workspace(S, p, n, m):
    """Transposed head weights (prepared once per block), state and product buffers of `m` members.

    Each layer's sources are sorted by their row in the state (the head matrices' columns
    permuted alike): when they are consecutive rows, as for every layer of an ncps NCP,
    the products read the state in place instead of a gathered copy.
    """
    n_in = p.n_in
    L = p.layer_ptr.shape[0] - 1
    dtype = p.weights.dtype
    pure = p.mode == MODE_PURE
    heads = 1 if pure else 4
    backbone = p.bb_w0.shape[1] > 0
    zT = np.zeros((n_in + n, m), dtype)
    wc_ptr = np.zeros(L + 1, np.int64)
    bc_ptr = np.zeros(L + 1, np.int64)
    kin = np.empty(L, np.int64)
    wt = np.empty(p.weights.shape[0], dtype)
    rows = np.empty(p.src_index.shape[0], np.int64)
    row0 = np.full(L, -1, np.int64)
    max_x = 1
    max_g = 1
    for l in range(L):
        ml = p.layer_ptr[l + 1] - p.layer_ptr[l]
        s0 = p.src_ptr[l]
        ns = p.src_ptr[l + 1] - s0
        src = p.src_index[s0:s0 + ns]
        order = np.argsort(src, kind="mergesort") if not backbone else np.arange(ns)
        for r in range(ns):
            rows[s0 + r] = src[order[r]]
        if ns > 0 and rows[s0 + ns - 1] - rows[s0] == ns - 1:
            row0[l] = rows[s0]
        kin[l] = p.bb_w0.shape[1] if backbone else ns
        dense_l = p.layer_sparse[l] == 0  # merged heads only for dense layers (a sparse one may be 10^5 wide)
        wc_ptr[l + 1] = wc_ptr[l] + (kin[l] * 3 * ml if dense_l else 0)
        bc_ptr[l + 1] = bc_ptr[l] + 3 * ml
        max_x = max(max_x, ns)
        max_g = max(max_g, heads * ml)
        if p.layer_sparse[l]:
            continue
        W = p.weights[p.w_ptr[l]:p.w_ptr[l + 1]].reshape((kin[l], heads * ml))
        Wt = wt[p.w_ptr[l]:p.w_ptr[l + 1]].reshape((heads * ml, kin[l]))
        if backbone:  # sources in their own order (a dense CfC's are consecutive already)
            Wt[:, :] = _transposed(W)
        else:
            for r in range(ns):
                src_r = order[r]
                for c in range(heads * ml):
                    Wt[c, r] = W[src_r, c]
    bwT = np.empty((p.bb_w.shape[0], p.bb_w.shape[2], p.bb_w.shape[1]), dtype)
    for i in range(p.bb_w.shape[0]):
        bwT[i] = _transposed(p.bb_w[i])
    return CfCWork(zT, zT[:n_in], zT[n_in:], kin, wt, wc_ptr, bc_ptr, np.empty(wc_ptr[L], dtype),
                   np.empty(bc_ptr[L], np.float64), _transposed(p.bb_w0), bwT, np.full(1, -1.0), rows, row0,
                   np.empty(max_x * m, dtype), np.empty(max_g * m, dtype))


@kernel
def _layer_sources(ws, p, l, m):
    """The sources of layer `l` for the first `m` members, (|S_l|, m) in sorted-row order."""
    s0 = p.src_ptr[l]
    ns = p.src_ptr[l + 1] - s0
    if ws.row0[l] >= 0 and m == ws.zT.shape[1]:
        return ws.zT[ws.row0[l]:ws.row0[l] + ns]
    XT = ws.xbuf[:ns * m].reshape((ns, m))
    for r in range(ns):
        i = ws.rows[s0 + r]
        for b in range(m):
            XT[r, b] = ws.zT[i, b]
    return XT


@implements(block_step, ClosedFormConfig)
@kernel
def cfc_block_step(S, p, ws, dt, m):
    """One sample interval for `m` members: each layer's heads by one product, then the closed form.

    Layers write their neurons into the shared state as soon as they are done, so a later
    layer sees the new states of earlier layers (ncps's WiredCfCCell for a layered NCP).
    """
    n_in = ws.x.shape[0]
    L = p.layer_ptr.shape[0] - 1
    pure = p.mode == MODE_PURE
    heads = 1 if pure else 4
    backbone = p.bb_w0.shape[1] > 0
    zT = ws.zT
    dtb = dt[:m]
    ts = dtb[0]
    shared = not pure
    for b in range(1, m):
        if dtb[b] != ts:
            shared = False
    if shared and ts != ws.last_ts[0]:
        for l in range(L):
            if p.layer_sparse[l]:
                continue
            ml = p.layer_ptr[l + 1] - p.layer_ptr[l]
            ns = ws.kin[l]
            WT = ws.wt[p.w_ptr[l]:p.w_ptr[l + 1]].reshape((4 * ml, ns))
            Wc = ws.wc[ws.wc_ptr[l]:ws.wc_ptr[l + 1]].reshape((3 * ml, ns))
            for q in range(2 * ml):
                for r in range(ns):
                    Wc[q, r] = WT[q, r]
            for q in range(ml):
                for r in range(ns):
                    Wc[2 * ml + q, r] = WT[2 * ml + q, r] * ts + WT[3 * ml + q, r]
            bl = p.bias[p.b_ptr[l]:p.b_ptr[l + 1]]
            bcl = ws.bc[ws.bc_ptr[l]:ws.bc_ptr[l + 1]]
            for q in range(2 * ml):
                bcl[q] = bl[q]
            for q in range(ml):
                bcl[2 * ml + q] = float(bl[2 * ml + q]) * ts + float(bl[3 * ml + q])
        ws.last_ts[0] = ts
    for l in range(L):
        ml = p.layer_ptr[l + 1] - p.layer_ptr[l]
        s0 = p.src_ptr[l]
        ns = p.src_ptr[l + 1] - s0
        src = p.src_index[s0:s0 + ns]
        neurons = p.layer_neurons[p.layer_ptr[l]:p.layer_ptr[l + 1]]
        bl = p.bias[p.b_ptr[l]:p.b_ptr[l + 1]]
        if p.layer_sparse[l]:
            XTs = np.empty((ns, m))
            for r in range(ns):
                for b in range(m):
                    XTs[r, b] = zT[src[r], b]
            Gs = np.empty((heads * ml, m))
            _sparse_heads(p, XTs, l, heads, Gs)
            if pure:
                _heads_pure(Gs, bl, ml, dtb, p.w_tau, p.A, p.layer_ptr[l], neurons, zT, n_in)
            else:
                _heads_default(Gs, bl, ml, dtb, False, ts, p.mode, neurons, zT, n_in)
            continue
        XT = _layer_sources(ws, p, l, m)
        if backbone:  # dense CfC: a single layer
            Z = np.dot(ws.bw0T, XT)
            for k in range(Z.shape[0]):
                for b in range(m):
                    Z[k, b] += p.bb_b0[k]
            _activate(Z, p.bb_act)
            for i in range(ws.bwT.shape[0]):
                Z = np.dot(ws.bwT[i], Z)
                for k in range(Z.shape[0]):
                    for b in range(m):
                        Z[k, b] += p.bb_b[i, k]
                _activate(Z, p.bb_act)
            XT = Z
        # the products are complete before the closed form overwrites this layer's rows of zT
        if shared:
            G = ws.gbuf[:3 * ml * m].reshape((3 * ml, m))
            np.dot(ws.wc[ws.wc_ptr[l]:ws.wc_ptr[l + 1]].reshape((3 * ml, XT.shape[0])), XT, G)
            _heads_default(G, ws.bc[ws.bc_ptr[l]:ws.bc_ptr[l + 1]], ml, dtb, True, ts, p.mode, neurons, zT, n_in)
        else:
            G = ws.gbuf[:heads * ml * m].reshape((heads * ml, m))
            np.dot(ws.wt[p.w_ptr[l]:p.w_ptr[l + 1]].reshape((heads * ml, XT.shape[0])), XT, G)
            if pure:
                _heads_pure(G, bl, ml, dtb, p.w_tau, p.A, p.layer_ptr[l], neurons, zT, n_in)
            else:
                _heads_default(G, bl, ml, dtb, False, ts, p.mode, neurons, zT, n_in)
    return 0
