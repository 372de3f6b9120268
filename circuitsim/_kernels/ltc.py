"""Compiled kernels of the liquid time-constant (LTC) neuron model.

The model (Hasani, Lechner et al. 2021, eq. 1 in the conductance form of
Lechner et al. 2020, "Neural circuit policies"), for neuron ``j``::

    cm_j dv_j/dt = gleak_j (vleak_j - v_j)
                 + sum_{i -> j} w_ij s(sigma_ij (v_i - mu_ij)) (erev_ij - v_j)
                 + sum_{c -> j} sw_cj s(ssigma_cj (u_c - smu_cj)) (serev_cj - v_j)
                 + sum_{i ~ j} g_ij (v_i - v_j)                      (gap junctions)

with ``s`` the logistic sigmoid and ``u = x * input_w + input_b`` the affinely
mapped input.  The fused semi-implicit Euler step splits an elapsed time
``dt`` into ``unfolds`` sub-steps ``h = dt / unfolds`` and evaluates the
conductances at the old state but the driving force at the new one::

    v_new = (cm/h v + gleak vleak + sum g_k E_k) / (cm/h + gleak + sum g_k + eps)

(the gap junctions enter as conductances ``g_ij`` towards ``E = v_i``), which is
a convex combination of ``v``, ``vleak`` and the reversal potentials when all
conductances are non-negative: the state bound of the paper holds for every
step size and input magnitude.

All arrays are contiguous float64/int64; synapses are grouped by
postsynaptic neuron (``post_indptr``, ``pre_index``) exactly like
``connectome.Wiring.chemical_by_post``.  Kernels return status codes
(0 = ok, 1 = non-finite state) and never raise.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import prange

from ._cache import kernel
from .dispatch import implements, rhs
from .exponential import linear_diagonal
from .fastmath import sigmoid as _fast_sigmoid
from .fastmath import sigmoid_of
from .jacobian import jac_values
from .sample_loop import block_step, block_workspace
from .threads import threaded

__all__ = [
    "LTCKernelParams",
    "FusedLTCConfig",
    "ltc_vector_field",
    "ltc_total_conductance",
]

STATUS_OK = 0
STATUS_NONFINITE = 1


class LTCKernelParams(NamedTuple):
    """Flat arrays of one LTC network (see :class:`circuitsim.models.ltc.LTCParams`)."""

    post_indptr: np.ndarray  # int64 (n + 1,)
    pre_index: np.ndarray  # int64 (nnz,)
    w: np.ndarray  # float64 (nnz,) nS
    sigma: np.ndarray  # float64 (nnz,) 1/mV
    mu: np.ndarray  # float64 (nnz,) mV
    erev: np.ndarray  # float64 (nnz,) mV
    s_post_indptr: np.ndarray  # int64 (n + 1,)
    s_in_index: np.ndarray  # int64 (n_sensory_synapses,)
    s_w: np.ndarray
    s_sigma: np.ndarray
    s_mu: np.ndarray
    s_erev: np.ndarray
    g_indptr: np.ndarray  # int64 (n + 1,)
    g_index: np.ndarray  # int64 (n_gap,)
    g_w: np.ndarray  # float64 (n_gap,) nS
    gleak: np.ndarray  # float64 (n,) nS
    vleak: np.ndarray  # float64 (n,) mV
    cm: np.ndarray  # float64 (n,) pF
    input_w: np.ndarray  # float64 (n_in,)
    input_b: np.ndarray  # float64 (n_in,)
    eps: float  # added to the denominator of the fused step (ncps: 1e-8)


_CLAMP = 40.0  # |z| beyond which the sigmoid is 0 or 1 to 4e-18


@kernel(inline="always", contract=True)
def _sigmoid(z):
    """Logistic sigmoid ``1 / (1 + exp(-z))`` in pure arithmetic (no libm call).

    ``exp(-z) = (exp(-z / 256))**256`` with a degree-10 Taylor polynomial on
    ``|z / 256| <= 40 / 256``: relative error below 1e-13, and the loop over
    batch members around it vectorises (SIMD) because nothing is a call.
    """
    if z > _CLAMP:
        z = _CLAMP
    elif z < -_CLAMP:
        z = -_CLAMP
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
    e = e * e
    return 1.0 / (1.0 + e)


@kernel
def sigmoid_array(z):
    """The kernels' sigmoid applied to an array (for tests)."""
    out = np.empty_like(z)
    for i in range(z.size):
        out.flat[i] = _sigmoid(z.flat[i])
    return out


_BLOCK = 16  # batch members advanced together (SIMD lanes run over them)


