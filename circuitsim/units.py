"""Units: numbers are ms and pA (the package's unit system); strings may say their unit.

Everywhere a time or a current is given, ``"530 ms"``, ``"0.53 s"``, ``"2 nA"`` and
``"2000 pA"`` are accepted and converted; a plain number is in the package's unit (ms,
pA, or the model's input unit). Implausible magnitudes, such as a 3 ms simulation or a
2 pA stimulus into the worm model (which the authors drive with 2 nA), give a
:class:`UnitWarning` naming the likely slip.
"""

from __future__ import annotations

import re

import numpy as np

from .errors import ParameterError

__all__ = ["as_time", "as_current", "UnitWarning", "TIME_UNITS", "CURRENT_UNITS"]

#: time units -> ms
TIME_UNITS = {"ms": 1.0, "s": 1000.0, "sec": 1000.0, "min": 60_000.0, "us": 1e-3, "µs": 1e-3}
#: current units -> pA
CURRENT_UNITS = {"pA": 1.0, "nA": 1000.0, "uA": 1e6, "µA": 1e6, "fA": 1e-3}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ]+)\s*$")


class UnitWarning(UserWarning):
    """A value whose magnitude suggests a unit slip (seconds given as ms, nA as pA)."""


def _parse(value, name, units, default):
    if isinstance(value, str):
        m = _QUANTITY.match(value)
        if not m or m.group(2) not in units:
            raise ParameterError(f"{name} must be numeric: {value!r} is not a number with a unit; write e.g. "
                                 f"'{'530 ms' if default == 'ms' else '2 nA'}' ({', '.join(units)}) or a plain "
                                 f"number in {default}")
        return float(m.group(1)) * units[m.group(2)]
    return value


def as_time(value, name: str = "time"):
    """A time in ms: numbers (and arrays) as they are, strings like ``"10 s"`` converted."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
        return type(value)(_parse(v, name, TIME_UNITS, "ms") for v in value)
    return _parse(value, name, TIME_UNITS, "ms")


def as_current(value, name: str = "amplitude"):
    """A current in pA: numbers (and arrays) as they are, strings like ``"2 nA"`` converted."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value):
        return type(value)(_parse(v, name, CURRENT_UNITS, "pA") for v in value)
    return _parse(value, name, CURRENT_UNITS, "pA")


def is_quantity(value) -> bool:
    """Whether `value` (or an element of it) is a string with a unit."""
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(v, str) for v in value)


def check_duration(t0: float, t1: float) -> None:
    """Warn when a span is shorter than 1 ms (times are in ms; seconds were probably meant)."""
    import warnings

    length = t1 - t0
    if 0 < length < 1.0:
        warnings.warn(f"the simulated span lasts {length:g} ms: times are in ms; for seconds write "
                      f"'{length:g} s' or {1000 * length:g}", UnitWarning, stacklevel=4)


def check_current_magnitude(amplitudes, where: str) -> None:
    """Warn when a non-zero current is below 10 pA in magnitude (nA meant?)."""
    import warnings

    a = np.abs(np.asarray(amplitudes, dtype=np.float64))
    small = a[(a > 0) & (a < 10)]
    if small.size:
        warnings.warn(f"{where}: a current of {float(small[0]):g} pA is tiny for this model (currents are in pA; the "
                      f"published experiment uses 2 nA = 2000 pA); write '{float(small[0]):g} nA' if nA were meant",
                      UnitWarning, stacklevel=5)
