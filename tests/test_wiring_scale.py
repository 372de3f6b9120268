"""The O(synapses) Wiring paths against dense, obviously correct references on random wirings."""

import numpy as np
import pytest
import scipy.sparse as sp

from connectome import Wiring
from connectome.errors import WiringError


@pytest.fixture(scope="module")
def rnd():
    rng = np.random.default_rng(0)
    n = 400
    W = sp.random_array((n, n), density=0.05, rng=rng, data_sampler=lambda size: rng.integers(1, 9, size)).tocsr()
    S = W.copy()
    S.data = np.where(rng.random(W.nnz) < 0.3, -1.0, 1.0)
    G = sp.random_array((n, n), density=0.01, rng=rng).tocsr()
    G = G + G.T
    G.setdiag(np.where(rng.random(n) < 0.05, 1.0, 0.0))  # a few self-junctions
    return Wiring([f"c{i}" for i in range(n)], W, S, sp.csr_array(G), inputs=["c3", "c7"], outputs=["c9"])


def test_kernel_views_against_dense_loops(rnd):
    W, S, G = rnd.chemical.toarray(), rnd.sign.toarray(), rnd.electrical.toarray()
    view = rnd.chemical_by_post()
    for i in range(rnd.n):
        ks = range(view.post_indptr[i], view.post_indptr[i + 1])
        pre = [view.pre_index[k] for k in ks]
        assert pre == sorted(np.flatnonzero(W[:, i]).tolist())
        assert [view.weight[k] for k in ks] == W[pre, i].tolist()
        assert [view.sign[k] for k in ks] == S[pre, i].tolist()
    gap = rnd.electrical_by_neuron()
    for i in range(rnd.n):
        ks = range(gap.indptr[i], gap.indptr[i + 1])
        expect = [j for j in np.flatnonzero(G[i]) if j != i]
        assert [gap.index[k] for k in ks] == expect and [gap.weight[k] for k in ks] == G[i, expect].tolist()
    assert view.pre_index.dtype == gap.index.dtype == np.int64


def test_subset_in_any_order_against_dense_selection(rnd):
    idx = np.random.default_rng(1).permutation(rnd.n)[:150]
    names = [rnd.neurons[i] for i in idx]
    sub = rnd.subset(names)
    for got, full in ((sub.chemical, rnd.chemical), (sub.sign, rnd.sign), (sub.electrical, rnd.electrical)):
        assert np.array_equal(got.toarray(), full.toarray()[np.ix_(idx, idx)])
    assert sub.neurons == tuple(names)
    with pytest.raises(WiringError, match=r"more than once: \['c1'\]"):
        rnd.subset(["c1", "c2", "c1"])


def test_ablate_synapses_against_dense_edit(rnd):
    c = rnd.chemical.tocoo()
    g = sp.triu(rnd.electrical, k=1).tocoo()
    chem = [(rnd.neurons[i], rnd.neurons[j]) for i, j in zip(c.row[:20], c.col[:20])]
    gaps = [(rnd.neurons[i], rnd.neurons[j], "electrical") for i, j in zip(g.row[:5], g.col[:5])]
    out = rnd.ablate(synapses=chem + gaps)
    W, S, G = rnd.chemical.toarray(), rnd.sign.toarray(), rnd.electrical.toarray()
    W[c.row[:20], c.col[:20]] = 0
    S[c.row[:20], c.col[:20]] = 0
    G[g.row[:5], g.col[:5]] = G[g.col[:5], g.row[:5]] = 0
    assert np.array_equal(out.chemical.toarray(), W) and np.array_equal(out.sign.toarray(), S)
    assert np.array_equal(out.electrical.toarray(), G)
    assert out.chemical.nnz == rnd.chemical.nnz - 20


@pytest.mark.parametrize("compress", [True, False])
def test_save_load_format_3_is_exact(tmp_path, rnd, compress):
    path = tmp_path / "w.npz"
    rnd.save(path, compress=compress)
    back = Wiring.load(path)
    assert back.equals(rnd) and back.info == rnd.info
    with np.load(path) as f:
        assert int(f["format_version"]) == 3 and f["sign_values"].dtype == np.int8 and "sign_data" not in f


def test_signs_share_the_chemical_pattern(rnd):
    assert np.shares_memory(rnd.sign.indices, rnd.chemical.indices)
    assert rnd.chemical.indices.dtype == np.int32


def test_reads_format_2_files(tmp_path, rnd):
    """A file laid out as version 2 wrote it (signs as a full CSR matrix) still loads."""
    import json

    arrays = {"format_version": np.array(2), "neurons": np.array(rnd.neurons), "inputs": np.array(rnd.inputs),
              "outputs": np.array(rnd.outputs), "name": np.array("old"), "info": np.array("{}"),
              "input_channels": np.array(rnd.input_channels), "output_channels": np.array(rnd.output_channels),
              "meta_columns": np.array(json.dumps([])), "meta_dtypes": np.array(json.dumps([]))}
    for key in ("chemical", "sign", "electrical"):
        m = getattr(rnd, key)
        arrays.update({f"{key}_data": m.data, f"{key}_indices": m.indices, f"{key}_indptr": m.indptr,
                       f"{key}_shape": np.array(m.shape)})
    np.savez(tmp_path / "v2.npz", **arrays)
    assert Wiring.load(tmp_path / "v2.npz").equals(rnd)
