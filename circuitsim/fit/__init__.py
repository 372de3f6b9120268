"""Fit graded-network parameters to the functional atlas, cross-validated by stimulated neuron.

The free parameters are multiplicative scales of the published values (so 1 is
"as published"): global ``g_syn``, ``g_gap``, ``beta`` and the synaptic time
constants (``tau_rise = 1 / a_r``, ``tau_decay = 1 / a_d``), optionally one
scale of the outgoing chemical synapses of each neuron class (a column of the
wiring's metadata, e.g. ``neurotransmitter``) and the sign of selected classes.
They are searched in log space by derivative-free optimisers (CMA-ES, or
scipy's differential evolution) that hand a whole population to the objective at
once: every candidate is a circuit, calibrated and run on every training
stimulus in batch, and scored by its detection AUROC on the training pairs.

Held-out stimulated neurons never enter the fit (neither the objective, the
amplitude calibration nor the hit-rate baseline); score them with
:func:`circuitsim.validate.atlas` (``stimulated=test, train_stimulated=train``)
or let :func:`cross_validate` do it.

>>> space = FitSpace(class_column="neurotransmitter", classes=("glutamate",), flip=("glutamate",))
>>> space.names
('g_syn', 'g_gap', 'beta', 'tau_rise', 'tau_decay', 'scale:glutamate', 'flip:glutamate')
"""

from .cmaes import cmaes
from .crossval import CrossValidation, cross_validate
from .driver import OBJECTIVES, FitResult, fit_atlas, load
from .parameters import GLOBAL_PARAMETERS, FitParameters, FitSpace, split_stimulated

__all__ = ["GLOBAL_PARAMETERS", "OBJECTIVES", "CrossValidation", "FitParameters", "FitResult", "FitSpace", "cmaes",
           "cross_validate", "fit_atlas", "load", "split_stimulated"]
