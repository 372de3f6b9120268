"""Iterative set-up of the graded network: thresholds and resting state in O(synapses).

The equations are those of :mod:`circuitsim.models.graded` (units ms, mV, nS, pF,
pA). With ``W[pre, post]`` the chemical weights, ``E`` the reversal potential of
each synapse (``E_exc`` or ``E_inh`` by its sign) and ``G`` the gap-junction
conductances (self-junctions dropped):

Thresholds
    ``A Vth = b`` with ``A = diag(Gc + sum_j G_ij + g_syn sum_j W_ji s*) - G`` and
    ``b = Gc Ec + g_syn sum_j W_ji E_ji s* + I``. ``A`` is symmetric and strictly
    diagonally dominant with a positive diagonal (``Gc > 0``), hence positive
    definite: Jacobi-preconditioned conjugate gradients.
Resting state
    ``F(V) = 0`` with ``s`` at its steady state ``s(V) = a_r phi / (a_r phi + a_d)``.
    The Jacobian applied to ``v`` is
    ``(1/C) [-(Gc + sum_j G_ij + g_syn sum_j W_ji s_j) v + G v + g_syn K (s'(V) v)]``
    with ``K_ij = W_ji (E_ji - V_i)``: one product with the chemical matrix and one
    with ``G`` per GMRES iteration, never a factorisation.

The resting-state solve keeps one post-major (``[post, pre]``) copy of the chemical
pattern, so that every product is a gather: ``O(n + synapses)`` memory and time
per product.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..steady_state import choose_method, newton_gmres, pcg_jacobi

__all__ = ["threshold_method", "resting_method", "thresholds_iterative", "resting_state_iterative"]


def _per_neuron(params, name, n):
    return np.ascontiguousarray(np.broadcast_to(getattr(params, name), (n,)), dtype=np.float64)


def _gap(params, wiring):
    """Gap-junction conductances (nS, CSR, symmetric, no diagonal) and their row sums (n,)."""
    import scipy.sparse as sp

    e = wiring.electrical_by_neuron()
    gap = sp.csr_array((e.weight * params.g_gap, e.index, e.indptr), shape=(wiring.n, wiring.n))
    return gap, np.asarray(gap.sum(axis=1)).ravel()


def _chemical(params, wiring):
    """``W`` (CSR [pre, post]) and the per-synapse reversal potentials E (mV, float64 (nnz,))."""
    W = wiring.chemical
    E = np.where(wiring.sign.data < 0, params.E_inh, params.E_exc)
    return W, E


def _with_data(W, data):
    import scipy.sparse as sp

    return sp.csr_array((data, W.indices, W.indptr), shape=W.shape, copy=False)


_AUTO = weakref.WeakKeyDictionary()  # wiring -> {system: method}: a wiring is immutable


def _cached(method, wiring, system, pattern_fn):
    if method != "auto":
        return method
    known = _AUTO.setdefault(wiring, {})
    if system not in known:
        known[system] = choose_method("auto", wiring.n, pattern_fn)
    return known[system]


def threshold_method(method: str, wiring) -> str:
    """``"direct"`` or ``"iterative"`` for the threshold system (pattern: the gap junctions)."""
    return _cached(method, wiring, "thresholds", lambda: wiring.electrical)


def resting_method(method: str, wiring) -> str:
    """``"direct"`` or ``"iterative"`` for the resting-state Newton steps (pattern: chemical + gap)."""
    return _cached(method, wiring, "resting", lambda: abs(wiring.chemical) + abs(wiring.electrical))


def _threshold_system(params, wiring, current):
    n = wiring.n
    gap, gdeg = _gap(params, wiring)
    W, E = _chemical(params, wiring)
    a_r, a_d = _per_neuron(params, "a_r", n), _per_neuron(params, "a_d", n)
    s_star = a_r / (a_r + 2.0 * a_d)
    Gc, Ec = _per_neuron(params, "Gc", n), _per_neuron(params, "Ec", n)
    diag = Gc + gdeg + params.g_syn * (W.T @ s_star)
    b = Gc * Ec + params.g_syn * (_with_data(W, W.data * E).T @ s_star)
    if current is not None:
        b = b + np.asarray(current, dtype=np.float64)
    return diag, gap, b


def thresholds_iterative(params, wiring, current=None, *, rtol: float = 1e-13) -> np.ndarray:
    """Thresholds (mV, float64 (n,)) by Jacobi-preconditioned CG; see the module docstring.

    Raises
    ------
    SteadyStateError
        CG did not converge (the message suggests ``method="direct"``).
    """
    diag, gap, b = _threshold_system(params, wiring, current)
    if gap.nnz == 0:
        return b / diag
    return pcg_jacobi(lambda x: diag * x - gap @ x, diag, b, rtol=rtol, what="threshold system")


def resting_state_iterative(params, wiring, vth, current=None, *, tol: float = 1e-10, max_iter: int = 60,
                            preconditioner: str = "jacobi", threshold_method: str = "auto") -> np.ndarray:
    """The equilibrium ``[V, s]`` (shape (2n,)) by Newton--GMRES from the no-input thresholds.

    Parameters
    ----------
    params : GradedParams
    wiring : connectome.Wiring
    vth : ndarray, shape (n,)
        Thresholds (mV).
    current : ndarray, shape (n,), optional
        Constant current (pA); default zero.
    tol, max_iter : float, int
        Newton step tolerance (relative to ``max(1, max|V|)``) and iteration cap.
    preconditioner : {"jacobi", "ilu"}
        See :func:`circuitsim.steady_state.newton_gmres`.
    threshold_method : str
        Method of the no-input threshold solve that gives the starting point.

    Raises
    ------
    SteadyStateError
        No convergence (the message says what to change).
    """
    import scipy.sparse as sp
    from scipy.special import expit

    from .graded import thresholds

    from connectome.wiring_views import post_major_order

    n = wiring.n
    gap, gdeg = _gap(params, wiring)
    W, E = _chemical(params, wiring)
    w_diag, we_diag = W.diagonal(), _with_data(W, W.data * E).diagonal()  # self-synapses: J's diagonal
    # post-major CSR ([post, pre]) of W and W*E: products are gathers, one pass over the synapses
    indptr, pre, perm = post_major_order(W)
    pre = pre.astype(np.int32 if n < 2**31 else np.int64)
    Wt_data = W.data[perm]
    WEt_data = Wt_data * E[perm]
    del perm
    Wt = sp.csr_array((Wt_data, pre, indptr), shape=(n, n), copy=False)
    WEt = sp.csr_array((WEt_data, pre, indptr), shape=(n, n), copy=False)
    in_count = np.diff(indptr)
    g_syn = params.g_syn
    a_r, a_d = _per_neuron(params, "a_r", n), _per_neuron(params, "a_d", n)
    beta = _per_neuron(params, "beta", n)
    Gc, Ec, C = _per_neuron(params, "Gc", n), _per_neuron(params, "Ec", n), _per_neuron(params, "C", n)
    I = np.zeros(n) if current is None else np.asarray(current, np.float64)
    vth = np.asarray(vth, dtype=np.float64)

    def residual(V):
        ph = expit(beta * (V - vth))
        s = a_r * ph / (a_r * ph + a_d)
        syn = g_syn * (Wt @ s)
        F = (-Gc * (V - Ec) - (gdeg * V - gap @ V) - (V * syn - g_syn * (WEt @ s)) + I) / C
        return F, (ph, syn)

    def linearise(V, aux):
        ph, syn = aux
        ds = a_r * a_d * beta * ph * (1 - ph) / (a_r * ph + a_d) ** 2
        leak = Gc + gdeg + syn
        K = sp.csr_array((WEt_data - Wt_data * np.repeat(V, in_count), pre, indptr), shape=(n, n), copy=False)
        diag = (-leak + g_syn * (we_diag - w_diag * V) * ds) / C

        def matvec(v):
            v = np.ravel(v)
            return (-leak * v + gap @ v + g_syn * (K @ (ds * v))) / C

        def assemble():
            J = sp.diags_array(-leak) + gap + g_syn * (K @ sp.diags_array(ds))
            return sp.diags_array(1.0 / C) @ J

        return matvec, diag, assemble

    V0 = thresholds(params, wiring, method=threshold_method)
    V = newton_gmres(residual, linearise, V0, tol=tol, max_iter=max_iter, preconditioner=preconditioner,
                     what="resting equilibrium")
    ph = expit(beta * (V - vth))
    return np.concatenate([V, a_r * ph / (a_r * ph + a_d)])
