"""Explicit Runge-Kutta solvers: one compiled step, methods as tableaus.

``Euler(dt)`` and ``RK4(dt)`` take fixed steps (shortened to land on the drive's jump
times and the end of the span) with cubic Hermite dense output. ``BS3``, ``Dopri5``
and ``Tsit5`` adapt their steps to meet ``rtol``/``atol`` (or take fixed steps with
``dt=``) and use their own continuous extensions. :class:`ExplicitRK` runs any
:class:`~circuitsim.solvers.tableaus.ExplicitTableau`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

from ..errors import ParameterError
from . import tableaus
from .base import Solver, Tolerance, count_fixed_steps, positive, register_solver

__all__ = ["ExplicitRK", "Euler", "RK4", "BS3", "Dopri5", "Tsit5", "count_fixed_steps"]

#: refuse fixed-step runs needing more steps than this (a typo in dt, not a simulation)
MAX_FIXED_STEPS = 1e12


@dataclasses.dataclass(frozen=True)
class _Explicit(Solver):
    """Shared behaviour of the explicit solvers (the tableau comes from :meth:`_tableau`)."""

    def _tableau(self) -> tableaus.ExplicitTableau:
        return type(self).tableau  # the named methods keep theirs on the class

    @property
    def order(self) -> int:  # type: ignore[override]
        return self._tableau().order

    @property
    def fixed_step(self) -> bool:  # type: ignore[override]
        return getattr(self, "dt", None) is not None

    @property
    def dense_rows(self) -> int:
        return self._tableau().dense_rows

    def check(self, circuit, t_span) -> None:
        self.check_vector_field(circuit)
        dt = getattr(self, "dt", None)
        if dt is not None and (t_span[1] - t_span[0]) / dt > MAX_FIXED_STEPS:
            raise ParameterError(f"dt={dt!r} ms would need about {(t_span[1] - t_span[0]) / dt:.3g} steps over the "
                                 f"{t_span[1] - t_span[0]:g} ms span; use a larger dt (ms) or an adaptive solver")
        for name in ("rtol", "atol"):
            if hasattr(self, name):
                Tolerance.vector(name, getattr(self, name), circuit, None)

    def kernel_config(self, job):
        from .._kernels.buffers import StepControl
        from .._kernels.explicit import ExplicitConfig
        from ..simulate import kernel_ready

        tab = self._tableau()
        circuit = job.solver_circuits[0]
        dt = getattr(self, "dt", None)
        n = circuit.n_state
        rtol = Tolerance.vector("rtol", getattr(self, "rtol", 0.0), circuit, None) if hasattr(self, "rtol") \
            else np.zeros(n)
        atol = Tolerance.vector("atol", getattr(self, "atol", 1.0), circuit, None) if hasattr(self, "atol") \
            else np.ones(n)
        err_order = tab.error_order if tab.adaptive else tab.order
        ctl = StepControl(rtol, atol, float(getattr(self, "h0", None) or 0.0), float(getattr(self, "h_max", math.inf)),
                          int(getattr(self, "max_steps", 1 << 62)), float(dt or 0.0), 0.9, 0.2, 10.0,
                          1.0 / (err_order + 1), int(tab.order), False)
        return kernel_ready(ExplicitConfig(kernel_ready(ctl), tab.dense_rows, tab.c, tab.A, tab.b, tab.error_weights,
                                           tab.dense_matrix(), tab.fsal))


@dataclasses.dataclass(frozen=True)
class _FixedStep(_Explicit):
    dt: float = 0.01

    def __post_init__(self):
        object.__setattr__(self, "dt", positive("dt", self.dt))


@register_solver
@dataclasses.dataclass(frozen=True)
class Euler(_FixedStep):
    """Explicit Euler with fixed step `dt` (ms); order 1. Dense output: cubic Hermite."""

    name: ClassVar[str] = "euler"
    tableau: ClassVar = tableaus.EULER


@register_solver
@dataclasses.dataclass(frozen=True)
class RK4(_FixedStep):
    """Classical 4th-order Runge-Kutta with fixed step `dt` (ms). Dense output: cubic Hermite."""

    name: ClassVar[str] = "rk4"
    tableau: ClassVar = tableaus.RK4


@dataclasses.dataclass(frozen=True)
class _Adaptive(_Explicit):
    rtol: Any = 1e-6
    atol: Any = 1e-9
    h0: float | None = None
    h_max: float = math.inf
    max_steps: int = 10_000_000
    dt: float | None = None

    def __post_init__(self):
        self._check_step_options()
        if self.dt is None and not self._tableau().adaptive:
            raise ParameterError(f"{self._tableau().name!r} has no error estimate: give a fixed step dt=")


_ADAPTIVE_DOC = """
    Parameters
    ----------
    rtol : float, dict or array (n_state,)
        Relative tolerance: a scalar, a dict ``{state variable: value}`` (missing
        variables get 1e-6), or one value per state entry. 0 or in [1e-14, 1).
    atol : float, dict or array (n_state,)
        Absolute tolerance in the unit of each variable (> 0).
    h0 : float, optional
        First step (ms); default chosen from the initial derivative.
    h_max : float
        Largest step (ms).
    max_steps : int
        Budget of attempted steps per member; exceeding it raises :class:`~circuitsim.MaxStepsError`.
    dt : float, optional
        If given, take fixed steps of `dt` ms without error control (for order studies).
