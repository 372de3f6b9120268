"""Analysis of simulated activity: NumPy/pandas in, NumPy/pandas out.

Every function takes either a simulation :class:`~circuitsim.result.Result`
(anything with ``.t``, ``.neurons``, ``result[var]`` and ``.at(t)``), a
:class:`pandas.DataFrame` (index = time in ms, one column per neuron) or a
plain array with ``t=`` and ``names=``. They are all turned into an
:class:`Activity` first (see :func:`as_activity`).

Conventions: time in ms, activity time-major ``(n_t, n_neurons)``, neuron
order of the input kept unless a function says otherwise.

Contents
--------
pca                 principal components, variance explained, trajectories
oscillations        period, amplitude and phase of every neuron
phase_relations     phase of neurons relative to a reference neuron
phase_difference    circular mean phase difference between two groups
response            baseline, peak and latency after a stimulus onset
aggregate_classes   class-level activity (AVAL + AVAR -> AVA)
time_constant_table summary of effective time constants (liquid models)
decay_time_constants  time constants fitted to a relaxation
compare             per-neuron differences between two results
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


from ._activity import Activity, AnalysisError, MissingPositionsError, as_activity, stimulus_intervals
from .errors import UnknownNeuronError

__all__ = [
    "Activity",
    "AnalysisError",
    "MissingPositionsError",
    "PCA",
    "aggregate_classes",
    "as_activity",
    "compare",
    "decay_time_constants",
    "oscillations",
    "pca",
    "phase_difference",
    "phase_relations",
    "response",
    "stimulus_intervals",
    "time_constant_table",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _time_weights(t: np.ndarray) -> np.ndarray:
    """Trapezoid quadrature weights on `t`, normalised to sum to 1."""
    if len(t) == 1:
        return np.ones(1)
    dt = np.diff(t)
    w = np.zeros(len(t))
    w[:-1] += dt / 2
    w[1:] += dt / 2
    return w / w.sum()


def _window(act: Activity, start, stop) -> Activity:
    """The samples of `act` with ``start <= t <= stop`` (None: open end)."""
    lo = act.t[0] if start is None else float(start)
    hi = act.t[-1] if stop is None else float(stop)
    if lo >= hi:
        raise AnalysisError(f"empty time window: start={lo} must be smaller than stop={hi} (ms)")
    act.check_span(lo)
    act.check_span(hi)
    keep = (act.t >= lo) & (act.t <= hi)
    return act.replace(t=act.t[keep], values=act.values[keep])


def _uniform(act: Activity, n_samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Samples of `act` on a uniform grid (its own samples when already uniform)."""
    t = act.t
    if len(t) < 4:
        raise AnalysisError(f"need at least 4 time points for spectral analysis, got {len(t)}")
    dt = np.diff(t)
    if n_samples is None and np.allclose(dt, dt[0], rtol=1e-6, atol=0):
        return t, act.values
    n = n_samples or len(t)
    grid = np.linspace(t[0], t[-1], n)
    return grid, act.at(grid)


