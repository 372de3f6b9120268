"""Synapse sign rules: which chemical synapses are inhibitory.

Neither Varshney et al. (2011) nor Cook et al. (2019) give synapse signs. The
common convention (c302; Kunert, Shlizerman & Kutz 2014) calls a synapse
inhibitory when its presynaptic neuron is one of the 26 classically GABAergic
neurons (McIntire et al. 1993, Nature 364:337: DD1-6, VD1-13, RMED, RMEL, RMER,
RMEV, AVL, RIS, DVB) and excitatory otherwise. That is the default here.

The neurotransmitter atlas of Wang et al. (2024) finds GABA in 11 more
hermaphrodite neurons (ALA, AVF, AVJ, RIB, SMD; some by uptake only or dimly)
and in male-specific neurons; rule ``"gaba"`` uses it. Glutamate can also
inhibit (through GluCl channels). Any callable ``rule(neurons, edges) -> array``
returning +1 (excitatory) or -1 (inhibitory) per row of `edges` can be used.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CLASSIC_GABAERGIC", "classic_gabaergic", "gabaergic_inhibitory", "transmitter_rule", "all_excitatory", "SIGN_RULES", "resolve_rule"]


def _transmitters(neurons, names):
    col = neurons["neurotransmitters"] if "neurotransmitters" in neurons else None
    if col is None:
        return [frozenset()] * len(names)
    lookup = {
        n: frozenset(t for t in str(v).split(";") if t) if isinstance(v, str) else frozenset()
        for n, v in col.items()
    }
    return [lookup.get(n, frozenset()) for n in names]


def transmitter_rule(inhibitory=("gaba",)):
    """Build a rule that makes a synapse inhibitory if its presynaptic neuron
    releases any of the `inhibitory` transmitters.

    Parameters
    ----------
    inhibitory : iterable of str
        Lower-case transmitter names, as in the ``neurotransmitters`` column of
        :attr:`Connectome.neurons` (``;``-separated lists).

    Returns
    -------
    callable
        ``rule(neurons, edges) -> numpy.ndarray`` of int8 (+1 / -1), one per edge.

    Examples
    --------
    >>> import pandas as pd
    >>> neurons = pd.DataFrame({"neurotransmitters": ["gaba", "acetylcholine"]}, index=["DD1", "DA1"])
    >>> edges = pd.DataFrame({"pre": ["DD1", "DA1"], "post": ["DA1", "DD1"]})
    >>> transmitter_rule(["gaba"])(neurons, edges).tolist()
    [-1, 1]
    """
    inhibitory = frozenset(str(t).lower() for t in inhibitory)

    def rule(neurons, edges):
        tx = _transmitters(neurons, list(edges["pre"]))
        return np.array([-1 if (t & inhibitory) else 1 for t in tx], dtype=np.int8)

    rule.__name__ = "transmitter_rule(" + ",".join(sorted(inhibitory)) + ")"
    rule.__doc__ = f"Inhibitory when the presynaptic neuron releases any of {sorted(inhibitory)}."
    return rule


gabaergic_inhibitory = transmitter_rule(["gaba"])
gabaergic_inhibitory.__name__ = "gabaergic_inhibitory"
gabaergic_inhibitory.__doc__ = (
    "Inhibitory when the presynaptic neuron's transmitters (Wang et al. 2024) include GABA."
)

#: The 26 GABAergic neurons of McIntire et al. (1993), the c302 / Kunert et al. (2014) convention.
CLASSIC_GABAERGIC = frozenset(
    [f"DD{i}" for i in range(1, 7)] + [f"VD{i}" for i in range(1, 14)]
    + ["RMED", "RMEL", "RMER", "RMEV", "AVL", "RIS", "DVB"]
)


def classic_gabaergic(neurons, edges):
    """Default rule: inhibitory when the presynaptic neuron is one of :data:`CLASSIC_GABAERGIC`."""
    return np.where(edges["pre"].isin(CLASSIC_GABAERGIC), -1, 1).astype(np.int8)


def all_excitatory(neurons, edges):
    """Every synapse excitatory (+1)."""
    return np.ones(len(edges), dtype=np.int8)


SIGN_RULES = {
    "classic_gaba": classic_gabaergic,
    "gaba": gabaergic_inhibitory,
    "gaba+glutamate": transmitter_rule(["gaba", "glutamate"]),
    "excitatory": all_excitatory,
}


def resolve_rule(rule):
    """Return a sign-rule callable from a name in :data:`SIGN_RULES` or a callable."""
    from .errors import UnknownNameError

    if rule is None:
        return classic_gabaergic
    if callable(rule):
        return rule
    try:
        return SIGN_RULES[rule]
    except (KeyError, TypeError):
        raise UnknownNameError(rule, SIGN_RULES, kind="sign rule") from None
