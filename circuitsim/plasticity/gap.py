"""Plastic gap junctions: a :class:`PlasticModel` whose electrical synapses learn too.

One weight per junction pair, shared by both directions (see
:mod:`circuitsim._kernels.plastic_gap`). Results record the junctions' weights after
the chemical ones, in the same ``"w"`` block; ``result.meta["weights"]["type"]`` says
which entries are ``"electrical"``.
"""

from __future__ import annotations

import numpy as np

from ..errors import PlasticityError
from .model import PlasticModel
from .select import gap_pairs

__all__ = ["PlasticGapModel", "register_gap_binding"]

#: kernel parameter type -> (indptr field, index field, conductance field, state variable of the current)
_GAP_BINDINGS: dict = {}


def register_gap_binding(kernel_type, *, indptr, index, weight, variable=0):
    """Declare where a model with kernel parameters `kernel_type` keeps its gap junctions.

    The model stores them row-wise (``indptr``, ``index``, one ``weight`` per entry, both
    directions) and implements the compiled hooks ``gap_set_weight`` and ``gap_weight_jac``
    of :mod:`circuitsim._kernels.plastic_gap`; a junction's current enters the equation of
    state variable `variable` of each of its neurons.
    """
    _GAP_BINDINGS[kernel_type] = (indptr, index, weight, int(variable))


def _gap_binding(model, bkp):
    if not _GAP_BINDINGS:
        from .._kernels.graded import GradedKernelParams
        from .._kernels.ltc import LTCKernelParams

        register_gap_binding(GradedKernelParams, indptr="gap_indptr", index="gap_index", weight="g_gap")
        register_gap_binding(LTCKernelParams, indptr="g_indptr", index="g_index", weight="g_w")
    b = _GAP_BINDINGS.get(type(bkp))
    if b is None:
        raise PlasticityError(f"the {model.base.name!r} model has no gap junctions that can learn (models with "
                              "them: graded, ltc; register others with "
                              "circuitsim.plasticity.gap.register_gap_binding)")
    return b


def _colouring(n, a, b) -> np.ndarray:
    """Greedy colouring of the graph with edges ``(a, b)``: the two ends of every edge differ."""
    nbrs = [[] for _ in range(n)]
    for x, y in zip(a.tolist(), b.tolist()):
        nbrs[x].append(y)
        nbrs[y].append(x)
    color = np.full(n, -1, np.int64)
    for i in np.argsort([-len(v) for v in nbrs], kind="stable"):
        used = {color[j] for j in nbrs[i]}
        c = 0
        while c in used:
            c += 1
        color[i] = c
    return color