# ---------------------------------------------------------------------------
# principal components
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PCA:
    """Principal components of population activity.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Sample times (ms).
    neurons : tuple of str
        Neuron order of the loadings.
    mean : ndarray, shape (n_neurons,)
        Time-averaged activity that was subtracted.
    scale : ndarray, shape (n_neurons,)
        Per-neuron divisor (ones unless ``standardize=True``).
    components : ndarray, shape (k, n_neurons)
        Unit loading vectors, one per row; the sign is chosen so that the
        largest loading of each component is positive.
    explained_variance : ndarray, shape (k,)
        Variance along each component (activity units squared).
    explained_variance_ratio : ndarray, shape (k,)
        Fraction of the total variance (all components, not only the k kept).
    trajectory : ndarray, shape (n_t, k)
        Activity projected onto the components at every sample time.
    """

    t: np.ndarray
    neurons: tuple
    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray
    explained_variance: np.ndarray
    explained_variance_ratio: np.ndarray
    trajectory: np.ndarray

    def transform(self, x) -> np.ndarray:
        """Project activity ``x`` of shape ``(..., n_neurons)`` onto the components -> ``(..., k)``."""
        x = np.asarray(x, dtype=float)
        if x.shape[-1] != len(self.neurons):
            raise AnalysisError(
                f"activity has {x.shape[-1]} neurons in its last axis; this PCA was fitted on {len(self.neurons)}"
            )
        return ((x - self.mean) / self.scale) @ self.components.T

    def loadings(self) -> pd.DataFrame:
        """Loadings as a table: rows = neurons, columns ``PC1..PCk``."""
        cols = [f"PC{i + 1}" for i in range(len(self.components))]
        return pd.DataFrame(self.components.T, index=pd.Index(self.neurons, name="neuron"), columns=cols)

    def summary(self) -> pd.DataFrame:
        """Variance explained per component (and cumulative)."""
        idx = pd.Index([f"PC{i + 1}" for i in range(len(self.components))], name="component")
        return pd.DataFrame(
            {"variance": self.explained_variance, "ratio": self.explained_variance_ratio,
             "cumulative": np.cumsum(self.explained_variance_ratio)}, index=idx)


def pca(data, n_components: int | None = 3, *, var: str | None = None, neurons=None,
        standardize: bool = False, weighting: str = "time", start=None, stop=None, t=None, names=None) -> PCA:
    """Principal components of population activity.

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like (n_t, n_neurons)
        Activity (see :func:`as_activity`; arrays need `t` and `names`).
    n_components : int or None
        Components to keep (None: all).
    var : str, optional
        State variable of a Result (default: its first, e.g. ``"V"``).
    neurons : sequence of str, optional
        Neurons to include (default all).
    standardize : bool
        Divide each neuron by its standard deviation first (constant neurons keep scale 1).
    weighting : {"time", "samples"}
        ``"time"`` weights samples by trapezoid quadrature so that irregular
        sampling gives the time-averaged covariance; ``"samples"`` weights
        every sample equally (classic PCA).
    start, stop : float, optional
        Fit on this time window only (ms), e.g. after the initial transient.

    Returns
    -------
    PCA

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 100, 1001)
    >>> x = np.c_[np.sin(2 * np.pi * t / 10), np.zeros_like(t)]
    >>> p = pca(x, 1, t=t, names=["a", "b"])
    >>> round(float(p.explained_variance_ratio[0]), 6)
    1.0
    """
    act = as_activity(data, var=var, t=t, names=names).select(neurons)
    if start is not None or stop is not None:
        act = _window(act, start, stop)
    if weighting == "time":
        w = _time_weights(act.t)
    elif weighting == "samples":
        w = np.full(len(act.t), 1.0 / len(act.t))
    else:
        raise AnalysisError(f"weighting must be 'time' or 'samples', got {weighting!r}")
    x = act.values
    mean = w @ x
    xc = x - mean
    if standardize:
        sd = np.sqrt(w @ xc**2)
        scale = np.where(sd > 1e-12 * np.maximum(1.0, np.abs(mean)), sd, 1.0)
    else:
        scale = np.ones(x.shape[1])
    xc = xc / scale
    _, s, vt = np.linalg.svd(np.sqrt(w)[:, None] * xc, full_matrices=False)
    var_ = s**2
    total = var_.sum()
    k = len(s) if n_components is None else int(n_components)
    if not 1 <= k <= len(s):
        raise AnalysisError(f"n_components must be between 1 and {len(s)}, got {n_components!r}")
    comps = vt[:k].copy()
    flip = np.sign(comps[np.arange(k), np.argmax(np.abs(comps), axis=1)])
    comps *= np.where(flip == 0, 1.0, flip)[:, None]
    ratio = var_[:k] / total if total > 0 else np.zeros(k)
    return PCA(act.t, act.neurons, mean, scale, comps, var_[:k], ratio, xc @ comps.T)


