"""Large synthetic connectomes with the statistics of real ones, for benchmarks and tests.

:func:`synthetic_brain` draws ``10^5`` neurons with ``10^7`` synapses in seconds and
``10^6`` with ``10^8`` within a few GiB, vectorised over synapses (no Python loop
over neurons or synapses). Its wirings have:

* **heavy-tailed in- and out-degrees** -- each neuron has an out- and an
  in-propensity drawn independently from a Pareto law with density
  ``p(a) ~ a^-gamma`` (``a >= 1``), capped so that no expected degree exceeds
  `max_degree`. Expected degrees are proportional to the propensities, so both
  degree distributions have the tail ``P(k) ~ k^-gamma`` between the mean
  degree and the cap (Chung & Lu 2002, PNAS 99:15879, with a spatial kernel);
* **distance-dependent connection probability in 3D** -- somata lie uniformly
  in a periodic cube of side `size` (µm); a synapse from ``i`` lands at distance
  ``d`` with probability proportional to ``exp(-d / length_scale)`` per unit
  volume (the displacement's length is Gamma(3, `length_scale`) distributed,
  its direction isotropic). The target is then the neuron of the grid cell
  (side ``info["cell_size"]``: ``length_scale / 2``, or larger so that a cell
  holds 64 somata on average) containing that point, chosen with probability
  proportional to its in-propensity (cells are kept in proportion to their
  summed propensity, by rejection), so distances are resolved down to the
  cell size;
* **reciprocity** -- a fraction `reciprocity` of all synapses belong to
  reciprocal pairs (``i -> j`` and ``j -> i``): after the spatial draw the
  reverses of randomly chosen one-way synapses are added. The value is exact up
  to rounding unless the spatial draw alone already exceeds it;
* **Dale's law** -- each neuron is inhibitory with probability
  `inhibitory_fraction`, and all its synapses carry its sign;
* synapse weights (synapse counts per connection) geometric with mean
  `mean_weight`; optional distance-dependent gap junctions.

The chemical synapse count is exactly ``round(neurons * synapses_per_neuron)``
distinct ``pre -> post`` pairs without self-synapses. Randomness comes from
``numpy.random.default_rng(seed)``; the seed and every parameter are stored in
``wiring.info`` so that :func:`connectome.synthetic.from_info` rebuilds the wiring.
"""

from __future__ import annotations

import numpy as np

from .errors import WiringError
from .synthetic import _fraction, _seed

__all__ = ["synthetic_brain", "distances", "BRAIN_DEFAULTS"]

#: Default parameters of :func:`synthetic_brain`.
BRAIN_DEFAULTS = dict(synapses_per_neuron=100.0, degree_exponent=2.5, max_degree=None, length_scale=50.0,
                      size=500.0, reciprocity=0.1, inhibitory_fraction=0.2, gap_junctions_per_neuron=0.0,
                      mean_weight=3.0)

_CHUNK = 1 << 21  # synapses drawn per vectorised batch (bounds temporary memory)


def _positive(name, value):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value <= 0:
        raise WiringError(f"{name} must be a positive number, got {value!r}")
    return float(value)


