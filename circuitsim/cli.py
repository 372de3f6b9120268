"""The ``circuitsim`` command: run the default worm experiment (or a variant of it).

``circuitsim`` with no arguments simulates the graded-potential network of
Kunert, Shlizerman & Kutz (2014) with the published parameters on the Varshney et
al. (2011) connectome for 10 s of model time, with a constant 2 nA current into
PLML and PLMR (the authors' PLM preset), and writes into ``./circuitsim-output/``:

* ``result.npz``: the :class:`~circuitsim.result.Result` (``Result.load`` reads it,
  ``result.at(t)`` gives the state at any time);
* ``figure.png``: :func:`circuitsim.plot.overview`, a heatmap of every neuron's
  ``V - Vth`` grouped by layer above traces of the motor neurons VB, DB, VD, DD.

Times are in ms or carry a unit (``--duration "15 s"``), currents in pA or with a
unit (``--amplitude "2 nA"``). Runs that take more than a second show a progress bar
on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

DEFAULT_STIMULUS = ("PLML", "PLMR")
DEFAULT_AMPLITUDE = 2000.0  # pA, the authors' PLM preset
DEFAULT_DURATION = "10 s"


class CLIError(Exception):
    """A user error reported as ``circuitsim: <message>`` with exit status 2."""


def _parser():
    import connectome

    p = argparse.ArgumentParser(
        prog="circuitsim",
        description="Simulate the C. elegans graded-potential network (Kunert et al. 2014) on a published "
                    "connectome and write the result and a figure.")
    p.add_argument("--dataset", default=connectome.DEFAULT_DATASET,
                   help="connectome dataset (default %(default)s; see --list-datasets)")
    p.add_argument("--stimulate", nargs="+", default=list(DEFAULT_STIMULUS), metavar="NAME",
                   help="neurons receiving the constant current (names separated by spaces or commas; "
                        "default PLML PLMR)")
    p.add_argument("--amplitude", default=str(DEFAULT_AMPLITUDE),
                   help="current into each stimulated neuron: pA, or with a unit ('2 nA'); default 2000 pA = 2 nA")
    p.add_argument("--duration", default=DEFAULT_DURATION,
                   help="model time: ms, or with a unit ('10 s', '500 ms'); default %(default)s")
    p.add_argument("--solver", default="rosenbrock",
                   help="rosenbrock (default, stiff), dopri5, rk4 or euler")
    p.add_argument("--threshold", default="with_input", choices=("with_input", "rest"),
                   help="threshold convention (default: the authors', stimulus included)")
    p.add_argument("--output", default="circuitsim-output", help="output folder (default ./%(default)s)")
    p.add_argument("--no-figure", action="store_true", help="do not draw the figure")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--list-datasets", "--list", action="store_true", help="list the shipped datasets and exit")
    return p


def _stimulus_names(items):
    names = []
    for item in items:
        names.extend(x for x in item.replace(",", " ").split() if x)
    if not names:
        raise CLIError("--stimulate needs at least one neuron name")
    return names


def _quantity(text, parse, name):
    from .errors import ParameterError

    try:
        return float(parse(text if not _is_number(text) else float(text), name))
    except (ParameterError, ValueError, TypeError) as err:
        raise CLIError(f"--{name} {text!r}: {err}") from None


def _is_number(text) -> bool:
    try:
        float(text)
        return True
    except (TypeError, ValueError):
        return False


def _neurons(wiring, dataset, names):
    """Resolve --stimulate: neurons or classes of this dataset, each once; absent neurons say so."""
    import connectome
    from connectome.select import resolve

    try:
        return resolve(wiring, names, what="--stimulate", duplicates="error")
    except connectome.DuplicateNameError as err:
        raise CLIError(str(err)) from None
    except connectome.UnknownNeuronError as err:
        everyone = set(connectome.load("cook2019_herm").neurons.index)
        missing = err.name if isinstance(err.name, str) else str(err.name)
        if connectome.normalise_neuron_name(missing) in everyone or missing in everyone:
            meta = wiring.metadata
            sensory = [nm for nm in wiring.neurons if "type" in meta and meta.loc[nm, "type"] == "sensory"]
            raise CLIError(f"{missing} is a C. elegans neuron but not in {dataset} ({wiring.n} neurons); stimulate "
                           f"neurons it has, e.g. its sensory neurons: {', '.join(sensory[:12])}"
                           f"{', ...' if len(sensory) > 12 else ''}") from None
        raise CLIError(str(err)) from None


def run_experiment(dataset, stimulate, amplitude, duration_ms, solver="rosenbrock", threshold="with_input",
                   progress=False):
    """Build and simulate the experiment; returns ``(circuit, result, wall_seconds)``."""
    import math

    import connectome
    import numpy as np

    from .errors import CircuitsimError
    from .inputs import constant
    from .presets import kunert2014
    from .simulate import simulate
    from .solvers import get_solver

    if not (math.isfinite(duration_ms) and duration_ms > 0):
        raise CLIError(f"--duration must be a positive time (ms, or e.g. '10 s'), got {duration_ms!r}")
    if not math.isfinite(amplitude):
        raise CLIError(f"--amplitude must be a finite current in pA, got {amplitude!r}")
    try:
        conn = connectome.load(dataset)
    except connectome.UnknownDatasetError as err:
        raise CLIError(str(err)) from None
    try:
        solver_obj = get_solver(solver)
        wiring = connectome.Wiring.from_connectome(conn)
        names = _neurons(wiring, dataset, stimulate) if stimulate else []
    except (CircuitsimError, connectome.ConnectomeError) as err:
        raise CLIError(str(err)) from None
    circuit = kunert2014(wiring, constant(names, amplitude) if names else None, threshold=threshold)
    T = float(duration_ms)
    start = time.perf_counter()
    # fixed-step solvers take ~1e5 steps per second of model time: keep a 1 ms grid instead of every step
    opts = {} if not solver_obj.fixed_step else {"dense": False, "saveat": np.linspace(0.0, T, int(round(T)) + 1)}
    result = simulate(circuit, (0.0, T), None, solver_obj, progress=progress, **opts)
    return circuit, result, time.perf_counter() - start


def _figure(circuit, result, path, title=""):
    """:func:`circuitsim.plot.overview` of the run (``V - Vth`` of every neuron, motor neuron traces) as a PNG."""
    import dataclasses

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from connectome.atomic import atomic_path

    from . import plot

    if result.circuit is None:  # the display quantity (V - Vth) needs the circuit's thresholds
        result = dataclasses.replace(result, circuit=circuit)
    fig = plot.overview(result, wiring=circuit.wiring,
                        title=f"{circuit.wiring.name}: graded network (Kunert et al. 2014), {title}")
    try:
        with atomic_path(path, suffix=".png") as tmp:
            fig.savefig(tmp, dpi=110, format="png")
    finally:
        plt.close(fig)


def main(argv=None) -> int:
    """Entry point of the ``circuitsim`` console command."""
    import connectome

    from .errors import CircuitsimError

    args = _parser().parse_args(argv)
    if args.list_datasets:
        for name, desc in connectome.datasets().items():
            print(f"{name:18s} {desc}")
        return 0
    try:
        from .units import as_current, as_time

        names = _stimulus_names(args.stimulate)
        amplitude = _quantity(args.amplitude, as_current, "amplitude")
        duration = _quantity(args.duration, as_time, "duration")
        circuit, result, wall = run_experiment(args.dataset, names, amplitude, duration, args.solver,
                                               args.threshold, progress=not args.quiet)
        os.makedirs(args.output, exist_ok=True)
        out_result = os.path.join(args.output, "result.npz")
        result.save(out_result)
        written = [out_result]
        if not args.no_figure:
            out_fig = os.path.join(args.output, "figure.png")
            _figure(circuit, result, out_fig, f"{amplitude:g} pA into {', '.join(names)}")
            written.append(out_fig)
    except CLIError as err:
        print(f"circuitsim: {err}", file=sys.stderr)
        return 2
    except CircuitsimError as err:
        print(f"circuitsim: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"circuitsim: cannot write the output: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        steps = int(result.stats["steps"][0])
        print(f"{circuit.wiring.name}: {circuit.n} neurons, {duration / 1000:g} s, {', '.join(names)} at "
              f"{amplitude:g} pA; solver {args.solver}: {steps} steps in {wall:.2f} s")
        for path in written:
            print(f"wrote {path}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
