"""The :class:`Circuit`: a wiring, a neuron model, its parameters, its drive and an initial state."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

from .errors import InputError, ParameterError
from .models.base import Model, ModelParams, get_model

__all__ = ["Circuit", "PRECISIONS"]

#: storage of the per-synapse kernel arrays (see :class:`Circuit`)
PRECISIONS = ("float64", "float32")


@dataclasses.dataclass(frozen=True, eq=False)
class Circuit:
    """An immutable, validated simulation set-up.

    Parameters
    ----------
    wiring : connectome.Wiring
        Neurons (order of every state block) and synapses.
    model : Model or str
        A model instance or registered name (``"ctrnn"``...).
    params : ModelParams, optional
        The model's parameters; default ``model.default_params(wiring)``.
    y0 : array_like (n_vars * n_neurons,) or (n_vars, n_neurons), or str, optional
        Initial state, variable-major, or a name the model knows (the graded network:
        ``"rest"``, ``"authors"``). Default ``model.default_initial_state(circuit)``.
    drive : Stimulus, Drive or list of stimuli, optional
        The input the circuit runs with: :func:`~circuitsim.simulate` uses it when given no
        ``inputs``. Models whose parameters depend on their input (the graded network's
        thresholds under the authors' convention) derive them from it, so the stimulus is
        given once; :meth:`with_drive` changes it consistently.
    precision : {"float64", "float32"}
        Storage of the per-synapse arrays the compiled vector field streams through:
        ``"float32"`` keeps synaptic and gap-junction weights (and the other per-synapse
        parameters) in single precision and their neuron indices as int32, halving the
        memory traffic of large networks. The state, the sums over synapses and the
        solvers stay in double precision. Every per-synapse parameter is rounded to
        float32 (relative error <= 2**-24 = 6e-8 each), so trajectories move by that
        perturbation times the network's sensitivity (measured on random graded
        networks: max |dV| below 1e-6 of max |V|; tested at 1e-5). The LTC model also
        computes each synapse's conductance ``w s(sigma (v_pre - mu))`` in float32
        arithmetic (eight SIMD lanes instead of four): each within 1e-6 relative of
        the float64 value for ``|sigma v| <= 8``, the field within 1e-6 of the sum of
        the magnitudes of its terms (2e-8 measured; ``tests/test_fastmath.py``).
    reorder : {"auto", True, False}
        Number the neurons internally in a locality-improving order (reverse
        Cuthill-McKee, :mod:`circuitsim.reorder`) so that the synaptic gathers of large
        networks read nearby memory. Invisible outside the engine: results, recorded
        neurons, inputs and ``y0`` stay in the wiring's order. ``False`` (default)
        never; ``True`` always (an error for models other than graded and CTRNN);
        ``"auto"`` for circuits of at least :data:`circuitsim.reorder.AUTO_MIN_NEURONS`
        neurons of those models, and only if the new order at least halves the mean
        distance ``|post - pre|`` of the synapses. Off by default because on
        :func:`connectome.synthetic_brain` at 10^5 neurons it shortens that distance by
        only 6% and did not speed it up (``benchmarks/bench_scale.py``).

    Raises
    ------
    ParameterError
        Wrong parameter type/shape, or an initial state with the wrong shape or
        non-finite values.
    InputError, UnknownNeuronError
        A drive on names that are not input channels of the model.

    Examples
    --------
    >>> import numpy as np, connectome
    >>> from circuitsim.circuit import Circuit
    >>> w = connectome.Wiring(["A", "B"], np.array([[0, 1.0], [0, 0]]))
    >>> Circuit(w, "ctrnn").y0.shape
    (2,)
    """

    wiring: object
    model: Model
    params: ModelParams | None = None
    y0: np.ndarray | None = None
    drive: object = None
    precision: str = "float64"
    reorder: object = False

    def __post_init__(self):
        from connectome import Wiring

        from .inputs import Drive, as_drive

        set_ = object.__setattr__
        if self.precision not in PRECISIONS:
            raise ParameterError(f"precision must be one of {PRECISIONS}, got {self.precision!r}")
        from .reorder import check_reorder

        check_reorder(self.reorder)
        if not isinstance(self.wiring, Wiring):
            raise ParameterError(f"wiring must be a connectome.Wiring, got {type(self.wiring).__name__}")
        model = get_model(self.model)
        set_(self, "model", model)
        if self.precision == "float32" and not (model.synapse_value_fields or model.synapse_index_fields):
            raise ParameterError(f"the {model.name!r} model has no float32 storage; use precision='float64'")
        drive = None if self.drive is None else as_drive(self.drive)
        if drive is not None and not isinstance(drive, Drive):  # pragma: no cover - as_drive guarantees it
            raise InputError("drive must be stimuli")
        if drive is not None:
            drive.check_channels(model.input_names(self.wiring), self.wiring, model.input_units)
        set_(self, "drive", drive)
        params = self.params if self.params is not None else model.default_params(self.wiring)
        params = model.bind(params, self.wiring)
        if drive is not None:
            params = model.on_drive(params, self.wiring, drive)
        set_(self, "params", params)
        rule = "default" if self.y0 is None else (self.y0 if isinstance(self.y0, str) else None)
        set_(self, "_y0_rule", rule)  # a default or named state is recomputed when the circuit changes
        y0 = self.y0 if rule is None else (model.default_initial_state(self) if rule == "default"
                                            else model.named_initial_state(self, rule))
        set_(self, "y0", self._check_state(y0, "y0"))

    def _check_state(self, y0, name="y0") -> np.ndarray:
        n_state = self.model.n_state(self.wiring)
        try:
            arr = np.array(y0, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ParameterError(f"{name} must be numeric or the name of an initial state") from err
        if arr.shape == (self.model.n_vars, self.wiring.n):
            arr = arr.reshape(-1)
        if arr.shape != (n_state,):
            raise ParameterError(
                f"{name} must have shape ({n_state},) (variables {self.model.state_names} x {self.wiring.n} "
                f"neurons, variable-major) or ({self.model.n_vars}, {self.wiring.n}), got {arr.shape}")
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ParameterError(
                f"{name} must be finite; {self.model.state_names[i // self.wiring.n]!r} of neuron "
                f"{self.wiring.neurons[i % self.wiring.n]!r} is {float(arr[i])!r}")
        arr.setflags(write=False)
        return arr

    # -- conveniences --------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of neurons."""
        return self.wiring.n

    @property
    def n_state(self) -> int:
        """Length of the flat state vector."""
        return self.model.n_state(self.wiring)

    @property
    def neurons(self) -> tuple:
        """Neuron names in state order."""
        return self.wiring.neurons

    def replace(self, **changes) -> "Circuit":
        """A copy with some of ``wiring, model, params, y0, drive`` changed (validated again).

        Without a new `y0`, a default or named initial state is recomputed for the new
        circuit; an explicit array is kept unless the wiring or model change.
        """
        if "y0" not in changes and (self._y0_rule is not None or "wiring" in changes or "model" in changes):
            changes["y0"] = None if self._y0_rule in (None, "default") else self._y0_rule
        return dataclasses.replace(self, **changes)

    def with_params(self, **changes) -> "Circuit":
        """A copy with some parameter fields changed."""
        return self.replace(params=self.params.replace(**changes))

    def with_drive(self, drive) -> "Circuit":
        """The same circuit with another drive (parameters that depend on it follow).

        Examples
        --------
        >>> import connectome, circuitsim as cs
        >>> c = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})  # doctest: +SKIP
        >>> weaker = c.with_drive(cs.constant(["PLML", "PLMR"], 1000))                       # doctest: +SKIP
        """
        return self.replace(drive=drive)

    def with_plasticity(self, rule, synapses=None, *, record=None, gap_junctions=None) -> "Circuit":
        """The same circuit with learning chemical synapses (:mod:`circuitsim.plasticity`).

        Parameters
        ----------
        rule : circuitsim.plasticity.Rule
            ``Hebbian``, ``Oja``, ``BCM``, ``Covariance``, ``RewardModulated``, ``SynapticScaling``...
        synapses : None, "all", dict, list of (pre, post) or mask W[pre, post], optional
            Which chemical synapses learn (default all); see
            :func:`circuitsim.plasticity.synapse_indices`.
        record : same forms, optional
            Whose weights results record (default every plastic synapse).
        gap_junctions : None, "all", dict, list of (a, b) or symmetric mask, optional
            Which gap junctions learn (default none): one weight per junction, shared by both directions.
        """
        from .plasticity import with_plasticity

        return with_plasticity(self, rule, synapses, record=record, gap_junctions=gap_junctions)

    def drive_description(self) -> str:
        """The drive as JSON (for comparisons and results)."""
        return json.dumps(self.drive.describe() if self.drive is not None else [])

    def kernel_params(self, copy: bool = True):
        """The model's NamedTuple of arrays for the compiled vector field.

        Computed once per circuit (a circuit is immutable, and e.g. the graded
        model's thresholds need a sparse solve).

        Parameters
        ----------
        copy : bool, default True
            Return fresh, writable, C-contiguous copies, so callers may not disturb
            the cache. ``False`` returns the cached arrays themselves (no copy of
            what may be gigabytes on a large network), for callers that only read them.
        """
        kp = self.__dict__.get("_kernel_params")
        if kp is None:
            kp = self.model.kernel_params(self)
            if self.precision == "float32":
                kp = self.model.compact_kernel_params(kp)
            object.__setattr__(self, "_kernel_params", kp)
        return _copied(kp) if copy else kp

    @property
    def neuron_order(self):
        """The internal neuron order (int64 (n,), ``order[new] = old``), or None when the circuit is not reordered.

        See the `reorder` parameter and :mod:`circuitsim.reorder`.

        Raises
        ------
        ParameterError
            ``reorder=True`` on a model whose kernel arrays cannot be permuted.
        """
        if "_neuron_order" not in self.__dict__:
            from .reorder import AUTO_MIN_NEURONS, neuron_order, supports_reorder

            order = None
            if self.reorder is True or (self.reorder == "auto" and self.n >= AUTO_MIN_NEURONS):
                kp = self.kernel_params()
                if not supports_reorder(kp):
                    if self.reorder is True:
                        raise ParameterError(f"reorder=True: the kernel arrays of the {self.model.name!r} model cannot "
                                             "be permuted (no layout in circuitsim.reorder); use reorder=False")
                else:
                    from .reorder import bandwidth

                    order = neuron_order(kp)
                    if self.reorder == "auto" and bandwidth(kp, order) > 0.5 * bandwidth(kp):
                        order = None  # not worth it: keep the wiring's order
            object.__setattr__(self, "_neuron_order", order)
        return self.__dict__["_neuron_order"]

    def internal_kernel_params(self, copy: bool = True):
        """:meth:`kernel_params` in the internal neuron order (the same as it without reordering)."""
        order = self.neuron_order
        if order is None:
            return self.kernel_params(copy)
        kp = self.__dict__.get("_internal_kernel_params")
        if kp is None:
            from .reorder import permute_kernel_params

            kp = permute_kernel_params(self.kernel_params(), order)
            object.__setattr__(self, "_internal_kernel_params", kp)
        return _copied(kp) if copy else kp

    def state_block(self, y, variable: str) -> np.ndarray:
        """The block of flat state(s) `y` (..., n_state) belonging to `variable` (..., n)."""
        k = self.model.state_names.index(variable)
        n = self.wiring.n
        return np.asarray(y)[..., k * n:(k + 1) * n]

    def __repr__(self) -> str:
        drive = "" if self.drive is None else f", driven by {len(self.drive.stimuli)} stimulus(i)"
        return (f"<Circuit {type(self.model).__name__} on {self.wiring.name or 'wiring'!r}: {self.n} neurons, "
                f"state {self.model.state_names}{drive}>")


def _copied(kp):
    """`kp` with every array replaced by a fresh, writable, C-contiguous copy."""
    return type(kp)(*[np.array(a, order="C") if isinstance(a, np.ndarray) else a for a in kp])
