"""Build time and peak memory of large graded networks, and the iterative set-up against the direct solve.

Two parts, all figures from this run:

1. **Build** at 10^4 and 10^5 neurons (and 10^6 with ``--million``), 100 chemical
   synapses and 10 gap-junction partners per neuron: the wiring
   (:func:`connectome.synthetic_brain`) and the :func:`circuitsim.kunert2014`
   circuit on it with a 200 pA stimulus into 10 neurons, i.e. the thresholds
   under that input and the no-input resting state (automatic solver choice).
   Each size runs in a fresh process, so the peak resident memory
   (``ru_maxrss``) is that size's own. Targets (issue 13): 10^5 x 10^7 in under
   30 s; 10^6 x 10^8 in under 10 min and 16 GiB.
2. **Ratio** of the old direct set-up (SuperLU, ``method="direct"``) to the new
   one (``method="auto"``) on ``random_sparse(10_000, 0.01)``, the network of
   the issue (measured there at 557 s). Every repeat times both, alternating
   which goes first; the median of the per-repeat ratios is reported with the
   load average before and after, and the largest relative difference between
   the two results.

    python benchmarks/bench_build.py [--million] [--repeat 3] [--no-ratio]
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def child_build(n: int, k: int, gaps: float) -> dict:
    import numpy as np

    import circuitsim as cs
    import connectome

    t0 = time.perf_counter()
    w = connectome.synthetic_brain(n, k, gap_junctions_per_neuron=gaps, seed=0)
    t1 = time.perf_counter()
    stim = {name: 200.0 for name in w.neurons[:10]}
    circuit = cs.kunert2014(w, stim)
    t2 = time.perf_counter()
    assert np.all(np.isfinite(circuit.y0))
    return {"n": n, "synapses": int(w.chemical.nnz), "gap_pairs": int(w.electrical.nnz // 2),
            "wiring_s": t1 - t0, "circuit_s": t2 - t1, "total_s": t2 - t0,
            "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}


def setup(w, method):
    from circuitsim.models.graded import GradedParams, resting_state, thresholds

    p = GradedParams()
    t0 = time.perf_counter()
    vth = thresholds(p, w, method=method)
    y = resting_state(p, w, vth, method=method)
    return time.perf_counter() - t0, vth, y


def ratio(repeat: int) -> None:
    import numpy as np

    import connectome

    w = connectome.random_sparse(10_000, 0.01, seed=0, inhibitory_fraction=0.2)
    print(f"\nratio on {w!r}")
    load0 = os.getloadavg()
    ratios = []
    for r in range(repeat):
        order = ("direct", "auto") if r % 2 == 0 else ("auto", "direct")
        res = {m: setup(w, m) for m in order}
        ratios.append(res["direct"][0] / res["auto"][0])
        diff = max(np.max(np.abs(res["auto"][i] - res["direct"][i])) / np.max(np.abs(res["direct"][i]))
                   for i in (1, 2))
        print(f"  repeat {r}: direct {res['direct'][0]:8.2f} s, new {res['auto'][0]:6.3f} s, "
              f"ratio {ratios[-1]:8.1f}, max relative difference {diff:.1e} ({order[0]} first)", flush=True)
    load1 = os.getloadavg()
    print(f"  median paired ratio (direct / new): {statistics.median(ratios):.1f} over {repeat} repeats; "
          f"load average before {load0[0]:.2f}, after {load1[0]:.2f} (1 min), {os.cpu_count()} cpus")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--million", action="store_true", help="also build 10^6 neurons x 10^8 synapses")
    parser.add_argument("--synapses", type=int, default=100, help="chemical synapses per neuron")
    parser.add_argument("--gaps", type=float, default=10.0, help="gap-junction partners per neuron")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of the 10^4 ratio")
    parser.add_argument("--no-ratio", action="store_true", help="skip the (slow) direct-solve baseline")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_build(args.child, args.synapses, args.gaps)))
        return
    sizes = [10_000, 100_000] + ([1_000_000] if args.million else [])
    print(f"build: synthetic_brain(n, {args.synapses}, gap_junctions_per_neuron={args.gaps}) + kunert2014 "
          f"(thresholds + resting state), fresh process per size; load average {os.getloadavg()[0]:.2f}")
    targets = {100_000: (30.0, None), 1_000_000: (600.0, 16.0)}
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(n), "--synapses", str(args.synapses),
                              "--gaps", str(args.gaps)], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        line = (f"  n={n:>9,d}  synapses={r['synapses']:>11,d}  gap pairs={r['gap_pairs']:>10,d}  "
                f"wiring {r['wiring_s']:7.2f} s  circuit {r['circuit_s']:7.2f} s  total {r['total_s']:7.2f} s  "
                f"peak {r['peak_gib']:5.2f} GiB")
        if n in targets:
            t, mem = targets[n]
            ok = r["total_s"] < t and (mem is None or r["peak_gib"] < mem)
            line += f"  target < {t:.0f} s" + (f", < {mem:.0f} GiB" if mem else "") + (" met" if ok else " MISSED")
        print(line, flush=True)
    if not args.no_ratio:
        ratio(args.repeat)


if __name__ == "__main__":
    main()
