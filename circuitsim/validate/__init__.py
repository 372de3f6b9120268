"""Validation against measured signal propagation (the Randi et al. 2023 functional atlas).

>>> import connectome, circuitsim as cs                                       # doctest: +SKIP
>>> report = cs.validate.atlas(cs.kunert2014(connectome.load("cook2019_herm")))  # doctest: +SKIP
>>> report.summary()        # model and baselines: AUROC, AUPRC, Spearman, sign accuracy [95% CI]  # doctest: +SKIP

Layers, each usable alone:

* :mod:`~circuitsim.validate.target`: :class:`AtlasTarget`, the atlas as matrices
  ``M[responding, stimulated]`` with its labels (positives ``q < alpha``,
  confident negatives ``q_eq < alpha <= q``);
* :mod:`~circuitsim.validate.experiment`: the experiment in silico
  (:class:`Protocol`, :func:`responses`, :func:`calibrate_amplitude`);
* :mod:`~circuitsim.validate.baselines`: naive predictors scored by the same code;
* :mod:`~circuitsim.validate.metrics` and :mod:`~circuitsim.validate.scoring`:
  AUROC, AUPRC, Spearman, balanced sign accuracy, cluster bootstrap;
* :mod:`~circuitsim.validate.plot`: pictures (matplotlib, imported on use);
* :func:`atlas`: all of it in one call, returning an :class:`AtlasReport`.
"""

from . import baselines, experiment, metrics, scoring, target
from .baselines import Prediction, all_baselines
from .experiment import Calibration, Protocol, calibrate_amplitude, responses
from .report import MODEL, AtlasReport, atlas
from .scoring import METRICS, Scores, score
from .target import AtlasCoverageError, AtlasTarget

__all__ = [
    "MODEL", "METRICS", "AtlasCoverageError", "AtlasReport", "AtlasTarget", "Calibration", "Prediction", "Protocol",
    "Scores", "all_baselines", "atlas", "baselines", "calibrate_amplitude", "experiment", "metrics", "plot",
    "responses", "score", "scoring", "target",
]


def __getattr__(name):
    if name == "plot":  # matplotlib only when pictures are asked for
        import importlib

        return importlib.import_module(f"{__name__}.plot")
    raise AttributeError(f"module 'circuitsim.validate' has no attribute {name!r}")
