"""Period, amplitude and phase of oscillating neurons, and phase relations between them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._activity import AnalysisError, as_activity
from ._common import uniform, window

__all__ = ["dominant_period", "oscillations", "phase_difference", "phase_relations"]


def _fit_sinusoid(t, x, f):
    """Least-squares ``c + a cos(2 pi f t) + b sin(2 pi f t)`` for every column of x."""
    w = 2 * np.pi * f * t
    design = np.column_stack([np.ones_like(t), np.cos(w), np.sin(w)])
    coef, *_ = np.linalg.lstsq(design, x, rcond=None)
    resid = x - design @ coef
    return coef, resid


def _dominant_frequency(t, x, min_period, max_period):
    """Frequency (1/ms) of the largest spectral peak of `x` (1-D), refined by a sinusoid fit."""
    from scipy.optimize import minimize_scalar

    n = len(t)
    dt = t[1] - t[0]
    xc = x - x.mean()
    if not np.any(xc):
        return np.nan
    pad = 8 * n
    spec = np.abs(np.fft.rfft(xc * np.hanning(n), pad)) ** 2
    freqs = np.fft.rfftfreq(pad, dt)
    ok = freqs > 0
    if max_period is not None:
        ok &= freqs >= 1.0 / max_period
    if min_period is not None:
        ok &= freqs <= 1.0 / min_period
    if not ok.any():
        return np.nan
    i = np.flatnonzero(ok)[np.argmax(spec[ok])]
    f0 = freqs[i]
    df = 1.0 / (t[-1] - t[0])

    def cost(f):
        return float(np.sum(_fit_sinusoid(t, xc, f)[1] ** 2))

    lo, hi = max(f0 - df, freqs[1] / 4), f0 + df
    if max_period is not None:
        lo = max(lo, 1.0 / max_period)
    if min_period is not None:
        hi = min(hi, 1.0 / min_period)
    res = minimize_scalar(cost, bounds=(lo, hi), method="bounded", options={"xatol": 1e-6 * f0})
    return float(res.x)


def oscillations(data, neurons=None, *, var: str | None = None, start=None, stop=None,
                 min_period: float | None = None, max_period: float | None = None,
                 min_power: float = 0.5, reference: str | None = None, t=None, names=None) -> pd.DataFrame:
    """Period, amplitude and phase of the dominant oscillation of every neuron.

    The signal is resampled on a uniform grid if needed (through the dense
    output), its largest spectral peak is found on a zero-padded Hann
    periodogram and refined by fitting ``c + A cos(2 pi t / P - phi)`` by least
    squares over the period ``P``.

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like
        Activity (see :func:`as_activity`).
    neurons : sequence of str, optional
        Neurons to analyse (default all).
    var : str, optional
        What to read from a Result: default its model's display quantity
        (``V - Vth`` for the graded network); a state variable name (``"V"``)
        reads that variable as it is.
    start, stop : float, optional
        Time window (ms); e.g. skip the initial transient with `start`.
    min_period, max_period : float, optional
        Only look for periods in this range (ms).
    min_power : float
        A neuron is ``oscillating`` when the fitted sinusoid explains at least
        this fraction of its variance and at least two cycles fit in the window.
    reference : str, optional
        Neuron whose phase is subtracted from the ``phase_deg`` column.

    Returns
    -------
    DataFrame indexed by neuron with columns
        ``period`` (ms), ``frequency_hz``, ``amplitude`` (of the fitted
        sinusoid), ``peak_to_peak``, ``mean``, ``power_fraction`` (variance
        explained by the sinusoid), ``n_cycles``, ``phase_deg`` (of
        ``cos(2 pi t / P - phi)``, t from 0; relative to `reference` if given)
        and ``oscillating`` (bool). Constant neurons get NaN period.
    """
    full = as_activity(data, var=var, t=t, names=names)
    act = window(full.select(neurons), start, stop)
    tt, x = uniform(act)
    span = tt[-1] - tt[0]
    rows = []
    for k, nm in enumerate(act.neurons):
        col = x[:, k]
        f = _dominant_frequency(tt, col, min_period, max_period)
        var_k = col.var()
        if not np.isfinite(f) or var_k <= 1e-300:
            rows.append(dict(neuron=nm, period=np.nan, frequency_hz=np.nan, amplitude=0.0,
                             peak_to_peak=float(np.ptp(col)), mean=float(col.mean()), power_fraction=0.0,
                             n_cycles=0.0, phase=np.nan))
            continue
        coef, resid = _fit_sinusoid(tt, col, f)
        a, b = coef[1], coef[2]
        frac = 1.0 - resid.var() / var_k
        rows.append(dict(neuron=nm, period=1.0 / f, frequency_hz=1000.0 * f, amplitude=float(np.hypot(a, b)),
                         peak_to_peak=float(np.ptp(col)), mean=float(col.mean()), power_fraction=float(frac),
                         n_cycles=span * f, phase=float(np.arctan2(b, a))))
    out = pd.DataFrame(rows).set_index("neuron")
    phase = out.pop("phase")
    if reference is not None:
        ref = full.resolve(reference)
        if ref not in out.index:
            raise AnalysisError(f"reference neuron {ref!r} is not among the analysed neurons")
        phase = phase - phase[ref]
    out["phase_deg"] = np.degrees(np.angle(np.exp(1j * phase.to_numpy())))
    out["oscillating"] = (out["power_fraction"] >= min_power) & (out["n_cycles"] >= 2)
    return out


def phase_relations(data, neurons=None, *, reference: str, period: float | None = None, var: str | None = None,
                    start=None, stop=None, t=None, names=None) -> pd.DataFrame:
    """Phase of each neuron relative to `reference` at one common period.

    Every neuron is fitted with ``c + A cos(2 pi t / P - phi)`` at the same
    period ``P`` (default: the reference neuron's dominant period), so phases
    are comparable.

    Returns
    -------
    DataFrame indexed by neuron with columns ``amplitude``, ``phase_deg`` in
    (-180, 180] (positive: peaks later than the reference), ``lag_ms``
    (``phase_deg / 360 * P``) and ``period``.
    """
    act = window(as_activity(data, var=var, t=t, names=names), start, stop)
    ref = act.resolve(reference)
    sel = act.select(neurons) if neurons is not None else act
    if ref not in sel.neurons:
        sel = act.select(list(sel.neurons) + [ref])
    tt, x = uniform(sel)
    if period is None:
        f = _dominant_frequency(tt, x[:, sel.neurons.index(ref)], None, None)
        if not np.isfinite(f):
            raise AnalysisError(f"reference neuron {ref!r} does not oscillate (constant in the window); pass period=")
    else:
        if not period > 0:
            raise AnalysisError(f"period must be positive (ms), got {period!r}")
        f = 1.0 / float(period)
    coef, _ = _fit_sinusoid(tt, x, f)
    phi = np.arctan2(coef[2], coef[1])
    dphi = np.angle(np.exp(1j * (phi - phi[sel.neurons.index(ref)])))
    out = pd.DataFrame({"amplitude": np.hypot(coef[1], coef[2]), "phase_deg": np.degrees(dphi),
                        "lag_ms": dphi / (2 * np.pi) / f, "period": 1.0 / f},
                       index=pd.Index(sel.neurons, name="neuron"))
    return out


def phase_difference(data, group_a, group_b, *, period: float | None = None, var: str | None = None,
                     start=None, stop=None, t=None, names=None) -> float:
    """Circular-mean phase of `group_a` minus that of `group_b`, in degrees (-180, 180].

    Phases are taken at one common period (default: the dominant period of the
    first neuron of `group_b`) and averaged on the circle, weighted by
    amplitude. Use it for dorsal vs ventral motor neurons: about 180 degrees
    means anti-phase.
    """
    group_a, group_b = list(group_a), list(group_b)
    if not group_a or not group_b:
        raise AnalysisError("phase_difference needs at least one neuron in each group")
    rel = phase_relations(data, group_a + group_b, reference=group_b[0], period=period, var=var,
                          start=start, stop=stop, t=t, names=names)
    act = as_activity(data, var=var, t=t, names=names)

    def mean_phase(group):
        r = rel.loc[[act.resolve(g) for g in group]]
        z = np.sum(r["amplitude"] * np.exp(1j * np.radians(r["phase_deg"])))
        return np.angle(z)

    return float(np.degrees(np.angle(np.exp(1j * (mean_phase(group_a) - mean_phase(group_b))))))


def dominant_period(data, neurons=None, *, var: str | None = None, start=None, stop=None,
                    min_period: float | None = None, max_period: float | None = None, min_power: float = 0.5,
                    t=None, names=None) -> float:
    """The period (ms) of the rhythm shared by the oscillating neurons.

    Every neuron is analysed by :func:`oscillations`; the result is the median
    period of the neurons it reports as ``oscillating`` (a sinusoid explains at
    least `min_power` of the variance and at least two cycles fit in the window).

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like
    neurons : sequence of str, optional
        Neurons to consider (default all).
    var : str, optional
        Default: the display quantity of a Result.
    start, stop : float, optional
        Time window (ms); skip an initial transient with `start`.
    min_period, max_period, min_power : optional
        As in :func:`oscillations`.

    Returns
    -------
    float
        The period in ms, NaN when no neuron oscillates in the window.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 1000, 2001)
    >>> x = np.c_[np.sin(2 * np.pi * t / 125), np.cos(2 * np.pi * t / 125), np.ones_like(t)]
    >>> round(dominant_period(x, t=t), 3)
    125.0
    """
    osc = oscillations(data, neurons, var=var, start=start, stop=stop, min_period=min_period,
                       max_period=max_period, min_power=min_power, t=t, names=names)
    periods = osc.loc[osc["oscillating"], "period"].to_numpy(dtype=float)
    return float(np.median(periods)) if len(periods) else float("nan")
