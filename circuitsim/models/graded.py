"""Graded-potential conductance network (Wicks et al. 1996; Kunert, Shlizerman & Kutz 2014).

Two state variables per neuron, the membrane potential ``V`` (mV) and the synaptic
activation ``s`` (dimensionless, in [0, 1])::

    C dV_i/dt = -Gc (V_i - Ec) - sum_j g_gap G_ij (V_i - V_j)
                - sum_j g_syn W_ji s_j (V_i - E_ji) + I_i(t)
    ds_i/dt   = a_r phi_i (1 - s_i) - a_d s_i,   phi_i = 1 / (1 + exp(-beta (V_i - Vth_i)))

``G`` is the wiring's symmetric gap-junction matrix and ``W[pre, post]`` its chemical
matrix (junction / synapse counts for the published datasets), ``E_ji`` is ``E_exc``
for excitatory and ``E_inh`` for inhibitory synapses (the wiring's sign), ``I`` the
external current (pA). Units: ms, mV, nS, pF, pA.

Thresholds
----------
Each neuron's threshold ``Vth_i`` is the potential at which the network is in
equilibrium with every ``s_j = a_r / (a_r + 2 a_d)`` (the value where ``phi = 1/2``):
a *linear* system. Two conventions exist:

* ``threshold="with_input"`` (default, the authors' convention; both of their codes
  do this): the constant current ``threshold_input`` is included in that system, so
  the thresholds depend on the stimulus. Build the circuit with the stimulus you will
  apply (:func:`kunert2014` does).
* ``threshold="rest"``: the current is left out. With PLM stimulation the network
  then goes to a fixed point instead of the published oscillation.

Explicit thresholds can be given instead (``vth=``).

Initial state
-------------
The default initial state is the network's *no-input resting equilibrium*: the fixed
point of the equations above with ``I = 0`` (and the thresholds above), found by
Newton's method started from the no-input thresholds. Starting exactly at
``V = Vth, s = 1/11`` sits on the stimulated network's unstable equilibrium instead.
Pass ``y0`` to :class:`~circuitsim.Circuit` to start elsewhere.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import ParameterError
from .base import Model, ModelParams, check_array, check_scalar, register_model

__all__ = ["Graded", "GradedParams", "thresholds", "resting_state", "THRESHOLD_CONVENTIONS"]

THRESHOLD_CONVENTIONS = ("with_input", "rest")


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GradedParams(ModelParams):
    """Parameters of :class:`Graded` (units ms, mV, nS, pF, pA).

    Defaults are the published values of Kunert, Shlizerman & Kutz (2014), Phys. Rev.
    E 89:052805, converted from per-second rates and pS: ``C = 1 pF``, ``Gc = 10 pS``,
    ``Ec = -35 mV``, ``g_gap = g_syn = 100 pS`` per junction / synapse,
    ``a_r = 1 /s``, ``a_d = 5 /s``, ``beta = 0.125 /mV``, ``E_exc = 0 mV``,
    ``E_inh = -48 mV``.

    Parameters
    ----------
    C : float or array (n,)
        Membrane capacitance (pF, > 0).
    Gc : float or array (n,)
        Leak conductance (nS, > 0).
    Ec : float or array (n,)
        Leak reversal potential (mV).
    g_gap : float
        Conductance of one gap junction (nS, >= 0); multiplies the wiring's weights.
    g_syn : float
        Maximal conductance of one chemical synapse (nS, >= 0); multiplies the weights.
    a_r, a_d : float or array (n,)
        Synaptic activation and deactivation rates (1/ms, > 0).
    beta : float or array (n,)
        Sigmoid slope (1/mV, > 0).
    E_exc, E_inh : float
        Reversal potentials of excitatory / inhibitory synapses (mV).
    threshold : {"with_input", "rest"}
        Threshold convention (see the module docstring).
    threshold_input : mapping or sequence of (name, pA) pairs, optional
        Constant current per neuron included in the threshold solve when
        ``threshold="with_input"``.
    vth : array (n,), optional
        Explicit thresholds (mV); overrides the convention.
    """

    C: object = 1.0
    Gc: object = 0.010
    Ec: object = -35.0
    g_gap: float = 0.100
    g_syn: float = 0.100
    a_r: object = 1e-3
    a_d: object = 5e-3
    beta: object = 0.125
    E_exc: float = 0.0
    E_inh: float = -48.0
    threshold: str = "with_input"
    threshold_input: object = ()
    vth: object = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "C", check_array("C", self.C, positive=True))
        set_(self, "Gc", check_array("Gc", self.Gc, positive=True))
        set_(self, "Ec", check_array("Ec", self.Ec))
        set_(self, "g_gap", check_scalar("g_gap", self.g_gap, nonnegative=True))
        set_(self, "g_syn", check_scalar("g_syn", self.g_syn, nonnegative=True))
        set_(self, "a_r", check_array("a_r", self.a_r, positive=True))
        set_(self, "a_d", check_array("a_d", self.a_d, positive=True))
        set_(self, "beta", check_array("beta", self.beta, positive=True))
        set_(self, "E_exc", check_scalar("E_exc", self.E_exc))
        set_(self, "E_inh", check_scalar("E_inh", self.E_inh))
        if self.threshold not in THRESHOLD_CONVENTIONS:
            raise ParameterError(
                f"threshold must be one of {THRESHOLD_CONVENTIONS}, got {self.threshold!r}")
        items = self.threshold_input
        if items is None:
            items = ()
        if isinstance(items, dict):
            items = tuple(items.items())
        try:
            items = tuple((str(k), float(v)) for k, v in items)
        except (TypeError, ValueError) as err:
            raise ParameterError(
                f"threshold_input must map neuron names to currents in pA, got {self.threshold_input!r}") from err
        for k, v in items:
            if not math.isfinite(v):
                raise ParameterError(f"threshold_input for {k!r} must be finite, got {v!r}")
        set_(self, "threshold_input", items)
        if self.vth is not None:
            vth = check_array("vth", self.vth)
            if vth.ndim != 1:
                raise ParameterError(f"vth must be a 1-d array (one threshold per neuron), got shape {vth.shape}")
            set_(self, "vth", vth)

    @classmethod
    def kunert2014(cls, **changes) -> "GradedParams":
        """The published parameters (Kunert, Shlizerman & Kutz 2014), with optional changes."""
        return cls(**changes)

    @classmethod
    def kunert2014_leiferlab(cls, **changes) -> "GradedParams":
        """The variant of the later lab code (leiferlab/kunertPRE2014): ``C = 1.5 pF``, ``E_inh = -45 mV``."""
        return cls(**{"C": 1.5, "E_inh": -45.0, **changes})


def _per_neuron(params, name, n):
    v = getattr(params, name)
    return np.ascontiguousarray(np.broadcast_to(v, (n,)), dtype=np.float64)


def _current_vector(wiring, items) -> np.ndarray:
    current = np.zeros(wiring.n)
    if items:
        from ..errors import UnknownNeuronError
        from connectome.errors import UnknownNeuronError as _Unknown

        from connectome.select import resolve

        for name, value in items:
            try:
                idx = wiring.index_of(resolve(wiring, [name], what="threshold_input"))  # a neuron or a class
            except _Unknown:
                raise UnknownNeuronError(name, wiring.neurons, where="threshold_input") from None
            current[idx] += value
    return current


def _linear_parts(params, wiring):
    """Sparse matrices of the V-equation: gap conductances, synaptic conductance and E by [post, pre]."""
    import scipy.sparse as sp

    e = wiring.electrical_by_neuron()               # self-junctions dropped: they carry no current
    gap = sp.csr_array((e.weight * params.g_gap, e.index, e.indptr), shape=(wiring.n, wiring.n))
    W = sp.csr_array(wiring.chemical, dtype=np.float64)
    E = W.copy()
    E.data = np.where(wiring.sign.data < 0, params.E_inh, params.E_exc)
    return gap, (W * params.g_syn).T.tocsr(), (W.multiply(E) * params.g_syn).T.tocsr()


def thresholds(params: GradedParams, wiring, current=None, *, method: str = "auto") -> np.ndarray:
    """Solve the equilibrium system for the thresholds ``Vth`` (mV).

    ``0 = -Gc (V - Ec) - L_gap V - sum_j g_syn W_ji s* (V_i - E_ji) + I`` with
    ``s*_j = a_r / (a_r + 2 a_d)``.

    Parameters
    ----------
    params : GradedParams
    wiring : connectome.Wiring
    current : array (n,), optional
        Constant current (pA) included in the solve; default zero.
    method : {"auto", "direct", "iterative"}
        ``"direct"`` factorises the system (SuperLU; exact to rounding, fastest on
        worm-sized networks, but its fill grows to ``O(n^2)`` on random graphs);
        ``"iterative"`` uses Jacobi-preconditioned conjugate gradients (the system
        is symmetric positive definite) in ``O(synapses)`` per iteration, to a
        relative residual of 1e-13. ``"auto"`` picks ``"direct"`` up to
        :data:`~circuitsim.steady_state.DIRECT_MAX_NEURONS` neurons or when the
        gap-junction pattern predicts little fill
        (:func:`~circuitsim.steady_state.choose_method`).

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    ParameterError
        An unknown `method`, or CG that does not converge.
    """
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from ..steady_state import check_method
    from .graded_setup import threshold_method, thresholds_iterative

    check_method(method)
    if threshold_method(method, wiring) == "iterative":
        return thresholds_iterative(params, wiring, current)
    n = wiring.n
    gap, gsyn, gsynE = _linear_parts(params, wiring)
    a_r, a_d = _per_neuron(params, "a_r", n), _per_neuron(params, "a_d", n)
    s_star = a_r / (a_r + 2.0 * a_d)
    Gc, Ec = _per_neuron(params, "Gc", n), _per_neuron(params, "Ec", n)
    diag = Gc + np.asarray(gap.sum(axis=1)).ravel() + gsyn @ s_star
    A = (sp.diags_array(diag) - gap).tocsc()
    b = Gc * Ec + gsynE @ s_star
    if current is not None:
        b = b + np.asarray(current, dtype=np.float64)
    return np.asarray(spla.spsolve(A, b), dtype=np.float64).reshape(n)


def resting_state(params: GradedParams, wiring, vth: np.ndarray, current=None, *, tol: float = 1e-10,
                  max_iter: int = 60, method: str = "auto", preconditioner: str = "jacobi") -> np.ndarray:
    """The equilibrium ``[V, s]`` of the network under a constant current (default none).

    Newton's method on ``V`` with ``s`` at its steady state ``a_r phi / (a_r phi + a_d)``,
    started from the thresholds solved without input, with step halving.

    Parameters
    ----------
    params : GradedParams
    wiring : connectome.Wiring
    vth : array (n,)
        Thresholds (mV).
    current : array (n,), optional
        Constant current (pA); default zero.
    tol : float
        Stop when a Newton step is below ``tol * max(1, max|V|)`` (mV).
    max_iter : int
        Newton iteration cap.
    method : {"auto", "direct", "iterative"}
        ``"direct"`` factorises each Newton Jacobian (SuperLU; exact, fastest on
        worm-sized networks, ``O(n^3)`` on random graphs); ``"iterative"`` solves
        each Newton step by GMRES with Jacobian-vector products (inexact Newton,
        :func:`~circuitsim.steady_state.newton_gmres`), ``O(synapses)`` per
        iteration. ``"auto"`` picks ``"direct"`` up to
        :data:`~circuitsim.steady_state.DIRECT_MAX_NEURONS` neurons or when the
        chemical + gap pattern predicts little fill. The starting thresholds use
        the same `method`.
    preconditioner : {"jacobi", "ilu"}
        GMRES preconditioner of the iterative method: the Jacobian's diagonal
        (default, ``O(n)``) or an incomplete LU (stronger, more memory).

    Returns
    -------
    ndarray, shape (2 n,)
        ``V`` (mV) then ``s``.

    Raises
    ------
    ParameterError
        An unknown `method` or `preconditioner`, or Newton's method (or GMRES)
        that does not converge (no nearby equilibrium).
    """
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla
    from scipy.special import expit

    from ..steady_state import check_method
    from .graded_setup import resting_method, resting_state_iterative

    check_method(method, preconditioner)
    if resting_method(method, wiring) == "iterative":
        return resting_state_iterative(params, wiring, vth, current, tol=tol, max_iter=max_iter,
                                       preconditioner=preconditioner, threshold_method=method)
    n = wiring.n
    gap, gsyn, gsynE = _linear_parts(params, wiring)
    a_r, a_d = _per_neuron(params, "a_r", n), _per_neuron(params, "a_d", n)
    beta = _per_neuron(params, "beta", n)
    Gc, Ec, C = _per_neuron(params, "Gc", n), _per_neuron(params, "Ec", n), _per_neuron(params, "C", n)
    I = np.zeros(n) if current is None else np.asarray(current, np.float64)
    gdeg = np.asarray(gap.sum(axis=1)).ravel()

    def parts(V):
        ph = expit(beta * (V - vth))
        s = a_r * ph / (a_r * ph + a_d)
        F = (-Gc * (V - Ec) - (gdeg * V - gap @ V) - (V * (gsyn @ s) - gsynE @ s) + I) / C
        return ph, s, F

    V = thresholds(params, wiring, method=method)
    ph, s, F = parts(V)
    for _ in range(max_iter):
        ds = a_r * a_d * beta * ph * (1 - ph) / (a_r * ph + a_d) ** 2
        JVV = -sp.diags_array(Gc + gdeg + gsyn @ s) + gap
        JVs = gsynE - sp.diags_array(V) @ gsyn
        J = (sp.diags_array(1.0 / C) @ (JVV + JVs @ sp.diags_array(ds))).tocsc()
        dV = spla.spsolve(J, -F)
        lam = 1.0
        norm = np.linalg.norm(F)
        while lam > 1e-4:
            ph2, s2, F2 = parts(V + lam * dV)
            if np.all(np.isfinite(F2)) and np.linalg.norm(F2) < (1 - 1e-4 * lam) * norm + 1e-300:
                break
            lam *= 0.5
        V = V + lam * dV
        ph, s, F = ph2, s2, F2
        if np.max(np.abs(lam * dV)) < tol * max(1.0, np.max(np.abs(V))):
            return np.concatenate([V, s])
    raise ParameterError("no resting equilibrium found by Newton's method; pass an explicit initial state y0")


_WARNED_UNITS: set = set()


def _warn_weight_unit(wiring, params) -> None:
    """Once per dataset: the conductances multiply weights that are not synapse counts."""
    info = getattr(wiring, "info", None) or {}
    unit = str(info.get("weight_unit", "synapse count"))
    dataset = info.get("dataset", wiring.name)
    if unit.startswith("synapse count") or dataset in _WARNED_UNITS:
        return
    import warnings

    from ..units import UnitWarning

    _WARNED_UNITS.add(dataset)
    warnings.warn(f"the weights of {dataset!r} are {unit}, not synapse counts: the graded model multiplies them by "
                  f"g_syn = {params.g_syn:g} nS and g_gap = {params.g_gap:g} nS per unit as if they were "
                  "(rescale g_syn/g_gap, or build the wiring with normalise='max', to choose another scale)",
                  UnitWarning, stacklevel=6)


@register_model
class Graded(Model):
    """The graded-potential conductance network; see the module docstring."""

    name = "graded"
    initial_state_names = ("rest", "authors")
    state_names = ("V", "s")
    state_units = ("mV", "1")
    params_type = GradedParams
    synapse_value_fields = ("g_gap", "g_syn", "e_syn", "g_signed")
    synapse_index_fields = ("gap_index", "pre_index")
    input_units = "pA"

    def default_params(self, wiring) -> GradedParams:
        return GradedParams()

    def bind(self, params, wiring) -> GradedParams:
        params = super().bind(params, wiring)
        n = wiring.n
        for name in ("C", "Gc", "Ec", "a_r", "a_d", "beta"):
            v = getattr(params, name)
            if v.ndim != 0 and v.shape != (n,):
                raise ParameterError(
                    f"{name} must be a scalar or have shape ({n},) (one per neuron), got {v.shape}")
        if params.vth is not None and params.vth.shape != (n,):
            raise ParameterError(f"vth must have shape ({n},) (one per neuron), got {params.vth.shape}")
        _current_vector(wiring, params.threshold_input)  # unknown names fail here
        _warn_weight_unit(wiring, params)
        return params

    def thresholds(self, circuit) -> np.ndarray:
        """The thresholds ``Vth`` (mV, shape (n,)) of `circuit` under its convention."""
        p, w = circuit.params, circuit.wiring
        if p.vth is not None:
            return np.array(p.vth, dtype=np.float64)
        cur = _current_vector(w, p.threshold_input) if p.threshold == "with_input" else None
        return thresholds(p, w, cur)

    def named_initial_state(self, circuit, name: str) -> np.ndarray:
        """``"rest"``: the no-input resting equilibrium (robust); ``"authors"``: the authors' start.

        The authors start every neuron at the threshold solved *without* input (the
        no-input linear equilibrium) with ``s = a_r / (a_r + 2 a_d)`` (1/11 with the
        published rates); with the published parameters and 2 nA into PLM this gives
        the published rhythm (period about 1.197 s).
        """
        if name == "authors":
            p, w = circuit.params, circuit.wiring
            a_r, a_d = _per_neuron(p, "a_r", w.n), _per_neuron(p, "a_d", w.n)
            return np.concatenate([thresholds(p, w), a_r / (a_r + 2.0 * a_d)])
        if name == "rest":
            return self.default_initial_state(circuit)
        return super().named_initial_state(circuit, name)

    def on_drive(self, params, wiring, drive):
        """Thresholds follow the drive: its constant stimuli are the current of the authors' convention."""
        from ..units import check_current_magnitude

        amps = [np.ravel(s.amplitude) for s in drive.stimuli if hasattr(s, "amplitude")]
        if amps:
            check_current_magnitude(np.concatenate(amps), "graded network")
        if params.threshold != "with_input" or params.vth is not None:
            return params
        current = {}
        for s in drive.stimuli:
            if type(s).__name__ == "Constant":
                amp = np.broadcast_to(np.asarray(s.amplitude, dtype=np.float64), (len(s.neurons),))
                for nm, a in zip(s.neurons, amp):
                    current[nm] = current.get(nm, 0.0) + float(a)
        return params.replace(threshold_input=current)

    def default_initial_state(self, circuit) -> np.ndarray:
        """The no-input resting equilibrium (see the module docstring)."""
        return resting_state(circuit.params, circuit.wiring, self.thresholds(circuit))

    def display(self, circuit):
        """``V - Vth``: each neuron's potential relative to its threshold (what the authors plot).

        The raw potentials of driven neurons sit volts away from the rest (2 nA into a 10 pS
        leak), so colour ranges of raw V are set by a few neurons.
        """
        from .base import Display

        return Display("V", "V - Vth", "mV", offset=np.asarray(self.thresholds(circuit), dtype=np.float64))

    # -- stiff solver -------------------------------------------------------------------
    def default_solver(self):
        """The graded network is stiff: :class:`~circuitsim.Rosenbrock` (about 40x faster than Dopri5 on the worm)."""
        from ..solvers.rosenbrock import Rosenbrock

        return Rosenbrock()

    def stiff_tolerances(self):
        return 0.0, {"V": 5e-4, "s": 5e-7}

    def missing_stiff_hooks(self, linear: str = "auto") -> str:
        return ""

    def linear_structure(self, circuit, linear: str = "auto"):
        """Reduced linear systems of the Rosenbrock step (see :mod:`circuitsim._kernels.graded`).

        The s-block of ``I / (h gamma) - J`` is diagonal and is eliminated exactly,
        leaving an ``n x n`` system ``S = P + E`` on the membrane potentials. ``P``
        (leak, gap junctions, synaptic conductance, ``1 / (h gamma)``) is ``C^-1`` times
        a symmetric positive definite matrix with the sparsity of the gap-junction graph,
        so an LU without pivoting is stable for it. ``E``, the coupling through which a
        neuron's potential moves its synaptic activation and so its targets' currents,
        is small next to ``P``: ``linear="iterative"`` (default) factorises ``P`` only and
        solves ``S x = b`` by the iteration ``P x_{k+1} = b - E x_k`` (about two products
        with ``E`` per solve on the worm); ``linear="direct"`` factorises ``S``.
        """
        from .._kernels.graded import GradedLinear
        from ..solvers.sparse_lu import cached_plan, plan

        kp = circuit.kernel_params()
        direct = linear == "direct"
        n = kp.C.shape[0]
        gap_rows = np.repeat(np.arange(n), np.diff(kp.gap_indptr))
        syn_rows = np.repeat(np.arange(n), np.diff(kp.post_indptr))
        key = "graded|" + "|".join(np.ascontiguousarray(a, dtype=np.int64).tobytes().hex() for a in (
            kp.gap_indptr, kp.gap_index, kp.post_indptr, kp.pre_index)) + f"|{direct}"

        def build():
            if direct:
                rows = np.concatenate([gap_rows, syn_rows])
                cols = np.concatenate([kp.gap_index, kp.pre_index])
            else:
                rows, cols = gap_rows, kp.gap_index
            lu, positions = plan(n, rows, cols)
            ar = np.arange(n)
            syn_pos = positions(syn_rows, kp.pre_index) if direct else np.zeros(0, np.int64)
            return lu, positions(ar, ar), positions(gap_rows, kp.gap_index), syn_pos

        lu, diag_pos, gap_pos, syn_pos = cached_plan(key, build)
        return GradedLinear(lu, diag_pos.copy(), gap_pos.copy(), syn_pos.copy(), direct)

    def kernel_params(self, circuit):
        from .._kernels.graded import GradedKernelParams

        w, p = circuit.wiring, circuit.params
        n = w.n
        chem = w.chemical_by_post()
        gap = w.electrical_by_neuron()
        inhibitory = chem.sign < 0
        e_syn = np.where(inhibitory, p.E_inh, p.E_exc).astype(np.float64)
        g_syn = np.ascontiguousarray(chem.weight * p.g_syn, dtype=np.float64)
        e_two, g_signed = np.zeros(0), np.zeros(0)
        if g_syn.size and bool(np.all(g_syn >= 0.0)):  # the two-stream form of the vector field
            e_two = np.array([p.E_exc, p.E_inh], dtype=np.float64)
            g_signed = np.copysign(g_syn, np.where(inhibitory, -1.0, 1.0))
        f = lambda name: _per_neuron(p, name, n)  # noqa: E731
        return GradedKernelParams(
            f("C"), f("Gc"), f("Ec"), np.ascontiguousarray(self.thresholds(circuit)), f("beta"), f("a_r"),
            f("a_d"), gap.indptr, gap.index, np.ascontiguousarray(gap.weight * p.g_gap), chem.post_indptr,
            chem.pre_index, g_syn, np.ascontiguousarray(e_syn), e_two, g_signed)
