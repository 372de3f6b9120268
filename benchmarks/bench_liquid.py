"""Liquid networks vs ncps on the CPU (same run, same functions, medians).

Batch 64, input dimension 8; LTC with 6 unfolds on a 19-neuron NCP (1000 steps) and
a 300-neuron AutoNCP (100 steps); CfC (wired, mode "default") on both (1000 steps).
Each of our networks is imported from the ncps module it is timed against
(:func:`circuitsim.ncps_io.from_ncps`), so both compute the same function; the
outputs are compared before timing.  torch runs with 2 threads in its default
float32; our LTC runs in float64, our CfC in float64 and float32 (the like-with-like
comparison with ncps's float32).  Both sides exclude a warm-up call; ncps runs under
``torch.no_grad()``.  The load average is printed: the machine may be shared.

Usage::

    python benchmarks/bench_liquid.py [--repeats 5] [--quick] [--models CfC]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def median_time(fn, repeats, slow=5.0):
    """Median wall time of `repeats` calls after a warm-up; 3 calls when one takes over `slow` s."""
    t0 = time.perf_counter()
    fn()  # warm-up (compilation, allocation)
    if time.perf_counter() - t0 > slow:
        repeats = min(repeats, 3)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def startup_seconds() -> float:
    """Import + first LTC and CfC call in a fresh process (numba cache warm)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import numpy as np\n"
        "from circuitsim.liquid import LTCNetwork, CfCNetwork\n"
        "from circuitsim.models.cfc import CfCParams\n"
        "import connectome\n"
        "w = connectome.Wiring(['A', 'B'], [[0, 1], [1, 0]], inputs=['A'], outputs=['B'])\n"
        "LTCNetwork(w).run(np.ones((1, 2, 1)))\n"
        "CfCNetwork.wired(w).run(np.ones((1, 2, 1)))\n"
        "CfCNetwork.wired(w, dtype=np.float32).run(np.ones((1, 2, 1)))\n"
        "print(time.perf_counter() - t0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="fewer steps (smoke test of the script)")
    ap.add_argument("--worm", action="store_true",
                    help="also the 279-neuron Varshney et al. (2011) wiring "
                         "(chemical synapses; ncps has no gap junctions)")
    ap.add_argument("--models", nargs="+", choices=["LTC", "CfC"], default=["LTC", "CfC"],
                    help="which models to time (LTC on AutoNCP-300 takes minutes on the ncps side)")
    args = ap.parse_args(argv)

    import torch
    from ncps.torch import CfC, LTC
    from ncps.wirings import NCP, AutoNCP

    from circuitsim.liquid import CfCNetwork
    from circuitsim.ncps_io import from_ncps

    torch.set_num_threads(2)
    torch.manual_seed(0)
    B, D = 64, 8
    scale = 10 if args.quick else 1
    wirings = {
        "NCP-19": lambda: NCP(12, 6, 1, 6, 4, 4, 6),
        "AutoNCP-300": lambda: AutoNCP(300, 10),
    }
    cases = [
        ("LTC", "NCP-19", 1000, 10.0),
        ("LTC", "AutoNCP-300", 100, 20.0),
        ("CfC", "NCP-19", 1000, 2.0),
        ("CfC", "AutoNCP-300", 1000, 2.0),
    ]
    ours_wiring = {}
    if args.worm:
        import connectome
        from connectome.export import outputs_first, to_ncps

        full = connectome.Wiring.from_connectome(connectome.load("varshney2011"))
        # 8 input channels: the touch receptors and two more mechanosensors; outputs first for ncps
        chans = ["ALML", "ALMR", "AVM", "PLML", "PLMR", "PVM", "FLPL", "FLPR"]
        worm = connectome.Wiring(full.neurons, full.chemical, full.sign, None, chans, full.outputs[:10],
                                 full.metadata, "varshney2011-chemical")
        worm = outputs_first(worm)
        ours_wiring["worm-279"] = worm
        wirings["worm-279"] = lambda: to_ncps(worm)
        cases += [("LTC", "worm-279", 100, 20.0), ("CfC", "worm-279", 1000, 2.0)]
    cases = [c for c in cases if c[0] in args.models]
    rng = np.random.default_rng(0)
    if hasattr(os, "getloadavg"):
        print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(f"batch {B}, input dim {D}, torch threads {torch.get_num_threads()}, repeats {args.repeats} (medians)")
    print(f"{'model':5} {'wiring':12} {'steps':>5} {'ncps s':>9} {'ours s':>9} {'ratio':>7} {'target':>7}  note")
    rows = []
    for model, wname, steps, target in cases:
        steps = max(steps // scale, 2)
        x = rng.normal(size=(B, steps, D)).astype(np.float32)
        xt = torch.as_tensor(x)
        w = wirings[wname]()
        m = LTC(D, w, ode_unfolds=6) if model == "LTC" else CfC(D, w)
        ours = [("float64", from_ncps(m, wiring=ours_wiring.get(wname)))]
        if model == "CfC":
            ours.append(("float32", CfCNetwork(ours[0][1].params, dtype=np.float32)))
        with torch.no_grad():
            ref = m(xt)[0].numpy()
            t_ncps = median_time(lambda: m(xt), args.repeats)
        for tag, net in ours:
            err = np.abs(net.run(x).outputs - ref).max()
            t_ours = median_time(lambda: net.run(x), args.repeats)
            ratio = t_ncps / t_ours
            rows.append((model, wname, tag, ratio, target))
            print(f"{model:5} {wname:12} {steps:5d} {t_ncps:9.4f} {t_ours:9.4f} {ratio:7.1f} {target:7.0f}x  "
                  f"ours {tag}, max |ours - ncps| = {err:.1e}")
        if model == "CfC" and wname in ours_wiring:
            # beyond ncps: the same wiring with every synapse honoured (sparse, recurrent="wiring")
            from circuitsim.models.cfc import CfCParams

            net = CfCNetwork.wired(ours_wiring[wname], CfCParams.wired(ours_wiring[wname], recurrent="wiring"))
            t_ours = median_time(lambda: net.run(x), args.repeats)
            print(f"{model:5} {wname:12} {steps:5d} {'':>9} {t_ours:9.4f} {'':>7} {'':>8}  "
                  f"ours recurrent='wiring' (sparse synapse lists, no ncps equivalent)")
    print(f"fresh-process start-up (import + first calls, numba cache warm): {startup_seconds():.2f} s")
    return rows


if __name__ == "__main__":
    main()
