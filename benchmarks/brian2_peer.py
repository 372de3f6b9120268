"""The graded network of ``bench_brian2.py`` in Brian2 (cython target), driven over stdin.

Run by ``bench_brian2.py`` with the Python of an environment that has Brian2 (see
``benchmarks/brian2_env.sh``); not imported by circuitsim. Protocol, one line each:
the driver sends ``run``, this process integrates the network from its initial state
and answers a JSON line ``{"seconds": ..., "v": [...]}`` (wall time of ``Network.run``
and the final V of the first five neurons); ``quit`` ends it.

Brian2's explicit Euler with a summed synaptic current evaluates the current from the
state at the start of each step, which is the forward Euler step of the same equations
circuitsim integrates with ``Euler(dt)``: both sides do one gather over all synapses
per step, so synapse updates per second compare like for like.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def main(path):
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    b2.BrianLogger.log_level_error()
    d = np.load(path)
    n, steps, dt = int(d["n"]), int(d["steps"]), float(d["dt"])
    b2.defaultclock.dt = dt * b2.ms
    # time is in ms on circuitsim's side: every rate below is per ms
    eqs = """
    dv/dt = (-Gc * (v - Ec) + Isyn + I) / C / ms : 1
    ds/dt = (a_r / (1 + exp(-beta * (v - vth))) * (1 - s) - a_d * s) / ms : 1
    Isyn : 1
    vth : 1 (constant)
    I : 1 (constant)
    """
    ns = {k: float(d[k]) for k in ("C", "Gc", "Ec", "beta", "a_r", "a_d")}
    G = b2.NeuronGroup(n, eqs, method="euler", namespace=ns)
    G.vth = d["vth"]
    G.I = d["I"]
    S = b2.Synapses(G, G, "g : 1 (constant)\nesyn : 1 (constant)\nIsyn_post = g * s_pre * (esyn - v_post) : 1 (summed)")
    S.connect(i=d["pre"], j=d["post"])
    S.g = d["g"]
    S.esyn = d["e"]
    net = b2.Network(G, S)

    def run():
        G.v = d["v0"]
        G.s = d["s0"]
        t0 = time.perf_counter()
        net.run(steps * dt * b2.ms)
        return time.perf_counter() - t0

    net.store("start")
    run()  # code generation and compilation
    net.restore("start")
    print(json.dumps({"ready": True, "version": b2.__version__}), flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        net.restore("start")
        sec = run()
        print(json.dumps({"seconds": sec, "v": np.asarray(G.v[:5]).tolist()}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
