"""Large networks: synapse updates per second against the memory bound measured in the same run.

For 10^4, 10^5 and 10^6 neurons with 100 chemical synapses each
(:func:`connectome.synthetic_brain`, seed 0), each size in a fresh process (so the
peak resident memory is that size's own):

* **build**: wiring, then the circuits of the three models on it (graded
  :func:`circuitsim.kunert2014` with 200 pA into 10 neurons, whose thresholds and
  resting state need sparse solves; CTRNN; LTC with ``LTCParams.initial``);
* **bound**, re-measured inside every repeat (kernels in ``benchmarks/memory_bound.py``):
  a STREAM-like triad ``a = b + s c`` over 3 x 64 MB (bandwidth, GB/s); the plain CSR
  gather ``out_i = sum_k w_k x[pre_k]`` over the network's own synapses (float64
  weights, int64 indices, ``prange`` over neurons): synapse updates per second a
  memory-bound vector field with one value per synapse can reach here; and each
  model's **own bound**, the same gather over the arrays its vector field reads, as
  stored (graded: index and signed conductance; CTRNN: index and weight; LTC: index,
  ``w``, ``sigma``, ``mu``, ``erev``; float32 / int32 with ``precision="float32"``): a
  model that reads four values per synapse cannot reach the one-value gather;
* **ours**: ``simulate(circuit, span, solver=RK4(dt=0.001))`` for graded, CTRNN and LTC,
  in float64 and with ``Circuit(precision="float32")``; rate = right-hand-side calls
  x synapses / wall time of the whole call (set-up, the RK stage combinations and the
  result included), over about 10^9 synapse updates per call (10^8 with ``--quick``).
  The step is below RK4's stability limit on these networks (their hubs receive
  thousands of synapses: at 0.1 ms the graded network diverges within 2 ms).

Every repeat times the bound kernels and each of ours back to back (order alternating);
the figure reported is the median over repeats of ours / gather measured in that
repeat, with the load average (2 shared cores: distrust figures taken above ~1).

At 10^5 neurons, side by side on the same network and time step: a plain numba RK4
loop over the graded equations (CSR gather, ``prange``), what a competent user writes.
Brian2, the peer library, runs side by side in ``benchmarks/bench_brian2.py`` (it needs
its own environment: Brian2 2.9.0 does not import with NumPy >= 2.4).

Neuron order: at 10^5 (``--quick``: 10^4) the graded RK4 run in the wiring's order and
in the internal reverse Cuthill-McKee order (``Circuit(reorder=True)``), paired.

At 10^6 neurons (``--sizes 1000000``) only the graded network is built (10^8 synapses:
each CSR copy is ~1.6 GB; with three models and their float32 copies the run would not
fit in 16 GiB).

Solvers at scale (``--solvers``): Dopri5, Tsit5, BS3 and Rosenbrock(linear="iterative")
on the graded network at 10^4 (and 10^5 without ``--quick``): steps, time, status.

Run: ``python benchmarks/bench_scale.py [--quick] [--sizes 10000 100000] [--repeat 5] [--solvers]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
from numba import njit, prange

from memory_bound import csr_gather, load, own_gather, triad

SYN_PER_NEURON = 100
DT = 0.001  # ms: below RK4's stability limit on these networks (see above)


# -- the bound ---------------------------------------------------------------------------
#: the per-synapse arrays each model's vector field streams besides the presynaptic index
HOT_ARRAYS = {"graded": ("g_signed",), "ctrnn": ("weight",), "ltc": ("w", "sigma", "mu", "erev")}


def best_of(fn, reps=3):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return min(ts)


# -- the plain baseline: RK4 over the graded equations, written directly --------------------------
@njit(parallel=True, cache=True)
def _plain_graded_f(n, C, Gc, Ec, vth, beta, a_r, a_d, indptr, index, g, e, I, y, dy):
    for i in prange(n):
        v = y[i]
        cur = -Gc * (v - Ec) + I[i]
        for k in range(indptr[i], indptr[i + 1]):
            cur -= g[k] * y[n + index[k]] * (v - e[k])
        dy[i] = cur / C
        ph = 1.0 / (1.0 + np.exp(-beta * (v - vth[i])))
        dy[n + i] = a_r * ph * (1.0 - y[n + i]) - a_d * y[n + i]


@njit(cache=True)
def plain_rk4(n, C, Gc, Ec, vth, beta, a_r, a_d, indptr, index, g, e, I, y, dt, steps):
    k1 = np.empty_like(y)
    k2 = np.empty_like(y)
    k3 = np.empty_like(y)
    k4 = np.empty_like(y)
    tmp = np.empty_like(y)
    for _ in range(steps):
        _plain_graded_f(n, C, Gc, Ec, vth, beta, a_r, a_d, indptr, index, g, e, I, y, k1)
        tmp[:] = y + 0.5 * dt * k1
        _plain_graded_f(n, C, Gc, Ec, vth, beta, a_r, a_d, indptr, index, g, e, I, tmp, k2)
        tmp[:] = y + 0.5 * dt * k2
        _plain_graded_f(n, C, Gc, Ec, vth, beta, a_r, a_d, indptr, index, g, e, I, tmp, k3)
        tmp[:] = y + dt * k3
        _plain_graded_f(n, C, Gc, Ec, vth, beta, a_r, a_d, indptr, index, g, e, I, tmp, k4)
        y[:] = y + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y


# -- one size, in its own process ---------------------------------------------------------------
def build(n, models=("graded", "ctrnn", "ltc")):
    import circuitsim as cs
    import connectome
    from circuitsim.models.ltc import LTCParams

    out = {}
    t0 = time.perf_counter()
    w = connectome.synthetic_brain(n, SYN_PER_NEURON, seed=0)
    out["wiring_s"] = time.perf_counter() - t0
    stim = {name: 200.0 for name in w.neurons[:10]}
    circuits = {}
    for name, make in (("graded", lambda: cs.kunert2014(w, stim, y0="rest")),
                       ("ctrnn", lambda: cs.Circuit(w, "ctrnn", cs.models.ctrnn.CTRNNParams(weight_scale=0.05))),
                       ("ltc", lambda: cs.Circuit(w, "ltc", LTCParams.initial(w)))):
        if name not in models:
            continue
        t0 = time.perf_counter()
        circuits[name] = make()
        circuits[name].kernel_params()
        out[f"{name}_circuit_s"] = time.perf_counter() - t0
    return w, circuits, out


def ours(circuit, precision, steps, reorder=False, with_circuit=False):
    import circuitsim as cs
    from circuitsim.solvers import RK4

    same = circuit.precision == precision and circuit.reorder == reorder
    c = circuit if same else circuit.replace(precision=precision, reorder=reorder)  # a replace redoes the set-up
    c.kernel_params(copy=False)
    rec = [c.neurons[0]]

    def run():
        return cs.simulate(c, (0.0, steps * DT), solver=RK4(dt=DT), record=rec, dense=False, every=10**9)

    return (run, c) if with_circuit else run


def own_bound(model, circuit, x, out):
    """:func:`memory_bound.own_gather` over the arrays `model`'s vector field reads (as stored)."""
    kp = circuit.kernel_params(copy=False)
    names = HOT_ARRAYS[model]
    if model == "graded" and kp.g_signed.shape[0] == 0:
        names = ("g_syn", "e_syn")  # the general form
    values = [getattr(kp, a) for a in names]
    return lambda: own_gather(kp.post_indptr, kp.pre_index, values, x, out)


