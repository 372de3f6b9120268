"""Time wiring derivations on the real connectome.

Targets (issue 3), all from ``cook2019_herm``:

* building the full-connectome :class:`~connectome.Wiring` under 0.2 s;
* deriving a layered wiring (sensory -> inter -> command -> motor) under 1 s;
* deriving a minimal subcircuit (touch receptors -> A/B motor neurons) under 1 s,
  by union of shortest paths and by the approximate Steiner tree.

Each case is timed in-process with the connectome already loaded (medians over
``--repeat`` runs; the derivations start from the Connectome, so they include
building the full wiring), then once more as the first call in fresh
processes (import of connectome, scipy and networkx and the data load
included), to show the cold cost a script pays.

    python benchmarks/bench_wiring.py [--dataset cook2019_herm] [--repeat 7]
"""

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "full wiring (from_connectome)": (
        "connectome.Wiring.from_connectome(c)", 0.2),
    "layered wiring": (
        "connectome.layered.layered(c)", 1.0),
    "minimal subcircuit, shortest paths": (
        "connectome.minimal.minimal_subcircuit(c, ['ALM', 'AVM', 'PLM'], ['VA', 'VB'])", 1.0),
    "minimal subcircuit, Steiner": (
        "connectome.minimal.minimal_subcircuit(c, ['ALM', 'AVM', 'PLM'], ['VA', 'VB'], method='steiner')", 1.0),
}
SETUP = "import connectome, connectome.layered, connectome.minimal; c = connectome.load({ds!r})"


def in_process(stmt: str, ds: str, repeat: int) -> list[float]:
    ns: dict = {}
    exec(SETUP.format(ds=ds), ns)
    exec(stmt, ns)  # warm: first-use imports (scipy.sparse.csgraph, networkx) not counted here
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        exec(stmt, ns)
        times.append(time.perf_counter() - t0)
    return times


def fresh_process(stmt: str, ds: str, repeat: int) -> list[float]:
    code = (
        "import time; t0 = time.perf_counter(); " + SETUP.format(ds=ds) + "; t1 = time.perf_counter(); "
        + stmt + "; print(time.perf_counter() - t1, t1 - t0)"
    )
    out = []
    for _ in range(repeat):
        res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        out.append(tuple(float(x) for x in res.stdout.split()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cook2019_herm")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--fresh", type=int, default=3, help="fresh-process repeats (0 to skip)")
    args = parser.parse_args()
    med = statistics.median
    print(f"dataset {args.dataset}, {args.repeat} repeats (in-process, connectome loaded)")
    for label, (stmt, target) in CASES.items():
        t = in_process(stmt, args.dataset, args.repeat)
        m = med(t)
        print(f"{label:38s} median {m * 1e3:8.2f} ms (min {min(t) * 1e3:.2f}, max {max(t) * 1e3:.2f})  "
              f"target {target:.1f} s  ratio {m / target:.3f} ({'met' if m < target else 'MISSED'})")
    if args.fresh:
        print(f"first call in a fresh process ({args.fresh} runs; import + load shown separately)")
        for label, (stmt, target) in CASES.items():
            runs = fresh_process(stmt, args.dataset, args.fresh)
            first = med(r[0] for r in runs)
            setup = med(r[1] for r in runs)
            print(f"{label:38s} first call {first * 1e3:8.2f} ms  (import + load {setup:.3f} s)  "
                  f"ratio {first / target:.3f} ({'met' if first < target else 'MISSED'})")


if __name__ == "__main__":
    main()