@kernel(contract=True)
def _sensory_block(p, u, m, sn, sd):
    """Sensory ``sum g E`` (sn) and ``sum g`` (sd), shapes (n, block), from mapped inputs u (n_in, block)."""
    n = sn.shape[0]
    for j in range(n):
        for q in range(m):
            sn[j, q] = 0.0
            sd[j, q] = 0.0
        for k in range(p.s_post_indptr[j], p.s_post_indptr[j + 1]):
            c = p.s_in_index[k]
            w = p.s_w[k]
            sg = p.s_sigma[k]
            mu = p.s_mu[k]
            e = p.s_erev[k]
            for q in range(m):
                a = w * _sigmoid(sg * (u[c, q] - mu))
                sn[j, q] += a * e
                sd[j, q] += a


@kernel(contract=True)
def _fused_block(p, v, vn, sn, sd, fac, m, unfolds, num, den):
    """``unfolds`` semi-implicit sub-steps for a block of members; v (n, block) updated in place.

    ``fac[q] = unfolds / dt[q]`` so that ``cm * fac = cm / (dt / unfolds)``.
    """
    n = v.shape[0]
    for _ in range(unfolds):
        for j in range(n):
            cm = p.cm[j]
            gl = p.gleak[j]
            glv = gl * p.vleak[j]
            for q in range(m):
                cmt = cm * fac[q]
                num[q] = cmt * v[j, q] + glv + sn[j, q]
                den[q] = cmt + gl + sd[j, q]
            for k in range(p.post_indptr[j], p.post_indptr[j + 1]):
                i = p.pre_index[k]
                w = p.w[k]
                sg = p.sigma[k]
                mu = p.mu[k]
                e = p.erev[k]
                for q in range(m):
                    a = w * _sigmoid(sg * (v[i, q] - mu))
                    num[q] += a * e
                    den[q] += a
            for k in range(p.g_indptr[j], p.g_indptr[j + 1]):
                i = p.g_index[k]
                g = p.g_w[k]
                for q in range(m):
                    num[q] += g * v[i, q]
                    den[q] += g
            for q in range(m):
                vn[j, q] = num[q] / (den[q] + p.eps)
        for j in range(n):
            for q in range(m):
                v[j, q] = vn[j, q]


class FusedLTCConfig(NamedTuple):
    """Kernel configuration of the fused LTC step in the sample loop."""

    block: int  # members advanced together (SIMD lanes)
    unfolds: int  # semi-implicit sub-steps per sample


class FusedLTCWork(NamedTuple):
    v: np.ndarray  # (n, m) state
    x: np.ndarray  # (n_in, m) raw input of this sample
    vn: np.ndarray  # (n, m)
    sn: np.ndarray  # (n, m) sensory sum g E
    sd: np.ndarray  # (n, m) sensory sum g
    u: np.ndarray  # (n_in, m) mapped input
    fac: np.ndarray  # (m,)
    num: np.ndarray  # (m,)
    den: np.ndarray  # (m,)


@implements(block_workspace, FusedLTCConfig)
@kernel
def fused_workspace(S, p, n, m):
    dtype = p.cm.dtype
    n_in = p.input_w.shape[0]
    return FusedLTCWork(np.zeros((n, m), dtype), np.zeros((n_in, m), dtype), np.zeros((n, m), dtype),
                        np.zeros((n, m), dtype), np.zeros((n, m), dtype), np.zeros((n_in, m), dtype),
                        np.zeros(m, dtype), np.zeros(m, dtype), np.zeros(m, dtype))


@implements(block_step, FusedLTCConfig)
@kernel
def fused_block_step(S, p, ws, dt, m):
    """``S.unfolds`` fused semi-implicit sub-steps of ``dt / unfolds`` (the input held over the interval)."""
    for q in range(m):
        ws.fac[q] = S.unfolds / dt[q]
        for c in range(ws.x.shape[0]):
            ws.u[c, q] = ws.x[c, q] * p.input_w[c] + p.input_b[c]
    _sensory_block(p, ws.u, m, ws.sn, ws.sd)
    _fused_block(p, ws.v, ws.vn, ws.sn, ws.sd, ws.fac, m, S.unfolds, ws.num, ws.den)
    return 0


@kernel
def _sensory(p, u, sn, sd):
    """Sensory numerator ``sum g E`` and denominator ``sum g`` per neuron (one member)."""
    n = sn.shape[0]
    for j in range(n):
        num = 0.0
        den = 0.0
        for k in range(p.s_post_indptr[j], p.s_post_indptr[j + 1]):
            a = p.s_w[k] * _sigmoid(p.s_sigma[k] * (u[p.s_in_index[k]] - p.s_mu[k]))
            num += a * p.s_erev[k]
            den += a
        sn[j] = num
        sd[j] = den