# ---------------------------------------------------------------------------
# oscillations
# ---------------------------------------------------------------------------
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
    act = _window(full.select(neurons), start, stop)
    tt, x = _uniform(act)
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
    act = _window(as_activity(data, var=var, t=t, names=names), start, stop)
    ref = act.resolve(reference)
    sel = act.select(neurons) if neurons is not None else act
    if ref not in sel.neurons:
        sel = act.select(list(sel.neurons) + [ref])
    tt, x = _uniform(sel)
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


# ---------------------------------------------------------------------------
# stimulus response
# ---------------------------------------------------------------------------
def response(data, onset: float | None = None, *, neurons=None, var: str | None = None,
             baseline: float | None = None, stop: float | None = None, fraction: float = 0.1,
             threshold: float | None = None, min_change: float = 0.0, t=None, names=None) -> pd.DataFrame:
    """Baseline, peak and latency of every neuron's response to a stimulus.

    Parameters
    ----------
    onset : float, optional
        Stimulus onset (ms). Default: the first stimulus start recorded in the
        Result (its stimulus description).
    baseline : float, optional
        Length (ms) of the window before `onset` whose mean is the baseline
        (default: every sample before onset; the value at onset if none).
    stop : float, optional
        End of the response window (ms; default: end of the data).
    fraction : float in (0, 1)
        The latency is the first time after onset at which the deviation from
        baseline reaches ``fraction`` of the peak deviation (linear
        interpolation between samples).
    threshold : float, optional
        Absolute deviation (activity units) to use instead of `fraction`.
    min_change : float
        Neurons whose largest deviation does not exceed this (activity units)
        count as not responding (latency NaN).

    Returns
    -------
    DataFrame indexed by neuron with columns ``baseline``, ``peak`` (value at
    the largest absolute deviation), ``change`` (peak - baseline),
    ``peak_time`` (ms after onset), ``latency`` (ms after onset; NaN when the
    threshold is never reached) and ``responded`` (bool).
    """
    act = as_activity(data, var=var, t=t, names=names).select(neurons)
    if onset is None:
        iv = stimulus_intervals(act)
        if not iv:
            raise AnalysisError("no stimulus onset given and the data records no stimulus; pass onset= (ms)")
        onset = iv[0][0]
    onset = float(onset)
    act.check_span(onset)
    if not 0 < fraction < 1:
        raise AnalysisError(f"fraction must be in (0, 1), got {fraction!r}")
    before = act.t < onset
    if baseline is not None:
        if not baseline > 0:
            raise AnalysisError(f"baseline window must be positive (ms), got {baseline!r}")
        before &= act.t >= onset - float(baseline)
    base = act.values[before].mean(axis=0) if before.any() else act.at(onset)
    end = act.t[-1] if stop is None else float(stop)
    act.check_span(end)
    after = (act.t >= onset) & (act.t <= end)
    tt = np.r_[onset, act.t[after]] if not np.any(act.t == onset) else act.t[after]
    xx = np.vstack([act.at(onset)[None, :], act.values[after]]) if len(tt) > after.sum() else act.values[after]
    dev = xx - base
    k = np.argmax(np.abs(dev), axis=0)
    cols = np.arange(dev.shape[1])
    change = dev[k, cols]
    rows = []
    for j, nm in enumerate(act.neurons):
        thr = threshold if threshold is not None else fraction * abs(change[j])
        lat = np.nan
        if abs(change[j]) > max(min_change, 0.0) and thr > 0:
            hit = np.flatnonzero(np.abs(dev[:, j]) >= thr)
            if len(hit):
                i = hit[0]
                if i == 0:
                    lat = 0.0
                else:
                    d0, d1 = abs(dev[i - 1, j]), abs(dev[i, j])
                    lat = tt[i - 1] + (thr - d0) / (d1 - d0) * (tt[i] - tt[i - 1]) - onset
        rows.append(dict(neuron=nm, baseline=base[j], peak=xx[k[j], j], change=change[j],
                         peak_time=tt[k[j]] - onset, latency=lat, responded=bool(np.isfinite(lat))))
    return pd.DataFrame(rows).set_index("neuron")


