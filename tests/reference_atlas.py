"""Slow, obviously-correct references for the atlas metrics and baselines.

Definitions written as directly as possible: all pairs compared one by one,
thresholds visited one by one, breadth-first search by hand, explicit sums.
Nothing here imports circuitsim.validate.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def auroc(scores, labels):
    """P(score_pos > score_neg) + 1/2 P(tie), over every (positive, negative) pair."""
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    total = 0.0
    for p in pos:
        for n in neg:
            total += 1.0 if p > n else 0.5 if p == n else 0.0
    return total / (len(pos) * len(neg))


def average_precision(scores, labels):
    """sum over distinct thresholds t (largest first) of (recall(t) - recall(previous)) * precision(t)."""
    n_pos = sum(bool(y) for y in labels)
    ap, prev_recall = 0.0, 0.0
    for t in sorted(set(scores), reverse=True):
        chosen = [y for s, y in zip(scores, labels) if s >= t]
        tp = sum(bool(y) for y in chosen)
        recall, precision = tp / n_pos, tp / len(chosen)
        ap += (recall - prev_recall) * precision
        prev_recall = recall
    return ap


def spearman(x, y):
    """Pearson correlation of average ranks, ranks computed by counting."""
    def ranks(v):
        return [sum(1.0 for w in v if w < a) + (sum(1.0 for w in v if w == a) + 1) / 2 for a in v]

    rx, ry = np.array(ranks(list(x))), np.array(ranks(list(y)))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    return float((rx * ry).sum() / np.sqrt((rx ** 2).sum() * (ry ** 2).sum()))


def balanced_sign_accuracy(predicted, measured):
    """Mean of the accuracies on measured > 0 and measured < 0; a zero prediction counts 1/2."""
    accs = []
    for want in (1, -1):
        hits = []
        for p, m in zip(predicted, measured):
            if np.sign(m) == want:
                hits.append(0.5 if p == 0 else float(np.sign(p) == want))
        accs.append(sum(hits) / len(hits))
    return (accs[0] + accs[1]) / 2


def expand(values, repeats):
    """Every element repeated as often as its weight says (a bootstrap sample written out)."""
    out = []
    for v, r in zip(values, repeats):
        out.extend([v] * int(r))
    return out


def hops_bfs(n, chemical_pairs, gap_pairs, source):
    """Shortest path lengths from `source` over directed chemical (pre, post) and undirected gap edges."""
    adj = {i: set() for i in range(n)}
    for a, b in chemical_pairs:
        adj[a].add(b)
    for a, b in gap_pairs:
        adj[a].add(b)
        adj[b].add(a)
    dist = {source: 0}
    queue = deque([source])
    while queue:
        u = queue.popleft()
        for v in adj[u]:
            if v not in dist:
                dist[v] = dist[u] + 1
                queue.append(v)
    return dist


def hit_rate(measured, positive, i, j):
    """Fraction of significant pairs of responder i among measured stimulations k != j (None if none)."""
    ks = [k for k in range(measured.shape[1]) if k != j and measured[i, k]]
    if not ks:
        return None
    return sum(bool(positive[i, k]) for k in ks) / len(ks)
