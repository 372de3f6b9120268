"""Compiling drives into the kernels' input table: knots, jumps and segments.

A drive is piecewise linear with jumps; the table lists its knots (a jump is two knots
at the same time) and the jump times (breaks), which split the span into segments the
solvers step through and land on. Class names expand to their neurons here (one
resolver), and a neuron driven twice by one stimulus is an error.
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, UnknownNeuronError
from .inputs import Samples, as_drive

__all__ = ["drive_knots", "build_table", "held_sequence_table"]


def drive_knots(drive, channels, wiring, t_span):
    """Knot times, values (m, n_in) and break times of `drive` strictly inside `t_span`."""
    t0, t1 = t_span
    n_in = len(channels)
    index = _channel_index(channels, wiring)
    parts = []
    for s in drive.stimuli:
        cols, take = _columns(s, index)
        ev = s.event_times()
        bad = ev[(ev < t0) | (ev > t1)]
        if len(bad):
            raise InputError(f"{type(s).__name__.lower()} on {list(s.neurons)} has time {bad[0]:g} ms outside the "
                             f"simulated span [{t0:g}, {t1:g}] ms; move it inside or trim the samples")
        parts.append((s, cols, take))
    if not parts:
        return np.array([t0]), np.zeros((1, n_in)), np.zeros(0)
    T = np.unique(np.concatenate([s.knots()[0] for s, _, _ in parts]))
    L = np.zeros((len(T), n_in))
    R = np.zeros((len(T), n_in))
    for s, cols, take in parts:
        ls, rs = s._eval(T)
        np.add.at(L, (slice(None), cols), ls[:, take])
        np.add.at(R, (slice(None), cols), rs[:, take])
    forced = np.concatenate([s.break_times() for s, _, _ in parts])
    jump = (L != R).any(axis=1) | np.isin(T, forced)
    # restrict to the span: a jump at or before t0 keeps only its right side, at or after t1 its left side
    keep_lo = np.flatnonzero(jump & (T <= t0))
    keep_hi = np.flatnonzero(jump & (T >= t1))
    start = keep_lo[-1] if len(keep_lo) else 0
    stop = keep_hi[0] if len(keep_hi) else len(T) - 1
    times, values, breaks = [], [], []
    for j in range(start, stop + 1):
        if not jump[j]:
            times.append(T[j])
            values.append(L[j])
        elif len(keep_lo) and j == start:
            times.append(T[j])
            values.append(R[j])
        elif len(keep_hi) and j == stop:
            times.append(T[j])
            values.append(L[j])
        else:
            times += [T[j], T[j]]
            values += [L[j], R[j]]
            breaks.append(T[j])
    return np.array(times), np.array(values).reshape(len(times), n_in), np.array(breaks)


def _channel_index(channels, wiring):
    """``index(name, stim)`` -> the input columns `name` drives: one neuron, or every member of a class."""
    channels = tuple(channels)
    if wiring is not None and channels == tuple(wiring.neurons):
        from connectome.errors import UnknownNeuronError as _Unknown
        from connectome.select import resolve

        def index(name, stim):
            try:
                return [int(i) for i in wiring.index_of(resolve(wiring, [name], what=f"{_kind(stim)} stimulus"))]
            except _Unknown:
                classes = list(dict.fromkeys(wiring.metadata["class"].dropna())) if "class" in wiring.metadata else []
                raise UnknownNeuronError(name, list(channels) + classes,
                                         where=f"{_kind(stim)} stimulus (neither a neuron nor a class)") from None
        return index
    pos = {c: i for i, c in enumerate(channels)}

    def index(name, stim):
        if name not in pos:
            raise UnknownNeuronError(name, channels, where=f"{_kind(stim)} stimulus (input channels)")
        return [pos[name]]
    return index


def _kind(stim) -> str:
    return type(stim).__name__.lower()


def _columns(stim, index):
    """Input columns of a stimulus's targets (classes expanded) and which of its value columns each takes."""
    cols, take = [], []
    for k, nm in enumerate(stim.neurons):
        found = index(nm, stim)
        cols += found
        take += [k] * len(found)
    if len(set(cols)) != len(cols):
        raise InputError(f"{_kind(stim)} on {list(stim.neurons)} drives a neuron twice (a neuron and its class?); "
                         "list each neuron once")
    return np.array(cols, dtype=np.int64), np.array(take, dtype=np.int64)


