"""Class-level activity: the members of a class (AVAL, AVAR -> AVA) combined at every time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._activity import Activity, AnalysisError, as_activity

__all__ = ["aggregate_classes"]


def aggregate_classes(data, how: str = "mean", *, classes=None, var: str | None = None, t=None,
                      names=None) -> Activity:
    """Class-level activity: neurons of one class (AVAL, AVAR -> AVA) combined.

    Parameters
    ----------
    how : {"mean", "sum", "max", "min"}
        How members are combined at every time.
    classes : mapping or Series neuron -> class, optional
        Default: the ``class`` column of the wiring metadata. Neurons without
        a class form their own class.

    Returns
    -------
    Activity
        Columns are classes in order of first appearance; its metadata has a
        ``members`` column and the first member's ``type``.
    """
    act = as_activity(data, var=var, t=t, names=names)
    cls = act.classes(classes)
    fn = {"mean": np.mean, "sum": np.sum, "max": np.max, "min": np.min}.get(how)
    if fn is None:
        raise AnalysisError(f"how must be one of 'mean', 'sum', 'max', 'min'; got {how!r}")
    order = list(dict.fromkeys(cls))
    cls_arr = np.array(cls, dtype=object)
    vals = np.column_stack([fn(act.values[:, cls_arr == c], axis=1) for c in order])
    members = {c: tuple(n for n, k in zip(act.neurons, cls) if k == c) for c in order}
    meta = pd.DataFrame({"members": [members[c] for c in order]}, index=pd.Index(order, name="name"))
    meta["class"] = order
    if act.metadata is not None and "type" in act.metadata:
        meta["type"] = [act.metadata.loc[members[c][0], "type"] for c in order]
    dense = None
    if act.dense is not None:
        masks = [cls_arr == c for c in order]

        def dense(tq, _d=act.dense, _m=masks, _f=fn):
            x = _d(tq)
            return np.column_stack([_f(x[:, m], axis=1) for m in _m])

    return act.replace(values=vals, neurons=tuple(order), metadata=meta, source=None, members=members,
                       dense=dense)
