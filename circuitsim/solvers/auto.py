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
  - larger, or when that factorisation would fill: :class:`IMEX` if the network has
    gap junctions (they are solved by conjugate gradients, no factorisation), else
    :class:`ETD2` (its implicit part is then diagonal: an exponential per entry);
    both with the model's stiff tolerances. Models without the hooks of these keep
    their default.

``solver=`` overrides the choice; the solver used is in ``result.meta["solver"]`` and
the reason for an automatic choice in ``result.meta["solver_choice"]``.
"""

from __future__ import annotations

__all__ = ["ROSENBROCK_MAX_NEURONS", "choose_solver"]

#: graded networks above this many neurons leave Rosenbrock for IMEX / ETD2 (measured in
#: benchmarks/bench_scale.py --solvers: at 10^4 neurons x 100 synapses Rosenbrock's
#: fixed-point iteration on the synaptic coupling already costs more than the explicit
#: synaptic part of IMEX / ETD2)
ROSENBROCK_MAX_NEURONS = 5_000


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
    kp = circuit.kernel_params()
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
    if n_gap and _has((imex_mass, imex_stiffness, imex_stiffness_diagonal), kp):
        return IMEX(), f"{why}, {n_gap} gap-junction entries: IMEX (gap junctions by conjugate gradients)"
    if _has((linear_diagonal,), kp):
        return ETD2(), f"{why}, no gap junctions: ETD2 (diagonal exponential)"
    return default, f"{why}, but the model has no IMEX/ETD2 hooks: its default"
