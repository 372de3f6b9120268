"""Streaming a long worm run to a zarr store against keeping it in memory.

Experiment: graded network (Kunert et al. 2014) on varshney2011 (279 neurons, 558
state values), 2 nA into PLML and PLMR, ``Rosenbrock()``, every state recorded on the
step grid with dense output, for ``--seconds`` of model time.

* peak memory: each variant in a fresh process (kernels loaded from the cache by a
  short warm-up first, zarr and dask imported), the growth of the peak resident set (VmHWM, reset through
  /proc/self/clear_refs) during the run itself;
* time: in one process, in-memory and stored runs back to back in alternating order in
  every repeat; the overhead is the median of the per-repeat ratios, also given per
  model-second; the load average is printed (distrust figures taken above 1).

Run: ``python benchmarks/bench_stream.py [--quick] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

SETUP = """
import connectome, circuitsim as cs
c = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})
solver = cs.Rosenbrock()
cs.simulate(c, 50.0, None, solver)      # load the kernels
"""

MEMORY = SETUP + """
import re, sys, json
def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024
T, store = float(sys.argv[1]), (sys.argv[2] or None)
import zarr, dask.array   # imported by both variants first: the comparison is of the run's own memory
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS")
r = cs.simulate(c, T, None, solver, store=store)
print(json.dumps({"grown": status("VmHWM") - before, "samples": int(len(r.t))}))
"""


def peak(T, store):
    code = textwrap.dedent(MEMORY)
    res = subprocess.run([sys.executable, "-c", code, str(T), store or ""], capture_output=True, text=True,
                         check=False)
    if res.returncode != 0:
        raise RuntimeError(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run, few repeats (smoke test)")
    ap.add_argument("--seconds", type=float, default=60.0, help="model seconds of the long run")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    T = 2_000.0 if args.quick else 1000.0 * args.seconds
    repeats = 2 if args.quick else args.repeats
    print(f"load average before: {os.getloadavg()}")
    folder = tempfile.mkdtemp()
    try:
        mem = peak(T, None)
        st = peak(T, os.path.join(folder, "mem.zarr"))
        print(f"peak memory growth over {T / 1000:g} s of model time ({mem['samples']} samples of 558 values + "
              f"dense output): in memory {mem['grown'] / 1e6:.1f} MB, streamed {st['grown'] / 1e6:.1f} MB")

        ns: dict = {}
        exec(SETUP, ns)  # noqa: S102
        cs, c, solver = ns["cs"], ns["c"], ns["solver"]
        ratios, t_mem, t_st = [], [], []
        for k in range(repeats):
            order = ("mem", "store") if k % 2 == 0 else ("store", "mem")
            times = {}
            for which in order:
                path = os.path.join(folder, f"run{k}.zarr")
                tic = time.perf_counter()
                cs.simulate(c, T, None, solver, store=path if which == "store" else None)
                times[which] = time.perf_counter() - tic
            ratios.append(times["store"] / times["mem"])
            t_mem.append(times["mem"])
            t_st.append(times["store"])
            shutil.rmtree(path, ignore_errors=True)
        over = statistics.median(ratios)
        per = (statistics.median(t_st) - statistics.median(t_mem)) / (T / 1000.0)
        print(f"time: in memory {statistics.median(t_mem):.2f} s, streamed {statistics.median(t_st):.2f} s "
              f"(median ratio {over:.3f}; {1000 * per:.1f} ms of wall time per model-second)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
