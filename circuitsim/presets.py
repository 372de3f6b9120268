"""Published set-ups: a model, its published parameters and initial state on a real wiring.

>>> import connectome, circuitsim as cs
>>> circuit = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})  # doctest: +SKIP
>>> result = cs.simulate(circuit, 15_000)   # the circuit carries its drive   # doctest: +SKIP
"""

from __future__ import annotations

from .errors import ParameterError
from .models.graded import Graded, GradedParams

__all__ = ["kunert2014"]


def kunert2014(source, stimulus=None, *, threshold: str = "with_input", params: GradedParams | None = None,
               y0="authors", **changes):
    """The graded network of Kunert, Shlizerman & Kutz (2014) with its published parameters.

    Parameters
    ----------
    source : connectome.Connectome or connectome.Wiring
        E.g. ``connectome.load("varshney2011")`` (279 connected somatic neurons, the
        authors' wiring). A connectome is turned into a wiring with its default sign
        rule (GABAergic presynaptic neurons inhibitory).
    stimulus : mapping name -> pA, or a stimulus / drive, optional
        The input the circuit runs with (e.g. ``{"PLML": 2000, "PLMR": 2000}``, the
        authors' PLM preset: a constant current). It is the circuit's drive, which
        :func:`~circuitsim.simulate` uses, and under the authors' threshold convention
        its constant part sets the thresholds.
    threshold : {"with_input", "rest"}
        Threshold convention (see :mod:`circuitsim.models.graded`).
    params : GradedParams, optional
        Start from these instead of the published values.
    y0 : {"authors", "rest"} or array_like
        Initial state. ``"authors"`` (default): every neuron at its no-input threshold
        with ``s = a_r / (a_r + 2 a_d)``, the authors' start, which with 2 nA into PLM
        gives the published rhythm (period 1.197 s); ``"rest"``: the no-input resting
        equilibrium (the most robust start for other inputs).
    **changes
        Parameter fields to change (``C=1.5``...).

    Returns
    -------
    Circuit

    Examples
    --------
    >>> import connectome                                                     # doctest: +SKIP
    >>> c = kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})  # doctest: +SKIP
    """
    from connectome import Wiring

    from .circuit import Circuit
    from .inputs import Stimulus, constant

    if not isinstance(source, Wiring):
        if not hasattr(source, "edges") or not hasattr(source, "neurons"):
            raise ParameterError(
                f"source must be a connectome.Connectome or connectome.Wiring, got {type(source).__name__}")
        source = Wiring.from_connectome(source)
    base = params if params is not None else GradedParams.kunert2014()
    p = base.replace(threshold=threshold, **changes)
    if stimulus is None or (isinstance(stimulus, dict) and not stimulus):
        drive = None
    elif isinstance(stimulus, dict):
        drive = sum((constant(str(k), v) for k, v in stimulus.items()), 0)   # values: pA or "2 nA"
    elif isinstance(stimulus, (Stimulus, list, tuple)) or hasattr(stimulus, "stimuli"):
        drive = stimulus
    else:
        raise ParameterError(f"stimulus must map neuron names to currents (pA) or be stimuli, got {stimulus!r}")
    return Circuit(source, Graded(), p, y0, drive)
