"""Result-like objects that are not circuitsim Results (duck typing): wiring, variable and dense output.

Anything with ``.t``, ``obj[var]`` (time-major) and, optionally, ``.neurons``,
``.at(t)``, ``.wiring`` or ``.circuit.wiring`` can be read as activity.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import AnalysisError

__all__ = ["result_dense", "result_var", "result_wiring"]


def result_wiring(result):
    w = getattr(result, "wiring", None)
    if w is None:
        circ = getattr(result, "circuit", None)
        w = getattr(circ, "wiring", None)
    return w


def result_var(result, var):
    if var is not None:
        return str(var)
    for attr in ("state_names", "variables", "var_names"):
        names = getattr(result, attr, None)
        if names:
            return str(tuple(names)[0])
    return "V"


def result_dense(result, var: str, n: int, var_index: int):
    at = getattr(result, "at", None)
    if at is None or ("dense" in dir(result) and getattr(result, "dense", None) is None):
        return None  # no continuous extension stored: linear interpolation between samples

    import inspect

    try:
        by_variable = "variable" in inspect.signature(at).parameters
    except (TypeError, ValueError):
        by_variable = False

    def dense(tq):
        out = at(tq, variable=var) if by_variable else at(tq)
        if isinstance(out, Mapping) or (hasattr(out, "__getitem__") and not isinstance(out, np.ndarray)):
            out = out[var]
        out = np.asarray(out, dtype=float)
        if out.shape[-1] == n:
            return out
        if out.shape[-1] % n == 0:  # full state vector, variable-major
            return out[..., var_index * n:(var_index + 1) * n]
        raise AnalysisError(f"dense output has shape {out.shape}; expected (..., {n}) for variable {var!r}")

    return dense
