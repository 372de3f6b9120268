"""The solver :func:`circuitsim.simulate` picks when it is given none: by model and size.

* Models without a stiff default (CTRNN, LTC, user models): their
  :meth:`~circuitsim.models.base.Model.default_solver`, else :class:`Dopri5`, at
  every size.
* Models whose default is :class:`Rosenbrock` (the graded network):

  - up to :data:`ROSENBROCK_MAX_NEURONS` neurons, while the factorisation of the
    leak + gap-junction part does not fill in (the prediction of
    :func:`circuitsim.steady_state.choose_method` on the gap-junction pattern; always
    true up to :data:`~circuitsim.steady_state.DIRECT_MAX_NEURONS` neurons):
    ``Rosenbrock()`` with its defaults, as for the worm;
  - larger, or when that factorisation would fill: :class:`ETD2` (each neuron's
    total conductance exact, coupling explicit), unless the gap junctions are strong:
    some neuron's gap conductance over its capacitance above :data:`STRONG_GAP`
    (1/ms), where explicit gap coupling would limit the step, then :class:`IMEX`
    (gap junctions by conjugate gradients). Both with the model's stiff tolerances.
    Models without the hooks of these keep their default.

Measured (graded network, ``synthetic_brain(10_000, 100)``, 50 ms, load 4-7 on 2
cores): Rosenbrock(linear="iterative") 3.2 s / ETD2 1.7 s without gap junctions;
6.3 s / 0.3 s with 3 gap junctions per neuron (IMEX 3.6 s: its implicit part holds
the leak and gaps but not the synaptic conductance, which then limits its step).

``solver=`` overrides the choice; the solver used is in ``result.meta["solver"]`` and
the reason for an automatic choice in ``result.meta["solver_choice"]``.
"""

from __future__ import annotations

__all__ = ["ROSENBROCK_MAX_NEURONS", "STRONG_GAP", "choose_solver"]

#: graded networks above this many neurons leave Rosenbrock for IMEX / ETD2 (measured in
#: benchmarks/bench_scale.py --solvers: at 10^4 neurons x 100 synapses Rosenbrock's
#: fixed-point iteration on the synaptic coupling already costs more than the explicit
#: synaptic part of IMEX / ETD2)
ROSENBROCK_MAX_NEURONS = 5_000

#: gap conductance / capacitance (1/ms) of some neuron above which large networks take IMEX
STRONG_GAP = 1.0


def _has(hooks, kp) -> bool:
    from .._kernels.dispatch import implementation

    return all(implementation(h, type(kp)) is not None for h in hooks)


def choose_solver(circuit):
    """The solver for `circuit` when none is given, and why (see the module docstring).

    Returns
    -------
    solver : Solver
    reason : str
    """
    from .explicit import Dopri5
    from .rosenbrock import Rosenbrock

    default = circuit.model.default_solver()
    if default is None:
        return Dopri5(), f"{circuit.model.name} model: Dopri5 at every size"
    if not isinstance(default, Rosenbrock):
        return default, f"the {circuit.model.name} model's default"
    n = circuit.n
    kp = circuit.kernel_params(copy=False)
    n_gap = int(getattr(kp, "gap_index", ()).__len__())
    fills = False
    if n <= ROSENBROCK_MAX_NEURONS and n_gap:
        from ..steady_state import choose_method

        fills = choose_method("auto", n, lambda: circuit.wiring.electrical) == "iterative"
    if n <= ROSENBROCK_MAX_NEURONS and not fills:
        return default, f"{n} neurons <= {ROSENBROCK_MAX_NEURONS}: Rosenbrock (the model's default)"
    from .._kernels.exponential import linear_diagonal
    from .._kernels.imex import imex_mass, imex_stiffness, imex_stiffness_diagonal
    from .exponential import ETD2
    from .imex import IMEX

    why = (f"{n} neurons > {ROSENBROCK_MAX_NEURONS}" if n > ROSENBROCK_MAX_NEURONS
           else "a factorisation of the gap-junction part would fill in")
    import numpy as np

    strong = 0.0
    if n_gap and hasattr(kp, "C"):
        rows = np.repeat(np.arange(n), np.diff(kp.gap_indptr))
        strong = float((np.bincount(rows, weights=kp.g_gap, minlength=n) / kp.C).max())
    if strong > STRONG_GAP and _has((imex_mass, imex_stiffness, imex_stiffness_diagonal), kp):
        return IMEX(), (f"{why}, gap conductance up to {strong:.3g}/ms > {STRONG_GAP:g}/ms: IMEX (gap junctions "
                        "by conjugate gradients)")
    if _has((linear_diagonal,), kp):
        return ETD2(), f"{why}: ETD2 (each neuron's conductance exact, coupling explicit)"
    if n_gap and _has((imex_mass, imex_stiffness, imex_stiffness_diagonal), kp):
        return IMEX(), f"{why}: IMEX"
    return default, f"{why}, but the model has no IMEX/ETD2 hooks: its default"