class _Space:
    """Somata in a periodic cube, bucketed into grid cells for target lookup."""

    def __init__(self, rng, n, size, length_scale):
        self.n, self.size, self.scale = n, size, length_scale
        self.pos = rng.random((n, 3)) * size
        # cells of side <= length_scale / 2, but with >= 64 somata each on average (so that a
        # cell's summed propensity varies little and few kernel draws are rejected)
        side = max(length_scale / 2.0, (64.0 * size**3 / n) ** (1.0 / 3.0))
        self.g = g = max(1, int(size // side))
        self.cell_size = size / g
        cell = self._cell(self.pos[:, 0], self.pos[:, 1], self.pos[:, 2])
        self.order = np.argsort(cell, kind="stable")
        self.start = np.searchsorted(cell[self.order], np.arange(g**3 + 1))

    def _cell(self, x, y, z):
        g, h = self.g, self.cell_size
        out = np.minimum((x / h).astype(np.int64), g - 1)
        out *= g
        out += np.minimum((y / h).astype(np.int64), g - 1)
        out *= g
        out += np.minimum((z / h).astype(np.int64), g - 1)
        return out

    def targets(self, rng, src, propensity_cum):
        """One target per source: ``P(j | i) ~ propensity_j * exp(-d_ij / length_scale)``.

        A point is drawn from the kernel around the source; its cell ``c`` is kept
        with probability ``B_c / max(B)`` (``B_c`` the cell's summed propensity,
        so that a cell is hit in proportion to its propensity), and the target is
        a neuron of ``c`` drawn in proportion to its propensity.
        """
        cell_total = propensity_cum[self.start[1:]] - propensity_cum[self.start[:-1]]
        accept = cell_total / cell_total.max()
        out = np.empty(src.shape[0], dtype=np.int64)
        todo = np.arange(src.shape[0])
        L = self.size
        f32 = np.float32  # displacements in single precision: half the memory traffic, ample for cell lookup
        for _ in range(10_000):
            k = todo.shape[0]
            r = rng.standard_gamma(3.0, k, dtype=f32) * f32(self.scale)
            z = rng.random(k, dtype=f32) * f32(2.0) - f32(1.0)
            phi = rng.random(k, dtype=f32) * f32(2.0 * np.pi)
            rho = r * np.sqrt(np.maximum(f32(1.0) - z * z, f32(0.0)))
            at = self.pos[src[todo]]
            cell = self._cell(np.mod(at[:, 0] + rho * np.cos(phi), L), np.mod(at[:, 1] + rho * np.sin(phi), L),
                              np.mod(at[:, 2] + r * z, L))
            keep = rng.random(k, dtype=f32) < accept[cell]
            cell, done = cell[keep], todo[keep]
            lo, hi = self.start[cell], self.start[cell + 1]
            a, b = propensity_cum[lo], propensity_cum[hi]
            pick = np.searchsorted(propensity_cum, a + rng.random(cell.shape[0]) * (b - a), side="right") - 1
            out[done] = self.order[np.clip(pick, lo, hi - 1)]
            todo = todo[~keep]
            if todo.shape[0] == 0:
                return out
        raise RuntimeError("could not place synapses: the soma grid is almost empty")  # pragma: no cover


def _draw(rng, space, weights_out, cum_in, count, *, undirected=False):
    """About `count` distinct connection keys ``pre * n + post`` (no self-connections), sorted."""
    n = space.n
    p_out = weights_out / weights_out.sum()
    keys = []
    src_counts = rng.multinomial(count, p_out)
    src = np.repeat(np.arange(n, dtype=np.int64), src_counts)
    rng.shuffle(src)
    for s in range(0, src.shape[0], _CHUNK):
        part = src[s:s + _CHUNK]
        dst = space.targets(rng, part, cum_in)
        ok = dst != part
        a, b = part[ok], dst[ok]
        if undirected:
            a, b = np.minimum(a, b), np.maximum(a, b)
        keys.append(a * n + b)
    return np.concatenate(keys) if keys else np.zeros(0, np.int64)


def _sorted_unique(a):
    """`a` sorted, without repeats (in place; faster than numpy.unique's hashing for int64 keys)."""
    a.sort()
    if a.shape[0] < 2:
        return a
    keep = np.empty(a.shape[0], dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _exactly(rng, space, weights_out, cum_in, m, have=None, *, undirected=False):
    """Exactly `m` distinct keys (sorted), topping up `have` with spatial draws and trimming at random."""
    keys = np.zeros(0, np.int64) if have is None else have
    for _ in range(50):
        short = m - keys.shape[0]
        if short <= 0:
            break
        new = _draw(rng, space, weights_out, cum_in, int(short * 1.05) + 16, undirected=undirected)
        keys = _sorted_unique(np.concatenate([keys, new]))
    else:
        raise WiringError(f"could not place {m} distinct synapses: the network is too dense for its spatial "
                          "kernel; raise length_scale or lower synapses_per_neuron / max_degree")
    if keys.shape[0] > m:
        drop = rng.choice(keys.shape[0], keys.shape[0] - m, replace=False)
        keys = np.delete(keys, drop)
    return keys


def _csr(keys, n, data):
    import scipy.sparse as sp

    pre, post = np.divmod(keys, n)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(pre, minlength=n))])
    return sp.csr_array((data, post, indptr), shape=(n, n))


