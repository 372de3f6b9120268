"""A circuit whose chemical weights learn: the plastic wrapper model and ``Circuit.with_plasticity``.

:class:`PlasticModel` wraps a base model (graded, CTRNN, LTC or any model that provides
the hooks of :mod:`circuitsim._kernels.plastic`). Its state is the base state followed
by the weight magnitudes of the plastic synapses and the rule's traces; every engine
solver integrates it, dense output included.
"""

from __future__ import annotations

import numpy as np

from ..errors import NoSuchSynapseError, PlasticityError
from ..models.base import Model
from .rules import Rule
from .select import synapse_indices

__all__ = ["PlasticModel", "with_plasticity", "register_plastic_binding"]

#: kernel parameter type name -> (weight field, signed, pre variable, post variable, jacobian pattern or None)
_BINDINGS: dict = {}


def register_plastic_binding(kernel_type, weight_field, *, signed, pre_variable, post_variable, pattern=None):
    """Declare how plastic synapses attach to a model with kernel parameters `kernel_type`.

    Parameters
    ----------
    kernel_type : type
        The model's kernel NamedTuple (it must also implement the compiled hooks
        ``activity``, ``set_weight`` and ``weight_jac`` of :mod:`circuitsim._kernels.plastic`).
    weight_field : str
        Field holding the per-synapse weights (synapses grouped by post: ``post_indptr``, ``pre_index``).
    signed : bool
        The field stores signed weights (CTRNN) rather than magnitudes (conductances).
    pre_variable, post_variable : int
        State variable each activity reads (the graded network: ``s`` = 1 before, ``V`` = 0 after).
    pattern : callable, optional
        ``pattern(kp) -> (rows, cols)`` of the model's compiled ``jac_values`` when its own
        ``jacobian_pattern`` does not give it.
    """
    _BINDINGS[kernel_type] = (weight_field, bool(signed), int(pre_variable), int(post_variable), pattern)


def _shipped_bindings():
    if _BINDINGS:
        return
    from .._kernels.ctrnn import CTRNNKernelParams
    from .._kernels.graded import GradedKernelParams
    from .._kernels.ltc import LTCKernelParams
    from .._kernels.plastic_models import graded_jacobian_pattern

    register_plastic_binding(GradedKernelParams, "g_syn", signed=False, pre_variable=1, post_variable=0,
                             pattern=graded_jacobian_pattern)
    register_plastic_binding(CTRNNKernelParams, "weight", signed=True, pre_variable=0, post_variable=0)
    register_plastic_binding(LTCKernelParams, "w", signed=False, pre_variable=0, post_variable=0)


