"""Exponential integrator for large, moderately stiff networks: :class:`ETD2`.

The leak and the total conductance each neuron sees make a network's fast decays;
they sit on the diagonal of the Jacobian. :class:`ETD2` integrates that diagonal
exactly and the coupling between neurons explicitly (second-order exponential
Runge-Kutta of Cox & Matthews, see :mod:`circuitsim._kernels.exponential`), so its
cost per step is two right-hand sides and one diagonal -- no factorisation, no
linear solve, memory ``O(state)`` -- and its steps are not limited by the fastest
single-neuron decay. Coupling much stiffer than the decays (strong gap-junction
clusters) still limits the step; there :class:`~circuitsim.Rosenbrock` is the method.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

from ..errors import ParameterError
from .base import Solver, register_solver

__all__ = ["ETD2"]


@register_solver
@dataclasses.dataclass(frozen=True, kw_only=True)
class ETD2(Solver):
    """Adaptive second-order exponential integrator (ETD2RK) with a diagonal linear part.

    Parameters
    ----------
    rtol, atol : float, dict or array (n_state,), optional
        Tolerances (a scalar, a dict ``{state variable: value}`` or one per state
        entry); default: the model's stiff tolerances
        (:meth:`~circuitsim.models.base.Model.stiff_tolerances`).
    h0 : float, optional
        First step (ms); default chosen from the initial derivative.
    h_max : float
        Largest step (ms).
    max_steps : int
        Budget of attempted steps per member.
    dt : float, optional
        Fixed steps of `dt` ms without error control (order studies).

    Notes
    -----
    Needs the model's ``linear_diagonal`` kernel (graded, CTRNN and LTC have one).
    The error estimate is the difference to exponential Euler (first order), so
    the step size follows ``err ~ h^2``; dense output is cubic Hermite.

    Examples
    --------
    >>> ETD2(rtol=1e-4).order
    2
    """

    rtol: Any = None
    atol: Any = None
    h0: float | None = None
    h_max: float = math.inf
    max_steps: int = 10_000_000
    dt: float | None = None

    name: ClassVar[str] = "etd2"
    order: ClassVar[int] = 2

    def __post_init__(self):
        self._check_step_options()

    @property
    def fixed_step(self) -> bool:  # type: ignore[override]
        return self.dt is not None

    @property
    def dense_rows(self) -> int:
        return 4

    def check(self, circuit, t_span) -> None:
        from .._kernels.dispatch import implementation
        from .._kernels.exponential import linear_diagonal

        self.check_vector_field(circuit)
        kp = circuit.kernel_params(copy=False)
        base = getattr(circuit.model, "base", None)  # a plastic circuit needs its base model's diagonal too
        if implementation(linear_diagonal, type(kp)) is None or (
                base is not None and implementation(linear_diagonal, type(kp.base)) is None):
            raise ParameterError(f"ETD2 needs the diagonal linear part of the {circuit.model.name!r} model (a compiled "
                                 "linear_diagonal registered for its kernel parameters); use Dopri5 or Rosenbrock")
        self.stiff_tolerances(circuit)

    def kernel_config(self, job):
        from .._kernels.buffers import StepControl
        from .._kernels.exponential import ExponentialConfig
        from ..simulate import kernel_ready

        ctl = StepControl(*self.stiff_tolerances(job.solver_circuits[0]),
                          float(self.h0 or 0.0), self.h_max, self.max_steps, float(self.dt or 0.0), 0.9, 0.2, 5.0,
                          0.5, 2, False)
        return kernel_ready(ExponentialConfig(kernel_ready(ctl), 4))
