"""Liquid networks vs ncps on the CPU: paired timings in one run, medians of the per-repeat ratios.

Cases (batch 64): LTC with 6 unfolds and CfC (wired, mode "default") on the NCP-19 of the
lane-keeping network (12 inter, 6 command, 1 motor neurons, 32 inputs; 1000 steps) and on a
300-neuron AutoNCP (8 inputs; LTC 100 steps, CfC 1000 steps). Each of our networks is
imported from the ncps module it is timed against (:func:`circuitsim.ncps_io.from_ncps`),
so both compute the same function; the outputs are compared before timing.

Fairness: torch runs with the same number of threads as numba, in its default float32,
under ``torch.no_grad()``; ours runs in float64 and float32 (float32 is the like-with-like
comparison). Ours records the read-out neurons after every sample, as ncps returns its
output sequence (``record=`` the wiring's outputs; ncps also returns its last state, one
vector per member), and runs with ``dense=False`` (no between-sample replay data, which
ncps does not offer). Recording every state instead costs ours up to 1.7x in float64
(150 MB of samples per call for AutoNCP-300). Every repeat times ncps and ours back to back, alternating which goes
first; the printed ratio is the median of the per-repeat ratios, and the load average is
printed before and after (distrust figures taken at a load above 1).

``--scale N ...``: LTC (fused step, 6 unfolds, batch 16) on sparse synthetic wirings of N
neurons (``connectome.synthetic_brain``, 20 synapses per neuron, 32 input channels), in
float64 and float32. ncps's LTC keeps dense n x n parameters and (batch, n, n) temporaries,
which do not fit in memory at 10^4 neurons, so the same-run baseline is a plain numba loop
of the same fused step (one member at a time, float64, no blocks); synapse updates per
second, the float32 error against float64 and the peak resident memory are printed.
CfC at this scale stores its heads sparse (``CfCParams.wired(..., sparse=True)``, one
layer over every neuron, mode "default"); its baseline is a plain numba loop of the same
closed form (one member at a time, float64), with the agreement of the two printed.

Usage::

    python benchmarks/bench_liquid.py [--repeats 7] [--quick] [--models CfC] [--threads 1 2]
    python benchmarks/bench_liquid.py --scale 10000 100000 [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def paired_ratios(baseline, ours, repeats):
    """Median baseline and ours times and the median of per-repeat ratios baseline / ours (alternating order)."""
    baseline()
    ours()  # warm-up (compilation, allocation)
    tb, to, ratios = [], [], []
    for r in range(repeats):
        pair = [(baseline, tb), (ours, to)]
        for fn, acc in (pair if r % 2 == 0 else pair[::-1]):
            t0 = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t0)
        ratios.append(tb[-1] / to[-1])
    return statistics.median(tb), statistics.median(to), statistics.median(ratios)


def startup_seconds() -> float:
    """Import + first LTC and CfC call in a fresh process (numba cache warm)."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import numpy as np\n"
        "from circuitsim.liquid import LTCNetwork, CfCNetwork\n"
        "import connectome\n"
        "w = connectome.Wiring(['A', 'B'], [[0, 1], [1, 0]], inputs=['A'], outputs=['B'])\n"
        "LTCNetwork(w).run(np.ones((1, 2, 1)))\n"
        "CfCNetwork.wired(w).run(np.ones((1, 2, 1)))\n"
        "CfCNetwork.wired(w, dtype=np.float32).run(np.ones((1, 2, 1)))\n"
        "print(time.perf_counter() - t0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def plain_fused_loop():
    """The baseline of ``--scale``: the fused LTC step as a plain numba loop (compiled on first call)."""
    import numba

    @numba.njit(cache=False)
    def run(kp, x, dt, unfolds, v):
        B, T, n_in = x.shape
        n = v.shape[1]
        sn, sd, vn, u = np.empty(n), np.empty(n), np.empty(n), np.empty(n_in)
        for b in range(B):
            for t in range(T):
                for c in range(n_in):
                    u[c] = x[b, t, c] * kp.input_w[c] + kp.input_b[c]
                for j in range(n):
                    sn[j] = 0.0
                    sd[j] = 0.0
                    for k in range(kp.s_post_indptr[j], kp.s_post_indptr[j + 1]):
                        a = kp.s_w[k] / (1.0 + np.exp(-kp.s_sigma[k] * (u[kp.s_in_index[k]] - kp.s_mu[k])))
                        sn[j] += a * kp.s_erev[k]
                        sd[j] += a
                cmt = unfolds / dt
                for _ in range(unfolds):
                    for j in range(n):
                        num = kp.cm[j] * cmt * v[b, j] + kp.gleak[j] * kp.vleak[j] + sn[j]
                        den = kp.cm[j] * cmt + kp.gleak[j] + sd[j]
                        for k in range(kp.post_indptr[j], kp.post_indptr[j + 1]):
                            a = kp.w[k] / (1.0 + np.exp(-kp.sigma[k] * (v[b, kp.pre_index[k]] - kp.mu[k])))
                            num += a * kp.erev[k]
                            den += a
                        vn[j] = num / (den + kp.eps)
                    for j in range(n):
                        v[b, j] = vn[j]
        return v

    return run


