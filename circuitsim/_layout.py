"""Where neurons go in a picture: ordering by type and class, circuit layers, soma positions.

Pure NumPy/pandas (no matplotlib), shared by :mod:`circuitsim.plot` and
:mod:`circuitsim.widgets`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._activity import AnalysisError, MissingPositionsError

__all__ = ["COMMAND_CLASSES", "LAYERS", "anatomical_positions", "layer_of", "layered_positions", "order_neurons"]

# The layers of the layered drawing, from input to output, and the command
# interneuron classes (AVA, AVB, AVD, AVE, PVC) drawn in their own layer: the
# same definitions as connectome.layered, which derives layered wirings.
from connectome.layered import COMMAND_CLASSES, LAYERS  # noqa: E402

_TYPE_TO_LAYER = {"sensory": "sensory", "interneuron": "inter", "inter": "inter", "command": "command",
                  "motor": "motor"}


def _metadata_column(meta, names, col):
    if meta is None or col not in meta:
        return [None] * len(names)
    vals = meta[col].reindex(list(names))
    return [None if pd.isna(v) else v for v in vals]


def layer_of(names, metadata=None, inputs=(), outputs=()) -> list[str]:
    """Layer (one of :data:`LAYERS`) of every neuron.

    In order of precedence: a ``layer`` column of the metadata (e.g. set by
    a derived NCP-style wiring); the ``type`` column with command interneuron
    classes (:data:`COMMAND_CLASSES`) moved to ``"command"``; wiring inputs
    (``"sensory"``) and outputs (``"motor"``). Everything else, including
    pharyngeal and unclassified neurons, is ``"inter"``.
    """
    names = list(names)
    layer_col = _metadata_column(metadata, names, "layer")
    type_col = _metadata_column(metadata, names, "type")
    class_col = _metadata_column(metadata, names, "class")
    inputs, outputs = set(inputs), set(outputs)
    out = []
    for nm, lay, typ, cls in zip(names, layer_col, type_col, class_col):
        lay = None if lay is None else str(lay).lower()
        if lay in _TYPE_TO_LAYER:
            out.append(_TYPE_TO_LAYER[lay])
        elif cls in COMMAND_CLASSES:
            out.append("command")
        elif typ is not None and str(typ).lower() in _TYPE_TO_LAYER:
            out.append(_TYPE_TO_LAYER[str(typ).lower()])
        elif nm in inputs:
            out.append("sensory")
        elif nm in outputs:
            out.append("motor")
        else:
            out.append("inter")
    return out


def order_neurons(names, metadata=None, inputs=(), outputs=()) -> tuple[np.ndarray, list[str]]:
    """Order neurons by layer (sensory, inter, command, motor), then class, then name.

    Returns
    -------
    order : ndarray of int, shape (n,)
        Positions into `names`, in drawing order.
    layers : list of str
        The layer of each neuron in drawing order.
    """
    names = list(names)
    layers = layer_of(names, metadata, inputs, outputs)
    classes = _metadata_column(metadata, names, "class")
    rank = {lay: i for i, lay in enumerate(LAYERS)}
    keys = [(rank[lay], str(cls if cls is not None else nm), nm) for nm, lay, cls in zip(names, layers, classes)]
    order = np.array(sorted(range(len(names)), key=lambda i: keys[i]), dtype=np.int64)
    return order, [layers[i] for i in order]


def layered_positions(names, metadata=None, inputs=(), outputs=()) -> np.ndarray:
    """Node positions ``(n, 2)`` of a layered circuit: x = layer index, y spread within the layer.

    Within a layer neurons are ordered by class and name, centred on y = 0 and
    spaced so that the fullest layer spans [-1, 1].
    """
    names = list(names)
    order, layers = order_neurons(names, metadata, inputs, outputs)
    pos = np.zeros((len(names), 2))
    counts = {lay: layers.count(lay) for lay in LAYERS}
    widest = max(max(counts.values()), 2)
    seen = dict.fromkeys(LAYERS, 0)
    for i, lay in zip(order, layers):
        k = seen[lay]
        seen[lay] += 1
        m = counts[lay]
        pos[i] = LAYERS.index(lay), (k - (m - 1) / 2) * 2.0 / (widest - 1)
    return pos


def anatomical_positions(names, metadata, *, axes="auto", missing: str = "error"):
    """Soma positions ``(n, 2)`` projected on two body axes.

    Parameters
    ----------
    names : sequence of str
    metadata : DataFrame
        Must have columns ``x, y, z`` (micrometres).
    axes : "auto" or (str, str)
        Columns for horizontal and vertical. ``"auto"``: the coordinate with the
        largest range (the anterior-posterior body axis, ``y`` in the packaged
        data) horizontally, the next largest (dorsal-ventral, ``z``) vertically.
    missing : {"error", "drop", "row"}
        Neurons without a position: raise :class:`MissingPositionsError`
        naming them; leave them out (with a warning); or line them up in a row
        below the body (with a warning).

    Returns
    -------
    pos : ndarray, shape (n_kept, 2)
    kept : ndarray of bool, shape (n,)
        Which neurons have a place in `pos` (all but dropped ones).
    axes : (str, str)
        The columns used.
    """
    names = list(names)
    if missing not in ("error", "drop", "row"):
        raise AnalysisError(f"missing must be 'error', 'drop' or 'row', got {missing!r}")
    cols = ("x", "y", "z")
    if metadata is None or not all(c in metadata for c in cols):
        have = [] if metadata is None else list(metadata.columns)
        if missing == "error":
            raise AnalysisError(
                f"anatomical layout needs soma positions: metadata columns x, y, z are missing (have {have}); "
                "use layout='layered', or missing='row'")
        xyz = np.full((len(names), 3), np.nan)
    else:
        xyz = metadata.reindex(names)[list(cols)].to_numpy(dtype=float)
    ok = np.all(np.isfinite(xyz), axis=1)
    if axes == "auto":
        if ok.sum() >= 2:
            ranges = np.ptp(xyz[ok], axis=0)
            first, second = np.argsort(-ranges, kind="stable")[:2]
        else:
            first, second = 1, 2
        axes = (cols[first], cols[second])
    if len(axes) != 2 or any(a not in cols for a in axes):
        raise AnalysisError(f"axes must be 'auto' or two of 'x', 'y', 'z'; got {axes!r}")
    pos = xyz[:, [cols.index(axes[0]), cols.index(axes[1])]]
    if ok.all():
        return pos, ok, tuple(axes)
    bad = [nm for nm, good in zip(names, ok) if not good]
    if missing == "error":
        raise MissingPositionsError(bad, len(names))
    if missing == "drop":
        warnings.warn(f"{len(bad)} neurons without soma position left out: {bad[:10]}", stacklevel=3)
        return pos[ok], ok, tuple(axes)
    warnings.warn(f"{len(bad)} neurons without soma position drawn in a row below the body: {bad[:10]}",
                  stacklevel=3)
    if ok.any():
        lo, hi = pos[ok, 0].min(), pos[ok, 0].max()
        below = pos[ok, 1].min() - 0.15 * max(np.ptp(pos[ok, 1]), 1.0)
    else:
        lo, hi, below = 0.0, 1.0, 0.0
    pos[~ok, 0] = np.linspace(lo, hi, len(bad)) if len(bad) > 1 else (lo + hi) / 2
    pos[~ok, 1] = below
    return pos, np.ones(len(names), bool), tuple(axes)
