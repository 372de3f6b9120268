#!/usr/bin/env bash
# An environment in which Brian2 imports, for benchmarks/bench_brian2.py only.
# Brian2 2.9.0 uses numpy.ndarray.ptp, removed in NumPy 2.4, so it gets NumPy 2.2.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$here/.brian2-env"
"$here/.brian2-env/bin/pip" install --quiet "brian2==2.9.0" "numpy>=2.2,<2.3" cython
"$here/.brian2-env/bin/python" -c "import brian2; print('brian2', brian2.__version__, 'ready')"
