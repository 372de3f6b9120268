"""Structure-exploiting Rosenbrock integrator (RODAS4) for the graded network.

The method is RODAS of Hairer & Wanner (Solving ODEs II, 2nd ed., 1996, sec. IV.7;
coefficient set 1 of their ``rodas.f``): 6 stages, order 4 with an embedded order-3
solution, L-stable and stiffly accurate, with a continuous extension of order 3.
Each step solves six linear systems with ``M = I/(h gamma) - J`` and the exact
Jacobian ``J``. For the graded network ``M`` is never formed: the s-block is
diagonal and is eliminated, leaving an ``n x n`` system ``S = P + E`` on the
membrane potentials (:func:`~circuitsim._kernels.graded.graded_schur_assemble`).
``P`` (diagonal + gap junctions) is factorised by a sparse LU without pivoting
whose fill-reducing ordering and fill pattern are computed once in Python
(:mod:`circuitsim.stiff`). The synaptic coupling ``E`` is either part of that
factor (``SparseLU.direct``) or, much cheaper, applied matrix-free in a fixed-point
iteration preconditioned by ``P`` that runs until its estimated remaining error is a
small fraction of the error tolerance. The whole time loop is compiled.

Status codes returned by :func:`rodas4_graded`:
0 success, 1 step limit reached, 2 step size underflow, 3 non-finite state,
4 factorisation repeatedly failed (zero pivot). A linear iteration that does not
converge rejects the step and halves it (the coupling shrinks relative to ``P``
as ``h`` does); later steps are capped at that size, a cap that relaxes by 1.2 per
accepted step.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .graded import (graded_coupling, graded_coupling_residual, graded_rhs, graded_s_backsolve,
                     graded_schur_assemble, graded_schur_rhs)
from .inputs import bracket, input_at, n_segments, segment_end
from .interpolate import find_step

OK, MAX_STEPS, STEP_UNDERFLOW, NON_FINITE, SINGULAR = 0, 1, 2, 3, 4

# RODAS coefficient set 1 (Hairer & Wanner, rodas.f).
_G = 0.25
_C2, _C3, _C4 = 0.386, 0.21, 0.63
_D1, _D2, _D3, _D4 = 0.25, -0.1043, 0.1035, -0.03620000000000023
_A21 = 1.544
_A31, _A32 = 0.9466785280815826, 0.2557011698983284
_A41, _A42, _A43 = 3.314825187068521, 2.896124015972201, 0.9986419139977817
_A51, _A52, _A53, _A54 = 1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895
_C21 = -5.6688
_C31, _C32 = -2.430093356833875, -0.2063599157091915
_C41, _C42, _C43 = -0.1073529058151375, -9.594562251023355, -20.47028614809616
_C51, _C52, _C53, _C54 = 7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616
_C61, _C62, _C63, _C64, _C65 = (8.083246795921522, -7.981132988064893, -31.52159432874371,
                                16.31930543123136, -6.058818238834054)
_E21, _E22, _E23, _E24, _E25 = (10.12623508344586, -7.487995877610167, -34.80091861555747,
                                -7.992771707568823, 1.025137723295662)
_E31, _E32, _E33, _E34, _E35 = (-0.6762803392801253, 6.087714651680015, 16.43084320892478,
                                24.76722511418386, -6.594389125716872)
# the same as tables over stages: stage i evaluates f at t + CT[i] h, y + sum_j A[i, j] k_j and
# solves M k_i = f + sum_j CC[i, j] k_j / h + h D[i] df/dt; the sixth stage is the embedded
# solution (A[5] = A[4] + e_4) and y_new = y + A[5] k + k_5 (stiffly accurate)
_A = np.array([[0.0, 0.0, 0.0, 0.0, 0.0],
               [_A21, 0.0, 0.0, 0.0, 0.0],
               [_A31, _A32, 0.0, 0.0, 0.0],
               [_A41, _A42, _A43, 0.0, 0.0],
               [_A51, _A52, _A53, _A54, 0.0],
               [_A51, _A52, _A53, _A54, 1.0]])
_CC = np.array([[0.0, 0.0, 0.0, 0.0, 0.0],
                [_C21, 0.0, 0.0, 0.0, 0.0],
                [_C31, _C32, 0.0, 0.0, 0.0],
                [_C41, _C42, _C43, 0.0, 0.0],
                [_C51, _C52, _C53, _C54, 0.0],
                [_C61, _C62, _C63, _C64, _C65]])
_CT = np.array([0.0, _C2, _C3, _C4, 1.0, 1.0])
_D = np.array([_D1, _D2, _D3, _D4, 0.0, 0.0])
MAX_LINEAR_ITERATIONS = 25


class SparseLU(NamedTuple):
    """Symbolic structure of the reduced matrix (permuted CSR including fill).

    Row ``r`` of the factor holds columns ``cols[indptr[r]:indptr[r+1]]`` (sorted);
    ``diag[r]`` is the position of ``(r, r)``. ``perm[r]`` is the neuron at
    permuted position ``r``. ``diag_pos``, ``gap_pos``, ``syn_pos`` map the
    diagonal of each neuron, each gap-junction entry and each synapse (kernel
    order) to positions in the value array. Rows ``r >= dense_from`` store every
    column ``>= dense_from`` (the last ``n - dense_from`` entries of the row, in
    column order), so the trailing block is eliminated with contiguous dense loops.
    ``direct`` says whether the synaptic coupling ``E`` is part of the factor (the
    factor is then the exact Schur complement) or is iterated on (``syn_pos`` empty).
    """

    perm: np.ndarray  # int64 (n,)
    indptr: np.ndarray  # int64 (n + 1,)
    cols: np.ndarray  # int64 (nnz,)
    diag: np.ndarray  # int64 (n,)
    diag_pos: np.ndarray  # int64 (n,)
    gap_pos: np.ndarray  # int64 (n_gap,)
    syn_pos: np.ndarray  # int64 (n_syn,)
    dense_from: int  # rows/columns >= dense_from form a fully stored (dense) trailing block
    direct: bool  # True: E is factorised; False: the factor is P and E is applied by iteration


@njit(cache=True, fastmath=True, error_model="numpy")
def _dense_row(dense, di, i, m):
    """Eliminate columns ``< i`` of dense row `di` (m,) against factored rows ``dense[:i]``.

    Four pivot rows at a time: their small triangle first, then one fused contiguous
    update of the rest of the row (fewer loads/stores of `di`).
    """
    kk = 0
    while kk + 4 <= i:
        d0 = dense[kk]
        d1 = dense[kk + 1]
        d2 = dense[kk + 2]
        d3 = dense[kk + 3]
        l0 = di[kk] / d0[kk]
        l1 = (di[kk + 1] - l0 * d0[kk + 1]) / d1[kk + 1]
        l2 = (di[kk + 2] - l0 * d0[kk + 2] - l1 * d1[kk + 2]) / d2[kk + 2]
        l3 = (di[kk + 3] - l0 * d0[kk + 3] - l1 * d1[kk + 3] - l2 * d2[kk + 3]) / d3[kk + 3]
        di[kk] = l0
        di[kk + 1] = l1
        di[kk + 2] = l2
        di[kk + 3] = l3
        for j in range(kk + 4, m):
            di[j] -= l0 * d0[j] + l1 * d1[j] + l2 * d2[j] + l3 * d3[j]
        kk += 4
    while kk < i:
        dk = dense[kk]
        lk = di[kk] / dk[kk]
        di[kk] = lk
        for j in range(kk + 1, m):
            di[j] -= lk * dk[j]
        kk += 1


@njit(cache=True, fastmath=True, error_model="numpy")
def lu_factor(lu, vals, x):
    """In-place LU (no pivoting) of the assembled values; returns the failing row or -1.

    Row-by-row (IKJ) elimination on the precomputed fill pattern with a dense row
    accumulator `x` (n,) for the sparse leading columns; the dense trailing block
    (``lu.dense_from``) is updated in place with contiguous (vectorisable) loops.
    On return `vals` holds the strictly lower part of ``L`` (unit diagonal), the
    strictly upper part of ``U`` and, at the diagonal positions, ``1 / U[r, r]``
    (so eliminations and solves multiply instead of divide).
    """
    n = lu.perm.shape[0]
    indptr, cols, diag = lu.indptr, lu.cols, lu.diag
    nd = lu.dense_from
    m = n - nd
    dense = np.empty((m, m))
    for r in range(n):
        ds = indptr[r + 1] - m if r >= nd else indptr[r + 1]
        lend = min(diag[r], ds)
        if lend > indptr[r]:
            for q in range(indptr[r], indptr[r + 1]):
                x[cols[q]] = vals[q]
            for q in range(indptr[r], lend):
                k = cols[q]
                lk = x[k] * vals[diag[k]]     # reciprocal pivot of a finished row
                x[k] = lk
                for mm in range(diag[k] + 1, indptr[k + 1]):
                    x[cols[mm]] -= lk * vals[mm]
            for q in range(indptr[r], indptr[r + 1]):
                vals[q] = x[cols[q]]
        if r >= nd:
            i = r - nd
            di = dense[i]
            for j in range(m):
                di[j] = vals[ds + j]
            _dense_row(dense, di, i, m)
            for j in range(m):
                vals[ds + j] = di[j]
        d = vals[diag[r]]
        if not (abs(d) > 1e-300) or not np.isfinite(d):
            return r
        vals[diag[r]] = 1.0 / d
    return -1


@njit(cache=True, error_model="numpy")
def lu_solve(lu, vals, b, x, tmp):
    """Solve ``S x = b`` (original neuron order) with the factor in `vals` (from :func:`lu_factor`)."""
    n = lu.perm.shape[0]
    indptr, cols, diag, perm = lu.indptr, lu.cols, lu.diag, lu.perm
    for r in range(n):
        acc = b[perm[r]]
        for q in range(indptr[r], diag[r]):
            acc -= vals[q] * tmp[cols[q]]
        tmp[r] = acc
    for r in range(n - 1, -1, -1):
        acc = tmp[r]
        for q in range(diag[r] + 1, indptr[r + 1]):
            acc -= vals[q] * tmp[cols[q]]
        tmp[r] = acc * vals[diag[r]]
    for r in range(n):
        x[perm[r]] = tmp[r]
    return 0


@njit(cache=True, error_model="numpy")
def input_slope(tab, seg, t, du):
    """Time derivative of the drive of segment `seg` at `t` (right derivative at knots)."""
    lo = tab.seg_lo[seg]
    hi = tab.seg_hi[seg]
    times = tab.times
    vals = tab.values
    for c in range(du.shape[0]):
        du[c] = 0.0
    if hi == lo or t < times[lo] or t >= times[hi]:
        return
    a = bracket(times, lo, hi, t)
    b = a + 1
    dt = times[b] - times[a]
    if dt > 0.0:
        for c in range(du.shape[0]):
            du[c] = (vals[b, c] - vals[a, c]) / dt


class _Work(NamedTuple):
    k: np.ndarray  # (6, N) stage vectors
    ynew: np.ndarray  # (N,)
    dy: np.ndarray  # (N,)
    fx: np.ndarray  # (N,) df/dt
    r: np.ndarray  # (N,) stage right-hand side
    rv: np.ndarray  # (n,) reduced right-hand side
    uv: np.ndarray  # (n,) V part of the stage vector
    un: np.ndarray  # (n,) next iterate
    ev: np.ndarray  # (n,) the iteration's right-hand side r_V - E uv
    tmp: np.ndarray  # (n,)
    ratio: np.ndarray  # (n,)
    inv_d2: np.ndarray  # (n,)
    vals: np.ndarray  # (nnz,) factor values
    xrow: np.ndarray  # (n,) factorisation accumulator
    u: np.ndarray  # (n,) input current
    du: np.ndarray  # (n,) its time derivative
    theta: np.ndarray  # (1,) contraction rate of the linear iteration in this step
    e_vals: np.ndarray  # (n_syn,) entries of E per synapse (this step)
    r_vals: np.ndarray  # (n_syn,) -J_Vs / D2 per synapse (this step)
    inv_sk: np.ndarray  # (n,) 1 / (atol + rtol |V|) at the step's start


@njit(cache=True, error_model="numpy")
def stage_workspace(n, nnz, n_syn):
    """Work arrays of one RODAS4 run: `n` neurons, `nnz` factor entries, `n_syn` synapses."""
    N = 2 * n
    return _Work(np.zeros((6, N)), np.empty(N), np.empty(N), np.zeros(N), np.empty(N), np.empty(n),
                 np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n),
                 np.empty(nnz), np.empty(n), np.empty(n), np.empty(n), np.ones(1), np.empty(n_syn),
                 np.empty(n_syn), np.empty(n))


@njit(cache=True, error_model="numpy")
def solve_stage(p, lu, w, out, inv_scale, lin_tol):
    """Solve ``M x = w.r`` into `out` (2n,) with the factor in ``w.vals``.

    With a direct factor this is one triangular solve. Otherwise ``S = P + E`` is
    solved by the fixed-point iteration ``P x_{k+1} = r_V - E x_k`` (``P``
    factorised). With ``d_k = max_i |x_{k,i} - x_{k-1,i}| inv_scale_i`` (``inv_scale``
    (n,) = ``1 / (atol_i + rtol |y_i|)`` of the membrane potentials)
    and the contraction rate ``theta = d_k / d_{k-1}``, the remaining error is about
    ``theta / (1 - theta) d_k``; the iteration stops once that is ``<= lin_tol``.
    ``theta`` is kept in ``w.theta[0]`` for the next stages of the same step (set
    it to 1 to force a fresh measurement). A correction at round-off level
    (``1e-14 max |x|``) also ends the iteration.

    Returns
    -------
    int
        Number of iterations (``E`` products), or -1 if the iteration did not
        contract or did not converge within ``MAX_LINEAR_ITERATIONS``. Non-finite
        values end the iteration and are left in `out`.
    """
    n = p.C.shape[0]
    graded_schur_rhs(p, w.r_vals, w.r, w.rv)
    lu_solve(lu, w.vals, w.rv, w.uv, w.tmp)
    its = 0
    if not lu.direct:
        prev = np.inf
        while True:
            graded_coupling_residual(p, w.e_vals, w.rv, w.uv, w.ev)
            lu_solve(lu, w.vals, w.ev, w.un, w.tmp)
            its += 1
            d = 0.0
            dabs = 0.0
            xabs = 0.0
            for i in range(n):
                di = abs(w.un[i] - w.uv[i])
                dabs = max(dabs, di)
                xabs = max(xabs, abs(w.un[i]))
                di *= inv_scale[i]
                if not di <= d:   # also catches NaN
                    d = di
                w.uv[i] = w.un[i]
            if not d < np.inf:            # non-finite: the step's state check reports it
                break
            if dabs <= 1e-14 * xabs:      # converged to round-off
                break
            if its >= 2:
                w.theta[0] = d / prev
            th = w.theta[0]
            if th < 1.0 and th / (1.0 - th) * d <= lin_tol:
                break
            if (its >= 2 and th >= 1.0) or its >= MAX_LINEAR_ITERATIONS:
                return -1
            prev = d
    graded_s_backsolve(w.ratio, w.inv_d2, w.r, w.uv, out)
    return its


@njit(cache=True, error_model="numpy")
def _axpy(a, x, y):
    """``y += a x`` in place."""
    for i in range(y.shape[0]):
        y[i] += a * x[i]


@njit(cache=True, error_model="numpy")
def _grow(a, n_rows):
    out = np.empty((max(2 * a.shape[0], n_rows),) + a.shape[1:], a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def rodas4_graded(p, tab, member, y0, t0, t1, atol, rtol, h0, hmax, max_steps, lu, lin_tol):
    """Integrate the graded network from `t0` to `t1` with RODAS4.

    Parameters
    ----------
    p : GradedKernelParams
    tab : InputTable
        External current per neuron (pA); the step lands on every break.
    member : int
        Batch member of `tab` to use.
    y0 : ndarray, shape (2n,)
    t0, t1 : float
        Span (ms), ``t1 > t0``.
    atol : ndarray, shape (2n,)
        Absolute tolerance per state entry (mV for V, 1 for s).
    rtol : float
        Relative tolerance (applied to ``max(|y_old|, |y_new|)``).
    h0, hmax : float
        First trial step and largest step (ms).
    max_steps : int
        Limit on attempted steps.
    lu : SparseLU
    lin_tol : float
        Stopping threshold of the linear iteration (fraction of the tolerance
        scale; unused with a direct factor).

    Returns
    -------
    status : int
        See the module docstring.
    ts : ndarray, shape (m + 1,)
        Accepted step times.
    ys : ndarray, shape (m + 1, 2n)
        States at `ts`.
    cont : ndarray, shape (m, 2, 2n)
        Continuous-extension coefficients of each step: on ``[ts[j], ts[j+1]]``
        with ``theta = (t - ts[j]) / h``:
        ``y = (1-theta) ys[j] + theta (ys[j+1] + (1-theta) (cont[j,0] + theta cont[j,1]))``.
    stats : ndarray of int64, shape (7,)
        accepted steps, rejected steps, rhs calls, factorisations, failing index
        (state entry that became non-finite, or -1), linear iterations (``E``
        products), steps retried because the linear iteration failed.
    """
    N = y0.shape[0]
    n = N // 2
    w = stage_workspace(n, lu.cols.shape[0], p.pre_index.shape[0])
    cap = 256
    ts = np.empty(cap)
    ys = np.empty((cap, N))
    cont = np.empty((cap, 2, N))
    stats = np.zeros(7, np.int64)
    stats[4] = -1
    y = y0.copy()
    ts[0] = t0
    ys[0] = y
    m = 0
    t = t0
    h = min(h0, hmax)
    fac1 = 5.0
    fac2 = 1.0 / 6.0
    safe = 0.9
    hacc = 0.0
    erracc = 1.0
    n_attempt = 0
    n_sing = 0
    h_lin = np.inf         # step cap after a linear iteration failed
    status = OK
    nseg = n_segments(tab, member)
    seg0 = tab.break_ptr[member] + member
    k = w.k
    for j in range(nseg):
        tend = segment_end(tab, member, j, t1)
        seg = seg0 + j
        if tend <= t:
            continue
        reject = False
        while t < tend:
            if n_attempt >= max_steps:
                return MAX_STEPS, ts[: m + 1], ys[: m + 1], cont[:m], stats
            last = False
            hsave = h
            if t + 1.0001 * h >= tend:
                h = tend - t
                last = True
            if h < 1e-12 * max(1.0, abs(t)):
                return STEP_UNDERFLOW, ts[: m + 1], ys[: m + 1], cont[:m], stats
            n_attempt += 1
            # f(t, y), df/dt
            input_at(tab, seg, t, w.u)
            graded_rhs(p, t, y, w.u, w.dy)
            input_slope(tab, seg, t, w.du)
            for i in range(n):
                w.fx[i] = w.du[i] / p.C[i]
            stats[2] += 1
            fac = 1.0 / (h * _G)
            w.vals[:] = 0.0
            graded_schur_assemble(p, y, fac, w.ratio, w.inv_d2, lu.diag_pos, lu.gap_pos, lu.syn_pos, w.vals)
            graded_coupling(p, y, w.ratio, w.inv_d2, w.e_vals, w.r_vals)
            for i in range(n):
                w.inv_sk[i] = 1.0 / (atol[i] + rtol * abs(y[i]))
            stats[3] += 1
            if lu_factor(lu, w.vals, w.xrow) >= 0:
                n_sing += 1
                if n_sing >= 5:
                    return SINGULAR, ts[: m + 1], ys[: m + 1], cont[:m], stats
                h *= 0.5
                reject = True
                continue
            failed = False
            w.theta[0] = 1.0              # measure the contraction afresh for this matrix
            for st in range(6):
                if st > 0:
                    # contiguous passes over whole vectors (vectorised) rather than per-entry sums
                    w.ynew[:] = y
                    for q in range(st):
                        _axpy(_A[st, q], k[q], w.ynew)
                    if st < 5:        # the embedded stage is evaluated at t + h, like stage 5
                        input_at(tab, seg, t + _CT[st] * h, w.u)
                    graded_rhs(p, t + _CT[st] * h, w.ynew, w.u, w.dy)
                    stats[2] += 1
                w.r[:] = w.dy
                _axpy(h * _D[st], w.fx, w.r)
                for q in range(st):
                    _axpy(_CC[st, q] / h, k[q], w.r)
                its = solve_stage(p, lu, w, k[st], w.inv_sk, lin_tol)
                if its < 0:
                    failed = True
                    break
                stats[5] += its
            if failed:
                stats[6] += 1
                h *= 0.5
                h_lin = h          # do not grow straight back into the failing size
                reject = True
                continue
            err = 0.0
            bad = -1
            for i in range(N):
                w.ynew[i] += k[5, i]
                yn = w.ynew[i]
                if not np.isfinite(yn):
                    bad = i
                    break
                sk = atol[i] + rtol * max(abs(y[i]), abs(yn))
                e = k[5, i] / sk
                err += e * e
            if bad >= 0:
                if h < 1e-9 * max(1.0, abs(t)) or n_attempt >= max_steps:
                    stats[4] = bad
                    return NON_FINITE, ts[: m + 1], ys[: m + 1], cont[:m], stats
                h *= 0.25
                reject = True
                continue
            err = np.sqrt(err / N)
            q = max(fac2, min(fac1, err ** 0.25 / safe))
            hnew = h / q
            if err <= 1.0:
                if stats[0] >= 1:
                    qg = hacc / h * (err * err / erracc) ** 0.25 / safe
                    qg = max(fac2, min(fac1, qg))
                    q = max(q, qg)
                    hnew = h / q
                hacc = h
                erracc = max(1e-2, err)
                stats[0] += 1
                m += 1
                if m >= ts.shape[0]:
                    ts = _grow(ts, m + 1)
                    ys = _grow(ys, m + 1)
                    cont = _grow(cont, m + 1)
                for i in range(N):
                    cont[m - 1, 0, i] = (_E21 * k[0, i] + _E22 * k[1, i] + _E23 * k[2, i] + _E24 * k[3, i]
                                         + _E25 * k[4, i])
                    cont[m - 1, 1, i] = (_E31 * k[0, i] + _E32 * k[1, i] + _E33 * k[2, i] + _E34 * k[3, i]
                                         + _E35 * k[4, i])
                    y[i] = w.ynew[i]
                t = tend if last else t + h
                ts[m] = t
                ys[m] = y
                hnew = min(hnew, hmax, h_lin)
                h_lin *= 1.2       # the cap relaxes as the state moves on
                if reject:
                    hnew = min(hnew, h)
                reject = False
                n_sing = 0
                h = max(hnew, min(hsave, hmax, h_lin)) if last else hnew
            else:
                reject = True
                if stats[0] >= 1:
                    stats[1] += 1
                h = hnew
    return status, ts[: m + 1], ys[: m + 1], cont[:m], stats


@njit(cache=True, inline="always")
def rodas4_point(th, y0, y1, c0, c1):
    """RODAS4 continuous extension at fraction `th` of a step (scalars):
    ``(1-th) y0 + th (y1 + (1-th) (c0 + th c1))``."""
    th1 = 1.0 - th
    return th1 * y0 + th * (y1 + th1 * (c0 + th * c1))


@njit(cache=True, error_model="numpy")
def rodas4_dense(ts, ys, cont, t_query, out):
    """Evaluate the continuous extension at sorted or unsorted times `t_query` (inside the span)."""
    m = ts.shape[0] - 1
    N = ys.shape[1]
    for q in range(t_query.shape[0]):
        if m == 0:
            for i in range(N):
                out[q, i] = ys[0, i]
            continue
        j = find_step(ts, m, t_query[q])
        h = ts[j + 1] - ts[j]
        th = (t_query[q] - ts[j]) / h if h > 0 else 0.0
        for i in range(N):
            out[q, i] = rodas4_point(th, ys[j, i], ys[j + 1, i], cont[j, 0, i], cont[j, 1, i])
    return 0


@njit(cache=True, error_model="numpy")
def evaluate_rodas4(node_t, coeffs, n_steps, tq, out):
    """Evaluate stored RODAS4 steps (rows ``y0, y1, c0, c1``) at times `tq` into `out` (q, n_rec)."""
    n_rec = coeffs.shape[2]
    for j in range(tq.shape[0]):
        i = find_step(node_t, n_steps, tq[j])
        th = (tq[j] - node_t[i]) / (node_t[i + 1] - node_t[i])
        for c in range(n_rec):
            out[j, c] = rodas4_point(th, coeffs[i, 0, c], coeffs[i, 1, c], coeffs[i, 2, c], coeffs[i, 3, c])
    return 0
