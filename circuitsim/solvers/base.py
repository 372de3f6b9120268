"""The solver contract: a small frozen configuration that provides a step, nothing else.

A solver subclasses :class:`Solver` and implements :meth:`Solver.kernel_config`,
returning the NamedTuple its compiled hooks are registered for (see
:mod:`circuitsim._kernels.loop`). The shared time loop does everything else:
input breakpoints, step-size control, recording, dense output, buffer growth,
status codes; :mod:`circuitsim.solvers.driver` runs it in chunks (so Ctrl-C, memory
limits and progress bars work) and :func:`circuitsim.simulate` wraps the result.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from ..errors import ParameterError

__all__ = ["Solver", "Job", "Status", "register_solver", "get_solver", "positive", "Tolerance"]

_SOLVERS: dict = {}


class Status(enum.IntEnum):
    """How a batch member's integration ended (one enum for every solver)."""

    RUNNING = -1
    DONE = 0
    FULL = 1
    DIVERGED = 2
    STEP_TOO_SMALL = 3
    MAX_STEPS = 4
    OUT_OF_MEMORY = 5
    SINGULAR = 6
    INTERRUPTED = 7


def register_solver(cls):
    """Class decorator: make a solver constructible by name (``solver="rk4"``)."""
    _SOLVERS[cls.name] = cls
    return cls


def get_solver(solver, default=None) -> "Solver":
    """A solver instance from an instance, a registered name (default settings) or None (`default`)."""
    if solver is None:
        if default is None:
            from .explicit import Dopri5
            return Dopri5()
        return default
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


def solver_from_description(d: dict) -> "Solver":
    """Rebuild a solver from :meth:`Solver.describe` (as stored in results)."""
    import numpy as np

    d = dict(d)
    name = d.pop("name", None)
    if name not in _SOLVERS:
        import circuitsim.solvers  # noqa: F401  (registers the shipped solvers)
    if name not in _SOLVERS:
        raise ParameterError(f"unknown solver {name!r} in the result's description")
    cls = _SOLVERS[name]
    fields = {f.name for f in dataclasses.fields(cls)}
    kw = {k: v for k, v in d.items() if k in fields}
    if "dtype" in kw:
        kw["dtype"] = np.dtype(kw["dtype"])
    return cls(**kw)


def positive(name, value, allow_inf=False) -> float:
    """`value` as a float > 0 (finite unless `allow_inf`), else :class:`ParameterError`."""
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(v) or (math.isinf(v) and not allow_inf) or v <= 0:
        raise ParameterError(f"{name} must be positive{'' if allow_inf else ' and finite'}, got {value!r}")
    return v