def plain_cfc_loop():
    """The plain numba baseline of the CfC scale rows: the closed form (mode "default") of a one-layer sparse CfC.

    Per member and sample: the four head sums of every neuron over its synapse list, then
    ``h = tanh(ff1) (1 - s) + s tanh(ff2)``, ``s = sigmoid(time_a dt + time_b)`` (float64,
    no blocks, no threads).
    """
    from numba import njit

    @njit(cache=True)
    def run(kp, x, dt, v):
        B, T, n_in = x.shape
        n = v.shape[1]
        z = np.zeros(n_in + n)
        hn = np.zeros(n)
        src = kp.src_index
        for b in range(B):
            for i in range(n_in + n):
                z[i] = 0.0
            for t in range(T):
                for c in range(n_in):
                    z[c] = x[b, t, c]
                for q in range(n):
                    g = np.zeros(4)
                    for k in range(kp.sp_ptr[q], kp.sp_ptr[q + 1]):
                        zr = z[src[kp.sp_row[k]]]
                        for hd in range(4):
                            g[hd] += zr * kp.sp_w[k, hd]
                    f1 = np.tanh(g[0] + kp.bias[q])
                    f2 = np.tanh(g[1] + kp.bias[n + q])
                    s = 1.0 / (1.0 + np.exp(-((g[2] + kp.bias[2 * n + q]) * dt + g[3] + kp.bias[3 * n + q])))
                    hn[kp.layer_neurons[q]] = f1 * (1.0 - s) + s * f2
                for j in range(n):
                    z[n_in + j] = hn[j]
                    v[b, j] = hn[j]
        return v

    return run


