"""The model contract: what a neuron model provides to the engine.

A model is a small immutable object (one module per model) that declares its state
variables and units, its frozen parameter dataclass, its default initial state and
how to turn a :class:`~circuitsim.Circuit` into a NamedTuple of contiguous arrays for
the compiled vector field. The vector field itself is registered for that NamedTuple
type with :func:`circuitsim._kernels.dispatch.register_rhs`, so every integrator
serves every model without change.

State layout
------------
One flat float64 vector ``y`` of length ``n_vars * n_neurons``, variable-major:
``y[k*n:(k+1)*n]`` is state variable ``state_names[k]`` of every neuron, in wiring
order.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from ..errors import ParameterError

__all__ = ["Model", "ModelParams", "Display", "check_array", "check_scalar"]


@dataclasses.dataclass(frozen=True, eq=False)
class Display:
    """What pictures and analyses show of a model by default: a transform of one state variable.

    ``value = transform(state[variable] - offset)``.

    Attributes
    ----------
    variable : str
        The state variable it is computed from.
    label : str
        Axis / colour-bar label (e.g. ``"V - Vth"``).
    unit : str
    offset : ndarray (n,) or None
        Subtracted per neuron (the graded network's thresholds).
    transform : {None, "tanh", "sigmoid", "relu"}
        Applied after the offset (a CTRNN's firing rate).
    """

    variable: str
    label: str
    unit: str = ""
    offset: np.ndarray | None = None
    transform: str | None = None

    def apply(self, values, columns=None) -> np.ndarray:
        """The displayed quantity of `values` (..., n) of :attr:`variable` (neurons `columns` of the model's)."""
        v = np.asarray(values, dtype=np.float64)
        if self.offset is not None:
            v = v - (self.offset if columns is None else self.offset[np.asarray(columns)])
        if self.transform == "tanh":
            v = np.tanh(v)
        elif self.transform == "sigmoid":
            v = 1.0 / (1.0 + np.exp(-v))
        elif self.transform == "relu":
            v = np.maximum(v, 0.0)
        return v

    def describe(self) -> dict:
        """JSON-friendly (stored in results)."""
        return {"variable": self.variable, "label": self.label, "unit": self.unit, "transform": self.transform,
                "offset": None if self.offset is None else np.asarray(self.offset).tolist()}


def check_array(name: str, value, *, shape=None, finite: bool = True, positive: bool = False,
                nonnegative: bool = False, lower=None, upper=None, dtype=np.float64) -> np.ndarray:
    """Validate and freeze a parameter array (or scalar) and return it.

    Parameters
    ----------
    name : str
        Parameter name used in error messages.
    value : scalar or array_like
    shape : tuple of int, optional
        Required shape after broadcasting a scalar (None: keep the given shape).
    finite, positive, nonnegative : bool
        Reject NaN/inf, values <= 0, values < 0.
    lower, upper : float, optional
        Inclusive bounds.

    Raises
    ------
    ParameterError
        Naming the parameter, the offending value and its position.
    """
    try:
        arr = np.array(value, dtype=dtype)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{name} must be numeric, got {value!r}") from err
    if shape is not None:
        if arr.ndim == 0:
            arr = np.full(shape, arr, dtype=dtype)
        elif arr.shape != tuple(shape):
            raise ParameterError(f"{name} must be a scalar or have shape {tuple(shape)}, got shape {arr.shape}")
    flat = arr.reshape(-1)

    def _fail(mask, what):
        i = int(np.flatnonzero(mask)[0])
        pos = "" if arr.ndim == 0 else f" at index {tuple(int(k) for k in np.unravel_index(i, arr.shape))}"
        raise ParameterError(f"{name} must be {what}, got {flat[i].item()!r}{pos}")

    if finite and not np.isfinite(flat).all():
        _fail(~np.isfinite(flat), "finite")
    if positive and (flat <= 0).any():
        _fail(flat <= 0, "positive")
    if nonnegative and (flat < 0).any():
        _fail(flat < 0, "non-negative")
    if lower is not None and (flat < lower).any():
        _fail(flat < lower, f">= {lower}")
    if upper is not None and (flat > upper).any():
        _fail(flat > upper, f"<= {upper}")
    arr = arr.copy(order="C")
    arr.setflags(write=False)
    return arr


def check_scalar(name: str, value, **kw) -> float:
    """Validate a scalar parameter (same checks as :func:`check_array`)."""
    arr = check_array(name, value, **kw)
    if arr.ndim != 0:
        raise ParameterError(f"{name} must be a scalar, got shape {arr.shape}")
    return float(arr)


def summary_repr(obj) -> str:
    """``Name(field=value, ...)`` with arrays summarised (shape, range), readable for any size."""
    parts = []
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, np.ndarray) and v.size > 4:
            if v.dtype.kind in "fiu" and v.size:
                parts.append(f"{f.name}=<{v.size} values in [{v.min():.4g}, {v.max():.4g}]>")
            else:
                parts.append(f"{f.name}=<array {v.shape}>")
        elif isinstance(v, np.ndarray):
            parts.append(f"{f.name}={v.tolist()!r}")
        elif isinstance(v, tuple) and len(v) > 4:
            parts.append(f"{f.name}=<{len(v)} items>")
        else:
            parts.append(f"{f.name}={v!r}")
    return f"{type(obj).__name__}({', '.join(parts)})"


@dataclasses.dataclass(frozen=True, repr=False)
class ModelParams:
    """Base of the frozen parameter dataclasses.

    Subclasses validate values in ``__post_init__`` (finite, ranges) and shapes
    against a wiring in :meth:`Model.bind`. Per-neuron parameters may be given as
    scalars (broadcast) or ``(n_neurons,)`` arrays in wiring order; per-synapse
    parameters as ``(nnz,)`` arrays in the CSR order of ``wiring.chemical``
    (``W[pre, post]``, row-major) or ``wiring.electrical``.
    """

    def replace(self, **changes) -> "ModelParams":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict:
        """Field name -> value (arrays as given)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __repr__(self) -> str:
        return summary_repr(self)


class Model(ABC):
    """Base class of neuron models.

    Class attributes
    ----------------
    name : str
        Registry name (``"ctrnn"``, ``"graded"``...).
    state_names : tuple of str
        State variables, in the order of the state vector blocks.
    state_units : tuple of str
        Unit of each state variable (``"mV"``, ``"1"``...).
    params_type : type
        The model's :class:`ModelParams` subclass.
    input_units : str
        Unit of the external drive (``"pA"`` for current-driven models).
    has_vector_field : bool
        False for closed-form models (CfC), which only sequence solvers step.
    time_units : str
        ``"ms"`` for biophysical models (spans under 1 ms then warn that seconds
        were probably meant); ``"1"`` where time counts samples (liquid networks).
    """

    name: ClassVar[str] = ""
    state_names: ClassVar[tuple] = ()
    state_units: ClassVar[tuple] = ()
    params_type: ClassVar[type] = ModelParams
    input_units: ClassVar[str] = "pA"
    has_vector_field: ClassVar[bool] = True
    time_units: ClassVar[str] = "ms"

    # -- required -----------------------------------------------------------------
    @abstractmethod
    def default_params(self, wiring) -> ModelParams:
        """Parameters used when a circuit is built without explicit ones."""

    @abstractmethod
    def kernel_params(self, circuit) -> Any:
        """A model-specific NamedTuple of contiguous arrays for the compiled ``rhs``."""

    def default_initial_state(self, circuit) -> np.ndarray:
        """Initial state ``(n_vars * n_neurons,)`` when none is given (default: zeros)."""
        return np.zeros(self.n_state(circuit.wiring))

    # -- optional hooks -----------------------------------------------------------
    def bind(self, params: ModelParams, wiring) -> ModelParams:
        """Check `params` against `wiring` (shapes) and return them, broadcast if needed.

        Raises
        ------
        ParameterError
            Wrong type or shape.
        """
        if not isinstance(params, self.params_type):
            raise ParameterError(
                f"{type(self).__name__} needs {self.params_type.__name__}, got {type(params).__name__}")
        return params

    def default_solver(self):
        """Solver used when :func:`~circuitsim.simulate` gets none (None: ``Dopri5()``).

        Stiff models return a stiff solver here.
        """
        return None

    def named_initial_state(self, circuit, name: str) -> np.ndarray:
        """An initial state given by name (``Circuit(..., y0="rest")``); models add their own names.

        Raises
        ------
        ParameterError
            An unknown name.
        """
        if name in ("default", "rest"):
            return self.default_initial_state(circuit)
        raise ParameterError(f"unknown initial state {name!r} for the {self.name!r} model; "
                             f"give an array or one of {self.initial_state_names}")

    initial_state_names: ClassVar[tuple] = ("default",)

    def on_drive(self, params, wiring, drive):
        """Parameters of a circuit whose drive changes (default: unchanged).

        Models whose parameters are derived from the input they receive (the graded
        network's thresholds) update them here, so a circuit's drive is given once.
        """
        return params

    def display(self, circuit) -> Display:
        """The quantity pictures show by default (default: the first state variable as it is)."""
        return Display(self.state_names[0], self.state_names[0], self.state_units[0] if self.state_units else "")

    # -- compact storage (Circuit(precision="float32")) ----------------------------------
    #: kernel-parameter fields holding one float per synapse or gap junction
    synapse_value_fields: ClassVar[tuple] = ()
    #: kernel-parameter fields holding one neuron index per synapse or gap junction
    synapse_index_fields: ClassVar[tuple] = ()

    def compact_kernel_params(self, kp):
        """`kp` with :attr:`synapse_value_fields` as float32 and :attr:`synapse_index_fields` as int32.

        Compiled kernels are generic over these dtypes (numba compiles one
        specialisation per dtype); arithmetic stays in float64.
        """
        if not (self.synapse_value_fields or self.synapse_index_fields):
            raise ParameterError(f"the {self.name!r} model has no compact (float32) storage; use precision='float64'")
        d = kp._asdict()
        for name in self.synapse_value_fields:
            d[name] = np.ascontiguousarray(d[name], dtype=np.float32)
        for name in self.synapse_index_fields:
            a = d[name]
            if a.size and int(a.max()) >= 2**31:  # pragma: no cover - beyond 2**31 neurons
                continue
            d[name] = np.ascontiguousarray(a, dtype=np.int32)
        return type(kp)(**d)

    # -- stiff solvers (optional) -----------------------------------------------------
    def jacobian_pattern(self, kp):
        """Structural non-zeros ``(rows, cols)`` of ``J = df/dy`` (state indices), or None.

        A model that returns a pattern here and registers a compiled
        :func:`circuitsim._kernels.jacobian.jac_values` for its kernel parameters
        (writing ``J[rows[k], cols[k]]`` into ``vals[k]``) runs under
        :class:`~circuitsim.Rosenbrock` with a sparse LU.
        """
        return None

    def stiff_tolerances(self):
        """Default ``(rtol, atol)`` of stiff solvers for this model (scalars or dicts per variable)."""
        return 1e-6, 1e-9

    def missing_stiff_hooks(self, linear: str = "auto") -> str:
        """What the model lacks to run under Rosenbrock with `linear` ("" if nothing)."""
        if linear == "iterative":
            return "only the graded network has an iterative linear solver (use linear='direct')"
        if type(self).jacobian_pattern is Model.jacobian_pattern:
            return "it defines no jacobian_pattern() and no compiled jac_values"
        return ""

    def linear_structure(self, circuit, linear: str = "auto"):
        """The structure the Rosenbrock step solves its linear systems with (a NamedTuple).

        Default: a sparse LU of ``I / (h gamma) - J`` on the pattern of
        :meth:`jacobian_pattern`, computed once per pattern.
        """
        from ..solvers.sparse_lu import jacobian_linear

        kp = circuit.kernel_params()
        rows, cols = self.jacobian_pattern(kp)
        return jacobian_linear(circuit.n_state, rows, cols)

    def input_names(self, wiring) -> tuple:
        """Names of the input channels, in the order of the input vector ``u``.

        Current-driven models take one channel per neuron (the default).
        """
        return tuple(wiring.neurons)

    # -- derived ------------------------------------------------------------------
    @property
    def n_vars(self) -> int:
        """Number of state variables per neuron."""
        return len(self.state_names)

    def n_state(self, wiring) -> int:
        """Length of the flat state vector."""
        return self.n_vars * wiring.n

    def units(self) -> dict:
        """State variable -> unit."""
        return dict(zip(self.state_names, self.state_units))

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


_MODELS: dict = {}


def _import_shipped_models() -> None:
    """Import every module of this package, so their ``@register_model`` classes register."""
    import importlib
    import pkgutil

    package = __name__.rsplit(".", 1)[0]
    for info in pkgutil.iter_modules(__import__(package, fromlist=["_"]).__path__):
        if not info.name.startswith("_") and info.name != "base":
            importlib.import_module(f"{package}.{info.name}")


def register_model(cls):
    """Class decorator: make a model constructible by name (``Circuit(w, "ctrnn")``)."""
    _MODELS[cls.name] = cls
    return cls


def get_model(model) -> Model:
    """A model instance from an instance or a registered name."""
    if isinstance(model, Model):
        return model
    if isinstance(model, str):
        if model not in _MODELS:
            _import_shipped_models()
        if model in _MODELS:
            return _MODELS[model]()
        from connectome.errors import close_matches
        near = close_matches(model, _MODELS)
        hint = f"; did you mean {', '.join(map(repr, near))}?" if near else f"; known: {sorted(_MODELS)}"
        raise ParameterError(f"unknown model {model!r}{hint}")
    raise ParameterError(f"model must be a Model instance or a registered name, got {type(model).__name__}")