def positive_int(name, value) -> int:
    """`value` as an int >= 1, else :class:`ParameterError`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Tolerance:
    """Validation and expansion of ``rtol`` / ``atol``: a scalar, a dict per state variable or an array."""

    @staticmethod
    def check(name, tol):
        """Validate `tol`; returns a float, a dict {variable: float} or a read-only array (or None)."""
        if tol is None:
            return None

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

    @staticmethod
    def vector(name, tol, circuit, default) -> np.ndarray:
        """One value per state entry of `circuit` (dict keys are state variable names)."""
        n, names = circuit.n, circuit.model.state_names
        if tol is None:
            tol = default
        if isinstance(tol, dict):
            unknown = [k for k in tol if k not in names]
            if unknown:
                raise ParameterError(f"{name} names unknown state variable {unknown[0]!r}; the model has {names}")
            fallback = 1e-6 if name == "rtol" else 1e-9
            return np.repeat([tol.get(v, fallback) for v in names], n).astype(np.float64)
        if np.ndim(tol) == 0:
            return np.full(circuit.n_state, float(tol))
        tol = np.asarray(tol, dtype=np.float64)
        if tol.shape != (circuit.n_state,):
            raise ParameterError(f"{name} array must have shape ({circuit.n_state},) (one per state entry), "
                                 f"got {tol.shape}")
        perm = getattr(circuit, "state_perm", None)  # a reordered circuit's entries (circuitsim.reorder)
        return np.array(tol if perm is None else tol[perm], dtype=np.float64)  # writable copy: one signature


@dataclasses.dataclass
class Job:
    """Everything a solver needs, prepared and validated by :func:`circuitsim.simulate`.

    Attributes
    ----------
    circuits : list of Circuit
        One per batch member (the same object repeated when shared).
    P : NamedTuple or numba.typed.List
        Model kernel parameters: shared by every member, or one per member.
    table : InputTable
        The drive of every member.
    breaks : list of ndarray
        Jump times of each member's drive (strictly inside the span).
    y0 : ndarray (B, n_state)
    rec : Recording
    t_span : (float, float)
    max_bytes : float
        Largest size of the stored output.
    progress : callable or None
        ``progress(t_done_fraction)`` called between chunks of the compiled loop.
    """

    circuits: list
    P: Any
    table: Any
    breaks: list
    y0: np.ndarray
    rec: Any
    t_span: tuple
    max_bytes: float = float("inf")
    progress: Any = None
    t_start: Any = None  # float64 (B,): each member's start time, when members start apart (sequences)
    t_stop: Any = None  # float64 (B,): each member's end time
    stream: Any = None  # circuitsim.store.Stream when the output streams to a store
    internal: Any = None  # list of circuitsim.reorder.InternalCircuit, one per member, when reordered

    @property
    def solver_circuits(self) -> list:
        """The circuits solvers build kernel configurations from (in the internal neuron order)."""
        return self.circuits if self.internal is None else self.internal

    @property
    def batch_size(self) -> int:
        return self.y0.shape[0]

    @property
    def n_rec(self) -> int:
        return self.rec.rec_idx.shape[0]

    @property
    def shared(self) -> bool:
        """Whether every member runs the same circuit object."""
        return all(c is self.circuits[0] for c in self.circuits)


@dataclasses.dataclass(frozen=True)
class Solver(ABC):
    """Base class of solvers: frozen, validated configurations of a compiled step.

    Class attributes
    ----------------
    name : str
        Registry name.
    order : int
        Order of the method (for documentation and tests).
    fixed_step : bool
        Whether the steps are known in advance (a fixed grid).
    """

    name: ClassVar[str] = ""
    order: ClassVar[int] = 0
    fixed_step: ClassVar[bool] = False

    def check(self, circuit, t_span) -> None:
        """Validate the solver against a circuit and span (before any compiled code)."""
        self.check_vector_field(circuit)

    def check_vector_field(self, circuit) -> None:
        """ODE solvers need a vector field: closed-form models (CfC) have none."""
        if not circuit.model.has_vector_field:
            raise ParameterError(f"the {circuit.model.name!r} model is a closed form, not an ODE: {type(self).__name__} "
                                 f"cannot step it; use {type(circuit.model.default_solver()).__name__}()")

    def stiff_tolerances(self, circuit):
        """``(rtol, atol)`` per state entry: the solver's own, else the model's stiff defaults."""
        rtol, atol = circuit.model.stiff_tolerances()
        return (Tolerance.vector("rtol", self.rtol, circuit, rtol), Tolerance.vector("atol", self.atol, circuit, atol))

    def expected_steps(self, job: Job) -> int | None:
        """Steps per member if known in advance (for memory checks): known for a fixed step ``dt``."""
        dt = getattr(self, "dt", None)
        if dt is None:
            return None
        return max(count_fixed_steps(job.breaks, *job.t_span, dt))

    def _check_step_options(self) -> None:
        """Validate and normalise the usual step options (those of them the solver has) in place."""
        set_ = object.__setattr__
        for name in ("rtol", "atol"):
            if hasattr(self, name):
                set_(self, name, Tolerance.check(name, getattr(self, name)))
        if getattr(self, "h0", None) is not None:
            set_(self, "h0", positive("h0", self.h0))
        if hasattr(self, "h_max"):
            set_(self, "h_max", positive("h_max", self.h_max, allow_inf=True))
        if hasattr(self, "max_steps"):
            steps = self.max_steps
            if isinstance(steps, float) and steps.is_integer():
                steps = int(steps)
            set_(self, "max_steps", positive_int("max_steps", steps))
        if getattr(self, "dt", None) is not None:
            set_(self, "dt", positive("dt", self.dt))

    @property
    @abstractmethod
    def dense_rows(self) -> int:
        """Rows of dense output stored per step (see :mod:`circuitsim._kernels.interpolate`)."""

    @abstractmethod
    def kernel_config(self, job: Job):
        """The NamedTuple (or typed list, one per member) the compiled hooks dispatch on."""

    def integrate(self, job: Job):
        """Run the shared time loop; returns the filled :class:`~circuitsim._kernels.buffers.Buffers`."""
        from .driver import run_loop

        return run_loop(job, self.kernel_config(job), self.dense_rows, self.expected_steps(job))

    def describe(self) -> dict:
        """Settings as a JSON-friendly dict (stored in results)."""
        d = {"name": self.name}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v = v.tolist()
            elif hasattr(v, "name") and not isinstance(v, (str, int, float)):
                v = v.name
            d[f.name] = v
        return d


def count_fixed_steps(breaks_per_member, t0, t1, dt):
    """Steps each member takes with fixed step `dt` (same arithmetic as the compiled loop)."""
    out = []
    for br in breaks_per_member:
        edges = [float(t0), *(float(x) for x in br), float(t1)]
        out.append(sum(max(int(math.ceil((e - a) / dt - 1e-9)), 1) for a, e in zip(edges[:-1], edges[1:])))
    return out
