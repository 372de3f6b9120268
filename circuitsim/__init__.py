"""circuitsim: simulate neural circuits on real wiring diagrams.

Data flows one way::

    connectome.load(name) -> Connectome -> Wiring -> Circuit(wiring, model, params)
        -> simulate(circuit, t_span, inputs, solver) -> Result (dense in time)
        -> circuitsim.analysis / circuitsim.plot

>>> import connectome, circuitsim as cs
>>> circuit = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})  # doctest: +SKIP
>>> result = cs.simulate(circuit, 10_000, cs.constant(["PLML", "PLMR"], 2000), cs.Rosenbrock())  # doctest: +SKIP
>>> result.at([530.0, 2140.0])["V"]   # state at any time (ms), from the solver's own interpolant  # doctest: +SKIP

Units throughout: ms, mV, nS, pF, pA. ``circuitsim.analysis``, ``circuitsim.plot``
and ``circuitsim.widgets`` are imported on first use (matplotlib is never
imported by ``import circuitsim``).
"""

from importlib import metadata as _metadata

from . import errors, inputs
from .circuit import Circuit
from .errors import (
    AnalysisError,
    CircuitsimError,
    DivergenceError,
    InputError,
    Interrupted,
    MaxStepsError,
    MemoryLimitError,
    MissingPositionsError,
    OutOfSpanError,
    ParameterError,
    SingularMatrixError,
    SolverError,
    StepSizeError,
    UnknownNeuronError,
)
from .inputs import constant, pulse, samples, step
from .liquid import CfCNetwork, LTCNetwork
from .models.cfc import CfC, CfCParams
from .models.ctrnn import CTRNN, CTRNNParams
from .models.graded import Graded, GradedParams, thresholds
from .presets import kunert2014
from .models.ltc import LTC, LTCParams
from .result import Result
from .simulate import simulate, simulate_batch
from .sweep import Sweep, sweep
from .store import ZarrStore
from .stored_result import StoredResult, open_store
from .precompile import precompile
from .solvers import (BS3, ETD2, IMEX, RK4, ClosedForm, Dopri5, Euler, ExplicitRK, ExplicitTableau, FusedLTC, Rosenbrock,
                      Solver, Tsit5)

try:
    __version__ = _metadata.version("circuitsim")
except _metadata.PackageNotFoundError:  # running from a source checkout
    __version__ = "0+unknown"

__all__ = [
    "AnalysisError", "BS3", "CfC", "ClosedForm", "FusedLTC", "ExplicitRK", "ExplicitTableau", "Interrupted", "MaxStepsError", "MemoryLimitError",
    "SingularMatrixError", "StepSizeError", "Tsit5", "MissingPositionsError", "CTRNN", "CTRNNParams", "CfCNetwork", "CfCParams", "Circuit", "CircuitsimError", "DivergenceError",
    "Dopri5", "ETD2", "IMEX", "Euler", "Graded", "GradedParams", "InputError", "LTC", "LTCNetwork", "LTCParams",
"OutOfSpanError", "ParameterError", "RK4", "Result", "Rosenbrock", "Solver",
    "SolverError", "UnknownNeuronError", "constant", "errors", "inputs", "kunert2014", "pulse",
    "samples", "simulate", "simulate_batch", "step", "sweep", "Sweep", "thresholds", "precompile",
    "StoredResult", "ZarrStore", "open_store",
]

_LAZY = ("analysis", "plot", "widgets", "ncps_io", "validate", "fit", "distributed")


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'circuitsim' has no attribute {name!r}")
