"""The default worm experiment: circuitsim's stiff solver against scipy's LSODA, measured in one run.

Experiment: graded network (Kunert et al. 2014, published parameters) on varshney2011
(279 neurons, 558 state values), 2 nA into PLML and PLMR, 10 s of model time,
starting from the no-input resting equilibrium.

* baseline: ``solve_ivp(method="LSODA", rtol=1e-6)`` with a scipy.sparse right-hand side
  (what a competent user writes);
* circuitsim: ``simulate(circuit, (0, 10000), drive, Rosenbrock())`` (whole call), and the
  same with ``Rosenbrock(linear="direct")`` and with ``method="rodas5p"`` for comparison;
* every repeat times all of them back to back in alternating order; the speed-up is the
  median of the per-repeat ratios, and the load average is printed (distrust figures
  taken above 1);
* accuracy of both: max |dV| over 1001 times against a tight reference
  (scipy BDF, rtol = atol = 1e-10, analytic sparse Jacobian);
* start-up: a fresh process with a warm compilation cache, from ``python`` to the
  first result; the cold compile time with an empty cache;
* batch: 256 simulations (different stimulus amplitudes) with ``simulate_batch`` on a
  201-point ``saveat`` grid without dense output,
  throughput on 1 thread and on all threads.

Run: ``python benchmarks/bench_worm.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.special import expit

import connectome
from circuitsim.inputs import constant
from circuitsim.presets import kunert2014
from circuitsim.simulate import simulate, simulate_batch
from circuitsim.solvers import Rosenbrock

T = 10_000.0
PLM = {"PLML": 2000.0, "PLMR": 2000.0}


def scipy_model(circuit):
    """Right-hand side and Jacobian with scipy.sparse matrices (the baseline's model code)."""
    w = circuit.wiring
    p = circuit.params
    n = w.n
    vth = circuit.model.thresholds(circuit)
    G = sp.csr_array(w.electrical, dtype=float).tolil()
    G.setdiag(0)
    G = sp.csr_array(G) * p.g_gap
    gdeg = np.asarray(G.sum(axis=1)).ravel()
    Wt = (sp.csr_array(w.chemical, dtype=float) * p.g_syn).T.tocsr()       # [post, pre]
    E = sp.csr_array(w.sign, dtype=float)
    E.data = np.where(E.data < 0, p.E_inh, p.E_exc)
    WEt = (sp.csr_array(w.chemical, dtype=float).multiply(E) * p.g_syn).T.tocsr()
    I = np.zeros(n)
    I[w.index_of(list(PLM))] = list(PLM.values())
    C, Gc, Ec = float(p.C), float(p.Gc), float(p.Ec)
    a_r, a_d, beta = float(p.a_r), float(p.a_d), float(p.beta)

    def f(t, y):
        V, s = y[:n], y[n:]
        dV = (-Gc * (V - Ec) - (gdeg * V - G @ V) - (V * (Wt @ s) - WEt @ s) + I) / C
        ph = expit(beta * (V - vth))
        return np.concatenate([dV, a_r * ph * (1 - s) - a_d * s])

    def jac(t, y):
        V, s = y[:n], y[n:]
        ph = expit(beta * (V - vth))
        JVV = (-sp.diags_array(Gc + gdeg + Wt @ s) + G) / C
        JVs = (WEt - sp.diags_array(V) @ Wt) / C
        return sp.block_array([[JVV, JVs], [sp.diags_array(a_r * beta * ph * (1 - ph) * (1 - s)),
                                              sp.diags_array(-a_r * ph - a_d)]], format="csc")

    return f, jac


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


_FRESH = """
import time; t0 = time.perf_counter()
import connectome
from circuitsim.inputs import constant
from circuitsim.presets import kunert2014
from circuitsim.simulate import simulate
from circuitsim.solvers import Rosenbrock
c = kunert2014(connectome.load("varshney2011"), {"PLML": 2000.0, "PLMR": 2000.0})
r = simulate(c, (0.0, 10000.0), constant(["PLML", "PLMR"], 2000.0), Rosenbrock())
print(time.perf_counter() - t0)
"""


def fresh_process(env=None):
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - t0, float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, batch of 32, no cold compile")
    args = ap.parse_args(argv)
    reps = 3 if args.quick else 7

    circuit = kunert2014(connectome.load("varshney2011"), PLM)
    drive = constant(list(PLM), list(PLM.values()))
    n = circuit.n
    tq = np.linspace(0.0, T, 1001)
    f, jac = scipy_model(circuit)

    print("tight reference (BDF, rtol = atol = 1e-10) ...", flush=True)
    t0 = time.perf_counter()
    ref = solve_ivp(f, (0, T), circuit.y0, method="BDF", rtol=1e-10, atol=1e-10, jac=jac, t_eval=tq)
    print(f"  {time.perf_counter() - t0:.1f} s, {ref.nfev} rhs calls")
    Vref = ref.y[:n].T

    runs = {"rodas4": lambda: simulate(circuit, (0.0, T), drive, Rosenbrock()),
            "direct": lambda: simulate(circuit, (0.0, T), drive, Rosenbrock(linear="direct")),
            "rodas5p": lambda: simulate(circuit, (0.0, T), drive, Rosenbrock(method="rodas5p")),
            "lsoda": lambda: solve_ivp(f, (0, T), circuit.y0, method="LSODA", rtol=1e-6, t_eval=tq)}
    out = {k: fn() for k, fn in runs.items()}                       # compile / load the cache, keep results
    times = {k: [] for k in runs}
    print(f"load average before: {load()}")
    for r in range(reps):   # every repeat times all of them, in an order that alternates
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]
        for k in order:
            t0 = time.perf_counter()
            runs[k]()
            times[k].append(time.perf_counter() - t0)
    print(f"load average after:  {load()}")
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = {k: statistics.median([a / b for a, b in zip(times["lsoda"], times[k])]) for k in runs if k != "lsoda"}
    err = {k: np.abs(out[k].at(tq)["V"] - Vref).max() for k in runs if k != "lsoda"}
    err["lsoda"] = np.abs(out["lsoda"].y[:n].T - Vref).max()
    res, res_d = out["rodas4"], out["direct"]
    print(f"\ndefault experiment: {n} neurons, 10 s model time, PLM 2 nA (medians of {reps} paired repeats)")
    print(f"  circuitsim Rosenbrock : {med['rodas4'] * 1e3:8.1f} ms  ({int(res.stats['steps'][0])} steps, "
          f"{int(res.stats['rejected'][0])} rejected)  max|dV| = {err['rodas4']:.2e} mV   {ratio['rodas4']:5.1f} x LSODA")
    print(f"  same, linear='direct' : {med['direct'] * 1e3:8.1f} ms  ({int(res_d.stats['steps'][0])} steps, "
          f"{int(res_d.stats['rejected'][0])} rejected)  max|dV| = {err['direct']:.2e} mV   {ratio['direct']:5.1f} x LSODA")
    r5 = out["rodas5p"]
    print(f"  method='rodas5p'      : {med['rodas5p'] * 1e3:8.1f} ms  ({int(r5.stats['steps'][0])} steps, "
          f"{int(r5.stats['rejected'][0])} rejected)  max|dV| = {err['rodas5p']:.2e} mV   {ratio['rodas5p']:5.1f} x LSODA")
    print(f"  scipy LSODA rtol 1e-6 : {med['lsoda'] * 1e3:8.1f} ms  ({out['lsoda'].nfev} rhs calls)  "
          f"max|dV| = {err['lsoda']:.2e} mV")
    print(f"  speed-up (median of paired ratios): {ratio['rodas4']:.1f} x  (target >= 20 x, accuracy <= 0.01 mV: "
          f"{'yes' if err['rodas4'] <= 0.01 else 'NO'})")

    # start-up in a fresh process (the cache is warm after the runs above)
    runs = [fresh_process() for _ in range(3)]      # (the first also refills a cache cleared meanwhile)
    wall, inside = min(runs)
    print(f"\nfresh process, warm cache: {wall:.2f} s to the first result (of which {inside:.2f} s after "
          f"interpreter start-up; best of 3: {', '.join(f'{w:.2f}' for w, _ in runs)}; target < 2 s)")
    if not args.quick:
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, NUMBA_CACHE_DIR=d)
            wall, inside = fresh_process(env)
        print(f"fresh process, empty cache (cold compile): {wall:.2f} s")

    # batch
    B = 32 if args.quick else 256
    amps = np.linspace(1000.0, 3000.0, B)
    drives = [[constant(list(PLM), a)] for a in amps]
    circuits = [circuit] * B
    saveat = np.linspace(0.0, T, 201)
    import numba

    full = numba.get_num_threads()
    simulate_batch(circuits[:2], (0.0, 100.0), drives[:2], Rosenbrock(), saveat=saveat[:2], dense=False)  # warm-up
    samples = {threads: [] for threads in sorted({1, full})}
    for _ in range(1 if args.quick else 3):        # alternate thread counts: shared-machine noise hits both
        for threads in samples:
            numba.set_num_threads(threads)
            t0 = time.perf_counter()
            simulate_batch(circuits, (0.0, T), drives, Rosenbrock(), saveat=saveat, dense=False)
            samples[threads].append(time.perf_counter() - t0)
    numba.set_num_threads(full)
    timings = {threads: statistics.median(v) for threads, v in samples.items()}
    print(f"\nbatch of {B} worm simulations (10 s each, amplitudes 1-3 nA; thresholds as built; "
          f"medians of {len(samples[1])}):")
    for threads, tt in timings.items():
        print(f"  {threads} thread(s): {tt:6.2f} s  -> {B / tt:6.1f} simulations/s")
    if len(timings) > 1:
        print(f"  speed-up from the other core(s): {timings[1] / timings[full]:.2f} x")


if __name__ == "__main__":
    main()
