"""Principal components of population activity (time-weighted, optionally standardised)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._activity import AnalysisError, as_activity
from ._common import time_weights, window

__all__ = ["PCA", "pca"]


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
        What to read from a Result: default its model's display quantity
        (``V - Vth`` for the graded network); a state variable name (``"V"``)
        reads that variable as it is.
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
        act = window(act, start, stop)
    if weighting == "time":
        w = time_weights(act.t)
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