# -- the engine's vector field, diagonal and Jacobian ---------------------------------------
# Two passes per block of neurons: the conductance of every synapse of the block in one
# loop with no reduction (the gather and the sigmoid of :mod:`.fastmath` vectorise, four
# float64 lanes), then the per-neuron sums from that scratch, each sum split over four
# interleaved accumulators so that additions do not wait on one another. The summation
# order is fixed by the synapse order alone: results are the same on every run, for every
# thread count, and the threaded and serial paths share the same blocks.
_NEURON_BLOCK = 64  # neurons per block: ~6,400 synapses (50 KB of scratch) at 100 per neuron


@kernel(contract=True)
def _conductances(p, y, k0, k1, a):
    """``a[k - k0] = w_k s(sigma_k (y[pre_k] - mu_k))`` (nS) for the synapses ``k0 <= k < k1``.

    In the dtype of `a`, which is that of ``p.w``: with float32 storage the argument,
    the sigmoid and the product are float32 arithmetic (eight SIMD lanes, see
    :func:`.fastmath.sigmoid32`); the sums over synapses stay float64.
    """
    for k in range(k0, k1):  # the gather first: an indirect load blocks vectorising the loop it is in
        a[k - k0] = y[p.pre_index[k]]
    for k in range(k0, k1):
        a[k - k0] = p.w[k] * sigmoid_of(p.sigma[k] * (a[k - k0] - p.mu[k]))


@kernel(inline="always")
def _sum_and_dot(a, off, e, k0, k1):
    """``(sum_k a[k - off], sum_k a[k - off] e[k])`` over ``k0 <= k < k1``, four partial sums each."""
    s0 = s1 = s2 = s3 = 0.0
    d0 = d1 = d2 = d3 = 0.0
    k = k0
    while k + 4 <= k1:
        a0 = np.float64(a[k - off])  # float32 scratch (and reversal potentials) summed in float64
        a1 = np.float64(a[k + 1 - off])
        a2 = np.float64(a[k + 2 - off])
        a3 = np.float64(a[k + 3 - off])
        s0 += a0
        s1 += a1
        s2 += a2
        s3 += a3
        d0 += a0 * e[k]
        d1 += a1 * e[k + 1]
        d2 += a2 * e[k + 2]
        d3 += a3 * e[k + 3]
        k += 4
    while k < k1:
        ak = np.float64(a[k - off])
        s0 += ak
        d0 += ak * e[k]
        k += 1
    return (s0 + s1) + (s2 + s3), (d0 + d1) + (d2 + d3)


@kernel(inline="always")
def _sensory_conductance(p, u, j, vj):
    """Sensory synapses of neuron `j`: ``(sum g, sum g (E - v_j))`` at raw input `u`."""
    g = 0.0
    cur = 0.0
    for k in range(p.s_post_indptr[j], p.s_post_indptr[j + 1]):
        c = p.s_in_index[k]
        uc = u[c] * p.input_w[c] + p.input_b[c]
        a = p.s_w[k] * _fast_sigmoid(p.s_sigma[k] * (uc - p.s_mu[k]))
        g += a
        cur += a * (p.s_erev[k] - vj)
    return g, cur


@kernel(contract=True)
def _ltc_rhs_block(p, y, u, dydt, b):
    j0 = b * _NEURON_BLOCK
    j1 = min(j0 + _NEURON_BLOCK, y.shape[0])
    k0 = p.post_indptr[j0]
    a = np.empty(p.post_indptr[j1] - k0, p.w.dtype)
    _conductances(p, y, k0, p.post_indptr[j1], a)
    for j in range(j0, j1):
        vj = y[j]
        cur = p.gleak[j] * (p.vleak[j] - vj)
        cur += _sensory_conductance(p, u, j, vj)[1]
        # sum_k a_k (erev_k - v) = sum_k a_k erev_k - v sum_k a_k
        ga, gae = _sum_and_dot(a, k0, p.erev, p.post_indptr[j], p.post_indptr[j + 1])
        cur += gae - vj * ga
        for k in range(p.g_indptr[j], p.g_indptr[j + 1]):
            cur += p.g_w[k] * (y[p.g_index[k]] - vj)
        dydt[j] = cur / p.cm[j]


