"""Solver objects: small frozen, self-validating configurations of the compiled integrators.

``Euler(dt)`` and ``RK4(dt)`` take fixed steps (shortened to land on the drive's jump
times and the end of the span) with cubic Hermite dense output; ``Dopri5(rtol, atol)``
adapts its steps to meet the tolerances and uses its native continuous extension.

A new solver subclasses :class:`Solver`, sets ``name`` and ``dense_kind`` (registered
with :func:`circuitsim._kernels.interpolate.register_dense`) and implements
:meth:`Solver._integrate`, which receives a prepared :class:`Job` and returns filled
:class:`~circuitsim._kernels.buffers.Buffers`. The driver (:func:`circuitsim.simulate`)
does validation, recording, errors and the :class:`~circuitsim.Result`.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from .errors import ParameterError

__all__ = ["Solver", "Job", "Euler", "RK4", "Dopri5", "get_solver"]

_SOLVERS: dict = {}


def register_solver(cls):
    """Class decorator: make a solver constructible by name (``solver="rk4"``)."""
    _SOLVERS[cls.name] = cls
    return cls


def get_solver(solver) -> "Solver":
    """A solver instance from an instance, a registered name (default settings) or None (Dopri5)."""
    if solver is None:
        return Dopri5()
    if isinstance(solver, Solver):
        return solver
    if isinstance(solver, str) and solver.lower() in _SOLVERS:
        return _SOLVERS[solver.lower()]()
    if isinstance(solver, str):
        from connectome.errors import close_matches
        near = close_matches(solver, _SOLVERS)
        hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
        raise ParameterError(f"unknown solver {solver!r}{hint}; known: {sorted(_SOLVERS)}")
    raise ParameterError(f"solver must be a Solver instance or name, got {type(solver).__name__}")


@dataclasses.dataclass
class Job:
    """Everything an integrator needs, prepared and validated by :func:`circuitsim.simulate`.

    Attributes
    ----------
    circuits : list of Circuit
        One per batch member (the same object repeated when shared).
    P : NamedTuple or numba.typed.List
        Kernel parameters: shared by every member, or one per member.
    table : InputTable
        The drive of every member.
    breaks : list of ndarray
        Jump times of each member's drive (strictly inside the span).
    y0 : ndarray (B, n_state)
    rec : Recording
    t_span : (float, float)
    """

    circuits: list
    P: Any
    table: Any
    breaks: list
    y0: np.ndarray
    rec: Any
    t_span: tuple
    max_bytes: float = float("inf")

    @property
    def batch_size(self) -> int:
        return self.y0.shape[0]

    @property
    def n_rec(self) -> int:
        return self.rec.rec_idx.shape[0]


def _positive(name, value, allow_inf=False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf) or v <= 0:
        raise ParameterError(f"{name} must be positive and finite, got {value!r}")
    return v


@dataclasses.dataclass(frozen=True)
class Solver(ABC):
    """Base class of solvers."""

    name: ClassVar[str] = ""
    dense_kind: ClassVar[str] = ""
    fixed_step: ClassVar[bool] = False

    def check(self, circuit, t_span) -> None:
        """Validate the solver against a circuit and span (before any compiled code)."""

    def expected_steps(self, job: Job) -> int | None:
        """Upper bound of steps per member if known in advance (for memory checks)."""
        return None

    @abstractmethod
    def _integrate(self, job: Job):
        """Run the compiled integrator; return filled :class:`~circuitsim._kernels.buffers.Buffers`."""

    def describe(self) -> dict:
        d = {"name": self.name}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            d[f.name] = v.tolist() if isinstance(v, np.ndarray) else v
        return d


@dataclasses.dataclass(frozen=True)
class _FixedStep(Solver):
    dt: float = 0.01
    fixed_step: ClassVar[bool] = True
    dense_kind: ClassVar[str] = "hermite"
    _method: ClassVar[int] = 0

    def __post_init__(self):
        object.__setattr__(self, "dt", _positive("dt", self.dt))

    def expected_steps(self, job):
        from ._kernels.fixed_step import count_fixed_steps

        return max(count_fixed_steps(job.breaks, *job.t_span, self.dt))

    def _integrate(self, job):
        from ._kernels.buffers import new_buffers
        from ._kernels.fixed_step import count_fixed_steps, run_fixed

        steps = max(count_fixed_steps(job.breaks, *job.t_span, self.dt))
        rec = job.rec
        cap_out = len(rec.saveat) if rec.use_saveat else steps // rec.every + 2
        cap_dense = steps if rec.dense else 0
        buf = new_buffers(job.y0, job.n_rec, cap_out, cap_dense, 4, job.t_span[0])
        from ._kernels.dispatch import for_params

        for_params(run_fixed, job.P)(self._method, job.P, job.table, self.dt, rec, buf)
        return buf


@register_solver
@dataclasses.dataclass(frozen=True)
class Euler(_FixedStep):
    """Explicit Euler with fixed step `dt` (ms); order 1. Dense output: cubic Hermite."""

    name: ClassVar[str] = "euler"
    _method: ClassVar[int] = 0


@register_solver
@dataclasses.dataclass(frozen=True)
class RK4(_FixedStep):
    """Classical 4th-order Runge-Kutta with fixed step `dt` (ms). Dense output: cubic Hermite."""

    name: ClassVar[str] = "rk4"
    _method: ClassVar[int] = 1


@register_solver
@dataclasses.dataclass(frozen=True)
class Dopri5(Solver):
    """Adaptive Dormand-Prince 5(4) with error control and native 4th-order dense output.

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
        Budget of attempted steps per member; exceeding it raises :class:`SolverError`.
    dt : float, optional
        If given, take fixed steps of `dt` without error control (for order studies).
    """

    rtol: Any = 1e-6
    atol: Any = 1e-9
    h0: float | None = None
    h_max: float = math.inf
    max_steps: int = 10_000_000
    dt: float | None = None
    name: ClassVar[str] = "dopri5"
    dense_kind: ClassVar[str] = "dopri5"

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "rtol", self._check_tol("rtol", self.rtol))
        set_(self, "atol", self._check_tol("atol", self.atol))
        if self.h0 is not None:
            set_(self, "h0", _positive("h0", self.h0))
        set_(self, "h_max", _positive("h_max", self.h_max, allow_inf=True))
        if isinstance(self.max_steps, bool) or int(self.max_steps) != self.max_steps or self.max_steps < 1:
            raise ParameterError(f"max_steps must be a positive integer, got {self.max_steps!r}")
        set_(self, "max_steps", int(self.max_steps))
        if self.dt is not None:
            set_(self, "dt", _positive("dt", self.dt))

    @staticmethod
    def _check_tol(name, tol):
        def one(v, where=""):
            try:
                arr = np.array(v, dtype=np.float64)
            except (TypeError, ValueError):
                raise ParameterError(f"{name}{where} must be numeric, got {v!r}") from None
            if not np.isfinite(arr).all():
                raise ParameterError(f"{name}{where} must be finite, got {v!r}")
            if name == "rtol":
                bad = (arr < 0) | (arr >= 1) | ((arr > 0) & (arr < 1e-14))
                if bad.any():
                    raise ParameterError(f"{name}{where} must be 0 or in [1e-14, 1), got {float(arr[bad].flat[0])!r}")
            elif (arr <= 0).any():
                raise ParameterError(f"{name}{where} must be positive, got {float(arr[arr <= 0].flat[0])!r}")
            return arr

        if isinstance(tol, dict):
            return {str(k): float(one(v, f"[{k!r}]")) for k, v in tol.items()}
        arr = one(tol)
        if arr.ndim == 0:
            return float(arr)
        if arr.ndim != 1:
            raise ParameterError(f"{name} must be a scalar, a dict per variable or a 1-d array, got shape {arr.shape}")
        arr.setflags(write=False)
        return arr

    def _tol_vector(self, name, circuit) -> np.ndarray:
        tol = getattr(self, name)
        n, names = circuit.n, circuit.model.state_names
        if isinstance(tol, dict):
            unknown = [k for k in tol if k not in names]
            if unknown:
                raise ParameterError(f"{name} names unknown state variable {unknown[0]!r}; the model has {names}")
            default = 1e-6 if name == "rtol" else 1e-9
            return np.repeat([tol.get(v, default) for v in names], n).astype(np.float64)
        if isinstance(tol, float):
            return np.full(circuit.n_state, tol)
        if tol.shape != (circuit.n_state,):
            raise ParameterError(f"{name} array must have shape ({circuit.n_state},) (one per state entry), "
                                 f"got {tol.shape}")
        return np.array(tol, dtype=np.float64)  # writable copy: one kernel signature

    def check(self, circuit, t_span) -> None:
        self._tol_vector("rtol", circuit)
        self._tol_vector("atol", circuit)

    def config(self, circuit):
        from ._kernels.dopri5 import Dopri5Config

        return Dopri5Config(self._tol_vector("rtol", circuit), self._tol_vector("atol", circuit),
                            float(self.h0 or 0.0), float(self.h_max), int(self.max_steps),
                            float(self.dt or 0.0), 0.9, 0.2, 10.0)

    def expected_steps(self, job):
        if self.dt is not None:
            from ._kernels.fixed_step import count_fixed_steps
            return max(count_fixed_steps(job.breaks, *job.t_span, self.dt))
        return None

    def _integrate(self, job):
        from ._kernels.buffers import FULL, OUT_OF_MEMORY, grow, new_buffers
        from ._kernels.dopri5 import run_dopri5

        rec = job.rec
        guess = self.expected_steps(job) or 256
        cap_out = len(rec.saveat) if rec.use_saveat else guess // rec.every + 2
        cap_dense = guess if rec.dense else 0
        buf = new_buffers(job.y0, job.n_rec, cap_out, cap_dense, 5, job.t_span[0])
        from ._kernels.dispatch import for_params

        cfg = self.config(job.circuits[0])
        run = for_params(run_dopri5, job.P)
        while True:
            run(job.P, job.table, cfg, rec, buf)
            if not (buf.status == FULL).any():
                return buf
            cap_out = buf.out_t.shape[1] if rec.use_saveat else 2 * buf.out_t.shape[1]
            cap_dense = 2 * buf.dense_c.shape[1] if rec.dense else 0
            _, _, K, n_rec = buf.dense_c.shape
            nbytes = 8.0 * buf.y.shape[0] * (cap_out * (n_rec + 1) + cap_dense * (K * n_rec + 1))
            if nbytes > job.max_bytes:
                buf.status[buf.status == FULL] = OUT_OF_MEMORY
                return buf
            buf = grow(buf, cap_out, cap_dense)