#: from this size the child builds the graded network only, in float64 only (memory: 10^8 synapses are ~1.6 GB
#: per CSR copy)
GRADED_ONLY_FROM = 500_000


def reorder_effect(circuit, steps, repeat):
    """RK4 on the graded network in the wiring's order and in the internal (RCM) order: paired medians."""
    from circuitsim.reorder import bandwidth, neuron_order

    kp = circuit.kernel_params()
    t0 = time.perf_counter()
    order = neuron_order(kp)
    rcm_s = time.perf_counter() - t0
    runs = {"wiring order": ours(circuit, "float64", steps, reorder=False),
            "RCM order": ours(circuit, "float64", steps, reorder=True)}
    ya, yb = runs["wiring order"]().y, runs["RCM order"]().y   # compile / load; and the results agree bitwise
    ratios = []
    for r in range(repeat):
        t = {}
        for k in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            t0 = time.perf_counter()
            runs[k]()
            t[k] = time.perf_counter() - t0
        ratios.append(t["wiring order"] / t["RCM order"])
    return {"rcm_s": rcm_s, "bandwidth_before": bandwidth(kp), "bandwidth_after": bandwidth(kp, order),
            "speedup": statistics.median(ratios), "bitwise": bool(np.array_equal(ya, yb)), "load": load()}


