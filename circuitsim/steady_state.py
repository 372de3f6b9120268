"""Sparse linear and nonlinear steady-state solves in O(synapses): the set-up of large networks.

A model's set-up (equilibria, thresholds) is a sparse linear system or a sparse
nonlinear root problem. A direct factorisation (SuperLU) is exact to rounding and
fastest on worm-sized networks, but on a random graph its factors fill in to
``O(n^2)`` entries and its cost grows like ``n^3`` (a 10^4-neuron random network
with 100 synapses per neuron took minutes). The iterative solvers here cost a few
hundred sparse products, each ``O(n + synapses)``:

* :func:`pcg_jacobi` -- conjugate gradients with a Jacobi (diagonal)
  preconditioner for symmetric positive definite systems;
* :func:`newton_gmres` -- Newton's method with step halving whose linear
  systems are solved by restarted GMRES with a Jacobi or incomplete-LU
  preconditioner (inexact Newton with the Eisenstat--Walker forcing term).

:func:`choose_method` picks ``"direct"`` or ``"iterative"`` from the size and the
fill that a factorisation is predicted to have (:func:`predicted_fill`).
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError

__all__ = [
    "SETUP_METHODS",
    "PRECONDITIONERS",
    "DIRECT_MAX_NEURONS",
    "FILL_RATIO",
    "SteadyStateError",
    "check_method",
    "predicted_fill",
    "choose_method",
    "pcg_jacobi",
    "newton_gmres",
]

#: Values of the ``method`` argument of set-up solves.
SETUP_METHODS = ("auto", "direct", "iterative")
#: Preconditioners of the iterative nonlinear solve.
PRECONDITIONERS = ("jacobi", "ilu")
#: Networks up to this many neurons always use the direct solve (exact, fastest there).
DIRECT_MAX_NEURONS = 2000
#: Above :data:`DIRECT_MAX_NEURONS`, the direct solve is used while the predicted
#: factor has at most this many entries per entry of the matrix.
FILL_RATIO = 8.0


class SteadyStateError(ParameterError):
    """An iterative set-up solve did not converge; the message says what to change."""


def _check_choice(what: str, value, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        from connectome.errors import close_matches

        near = close_matches(str(value), allowed)
        hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ParameterError(f"{what} must be one of {allowed}, got {value!r}{hint}")
    return value


def check_method(method, preconditioner: str = "jacobi") -> tuple[str, str]:
    """Validate a set-up ``method`` (:data:`SETUP_METHODS`) and ``preconditioner`` (:data:`PRECONDITIONERS`).

    Raises
    ------
    ParameterError
        An unknown value; the message lists the allowed ones and close matches.
    """
    return _check_choice("method", method, SETUP_METHODS), _check_choice(
        "preconditioner", preconditioner, PRECONDITIONERS)


def predicted_fill(pattern) -> int:
    """Entries of a factor of a matrix with this pattern, bounded by its envelope after RCM ordering.

    The pattern is symmetrised (``P + P.T``) and ordered by reverse Cuthill--McKee;
    the envelope ``sum_i (i - min{j <= i : P_ij != 0})`` bounds the fill of a
    profile (skyline) factorisation. It costs ``O(nnz)``: on a banded, tree-like or
    diagonal system it is small, on a random graph it is ``O(n^2)``.

    Parameters
    ----------
    pattern : scipy.sparse array, shape (n, n)
        Any sparse matrix; only the positions of its entries are used.

    Returns
    -------
    int
        Predicted number of entries of the lower factor, diagonal included.
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    P = sp.csr_array(pattern)
    n = P.shape[0]
    P = sp.csr_array((np.ones(P.nnz, dtype=np.int8), P.indices, P.indptr), shape=P.shape)
    P = sp.csr_array(P + P.T)
    if P.nnz == 0:
        return n
    perm = reverse_cuthill_mckee(P, symmetric_mode=True)
    inv = np.empty(n, dtype=np.int64)
    inv[perm] = np.arange(n)
    first = inv.copy()  # a row's leftmost entry in the new order, at most its diagonal
    lengths = np.diff(P.indptr)
    rows = np.flatnonzero(lengths)
    leftmost = np.minimum.reduceat(inv[P.indices], P.indptr[rows])
    first[rows] = np.minimum(first[rows], leftmost)
    return int(n + np.sum(inv - first))


def choose_method(method: str, n: int, pattern_fn) -> str:
    """Resolve ``"auto"`` to ``"direct"`` or ``"iterative"``.

    ``"direct"`` for networks of at most :data:`DIRECT_MAX_NEURONS` neurons, and
    above that while :func:`predicted_fill` stays within :data:`FILL_RATIO` times
    the matrix's entries; ``"iterative"`` otherwise.

    Parameters
    ----------
    method : {"auto", "direct", "iterative"}
    n : int
        Number of unknowns.
    pattern_fn : callable
        ``pattern_fn() -> sparse matrix`` whose pattern is the system's (called only
        when the prediction is needed).
    """
    if method != "auto":
        return method
    if n <= DIRECT_MAX_NEURONS:
        return "direct"
    pattern = pattern_fn()
    budget = FILL_RATIO * (pattern.nnz + n)
    return "direct" if predicted_fill(pattern) <= budget else "iterative"


