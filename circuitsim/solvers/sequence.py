"""Solvers of sequence models: one step per input sample, many batch members at once.

Liquid networks are driven by samples: sample ``i`` is held over the interval
``(t[i-1], t[i]]`` and the state after it is the model advanced over the elapsed time
``t[i] - t[i-1]`` (ncps's ``timespans``, per batch member). Two steps do that:

* :class:`FusedLTC`: ncps's fused semi-implicit solver of the LTC ODE, ``unfolds``
  sub-steps per sample, stable for every step size and input magnitude;
* :class:`ClosedForm`: the CfC network's closed-form solution.

Both run in the shared sample loop (:func:`circuitsim._kernels.loop.run_blocks`), which
advances blocks of members together (SIMD lanes, matrix products), and both give the
state *between* samples with their own step over the partial interval (the dense
output of a sequence model: ``result.at(t)`` replays the step from the previous sample
with that sample's input). For CfC this means the readout jumps just after every
sample: the closed form does not start from the previous state at zero elapsed time
(this follows from the closed form and matches ncps).

Use them through :class:`circuitsim.LTCNetwork` / :class:`circuitsim.CfCNetwork`, or
``simulate(circuit, span, samples(..., interpolation="next"), FusedLTC())``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from ..errors import ParameterError
from .base import Solver, positive_int, register_solver

__all__ = ["FusedLTC", "ClosedForm"]

#: members advanced together by the fused LTC step (SIMD lanes run over them)
LTC_BLOCK = 16


def _check_dtype(dtype):
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ParameterError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ParameterError(f"dtype must be float32 or float64, got {dt}")
    return dt


def as_dtype(nt, dtype):
    """`nt` (a kernel NamedTuple) with every floating-point array in `dtype` (C-contiguous, writable)."""
    fields = []
    for f in nt:
        if isinstance(f, np.ndarray) and f.dtype.kind == "f":
            f = np.array(f, dtype=dtype, order="C", copy=True)
        fields.append(f)
    return type(nt)(*fields)


def _plastic_base(circuit):
    """The base model of a plastic LTC circuit, else None."""
    base = getattr(circuit.model, "base", None)
    if circuit.model.name == "plastic" and base is not None and base.name == "ltc":
        return base
    return None


@dataclasses.dataclass(frozen=True)
class _SequenceSolver(Solver):
    """Shared behaviour: one step per segment of a sample-held drive, blocks of members."""

    fixed_step: ClassVar[bool] = True
    sequence: ClassVar[bool] = True
    model_name: ClassVar[str] = ""

    @property
    def dense_rows(self) -> int:
        return 1

    def check(self, circuit, t_span) -> None:
        if _plastic_base(circuit) is not None and self.model_name == "ltc":
            return
        if circuit.model.name != self.model_name:
            raise ParameterError(f"{type(self).__name__} steps the {self.model_name!r} model, got "
                                 f"{circuit.model.name!r}")

    def expected_steps(self, job):
        return max(len(b) + 1 for b in job.breaks)

    def sequence_params(self, circuit):
        """Kernel parameters in this solver's arithmetic."""
        return as_dtype(circuit.kernel_params(), self.dtype)

    def integrate(self, job):
        from .._kernels.sample_loop import run_blocks
        from .driver import run_loop

        if not job.shared:
            raise ParameterError(f"{type(self).__name__} runs one circuit for the whole batch; vary the inputs "
                                 "(or run the circuits separately)")
        c = job.circuits[0]
        P = self.sequence_params(c)
        S = self.config_for(c)
        with self._context():
            return run_loop(job, S, 1, self.expected_steps(job), kernel=run_blocks, P=P,
                            dense_width=c.n_state, block=S.block)

    def advance(self, circuit, v0, x, dt):
        """States after one step from `v0` (Q, n) over elapsed times `dt` (Q,) with held inputs `x` (Q, n_in)."""
        from .._kernels.sample_loop import advance_blocks

        P = self.sequence_params(circuit)
        out = np.empty(np.shape(v0))
        with self._context():
            advance_blocks(P, self.config_for(circuit), np.ascontiguousarray(x, dtype=np.float64),
                           np.ascontiguousarray(dt, dtype=np.float64), np.ascontiguousarray(v0, dtype=np.float64),
                           out)
        return out

    def config_for(self, circuit):
        """Kernel configuration for `circuit`."""
        return self.kernel_config(None)

    def _context(self):
        import contextlib

        return contextlib.nullcontext()

    def describe(self) -> dict:
        d = super().describe()
        d["dtype"] = np.dtype(self.dtype).name
        return d


