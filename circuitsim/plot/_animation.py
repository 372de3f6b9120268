"""Snapshots of the network beside traces at one time, animations of them, and writing animations to files."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..analysis._activity import AnalysisError, as_activity
from ..analysis._common import window
from ..analysis._oscillations import dominant_period
from ._network import network, update_network
from ._style import SETTLE, plt
from ._traces import traces

__all__ = ["animate", "animation_html", "frame_times", "save_animation", "snapshot"]

#: Frames per cycle of the dominant rhythm at least (fewer alias it: a 1.2 s cycle drawn every 0.3 s looks
#: like a standing wave or runs backwards).
FRAMES_PER_CYCLE = 12


def snapshot(data, t=None, *, neurons=None, classes=None, layout: str = "anatomical", wiring=None, var=None,
             fig=None, missing: str = "error", settle: float = SETTLE, **network_kw):
    """Network coloured at time `t` beside traces with a cursor at `t`.

    Parameters
    ----------
    data : Result, Activity or DataFrame
        Activity with a wiring; a Result shows its model's display quantity by default.
    t : float, optional
        Time (ms; default: the first sample).
    neurons, classes : optional
        What the trace panel shows (default: up to four outputs of the wiring
        and two inputs, or the first six neurons).
    settle : float
        Leading fraction of the span left out of the network's colour limits
        and of the traces' vertical range (see :func:`traces`).
    layout, missing, **network_kw
        Passed to :func:`network` (``vmin``, ``percentiles``, ``edges``, ``labels``...).

    Returns
    -------
    matplotlib.figure.Figure
        With ``fig.set_time(t)`` that recolours the nodes and moves the
        cursor (used by :func:`animate` and the widgets).
    """
    act = as_activity(data, var=var, wiring=wiring)
    if t is None:
        t = act.t[0]
    if neurons is None and classes is None:
        outs = list(getattr(act.wiring, "outputs", ()))[:4] + list(getattr(act.wiring, "inputs", ()))[:2]
        neurons = outs or list(act.neurons[: min(6, act.n)])
    if fig is None:
        fig = plt().figure(figsize=(13, 4.5) if layout == "anatomical" else (12, 5.5))
    if layout == "anatomical":
        ax_net, ax_tr = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2.2, 1]})
    else:
        ax_net, ax_tr = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    network(act, t, layout=layout, ax=ax_net, missing=missing, settle=settle, **network_kw)
    traces(act, neurons, classes=classes, ax=ax_tr, cursor=t, settle=settle)
    cursor = next(a for a in ax_tr.lines if a.get_gid() == "cursor")

    def set_time(t_new):
        t_new = float(t_new)
        update_network(ax_net, t_new)
        cursor.set_xdata([t_new, t_new])
        return fig

    fig.set_time = set_time
    fig.axes_network, fig.axes_traces = ax_net, ax_tr
    fig.tight_layout()
    return fig



def frame_times(data, *, frames_per_cycle: int = FRAMES_PER_CYCLE, min_frames: int = 40,
                max_frames: int = 1000, var=None, wiring=None) -> np.ndarray:
    """Evenly spaced frame times (ms) that sample the activity's rhythm without aliasing.

    The dominant period is measured on the second half of the span (after
    the start-up transient) with :func:`circuitsim.analysis.dominant_period`,
    on the 300 neurons that vary most there; the span then gets at least
    `frames_per_cycle` frames per period, and at least `min_frames` frames.

    Parameters
    ----------
    data : Result, Activity or DataFrame
    frames_per_cycle : int
        Frames per period of the rhythm at least.
    min_frames : int
        Frames when nothing oscillates (or the rhythm needs fewer).
    max_frames : int
        Upper bound; reaching it warns (the rhythm would alias): animate a
        shorter window or pass frame times yourself.

    Returns
    -------
    ndarray, shape (n_frames,)
        Frame times; the dominant period (ms; NaN if none) is in the warning
        and in ``animate(...).period``.
    """
    times, _ = _frames(as_activity(data, var=var, wiring=wiring), frames_per_cycle, min_frames, max_frames)
    return times


def _frames(act, frames_per_cycle, min_frames, max_frames):
    if int(frames_per_cycle) < 1 or int(min_frames) < 2 or int(max_frames) < int(min_frames):
        raise AnalysisError(f"need frames_per_cycle >= 1 and 2 <= min_frames <= max_frames, got "
                            f"{frames_per_cycle}, {min_frames}, {max_frames}")
    lo, hi = act.span
    period = float("nan")
    if len(act.t) >= 8:
        late = window(act, lo + 0.5 * (hi - lo), hi)
        if len(late.t) >= 4:
            sd = late.values.std(axis=0)
            top = np.argsort(-sd, kind="stable")[:300]
            top = top[sd[top] > 0]
            if len(top):
                period = dominant_period(late.select([late.neurons[i] for i in top]))
    n = int(min_frames)
    if np.isfinite(period) and period > 0:
        n = max(n, math.ceil(frames_per_cycle * (hi - lo) / period) + 1)
    if n > max_frames:
        warnings.warn(f"{frames_per_cycle} frames per {period:.4g} ms cycle over {hi - lo:.6g} ms need {n} frames; "
                      f"drawing {max_frames}, which aliases the rhythm: animate a shorter window (times=) or raise "
                      f"max_frames", stacklevel=3)
        n = int(max_frames)
    return np.linspace(lo, hi, n), period


def animate(data, times=None, *, n_frames: int | None = None, frames_per_cycle: int = FRAMES_PER_CYCLE,
            max_frames: int = 1000, interval: float = 100.0, fig=None, **snapshot_kw):
    """An animation of :func:`snapshot` over time.

    Parameters
    ----------
    data : Result, Activity or DataFrame
        A Result shows its model's display quantity by default.
    times : array_like, optional
        Frame times (ms), any floats inside the span.
    n_frames : int, optional
        Evenly spaced frames over the span. Default: enough for
        `frames_per_cycle` frames per cycle of the dominant rhythm (at least
        40; see :func:`frame_times`).
    frames_per_cycle, max_frames : int
        See :func:`frame_times`.
    interval : float
        Milliseconds of wall-clock time between frames.
    **snapshot_kw
        Passed to :func:`snapshot` (and on to :func:`network`): ``neurons``,
        ``layout``, ``vmin``, ``edges``...

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``.times`` (frame times, ms) and ``.period`` (the dominant period
        in ms the frames follow; NaN when none was measured or frames were
        given). Save it with :func:`save_animation` or show it with
        :func:`animation_html`.
    """
    from matplotlib.animation import FuncAnimation

    act = as_activity(data, var=snapshot_kw.pop("var", None), wiring=snapshot_kw.pop("wiring", None))
    period = float("nan")
    if times is not None:
        times = np.atleast_1d(np.asarray(times, dtype=float))
    elif n_frames is not None:
        times = np.linspace(*act.span, int(n_frames))
    else:
        times, period = _frames(act, frames_per_cycle, 40, max_frames)
    if len(times) == 0:
        raise AnalysisError("an animation needs at least one frame time")
    act.check_span(times)
    fig = snapshot(act, times[0], fig=fig, **snapshot_kw)
    anim = FuncAnimation(fig, lambda i: fig.set_time(times[i]) and [], frames=len(times), interval=interval,
                         blit=False, repeat=False)
    anim.times, anim.period = times, period
    return anim

def save_animation(anim, path, *, fps: int = 10, dpi: int = 80):
    """Write `anim` to `path`: ``.gif`` with pillow, ``.mp4`` with ffmpeg.

    Raises
    ------
    AnalysisError
        Unknown suffix, or ``.mp4`` without ffmpeg installed.
    """
    from pathlib import Path

    from matplotlib import animation

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gif":
        writer = animation.PillowWriter(fps=fps)
    elif suffix == ".mp4":
        if not animation.writers.is_available("ffmpeg"):
            raise AnalysisError("writing .mp4 needs ffmpeg, which is not installed; save a .gif instead")
        writer = animation.FFMpegWriter(fps=fps)
    else:
        raise AnalysisError(f"animation path must end in .gif or .mp4, got {path.name!r}")
    anim.save(str(path), writer=writer, dpi=dpi)
    return path


def animation_html(anim) -> str:
    """HTML for a notebook: an HTML5 ``<video>`` when ffmpeg is available, else a JavaScript player."""
    from matplotlib import animation

    if animation.writers.is_available("ffmpeg"):
        return anim.to_html5_video()
    return anim.to_jshtml()