def pcg_jacobi(matvec, diag, b, x0=None, *, rtol: float = 1e-13, maxiter: int | None = None,
               what: str = "linear system") -> np.ndarray:
    """Solve the symmetric positive definite system ``A x = b`` by Jacobi-preconditioned CG.

    Parameters
    ----------
    matvec : callable
        ``matvec(x) -> A @ x`` for float64 arrays of shape (n,).
    diag : ndarray, shape (n,), float64
        The diagonal of ``A`` (all > 0).
    b : ndarray, shape (n,), float64
    x0 : ndarray, shape (n,), optional
        Starting guess; default ``b / diag``.
    rtol : float
        Stop when ``||b - A x|| <= rtol * ||b||``.
    maxiter : int, optional
        Default ``max(1000, 10 * sqrt(n))``.
    what : str
        Named in the error message.

    Returns
    -------
    ndarray, shape (n,), float64

    Raises
    ------
    SteadyStateError
        No convergence within `maxiter` iterations.
    """
    import scipy.sparse.linalg as spla

    n = b.shape[0]
    inv = 1.0 / diag
    A = spla.LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    M = spla.LinearOperator((n, n), matvec=lambda r: inv * r, dtype=np.float64)
    if maxiter is None:
        maxiter = max(1000, int(10 * np.sqrt(n)))
    x, info = spla.cg(A, b, x0=inv * b if x0 is None else x0, rtol=rtol, atol=0.0, maxiter=maxiter, M=M)
    if info != 0 or not np.all(np.isfinite(x)):
        res = np.linalg.norm(b - matvec(x)) / max(np.linalg.norm(b), 1e-300)
        raise SteadyStateError(
            f"conjugate gradients did not solve the {what} in {maxiter} iterations (relative residual "
            f"{res:.2e}, wanted {rtol:.0e}); pass method='direct' to factorise it instead")
    return x


def newton_gmres(residual, linearise, x0, *, tol: float = 1e-10, max_iter: int = 60,
                 preconditioner: str = "jacobi", restart: int = 60, max_restarts: int = 20,
                 what: str = "equilibrium") -> np.ndarray:
    """Find a root of ``F`` by inexact Newton with step halving; linear steps by preconditioned GMRES.

    Each step solves ``J dx = -F`` to the relative accuracy ``eta_k`` of
    Eisenstat & Walker (1996, SIAM J Sci Comput 17:16, choice 2:
    ``eta_k = 0.9 (|F_k| / |F_{k-1}|)^2``, at most 0.1 and at least
    ``1e-12``), then halves the step until ``|F|`` decreases (Armijo, as the
    direct Newton solve does). It stops when the accepted step is below
    ``tol * max(1, max|x|)``.

    Parameters
    ----------
    residual : callable
        ``residual(x) -> (F, aux)``; ``F`` of shape (n,), ``aux`` passed on to `linearise`.
    linearise : callable
        ``linearise(x, aux) -> (matvec, diag, assemble)``: the Jacobian's product
        ``v -> J v``, its diagonal (n,), and ``assemble() -> sparse J`` (used only
        by the ILU preconditioner).
    x0 : ndarray, shape (n,)
    tol, max_iter : float, int
        Step tolerance and Newton iteration cap.
    preconditioner : {"jacobi", "ilu"}
        ``"jacobi"`` divides by the Jacobian's diagonal (``O(n)``, the default);
        ``"ilu"`` is SuperLU's incomplete LU of the assembled Jacobian
        (``drop_tol=1e-5``, ``fill_factor=10``): stronger, for hard systems of
        moderate size.
    restart, max_restarts : int
        GMRES restart length and number of restart cycles.
    what : str
        Named in the error message.

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    SteadyStateError
        GMRES or Newton's method did not converge.
    """
    import scipy.sparse.linalg as spla

    x = np.array(x0, dtype=np.float64)
    n = x.shape[0]
    F, aux = residual(x)
    norm = np.linalg.norm(F)
    prev = None
    eta = 0.1
    for _ in range(max_iter):
        if not np.isfinite(norm):
            break
        if norm == 0.0:
            return x
        matvec, diag, assemble = linearise(x, aux)
        A = spla.LinearOperator((n, n), matvec=matvec, dtype=np.float64)
        if preconditioner == "ilu":
            ilu = spla.spilu(assemble().tocsc(), drop_tol=1e-5, fill_factor=10)
            M = spla.LinearOperator((n, n), matvec=ilu.solve, dtype=np.float64)
        else:
            M = None
        inv = np.divide(1.0, diag, out=np.ones_like(diag), where=diag != 0)  # a zero diagonal is left unscaled
        if M is None:
            M = spla.LinearOperator((n, n), matvec=lambda r: inv * r, dtype=np.float64)
        if prev is not None:
            eta = min(0.1, max(0.9 * (norm / prev) ** 2, 1e-12))
        dx, info = spla.gmres(A, -F, x0=-F * inv, rtol=eta, atol=0.0, restart=restart,
                              maxiter=max_restarts, M=M)
        if info != 0 or not np.all(np.isfinite(dx)):
            raise SteadyStateError(
                f"GMRES ({preconditioner} preconditioner) did not solve a Newton step of the {what} in "
                f"{restart * max_restarts} iterations; pass preconditioner='ilu', or method='direct' to "
                "factorise the Jacobian")
        lam = 1.0
        while True:
            F2, aux2 = residual(x + lam * dx)
            norm2 = np.linalg.norm(F2)
            if (np.isfinite(norm2) and norm2 < (1 - 1e-4 * lam) * norm + 1e-300) or lam < 1e-4:
                break
            lam *= 0.5
        x = x + lam * dx
        prev, F, aux, norm = norm, F2, aux2, norm2
        if np.max(np.abs(lam * dx)) < tol * max(1.0, np.max(np.abs(x))):
            return x
    raise SteadyStateError(
        f"no {what} found by Newton's method in {max_iter} iterations; pass an explicit initial state y0")
