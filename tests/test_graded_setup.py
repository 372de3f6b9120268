"""Iterative set-up of the graded network against the direct (SuperLU) solve and dense references."""

import numpy as np
import pytest
import scipy.sparse as sp

import connectome
from circuitsim.errors import ParameterError
from circuitsim.models.graded import GradedParams, resting_state, thresholds
from circuitsim.models.graded_setup import resting_method, threshold_method
from circuitsim.steady_state import (
    DIRECT_MAX_NEURONS,
    SteadyStateError,
    newton_gmres,
    pcg_jacobi,
    predicted_fill,
)
from reference_graded import ReferenceGraded

P = GradedParams()


def rel(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


@pytest.fixture(scope="module")
def worm():
    return connectome.Wiring.from_connectome(connectome.load("varshney2011"))


def ring(n, k, kg, seed):
    """Chemical synapses to neighbours within 40 places on a ring, gap junctions within 8: little fill."""
    rng = np.random.default_rng(seed)
    pre = np.repeat(np.arange(n), k)
    post = (pre + rng.integers(1, 40, n * k) * rng.choice([-1, 1], n * k)) % n
    W = sp.csr_array((rng.integers(1, 6, n * k).astype(float), (pre, post)), shape=(n, n))
    W.sum_duplicates()
    S = W.copy()
    S.data = np.where(rng.random(W.nnz) < 0.2, -1.0, 1.0)
    a = np.repeat(np.arange(n), kg)
    G = sp.csr_array((np.ones(n * kg), (a, (a + rng.integers(1, 8, n * kg)) % n)), shape=(n, n))
    return connectome.Wiring([f"n{i}" for i in range(n)], W, S, G + G.T)


def stimulus(w, names, pA):
    current = np.zeros(w.n)
    current[w.index_of(names)] = pA
    return current


def test_worm_iterative_agrees_with_direct_and_dense_reference(worm):
    plm = stimulus(worm, ["PLML", "PLMR"], 2000.0)
    for current in (None, plm):
        direct = thresholds(P, worm, current, method="direct")
        iterative = thresholds(P, worm, current, method="iterative")
        assert rel(iterative, direct) < 1e-8
        assert rel(iterative, ReferenceGraded(worm).thresholds(current)) < 1e-8
    vth = thresholds(P, worm, plm)
    for current in (None, 0.05 * plm):
        direct = resting_state(P, worm, vth, current, method="direct")
        for pre in ("jacobi", "ilu"):
            iterative = resting_state(P, worm, vth, current, method="iterative", preconditioner=pre)
            assert rel(iterative, direct) < 1e-8
    assert np.max(np.abs(direct[:worm.n] - vth)) > 1.0  # Newton had real work to do


def test_ten_thousand_neurons_iterative_agrees_with_direct():
    w = ring(10_000, 20, 2, seed=0)
    current = stimulus(w, list(w.neurons[:50]), 300.0)
    vth = {m: thresholds(P, w, current, method=m) for m in ("direct", "iterative")}
    assert rel(vth["iterative"], vth["direct"]) < 1e-8
    for cur in (None, 0.1 * current):
        y = {m: resting_state(P, w, vth["direct"], cur, method=m) for m in ("direct", "iterative")}
        assert rel(y["iterative"], y["direct"]) < 1e-8
        assert np.max(np.abs(y["direct"][:w.n] - vth["direct"])) > 1e-3


def test_auto_keeps_direct_for_small_or_low_fill_and_goes_iterative_on_random_graphs(worm):
    assert worm.n <= DIRECT_MAX_NEURONS
    assert threshold_method("auto", worm) == resting_method("auto", worm) == "direct"
    banded = ring(3000, 10, 2, seed=1)
    assert threshold_method("auto", banded) == resting_method("auto", banded) == "direct"
    rnd = connectome.random_sparse(3000, 20 / 3000, seed=2)
    assert threshold_method("auto", rnd) == "direct"  # no gap junctions: a diagonal system
    assert resting_method("auto", rnd) == "iterative"
    assert threshold_method("iterative", worm) == "iterative" and resting_method("direct", rnd) == "direct"


def test_auto_result_is_the_direct_result_bit_for_bit_on_the_worm(worm):
    vth = thresholds(P, worm, stimulus(worm, ["PLML"], 1000.0))
    assert np.array_equal(vth, thresholds(P, worm, stimulus(worm, ["PLML"], 1000.0), method="direct"))
    assert np.array_equal(resting_state(P, worm, vth), resting_state(P, worm, vth, method="direct"))


def envelope_reference(A):
    """Envelope of (|A| + |A|^T) after scipy's RCM, by a loop over rows."""
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    B = sp.csr_array(abs(sp.csr_array(A)) + abs(sp.csr_array(A)).T)
    n = B.shape[0]
    perm = reverse_cuthill_mckee(B, symmetric_mode=True)
    C = B[perm][:, perm].toarray() != 0
    total = 0
    for i in range(n):
        cols = np.flatnonzero(C[i, :i + 1])
        total += i - (cols.min() if len(cols) else i) + 1
    return total


def test_predicted_fill_against_reference():
    rng = np.random.default_rng(3)
    A = sp.random_array((60, 60), density=0.05, rng=rng)
    assert predicted_fill(A) == envelope_reference(A)
    n = 50
    tri = sp.diags_array([np.ones(n - 1), np.ones(n), np.ones(n - 1)], offsets=[-1, 0, 1])
    assert predicted_fill(tri) == 2 * n - 1
    assert predicted_fill(sp.csr_array((n, n))) == n


def test_bad_method_and_preconditioner_are_named(worm):
    with pytest.raises(ParameterError, match="method must be one of.*'iterativ'.*did you mean 'iterative'"):
        thresholds(P, worm, method="iterativ")
    with pytest.raises(ParameterError, match="preconditioner must be one of.*did you mean 'ilu'"):
        resting_state(P, worm, thresholds(P, worm), preconditioner="iLU0")


def test_non_convergence_is_reported(worm):
    A = sp.diags_array(np.arange(1.0, 101.0))
    b = np.ones(100)
    lap = sp.diags_array([-np.ones(99), 2.0001 * np.ones(100), -np.ones(99)], offsets=[-1, 0, 1]).tocsr()
    with pytest.raises(SteadyStateError, match="did not solve the linear system in 2 iterations.*method='direct'"):
        pcg_jacobi(lambda x: lap @ x, lap.diagonal(), b, maxiter=2)
    np.testing.assert_allclose(pcg_jacobi(lambda x: A @ x, A.diagonal(), b), 1 / np.arange(1.0, 101.0))

    def residual(x):
        return x * x + 1.0, None  # no real root

    def linearise(x, aux):
        return (lambda v: 2 * x * np.ravel(v)), 2 * x, None

    with pytest.raises(SteadyStateError, match="no test root found by Newton's method in 5 iterations"):
        newton_gmres(residual, linearise, np.array([0.3, 1.1, 2.3]), max_iter=5, what="test root")
    root = newton_gmres(lambda x: (x * x - 4.0, None), linearise, np.array([0.5, 3.0, 10.0]))
    np.testing.assert_allclose(root, 2.0, rtol=1e-12)
    with pytest.raises(ParameterError, match="no resting equilibrium found"):
        resting_state(P, worm, thresholds(P, worm), stimulus(worm, ["PLML"], 10.0), method="iterative",
                      max_iter=0)