class PlasticGapModel(PlasticModel):
    """A :class:`PlasticModel` (possibly without plastic chemical synapses) with plastic gap junctions.

    Parameters
    ----------
    gaps : int array (mg,)
        Plastic junctions as positions in :func:`~circuitsim.plasticity.select.gap_pairs` order.
    Other parameters as :class:`PlasticModel`.
    """

    def __init__(self, base, rule, wiring, synapses, record, gaps):
        super().__init__(base, rule, wiring, synapses, record)
        a, b = gap_pairs(wiring)
        self.gaps = np.asarray(gaps, dtype=np.int64)
        self.gap_a, self.gap_b = a[self.gaps], b[self.gaps]
        self.gap_labels = (tuple(wiring.neurons[i] for i in self.gap_a), tuple(wiring.neurons[i] for i in self.gap_b))

    @property
    def mg(self) -> int:
        """Number of plastic gap junctions."""
        return len(self.gaps)

    def _gap_size(self) -> int:
        return self.mg * (1 + 2 * len(self.rule.synapse_states))

    def gap_start(self) -> int:
        """State index of the first gap-junction weight."""
        r = self.rule
        return self.n_base + self.m * (1 + len(r.synapse_states)) + len(r.neuron_states) * self.n

    def n_state(self, wiring) -> int:
        return super().n_state(wiring) + self._gap_size()

    def _n_extra(self):
        return super()._n_extra() + self._gap_size()

    def _gap_entries(self, bkp):
        indptr, index, _, _ = _gap_binding(self, bkp)
        indptr, index = np.asarray(getattr(bkp, indptr)), np.asarray(getattr(bkp, index), dtype=np.int64)
        n = self.n
        rows = np.repeat(np.arange(n), np.diff(indptr))
        keys = rows * n + index
        order = np.argsort(keys, kind="stable")

        def find(x, y):
            want = x * n + y
            pos = np.searchsorted(keys[order], want)
            ok = (pos < len(keys)) & (keys[order][np.minimum(pos, len(keys) - 1)] == want) if len(keys) else \
                np.zeros(len(want), bool)
            if not np.all(ok):
                j = int(np.flatnonzero(~ok)[0])
                raise PlasticityError(f"the {self.base.name!r} model's kernel has no gap entry "
                                      f"{self.gap_labels[0][j]} ~ {self.gap_labels[1][j]}")
            return order[pos].astype(np.int64)

        return find(self.gap_a, self.gap_b), find(self.gap_b, self.gap_a)

    def plastic_initial_state(self, circuit) -> np.ndarray:
        bkp = self.base.kernel_params(circuit)
        k_ab, _ = self._gap_entries(bkp)
        g0 = np.asarray(getattr(bkp, _gap_binding(self, bkp)[2]), dtype=np.float64)[k_ab]
        return np.concatenate([super().plastic_initial_state(circuit), np.minimum(g0, self.rule.w_max),
                               self.rule.initial_synapse_state(2 * self.mg)])

    def kernel_params(self, circuit):
        from .._kernels.plastic_gap import PlasticGapKernelParams

        kp = super().kernel_params(circuit)
        bkp = kp.base
        _, _, pre_var, post_var, _ = self._binding(bkp)
        var = _gap_binding(self, bkp)[3]
        k_ab, k_ba = self._gap_entries(bkp)
        color = _colouring(self.n, self.gap_a, self.gap_b)
        return PlasticGapKernelParams(
            kp, int(self.gap_start()), self.gap_a.copy(), self.gap_b.copy(), k_ab, k_ba,
            (var * self.n + self.gap_a).astype(np.int64), (var * self.n + self.gap_b).astype(np.int64),
            np.concatenate([self.gap_a, self.gap_b]), np.concatenate([self.gap_b, self.gap_a]), color,
            int(color.max()) + 1 if len(color) else 0, int(pre_var), int(post_var))

    def missing_stiff_hooks(self, linear="auto"):
        if linear == "iterative":
            return "circuits with plastic gap junctions solve their linear systems directly (use linear='direct' or 'auto')"
        return ""

    def linear_structure(self, circuit, linear="auto"):
        """A sparse LU on the whole Jacobian pattern: the exact elimination of the plastic
        block covers chemical synapses only, so junction weights keep the generic path."""
        from ..models.base import Model

        return Model.linear_structure(self, circuit, linear)

    def jacobian_pattern(self, kp):
        """The chemical plastic pattern, then the junctions' entries (see ``plastic_gap_jac_values``)."""
        rows, cols = super().jacobian_pattern(kp.plastic)
        q_ = kp.plastic
        mg, n, ks, kn = self.mg, self.n, q_.ks, q_.kn
        half = 2 * mg
        q = np.arange(mg)
        g0 = kp.g0
        w_rows = np.stack([kp.row_a, kp.row_b], axis=1).reshape(-1)
        w_cols = np.repeat(g0 + q, 2)
        own = [g0 + q] + [g0 + mg + k * half + s * mg + q for k in range(ks) for s in range(2)]
        zn0 = q_.n_base + q_.syn.shape[0] * (1 + ks)
        side = []
        for kind in range(kn + 2):
            base = zn0 + kind * n if kind < kn else (kp.pre_var * n if kind == kn else kp.post_var * n)
            side += [base + kp.a, base + kp.b]
        col_groups = np.stack(own + side, axis=1)  # (mg, C)
        row_groups = np.stack(own, axis=1)  # (mg, R)
        R, C = row_groups.shape[1], col_groups.shape[1]
        blk_rows = np.repeat(row_groups[:, :, None], C, axis=2).reshape(-1)
        blk_cols = np.repeat(col_groups[:, None, :], R, axis=1).reshape(-1)
        return (np.concatenate([rows, w_rows, blk_rows]).astype(np.int64),
                np.concatenate([cols, w_cols, blk_cols]).astype(np.int64))

    def extra_record(self) -> np.ndarray:
        """Recorded chemical weights, then every plastic junction's weight, then the rule's neuron traces."""
        chem = super().extra_record()
        k = len(self.record)
        gap = self.gap_start() + np.arange(self.mg)
        return np.concatenate([chem[:k], gap, chem[k:]]).astype(np.int64)

    def result_meta(self) -> dict:
        meta = super().result_meta()
        w = meta["weights"]
        a, b = self.gap_labels
        w["type"] = ["chemical"] * len(w["pre"]) + ["electrical"] * self.mg
        w["pre"] = list(w["pre"]) + list(a)
        w["post"] = list(w["post"]) + list(b)
        w["synapse"] = list(w["synapse"]) + self.gaps.tolist()
        return meta

    def batch_key(self):
        return super().batch_key() + ("gap",)

    def batch_meta(self, models) -> dict:
        for m in models:
            if not (isinstance(m, PlasticGapModel) and np.array_equal(m.gaps, self.gaps)):
                raise PlasticityError("batch members with different rules must have the same plastic gap junctions")
        return super().batch_meta(models)

    def __eq__(self, other):
        return (type(other) is PlasticGapModel and PlasticModel.__eq__(self._as_plain(), other._as_plain())
                and np.array_equal(other.gaps, self.gaps))

    def _as_plain(self):
        plain = PlasticModel.__new__(PlasticModel)
        plain.__dict__.update(self.__dict__)
        return plain

    def __hash__(self):
        return hash((type(self), self.base, self.rule, self.synapses.tobytes(), self.gaps.tobytes()))

    def __repr__(self):
        return (f"PlasticGapModel({self.base!r}, {self.rule!r}, {self.m} plastic synapses, "
                f"{self.mg} plastic gap junctions)")
