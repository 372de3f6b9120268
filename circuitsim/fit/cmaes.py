"""A small CMA-ES that hands the whole population to the objective at once."""

from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError

__all__ = ["cmaes"]


def cmaes(objective, x0, sigma0, bounds, *, popsize: int = 8, generations: int = 20, seed: int = 0,
          callback=None):
    """Minimise ``objective(X) -> (pop,)`` over a box with CMA-ES (Hansen 2016, "The CMA Evolution Strategy").

    The objective receives the whole population ``X (pop, dim)`` at once.
    Candidates outside the box are evaluated at their projection onto it plus
    a quadratic penalty on the distance.

    Parameters
    ----------
    objective : callable
    x0 : array (dim,)
    sigma0 : float
        Initial step size (in the units of `x`).
    bounds : (array (dim,), array (dim,))
    popsize, generations : int
    seed : int
    callback : callable, optional
        ``callback(generation, X, values)`` after each generation.

    Returns
    -------
    best_x : ndarray (dim,)
    best_value : float
    history : list of dict
        Per generation: best, median, sigma.
    """
    rng = np.random.default_rng(seed)
    lo, hi = (np.asarray(b, dtype=np.float64) for b in bounds)
    m = np.clip(np.asarray(x0, dtype=np.float64), lo, hi)
    n, lam = m.size, int(popsize)
    if lam < 2:
        raise ParameterError(f"popsize must be >= 2, got {popsize!r}")
    mu = lam // 2
    w = np.log(mu + 0.5) - np.log(np.arange(1, mu + 1))
    w /= w.sum()
    mueff = 1.0 / (w ** 2).sum()
    cc = (4 + mueff / n) / (n + 4 + 2 * mueff / n)
    cs = (mueff + 2) / (n + mueff + 5)
    c1 = 2 / ((n + 1.3) ** 2 + mueff)
    cmu = min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2) ** 2 + mueff))
    damps = 1 + 2 * max(0.0, math.sqrt((mueff - 1) / (n + 1)) - 1) + cs
    chi_n = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n))
    C, ps, pc, sigma = np.eye(n), np.zeros(n), np.zeros(n), float(sigma0)
    best_x, best_f, history = m.copy(), math.inf, []
    for g in range(int(generations)):
        evals, B = np.linalg.eigh(C)
        D = np.sqrt(np.maximum(evals, 1e-20))
        y = rng.standard_normal((lam, n)) * D @ B.T
        X = m + sigma * y
        Xc = np.clip(X, lo, hi)
        f = np.asarray(objective(Xc), dtype=np.float64) + ((X - Xc) ** 2).sum(axis=1)
        f = np.where(np.isfinite(f), f, math.inf)
        order = np.argsort(f, kind="stable")
        if f[order[0]] < best_f:
            best_f, best_x = float(f[order[0]]), Xc[order[0]].copy()
        history.append({"generation": g, "best": float(f[order[0]]), "median": float(np.median(f)),
                        "sigma": sigma})
        if callback is not None:
            callback(g, Xc, f)
        y_sel = y[order[:mu]]
        y_w = w @ y_sel
        m = m + sigma * y_w
        inv_sqrt = B @ np.diag(1 / D) @ B.T
        ps = (1 - cs) * ps + math.sqrt(cs * (2 - cs) * mueff) * inv_sqrt @ y_w
        hsig = np.linalg.norm(ps) / math.sqrt(1 - (1 - cs) ** (2 * (g + 1))) / chi_n < 1.4 + 2 / (n + 1)
        pc = (1 - cc) * pc + hsig * math.sqrt(cc * (2 - cc) * mueff) * y_w
        C = ((1 - c1 - cmu) * C + c1 * (np.outer(pc, pc) + (1 - hsig) * cc * (2 - cc) * C)
             + cmu * (y_sel.T * w) @ y_sel)
        C = (C + C.T) / 2
        sigma *= math.exp((cs / damps) * (np.linalg.norm(ps) / chi_n - 1))
    return best_x, best_f, history