# ---------------------------------------------------------------------------
# classes
# ---------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------
# time constants
# ---------------------------------------------------------------------------
def time_constant_table(tau, t=None, names=None) -> pd.DataFrame:
    """Summary of effective time constants over a run (liquid models).

    Parameters
    ----------
    tau : Activity, DataFrame or array_like (n_t, n_neurons)
        Effective (system) time constant of every neuron at every time (ms),
        e.g. ``tau / (1 + tau * sum_j g_j(t))`` of an LTC network.
    t, names : optional
        Times (ms) and neuron names for a plain array.

    Returns
    -------
    DataFrame indexed by neuron with ``mean`` (time-weighted), ``median``,
    ``min``, ``max`` and ``range_ratio`` (max / min).
    """
    act = as_activity(tau, t=t, names=names)
    x = act.values
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        bad = [n for n, ok in zip(act.neurons, np.all(np.isfinite(x) & (x > 0), axis=0)) if not ok]
        raise AnalysisError(f"time constants must be finite and positive (ms); bad neurons: {bad[:10]}")
    w = _time_weights(act.t)
    return pd.DataFrame({"mean": w @ x, "median": np.median(x, axis=0), "min": x.min(axis=0),
                         "max": x.max(axis=0), "range_ratio": x.max(axis=0) / x.min(axis=0)},
                        index=pd.Index(act.neurons, name="neuron"))


def decay_time_constants(data, start: float, *, stop: float | None = None, neurons=None,
                         var: str | None = None, t=None, names=None) -> pd.DataFrame:
    """Time constants fitted to a relaxation ``x(t) = x_inf + A exp(-(t - start) / tau)``.

    Use after an input is switched off (or on) to measure how fast each
    neuron actually settles, e.g. to compare with a liquid model's
    effective time constant.

    Returns
    -------
    DataFrame indexed by neuron with ``tau`` (ms), ``x_inf``, ``amplitude``
    and ``rmse`` of the fit. Neurons that do not move, and fits whose time
    constant exceeds five times the window (a drift the window cannot
    resolve), get NaN tau.
    """
    from scipy.optimize import curve_fit

    act = _window(as_activity(data, var=var, t=t, names=names).select(neurons), start, stop)
    s = act.t - float(start)
    span = s[-1] if s[-1] > 0 else 1.0

    def model(s_, x_inf, amp, log_tau):
        return x_inf + amp * np.exp(-s_ / np.exp(log_tau))

    rows = []
    for j, nm in enumerate(act.neurons):
        y = act.values[:, j]
        amp0 = y[0] - y[-1]
        if np.ptp(y) <= 1e-12 * max(1.0, np.abs(y).max()):
            rows.append(dict(neuron=nm, tau=np.nan, x_inf=float(y[-1]), amplitude=0.0, rmse=0.0))
            continue
        # initial tau: time to cover 63 % of the way
        target = y[-1] + amp0 * np.exp(-1)
        cross = np.flatnonzero(np.sign(y - target) != np.sign(amp0))
        tau0 = s[cross[0]] if len(cross) and s[cross[0]] > 0 else span / 3
        try:
            p, _ = curve_fit(model, s, y, p0=(y[-1], amp0, np.log(tau0)), maxfev=5000)
            rmse = float(np.sqrt(np.mean((model(s, *p) - y) ** 2)))
            tau = float(np.exp(p[2]))
            if tau > 5 * span:
                rows.append(dict(neuron=nm, tau=np.nan, x_inf=np.nan, amplitude=np.nan, rmse=rmse))
                continue
            rows.append(dict(neuron=nm, tau=tau, x_inf=float(p[0]), amplitude=float(p[1]), rmse=rmse))
        except RuntimeError:
            rows.append(dict(neuron=nm, tau=np.nan, x_inf=np.nan, amplitude=np.nan, rmse=np.nan))
    return pd.DataFrame(rows).set_index("neuron")


# ---------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------
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
    A = as_activity(a, var=var)
    B = as_activity(b, var=var)
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
    w = _time_weights(tt)
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