@kernel(parallel=True)
def _ltc_rhs_threads(p, y, u, dydt):
    for b in prange((y.shape[0] + _NEURON_BLOCK - 1) // _NEURON_BLOCK):
        _ltc_rhs_block(p, y, u, dydt, b)


@implements(rhs, LTCKernelParams)
@kernel
def ltc_vector_field(p, t, y, u, dydt):
    """The LTC ODE ``dv/dt`` (mV/ms) at state ``y`` (n,) and raw input ``u`` (n_in,).

    ``t`` is unused (the model is autonomous given its input). Large networks run
    the neuron blocks in threads (:mod:`.threads`); the result does not depend on it.
    """
    n = y.shape[0]
    if threaded(n, p.pre_index.shape[0]):
        _ltc_rhs_threads(p, y, u, dydt)
    else:
        for b in range((n + _NEURON_BLOCK - 1) // _NEURON_BLOCK):
            _ltc_rhs_block(p, y, u, dydt, b)


@kernel(contract=True)
def _ltc_diag_block(p, y, u, d, b):
    j0 = b * _NEURON_BLOCK
    j1 = min(j0 + _NEURON_BLOCK, y.shape[0])
    k0 = p.post_indptr[j0]
    a = np.empty(p.post_indptr[j1] - k0, p.w.dtype)
    _conductances(p, y, k0, p.post_indptr[j1], a)
    for j in range(j0, j1):
        g = p.gleak[j] + _sensory_conductance(p, u, j, y[j])[0]
        g += _sum_and_dot(a, k0, p.erev, p.post_indptr[j], p.post_indptr[j + 1])[0]
        for k in range(p.g_indptr[j], p.g_indptr[j + 1]):
            g += p.g_w[k]
        d[j] = -g / p.cm[j]


@kernel(parallel=True)
def _ltc_diag_threads(p, y, u, d):
    for b in prange((y.shape[0] + _NEURON_BLOCK - 1) // _NEURON_BLOCK):
        _ltc_diag_block(p, y, u, d, b)


@implements(linear_diagonal, LTCKernelParams)
@kernel
def ltc_linear_diagonal(p, t, y, u, d):
    """Total membrane conductance over capacitance, negated (1/ms): the decay rate of each neuron."""
    n = y.shape[0]
    if threaded(n, p.pre_index.shape[0]):
        _ltc_diag_threads(p, y, u, d)
    else:
        for b in range((n + _NEURON_BLOCK - 1) // _NEURON_BLOCK):
            _ltc_diag_block(p, y, u, d, b)


@kernel(parallel=True)
def ltc_total_conductance(p, x, states, out):
    """Total membrane conductance ``gleak + sum of synaptic conductances`` (nS).

    Parameters
    ----------
    x : float64 (B, T, n_in)
        Raw inputs held during each sample interval.
    states : float64 (B, T, n)
        Membrane states at which the conductances are evaluated.
    out : float64 (B, T, n)
        Output buffer.
    """
    B, T, n_in = x.shape
    n = states.shape[2]
    for b in prange(B):
        u = np.empty(n_in)
        sn = np.empty(n)
        sd = np.empty(n)
        for t in range(T):
            for c in range(n_in):
                u[c] = x[b, t, c] * p.input_w[c] + p.input_b[c]
            _sensory(p, u, sn, sd)
            for j in range(n):
                g = p.gleak[j] + sd[j]
                for k in range(p.post_indptr[j], p.post_indptr[j + 1]):
                    g += p.w[k] * _sigmoid(p.sigma[k] * (states[b, t, p.pre_index[k]] - p.mu[k]))
                for k in range(p.g_indptr[j], p.g_indptr[j + 1]):
                    g += p.g_w[k]
                out[b, t, j] = g
    return STATUS_OK


@kernel(contract=True)
def _jac_block(p, y, u, vals, j0, j1):
    n = y.shape[0]
    n_syn = p.pre_index.shape[0]
    k0 = p.post_indptr[j0]
    k1 = p.post_indptr[j1]
    for k in range(k0, k1):  # the activations s_k first, in place (one vectorised loop)
        vals[n + k] = _fast_sigmoid(p.sigma[k] * (y[p.pre_index[k]] - p.mu[k]))
    for j in range(j0, j1):
        vj = y[j]
        inv_cm = 1.0 / p.cm[j]
        g = p.gleak[j] + _sensory_conductance(p, u, j, vj)[0]
        g += _sum_and_dot(vals, -n, p.w, p.post_indptr[j], p.post_indptr[j + 1])[1]
        for k in range(p.post_indptr[j], p.post_indptr[j + 1]):
            sg = vals[n + k]
            vals[n + k] = p.w[k] * sg * (1.0 - sg) * p.sigma[k] * (p.erev[k] - vj) * inv_cm
        for k in range(p.g_indptr[j], p.g_indptr[j + 1]):
            g += p.g_w[k]
            vals[n + n_syn + k] = p.g_w[k] * inv_cm
        vals[j] = -g * inv_cm


@implements(jac_values, LTCKernelParams)
@kernel
def ltc_jac_values(p, t, y, u, vals):
    """``J`` on the pattern of ``LTC.jacobian_pattern``: the diagonal, each synapse (post, pre), each gap entry."""
    n = y.shape[0]
    for j0 in range(0, n, _NEURON_BLOCK):
        _jac_block(p, y, u, vals, j0, min(j0 + _NEURON_BLOCK, n))
