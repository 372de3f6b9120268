"""Atlas metrics against slow references, hand-worked values and explicit bootstrap samples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference_atlas as ref
from circuitsim.validate import metrics


def _case(seed, n=40, ties=True):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, n).astype(float) if ties else rng.normal(size=n)
    labels = rng.random(n) < 0.4
    labels[0], labels[1] = True, False  # both classes present
    return scores, labels


# -- hand-worked values --------------------------------------------------------------
def test_auroc_hand_worked():
    # positives 0.9, 0.4; negatives 0.4, 0.1: pairs 1 + 1 + 1/2 + 1 = 3.5 of 4
    assert metrics.auroc([0.9, 0.4, 0.4, 0.1], [True, True, False, False]) == 0.875
    assert metrics.auroc([1, 2, 3], [False, True, True]) == 1.0
    assert metrics.auroc([3, 2, 1], [False, True, True]) == 0.0
    assert metrics.auroc([5, 5, 5, 5], [True, False, True, False]) == 0.5


def test_average_precision_hand_worked():
    # thresholds 0.9 (P 1, R 1/2), 0.8 (P 1/2), 0.3 (P 2/3, R 1): 1/2 * 1 + 1/2 * 2/3
    assert metrics.average_precision([0.9, 0.8, 0.3, 0.1], [True, False, True, False]) == pytest.approx(5 / 6)
    # a random (constant) ranking scores the base rate
    assert metrics.average_precision([1.0] * 8, [True, False, False, False] * 2) == pytest.approx(0.25)


def test_balanced_sign_accuracy_hand_worked():
    # up pairs: 2 of 3 right; down pair: a zero prediction is a coin flip
    assert metrics.balanced_sign_accuracy([1.0, 2.0, -1.0, 0.0], [0.3, 0.1, 0.2, -0.4]) == pytest.approx(
        (2 / 3 + 0.5) / 2)


def test_degenerate_inputs_give_nan():
    assert np.isnan(metrics.auroc([1.0, 2.0], [True, True]))
    assert np.isnan(metrics.average_precision([1.0, 2.0], [False, False]))
    assert np.isnan(metrics.spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]))
    assert np.isnan(metrics.balanced_sign_accuracy([1.0, 1.0], [0.5, 0.2]))


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="same length"):
        metrics.auroc([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="finite"):
        metrics.auroc([1.0, np.nan], [True, False])
    with pytest.raises(ValueError, match="non-negative"):
        metrics.auroc([1.0, 2.0], [True, False], weights=[1.0, -1.0])


# -- against the slow references on random tiny cases -------------------------------
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("ties", [True, False])
def test_auroc_and_ap_match_references(seed, ties):
    scores, labels = _case(seed, ties=ties)
    assert metrics.auroc(scores, labels) == pytest.approx(ref.auroc(scores, labels), abs=1e-12)
    assert metrics.average_precision(scores, labels) == pytest.approx(ref.average_precision(scores, labels),
                                                                      abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.booleans()), min_size=2, max_size=25))
def test_auroc_and_ap_match_references_property(pairs):
    scores = np.array([float(s) for s, _ in pairs])
    labels = np.array([y for _, y in pairs])
    if labels.all() or not labels.any():
        return
    assert metrics.auroc(scores, labels) == pytest.approx(ref.auroc(scores, labels), abs=1e-12)
    assert metrics.average_precision(scores, labels) == pytest.approx(ref.average_precision(scores, labels),
                                                                      abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_spearman_and_sign_match_references(seed):
    rng = np.random.default_rng(100 + seed)
    x = rng.integers(-3, 4, 30).astype(float)
    y = x + rng.normal(size=30)
    y[rng.random(30) < 0.3] *= -1
    assert metrics.spearman(x, y) == pytest.approx(ref.spearman(x, y), abs=1e-12)
    assert metrics.balanced_sign_accuracy(x, y) == pytest.approx(ref.balanced_sign_accuracy(x, y), abs=1e-12)


# -- weights are repeated samples ------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_integer_weights_equal_the_written_out_sample(seed):
    scores, labels = _case(seed)
    rng = np.random.default_rng(seed)
    reps = rng.integers(0, 4, scores.size)
    reps[0], reps[1] = 1, 1
    s, y = ref.expand(scores, reps), ref.expand(labels, reps)
    assert metrics.auroc(scores, labels, reps) == pytest.approx(ref.auroc(s, y), abs=1e-12)
    assert metrics.average_precision(scores, labels, reps) == pytest.approx(ref.average_precision(s, y), abs=1e-12)
    signed = scores - 2.5
    assert metrics.balanced_sign_accuracy(signed, np.where(labels, 1.0, -1.0), reps) == pytest.approx(
        ref.balanced_sign_accuracy(ref.expand(signed, reps), ref.expand(np.where(labels, 1.0, -1.0), reps)))
    assert metrics.spearman(signed, scores * 0.5 + np.arange(scores.size), reps) == pytest.approx(
        ref.spearman(ref.expand(signed, reps), ref.expand(scores * 0.5 + np.arange(scores.size), reps)))


def test_cluster_weights_equal_resampling_whole_clusters():
    scores, labels = _case(3, n=60)
    cluster = np.arange(60) % 7
    rng = np.random.default_rng(0)
    counts = np.stack([np.bincount(rng.integers(0, 7, 7), minlength=7) for _ in range(25)])
    w = metrics.ClusterWeights(cluster, counts)
    got_auc, got_ap = metrics.auroc(scores, labels, w), metrics.average_precision(scores, labels, w)
    for b in range(len(counts)):
        reps = counts[b][cluster]
        s, y = ref.expand(scores, reps), ref.expand(labels, reps)
        if all(y) or not any(y):
            assert np.isnan(got_auc[b])
            continue
        assert got_auc[b] == pytest.approx(ref.auroc(s, y), abs=1e-12)
        assert got_ap[b] == pytest.approx(ref.average_precision(s, y), abs=1e-12)
    # and the pair-weight form gives the same numbers
    np.testing.assert_allclose(metrics.auroc(scores, labels, counts[:, cluster]), got_auc)


def test_macro_auroc_is_the_mean_of_per_cluster_references():
    scores, labels = _case(5, n=50)
    cluster = np.arange(50) % 5
    labels[cluster == 4] = True  # one cluster without negatives is left out
    per = [ref.auroc(scores[cluster == k], labels[cluster == k]) for k in range(4)]
    assert metrics.macro_auroc(scores, labels, cluster) == pytest.approx(np.mean(per))
    counts = np.array([[2, 0, 1, 1, 3, 4], [1, 1, 1, 1, 1, 1]])  # cluster 5 has no pair at all
    got = metrics.macro_auroc(scores, labels, cluster, counts)
    assert got[0] == pytest.approx((2 * per[0] + per[2] + per[3]) / 4)
    assert got[1] == pytest.approx(np.mean(per))


def test_roc_curve_area_is_the_auroc():
    scores, labels = _case(7, ties=True)
    fpr, tpr = metrics.roc_curve(scores, labels)
    assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1
    assert np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2) == pytest.approx(ref.auroc(scores, labels))