def scale_main(sizes, repeats, quick):
    """The ``--scale`` benchmark (see the module docstring)."""
    import resource

    import connectome
    from connectome.large import synthetic_brain

    from circuitsim.liquid import CfCNetwork, LTCNetwork
    from circuitsim.models.cfc import CfCParams

    B, T = 16, (2 if quick else 10)
    plain = plain_fused_loop()
    print(f"load average (1, 5, 15 min) before: {load()}")
    print(f"LTC fused step (6 unfolds), batch {B}, {T} samples, repeats {repeats} (paired, alternating; medians)")
    print(f"{'neurons':>8} {'synapses':>9} {'dtype':7} {'plain s':>9} {'ours s':>9} {'ratio':>6} "
          f"{'G syn-upd/s':>11} {'|f32-f64|':>9} {'peak MB':>8}")
    for N in sizes:
        b = synthetic_brain(int(N), 20, seed=0)
        names = list(b.neurons)
        w = connectome.Wiring(names, b.chemical, b.sign, inputs=names[:32], outputs=names[-10:])
        x = np.random.default_rng(0).normal(size=(B, T, 32))
        ref = None
        for dtype in (np.float64, np.float32):
            net = LTCNetwork(w, ode_unfolds=6, dtype=dtype)
            kp = net.kernel_params
            ours = lambda: net.run(x, dense=False)  # noqa: E731
            base = lambda: plain(kp, x, 1.0, 6, np.zeros((B, w.n)))  # noqa: E731
            t_b, t_o, ratio = paired_ratios(base, ours, repeats)
            y = ours().y
            ref = y if ref is None else ref
            err = float(np.abs(y - ref).max())
            rate = B * T * 6 * w.chemical.nnz / t_o / 1e9
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
            print(f"{w.n:8d} {w.chemical.nnz:9d} {np.dtype(dtype).name:7} {t_b:9.3f} {t_o:9.3f} {ratio:6.2f} "
                  f"{rate:11.3f} {err:9.1e} {peak:8.0f}", flush=True)
    print(f"CfC (mode 'default', sparse heads), batch {B}, {T} samples; plain = one-layer closed form, float64, "
          "one member at a time; G syn-upd/s counts each synapse's 4 heads once")
    cfc_plain = plain_cfc_loop()
    for N in sizes:
        b = synthetic_brain(int(N), 20, seed=0)
        names = list(b.neurons)
        w = connectome.Wiring(names, b.chemical, b.sign, inputs=names[:32], outputs=names[-10:])
        x = np.random.default_rng(0).normal(size=(B, T, 32))
        params = CfCParams.wired(w, sparse=True)
        ref = None
        for dtype in (np.float64, np.float32):
            net = CfCNetwork(params, dtype=dtype, wiring=w)
            kp = params.kernel_params(np.float64)
            nnz = int(kp.sp_row.shape[0])
            ours = lambda: net.run(x, dense=False)  # noqa: E731
            base = lambda: cfc_plain(kp, x, 1.0, np.zeros((B, w.n)))  # noqa: E731
            t_b, t_o, ratio = paired_ratios(base, ours, repeats)
            y = ours().y
            if ref is None:
                ref = y
                agree = float(np.abs(y[:, -1] - base()).max())
            err = float(np.abs(y - ref).max())
            rate = B * T * nnz / t_o / 1e9
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
            print(f"{w.n:8d} {nnz:9d} {np.dtype(dtype).name:7} {t_b:9.3f} {t_o:9.3f} {ratio:6.2f} "
                  f"{rate:11.3f} {err:9.1e} {peak:8.0f}   (plain vs ours float64: {agree:.1e})", flush=True)
    print(f"load average (1, 5, 15 min) after: {load()}")


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="fewer steps (smoke test of the script)")
    ap.add_argument("--models", nargs="+", choices=["LTC", "CfC"], default=["LTC", "CfC"],
                    help="which models to time (LTC on AutoNCP-300 takes minutes on the ncps side)")
    ap.add_argument("--threads", nargs="+", type=int, default=[2], help="thread counts (torch and numba alike)")
    ap.add_argument("--scale", nargs="+", type=int, help="LTC on sparse wirings of these neuron counts instead")
    args = ap.parse_args(argv)
    if args.scale:
        return scale_main(args.scale, args.repeats, args.quick)

    import numba
    import torch
    from ncps.torch import CfC, LTC
    from ncps.wirings import NCP, AutoNCP

    from circuitsim.liquid import CfCNetwork, LTCNetwork
    from circuitsim.ncps_io import from_ncps

    torch.manual_seed(0)
    B = 64
    scale = 10 if args.quick else 1
    wirings = {  # (factory, input dimension)
        "NCP-19": (lambda: NCP(12, 6, 1, 6, 4, 6, 6), 32),
        "AutoNCP-300": (lambda: AutoNCP(300, 10), 8),
    }
    cases = [("LTC", "NCP-19", 1000, 10.0), ("LTC", "AutoNCP-300", 100, 20.0),
             ("CfC", "NCP-19", 1000, 2.0), ("CfC", "AutoNCP-300", 1000, 2.0)]
    cases = [c for c in cases if c[0] in args.models]
    rng = np.random.default_rng(0)
    print(f"load average (1, 5, 15 min) before: {load()}")
    print(f"batch {B}, repeats {args.repeats} (paired, alternating; medians)")
    print(f"{'model':5} {'wiring':12} {'thr':>3} {'steps':>5} {'ncps s':>9} {'ours s':>9} {'ratio':>7} {'target':>7}  note")
    rows = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        numba.set_num_threads(threads)
        for model, wname, steps, target in cases:
            steps = max(steps // scale, 2)
            make, D = wirings[wname]
            x = rng.normal(size=(B, steps, D)).astype(np.float32)
            xt = torch.as_tensor(x)
            m = LTC(D, make(), ode_unfolds=6) if model == "LTC" else CfC(D, make())
            base = from_ncps(m)
            if model == "LTC":
                ours = [("float64", base), ("float32", LTCNetwork(base.wiring, base.params, dtype=np.float32))]
            else:
                ours = [("float64", base), ("float32", CfCNetwork(base.params, dtype=np.float32, wiring=base.circuit.wiring))]
            with torch.no_grad():
                ref = m(xt)[0].numpy()
                for tag, net in ours:
                    outs = list(net.circuit.wiring.outputs)
                    err = np.abs(net.run(x, dense=False).outputs()[:, 1:] - ref).max()
                    t_ncps, t_ours, ratio = paired_ratios(lambda: m(xt), lambda: net.run(x, dense=False, record=outs),
                                                          args.repeats)
                    rows.append((model, wname, threads, tag, ratio, target))
                    print(f"{model:5} {wname:12} {threads:3d} {steps:5d} {t_ncps:9.4f} {t_ours:9.4f} {ratio:7.1f} "
                          f"{target:6.0f}x  ours {tag}, max |ours - ncps| = {err:.1e}", flush=True)
    print(f"load average (1, 5, 15 min) after: {load()}")
    print(f"fresh-process start-up (import + first calls, numba cache warm): {startup_seconds():.2f} s")
    return rows


if __name__ == "__main__":
    main()
