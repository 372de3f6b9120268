"""Engine benchmarks: start-up time (warm cache vs cold compile) and batch throughput.

Run: ``python benchmarks/bench_engine.py [--quick]``. Prints medians and ratios
measured in this run; nothing is asserted.

* start-up: a fresh Python process imports circuitsim, builds a CTRNN on the
  Varshney wiring (279 neurons) and gets its first result (Dopri5 and RK4, 100 ms).
  Warm = the package's compilation cache is filled; cold = an empty cache folder
  (``NUMBA_CACHE_DIR``), i.e. numba compiles everything.
* control: the 2-thread speed-up of a trivially parallel loop measured in the
  same run (on a shared machine the second core may be busy).
* batch: 256 CTRNN simulations (random biases and initial states, 279 neurons,
  RK4 dt = 0.05 ms over 200 ms, 201 saved samples each) in one ``simulate_batch``
  call on 1 thread and on 2 threads, and the same members as a loop of
  ``simulate`` calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

STARTUP = r"""
import time
t0 = time.perf_counter()
import numpy as np, connectome
from circuitsim.circuit import Circuit
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4, Dopri5
from circuitsim import inputs
w = connectome.Wiring.from_connectome(connectome.load("varshney2011"))
c = Circuit(w, "ctrnn")
r = simulate(c, (0.0, 100.0), inputs.constant(["PLML", "PLMR"], 1.0), Dopri5())
t1 = time.perf_counter()
r = simulate(c, (0.0, 100.0), inputs.constant(["PLML", "PLMR"], 1.0), RK4(0.1))
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""


def _fresh(env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", STARTUP], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    first, both = (float(x) for x in out.stdout.split())
    return wall, first, both


def bench_startup(repeats):
    with tempfile.TemporaryDirectory() as cold_dir:
        cold = _fresh({"NUMBA_CACHE_DIR": cold_dir})
        warm = [_fresh({"NUMBA_CACHE_DIR": cold_dir}) for _ in range(repeats)]
    med = [statistics.median(x[i] for x in warm) for i in range(3)]
    print("start-up (fresh process, varshney2011 CTRNN, 100 ms)")
    print(f"  cold compile: process wall {cold[0]:.2f} s, first result {cold[1]:.2f} s, both solvers {cold[2]:.2f} s")
    print(f"  warm cache  : process wall {med[0]:.2f} s, first result {med[1]:.2f} s, both solvers {med[2]:.2f} s "
          f"(median of {repeats})")
    print(f"  cold / warm first result: {cold[1] / med[1]:.1f}x")


def bench_batch(B, repeats):
    import numba
    import numpy as np

    import connectome
    from circuitsim import inputs
    from circuitsim.circuit import Circuit
    from circuitsim.simulate import simulate, simulate_batch
    from circuitsim.solvers import RK4

    w = connectome.Wiring.from_connectome(connectome.load("varshney2011"))
    rng = np.random.default_rng(0)
    base = Circuit(w, "ctrnn", None)
    circuits = [base.with_params(bias=rng.normal(0, 0.5, w.n), weight_scale=0.1) for _ in range(B)]
    y0 = rng.normal(0, 0.5, (B, w.n))
    drive = inputs.constant(["PLML", "PLMR"], 1.0)
    span, solver = (0.0, 200.0), RK4(0.05)
    ts = np.linspace(*span, 201)
    simulate_batch(circuits[:2], span, drive, solver, y0=y0[:2], saveat=ts, dense=False)  # compile
    simulate(circuits[0], span, drive, solver, y0=y0[0], saveat=ts, dense=False)
    n_max = numba.get_num_threads()
    times = {}
    for threads in sorted({1, min(2, n_max)}):
        numba.set_num_threads(threads)
        runs = []
        for _ in range(repeats):
            t = time.perf_counter()
            simulate_batch(circuits, span, drive, solver, y0=y0, saveat=ts, dense=False)
            runs.append(time.perf_counter() - t)
        times[threads] = statistics.median(runs)
    numba.set_num_threads(n_max)
    numba.set_num_threads(1)
    t = time.perf_counter()
    for b in range(B):
        simulate(circuits[b], span, drive, solver, y0=y0[b], saveat=ts, dense=False)
    loop = time.perf_counter() - t
    numba.set_num_threads(n_max)
    steps = int(round((span[1] - span[0]) / solver.dt))
    print(f"batch of {B} CTRNN runs (279 neurons, RK4 dt=0.05 ms, {steps} steps each)")
    for threads, sec in times.items():
        print(f"  {threads} thread(s): {sec:.2f} s  -> {B / sec:.1f} simulations/s, "
              f"{B * span[1] / 1000 / sec:.1f} model-seconds/s")
    if 2 in times:
        print(f"  speed-up from the 2nd core: {times[1] / times[2]:.2f}x")
    print(f"  loop of {B} single calls (1 thread): {loop:.2f} s; batch(1 thread) / loop = {times[1] / loop:.2f}")


def bench_control(repeats):
    """A trivially parallel loop: the 2-thread speed-up the machine offers right now."""
    import numba
    import numpy as np

    @numba.njit(parallel=True)
    def work(n, m):
        out = np.zeros(n)
        for i in numba.prange(n):
            s = 0.0
            for k in range(m):
                s += np.sin(k * 1e-3 + i)
            out[i] = s
        return out

    work(4, 10)
    n_max = numba.get_num_threads()
    times = {}
    for threads in sorted({1, min(2, n_max)}):
        numba.set_num_threads(threads)
        runs = []
        for _ in range(repeats):
            t = time.perf_counter()
            work(64, 1_000_000)
            runs.append(time.perf_counter() - t)
        times[threads] = statistics.median(runs)
    numba.set_num_threads(n_max)
    if 2 in times:
        print(f"control: a trivially parallel loop gets {times[1] / times[2]:.2f}x from the 2nd core on this machine now "
              f"(load average {os.getloadavg()[0]:.1f})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and a batch of 32")
    args = ap.parse_args(argv)
    bench_startup(2 if args.quick else 5)
    bench_batch(32 if args.quick else 256, 1 if args.quick else 3)
    bench_control(3)


if __name__ == "__main__":
    main()
