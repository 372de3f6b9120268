"""The engine's LTC vector field against the per-neuron scalar loop it replaced, paired in one run.

The LTC vector field (``circuitsim._kernels.ltc.ltc_vector_field``, used by every engine
solver) computes, per block of 64 neurons, the conductance of every synapse in one loop
that compiles to SIMD code (the sigmoid of ``_kernels/fastmath.py``), then the sums per
neuron. The baseline below is the previous kernel: one loop per neuron with the sigmoid
and the two sums in it (scalar, as a strict floating-point reduction does not vectorise),
threaded over neurons from the same size on.

Networks: the 19-neuron NCP and a 300-neuron random network (small, serial path), and
``connectome.synthetic_brain`` with 100 synapses per neuron at 10^4 neurons (threaded);
float64 parameters and ``precision="float32"`` storage. Also a plain CSR gather
(``out_i = sum_k w_k x[pre_k]``, float64, int64 indices) as the memory bound. Every repeat
times all kernels back to back (order alternating); reported: medians of the per-repeat
ratios, with the load average (2 shared cores: distrust figures taken above ~1).

Run: ``python benchmarks/bench_ltc_kernel.py [--quick] [--sizes 10000 100000] [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from numba import njit, prange

from circuitsim._kernels.ltc import _sigmoid as _old_sigmoid
from memory_bound import csr_gather, load


@njit(inline="always", error_model="numpy")
def _old_neuron(p, y, u, dydt, j):
    vj = y[j]
    cur = p.gleak[j] * (p.vleak[j] - vj)
    for k in range(p.s_post_indptr[j], p.s_post_indptr[j + 1]):
        c = p.s_in_index[k]
        uc = u[c] * p.input_w[c] + p.input_b[c]
        a = p.s_w[k] * _old_sigmoid(p.s_sigma[k] * (uc - p.s_mu[k]))
        cur += a * (p.s_erev[k] - vj)
    ga = 0.0
    gae = 0.0
    for k in range(p.post_indptr[j], p.post_indptr[j + 1]):
        a = p.w[k] * _old_sigmoid(p.sigma[k] * (y[p.pre_index[k]] - p.mu[k]))
        ga += a
        gae += a * p.erev[k]
    cur += gae - vj * ga
    for k in range(p.g_indptr[j], p.g_indptr[j + 1]):
        cur += p.g_w[k] * (y[p.g_index[k]] - vj)
    dydt[j] = cur / p.cm[j]


@njit(parallel=True, error_model="numpy", cache=True)
def _old_threads(p, y, u, dydt):
    for j in prange(y.shape[0]):
        _old_neuron(p, y, u, dydt, j)


@njit(error_model="numpy", cache=True)
def old_vector_field(p, y, u, dydt):
    """The previous kernel (serial below 2**16 neurons + synapses, threaded above)."""
    if y.shape[0] + p.pre_index.shape[0] >= 65536:
        _old_threads(p, y, u, dydt)
    else:
        for j in range(y.shape[0]):
            _old_neuron(p, y, u, dydt, j)


def network(n):
    import connectome

    if n == 19:
        from connectome.synthetic import ncp

        return ncp(inter_neurons=12, command_neurons=6, motor_neurons=1, sensory_fanout=4, inter_fanout=4,
                   recurrent_command_synapses=6, motor_fanin=6, n_inputs=32, seed=3)
    if n == 300:
        return connectome.random_sparse(300, 0.05, seed=1, inhibitory_fraction=0.2)
    return connectome.synthetic_brain(n, 100, seed=0)


def timed(fn, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls


def case(n, precision, repeat, quick):
    import circuitsim as cs
    from circuitsim._kernels.ltc import ltc_vector_field
    from circuitsim.models.ltc import LTCParams

    w = network(n)
    kp = cs.Circuit(w, "ltc", LTCParams.initial(w), precision=precision).kernel_params()
    nnz = kp.pre_index.shape[0]
    rng = np.random.default_rng(0)
    y = rng.uniform(-1, 1, w.n)
    u = rng.normal(size=kp.input_w.shape[0])
    new, old, g = np.empty(w.n), np.empty(w.n), np.empty(w.n)
    wg, ig = kp.w.astype(np.float64), kp.pre_index.astype(np.int64)
    ltc_vector_field(kp, 0.0, y, u, new)
    old_vector_field(kp, y, u, old)
    csr_gather(kp.post_indptr, ig, wg, y, g)
    agree = float(np.max(np.abs(new - old)) / np.max(np.abs(old)))
    calls = max(3, int((2e6 if quick else 2e7) / max(nnz, 1)))
    runs = {"new": lambda: ltc_vector_field(kp, 0.0, y, u, new), "old": lambda: old_vector_field(kp, y, u, old),
            "gather": lambda: csr_gather(kp.post_indptr, ig, wg, y, g)}
    t = {k: [] for k in runs}
    l0 = load()
    for r in range(repeat):
        for k in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            t[k].append(timed(runs[k], calls))
    med = lambda v: statistics.median(v)  # noqa: E731
    return dict(n=w.n, nnz=nnz, precision=precision, load=f"{l0} -> {load()}",
                new_us=med(t["new"]) * 1e6, old_us=med(t["old"]) * 1e6,
                new_Gs=nnz / med(t["new"]) / 1e9, gather_Gs=nnz / med(t["gather"]) / 1e9,
                speedup=med([o / n_ for o, n_ in zip(t["old"], t["new"])]),
                of_gather=med([gg / n_ for gg, n_ in zip(t["gather"], t["new"])]), agree=agree)


def main(argv=None):
    import numba

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter timings, 3 repeats")
    ap.add_argument("--sizes", type=int, nargs="*", default=[19, 300, 10_000])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    repeat = 3 if args.quick else args.repeat
    print(f"bench_ltc_kernel: {numba.get_num_threads()} threads; load average {load()}")
    print(f"  {'neurons':>8s} {'synapses':>10s} {'storage':8s} {'new us':>9s} {'old us':>9s} {'speed-up':>8s} "
          f"{'new G/s':>8s} {'of gather':>9s}  agree   load")
    for n in args.sizes:
        for precision in ("float64", "float32"):
            r = case(n, precision, repeat, args.quick)
            # the threaded gather is no bound for networks the vector field runs serially
            frac = f"{100 * r['of_gather']:8.0f}%" if r["n"] + r["nnz"] >= 65536 else f"{'serial':>9s}"
            print(f"  {r['n']:8d} {r['nnz']:10d} {precision:8s} {r['new_us']:9.1f} {r['old_us']:9.1f} "
                  f"{r['speedup']:7.2f}x {r['new_Gs']:8.3f} {frac}  {r['agree']:.0e}  "
                  f"{r['load']}")


if __name__ == "__main__":
    main()
