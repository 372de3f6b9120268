"""Time `import connectome; connectome.load(name)` in fresh processes.

Target (issue 2): under 0.5 s for cook2019_herm, import included.
Prints the median over repeats and the ratio to the target, plus the time of
a bare `import pandas` measured the same way (the floor any pandas-based loader pays).

    python benchmarks/bench_load.py [--dataset cook2019_herm] [--repeat 7]
"""

import argparse
import statistics
import subprocess
import sys
import time


def _time(code: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cook2019_herm")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    target = 0.5
    interp = _time("pass", args.repeat)
    pandas = _time("import pandas", args.repeat)
    load = _time(f"import connectome; connectome.load({args.dataset!r})", args.repeat)
    med = statistics.median
    print(f"fresh interpreter          median {med(interp):.3f} s")
    print(f"import pandas              median {med(pandas):.3f} s")
    print(f"import + load({args.dataset}) median {med(load):.3f} s  (min {min(load):.3f}, max {max(load):.3f})")
    print(f"ratio to the 0.5 s target: {med(load) / target:.2f} ({'met' if med(load) < target else 'missed'})")
    print(f"loader cost above import pandas: {med(load) - med(pandas):.3f} s")


if __name__ == "__main__":
    main()
