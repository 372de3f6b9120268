"""Small circuits shared by the engine tests (module-level, cheap to build)."""

from __future__ import annotations

import numpy as np

import connectome

NAMES = ["AVAL", "AVAR", "PLML", "PLMR", "DB1"]


def small_wiring():
    """Five neurons, mixed-sign chemical synapses (one self-loop), a few gap junctions."""
    W = np.zeros((5, 5))
    S = np.zeros((5, 5))
    for pre, post, w, s in [(0, 1, 2.0, 1), (1, 0, 1.0, -1), (2, 0, 3.0, 1), (3, 1, 1.5, 1), (0, 4, 2.0, -1),
                            (4, 2, 1.0, 1), (1, 3, 0.5, -1), (4, 4, 1.0, 1), (3, 4, 2.5, 1)]:
        W[pre, post] = w
        S[pre, post] = s
    G = np.zeros((5, 5))
    G[0, 1] = G[1, 0] = 1.0
    return connectome.Wiring(NAMES, W, S, G, name="small")
