"""Per-neuron differences between two runs (e.g. intact vs ablated)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import UnknownNeuronError
from ._activity import AnalysisError, as_activity
from ._common import time_weights

__all__ = ["compare"]


def compare(a, b, *, var: str | None = None, neurons=None, labels=("a", "b"), start=None,
            stop=None) -> pd.DataFrame:
    """Per-neuron differences between two runs (e.g. intact vs ablated).

    Both runs are compared on the sample times of `a` inside the common time
    span, `b` being evaluated there through its dense output (or linear
    interpolation for plain arrays). Neurons present in only one run (ablated
    ones) are listed with NaN differences.

    Parameters
    ----------
    a, b : Result, DataFrame or Activity
        The two runs (arrays must first be wrapped with :func:`as_activity`).
    var : str, optional
        State variable compared (default: the first one, ``"V"`` for the
        graded network). Unlike the pictures, the comparison reads the state
        itself by default: two circuits (intact and ablated) have different
        display offsets (thresholds), and a difference of ``V - Vth`` would mix
        them into the change of activity. ``var="display"`` compares the
        display quantities.
    labels : (str, str)
        Names used in the column labels, e.g. ``("intact", "ablated")``.
    start, stop : float, optional
        Restrict the comparison window (ms).

    Returns
    -------
    DataFrame indexed by neuron (union, `a`'s order first), sorted by
    ``rms_diff`` (largest first), with columns ``in_<a>``, ``in_<b>``,
    ``mean_<a>``, ``mean_<b>``, ``mean_diff`` (b - a), ``rms_diff``,
    ``max_abs_diff``, ``peak_<a>``, ``peak_<b>`` and ``corr``.
    """
    la, lb = (str(x) for x in labels)
    if la == lb:
        raise AnalysisError(f"labels must differ, got {labels!r}")
    A = as_activity(a, var=var, default="state")
    B = as_activity(b, var=var, default="state")
    lo = max(A.t[0], B.t[0]) if start is None else float(start)
    hi = min(A.t[-1], B.t[-1]) if stop is None else float(stop)
    if not lo < hi:
        raise AnalysisError(f"the two runs share no time span: a covers [{A.t[0]}, {A.t[-1]}] ms, "
                            f"b covers [{B.t[0]}, {B.t[-1]}] ms (window [{lo}, {hi}])")
    A.check_span(lo), A.check_span(hi), B.check_span(lo), B.check_span(hi)
    keep = (A.t >= lo) & (A.t <= hi)
    tt = A.t[keep]
    if neurons is None:
        union = list(A.neurons) + [n for n in B.neurons if n not in set(A.neurons)]
    else:
        union = []
        for nm in neurons:
            if nm in A.neurons or nm in B.neurons:
                union.append(nm)
            else:
                raise UnknownNeuronError(nm, sorted(set(A.neurons) | set(B.neurons)), where="either run")
    xa_all = A.values[keep]
    xb_all = B.at(tt)
    w = time_weights(tt)
    rows = []
    ia = {n: i for i, n in enumerate(A.neurons)}
    ib = {n: i for i, n in enumerate(B.neurons)}
    for nm in union:
        xa = xa_all[:, ia[nm]] if nm in ia else None
        xb = xb_all[:, ib[nm]] if nm in ib else None
        row = {"neuron": nm, f"in_{la}": xa is not None, f"in_{lb}": xb is not None,
               f"mean_{la}": w @ xa if xa is not None else np.nan,
               f"mean_{lb}": w @ xb if xb is not None else np.nan,
               f"peak_{la}": xa[np.argmax(np.abs(xa))] if xa is not None else np.nan,
               f"peak_{lb}": xb[np.argmax(np.abs(xb))] if xb is not None else np.nan}
        if xa is not None and xb is not None:
            d = xb - xa
            row.update(mean_diff=w @ d, rms_diff=np.sqrt(w @ d**2), max_abs_diff=np.abs(d).max())
            sa, sb = xa.std(), xb.std()
            row["corr"] = float(np.corrcoef(xa, xb)[0, 1]) if sa > 0 and sb > 0 else np.nan
        else:
            row.update(mean_diff=np.nan, rms_diff=np.nan, max_abs_diff=np.nan, corr=np.nan)
        rows.append(row)
    cols = ["neuron", f"in_{la}", f"in_{lb}", f"mean_{la}", f"mean_{lb}", "mean_diff", "rms_diff",
            "max_abs_diff", f"peak_{la}", f"peak_{lb}", "corr"]
    out = pd.DataFrame(rows)[cols].set_index("neuron")
    return out.sort_values("rms_diff", ascending=False, na_position="last", kind="stable")