"""


@register_solver
@dataclasses.dataclass(frozen=True)
class BS3(_Adaptive):
    __doc__ = "Adaptive Bogacki-Shampine 3(2) (scipy's RK23) with cubic Hermite dense output.\n" + _ADAPTIVE_DOC
    name: ClassVar[str] = "bs3"
    tableau: ClassVar = tableaus.BS3


@register_solver
@dataclasses.dataclass(frozen=True)
class Dopri5(_Adaptive):
    __doc__ = ("Adaptive Dormand-Prince 5(4) with error control and native 4th-order dense output.\n"
               + _ADAPTIVE_DOC)
    name: ClassVar[str] = "dopri5"
    tableau: ClassVar = tableaus.DOPRI5


@register_solver
@dataclasses.dataclass(frozen=True)
class Tsit5(_Adaptive):
    __doc__ = ("Adaptive Tsitouras 5(4) with its own 4th-order interpolant (often fewer evaluations than "
               "Dopri5 at the same accuracy).\n" + _ADAPTIVE_DOC)
    name: ClassVar[str] = "tsit5"
    tableau: ClassVar = tableaus.TSIT5


@dataclasses.dataclass(frozen=True)
class ExplicitRK(_Adaptive):
    """Any explicit Runge-Kutta method given as a tableau.

    Parameters
    ----------
    tableau : ExplicitTableau
        The method (``circuitsim.solvers.tableaus``); without an embedded solution it
        needs ``dt``.
    dt, rtol, atol, h0, h_max, max_steps
        As for :class:`Dopri5`.

    Examples
    --------
    >>> from circuitsim.solvers.tableaus import ExplicitTableau
    >>> heun = ExplicitTableau("heun", c=[0, 1], A=[[0, 0], [1, 0]], b=[0.5, 0.5], order=2)
    >>> ExplicitRK(heun, dt=0.01).order
    2
    """

    tableau: tableaus.ExplicitTableau = None
    name: ClassVar[str] = "explicit_rk"

    def __init__(self, tableau, *, dt=None, rtol=1e-6, atol=1e-9, h0=None, h_max=math.inf, max_steps=10_000_000):
        if not isinstance(tableau, tableaus.ExplicitTableau):
            raise ParameterError(f"tableau must be an ExplicitTableau, got {type(tableau).__name__}")
        set_ = object.__setattr__
        for k, v in dict(tableau=tableau, dt=dt, rtol=rtol, atol=atol, h0=h0, h_max=h_max,
                         max_steps=max_steps).items():
            set_(self, k, v)
        self.__post_init__()

    def _tableau(self):
        return self.tableau

    def describe(self) -> dict:
        d = super().describe()
        d["tableau"] = self.tableau.name
        return d