def child(n, repeat, quick):
    import circuitsim.models.ctrnn  # noqa: F401

    w, circuits, out = build(n, ("graded",) if n >= GRADED_ONLY_FROM else ("graded", "ctrnn", "ltc"))
    nnz = int(w.chemical.nnz)
    out.update(n=n, synapses=nnz)
    kp = circuits["graded"].kernel_params()
    x = np.random.default_rng(0).random(n)
    g_out = np.empty(n)
    m = 1 << 23
    a, b, c = np.zeros(m), np.ones(m), np.ones(m)
    triad(a, b, c, 0.5)
    csr_gather(kp.post_indptr, kp.pre_index, kp.g_syn, x, g_out)
    steps = max(3, int((1e8 if quick else 1e9) / (4 * nnz)))
    # a float32 copy is a second set-up of the whole network: past GRADED_ONLY_FROM it does not fit beside the first
    precisions = ("float64",) if n >= GRADED_ONLY_FROM else ("float64", "float32")
    runs, bounds = {}, {}
    for model in circuits:
        for prec in precisions:
            runs[f"{model}/{prec}"], circuit = ours(circuits[model], prec, steps, with_circuit=True)
            bounds[f"{model}/{prec}"] = own_bound(model, circuit, x, g_out)
    calls = {k: int(fn().stats["rhs_calls"][0]) for k, fn in runs.items()}   # compile / load, count calls
    for fn in bounds.values():
        fn()
    rates = {k: [] for k in runs}
    ratio = {k: [] for k in runs}
    own = {k: [] for k in runs}
    own_rate = {k: [] for k in runs}
    bw, gather = [], []
    load0 = load()
    for r in range(repeat):
        tb = best_of(lambda: triad(a, b, c, 0.5))
        tg = best_of(lambda: csr_gather(kp.post_indptr, kp.pre_index, kp.g_syn, x, g_out))
        bw.append(3 * 8 * m / tb / 1e9)
        gather.append(nnz / tg / 1e9)
        keys = list(runs) if r % 2 == 0 else list(runs)[::-1]
        for k in keys:
            own_rate[k].append(nnz / best_of(bounds[k]) / 1e9)
            t0 = time.perf_counter()
            runs[k]()
            rate = calls[k] * nnz / (time.perf_counter() - t0) / 1e9
            rates[k].append(rate)
            ratio[k].append(rate / gather[-1])
            own[k].append(rate / own_rate[k][-1])
    out.update(load_before=load0, load_after=load(), triad_GBs=statistics.median(bw),
               gather_Gs=statistics.median(gather), steps=steps,
               rate_Gs={k: statistics.median(v) for k, v in rates.items()},
               fraction={k: statistics.median(v) for k, v in ratio.items()},
               own_Gs={k: statistics.median(v) for k, v in own_rate.items()},
               of_own={k: statistics.median(v) for k, v in own.items()})
    if n == 100_000 or (quick and n == 10_000):
        out["plain"] = plain_side_by_side(circuits["graded"], kp, runs["graded/float64"], calls["graded/float64"],
                                          nnz, steps, repeat)
    if n == 100_000 or (quick and n == 10_000):
        out["reorder"] = reorder_effect(circuits["graded"], steps, repeat)
    out["peak_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return out


def plain_side_by_side(circuit, kp, run_ours, calls, nnz, steps, repeat):
    """Ours against the plain numba RK4 loop on the same network and step (and their agreement)."""
    p = circuit.params
    n = circuit.n
    I = np.zeros(n)
    for s in circuit.drive.stimuli:
        I[circuit.wiring.index_of(list(s.neurons))] += np.broadcast_to(s.amplitude, (len(s.neurons),))
    args = (n, float(p.C), float(p.Gc), float(p.Ec), kp.vth, float(p.beta), float(p.a_r), float(p.a_d),
            kp.post_indptr, kp.pre_index, kp.g_syn, kp.e_syn, I)
    y = plain_rk4(*args, np.array(circuit.y0), DT, steps)
    res = run_ours()
    diff = float(np.abs(res.y[-1, 0] - y[0]))
    ratios, tp, to = [], [], []
    for r in range(repeat):
        order = ("plain", "ours") if r % 2 == 0 else ("ours", "plain")
        t = {}
        for k in order:
            t0 = time.perf_counter()
            plain_rk4(*args, np.array(circuit.y0), DT, steps) if k == "plain" else run_ours()
            t[k] = time.perf_counter() - t0
        ratios.append(t["plain"] / t["ours"])
        tp.append(t["plain"])
        to.append(t["ours"])
    return {"plain_Gs": 4 * steps * nnz / statistics.median(tp) / 1e9, "ours_Gs": calls * nnz / statistics.median(to)
            / 1e9, "speedup": statistics.median(ratios), "first_neuron_dV": diff}


def solvers_at_scale(n):
    """Adaptive explicit solvers and Rosenbrock(linear='iterative') on the graded network of `n` neurons."""
    import circuitsim as cs
    from circuitsim.solvers import BS3, ETD2, IMEX, Dopri5, Rosenbrock, Tsit5

    w, circuits, _ = build(n, ("graded",))
    c = circuits["graded"]
    rows = []
    for name, solver, span in (("Dopri5", Dopri5(rtol=1e-6, atol=1e-6), 5.0), ("Tsit5", Tsit5(rtol=1e-6, atol=1e-6), 5.0),
                               ("BS3", BS3(rtol=1e-5, atol=1e-5), 5.0),
                               ("Rosenbrock iterative", Rosenbrock(linear="iterative"), 200.0),
                               ("ETD2", ETD2(), 200.0), ("IMEX", IMEX(), 200.0),
                               ("automatic", None, 200.0)):
        try:
            cs.simulate(c, (0.0, min(span, 1.0)), solver=solver, record=[c.neurons[0]], dense=False)  # compile
            t0 = time.perf_counter()
            r = cs.simulate(c, (0.0, span), solver=solver, record=[c.neurons[0]], dense=False)
            el = time.perf_counter() - t0
            rows.append((name, span, el, int(r.stats["steps"][0]), int(r.stats["rejected"][0]),
                         int(r.stats["linear_iterations"][0]), r.meta.get("solver", {}).get("name", "?"), "ok"))
        except Exception as err:  # noqa: BLE001 - report, do not stop the benchmark
            rows.append((name, span, float("nan"), 0, 0, 0, "-", f"{type(err).__name__}: {err}"[:80]))
    return {"n": n, "rows": rows}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^4 neurons only, 2 repeats, short runs")
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--solvers", action="store_true", help="also run the solvers at scale")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--child-solvers", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child is not None or args.child_solvers is not None:
        import warnings

        warnings.simplefilter("ignore")  # short spans in ms warn about units
    if args.child is not None:
        print(json.dumps(child(args.child, args.repeat, args.quick)))
        return
    if args.child_solvers is not None:
        print(json.dumps(solvers_at_scale(args.child_solvers)))
        return
    sizes = args.sizes or ([10_000] if args.quick else [10_000, 100_000, 1_000_000])
    repeat = 2 if args.quick else args.repeat
    import numba

    print(f"bench_scale: {SYN_PER_NEURON} synapses per neuron, RK4 dt = {DT} ms, {numba.get_num_threads()} threads "
          f"({numba.config.THREADING_LAYER}), {os.cpu_count()} cpus; load average {load()}")
    for n in sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "--repeat", str(repeat)] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            why = "killed (out of memory?)" if proc.returncode < 0 else f"exit code {proc.returncode}"
            print(f"\nn = {n}: failed, {why}\n{proc.stderr[-2000:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"\nn = {n:,} neurons, {r['synapses']:,} synapses (load {r['load_before']} -> {r['load_after']})")
        built = ", ".join(f"{m} circuit {r[f'{m}_circuit_s']:.2f} s" for m in ("graded", "ctrnn", "ltc")
                          if f"{m}_circuit_s" in r)
        print(f"  build: wiring {r['wiring_s']:.2f} s, {built}; peak memory {r['peak_gib']:.2f} GiB")
        print(f"  bound: triad {r['triad_GBs']:.1f} GB/s (= {r['triad_GBs'] / 16:.2f} G synapses/s at 16 B/synapse), "
              f"plain CSR gather {r['gather_Gs']:.3f} G synapse-updates/s")
        print(f"  {'model/weights':18s} {'G updates/s':>12s} {'of gather':>10s} {'own bound':>10s} {'of own':>7s}"
              f"   (RK4, {r['steps']} steps, medians of {repeat} paired repeats)")
        for k, v in r["rate_Gs"].items():
            print(f"  {k:18s} {v:12.3f} {100 * r['fraction'][k]:9.0f}% {r['own_Gs'][k]:10.3f} "
                  f"{100 * r['of_own'][k]:6.0f}%")
        if "plain" in r:
            p = r["plain"]
            print(f"  side by side (same network, RK4 dt = {DT} ms): plain numba RK4 {p['plain_Gs']:.3f} G/s, "
                  f"circuitsim {p['ours_Gs']:.3f} G/s, speed-up {p['speedup']:.2f} x (paired median); "
                  f"first neuron agrees to {p['first_neuron_dV']:.1e} mV")
        if "reorder" in r:
            q = r["reorder"]
            print(f"  neuron order (graded, RK4): RCM in {q['rcm_s']:.2f} s, mean |post - pre| {q['bandwidth_before']:.0f}"
                  f" -> {q['bandwidth_after']:.0f}; speed-up of the RCM order {q['speedup']:.2f} x (paired median, "
                  f"load {q['load']}); results bitwise equal: {q['bitwise']}")
    if args.solvers:
        for n in ([10_000] if args.quick else [10_000, 100_000]):
            proc = subprocess.run([sys.executable, __file__, "--child-solvers", str(n)], capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"\nsolvers at n = {n}: failed\n{proc.stderr[-2000:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"\nsolvers on the graded network, n = {n:,} (load {load()})")
            for name, span, el, steps, rej, lin, chosen, status in r["rows"]:
                print(f"  {name:22s} {span:6.0f} ms in {el:7.2f} s  {steps:6d} steps {rej:4d} rejected "
                      f"{lin:7d} linear its  [{chosen}] {status}")


if __name__ == "__main__":
    main()
