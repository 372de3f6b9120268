"""Naive predictors of the atlas, scored by the same code as the models.

Each returns a :class:`Prediction`: a matrix ``P[responding, stimulated]``
aligned to an :class:`~circuitsim.validate.target.AtlasTarget` whose absolute
value ranks pairs for detection (larger = more likely to respond) and, for
signed predictors, whose sign predicts the sign of the response.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import AnalysisError

__all__ = ["Prediction", "direct_synapse", "hops", "linear_propagation", "hit_rate", "soma_distance",
           "soma_positions", "pair_distances", "all_baselines"]


@dataclasses.dataclass(frozen=True, eq=False)
class Prediction:
    """A predicted response matrix aligned to a target.

    Attributes
    ----------
    name : str
    values : ndarray (n_responding, n_stimulated)
        NaN where the predictor says nothing (the pair is then not scored).
    signed : bool
        Whether the sign of `values` is a prediction (Spearman and sign metrics
        are NaN for unsigned predictors).
    """

    name: str
    values: np.ndarray
    signed: bool = True


def _index(wiring, names):
    pos = {n: k for k, n in enumerate(wiring.neurons)}
    return np.array([pos.get(n, -1) for n in names], dtype=np.int64)


def _align(matrix_post_pre, wiring, target):
    """``M[post, pre]`` over wiring neurons -> ``P[responding, stimulated]`` (NaN for absent neurons)."""
    rows, cols = _index(wiring, target.responding), _index(wiring, target.stimulated)
    out = np.full(target.shape, np.nan)
    ok_r, ok_c = rows >= 0, cols >= 0
    out[np.ix_(ok_r, ok_c)] = np.asarray(matrix_post_pre)[np.ix_(rows[ok_r], cols[ok_c])]
    return out


def _signed_coupling(wiring):
    """Dense ``A[post, pre]``: signed chemical weights plus (positive) gap-junction weights."""
    A = wiring.signed_chemical().toarray().T + wiring.electrical.toarray()
    np.fill_diagonal(A, 0.0)
    return A


def direct_synapse(wiring, target) -> Prediction:
    """Signed count of direct contacts from the stimulated to the responding neuron.

    Chemical synapses ``stimulated -> responding`` with their sign plus gap
    junctions between the two (counted positive); 0 without a contact.
    """
    return Prediction("direct synapse", _align(_signed_coupling(wiring), wiring, target), signed=True)


def hops(wiring, target) -> Prediction:
    """Minus the shortest-path length from the stimulated to the responding neuron.

    Paths follow chemical synapses (pre -> post) and gap junctions (both
    ways). Stored as ``1 / hops`` (same ranking as ``-hops``; 0 when there is no
    path), unsigned.
    """
    from scipy.sparse.csgraph import shortest_path

    A = (wiring.chemical != 0).astype(float) + (wiring.electrical != 0).astype(float)  # [pre, post]
    D = shortest_path(A, method="D", unweighted=True, directed=True)  # D[pre, post]
    with np.errstate(divide="ignore"):
        inv = np.where(np.isfinite(D) & (D > 0), 1.0 / D, 0.0)
    return Prediction("-hops", _align(inv.T, wiring, target), signed=False)


def linear_propagation(wiring, target, gain: float = 0.9) -> Prediction:
    """Steady-state response of a linear network: ``(I - gain * A / rho(|A|))^-1``.

    ``A[post, pre]`` is the signed coupling of :func:`direct_synapse`; ``rho`` the
    spectral radius of ``|A|`` (so the series converges for ``0 < gain < 1``).

    Parameters
    ----------
    gain : float
        In (0, 1): how far signals travel (near 1: far).
    """
    if not 0 < gain < 1:
        raise AnalysisError(f"gain must be in (0, 1), got {gain!r}")
    A = _signed_coupling(wiring)
    rho = float(np.max(np.abs(np.linalg.eigvals(np.abs(A))))) if A.any() else 1.0
    M = np.linalg.solve(np.eye(len(A)) - gain * A / rho, np.eye(len(A)))
    np.fill_diagonal(M, 0.0)
    return Prediction("linear propagation", _align(M, wiring, target), signed=True)


def hit_rate(target, train_stimulated=None, evidence=None) -> Prediction:
    """How often the responding neuron responded to *other* stimulations.

    For the pair (i, j): the fraction of i's measured pairs with ``q < alpha``
    among stimulations ``k != j`` (restricted to `train_stimulated` when given,
    so that held-out columns never inform each other), signed by the sign of
    i's mean dF/F over those pairs. The pair itself never enters its own
    prediction. Neurons without other measurements get the overall rate.

    Parameters
    ----------
    target : AtlasTarget
        The pairs to predict.
    train_stimulated : iterable of str, optional
        Stimulated neurons whose columns may be used (default: all).
    evidence : AtlasTarget, optional
        The atlas the rates are counted on (default: `target`); pass the whole
        atlas when `target` holds only held-out columns.
    """
    if evidence is not None:
        full = hit_rate(evidence, train_stimulated)
        rows = [evidence.responding.index(n) for n in target.responding]
        cols = [evidence.stimulated.index(n) for n in target.stimulated]
        return Prediction("hit rate", full.values[np.ix_(rows, cols)], signed=True)
    measured = target.measured
    hits = target.positive.astype(float)
    dff = np.where(measured, target.dff, 0.0)
    use = np.ones(len(target.stimulated), dtype=bool)
    if train_stimulated is not None:
        keep = set(train_stimulated)
        use = np.array([s in keep for s in target.stimulated])
    m, h, d = measured * use, hits * use, dff * use
    n_all, h_all, d_all = m.sum(1, keepdims=True), h.sum(1, keepdims=True), d.sum(1, keepdims=True)
    n_other, h_other, d_other = n_all - m, h_all - h, d_all - d   # leave the pair's own column out
    overall = h.sum() / max(m.sum(), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n_other > 0, h_other / n_other, overall)
    sign = np.where(d_other < 0, -1.0, 1.0)
    return Prediction("hit rate", rate * sign, signed=True)


def soma_positions(neurons=None):
    """Soma positions (µm) of the packaged neuron table (``x, y, z`` columns), indexed by name."""
    import connectome

    table = connectome.load("cook2019_herm").neurons[["x", "y", "z"]]
    return table if neurons is None else table.reindex(list(neurons))


def pair_distances(target, positions=None):
    """Distance (µm) between the somata of every pair, ``D[responding, stimulated]``.

    Parameters
    ----------
    target : AtlasTarget
    positions : pandas.DataFrame, optional
        ``x, y, z`` by neuron name (default :func:`soma_positions`); NaN where unknown.
    """
    if positions is None:
        positions = soma_positions()
    rows = positions.reindex(list(target.responding))[["x", "y", "z"]].to_numpy(dtype=float)
    cols = positions.reindex(list(target.stimulated))[["x", "y", "z"]].to_numpy(dtype=float)
    return np.sqrt(((rows[:, None, :] - cols[None, :, :]) ** 2).sum(axis=-1))


def soma_distance(target, positions=None) -> Prediction:
    """Minus the distance between the two somata, stored as ``1 / (1 + d)`` (same ranking), unsigned.

    Parameters
    ----------
    positions : pandas.DataFrame, optional
        ``x, y, z`` (µm) indexed by neuron name; default :func:`soma_positions`.
    """
    d = pair_distances(target, positions)
    return Prediction("-soma distance", 1.0 / (1.0 + d), signed=False)


def all_baselines(wiring, target, *, positions=None, train_stimulated=None, evidence=None,
                  gain: float = 0.9) -> dict:
    """Every baseline, by name: direct synapse, -hops, linear propagation, hit rate, -soma distance.

    `train_stimulated` and `evidence` are passed to :func:`hit_rate`.
    """
    preds = [direct_synapse(wiring, target), hops(wiring, target), linear_propagation(wiring, target, gain),
             hit_rate(target, train_stimulated, evidence), soma_distance(target, positions)]
    return {p.name: p for p in preds}
