"""The sparse LU with a dense trailing block, on the worm's reduced V-system, against scipy/numpy.

Both factorisations the solver uses: ``P`` alone (gap-junction pattern, the default)
and the whole Schur complement ``P + E`` (``linear="direct"``).
"""

import numpy as np
import pytest
import scipy.linalg

import connectome
from circuitsim._kernels.graded import graded_schur_assemble
from circuitsim._kernels.sparse_lu import lu_factor as _lu_factor, lu_solve
from circuitsim.presets import kunert2014
from circuitsim.solvers.sparse_lu import dense_tail as _dense_tail, minimum_degree_order, symbolic_lu


def graded_sparse_lu(c, direct=False):
    """The Rosenbrock step's linear structure of the graded circuit `c`."""
    return c.model.linear_structure(c, "direct" if direct else "iterative")


def lu_factor(lu, vals, x):
    m = lu.perm.shape[0] - lu.dense_from
    return _lu_factor(lu, vals, x, np.empty((m, m)), 0.0)


@pytest.fixture(scope="module")
def circuit():
    c = kunert2014(connectome.load("varshney2011"), {"PLML": 2000.0, "PLMR": 2000.0})
    return c, c.kernel_params()


@pytest.fixture(scope="module", params=[False, True], ids=["P", "P+E"])
def worm(circuit, request):
    c, kp = circuit
    return c, kp, graded_sparse_lu(c, direct=request.param)


def test_patterns(circuit):
    # P has the gap-junction pattern only, P + E also the synapses; the symbolic
    # fill of P is far smaller (the point of iterating on E)
    c, kp = circuit
    lp, ld = graded_sparse_lu(c), graded_sparse_lu(c, direct=True)
    assert not lp.direct and ld.direct
    assert lp.syn_pos.shape == (0,) and ld.syn_pos.shape == kp.pre_index.shape
    gap_pairs = {(i, j) for i in range(c.n) for j in kp.gap_index[kp.gap_indptr[i]:kp.gap_indptr[i + 1]]}
    assert len(gap_pairs) == kp.gap_index.shape[0]
    assert lp.lu.cols.shape[0] >= c.n + len(gap_pairs)
    assert 4 * lp.lu.cols.shape[0] < ld.lu.cols.shape[0]


def assembled(c, kp, lu, fac, seed):
    """Reduced matrix values at a perturbed state, and the same matrix as a dense (n, n) array."""
    n = c.n
    rng = np.random.default_rng(seed)
    y = c.y0 + np.r_[rng.normal(scale=5.0, size=n), np.zeros(n)]
    vals = np.zeros(lu.lu.cols.shape[0])
    graded_schur_assemble(kp, y, fac, np.empty(n), np.empty(n), lu.diag_pos, lu.gap_pos, lu.syn_pos, vals)
    S = np.zeros((n, n))
    rows = np.repeat(np.arange(n), np.diff(lu.lu.indptr))
    S[lu.lu.perm[rows], lu.lu.perm[lu.lu.cols]] = vals      # permuted CSR back to neuron order
    return vals, S


def test_worm_pattern_has_dense_tail(worm):
    c, kp, lu = worm
    n = c.n
    m = n - lu.lu.dense_from
    assert 8 <= m < n
    for r in range(lu.lu.dense_from, n):
        np.testing.assert_array_equal(lu.lu.cols[lu.lu.indptr[r + 1] - m:lu.lu.indptr[r + 1]],
                                      np.arange(lu.lu.dense_from, n))


@pytest.mark.parametrize("fac", [0.05, 2.0, 400.0])
def test_factor_matches_scipy_lu(worm, fac):
    c, kp, lu = worm
    n = c.n
    vals, S = assembled(c, kp, lu, fac, seed=1)
    assert lu_factor(lu.lu, vals, np.empty(n)) == -1
    # independent: scipy's LU of the permuted matrix; no pivoting is expected on this
    # diagonally dominant matrix, so compare L and U entry by entry
    Sp = S[np.ix_(lu.lu.perm, lu.lu.perm)]
    P, L, U = scipy.linalg.lu(Sp)
    assert np.array_equal(P, np.eye(n)), "reference pivoted; the comparison needs an unpivoted LU"
    F = np.tril(L, -1) + U
    got = np.zeros((n, n))
    rows = np.repeat(np.arange(n), np.diff(lu.lu.indptr))
    got[rows, lu.lu.cols] = vals
    np.fill_diagonal(got, 1.0 / np.diag(got))     # the factor stores reciprocal pivots
    np.testing.assert_allclose(got, F, rtol=1e-10, atol=1e-12 * np.abs(F).max())
    # nothing outside the stored pattern
    mask = np.zeros((n, n), bool)
    mask[rows, lu.lu.cols] = True
    assert np.abs(F[~mask]).max() <= 1e-12 * np.abs(F).max()


def test_solve_matches_numpy(worm):
    c, kp, lu = worm
    n = c.n
    vals, S = assembled(c, kp, lu, 3.0, seed=2)
    assert lu_factor(lu.lu, vals, np.empty(n)) == -1
    b = np.random.default_rng(3).normal(size=n)
    x = np.empty(n)
    lu_solve(lu.lu, vals, b, x, np.empty(n))
    np.testing.assert_allclose(x, np.linalg.solve(S, b), rtol=1e-10, atol=1e-12)


def test_dense_tail_matches_sparse_only_factor(worm):
    # the same matrix without a dense block (dense_from = n) gives the same solution
    c, kp, lu = worm
    n = c.n
    vals, S = assembled(c, kp, lu, 1.0, seed=4)
    plain = lu.lu._replace(dense_from=n)
    v1, v2 = vals.copy(), vals.copy()
    assert lu_factor(lu.lu, v1, np.empty(n)) == -1
    assert lu_factor(plain, v2, np.empty(n)) == -1
    np.testing.assert_allclose(v1, v2, rtol=1e-9, atol=1e-12 * np.abs(v2).max())


def test_dense_tail_on_arrow_matrix():
    # arrow matrix eliminated hub-last: the last rows become dense
    n = 12
    rows = np.r_[np.zeros(n - 1, int), np.arange(1, n), np.arange(8, 12), np.arange(9, 12)]
    cols = np.r_[np.arange(1, n), np.zeros(n - 1, int), np.arange(9, 13) % 12, np.arange(8, 11)]
    order = minimum_degree_order(n, rows, cols)
    indptr, lcols, diag = symbolic_lu(n, rows, cols, order)
    ip2, c2, d2, b = _dense_tail(n, indptr, lcols, diag, min_density=0.5, min_size=2)
    assert b < n
    for r in range(b, n):
        assert set(range(b, n)) <= set(c2[ip2[r]:ip2[r + 1]].tolist())
        assert c2[d2[r]] == r
    # the pattern only grows
    for r in range(n):
        assert set(lcols[indptr[r]:indptr[r + 1]].tolist()) <= set(c2[ip2[r]:ip2[r + 1]].tolist())
    ip3, c3, d3, b3 = _dense_tail(n, indptr, lcols, diag, min_density=1.01)
    assert b3 == n and ip3 is indptr
