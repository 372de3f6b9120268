"""Explicit Runge-Kutta methods as data: Butcher tableaus and their continuous extensions.

A method is ``(c, A, b)`` (order ``p``), optionally an embedded ``b_hat`` of order
``p_hat`` for error control, and a continuous extension (dense output). The compiled
step (:mod:`circuitsim._kernels.explicit`) reads these arrays; nothing about a method
is written in code. The order conditions of every tableau here are checked by the
test suite against the rooted-tree conditions (Butcher).

Continuous extensions are given as polynomial weights ``w_j(theta)`` over the vector
``[h k_1, ..., h k_s, h f(t + h, y_new)]`` (``y(theta) = y0 + sum_j w_j(theta) v_j``)
and converted once to the rows of :mod:`circuitsim._kernels.interpolate`.

Coefficients
------------
* Euler, classical RK4: textbook; cubic Hermite dense output.
* Bogacki & Shampine (1989), Appl. Math. Lett. 2:321, the 3(2) pair (scipy's RK23);
  cubic Hermite dense output (order 3).
* Dormand & Prince (1980), J. Comput. Appl. Math. 6:19, the 5(4) pair; dense output
  of order 4 from Hairer, Norsett & Wanner, *Solving ODEs I*, II.6 (code DOPRI5).
* Tsitouras (2011), Comput. Math. Appl. 62:770, the 5(4) pair with its interpolant
  of order 4 (the coefficients as published with the method).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.polynomial import polynomial as P

from ..errors import ParameterError

__all__ = ["ExplicitTableau", "EULER", "RK4", "BS3", "DOPRI5", "TSIT5", "hermite_weights", "TABLEAUS"]


def hermite_weights(b: np.ndarray) -> np.ndarray:
    """Cubic Hermite continuous extension through ``y0, f0, y1, f1`` as weights over ``[h k, h f1]``.

    Parameters
    ----------
    b : ndarray (s,)
        Weights of the solution (``y1 = y0 + sum_j b_j h k_j``); ``k_1 = f0``.

    Returns
    -------
    ndarray (s + 1, 4)
        Power-basis coefficients (in theta) of each weight.
    """
    s = len(b)
    h01 = np.array([0.0, 0.0, 3.0, -2.0])
    h10 = np.array([0.0, 1.0, -2.0, 1.0])
    h11 = np.array([0.0, 0.0, -1.0, 1.0])
    w = np.zeros((s + 1, 4))
    w[:s] = np.outer(b, h01)
    w[0] += h10
    w[s] += h11
    return w


@dataclasses.dataclass(frozen=True, eq=False)
class ExplicitTableau:
    """An explicit Runge-Kutta method.

    Parameters
    ----------
    name : str
    c : array (s,)
        Nodes (``c[0] = 0``).
    A : array (s, s)
        Strictly lower triangular coefficients.
    b : array (s,)
        Weights of the solution.
    order : int
        Order of the solution.
    b_hat : array (s,), optional
        Weights of the embedded solution (error estimate ``h sum (b - b_hat) k``).
    error_order : int, optional
        Order of the embedded solution.
    dense : array (s + 1, P), optional
        Polynomial weights of the continuous extension over
        ``[h k_1, ..., h k_s, h f(t + h, y_new)]`` (power basis in theta). Default:
        cubic Hermite (:func:`hermite_weights`).
    dense_order : int, optional
        Order of the continuous extension (documentation; default ``min(order, 3)``).

    Raises
    ------
    ParameterError
        Shapes that do not fit, an ``A`` that is not strictly lower triangular, a
        continuous extension that does not pass through ``y0`` and ``y1``.

    Examples
    --------
    The explicit midpoint rule:

    >>> midpoint = ExplicitTableau("midpoint", c=[0, 0.5], A=[[0, 0], [0.5, 0]], b=[0, 1], order=2)
    >>> midpoint.stages, midpoint.dense_rows
    (2, 4)
    """

    name: str
    c: np.ndarray
    A: np.ndarray
    b: np.ndarray
    order: int
    b_hat: np.ndarray | None = None
    error_order: int | None = None
    dense: np.ndarray | None = None
    dense_order: int | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        c = np.asarray(self.c, dtype=np.float64)
        A = np.asarray(self.A, dtype=np.float64)
        b = np.asarray(self.b, dtype=np.float64)
        s = len(b)
        if c.shape != (s,) or A.shape != (s, s) or s < 1:
            raise ParameterError(f"tableau {self.name!r}: c, A, b must have shapes (s,), (s, s), (s,); got "
                                 f"{c.shape}, {A.shape}, {b.shape}")
        if np.any(np.triu(A) != 0) or c[0] != 0:
            raise ParameterError(f"tableau {self.name!r} is not explicit (A must be strictly lower triangular, "
                                 "c[0] = 0)")
        for name, arr in (("c", c), ("A", A), ("b", b)):
            if not np.isfinite(arr).all():
                raise ParameterError(f"tableau {self.name!r}: {name} must be finite")
        set_(self, "c", c)
        set_(self, "A", A)
        set_(self, "b", b)
        if self.b_hat is not None:
            bh = np.asarray(self.b_hat, dtype=np.float64)
            if bh.shape != (s,):
                raise ParameterError(f"tableau {self.name!r}: b_hat must have shape ({s},), got {bh.shape}")
            set_(self, "b_hat", bh)
            if self.error_order is None:
                set_(self, "error_order", self.order - 1)
        dense = hermite_weights(b) if self.dense is None else np.asarray(self.dense, dtype=np.float64)
        if dense.ndim != 2 or dense.shape[0] != s + 1:
            raise ParameterError(f"tableau {self.name!r}: dense must have shape ({s + 1}, P), got {dense.shape}")
        set_(self, "dense", dense)
        if self.dense_order is None:
            set_(self, "dense_order", min(self.order, 3) if self.dense is None else self.order - 1)
        self.dense_matrix()  # validates the extension

    @property
    def stages(self) -> int:
        """Number of stages ``s``."""
        return len(self.b)

    @property
    def adaptive(self) -> bool:
        """Whether the method has an error estimate (embedded solution)."""
        return self.b_hat is not None

    @property
    def fsal(self) -> bool:
        """Whether the last stage is ``f(t + h, y_new)`` (first same as last)."""
        return bool(self.c[-1] == 1.0 and np.array_equal(self.A[-1, :-1], self.b[:-1]) and self.b[-1] == 0.0
                    and len(self.b) > 1)

    @property
    def error_weights(self) -> np.ndarray:
        """``b - b_hat`` (zeros without an embedded solution)."""
        return self.b - self.b_hat if self.b_hat is not None else np.zeros_like(self.b)

    @property
    def dense_rows(self) -> int:
        """Rows of dense output stored per step."""
        return 2 + self.dense_matrix().shape[0]

    def dense_matrix(self) -> np.ndarray:
        """The rows ``d_q`` of :mod:`circuitsim._kernels.interpolate` as a matrix over ``v``.

        ``y(theta) - y0 - theta (y1 - y0) = theta (1 - theta) sum_q d_q theta^q`` with
        ``d_q = sum_j Q[q, j] v_j``.

        Returns
        -------
        ndarray (m, s + 1)
        """
        s = self.stages
        bfull = np.r_[self.b, 0.0]
        quotients = []
        for j in range(s + 1):
            w = self.dense[j]
            if abs(w[0]) > 1e-12 or abs(np.sum(w) - bfull[j]) > 1e-10:
                raise ParameterError(f"tableau {self.name!r}: the continuous extension must give y0 at theta=0 "
                                     f"and y1 at theta=1 (weight {j} gives {w[0]:g} and {np.sum(w):g})")
            num = w.copy()
            num[1] -= bfull[j]                       # w_j(theta) - theta b_j
            q, r = P.polydiv(num, [0.0, 1.0, -1.0])  # divisible by theta (1 - theta)
            if np.max(np.abs(r), initial=0.0) > 1e-9:
                raise ParameterError(f"tableau {self.name!r}: continuous extension weight {j} is not an "
                                     "interpolant of y0 and y1")
            quotients.append(np.atleast_1d(q))
        m = max(1, max(len(q) for q in quotients))
        Q = np.zeros((m, s + 1))
        for j, q in enumerate(quotients):
            Q[: len(q), j] = q
        return Q


EULER = ExplicitTableau("euler", c=[0.0], A=[[0.0]], b=[1.0], order=1)

RK4 = ExplicitTableau("rk4", c=[0.0, 0.5, 0.5, 1.0],
                      A=[[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1.0, 0]],
                      b=[1 / 6, 1 / 3, 1 / 3, 1 / 6], order=4)

BS3 = ExplicitTableau("bs3", c=[0.0, 0.5, 0.75, 1.0],
                      A=[[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.75, 0, 0], [2 / 9, 1 / 3, 4 / 9, 0]],
                      b=[2 / 9, 1 / 3, 4 / 9, 0.0], b_hat=[7 / 24, 1 / 4, 1 / 3, 1 / 8], order=3, error_order=2)


def _dopri5():
    c = [0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]
    A = np.zeros((7, 7))
    A[1, :1] = [1 / 5]
    A[2, :2] = [3 / 40, 9 / 40]
    A[3, :3] = [44 / 45, -56 / 15, 32 / 9]
    A[4, :4] = [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729]
    A[5, :5] = [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656]
    A[6, :6] = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]
    b = A[6].copy()
    e = np.array([71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40])
    # dense output (Hairer, Norsett & Wanner, DOPRI5 CONTD5):
    # y = y0 + th (r2 + (1-th) (r3 + th (r4 + (1-th) r5))), r2 = Delta, r3 = h k1 - Delta,
    # r4 = Delta - h k7 - r3, r5 = h sum_j d_j k_j
    d = np.array([-12715105075 / 11282082432, 0, 87487479700 / 32700410799, -10690763975 / 1880347072,
                  701980252875 / 199316789632, -1453857185 / 822651844, 69997945 / 29380423])
    v = lambda i: np.eye(8)[i]  # noqa: E731  unit weight of v_i
    delta = np.r_[b, 0.0]
    r2, r3 = delta, v(0) - delta
    r4, r5 = delta - v(6) - r3, np.r_[d, 0.0]
    th = np.array([0.0, 1.0])
    one_minus = np.array([1.0, -1.0])
    w = np.zeros((8, 6))
    for j in range(8):
        inner = P.polyadd([r4[j]], P.polymul(one_minus, [r5[j]]))
        inner = P.polyadd([r3[j]], P.polymul(th, inner))
        inner = P.polyadd([r2[j]], P.polymul(one_minus, inner))
        poly = P.polymul(th, inner)
        w[j, : len(poly)] = poly
    return ExplicitTableau("dopri5", c=c, A=A, b=b, b_hat=b - e, order=5, error_order=4, dense=w, dense_order=4)


def _tsit5():
    c = [0.0, 0.161, 0.327, 0.9, 0.9800255409045097, 1.0, 1.0]
    A = np.zeros((7, 7))
    A[1, :1] = [0.161]
    A[2, :2] = [-0.008480655492356989, 0.335480655492357]
    A[3, :3] = [2.897153057105493, -6.359448489975075, 4.3622954328695815]
    A[4, :4] = [5.325864828439257, -11.748883564062828, 7.4955393428898365, -0.09249506636175525]
    A[5, :5] = [5.86145544294642, -12.92096931784711, 8.159367898576159, -0.071584973281401, -0.028269050394068383]
    A[6, :6] = [0.09646076681806523, 0.01, 0.4798896504144996, 1.379008574103742, -3.290069515436081,
                2.324710524099774]
    b = A[6].copy()
    b_hat = np.array([0.09468075576583945, 0.009183565540343254, 0.4877705284247616, 1.234297566930479,
                      -2.7077123499835256, 1.866628418170587, 1 / 66])
    # interpolant b_i(theta) of the method's authors, expanded in the power basis
    roots = [
        (-1.0530884977290216, [[0.0, 1.0], [-1.3299890189751412, 1.0], [0.7139816917074209, -1.4364028541716351, 1.0]]),
        (0.1017, [[0.0, 0.0, 1.0], [1.2949852507374631, -2.1966568338249754, 1.0]]),
        (2.490627285651252793, [[0.0, 0.0, 1.0], [1.57803468208092486, -2.38535645472061657, 1.0]]),
        (-16.54810288924490272, [[-1.21712927295533244, 1.0], [-0.61620406037800089, 1.0], [0.0, 0.0, 1.0]]),
        (47.37952196281928122, [[-1.203071208372362603, 1.0], [-0.658047292653547382, 1.0], [0.0, 0.0, 1.0]]),
        (-34.87065786149660974, [[-1.2, 1.0], [-0.666666666666666667, 1.0], [0.0, 0.0, 1.0]]),
        (2.5, [[-1.0, 1.0], [-0.6, 1.0], [0.0, 0.0, 1.0]]),
    ]
    w = np.zeros((8, 5))
    for j, (scale, factors) in enumerate(roots):
        poly = np.array([scale])
        for f in factors:
            poly = P.polymul(poly, f)
        w[j, : len(poly)] = poly
    # the published coefficients carry ~1e-16 rounding: make the weights meet y1 exactly
    w[:7, -1] += b - w[:7].sum(axis=1)
    return ExplicitTableau("tsit5", c=c, A=A, b=b, b_hat=b_hat, order=5, error_order=4, dense=w, dense_order=4)


DOPRI5 = _dopri5()
TSIT5 = _tsit5()

#: the shipped explicit methods by name
TABLEAUS = {t.name: t for t in (EULER, RK4, BS3, DOPRI5, TSIT5)}
