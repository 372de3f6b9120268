"""The atlas experiment in silico: circuitsim's batch against a loop of scipy solves, and the scoring run.

Experiment: graded network (Kunert et al. 2014, published parameters) on cook2019_herm
(302 neurons), the atlas protocol (rest, 30 s baseline, 0.5 s step into one neuron,
30 s response window), one run per stimulated neuron, responses as window means.

* baseline: one ``solve_ivp(method="LSODA", rtol=1e-6)`` per stimulated neuron with a
  scipy.sparse right-hand side, integrated piece by piece across the step's edges and
  sampled on the same grid (what a competent user writes);
* circuitsim: ``validate.responses`` (batched ``simulate_batch`` with the Rosenbrock
  solver, parallel over stimulated neurons);
* agreement: max |r_circuitsim - r_scipy| over all neurons and stimulated neurons,
  relative to the largest off-diagonal response;
* the whole ``validate.atlas`` call on all 173 stimulated neurons (calibration, the
  runs at x1, x0.5 and x2, baselines, bootstrap), with its own timing breakdown;
* one fit candidate: calibration probe plus the runs on 80% of the stimulated neurons.

Run: ``python benchmarks/bench_atlas.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp
from scipy.special import expit

import connectome
import circuitsim as cs
from circuitsim import fit, validate


def scipy_rhs(circuit):
    """Right-hand side of the graded network with scipy.sparse matrices and a settable current."""
    w, p, n = circuit.wiring, circuit.params, circuit.n
    vth = circuit.model.thresholds(circuit)
    G = sp.csr_array(w.electrical, dtype=float).tolil()
    G.setdiag(0)
    G = sp.csr_array(G) * p.g_gap
    gdeg = np.asarray(G.sum(axis=1)).ravel()
    Wt = (sp.csr_array(w.chemical, dtype=float) * p.g_syn).T.tocsr()       # [post, pre]
    E = sp.csr_array(w.sign, dtype=float)
    E.data = np.where(E.data < 0, p.E_inh, p.E_exc)
    WEt = (sp.csr_array(w.chemical, dtype=float).multiply(E) * p.g_syn).T.tocsr()
    C, Gc, Ec = float(p.C), float(p.Gc), float(p.Ec)
    a_r, a_d, beta = float(p.a_r), float(p.a_d), float(p.beta)

    def f(t, y, current):
        V, s = y[:n], y[n:]
        dV = (-Gc * (V - Ec) - (gdeg * V - G @ V) - (V * (Wt @ s) - WEt @ s) + current) / C
        ph = expit(beta * (V - vth))
        return np.concatenate([dV, a_r * ph * (1 - s) - a_d * s])

    return f


def scipy_responses(circuit, stimulated, amplitude, protocol):
    """Responses r[i, j] from one LSODA solve per stimulated neuron, piece by piece across the step edges."""
    f = scipy_rhs(circuit)
    grid = protocol.saveat()
    edges = [0.0, protocol.onset, protocol.onset + protocol.pulse, protocol.end]
    out = np.empty((circuit.n, len(stimulated)))
    for k, name in enumerate(stimulated):
        y, samples = circuit.y0.copy(), []
        for a, b in zip(edges[:-1], edges[1:]):
            current = np.zeros(circuit.n)
            if a == protocol.onset:
                current[circuit.wiring.index_of(name)] = amplitude
            inside = grid[(grid >= a) & (grid < b)]
            sol = solve_ivp(f, (a, b), y, method="LSODA", rtol=1e-6, t_eval=np.r_[inside, b], args=(current,))
            samples.append(sol.y[:circuit.n, :len(inside)].T)
            y = sol.y[:, -1]
        samples.append(y[None, :circuit.n])   # the sample at the end of the run
        V = np.concatenate(samples)
        base, resp = protocol.window_means(grid, V)
        out[:, k] = resp - base
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="4 stimulated neurons for scipy, no full atlas call")
    args = ap.parse_args(argv)
    circuit = cs.kunert2014(connectome.load("cook2019_herm"))
    target = validate.AtlasTarget.load()
    protocol = validate.Protocol()
    amplitude = 360.0   # pA, about the calibrated amplitude of this model
    n_scipy = 4 if args.quick else 16
    stim = list(target.stimulated[:: len(target.stimulated) // n_scipy])[:n_scipy]

    validate.responses(circuit, stim[:2], amplitude, validate.Protocol(baseline=100.0, response=1000.0))  # compile
    t0 = time.perf_counter()
    ours = validate.responses(circuit, stim, amplitude, protocol)[0]
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = scipy_responses(circuit, stim, amplitude, protocol)
    t_scipy = time.perf_counter() - t0
    offdiag = np.abs(theirs).copy()
    offdiag[circuit.wiring.index_of(stim), np.arange(len(stim))] = 0
    print(f"{len(stim)} stimulated neurons, cook2019_herm (302 neurons), atlas protocol (60 s per run)")
    print(f"  circuitsim batch     : {t_ours:7.2f} s  ({t_ours / len(stim) * 1e3:.0f} ms per stimulated neuron)")
    print(f"  scipy LSODA per run  : {t_scipy:7.2f} s  ({t_scipy / len(stim) * 1e3:.0f} ms per stimulated neuron)")
    print(f"  max |difference| / max off-diagonal response: {np.abs(ours - theirs).max() / offdiag.max():.1e}")

    if not args.quick:
        t0 = time.perf_counter()
        report = validate.atlas(circuit)
        total = time.perf_counter() - t0
        print(f"\nvalidate.atlas on all {report.coverage['stimulated']} stimulated neurons: {total:.1f} s "
              f"({', '.join(f'{k} {v:.1f} s' for k, v in report.timings.items())})")
        print(f"  model AUROC {report.scores.table.loc['model', 'auroc']:.3f}")
        train, _ = fit.split_stimulated(target, 0.2, seed=0)
        fit_protocol = validate.Protocol(baseline=2_000.0, dt_response=100.0)
        from circuitsim.fit.driver import _Objective

        tt = target.restrict(stimulated=train)
        calib = list(train[:: len(train) // 16])[:16]
        objective = _Objective(circuit, tt, fit.FitSpace(), fit_protocol, "auroc", calib, amplitude, None)
        t0 = time.perf_counter()
        objective(fit.FitSpace().start()[None])
        print(f"one fit candidate ({len(train)} training runs + {len(calib)} calibration runs): "
              f"{time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
