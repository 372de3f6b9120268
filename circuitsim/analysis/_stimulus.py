"""Stimulus descriptions read into on/off intervals (ms) for markers and response analysis."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["parse_stimulus", "stimulus_intervals"]


def parse_stimulus(stim) -> tuple:
    """Normalise a stimulus description into ``((start, stop, label), ...)``."""
    if stim is None:
        return ()
    if isinstance(stim, (int, float, np.floating, np.integer)):
        return ((float(stim), float(stim), "stimulus"),)
    if isinstance(stim, pd.DataFrame):
        cols = {c.lower(): c for c in stim.columns}
        start = cols.get("start", cols.get("t_on", cols.get("on")))
        stop = cols.get("stop", cols.get("t_off", cols.get("off", cols.get("end"))))
        if start is None:
            raise AnalysisError(f"a stimulus table needs a 'start' column, has {list(stim.columns)}")
        label = cols.get("label", cols.get("neuron", cols.get("target")))
        out = []
        for _, row in stim.iterrows():
            s0 = float(row[start])
            s1 = float(row[stop]) if stop is not None and pd.notna(row[stop]) else s0
            out.append((s0, s1, str(row[label]) if label is not None else "stimulus"))
        return tuple(out)
    if isinstance(stim, Mapping):
        if "kind" in stim:  # a circuitsim.inputs stimulus description
            return _describe_intervals(stim)
        if "start" in stim or "t_on" in stim:
            s0 = float(stim.get("start", stim.get("t_on")))
            s1 = float(stim.get("stop", stim.get("t_off", s0)))
            return ((s0, s1, str(stim.get("label", stim.get("neurons", "stimulus")))),)
        if "intervals" in stim:
            return parse_stimulus(list(stim["intervals"]))
        raise AnalysisError(f"cannot read a stimulus from keys {sorted(stim)}; give 'start' and 'stop' (ms)")
    for attr in ("intervals", "stimulus_intervals"):
        if hasattr(stim, attr):
            val = getattr(stim, attr)
            return parse_stimulus(val() if callable(val) else val)
    if hasattr(stim, "to_frame") and callable(stim.to_frame):
        return parse_stimulus(stim.to_frame())
    if isinstance(stim, (list, tuple)):
        if len(stim) == 0:
            return ()
        if len(stim) in (2, 3) and all(isinstance(v, (int, float, np.floating, np.integer)) for v in stim[:2]):
            label = str(stim[2]) if len(stim) == 3 else "stimulus"
            return ((float(stim[0]), float(stim[1]), label),)
        out = []
        for item in stim:
            out.extend(parse_stimulus(item))
        return tuple(out)
    raise AnalysisError(f"cannot read a stimulus from {type(stim).__name__}; give (start, stop) in ms")


def _describe_intervals(d: Mapping) -> tuple:
    """Intervals of one ``Stimulus.describe()`` dict (constant drives have none)."""
    neurons = list(d.get("neurons", []))
    label = ", ".join(map(str, neurons[:4])) + (", ..." if len(neurons) > 4 else "") or "stimulus"
    kind = d["kind"]
    if kind == "step":
        return ((float(d["at"]), float(d["at"]), label),)
    if kind == "pulse":
        count = int(d.get("count", 1) or 1)
        period = float(d.get("period") or 0.0)
        start, dur = float(d["start"]), float(d["duration"])
        return tuple((start + j * period, start + j * period + dur, label) for j in range(count))
    if kind == "samples":
        times = np.asarray(d.get("times", []), dtype=float)
        if not len(times):
            return ()
        start, stop = float(times[0]), float(times[-1])
        values = d.get("values")
        if values is not None and len(values):  # the first and last samples are held beyond the samples
            first, last = np.asarray(values[0], dtype=float), np.asarray(values[-1], dtype=float)
            start = -np.inf if np.any(first != 0) else start
            stop = np.inf if np.any(last != 0) else stop
        return ((start, stop, label),)
    return ()  # constant (always on) or unknown kinds: nothing to mark


def stimulus_intervals(act) -> list:
    """The stimulus intervals ``[(start, stop, label), ...]`` of `act`, sorted by start."""
    return sorted(act.stimulus, key=lambda s: s[0])

