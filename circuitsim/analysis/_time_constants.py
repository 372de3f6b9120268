"""Effective time constants of liquid networks, and time constants fitted to relaxations."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._activity import AnalysisError, as_activity
from ._common import time_weights, window

__all__ = ["decay_time_constants", "time_constant_table"]


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
    w = time_weights(act.t)
    return pd.DataFrame({"mean": w @ x, "median": np.median(x, axis=0), "min": x.min(axis=0),
                         "max": x.max(axis=0), "range_ratio": x.max(axis=0) / x.min(axis=0)},
                        index=pd.Index(act.neurons, name="neuron"))


def decay_time_constants(data, start: float, *, stop: float | None = None, neurons=None,
                         var: str | None = None, t=None, names=None) -> pd.DataFrame:
    """Time constants fitted to a relaxation ``x(t) = x_inf + A exp(-(t - start) / tau)``.

    Use after an input is switched off (or on) to measure how fast each
    neuron actually settles, e.g. to compare with a liquid model's
    effective time constant.

    Parameters
    ----------
    data : Result, DataFrame, Activity or array_like
    start : float
        Time (ms) the relaxation starts from (e.g. when the input changes).
    stop : float, optional
        End of the fitted window (ms; default: end of the data).
    neurons : sequence of str, optional
    var : str, optional
        State variable fitted (default: the first one). The relaxation of a
        state is exponential near a fixed point; a display quantity passed
        through a nonlinearity (a CTRNN's rate) is not, so the state is read
        by default (``var="display"`` fits the display quantity).

    Returns
    -------
    DataFrame indexed by neuron with ``tau`` (ms), ``x_inf``, ``amplitude``
    and ``rmse`` of the fit. Neurons that do not move, and fits whose time
    constant exceeds five times the window (a drift the window cannot
    resolve), get NaN tau.
    """
    from scipy.optimize import curve_fit

    act = window(as_activity(data, var=var, t=t, names=names, default="state").select(neurons), start, stop)
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
