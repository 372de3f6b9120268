"""Every solver on the shared time loop: order conditions, convergence orders, the solver contract.

References are independent of the package: Butcher's rooted-tree order conditions,
Hairer & Wanner's Rosenbrock conditions, scipy's DOP853 at tight tolerance on a NumPy
right-hand side, matrix exponentials.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import connectome
import circuitsim as cs
from circuitsim.errors import DivergenceError, ParameterError
from circuitsim.solvers.rosenbrock import ROSENBROCK_TABLEAUS
from circuitsim.solvers.tableaus import TABLEAUS, ExplicitTableau

from engine_fixtures import small_wiring
from reference import affine_exact, ctrnn_rhs, dense_signed_weights, linear_system
from reference_liquid import LTCReference


# -- order conditions ------------------------------------------------------------------------
def rooted_trees(order):
    """All rooted trees with `order` vertices, as sorted tuples of child subtrees."""
    if order == 1:
        return [()]
    out = set()
    # children: a multiset of trees whose sizes sum to order - 1
    def partitions(n, max_part):
        if n == 0:
            yield []
            return
        for k in range(min(n, max_part), 0, -1):
            for rest in partitions(n - k, k):
                yield [k] + rest
    for sizes in partitions(order - 1, order - 1):
        for kids in itertools.product(*[rooted_trees(s) for s in sizes]):
            out.add(tuple(sorted(kids)))
    return sorted(out)


def tree_size(t):
    return 1 + sum(tree_size(c) for c in t)


def gamma(t):
    return tree_size(t) * np.prod([gamma(c) for c in t])


def internal_weight(A, t):
    """Vector g(t): product over children of A @ g(child) (ones for a leaf)."""
    g = np.ones(A.shape[0])
    for c in t:
        g = g * (A @ internal_weight(A, c))
    return g


def test_tree_counts_are_butchers():
    # number of rooted trees of order 1..6: 1, 1, 2, 4, 9, 20 (OEIS A000081)
    assert [len(rooted_trees(k)) for k in range(1, 7)] == [1, 1, 2, 4, 9, 20]


@pytest.mark.parametrize("name", sorted(TABLEAUS))
def test_explicit_order_conditions(name):
    tab = TABLEAUS[name]
    A, b = tab.A, tab.b
    np.testing.assert_allclose(A.sum(axis=1), tab.c, atol=1e-14)
    for p in range(1, tab.order + 1):
        for t in rooted_trees(p):
            assert b @ internal_weight(A, t) == pytest.approx(1 / gamma(t), abs=1e-13), (p, t)
    # and not of the next order: the stated order is the order
    missed = [abs(b @ internal_weight(A, t) - 1 / gamma(t)) for t in rooted_trees(tab.order + 1)]
    assert max(missed) > 1e-6
    if tab.adaptive:
        for p in range(1, tab.error_order + 1):
            for t in rooted_trees(p):
                assert tab.b_hat @ internal_weight(A, t) == pytest.approx(1 / gamma(t), abs=1e-13)


@pytest.mark.parametrize("name", sorted(ROSENBROCK_TABLEAUS))
def test_rosenbrock_order_conditions(name):
    # Hairer & Wanner, Solving ODEs II, Table IV.7.1 (order <= 4), in the classical form
    tab = ROSENBROCK_TABLEAUS[name]
    al, G, b = tab.classical()
    g = tab.gamma
    beta = al + G - np.diag(np.diag(G))
    a, bp = al.sum(1), beta.sum(1)
    conds = [(b.sum(), 1), (b @ bp, 0.5 - g), (b @ a ** 2, 1 / 3), (b @ (beta @ bp), 1 / 6 - g + g * g),
             (b @ a ** 3, 0.25), (b @ (a * (al @ bp)), 1 / 8 - g / 3), (b @ (beta @ a ** 2), 1 / 12 - g / 3),
             (b @ (beta @ (beta @ bp)), 1 / 24 - g / 2 + 1.5 * g * g - g ** 3)]
    for got, want in conds:
        assert got == pytest.approx(want, abs=1e-12)
    np.testing.assert_allclose(tab.alpha, a, atol=1e-13)        # stage times = row sums of alpha
    np.testing.assert_allclose(tab.gam, G.sum(1), atol=1e-13)     # df/dt weights = row sums of Gamma


def test_dense_extensions_pass_through_both_ends():
    for tab in TABLEAUS.values():
        Q = tab.dense_matrix()
        assert Q.shape == (tab.dense_rows - 2, tab.stages + 1)


# -- convergence orders on a nonlinear network -------------------------------------------------
@pytest.fixture(scope="module")
def tanh_net():
    w = small_wiring()
    prm = cs.CTRNNParams(tau=10.0, weight_scale=0.8, bias=0.1)
    c = cs.Circuit(w, "ctrnn", prm, y0=np.linspace(-1.0, 1.0, w.n))
    W = dense_signed_weights(w, 0.8)
    u = np.zeros(w.n)
    u[2] = 0.7
    T = 20.0
    ref = solve_ivp(lambda t, x: ctrnn_rhs(W, 10.0, 0.1, "tanh", x, u), (0, T), c.y0, method="DOP853",
                    rtol=1e-13, atol=1e-14).y[:, -1]
    return c, cs.constant("PLML", 0.7), T, ref


SOLVERS = [(cs.Euler, 1, [0.2, 0.1, 0.05, 0.025]), (cs.RK4, 4, [1.0, 0.5, 0.25, 0.125]),
           (cs.BS3, 3, [1.0, 0.5, 0.25, 0.125]), (cs.Dopri5, 5, [1.0, 0.5, 0.25, 0.125]),
           (cs.Tsit5, 5, [1.0, 0.5, 0.25, 0.125])]


@pytest.mark.parametrize("cls, order, hs", SOLVERS, ids=[s[0].__name__ for s in SOLVERS])
def test_explicit_convergence_order(tanh_net, cls, order, hs):
    c, drive, T, ref = tanh_net
    errs = [np.abs(cs.simulate(c, T, drive, cls(dt=h), dense=False).y[-1] - ref).max() for h in hs]
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert abs(slope - order) < 0.3, (slope, errs)


@pytest.mark.parametrize("method, order", [("rodas4", 4), ("rodas5p", 5)])
def test_rosenbrock_convergence_order(tanh_net, method, order):
    c, drive, T, ref = tanh_net
    hs = [1.0, 0.5, 0.25, 0.125]
    errs = [np.abs(cs.simulate(c, T, drive, cs.Rosenbrock(method=method, dt=h), dense=False).y[-1] - ref).max()
            for h in hs]
    slope = np.polyfit(np.log(hs), np.log(errs), 1)[0]
    assert abs(slope - order) < 0.3, (slope, errs)


@pytest.mark.parametrize("cls", [cs.Dopri5, cs.Tsit5, cs.BS3])
def test_adaptive_meets_tolerance(tanh_net, cls):
    c, drive, T, ref = tanh_net
    for tol in (1e-5, 1e-8):
        r = cs.simulate(c, T, drive, cls(rtol=tol, atol=tol), dense=False)
        assert np.abs(r.y[-1] - ref).max() < 50 * tol


# -- the solver contract: a method defined here runs on every model ---------------------------
RALSTON = ExplicitTableau("ralston", c=[0, 2 / 3], A=[[0, 0], [2 / 3, 0]], b=[0.25, 0.75], order=2,
                          b_hat=[1.0, 0.0], error_order=1)


def every_model():
    w = small_wiring()
    wl = connectome.Wiring(w.neurons, w.chemical, w.sign, w.electrical, inputs=["PLML"], outputs=["DB1"])
    return {"graded": (cs.kunert2014(w, {"PLML": 20.0}), cs.constant("PLML", 20.0), {"V": 1e-4, "s": 1e-7}),
            "ctrnn": (cs.Circuit(w, "ctrnn"), cs.constant("PLML", 0.5), 1e-7),
            "ltc": (cs.Circuit(wl, "ltc"), cs.constant("PLML", 0.5), 1e-7)}


@pytest.mark.parametrize("model", ["graded", "ctrnn", "ltc"])
def test_user_defined_method_runs_on_every_model(model):
    c, drive, atol = every_model()[model]
    ours = cs.simulate(c, 40.0, drive, cs.ExplicitRK(RALSTON, rtol=1e-7, atol=atol))
    ref = cs.simulate(c, 40.0, drive, cs.Dopri5(rtol=1e-10, atol=1e-12))
    scale = np.abs(ref.y).max()
    assert np.abs(ours.y[-1] - ref.y[-1]).max() < 1e-3 * scale
    assert np.abs(ours.at(17.3)[c.model.state_names[0]] - ref.at(17.3)[c.model.state_names[0]]).max() < 1e-3 * scale
    fixed = cs.simulate(c, 40.0, drive, cs.ExplicitRK(RALSTON, dt=0.01), dense=False)
    assert fixed.stats["steps"][0] == 4000


# -- Rosenbrock beyond the graded network -----------------------------------------------------
def test_rosenbrock_on_linear_ctrnn_against_expm():
    w = small_wiring()
    prm = cs.CTRNNParams.linear(tau=[1.0, 3.0, 0.02, 10.0, 0.5], weight_scale=0.7, bias=0.2)  # stiff: tau 0.02..10
    c = cs.Circuit(w, "ctrnn", prm, y0=np.linspace(-1, 1, 5))
    A, cc = linear_system(dense_signed_weights(w, 0.7), prm.tau, 0.2)
    for method in ("rodas4", "rodas5p"):
        r = cs.simulate(c, 30.0, None, cs.Rosenbrock(method=method, rtol=1e-9, atol=1e-11))
        for t in (0.7, 13.1, 30.0):
            np.testing.assert_allclose(r.at(t)["x"], affine_exact(A, cc, c.y0, t), rtol=0, atol=1e-7)
        assert r.stats["factorisations"][0] >= r.stats["steps"][0]


def test_rosenbrock_on_ltc_against_reference():
    from reference_liquid import worm_wiring

    w = worm_wiring(gap_junctions=True)
    c = cs.Circuit(w, "ltc", cs.LTCParams.initial(w, seed=3))
    ref = LTCReference(w, c.params)
    x = np.full(len(w.input_channels), 0.8)
    T = 20.0
    yr = solve_ivp(lambda t, v: ref.rhs(v, x), (0, T), c.y0, method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    drive = cs.constant(list(w.input_channels), 0.8)
    for method in ("rodas4", "rodas5p"):
        r = cs.simulate(c, T, drive, cs.Rosenbrock(method=method, rtol=1e-8, atol=1e-10), dense=False)
        np.testing.assert_allclose(r.y[-1], yr, rtol=0, atol=1e-6)


def test_rosenbrock_needs_the_hooks_it_uses():
    from engine_models import Oscillators

    c = cs.Circuit(small_wiring(), Oscillators())
    with pytest.raises(ParameterError, match=r"needs the Jacobian of the 'test-oscillators' model.*Dopri5"):
        cs.simulate(c, 1.0, None, cs.Rosenbrock())


# -- compiled code fails in the right way -----------------------------------------------------
@pytest.mark.parametrize("solver", [cs.Dopri5(), cs.RK4(0.01), cs.Tsit5()], ids=["dopri5", "rk4", "tsit5"])
def test_overflowing_input_is_a_divergence(solver):
    # a linear network with an unstable mode: from a 1e300 drive the state overflows
    w = small_wiring()
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams.linear(tau=1.0, weight_scale=3.0))
    with pytest.raises(DivergenceError, match="became non-finite") as info:
        cs.simulate(c, 50.0, cs.constant("PLML", 1e300), solver)
    assert info.value.result is not None and info.value.neuron in w.neurons


def test_unstable_fixed_step_is_a_divergence_while_still_finite():
    # Euler on x' = -x/tau is unstable for dt > 2 tau: the state grows by |1 - dt/tau| per
    # step and stays finite for hundreds of steps, so only a magnitude bound can stop it
    w = small_wiring()
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams.linear(tau=0.01, weight_scale=0.0))
    with pytest.raises(DivergenceError, match="beyond 1e15") as info:
        cs.simulate(c, 20.0, cs.constant("PLML", 1.0), cs.Euler(0.1))
    part = info.value.result
    assert np.isfinite(part.y).all() and np.abs(part.y).max() <= 1e15
    assert info.value.time < 5.0  # 9**k passes 1e15 within ~20 steps, long before overflow
    stable = cs.simulate(c, 20.0, cs.constant("PLML", 1.0), cs.Euler(0.005))  # dt/tau = 0.5
    assert np.abs(stable.y).max() < 10


def test_huge_initial_state_is_a_divergence():
    w = small_wiring()
    c = cs.Circuit(w, "ctrnn", cs.CTRNNParams.linear(tau=1.0, weight_scale=3.0))
    with pytest.raises(DivergenceError):
        cs.simulate(c, 5.0, None, cs.Dopri5(), y0=np.full(5, 1e308))


@pytest.mark.parametrize("solver, match", [
    (lambda: cs.RK4(1e-300), r"dt=1e-300 ms would need about 1e\+301 steps"),
    (lambda: cs.Euler(np.nan), "dt must be positive and finite"),
    (lambda: cs.Dopri5(dt=1e-290), "would need about"),
])
def test_absurd_steps_are_refused(solver, match):
    c = cs.Circuit(small_wiring(), "ctrnn")
    with pytest.raises(ParameterError, match=match):
        cs.simulate(c, 10.0, None, solver())


def test_fixed_method_without_error_estimate_needs_dt():
    heun = ExplicitTableau("heun", c=[0, 1], A=[[0, 0], [1, 0]], b=[0.5, 0.5], order=2)
    with pytest.raises(ParameterError, match="'heun' has no error estimate: give a fixed step dt="):
        cs.ExplicitRK(heun)
    with pytest.raises(ParameterError, match="not explicit"):
        ExplicitTableau("bad", c=[0, 1], A=[[0, 1], [0, 0]], b=[0.5, 0.5], order=1)