def _reciprocated(keys, n):
    """Boolean mask of the keys whose reverse is also a key (`keys` sorted and distinct), in O(len(keys))."""
    m = keys.shape[0]
    A = _csr(keys, n, np.arange(1, m + 1, dtype=np.float64))  # CSR order is the keys' order
    both = A.multiply(_csr(keys, n, np.ones(m)).T.tocsr()).tocsr()
    mask = np.zeros(m, dtype=bool)
    mask[both.data.astype(np.int64) - 1] = True
    return mask


def synthetic_brain(neurons: int, synapses_per_neuron: float = 100.0, *, degree_exponent: float = 2.5,
                    max_degree: float | None = None, length_scale: float = 50.0, size: float = 500.0,
                    reciprocity: float = 0.1, inhibitory_fraction: float = 0.2,
                    gap_junctions_per_neuron: float = 0.0, mean_weight: float = 3.0, seed=None,
                    name: str = "synthetic_brain"):
    """A large spatial wiring with heavy-tailed degrees, reciprocity and Dale's law (module docstring).

    Parameters
    ----------
    neurons : int
        Number of neurons (names ``n0, n1, ...``), >= 10.
    synapses_per_neuron : float
        Mean chemical out-degree (distinct targets); the network has
        ``round(neurons * synapses_per_neuron)`` chemical synapses. At most
        ``(neurons - 1) / 4``.
    degree_exponent : float
        Tail exponent ``gamma > 2`` of ``P(k) ~ k^-gamma`` for in- and out-degrees.
    max_degree : float, optional
        Cap on a neuron's expected in- or out-degree; default
        ``min(20 * synapses_per_neuron, neurons / 10)``, and at least
        `synapses_per_neuron`.
    length_scale : float
        Decay length ``lambda`` (µm) of the connection probability
        ``~ exp(-d / lambda)``.
    size : float
        Side of the periodic cube holding the somata (µm).
    reciprocity : float in [0, 1]
        Fraction of synapses whose reverse synapse exists.
    inhibitory_fraction : float in [0, 1]
        Probability that a neuron is inhibitory (all its synapses get sign -1).
    gap_junctions_per_neuron : float
        Mean number of gap-junction partners per neuron (distance-dependent like
        the chemical synapses, uniform propensity); 0 for none.
    mean_weight : float
        Mean weight (synapse count) per connection, >= 1 (geometric law).
    seed : int, optional
        Stored in ``info["seed"]`` (drawn fresh and stored when None).
    name : str

    Returns
    -------
    Wiring
        Metadata columns ``x, y, z`` (soma position, µm, float64) and
        ``inhibitory`` (bool); ``info`` holds every parameter, the seed and the
        derived ``cell_size`` (µm).

    Raises
    ------
    WiringError
        A parameter out of range (the message names it and its limit).

    Examples
    --------
    >>> w = synthetic_brain(2000, 10, seed=1)
    >>> w.n, w.chemical.nnz
    (2000, 20000)
    """
    import pandas as pd
    import scipy.sparse as sp

    from .wiring import Wiring

    if isinstance(neurons, bool) or not isinstance(neurons, (int, np.integer)) or neurons < 10:
        raise WiringError(f"neurons must be an integer >= 10, got {neurons!r}")
    n = int(neurons)
    k = _positive("synapses_per_neuron", synapses_per_neuron)
    if k > (n - 1) / 4:
        raise WiringError(f"synapses_per_neuron={k:g} is too dense for {n} neurons (at most (neurons - 1) / 4 = "
                          f"{(n - 1) / 4:g}); use connectome.random_sparse for dense networks")
    gamma = _positive("degree_exponent", degree_exponent)
    if gamma <= 2.0:
        raise WiringError(f"degree_exponent must be > 2 (finite mean degree), got {degree_exponent!r}")
    cap = min(20.0 * k, n / 10.0) if max_degree is None else _positive("max_degree", max_degree)
    cap = max(cap, k)
    lam, L = _positive("length_scale", length_scale), _positive("size", size)
    _fraction("reciprocity", reciprocity)
    _fraction("inhibitory_fraction", inhibitory_fraction)
    gap_k = float(gap_junctions_per_neuron)
    if not np.isfinite(gap_k) or gap_k < 0 or gap_k > (n - 1) / 4:
        raise WiringError(f"gap_junctions_per_neuron must be in [0, (neurons - 1) / 4], got {gap_junctions_per_neuron!r}")
    mw = _positive("mean_weight", mean_weight)
    if mw < 1:
        raise WiringError(f"mean_weight must be >= 1 (a connection has at least one synapse), got {mean_weight!r}")
    seed = _seed(seed)
    rng = np.random.default_rng(seed)

    space = _Space(rng, n, L, lam)
    alpha = 1.0 / (gamma - 1.0)
    prop_out = (1.0 - rng.random(n)) ** -alpha
    prop_in = (1.0 - rng.random(n)) ** -alpha
    for prop in (prop_out, prop_in):  # expected degree k * a / mean(a) capped at `cap`
        np.minimum(prop, cap * prop.mean() / k, out=prop)
    cum_in = np.concatenate([[0.0], np.cumsum(prop_in[space.order])])

    m = int(round(n * k))
    m_rev = int(round(float(reciprocity) * m / 2))
    keys = _exactly(rng, space, prop_out, cum_in, m - m_rev)
    r0 = int(_reciprocated(keys, n).sum())  # reciprocal pairs the spatial draw made by itself
    n_rev = max(0, min(int(round((float(reciprocity) * m - r0) / 2)), m_rev))
    keys = _exactly(rng, space, prop_out, cum_in, m - n_rev, keys)
    one_way = np.flatnonzero(~_reciprocated(keys, n))
    flip = keys[np.sort(rng.choice(one_way, n_rev, replace=False))] if n_rev else keys[:0]
    pre, post = np.divmod(flip, n)
    keys = _sorted_unique(np.concatenate([keys, post * n + pre]))
    if keys.shape[0] < m:  # only when nearly every synapse must be reciprocal
        keys = _exactly(rng, space, prop_out, cum_in, m, keys)

    pre, post = np.divmod(keys, n)
    inhibitory = rng.random(n) < float(inhibitory_fraction)
    weight = rng.geometric(1.0 / mw, m).astype(np.float64)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(pre, minlength=n))])
    idx_t = np.int32 if n < 2**31 and m < 2**31 else np.int64
    post = post.astype(idx_t)
    indptr = indptr.astype(idx_t)
    W = sp.csr_array((weight, post, indptr), shape=(n, n))
    S = sp.csr_array((np.where(inhibitory[pre], -1.0, 1.0), post, indptr), shape=(n, n))
    del pre, keys

    G = None
    if gap_k > 0:
        pairs = _exactly(rng, space, np.ones(n), np.arange(n + 1, dtype=np.float64), int(round(n * gap_k / 2)),
                         undirected=True)
        a, b = np.divmod(pairs, n)
        gw = rng.geometric(1.0 / mw, a.shape[0]).astype(np.float64)
        G = sp.csr_array((np.r_[gw, gw], (np.r_[a, b], np.r_[b, a])), shape=(n, n))

    names = [f"n{i}" for i in range(n)]
    meta = pd.DataFrame({"x": space.pos[:, 0], "y": space.pos[:, 1], "z": space.pos[:, 2],
                         "inhibitory": inhibitory}, index=pd.Index(names, name="name"))
    info = {"generator": "synthetic_brain", "neurons": n, "synapses_per_neuron": k, "degree_exponent": gamma,
            "max_degree": None if max_degree is None else float(max_degree), "length_scale": lam, "size": L,
            "reciprocity": float(reciprocity), "inhibitory_fraction": float(inhibitory_fraction),
            "gap_junctions_per_neuron": gap_k, "mean_weight": mw, "seed": seed,
            "cell_size": space.cell_size}
    return Wiring(names, W, S, G, (), (), meta, name, info=info)


def distances(wiring, pre, post) -> np.ndarray:
    """Minimum-image soma distances (µm, float64) of the pairs ``pre[k] -> post[k]`` of a synthetic brain.

    Parameters
    ----------
    wiring : Wiring
        Made by :func:`synthetic_brain` (metadata ``x, y, z`` and ``info["size"]``).
    pre, post : ndarray of int
        Neuron positions.
    """
    if wiring.info.get("generator") != "synthetic_brain":
        raise WiringError("distances needs a wiring made by synthetic_brain (periodic soma positions)")
    xyz = wiring.metadata[["x", "y", "z"]].to_numpy()
    d = np.abs(xyz[np.asarray(pre)] - xyz[np.asarray(post)])
    size = float(wiring.info["size"])
    d = np.minimum(d, size - d)
    return np.sqrt((d * d).sum(axis=1))
