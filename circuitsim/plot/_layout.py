"""Where neurons go in a picture: ordering by type and class, circuit layers, soma positions.

Pure NumPy/pandas/SciPy (no matplotlib), shared by the plots and :mod:`circuitsim.widgets`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..analysis._activity import AnalysisError, MissingPositionsError

__all__ = ["COMMAND_CLASSES", "LAYERS", "SPREAD", "anatomical_positions", "layer_of", "layered_positions",
           "order_neurons", "separate"]

#: Default minimum distance between drawn somata, as a fraction of the body's length
#: (4.7 µm on the 700 µm of the packaged worm data): about one node's width in a picture of the whole body.
SPREAD = 1.0 / 150.0

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


def separate(pos, min_distance: float, tiebreak=None, *, max_iter: int = 1000) -> np.ndarray:
    """Move points apart until no two are closer than `min_distance`, each as little as possible.

    Deterministic: points at one place are first set apart vertically, centred
    on that place, in the order of `tiebreak` (then of their index); then every
    pair closer than `min_distance` is pushed apart along the line joining
    them, by half the missing distance each, averaged over a point's contacts,
    until no pair is closer than 99 % of `min_distance` (or `max_iter`
    rounds). Points that are far enough from all others do not move.

    Parameters
    ----------
    pos : array_like, shape (n, 2)
    min_distance : float
        In the units of `pos` (µm for soma positions).
    tiebreak : array_like (n,), optional
        Order of coinciding points from bottom to top (e.g. the third,
        left-right, coordinate: L/R homologues share a place in a side view).

    Returns
    -------
    ndarray, shape (n, 2)
    """
    from scipy.spatial import cKDTree

    p = np.array(pos, dtype=float).reshape(-1, 2)
    n = len(p)
    if n < 2 or not min_distance > 0:
        return p
    key = np.round(p / (1e-6 * min_distance))
    _, group, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    group = np.asarray(group).reshape(-1)
    tb = np.zeros(n) if tiebreak is None else np.nan_to_num(np.asarray(tiebreak, dtype=float), nan=0.0)
    for g in np.flatnonzero(counts > 1):
        members = np.flatnonzero(group == g)
        members = members[np.lexsort((members, tb[members]))]
        p[members, 1] += (np.arange(len(members)) - (len(members) - 1) / 2) * min_distance
    for _ in range(max_iter):
        pairs = cKDTree(p).query_pairs(0.99 * min_distance, output_type="ndarray")
        if not len(pairs):
            break
        i, j = pairs[:, 0], pairs[:, 1]
        d = p[j] - p[i]
        dist = np.hypot(d[:, 0], d[:, 1])
        same = dist == 0
        d[same], dist[same] = (0.0, 1.0), 1.0
        push = ((min_distance - dist) / (2 * dist))[:, None] * d
        move = np.zeros_like(p)
        np.add.at(move, i, -push)
        np.add.at(move, j, push)
        contacts = np.bincount(np.r_[i, j], minlength=n)
        p += move / np.sqrt(np.maximum(contacts, 1))[:, None]
    return p


def anatomical_positions(names, metadata, *, axes="auto", missing: str = "error", spread=False):
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
    spread : bool or float
        Move somata apart that would overlap in the picture (:func:`separate`):
        True keeps them :data:`SPREAD` times the body's length apart (4.7 µm
        for the packaged worm data, where about 200 head somata and every
        left/right pair otherwise sit on top of each other), a number is the
        minimum distance in µm, False draws the soma positions as they are.
        Coinciding somata are set apart in the order of the third coordinate
        (left-right in the packaged data).

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
    third = xyz[:, [c for c in range(3) if cols[c] not in axes][0]]
    if ok.all():
        return _spread(pos, ok, third, spread), ok, tuple(axes)
    bad = [nm for nm, good in zip(names, ok) if not good]
    if missing == "error":
        raise MissingPositionsError(bad, len(names))
    if missing == "drop":
        warnings.warn(f"{len(bad)} neurons without soma position left out: {bad[:10]}", stacklevel=3)
        return _spread(pos[ok], ok[ok], third[ok], spread), ok, tuple(axes)
    warnings.warn(f"{len(bad)} neurons without soma position drawn in a row below the body: {bad[:10]}",
                  stacklevel=3)
    if ok.any():
        lo, hi = pos[ok, 0].min(), pos[ok, 0].max()
        below = pos[ok, 1].min() - 0.15 * max(np.ptp(pos[ok, 1]), 1.0)
    else:
        lo, hi, below = 0.0, 1.0, 0.0
    pos[~ok, 0] = np.linspace(lo, hi, len(bad)) if len(bad) > 1 else (lo + hi) / 2
    pos[~ok, 1] = below
    return _spread(pos, ok, third, spread), np.ones(len(names), bool), tuple(axes)


def _spread(pos, ok, third, spread):
    """:func:`separate` with the minimum distance `spread` asks for (body length from the placed somata)."""
    if spread is False or spread is None:
        return pos
    if spread is True:
        placed = pos[ok] if ok.any() else pos
        dist = SPREAD * float(np.ptp(placed[:, 0])) if len(placed) > 1 else 0.0
    else:
        dist = float(spread)
        if not (np.isfinite(dist) and dist >= 0):
            raise AnalysisError(f"spread must be True, False or a distance >= 0 (µm), got {spread!r}")
    return separate(pos, dist, tiebreak=third)
