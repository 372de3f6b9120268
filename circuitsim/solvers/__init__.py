"""Solvers: small frozen configurations of one compiled step each, sharing one time loop.

* explicit Runge-Kutta methods as tableaus (:mod:`.tableaus`): :class:`Euler`,
  :class:`RK4` (fixed step), :class:`BS3`, :class:`Dopri5`, :class:`Tsit5` (adaptive),
  and :class:`ExplicitRK` for any tableau;
* :class:`IMEX`: implicit-explicit, leak + gap junctions implicit by conjugate
  gradients, chemical synapses explicit, for large gap-coupled networks;
* :class:`Rosenbrock` (Rodas5P, RODAS4): stiff, linearly implicit, on every model with
  Jacobian hooks;
* :class:`ETD2`: exponential (diagonal linear part exact, coupling explicit), for
  large networks where factorisations do not pay;
* :class:`FusedLTC` and :class:`ClosedForm`: sequence models (LTC, CfC), one step per
  input sample, blocks of batch members at once (:mod:`.sequence`).

The loop they share (:mod:`circuitsim._kernels.loop`) owns breakpoints, step control,
recording, dense output and status codes; :mod:`.driver` runs it in interruptible,
memory-bounded chunks.
"""

from .base import Job, Solver, Status, get_solver, register_solver
from .explicit import BS3, RK4, Dopri5, Euler, ExplicitRK, Tsit5
from .exponential import ETD2
from .imex import IMEX
from .rosenbrock import Rosenbrock
from .sequence import ClosedForm, FusedLTC
from .tableaus import ExplicitTableau

__all__ = ["Solver", "Job", "Status", "get_solver", "register_solver", "Euler", "RK4", "BS3", "Dopri5", "Tsit5",
           "ExplicitRK", "ExplicitTableau", "ETD2", "IMEX", "Rosenbrock", "FusedLTC", "ClosedForm"]
