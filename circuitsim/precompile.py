"""Compile (or load from the cache) the kernels of the common model and solver pairs ahead of time.

The first run of a model with a solver compiles its kernels (seconds to tens of seconds);
later runs, in this and later processes, load them from the cache. ``precompile()`` does
that work up front, e.g. after installing or in a notebook's first cell.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["precompile"]


def _tiny_wiring():
    import connectome

    W = np.array([[0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])
    G = np.array([[0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]])
    return connectome.Wiring(["A", "B", "C"], W, None, G, inputs=["A"], outputs=["C"], name="tiny")


def precompile(which=("graded", "ctrnn", "ltc", "cfc"), *, verbose: bool = False) -> dict:
    """Compile the kernels of the shipped models with their usual solvers.

    Parameters
    ----------
    which : sequence of {"graded", "ctrnn", "ltc", "cfc"}
        Models to prepare: graded with Rosenbrock and Dopri5; CTRNN with RK4 and Dopri5
        (every explicit method shares one compiled step) and Rosenbrock; LTC with the
        fused step, Dopri5 and Rosenbrock; CfC with its closed form (float64 and float32).
    verbose : bool
        Print each pair and its time.

    Returns
    -------
    dict
        ``{"model/solver": seconds}``.
    """
    from . import inputs
    from .circuit import Circuit
    from .liquid import CfCNetwork, LTCNetwork
    from .models.ltc import LTCParams
    from .presets import kunert2014
    from .simulate import simulate
    from .solvers import RK4, Dopri5, Rosenbrock

    w = _tiny_wiring()
    x = np.ones((2, 3, 1))
    jobs = {
        "graded/rosenbrock": lambda: simulate(kunert2014(w, {"A": 20.0}), 5.0),
        "graded/dopri5": lambda: simulate(kunert2014(w, {"A": 20.0}), 5.0, solver=Dopri5()),
        "ctrnn/explicit": lambda: simulate(Circuit(w, "ctrnn"), 5.0, inputs.constant("A", 1.0), RK4(0.5)),
        "ctrnn/rosenbrock": lambda: simulate(Circuit(w, "ctrnn"), 5.0, inputs.constant("A", 1.0), Rosenbrock()),
        "ltc/fused": lambda: (LTCNetwork(w).run(x), LTCNetwork(w, dtype=np.float32).run(x)),
        "ltc/dopri5": lambda: simulate(Circuit(w, "ltc", LTCParams.initial(w)), 5.0, inputs.constant("A", 1.0)),
        "ltc/rosenbrock": lambda: simulate(Circuit(w, "ltc", LTCParams.initial(w)), 5.0, inputs.constant("A", 1.0),
                                           Rosenbrock()),
        "cfc/closed_form": lambda: (CfCNetwork.wired(w).run(x), CfCNetwork.wired(w, dtype=np.float32).run(x)),
    }
    out = {}
    for key, job in jobs.items():
        if key.split("/")[0] not in which:
            continue
        t0 = time.perf_counter()
        job()
        out[key] = time.perf_counter() - t0
        if verbose:
            print(f"{key:20s} {out[key]:6.1f} s")
    return out
