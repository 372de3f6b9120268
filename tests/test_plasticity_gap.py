"""Plastic gap junctions: one symmetric weight per junction, against a dense NumPy/scipy reference of the
graded network, the Rosenbrock Jacobian against finite differences, convergence orders, named errors."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import connectome
import circuitsim as cs
from circuitsim import plasticity as pl
from circuitsim.errors import NonSymmetricGapError, NoSuchSynapseError, PlasticityError

NAMES = ["A", "B", "C", "D", "E"]
JUNCTIONS = [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 0.5), (0, 3, 1.0), (3, 4, 1.5)]


def gap_wiring():
    """Five neurons, a ring of mixed-sign chemical synapses and five gap junctions (one neuron has three)."""
    W = np.zeros((5, 5))
    for pre, post, w in [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 1.0), (3, 4, 1.0), (4, 0, 1.5), (2, 0, 0.5)]:
        W[pre, post] = w
    S = np.sign(W)
    S[1, 2] = S[2, 0] = -1
    G = np.zeros((5, 5))
    for a, b, g in JUNCTIONS:
        G[a, b] = G[b, a] = g
    return connectome.Wiring(NAMES, W, S, G, inputs=["A", "D"], outputs=["E"], name="gaps")


def drive():
    return cs.constant("A", 150.0) + cs.constant("D", 60.0)


# -- the graded network with plastic junctions against a dense reference ------------------------------
def graded_reference(circuit, eta, lam):
    """The full system in dense NumPy: V, s, then one conductance per junction (A~B, A~D, B~C, C~D, D~E)."""
    kp = circuit.kernel_params().plastic.base
    n = len(kp.C)
    post = np.repeat(np.arange(n), np.diff(kp.post_indptr))
    Gs = np.zeros((n, n))  # [post, pre]
    Es = np.zeros((n, n))
    Gs[post, kp.pre_index] = kp.g_syn
    Es[post, kp.pre_index] = kp.e_syn
    pairs = sorted((min(a, b), max(a, b)) for a, b, _ in JUNCTIONS)
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    u = np.zeros(n)
    u[0], u[3] = 150.0, 60.0

    def f(t, z):
        V, s, g = z[:n], z[n:2 * n], z[2 * n:]
        G = np.zeros((n, n))
        G[a, b] = G[b, a] = np.maximum(g, 0.0)
        I_gap = G.sum(axis=1) * V - G @ V
        I_syn = V * (Gs @ s) - (Gs * Es) @ s
        dV = (-kp.Gc * (V - kp.Ec) - I_gap - I_syn + u) / kp.C
        phi = 1.0 / (1.0 + np.exp(-kp.beta * (V - kp.vth)))
        ds = kp.a_r * phi * (1.0 - s) - kp.a_d * s
        x, y = s, V - kp.vth  # presynaptic and postsynaptic activities of the graded network
        dg = eta * 0.5 * (x[a] * y[b] + x[b] * y[a]) - lam * g
        return np.r_[dV, ds, dg]

    return f


@pytest.fixture(scope="module")
def graded_gap():
    c = cs.Circuit(gap_wiring(), "graded")
    eta, lam = 2e-4, 5e-3
    p = c.with_plasticity(pl.Hebbian(rate=eta, decay=lam), synapses=[], gap_junctions="all")
    T = 20.0
    ref = solve_ivp(graded_reference(p, eta, lam), (0, T), p.y0, method="DOP853", rtol=1e-12, atol=1e-13)
    return p, T, ref.y[:, -1]


def test_gap_weights_are_state_and_match_the_dense_reference(graded_gap):
    p, T, ref = graded_gap
    assert p.model.m == 0 and p.model.mg == len(JUNCTIONS)
    g0 = p.y0[2 * 5:]
    np.testing.assert_allclose(np.sort(g0), np.sort([g for *_, g in JUNCTIONS]) * cs.GradedParams().g_gap)
    r = cs.simulate(p, T, drive(), cs.Dopri5(rtol=1e-10, atol=1e-12))
    assert r.meta["weights"]["type"] == ["electrical"] * 5
    assert list(zip(r.meta["weights"]["pre"], r.meta["weights"]["post"])) == [("A", "B"), ("A", "D"), ("B", "C"),
                                                                                  ("C", "D"), ("D", "E")]
    np.testing.assert_allclose(r["w"][-1], ref[10:], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(r["V"][-1], ref[:5], rtol=0, atol=1e-6)
    assert np.abs(r["w"][-1] - r["w"][0]).max() > 1e-3 * np.abs(r["w"][0]).max()  # they did learn


@pytest.mark.parametrize("make, order", [(lambda h: cs.RK4(dt=h), 4),
                                         (lambda h: cs.Rosenbrock(method="rodas4", dt=h), 4)],
                         ids=["RK4", "rodas4"])
def test_convergence_order_with_plastic_gap_junctions(graded_gap, make, order):
    p, T, ref = graded_gap
    hs = [0.2, 0.1, 0.05, 0.025]
    errs = [np.abs(cs.simulate(p, T, drive(), make(h), dense=False).y[-1] - ref).max() for h in hs]
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    if isinstance(make(1.0), cs.Rosenbrock):
        # rodas4 on this stiff transient converges faster than its order over these steps (fitted ~7):
        # a wrong Jacobian would make it a W-method of order <= 2, which this bound still catches
        assert slope > order - 0.3, (slope, errs)
    else:
        assert abs(slope - order) < 0.3, (slope, errs)


# -- the Jacobian of the plastic block against finite differences ----------------------------------
def dense_jacobian(circuit, t, y, u):
    from circuitsim._kernels.plastic_gap import plastic_gap_jac_values
    from circuitsim.simulate import kernel_ready

    kp = kernel_ready(circuit.kernel_params())
    rows, cols = circuit.model.jacobian_pattern(kp)
    vals = np.zeros(len(rows))
    count = plastic_gap_jac_values(kp, t, y, u, vals)
    assert count == len(rows)
    J = np.zeros((len(y), len(y)))
    np.add.at(J, (rows, cols), vals)  # repeated entries add up, as in the solver's assembly
    return J


def fd_jacobian(circuit, t, y, u):
    from circuitsim._kernels.plastic_gap import plastic_gap_rhs
    from circuitsim.simulate import kernel_ready

    kp = kernel_ready(circuit.kernel_params())
    J = np.zeros((len(y), len(y)))
    f1, f2 = np.zeros(len(y)), np.zeros(len(y))
    for j in range(len(y)):
        h = 1e-6 * max(1.0, abs(y[j]))
        yp, ym = y.copy(), y.copy()
        yp[j] += h
        ym[j] -= h
        plastic_gap_rhs(kp, t, yp, u, f1)
        plastic_gap_rhs(kp, t, ym, u, f2)
        J[:, j] = (f1 - f2) / (2 * h)
    return J


@pytest.mark.parametrize("model, rule", [
    ("graded", pl.Hebbian(rate=0.01, decay=0.002)),
    ("graded", pl.BCM(rate=0.01, tau_theta=50.0, theta0=0.3)),
    ("graded", pl.RewardModulated(rate=0.01, tau_e=30.0)),
    ("ltc", pl.Covariance(rate=0.05, tau_mean=20.0)),
    ("ltc", pl.Oja(rate=0.05)),
], ids=["graded-hebbian", "graded-bcm", "graded-reward", "ltc-covariance", "ltc-oja"])
def test_jacobian_entries_match_finite_differences(model, rule):
    rng = np.random.default_rng(7)
    w = gap_wiring()
    base = cs.Circuit(w, model)
    p = base.with_plasticity(rule, synapses={"post": ["A", "C"]}, gap_junctions=[("B", "A"), ("C", "D"), ("D", "A"),
                                                                                ("E", "D")])
    y = p.y0.copy()
    nb = p.model.n_base
    y[:5] = (rng.uniform(-60, -10, 5) if model == "graded" else rng.uniform(-1, 1, 5))
    if model == "graded":
        y[5:10] = rng.uniform(0.1, 0.9, 5)
    y[nb:] = y[nb:] * rng.uniform(0.7, 1.3, len(y) - nb) + rng.uniform(0.05, 0.2, len(y) - nb)  # traces non-zero
    u = np.zeros(len(p.model.input_names(w)))
    u[0] = 50.0 if model == "graded" else 0.5  # the LTC network's channels are its inputs A and D
    if rule.modulated:
        u[-1] = 1.5
    J, ref = dense_jacobian(p, 1.0, y, u), fd_jacobian(p, 1.0, y, u)
    scale = np.abs(ref).max(axis=1, keepdims=True) + 1e-12
    bad = np.abs(J - ref) > 1e-5 * scale + 1e-9
    assert not bad.any(), [(i, j, J[i, j], ref[i, j]) for i, j in zip(*np.nonzero(bad))][:5]
    g0 = p.model.gap_start()
    # dV_i/dg_ij for every plastic junction is structurally there and non-zero
    kp = p.kernel_params()
    for q in range(p.model.mg):
        assert J[kp.row_a[q], g0 + q] != 0 and J[kp.row_b[q], g0 + q] != 0


def test_rosenbrock_agrees_with_dopri5_on_plastic_gaps_and_synapses():
    c = cs.Circuit(gap_wiring(), "graded")
    p = c.with_plasticity(pl.Covariance(rate=2e-4, tau_mean=20.0), gap_junctions={"pre": ["A"]})
    ref = cs.simulate(p, 30.0, drive(), cs.Dopri5(rtol=1e-10, atol=1e-12))
    ros = cs.simulate(p, 30.0, drive(), cs.Rosenbrock(rtol=1e-7, atol=1e-9))
    np.testing.assert_allclose(ros["w"][-1], ref["w"][-1], rtol=1e-4)
    assert np.abs(ros["V"][-1] - ref["V"][-1]).max() < 1e-3


def test_junction_conductance_stays_symmetric_and_save_load_restores_it(tmp_path):
    c = cs.Circuit(gap_wiring(), "ltc")
    p = c.with_plasticity(pl.Hebbian(rate=0.05, w_max=0.8), synapses=[("A", "B")], gap_junctions="all")
    r = cs.simulate(p, 10.0, cs.constant("A", 1.0), cs.RK4(dt=0.01))
    info = r.meta["weights"]
    assert info["type"] == ["chemical"] + ["electrical"] * 5
    # the effective kernel conductances after a run: both directions of a junction are the one state value
    from circuitsim._kernels.plastic_gap import plastic_gap_rhs
    from circuitsim.simulate import kernel_ready

    kp = kernel_ready(p.kernel_params())
    y = np.zeros(p.n_state)
    y[:] = p.y0
    y[kp.g0:kp.g0 + 5] = r["w"][-1, 1:]
    plastic_gap_rhs(kp, 0.0, y, np.zeros(len(p.model.input_names(c.wiring))), np.zeros(p.n_state))
    base = kp.plastic.base
    rows = np.repeat(np.arange(5), np.diff(base.g_indptr))
    G = np.zeros((5, 5))
    G[rows, base.g_index] = base.g_w
    np.testing.assert_array_equal(G, G.T)
    np.testing.assert_array_equal(G[kp.a, kp.b], np.clip(r["w"][-1, 1:], 0, 0.8))
    path = tmp_path / "gap.npz"
    r.save(path)
    back = cs.Result.load(path)
    assert isinstance(back.circuit.model, pl.gap.PlasticGapModel)
    assert np.array_equal(back.circuit.model.gaps, p.model.gaps) and back.circuit.model == p.model
    again = cs.simulate(back.circuit, 10.0, cs.constant("A", 1.0), cs.RK4(dt=0.01))
    assert np.array_equal(again.y, r.y)
    learned = pl.learned_wiring(r)
    G_learned = learned.electrical.toarray()
    np.testing.assert_allclose(G_learned, G_learned.T)
    ratio = r["w"][-1, 1:] / r["w"][0, 1:]
    np.testing.assert_allclose(G_learned[kp.a, kp.b], c.wiring.electrical.toarray()[kp.a, kp.b] * ratio)


# -- named errors before compiled code ----------------------------------------------------------------
def test_gap_selection_errors():
    c = cs.Circuit(gap_wiring(), "graded")
    with pytest.raises(NoSuchSynapseError, match="A ~ C: weights exist only on existing gap junctions"):
        c.with_plasticity(pl.Hebbian(), gap_junctions=[("A", "B"), ("C", "A")])
    mask = np.zeros((5, 5), bool)
    mask[0, 1] = True
    with pytest.raises(NonSymmetricGapError, match="selects A -> B but not B -> A"):
        c.with_plasticity(pl.Hebbian(), gap_junctions=mask)
    with pytest.raises(NoSuchSynapseError, match="selects no gap junction"):
        c.with_plasticity(pl.Hebbian(), gap_junctions={"pre": ["A"], "post": ["E"]})
    with pytest.raises(PlasticityError, match="mask must have shape"):
        c.with_plasticity(pl.Hebbian(), gap_junctions=np.ones((2, 2)))
    with pytest.raises(PlasticityError, match="'ctrnn' model has no gap junctions"):
        cs.Circuit(gap_wiring(), "ctrnn").with_plasticity(pl.Hebbian(), gap_junctions="all")
    no_gaps = connectome.Wiring(NAMES, gap_wiring().chemical.toarray())
    with pytest.raises(NoSuchSynapseError, match="has no gap junctions"):
        cs.Circuit(no_gaps, "graded").with_plasticity(pl.Hebbian(), gap_junctions="all")
    # a wiring whose electrical matrix lost its symmetry (built around the Wiring's own check)
    w = gap_wiring()
    G = w.electrical.toarray()
    G[2, 3] = 0.9
    import scipy.sparse as sp

    object.__setattr__(w, "electrical", sp.csr_array(G))
    with pytest.raises(NonSymmetricGapError, match="C ~ D has weight 0.9 from C and 0.5 from D"):
        cs.Circuit(w, "graded").with_plasticity(pl.Hebbian(), gap_junctions="all")
