"""What a fit may change: multiplicative scales of a graded circuit's parameters, and sign flips."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import ParameterError

__all__ = ["GLOBAL_PARAMETERS", "FitParameters", "FitSpace", "split_stimulated"]

#: global scale -> (GradedParams field, exponent applied to the scale)
GLOBAL_PARAMETERS = {"g_syn": ("g_syn", 1.0), "g_gap": ("g_gap", 1.0), "beta": ("beta", 1.0),
                     "tau_rise": ("a_r", -1.0), "tau_decay": ("a_d", -1.0)}


def _close(name, known):
    from connectome.errors import close_matches

    hits = close_matches(str(name), known)
    return f"; did you mean {', '.join(repr(h) for h in hits)}?" if hits else f"; known: {sorted(known)}"


@dataclasses.dataclass(frozen=True)
class FitParameters:
    """Scales (and sign flips) applied to a graded circuit.

    Parameters
    ----------
    scales : dict
        ``{name: factor}`` for names of :data:`GLOBAL_PARAMETERS` (missing: 1).
    class_column : str, optional
        Metadata column naming each neuron's class (needed by the two below).
    class_scales : dict
        ``{class: factor}``: outgoing chemical synapses of neurons of that class.
    flipped : tuple of str
        Classes whose outgoing chemical synapses change sign.

    Raises
    ------
    ParameterError
        Unknown names, or factors that are not finite and positive (NaN included).
    """

    scales: dict = dataclasses.field(default_factory=dict)
    class_column: str | None = None
    class_scales: dict = dataclasses.field(default_factory=dict)
    flipped: tuple = ()

    def __post_init__(self):
        scales = {}
        for name, value in dict(self.scales).items():
            if name not in GLOBAL_PARAMETERS:
                raise ParameterError(f"unknown fit parameter {name!r}{_close(name, GLOBAL_PARAMETERS)}")
            scales[name] = _positive(f"scale of {name}", value)
        object.__setattr__(self, "scales", scales)
        object.__setattr__(self, "class_scales", {str(k): _positive(f"scale of class {k!r}", v)
                                                  for k, v in dict(self.class_scales).items()})
        object.__setattr__(self, "flipped", tuple(str(x) for x in self.flipped))
        if (self.class_scales or self.flipped) and not self.class_column:
            raise ParameterError("class scales or flips need class_column (a wiring metadata column)")

    def apply(self, circuit):
        """The circuit with these scales applied, starting from its new rest.

        Raises
        ------
        ParameterError
            A non-graded circuit, or classes missing from its metadata column.
        """
        from ..models.graded import Graded

        if not isinstance(circuit.model, Graded):
            raise ParameterError(f"fit parameters apply to the graded network, got {circuit.model.name!r}")
        p = circuit.params
        changes = {}
        for name, factor in self.scales.items():
            field, power = GLOBAL_PARAMETERS[name]
            changes[field] = getattr(p, field) * factor ** power
        wiring = circuit.wiring
        if self.class_scales or self.flipped:
            wiring = _reweighted(wiring, self.class_column, self.class_scales, self.flipped)
        return circuit.replace(wiring=wiring, params=p.replace(**changes), y0=None)

    def to_dict(self) -> dict:
        """JSON-ready form (:meth:`from_dict` reads it back)."""
        return {"scales": dict(self.scales), "class_column": self.class_column,
                "class_scales": dict(self.class_scales), "flipped": list(self.flipped)}

    @classmethod
    def from_dict(cls, d) -> "FitParameters":
        """Inverse of :meth:`to_dict` (validated like the constructor)."""
        return cls(d.get("scales", {}), d.get("class_column"), d.get("class_scales", {}), tuple(d.get("flipped", ())))


def _positive(label, value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{label} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ParameterError(f"{label} must be finite and > 0, got {value!r}")
    return v


def _class_of(wiring, column):
    meta = wiring.metadata
    if column not in meta.columns:
        raise ParameterError(f"the wiring's metadata has no column {column!r}{_close(column, list(meta.columns))}")
    return meta[column].astype(object).where(meta[column].notna(), "").astype(str).to_numpy()


def _reweighted(wiring, column, class_scales, flipped):
    import scipy.sparse as sp

    cls = _class_of(wiring, column)
    present = set(cls)
    for name in [*class_scales, *flipped]:
        if name not in present:
            raise ParameterError(f"no neuron of class {name!r} in column {column!r}"
                                 f"{_close(name, sorted(present - {''}))}")
    factor = np.array([class_scales.get(c, 1.0) for c in cls])
    flip = np.array([-1.0 if c in flipped else 1.0 for c in cls])
    chem = sp.diags_array(factor) @ wiring.chemical      # rows are presynaptic
    sign = sp.diags_array(flip) @ wiring.sign
    return dataclasses.replace(wiring, chemical=chem, sign=sign)


@dataclasses.dataclass(frozen=True, kw_only=True)
class FitSpace:
    """Which parameters are free, and their bounds (log scale).

    Parameters
    ----------
    parameters : tuple of str
        Global scales (names of :data:`GLOBAL_PARAMETERS`).
    bounds : (float, float)
        Range of every scale factor (e.g. 0.1 to 10).
    class_column : str, optional
        Wiring metadata column of the classes below.
    classes : tuple of str
        Classes whose outgoing chemical synapses get a scale.
    flip : tuple of str
        Classes whose synapse sign is free (kept when the variable is >= 0).
    """

    parameters: tuple = tuple(GLOBAL_PARAMETERS)
    bounds: tuple = (0.1, 10.0)
    class_column: str | None = None
    classes: tuple = ()
    flip: tuple = ()

    def __post_init__(self):
        for name in self.parameters:
            if name not in GLOBAL_PARAMETERS:
                raise ParameterError(f"unknown fit parameter {name!r}{_close(name, GLOBAL_PARAMETERS)}")
        lo, hi = (float(b) for b in self.bounds)
        if not (0 < lo < 1 < hi and math.isfinite(hi)):
            raise ParameterError(f"bounds must satisfy 0 < low < 1 < high, got {self.bounds!r}")
        object.__setattr__(self, "bounds", (lo, hi))
        for f in ("parameters", "classes", "flip"):
            object.__setattr__(self, f, tuple(str(x) for x in getattr(self, f)))
        if (self.classes or self.flip) and not self.class_column:
            raise ParameterError("classes and flip need class_column (a wiring metadata column)")
        if not self.names:
            raise ParameterError("the fit space has no free parameter")

    @property
    def names(self) -> tuple:
        """Names of the search vector's entries (``scale:<class>``, ``flip:<class>`` for class parameters)."""
        return (*self.parameters, *(f"scale:{c}" for c in self.classes), *(f"flip:{c}" for c in self.flip))

    @property
    def dim(self) -> int:
        """Length of the search vector."""
        return len(self.names)

    def box(self):
        """Lower and upper bounds of the search vector (log scales; flips in [-1, 1])."""
        n_log = len(self.parameters) + len(self.classes)
        lo = np.r_[np.full(n_log, math.log(self.bounds[0])), -np.ones(len(self.flip))]
        hi = np.r_[np.full(n_log, math.log(self.bounds[1])), np.ones(len(self.flip))]
        return lo, hi

    def start(self):
        """The published model: every log scale 0, every flip variable +0.5 (sign kept)."""
        return np.r_[np.zeros(len(self.parameters) + len(self.classes)), 0.5 * np.ones(len(self.flip))]

    def decode(self, x) -> FitParameters:
        """Search vector -> :class:`FitParameters`."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape != (self.dim,):
            raise ParameterError(f"the search vector must have shape ({self.dim},), got {x.shape}")
        if not np.isfinite(x).all():
            raise ParameterError(f"the search vector must be finite, got {x.tolist()}")
        k = len(self.parameters)
        m = k + len(self.classes)
        return FitParameters({n: math.exp(v) for n, v in zip(self.parameters, x[:k])}, self.class_column,
                             {c: math.exp(v) for c, v in zip(self.classes, x[k:m])},
                             tuple(c for c, v in zip(self.flip, x[m:]) if v < 0))

    def to_dict(self) -> dict:
        """JSON-ready form (the keyword arguments of the constructor)."""
        return {f.name: list(getattr(self, f.name)) if isinstance(getattr(self, f.name), tuple)
                else getattr(self, f.name) for f in dataclasses.fields(self)}


def split_stimulated(stimulated, holdout: float = 0.2, seed: int = 0):
    """Random split of stimulated neurons into (train, test), `holdout` of them held out.

    Returns
    -------
    train, test : tuple of str
        Each in the order of `stimulated`.
    """
    names = list(getattr(stimulated, "stimulated", stimulated))
    if not 0 < holdout < 1:
        raise ParameterError(f"holdout must be in (0, 1), got {holdout!r}")
    rng = np.random.default_rng(seed)
    n_test = max(1, int(round(holdout * len(names))))
    test = set(rng.choice(len(names), n_test, replace=False).tolist())
    return (tuple(n for k, n in enumerate(names) if k not in test), tuple(n for k, n in enumerate(names) if k in test))
