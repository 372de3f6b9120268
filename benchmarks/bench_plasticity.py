"""Cost of plastic synapses, measured in one run against the same network without them.

1. The worm (graded network, Kunert et al. 2014 on varshney2011, 2 nA into PLM), 10 s of
   model time with all 2194 chemical synapses plastic (slow Hebbian rule with decay) against
   the non-plastic circuit, both under the default Rosenbrock solver (the plastic circuit
   records one weight: recording all 2194 with dense output costs more than the learning); every repeat times
   both back to back in alternating order and the figure is the median of the paired ratios.
   The plastic circuit eliminates its weights exactly onto the graded network's reduced
   system (:mod:`circuitsim._kernels.plastic_linear`); for comparison it also runs with
   the generic sparse LU of the whole system (weights included), the path used before.
2. Throughput under slow learning: model seconds per wall second of the plastic worm over
   10^3 s of model time (``--quick``: 20 s).
3. Scaling in the number of plastic synapses: a 10^4-neuron random sparse CTRNN (10
   synapses per neuron), RK4 fixed step, with 10^2 ... 10^5 plastic synapses; wall time per
   step minus the non-plastic time per step, fitted as a fixed part (the activities of
   every neuron) plus a part per plastic synapse.

The load average is printed: figures taken above a load of 1 are unreliable.
Run: ``python benchmarks/bench_plasticity.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import connectome
import circuitsim as cs
from circuitsim import plasticity as pl
from circuitsim.presets import kunert2014


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def worm(repeats: int, long_T: float):
    c = kunert2014(connectome.load("varshney2011"), {"PLML": 2000.0, "PLMR": 2000.0})
    rule = pl.Hebbian(rate=1e-6, decay=1e-7)
    first = c.with_plasticity(rule).model.labels
    p = c.with_plasticity(rule, record=[(first[0][0], first[1][0])])
    T = 10_000.0
    from circuitsim.models.base import Model
    from circuitsim.plasticity.model import PlasticModel

    def generic():  # the whole system by the sparse LU (weights not eliminated)
        own = PlasticModel.linear_structure
        PlasticModel.linear_structure = lambda self, circuit, linear="auto": Model.linear_structure(self, circuit)
        try:
            return cs.simulate(p, T, solver=cs.Rosenbrock(linear="direct"), record=["AVAL"])
        finally:
            PlasticModel.linear_structure = own

    runs = {"plain": lambda: cs.simulate(c, T, record=["AVAL"]),
            "plastic": lambda: cs.simulate(p, T, record=["AVAL"]),
            "plastic_generic_lu": generic}
    for f in runs.values():  # compile
        f()
    ratios, ratios_generic, times = [], [], {k: [] for k in runs}
    for r in range(repeats):
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]
        got = {k: timed(runs[k])[0] for k in order}
        for k, v in got.items():
            times[k].append(v)
        ratios.append(got["plastic"] / got["plain"])
        ratios_generic.append(got["plastic_generic_lu"] / got["plain"])
    print(f"worm, 10 s, {p.model.m} plastic synapses, {repeats} repeats (load {load()})")
    for k, v in times.items():
        print(f"  {k:18s} median {statistics.median(v):.3f} s")
    print(f"  plastic / non-plastic (default solver): median of paired ratios {statistics.median(ratios):.2f}x "
          "(target <= 2x)")
    print(f"  plastic, generic sparse LU / non-plastic: median of paired ratios {statistics.median(ratios_generic):.2f}x")
    wall, res = timed(lambda: cs.simulate(p, long_T, record=["AVAL"], every=100, dense=False))
    change = np.abs(pl.weights(res)[-1] - pl.weights(res)[0]).max()
    print(f"slow learning, {long_T / 1000:g} s of model time: {wall:.1f} s wall, "
          f"{long_T / 1000 / wall:.1f} model s per wall s, max |dw| {change:.3g} nS (load {load()})")


def scaling(quick: bool):
    from connectome.synthetic import random_sparse

    n = 10_000
    w = random_sparse(n, 10.0 / n, seed=1)
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=10.0, weight_scale=0.1, bias=0.1))
    nnz = w.chemical.nnz
    sizes = [100, 1000, 10_000, nnz] if not quick else [1000, nnz]
    T, dt = (20.0, 0.1) if not quick else (5.0, 0.1)
    steps = T / dt
    rng = np.random.default_rng(0)
    chem = w.chemical.tocoo()
    base_f = lambda: cs.simulate(c, T, None, cs.RK4(dt=dt), record=[w.neurons[0]], dense=False)  # noqa: E731
    base_f()
    rows = []
    for m in sizes:
        pick = np.sort(rng.choice(nnz, m, replace=False))
        import scipy.sparse as sp
        mask = sp.csr_array((np.ones(m), (chem.row[pick], chem.col[pick])), shape=(n, n))
        p = c.with_plasticity(pl.Hebbian(rate=1e-5, decay=1e-6), synapses=mask, record=[(w.neurons[chem.row[pick[0]]],
                                                                                          w.neurons[chem.col[pick[0]]])])
        f = lambda: cs.simulate(p, T, None, cs.RK4(dt=dt), record=[w.neurons[0]], dense=False)  # noqa: E731
        f()
        extra = []
        for r in range(3):
            tb, tp = (timed(base_f)[0], timed(f)[0]) if r % 2 == 0 else tuple(reversed((timed(f)[0], timed(base_f)[0])))
            extra.append((tp - tb) / steps)
        rows.append((m, statistics.median(extra)))
        print(f"  {m:7d} plastic synapses: extra {statistics.median(extra) * 1e6:9.1f} us per RK4 step")
    ms = np.array([r[0] for r in rows], float)
    ex = np.array([max(r[1], 1e-9) for r in rows])
    # the extra cost is a fixed O(n) part (activities of every neuron) plus a part in O(m)
    c1, c0 = np.polyfit(ms, ex, 1)
    print(f"scaling on {n} neurons, {nnz} synapses: extra per step = {c0 * 1e6:.1f} us + {c1 * 1e9:.2f} ns x m "
          f"(load {load()})")
    if len(ms) > 2:
        d = ex - ex[0]
        slope = np.polyfit(np.log(ms[1:] - ms[0]), np.log(np.maximum(d[1:], 1e-12)), 1)[0]
        print(f"  slope of log(extra - extra(m0)) vs log(m - m0): {slope:.2f} (1 = linear in m)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, shorter runs")
    ap.add_argument("--worm-only", action="store_true", help="skip the scaling study")
    args = ap.parse_args(argv)
    worm(3 if args.quick else 7, 20_000.0 if args.quick else 1_000_000.0)
    if not args.worm_only:
        scaling(args.quick)


if __name__ == "__main__":
    main()
