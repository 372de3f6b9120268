"""Plastic synapses: chemical weights that learn while the network runs, inside the wiring's mask.

``circuit.with_plasticity(rule, synapses=...)`` returns a circuit whose plastic weights
are state variables integrated by every engine solver; results record them
(``result["w"]``, ``result.at(t, "w")``), see :func:`weights`.
"""

from .model import PlasticModel, register_plastic_binding, with_plasticity
from .rules import BCM, Covariance, Hebbian, Oja, RewardModulated, Rule, SynapticScaling
from .select import synapse_indices
from .analysis import changed_most, weight_matrix, weights, learned_wiring, learned_params, learned_network

__all__ = ["Rule", "Hebbian", "Oja", "BCM", "Covariance", "RewardModulated", "SynapticScaling", "PlasticModel",
           "with_plasticity", "register_plastic_binding", "synapse_indices", "weights", "weight_matrix",
           "changed_most", "learned_wiring", "learned_params", "learned_network"]
from .plot import delta_w_matrix, weight_network, weight_trajectories  # noqa: E402

__all__ += ["weight_trajectories", "delta_w_matrix", "weight_network"]
