"""Implicit-explicit solver for large networks with gap junctions: :class:`IMEX`.

The leak and the gap junctions make a network's linear, symmetric part: with
capacitances ``M`` and conductances ``K`` (leak + gap-junction graph Laplacian),
``M + h gamma K`` is symmetric positive definite. :class:`IMEX` takes that part
implicitly, solved by compiled Jacobi-preconditioned conjugate gradients (no
factorisation, no fill, ``O(n + gap junctions)`` per iteration), and the chemical
synapses explicitly, with the L-stable second-order ARS(2,2,2) scheme (see
:mod:`circuitsim._kernels.imex`). Strongly gap-coupled clusters, whose stiffness
limits explicit methods and :class:`~circuitsim.ETD2` (diagonal only), then do not
limit the step; the chemical coupling still does.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

from ..errors import ParameterError
from .base import Solver, positive_int, register_solver

__all__ = ["IMEX"]


@register_solver
@dataclasses.dataclass(frozen=True, kw_only=True)
class IMEX(Solver):
    """Adaptive second-order implicit-explicit solver: leak + gap junctions implicit (CG), synapses explicit.

    Parameters
    ----------
    rtol, atol : float, dict or array (n_state,), optional
        Tolerances (a scalar, a dict ``{state variable: value}`` or one per state
        entry); default: the model's stiff tolerances
        (:meth:`~circuitsim.models.base.Model.stiff_tolerances`). With a fixed `dt`
        they still set the accuracy of the conjugate-gradient solves.
    h0 : float, optional
        First step (ms); default chosen from the initial derivative.
    h_max : float
        Largest step (ms).
    max_steps : int
        Budget of attempted steps per member.
    dt : float, optional
        Fixed steps of `dt` ms without error control (order studies).
    lin_tol : float
        Conjugate gradients stop when their estimated error is below this fraction of
        the error tolerance of every entry (0 < lin_tol <= 1).
    max_iterations : int
        CG iterations per solve; a solve that needs more retries the step with half
        the size.

    Notes
    -----
    Needs the model's ``imex_mass``, ``imex_stiffness`` and
    ``imex_stiffness_diagonal`` kernels (graded network and CTRNN have them). The
    error estimate is of first order (the step follows ``err ~ h^2``); dense output
    is cubic Hermite.

    Examples
    --------
    >>> IMEX(rtol=1e-4).order
    2
    """

    rtol: Any = None
    atol: Any = None
    h0: float | None = None
    h_max: float = math.inf
    max_steps: int = 10_000_000
    dt: float | None = None
    lin_tol: float = 1e-3
    max_iterations: int = 500

    name: ClassVar[str] = "imex"
    order: ClassVar[int] = 2

    def __post_init__(self):
        self._check_step_options()
        if isinstance(self.lin_tol, bool) or not isinstance(self.lin_tol, (int, float)) \
                or not (0.0 < float(self.lin_tol) <= 1.0):
            raise ParameterError(f"lin_tol must be in (0, 1], got {self.lin_tol!r}")
        object.__setattr__(self, "lin_tol", float(self.lin_tol))
        object.__setattr__(self, "max_iterations", positive_int("max_iterations", self.max_iterations))

    @property
    def fixed_step(self) -> bool:  # type: ignore[override]
        return self.dt is not None

    @property
    def dense_rows(self) -> int:
        return 4

    def check(self, circuit, t_span) -> None:
        from .._kernels.dispatch import implementation
        from .._kernels.imex import imex_mass, imex_stiffness, imex_stiffness_diagonal

        self.check_vector_field(circuit)
        kp = circuit.kernel_params(copy=False)
        missing = [h.__name__ for h in (imex_mass, imex_stiffness, imex_stiffness_diagonal)
                   if implementation(h, type(kp)) is None]
        if missing:
            raise ParameterError(f"IMEX needs the implicit linear part of the {circuit.model.name!r} model (compiled "
                                 f"{', '.join(missing)} registered for its kernel parameters); use ETD2, Dopri5 or "
                                 "Rosenbrock")
        self.stiff_tolerances(circuit)

    def kernel_config(self, job):
        from .._kernels.buffers import StepControl
        from .._kernels.imex import IMEXConfig
        from ..simulate import kernel_ready

        ctl = StepControl(*self.stiff_tolerances(job.solver_circuits[0]),
                          float(self.h0 or 0.0), self.h_max, self.max_steps, float(self.dt or 0.0), 0.9, 0.2, 5.0,
                          0.5, 2, False)
        return kernel_ready(IMEXConfig(kernel_ready(ctl), 4, self.lin_tol, self.max_iterations))
