"""The statistics synthetic_brain promises, measured by independent estimators on moderate sizes."""

import numpy as np
import pytest

import connectome
from connectome.errors import WiringError
from connectome.synthetic import from_info
from connectome.large import distances, synthetic_brain


def tail_exponent(k, k_min):
    """Discrete power-law MLE of Clauset, Shalizi & Newman (2009, SIAM Rev 51:661, eq. 3.7)."""
    k = k[k >= k_min]
    return 1.0 + len(k) / np.sum(np.log(k / (k_min - 0.5)))


@pytest.fixture(scope="module")
def hubs():
    return synthetic_brain(40_000, 20, seed=3, max_degree=4000, length_scale=100.0, reciprocity=0.2,
                           inhibitory_fraction=0.3)


def test_exact_count_no_self_synapses_and_weights(hubs):
    W = hubs.chemical
    assert W.nnz == 40_000 * 20
    assert W.diagonal().sum() == 0
    assert W.data.min() >= 1 and np.all(W.data == np.round(W.data))
    assert abs(W.data.mean() - 3.0) < 0.05  # geometric, mean 3


@pytest.mark.parametrize("gamma", [2.5, 3.0])
def test_degree_tails_follow_the_requested_exponent(gamma):
    w = synthetic_brain(40_000, 20, seed=5, degree_exponent=gamma, max_degree=4000, length_scale=100.0,
                        reciprocity=0.0)
    out_deg = np.diff(w.chemical.indptr)
    in_deg = np.bincount(w.chemical.indices, minlength=w.n)
    for deg in (out_deg, in_deg):
        assert abs(tail_exponent(deg, 40) - gamma) < 0.25
        assert deg.max() > 8 * deg.mean()  # heavy tail: hubs far above the mean


def test_reciprocity_matches_a_pair_set_count(hubs):
    c = hubs.chemical.tocoo()
    pairs = set(zip(c.row.tolist(), c.col.tolist()))
    reciprocal = sum((j, i) in pairs for i, j in pairs)
    assert abs(reciprocal / len(pairs) - 0.2) < 0.002
    low = synthetic_brain(20_000, 10, seed=1, reciprocity=0.0)
    c = low.chemical.tocoo()
    pairs = set(zip(c.row.tolist(), c.col.tolist()))
    assert sum((j, i) in pairs for i, j in pairs) / len(pairs) < 0.05  # spatial baseline only


def test_dale_law_and_inhibitory_fraction(hubs):
    W, S = hubs.chemical, hubs.sign
    rows = np.repeat(np.arange(hubs.n), np.diff(W.indptr))
    inhibitory = hubs.metadata["inhibitory"].to_numpy()
    assert np.array_equal(S.data < 0, inhibitory[rows])  # one sign per presynaptic neuron
    f, n = inhibitory.mean(), hubs.n
    assert abs(f - 0.3) < 5 * np.sqrt(0.3 * 0.7 / n)


@pytest.mark.parametrize("lam", [30.0, 60.0])
def test_connection_probability_decays_exponentially_with_distance(lam):
    w = synthetic_brain(60_000, 10, seed=7, length_scale=lam, reciprocity=0.0, degree_exponent=3.0)
    c = w.chemical.tocoo()
    d = distances(w, c.row, c.col)
    cell = w.info["cell_size"]
    # pairs at distance d in a periodic cube: density ~ 4 pi d^2 for d < size / 2 (uniform somata)
    edges = np.arange(max(cell, lam), 4 * lam, lam / 4)
    counts, _ = np.histogram(d, edges)
    shell = edges[1:] ** 3 - edges[:-1] ** 3
    mid = (edges[1:] + edges[:-1]) / 2
    slope = np.polyfit(mid, np.log(counts / shell), 1)[0]
    assert abs(slope * lam + 1.0) < 0.15
    xyz = w.metadata[["x", "y", "z"]].to_numpy()
    brute = [min(np.linalg.norm(xyz[j] + np.array(shift) - xyz[i]) for shift in np.ndindex(3, 3, 3)
                 for shift in [500.0 * (np.array(shift) - 1)]) for i, j in zip(c.row[:50], c.col[:50])]
    np.testing.assert_allclose(d[:50], brute)  # minimum image over the 27 periodic copies


def test_seeded_and_rebuilt_from_info():
    a = synthetic_brain(3000, 8, seed=11, gap_junctions_per_neuron=2.0)
    assert a.equals(synthetic_brain(3000, 8, seed=11, gap_junctions_per_neuron=2.0))
    assert a.equals(from_info(a.info)) and a.info["seed"] == 11
    assert not a.equals(synthetic_brain(3000, 8, seed=12, gap_junctions_per_neuron=2.0))
    fresh = synthetic_brain(3000, 8)
    assert from_info(fresh.info).equals(fresh)
    G = a.electrical
    assert abs(G - G.T).sum() == 0 and G.diagonal().sum() == 0 and G.nnz == 2 * 3000
    assert connectome.synthetic_brain is synthetic_brain


@pytest.mark.parametrize("kwargs, match", [
    (dict(neurons=5), "neurons must be an integer >= 10"),
    (dict(neurons=100, synapses_per_neuron=30), "too dense"),
    (dict(neurons=100, synapses_per_neuron=-1), "synapses_per_neuron must be a positive number"),
    (dict(neurons=100, degree_exponent=2.0), "degree_exponent must be > 2"),
    (dict(neurons=100, reciprocity=1.5), r"reciprocity must be a number in \[0, 1\]"),
    (dict(neurons=100, inhibitory_fraction=-0.1), "inhibitory_fraction"),
    (dict(neurons=100, mean_weight=0.5), "mean_weight must be >= 1"),
    (dict(neurons=100, length_scale=0), "length_scale must be a positive number"),
    (dict(neurons=100, gap_junctions_per_neuron=-1), "gap_junctions_per_neuron"),
    (dict(neurons=100, seed=-3), "seed must be a non-negative integer"),
])
def test_bad_parameters_are_named(kwargs, match):
    kwargs = {"synapses_per_neuron": 5, **kwargs}
    with pytest.raises(WiringError, match=match):
        synthetic_brain(kwargs.pop("neurons"), kwargs.pop("synapses_per_neuron"), **kwargs)
    with pytest.raises(WiringError, match="made by synthetic_brain"):
        distances(connectome.random_sparse(10, 0.1, seed=0), [0], [1])