@register_solver
@dataclasses.dataclass(frozen=True)
class FusedLTC(_SequenceSolver):
    """ncps's fused semi-implicit LTC step: `unfolds` sub-steps per input sample.

    Parameters
    ----------
    unfolds : int
        Sub-steps per sample (ncps ``ode_unfolds``, default 6); the method is first
        order in the sub-step.
    dtype : {numpy.float64, numpy.float32}
        Arithmetic of states and weights. float32 halves memory traffic; its states
        agree with float64 to about 1e-6 (tested to 1e-5 absolute on a 10^4-neuron sparse
        wiring; the bounds of the model hold either way).

    Plastic circuits (``Circuit(wiring, "ltc", ...).with_plasticity(rule)`` or
    :meth:`circuitsim.LTCNetwork.with_plasticity`) learn once per sub-step: the rule's
    rates at the sub-step's start, an explicit Euler step of the weights, clipped to
    ``[0, w_max]`` (:mod:`circuitsim._kernels.plastic_fused`); members then advance one at
    a time, each with its own weights.
    """

    unfolds: int = 6
    dtype: Any = np.float64
    name: ClassVar[str] = "fused_ltc"
    model_name: ClassVar[str] = "ltc"
    order: ClassVar[int] = 1

    def __post_init__(self):
        object.__setattr__(self, "unfolds", positive_int("unfolds", self.unfolds))
        object.__setattr__(self, "dtype", _check_dtype(self.dtype))

    def kernel_config(self, job):
        from .._kernels.ltc import FusedLTCConfig

        return FusedLTCConfig(LTC_BLOCK, self.unfolds)

    def config_for(self, circuit):
        """Plastic circuits (``ltc_circuit.with_plasticity(rule)``) learn once per fused sub-step
        (:mod:`circuitsim._kernels.plastic_fused`), one member at a time (each has its own weights)."""
        if _plastic_base(circuit) is not None:
            from .._kernels.plastic_fused import PlasticFusedConfig

            return PlasticFusedConfig(1, self.unfolds)
        return self.kernel_config(None)

    def sequence_params(self, circuit):
        kp = circuit.kernel_params()
        if _plastic_base(circuit) is not None:  # the base arrays in this arithmetic, the plastic block as is
            return kp._replace(base=as_dtype(kp.base, self.dtype))
        return as_dtype(kp, self.dtype)


@register_solver
@dataclasses.dataclass(frozen=True)
class ClosedForm(_SequenceSolver):
    """The closed-form solution of a CfC network, one evaluation per input sample.

    Parameters
    ----------
    dtype : {numpy.float64, numpy.float32}
        Arithmetic of the matrix products (float32 is what ncps computes in); the
        elementwise closed form runs in float64.
    sparse_below : float
        Layers less dense than this run over synapse lists, the others through BLAS.
    """

    dtype: Any = np.float64
    sparse_below: float = 0.25
    name: ClassVar[str] = "closed_form"
    model_name: ClassVar[str] = "cfc"

    def __post_init__(self):
        object.__setattr__(self, "dtype", _check_dtype(self.dtype))
        if not (float(self.sparse_below) >= 0.0):  # also NaN; above 1: every layer by its synapse lists
            raise ParameterError(f"sparse_below must be a density >= 0, got {self.sparse_below!r}")

    def sequence_params(self, circuit):
        return circuit.params.kernel_params(self.dtype, sparse_below=self.sparse_below)

    def kernel_config(self, job):
        from .._kernels.cfc import ClosedFormConfig

        return ClosedFormConfig(0)

    def _context(self):
        from .blas import single_threaded_blas

        return single_threaded_blas()