class PlasticModel(Model):
    """A base model plus plastic chemical synapses (see the module docstring).

    Parameters
    ----------
    base : Model
    rule : Rule
    wiring : connectome.Wiring
    synapses : int array (m,)
        Plastic synapses as positions in the CSR order of ``wiring.chemical``.
    record : int array
        Which of the plastic synapses' weights results record (positions into `synapses`).
    """

    name = "plastic"

    def __init__(self, base: Model, rule: Rule, wiring, synapses, record):
        self.base = base
        self.rule = rule
        self.n = wiring.n
        self.synapses = np.asarray(synapses, dtype=np.int64)
        self.record = np.asarray(record, dtype=np.int64)
        chem = wiring.chemical
        pre = np.repeat(np.arange(wiring.n), np.diff(chem.indptr))[self.synapses]
        post = chem.indices[self.synapses].astype(np.int64)
        self.pre, self.post = pre, post
        self.labels = (tuple(wiring.neurons[i] for i in pre), tuple(wiring.neurons[i] for i in post))
        self.n_base = base.n_state(wiring)
        self.state_names = base.state_names
        self.state_units = base.state_units
        self.params_type = base.params_type
        self.input_units = base.input_units
        self.time_units = base.time_units
        self.initial_state_names = base.initial_state_names

    # -- sizes --------------------------------------------------------------------------
    @property
    def m(self) -> int:
        """Number of plastic synapses."""
        return len(self.synapses)

    def n_state(self, wiring) -> int:
        r = self.rule
        return self.n_base + self.m * (1 + len(r.synapse_states)) + len(r.neuron_states) * wiring.n

    def weight_slice(self) -> slice:
        """Where the weight magnitudes live in the state vector."""
        return slice(self.n_base, self.n_base + self.m)

    # -- delegated to the base model -------------------------------------------------------
    def default_params(self, wiring):
        return self.base.default_params(wiring)

    def bind(self, params, wiring):
        return self.base.bind(params, wiring)

    def on_drive(self, params, wiring, drive):
        if self.rule.modulated:  # the neuromodulator is no current into a neuron
            import dataclasses

            keep = [s for s in drive.stimuli if self.rule.channel not in getattr(s, "neurons", ())]
            try:
                drive = dataclasses.replace(drive, stimuli=keep)
            except TypeError:  # pragma: no cover - a drive type that is not a dataclass
                pass
        return self.base.on_drive(params, wiring, drive)

    def display(self, circuit):
        return self.base.display(circuit)

    def default_solver(self):
        return self.base.default_solver()

    def input_names(self, wiring) -> tuple:
        names = tuple(self.base.input_names(wiring))
        return names + (self.rule.channel,) if self.rule.modulated else names

    def plastic_initial_state(self, circuit) -> np.ndarray:
        """Weights from the wiring and the base parameters, then the rule's initial traces."""
        # a wiring weight above w_max starts at the bound (the network never uses more)
        w0 = np.minimum(np.abs(self._weights(self.base.kernel_params(circuit))), self.rule.w_max)
        return np.concatenate([w0, self.rule.initial_synapse_state(self.m), self.rule.initial_neuron_state(self.n)])

    def default_initial_state(self, circuit) -> np.ndarray:
        return np.concatenate([self.base.default_initial_state(circuit), self.plastic_initial_state(circuit)])

    def named_initial_state(self, circuit, name):
        return np.concatenate([self.base.named_initial_state(circuit, name), self.plastic_initial_state(circuit)])

    # -- kernel ------------------------------------------------------------------------------
    def _binding(self, bkp):
        _shipped_bindings()
        b = _BINDINGS.get(type(bkp))
        if b is None:
            raise PlasticityError(f"the {self.base.name!r} model provides no pre- and postsynaptic activities, so "
                                  f"the {type(self.rule).__name__} rule cannot run on it (register them with "
                                  "circuitsim.plasticity.register_plastic_binding)")
        return b

    def _kernel_index(self, bkp):
        """Kernel position (post-major order) of each plastic synapse."""
        n = self.n
        post_k = np.repeat(np.arange(n), np.diff(bkp.post_indptr))
        keys = np.asarray(bkp.pre_index, dtype=np.int64) * n + post_k
        order = np.argsort(keys, kind="stable")
        want = self.pre * n + self.post
        pos = np.searchsorted(keys[order], want)
        return order[pos].astype(np.int64)

    def _weights(self, bkp):
        field = self._binding(bkp)[0]
        return np.asarray(getattr(bkp, field), dtype=np.float64)[self._kernel_index(bkp)]

    def kernel_params(self, circuit):
        from .._kernels.plastic import PlasticKernelParams

        bkp = self.base.kernel_params(circuit)
        field, signed, _, post_var, _ = self._binding(bkp)
        idx = self._kernel_index(bkp)
        w = np.asarray(getattr(bkp, field), dtype=np.float64)[idx]
        if signed:
            sign = np.sign(w)
            wsign = circuit.wiring.sign.data[self.synapses] if hasattr(circuit.wiring.sign, "data") else 1.0
            sign = np.where(sign == 0, np.sign(wsign) if np.ndim(wsign) else 1.0, sign)
            sign = np.where(sign == 0, 1.0, sign)
        else:
            sign = np.ones(self.m)
        r = self.rule
        sides = np.array([1 if s == "pre" else 0 for s in r.neuron_sides], dtype=np.int64)
        n_jac = len(self._base_pattern(bkp)[0]) if self._base_pattern(bkp) is not None else 0
        mod = len(self.base.input_names(circuit.wiring)) if r.modulated else -1
        return PlasticKernelParams(
            bkp, r.kernel(), int(self.n_base), int(self.n), idx, self.pre.copy(), self.post.copy(),
            (post_var * self.n + self.post).astype(np.int64), np.ascontiguousarray(sign, dtype=np.float64),
            float(r.w_max), r.bounds == "soft", len(r.synapse_states), len(r.neuron_states), int(mod), sides,
            int(n_jac))

    # -- stiff solvers -------------------------------------------------------------------------
    def _base_pattern(self, bkp):
        b = self._binding(bkp)
        if b[4] is not None:
            return b[4](bkp)
        return self.base.jacobian_pattern(bkp)

    def missing_stiff_hooks(self, linear="auto"):
        if linear == "iterative":
            return self.base.missing_stiff_hooks(linear)  # only the graded network iterates
        return ""

    def linear_structure(self, circuit, linear="auto"):
        """Linear systems of the Rosenbrock step with the plastic block eliminated exactly.

        See :mod:`circuitsim._kernels.plastic_linear`. The weights and traces are
        eliminated per synapse and per neuron (every shipped rule, neuron traces
        included, is synapse-local), which leaves the base model's own system with a
        few extra entries per synapse on the activity entries of its two neurons. The
        graded network keeps its reduced system (``s`` eliminated, then ``V``, direct or
        iterative as `linear` chooses, as without plasticity); other models get a sparse
        LU on their Jacobian pattern plus any entries it lacks. The linear solve stays
        exact, so Rosenbrock keeps its order.
        """
        from .._kernels.graded import GradedKernelParams
        from .._kernels.plastic_linear import PlasticElimination, PlasticGradedLinear, PlasticLULinear

        kp = circuit.kernel_params()
        bkp = kp.base
        _, _, pre_var, post_var, _ = self._binding(bkp)
        n, m = self.n, self.m
        slots = np.stack([pre_var * n + self.pre, post_var * n + self.pre, pre_var * n + self.post,
                          post_var * n + self.post], axis=1).astype(np.int64)
        ar = np.arange(n)
        neuron_cols = np.stack([pre_var * n + ar, post_var * n + ar], axis=1).astype(np.int64)
        r = self.rule
        gs, kn = 1 + len(r.synapse_states), len(r.neuron_states)
        elim = PlasticElimination(slots, neuron_cols, int(m + m * gs * (gs + kn + 2) + n * kn * (kn + 2)))
        if isinstance(bkp, GradedKernelParams):
            graded = self.base.linear_structure(_KernelView(bkp, self.n_base), linear)
            return PlasticGradedLinear(graded, elim)
        from ..solvers.sparse_lu import jacobian_linear

        base = self._base_pattern(bkp)
        if base is None:
            raise PlasticityError(f"the {self.base.name!r} model has no Jacobian pattern for stiff solvers")
        rows, cols = (np.asarray(a, np.int64) for a in base)
        want_r = np.repeat(np.asarray(kp.row, np.int64), 4)
        want_c = slots.reshape(-1)
        N = self.n_base
        have = set((rows * N + cols).tolist())
        keys = want_r * N + want_c
        new = np.unique(keys[~np.isin(keys, list(have))]) if len(have) else np.unique(keys)
        # the base pattern first and unchanged, so a rate of 0 factorises the non-plastic matrix
        all_r = np.concatenate([rows, new // N])
        all_c = np.concatenate([cols, new % N])
        J = jacobian_linear(N, all_r, all_c)
        key_all = all_r * N + all_c
        order = np.argsort(key_all, kind="stable")
        where = order[np.searchsorted(key_all[order], keys)]
        extra_pos = J.entry_pos[where].reshape(m, 4)
        return PlasticLULinear(J.lu, J.diag_pos, J.entry_pos[:len(rows)].copy(), extra_pos.astype(np.int64),
                               J.pivot_tol, elim)

    def stiff_tolerances(self):
        rtol, atol = self.base.stiff_tolerances()
        names, n = self.base.state_names, self.n

        def full(tol, fallback, plastic):
            if isinstance(tol, dict):
                base = np.repeat([tol.get(v, fallback) for v in names], n)
            else:
                base = np.broadcast_to(np.asarray(tol, dtype=np.float64), (self.n_base,))
            extra = self._n_extra()
            return np.concatenate([base, np.full(extra, plastic)]).astype(np.float64)

        rt = full(rtol, 1e-6, 1e-6)
        return rt, full(atol, 1e-9, 1e-9)

    def _n_extra(self):
        r = self.rule
        return self.m * (1 + len(r.synapse_states)) + len(r.neuron_states) * self.n

    def jacobian_pattern(self, kp):
        bkp = kp.base
        base = self._base_pattern(bkp)
        if base is None:
            raise PlasticityError(f"the {self.base.name!r} model has no Jacobian pattern for stiff solvers")
        rows, cols = [np.asarray(base[0], np.int64)], [np.asarray(base[1], np.int64)]
        _, _, pre_var, post_var, _ = self._binding(bkp)
        n, m, nb = self.n, self.m, self.n_base
        ks, kn = kp.ks, kp.kn
        gs = 1 + ks
        q = np.arange(m)
        rows.append(kp.row)
        cols.append(nb + q)
        pre_col = pre_var * n + self.pre
        post_col = post_var * n + self.post
        R, C = [], []  # per synapse, rows r_, then groups g (the kernel's order)
        g_cols = [nb + g * m + q for g in range(gs)]
        g_cols += [nb + gs * m + j * n + (self.pre if kp.sides[j] == 1 else self.post) for j in range(kn)]
        g_cols += [pre_col, post_col]
        ng = gs + kn + 2
        for r_ in range(gs):
            for g in range(ng):
                R.append(np.full((m,), 0, np.int64) + nb + r_ * m + q)
                C.append(g_cols[g])
        # kernel order: q-major, then r_, then g
        Rm = np.stack(R, axis=1).reshape(m, gs * ng) if R else np.zeros((m, 0), np.int64)
        Cm = np.stack(C, axis=1).reshape(m, gs * ng) if C else np.zeros((m, 0), np.int64)
        rows.append(Rm.reshape(-1))
        cols.append(Cm.reshape(-1))
        if kn:
            i = np.arange(n)
            nr, nc = [], []
            for r_ in range(kn):
                for g in range(kn + 2):
                    nr.append(nb + gs * m + r_ * n + i)
                    nc.append(nb + gs * m + g * n + i if g < kn else (pre_var * n + i if g == kn else post_var * n + i))
            rows.append(np.stack(nr, axis=1).reshape(-1))
            cols.append(np.stack(nc, axis=1).reshape(-1))
        return np.concatenate(rows), np.concatenate(cols)

    # -- results ----------------------------------------------------------------------------
    def extra_record(self) -> np.ndarray:
        """State indices of the recorded weights (appended after the neuron columns of results)."""
        r = self.rule
        start = self.n_base + self.m * (1 + len(r.synapse_states))
        traces = np.arange(start, start + len(r.neuron_states) * self.n)
        return np.concatenate([self.n_base + self.record, traces]).astype(np.int64)

    def result_meta(self) -> dict:
        """Labels of the recorded weights, stored with results."""
        pre, post = self.labels
        return {"weights": {"pre": [pre[i] for i in self.record], "post": [post[i] for i in self.record],
                            "synapse": self.synapses[self.record].tolist(), "rule": self.rule.describe(),
                            "unit": "kernel weight magnitude"},
                "traces": {name: k for k, name in enumerate(self.rule.neuron_states)}}

    mutates_params = True  # its compiled field writes the base weights: members never share them

    def plastic_spec(self) -> dict:
        """What rebuilds this model on its wiring (saved with results): the rule and the selections."""
        r = self.rule
        spec = {"rule": r.describe(), "rule_class": f"{type(r).__module__}:{type(r).__qualname__}",
                "synapses": self.synapses.tolist(), "record": self.record.tolist()}
        if getattr(self, "gaps", None) is not None and len(self.gaps):
            spec["gap_junctions"] = self.gaps.tolist()
        return spec

    @classmethod
    def from_spec(cls, base, wiring, spec) -> "PlasticModel":
        """Inverse of :meth:`plastic_spec` (the rule class is imported from where it was defined)."""
        import importlib

        module, qualname = spec["rule_class"].split(":")
        rule_cls = importlib.import_module(module)
        for part in qualname.split("."):
            rule_cls = getattr(rule_cls, part)
        kw = {k: v for k, v in spec["rule"].items() if k != "rule"}
        args = (base, rule_cls(**kw), wiring, np.asarray(spec["synapses"], dtype=np.int64),
                np.asarray(spec["record"], dtype=np.int64))
        if spec.get("gap_junctions"):
            from .gap import PlasticGapModel

            return PlasticGapModel(*args, np.asarray(spec["gap_junctions"], dtype=np.int64))
        return cls(*args)

    def batch_key(self):
        """Members of a batch with equal keys share one compiled call (the rule's type selects its kernel)."""
        return (type(self.base), type(self.rule))

    def batch_meta(self, models) -> dict:
        """Result metadata of a batch whose members run `models` (their rules may differ)."""
        meta = self.result_meta()
        for m in models:
            if not (isinstance(m, PlasticModel) and np.array_equal(m.synapses[m.record], self.synapses[self.record])):
                raise PlasticityError("batch members with different rules must record the same plastic synapses")
            if m.rule.neuron_states != self.rule.neuron_states:
                raise PlasticityError(f"batch members record different rule traces ({type(self.rule).__name__}: "
                                      f"{self.rule.neuron_states}, {type(m.rule).__name__}: {m.rule.neuron_states}); "
                                      "run rules with different traces in separate batches")
        meta["weights"]["rules"] = [m.rule.describe() for m in models]
        return meta

    def __eq__(self, other):
        return (type(other) is PlasticModel and other.base == self.base and other.rule == self.rule
                and np.array_equal(other.synapses, self.synapses))

    def __hash__(self):
        return hash((type(self), self.base, self.rule, self.synapses.tobytes()))

    def __repr__(self):
        return f"PlasticModel({self.base!r}, {self.rule!r}, {self.m} plastic synapses)"


class _KernelView:
    """What a base model's ``linear_structure`` reads of a circuit: its kernel parameters."""

    def __init__(self, kp, n_state):
        self._kp = kp
        self.n_state = n_state

    def kernel_params(self, copy: bool = True):
        return self._kp


def with_plasticity(circuit, rule, synapses=None, *, record=None, gap_junctions=None):
    """`circuit` with learning chemical synapses (see :meth:`circuitsim.Circuit.with_plasticity`).

    `gap_junctions` (default None: none) selects plastic gap junctions the same ways as
    `synapses` (see :func:`circuitsim.plasticity.select.gap_indices`); with it, ``synapses=[]``
    leaves every chemical synapse fixed.
    """
    from ..circuit import Circuit

    if not isinstance(rule, Rule):
        raise PlasticityError(f"rule must be a circuitsim.plasticity rule (Hebbian(), Oja()...), got "
                              f"{type(rule).__name__}")
    if isinstance(circuit.model, PlasticModel):
        raise PlasticityError("this circuit is plastic already; call with_plasticity on the non-plastic circuit")
    wiring = circuit.wiring
    gaps = None
    if gap_junctions is not None:
        from .select import gap_indices

        gaps = gap_indices(wiring, gap_junctions, what="gap_junctions")
    if gaps is not None and isinstance(synapses, (list, tuple)) and len(synapses) == 0:
        syn = np.zeros(0, dtype=np.int64)  # only the gap junctions learn
    else:
        syn = synapse_indices(wiring, synapses, what="synapses")
    if len(syn) == 0 and gaps is None:
        raise NoSuchSynapseError("synapses selects no chemical synapse of the wiring")
    if record is None:
        rec = np.arange(len(syn))
    else:
        want = synapse_indices(wiring, record, what="record")
        pos = {int(s): i for i, s in enumerate(syn)}
        missing = [int(s) for s in want if int(s) not in pos]
        if missing:
            raise NoSuchSynapseError(f"record names {len(missing)} synapse(s) that are not plastic")
        rec = np.array([pos[int(s)] for s in want], dtype=np.int64)
    if gaps is None:
        model = PlasticModel(circuit.model, rule, wiring, syn, rec)
    else:
        from .gap import PlasticGapModel, _gap_binding

        model = PlasticGapModel(circuit.model, rule, wiring, syn, rec, gaps)
        _gap_binding(model, circuit.kernel_params())  # a model without gap junctions fails here
    model._binding(circuit.kernel_params())  # a model without activities fails here, before any run
    rule_name = circuit._y0_rule
    y0 = rule_name if isinstance(rule_name, str) and rule_name != "default" else None
    c = Circuit(wiring, model, circuit.params, y0, circuit.drive) if rule_name is not None else None
    if c is None:  # an explicit base state: keep it, start the plastic block from the wiring
        tmp = Circuit(wiring, model, circuit.params, None, circuit.drive)
        y = np.concatenate([circuit.y0, tmp.y0[model.n_base:]])
        c = Circuit(wiring, model, circuit.params, y, circuit.drive)
    return c
