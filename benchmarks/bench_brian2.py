"""circuitsim side by side with Brian2 (cython target) on the same large graded network.

The network is ``connectome.synthetic_brain(n, 100, seed=0)`` (10^5 neurons and 10^7
chemical synapses by default) with the graded model of :func:`circuitsim.kunert2014`
(200 pA into 10 neurons, resting initial state). Both sides integrate the same
equations with forward Euler at ``dt = 0.001 ms`` for the same number of steps: one
gather over all synapses per step on both sides (Brian2 evaluates its summed synaptic
current at the start of each step, which is the forward Euler step; the script checks
that both end in the same, finite state). The step is small because Euler is stable
only below ``2 C / max(Gc + sum of g)``: this network's hubs receive ~2000 synapses at
10^5 neurons, which puts the limit near 0.003 ms (at 0.1 ms both sides reach 1e25 mV
in 50 steps; circuitsim now stops with a DivergenceError).

Brian2 runs in its own process with the Python of an environment where it imports
(Brian2 2.9.0 does not import with NumPy >= 2.4; ``benchmarks/brian2_env.sh`` builds
such an environment with NumPy 2.2) and is driven over a pipe, so every repeat runs
circuitsim on 2 threads, Brian2, and circuitsim on 1 thread back to back (order
alternating); figures are medians of the per-repeat ratios, with the load average
(2 shared cores: distrust figures taken above ~1). Brian2's cython target runs on one
thread, hence the 1-thread comparison.

Run: ``bash benchmarks/brian2_env.sh`` once, then
``python benchmarks/bench_brian2.py [--n 100000] [--steps 50] [--repeat 5] [--python .brian2-env/bin/python]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DT = 0.001  # ms, below Euler's stability limit (see above)
HERE = Path(__file__).resolve().parent


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def network(n):
    """The graded circuit and the arrays Brian2 needs (synapses grouped by postsynaptic neuron)."""
    import connectome

    import circuitsim as cs

    w = connectome.synthetic_brain(n, 100, seed=0)
    c = cs.kunert2014(w, {name: 200.0 for name in w.neurons[:10]}, y0="rest")
    kp = c.kernel_params()
    if kp.gap_index.shape[0]:
        raise SystemExit("the synthetic network has gap junctions; this comparison covers chemical synapses only")
    p = c.params
    current = np.zeros(n)
    for s in c.drive.stimuli:
        current[c.wiring.index_of(list(s.neurons))] += np.broadcast_to(s.amplitude, (len(s.neurons),))
    post = np.repeat(np.arange(n), np.diff(kp.post_indptr))
    y0 = np.asarray(c.y0)
    arrays = dict(n=n, C=float(p.C), Gc=float(p.Gc), Ec=float(p.Ec), beta=float(p.beta), a_r=float(p.a_r),
                  a_d=float(p.a_d), vth=np.asarray(kp.vth, float), I=current, pre=np.asarray(kp.pre_index, np.int64),
                  post=post, g=np.asarray(kp.g_syn, float), e=np.asarray(kp.e_syn, float), v0=y0[:n], s0=y0[n:])
    return c, arrays


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--python", default=str(HERE.parent / ".brian2-env" / "bin" / "python"),
                    help="a Python in which Brian2 imports (see brian2_env.sh)")
    ap.add_argument("--quick", action="store_true", help="10^4 neurons, 20 steps, 2 repeats")
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.steps, args.repeat = 10_000, 20, 2
    if not Path(args.python).exists():
        raise SystemExit(f"no Python at {args.python}: run `bash benchmarks/brian2_env.sh` or pass --python")
    import warnings

    import numba

    import circuitsim as cs
    from circuitsim.solvers import Euler

    warnings.simplefilter("ignore")  # a 5 ms span warns about units
    threads = numba.get_num_threads()
    print(f"bench_brian2: n = {args.n:,}, 100 synapses per neuron, forward Euler dt = {DT} ms, {args.steps} steps; "
          f"load average {load()}")
    t0 = time.perf_counter()
    c, arrays = network(args.n)
    nnz = arrays["pre"].shape[0]
    print(f"  network built in {time.perf_counter() - t0:.1f} s ({nnz:,} synapses)")
    span = (0.0, args.steps * DT)
    rec = [c.neurons[i] for i in range(5)]

    def ours(nthreads):
        numba.set_num_threads(nthreads)
        t = time.perf_counter()
        r = cs.simulate(c, span, solver=Euler(dt=DT), record=rec, dense=False, every=10**9)
        return time.perf_counter() - t, r

    ours(threads)
    ours(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.npz")
        np.savez(path, steps=args.steps, dt=DT, **arrays)
        t0 = time.perf_counter()
        peer = subprocess.Popen([args.python, str(HERE / "brian2_peer.py"), path], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        hello = json.loads(peer.stdout.readline())
        print(f"  Brian2 {hello['version']} (cython) set up and compiled in {time.perf_counter() - t0:.1f} s")

        def brian2():
            peer.stdin.write("run\n")
            peer.stdin.flush()
            return json.loads(peer.stdout.readline())

        times = {"ours": [], "ours1": [], "brian2": []}
        agree = []
        for r in range(args.repeat):
            order = ("ours", "brian2", "ours1") if r % 2 == 0 else ("ours1", "brian2", "ours")
            for k in order:
                if k == "brian2":
                    b = brian2()
                    times[k].append(b["seconds"])
                else:
                    sec, res = ours(threads if k == "ours" else 1)
                    times[k].append(sec)
            agree.append(float(np.max(np.abs(res.y[-1, :5] - np.asarray(b["v"])))))
        peer.stdin.write("quit\n")
        peer.stdin.close()
        peer.wait()
    numba.set_num_threads(threads)

    def rate(k):
        return args.steps * nnz / statistics.median(times[k]) / 1e9

    ratio2 = statistics.median(b / o for b, o in zip(times["brian2"], times["ours"]))
    ratio1 = statistics.median(b / o for b, o in zip(times["brian2"], times["ours1"]))
    print(f"  G synapse-updates/s: Brian2 {rate('brian2'):.3f} (1 thread), circuitsim {rate('ours1'):.3f} (1 thread), "
          f"{rate('ours'):.3f} ({threads} threads)")
    print(f"  speed-up over Brian2 (median of {args.repeat} paired ratios): {ratio1:.1f}x on 1 thread, "
          f"{ratio2:.1f}x on {threads} threads")
    v5 = res.y[-1, :5]
    print(f"  final V of the first five neurons ({v5.min():.2f} .. {v5.max():.2f} mV) agree to {max(agree):.1e} mV; "
          f"load average {load()}")


if __name__ == "__main__":
    sys.exit(main())
