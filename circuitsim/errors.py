"""Exceptions raised by :mod:`circuitsim`.

Every error is raised before any compiled code runs (validation happens at the
Python boundary) except :class:`DivergenceError` and :class:`SolverError`, which
report what the compiled integrator found. Messages name the argument, the bad
value and the fix.
"""

from __future__ import annotations

from connectome.errors import UnknownNeuronError as _ConnectomeUnknownNeuron

__all__ = [
    "CircuitsimError",
    "ParameterError",
    "InputError",
    "UnknownNeuronError",
    "SolverError",
    "DivergenceError",
    "StepSizeError",
    "MaxStepsError",
    "SingularMatrixError",
    "MemoryLimitError",
    "Interrupted",
    "OutOfSpanError",
    "DriveWarning",
    "ResultFileError",
    "AnalysisError",
    "MissingPositionsError",
    "MissingDependencyError",
    "StoreError",
    "IncompleteStoreError",
    "StoreMismatchError",
    "BatchMemberError",
    "PlasticityError",
    "NoSuchSynapseError",
]


class CircuitsimError(Exception):
    """Base class of every error raised by :mod:`circuitsim`."""


class ParameterError(CircuitsimError, ValueError):
    """A model, solver or simulation parameter with a wrong shape, value or type."""


class InputError(CircuitsimError, ValueError):
    """An external drive (stimulus) that cannot be applied as given."""


class UnknownNeuronError(InputError, _ConnectomeUnknownNeuron):
    """A stimulus or record request names a neuron (or channel) that does not exist.

    Also a :class:`connectome.UnknownNeuronError`, so either can be caught.
    """

    def __init__(self, name, known, where: str = ""):
        _ConnectomeUnknownNeuron.__init__(self, name, known, where=where)

    def __str__(self) -> str:
        return self.message


class SolverError(CircuitsimError, RuntimeError):
    """The integrator could not finish (step size underflow, step budget exhausted).

    Attributes
    ----------
    result : Result or None
        What was computed up to the failure.
    time : float
        Model time (ms) at which the solver stopped.
    """

    def __init__(self, message: str, result=None, time: float = float("nan")):
        super().__init__(message)
        self.result = result
        self.time = time


class DivergenceError(SolverError):
    """A state variable became NaN, infinite, or larger than 1e15 in magnitude.

    Attributes
    ----------
    time : float
        Model time (ms) of the step that produced the non-finite value.
    neuron : str
        The neuron blamed: among the entries that became non-finite in the failing
        step, the one largest in magnitude just before it.
    variable : str
        Name of the state variable (e.g. ``"V"``).
    member : int or None
        Batch member (None for a single run).
    result : Result
        The partial result: every recorded sample before the failing step.
    """

    def __init__(self, time: float, neuron: str, variable: str, result=None, member=None):
        where = "" if member is None else f" in batch member {member}"
        msg = (f"state variable {variable!r} of neuron {neuron!r} became non-finite (NaN, inf or beyond 1e15) "
               f"at t = {time:.6g} ms{where}; "
               "the partial result is in .result. Reduce the step (or tolerances) or check parameters and inputs")
        super().__init__(msg, result=result, time=time)
        self.neuron = neuron
        self.variable = variable
        self.member = member


class StepSizeError(SolverError):
    """The step size fell below round-off (the problem may be stiff or singular)."""


class MaxStepsError(SolverError):
    """The budget of step attempts (``max_steps``) was exhausted."""


class SingularMatrixError(SolverError):
    """A stiff solver could not factorise its linear system even with smaller steps."""


class MemoryLimitError(SolverError):
    """The stored output would exceed ``max_bytes`` (checked before and while the run goes)."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped with Ctrl-C (SIGINT); ``.result`` holds everything computed so far.

    A :class:`KeyboardInterrupt`, so code that does not look for it still stops.

    Attributes
    ----------
    result : Result
        The partial result, up to the last completed step of every member.
    time : float
        The earliest time reached by a batch member (ms).
    """

    def __init__(self, message: str, result=None, time: float = float("nan")):
        super().__init__(message)
        self.result = result
        self.time = time


class ResultFileError(CircuitsimError, OSError):
    """A file that is not a readable circuitsim result (missing, truncated, corrupt or of another kind)."""


class DriveWarning(UserWarning):
    """Inputs given to a run differ from the drive the circuit was built with."""


class OutOfSpanError(CircuitsimError, ValueError):
    """A time outside the simulated span was asked of a :class:`Result` (no extrapolation)."""


class AnalysisError(CircuitsimError, ValueError):
    """Input to an analysis or plotting function that cannot be used as given."""


class MissingPositionsError(AnalysisError):
    """Neurons without soma positions asked to be drawn anatomically.

    Attributes
    ----------
    neurons : list of str
        The neurons whose ``x, y, z`` are missing.
    """

    def __init__(self, neurons, total: int):
        self.neurons = list(neurons)
        shown = ", ".join(self.neurons[:20]) + (f", ... ({len(self.neurons)} in all)" if len(self.neurons) > 20 else "")
        super().__init__(
            f"{len(self.neurons)} of {total} neurons have no soma position (x, y, z) in the metadata: {shown}. "
            "Pass missing='drop' to leave them out, missing='row' to line them up beside the body, "
            "or use layout='layered'")


class MissingDependencyError(CircuitsimError, ImportError):
    """An optional dependency is not installed; the message names the extra that provides it."""


class StoreError(CircuitsimError, OSError):
    """A run store (``simulate(..., store=...)``) that cannot be used as asked."""


class IncompleteStoreError(StoreError):
    """A store whose run did not finish (killed, interrupted or failed); resume it with ``resume=True``.

    Attributes
    ----------
    path : str
    time : float
        Model time (ms) up to which the store is consistent (its last checkpoint), NaN if none.
    """

    def __init__(self, message: str, path: str = "", time: float = float("nan")):
        super().__init__(message)
        self.path = path
        self.time = time


class StoreMismatchError(StoreError):
    """A store written by a different run (circuit, inputs, solver, span or recording) than the one asked for."""


class BatchMemberError(CircuitsimError, RuntimeError):
    """Some members of a batch failed; every other member's result is kept.

    Attributes
    ----------
    failures : list of dict
        One per failed member: ``member`` (index), ``parameters`` (the swept values of
        that member), ``error`` (the exception's type and message) and ``traceback``.
    result : Result or None
        The batched result of the members that succeeded (labelled by their swept values).
    """

    def __init__(self, message: str, failures=(), result=None):
        super().__init__(message)
        self.failures = list(failures)
        self.result = result
class PlasticityError(ParameterError):
    """A plasticity set-up that cannot run: synapses that do not exist, a model without the
    activities a rule reads, asymmetric plastic gap junctions."""


class NoSuchSynapseError(PlasticityError):
    """Plastic synapses asked for where the wiring has none."""


class NonSymmetricGapError(PlasticityError):
    """Plastic gap junctions whose wiring or selection is not symmetric (one weight per junction pair
    needs both directions, with the same conductance)."""


class NotRepresentableError(ParameterError):
    """An export target (e.g. ncps) that cannot represent part of the network (gap junctions, a structure)."""