def _held_sequence(drive, channels, span):
    """Knots of a drive that is one sequence of held samples on every channel (fast path), else None.

    Sample ``j`` is held over ``(t[j-1], t[j]]``: a jump at every sample time but the last.
    """
    if len(drive.stimuli) != 1:
        return None
    s = drive.stimuli[0]
    if not (isinstance(s, Samples) and s.interpolation == "next" and tuple(s.neurons) == tuple(channels)):
        return None
    t = s.times
    if not (span[0] < t[0] and t[-1] <= span[1]) or (t[-1] < span[1]):
        return None
    v = np.broadcast_to(s.values, (len(t), len(channels)))
    T = len(t)
    times = np.repeat(t, 2)[:-1]                         # t0 t0 t1 t1 ... t_{T-1}
    values = np.empty((2 * T - 1, len(channels)))
    values[0::2] = v                                     # left limits (and the last knot)
    values[1::2] = v[1:]                                 # right limits: the next sample
    return times, values, t[:-1].copy()


def build_table(drives, channels, wiring, t_span):
    """Compile one drive per batch member into an :class:`InputTable`.

    Parameters
    ----------
    drives : sequence of Drive
    channels : sequence of str
        Input channel names (``model.input_names(wiring)``).
    wiring : connectome.Wiring or None
        Used to resolve neuron names (normalised spelling, close-match errors).
    t_span : (float, float) or sequence of them
        The simulated span, shared or one per drive (members that start or end apart).
    """
    from ._kernels.inputs import InputTable

    times, values, seg_lo, seg_hi, breaks, bptr = [], [], [], [], [], [0]
    offset = 0
    spans = t_span if np.ndim(t_span) == 2 else [t_span] * len(drives)
    for d, span in zip(drives, spans):
        held = _held_sequence(as_drive(d), channels, span)
        t, v, b = held if held is not None else as_drive(d)._table(channels, wiring, tuple(span))
        # segments: split the knot list at each duplicated (jump) time
        dup = np.flatnonzero(np.diff(t) == 0)  # knot dup[i] is the left limit, dup[i] + 1 the right limit
        lo = np.r_[0, dup + 1] + offset
        hi = np.r_[dup, len(t) - 1] + offset
        times.append(t)
        values.append(v)
        seg_lo.append(lo)
        seg_hi.append(hi)
        breaks.append(b)
        bptr.append(bptr[-1] + len(b))
        offset += len(t)
    c = np.ascontiguousarray
    return InputTable(c(np.concatenate(times), dtype=np.float64), c(np.vstack(values), dtype=np.float64),
                      c(np.concatenate(seg_lo), dtype=np.int64), c(np.concatenate(seg_hi), dtype=np.int64),
                      c(np.concatenate(breaks), dtype=np.float64), np.array(bptr, dtype=np.int64))


def held_sequence_table(times, values):
    """The kernel table of sample sequences held over the intervals that end at each sample (vectorised).

    Equivalent to what :func:`build_table` makes from ``samples(channels, times[b], values[b],
    interpolation="next")`` over the span ``(t0_b, times[b, -1])``, for a whole batch at once.

    Parameters
    ----------
    times : float64 (B, T)
        Strictly increasing sample times per member.
    values : float64 (B, T, n_in)
        Samples in channel order.
    """
    from ._kernels.inputs import InputTable

    B, T = times.shape
    n_in = values.shape[2]
    # one knot per segment (its held value): segment j of member b is knot b T + j
    idx = np.arange(B * T, dtype=np.int64)
    c = np.ascontiguousarray
    return InputTable(c(times.reshape(-1), dtype=np.float64), c(values.reshape(B * T, n_in), dtype=np.float64), idx,
                      idx.copy(), c(times[:, :-1].reshape(-1)), np.arange(B + 1, dtype=np.int64) * (T - 1))
