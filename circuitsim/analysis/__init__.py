"""Analysis of simulated activity: NumPy/pandas in, NumPy/pandas out.

Every function takes either a simulation :class:`~circuitsim.result.Result`
(anything with ``.t``, ``.neurons``, ``result[var]`` and ``.at(t)``), a
:class:`pandas.DataFrame` (index = time in ms, one column per neuron) or a
plain array with ``t=`` and ``names=``. They are all turned into an
:class:`Activity` first (see :func:`as_activity`).

Conventions: time in ms, activity time-major ``(n_t, n_neurons)``, neuron
order of the input kept unless a function says otherwise.

Which quantity of a Result
--------------------------
Functions that describe what the pictures show read, like the pictures, the
model's *display quantity* by default (:meth:`circuitsim.Result.display`:
``V - Vth`` in mV for the graded network, the rate ``f(x)`` of a CTRNN, the
state of LTC and CfC networks): :func:`pca`, :func:`oscillations`,
:func:`dominant_period`, :func:`phase_relations`, :func:`phase_difference`,
:func:`response` and :func:`aggregate_classes`. For the graded network the
display differs from ``V`` by a constant per neuron, so periods, phases,
amplitudes, principal components and response changes are the same as for
``V``; only levels (``mean``, ``baseline``, ``peak``) are relative to the
threshold. Functions that compare or fit states read the first state
variable by default: :func:`compare` (two circuits have different display
offsets) and :func:`decay_time_constants` (a relaxation is exponential in the
state, not in a rate passed through a nonlinearity). Every function takes
``var=`` to choose: a state variable (``"V"``) or ``"display"``.

Contents
--------
as_activity         Result / DataFrame / array -> Activity (dense output, metadata, stimulus)
pca                 principal components, variance explained, trajectories
oscillations        period, amplitude and phase of every neuron
dominant_period     the period shared by the oscillating neurons
phase_relations     phase of neurons relative to a reference neuron
phase_difference    circular mean phase difference between two groups
response            baseline, peak and latency after a stimulus onset
aggregate_classes   class-level activity (AVAL + AVAR -> AVA)
time_constant_table summary of effective time constants (liquid models)
decay_time_constants  time constants fitted to a relaxation
compare             per-neuron differences between two results
weighted_percentiles  percentiles over time (each sample weighs the time it stands for)
"""

from __future__ import annotations

from ._activity import Activity, AnalysisError, MissingPositionsError, as_activity
from ._classes import aggregate_classes
from ._common import weighted_percentiles
from ._compare import compare
from ._oscillations import dominant_period, oscillations, phase_difference, phase_relations
from ._pca import PCA, pca
from ._response import response
from ._stimulus import stimulus_intervals
from ._time_constants import decay_time_constants, time_constant_table

__all__ = [
    "Activity",
    "AnalysisError",
    "MissingPositionsError",
    "PCA",
    "aggregate_classes",
    "as_activity",
    "compare",
    "decay_time_constants",
    "dominant_period",
    "oscillations",
    "pca",
    "phase_difference",
    "phase_relations",
    "response",
    "stimulus_intervals",
    "time_constant_table",
    "weighted_percentiles",
]
