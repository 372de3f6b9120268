"""Plasticity set-up: named errors before compiled code runs, the mask/bounds/sign invariants
(hypothesis), batches of members with different rates, reuse of learned weights, save/load."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import circuitsim as cs
from circuitsim import plasticity as pl
from circuitsim.errors import NoSuchSynapseError, ParameterError, PlasticityError, UnknownNeuronError

from engine_fixtures import small_wiring


@pytest.fixture(scope="module")
def base():
    w = small_wiring()
    return cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=10.0, weight_scale=0.8, bias=0.1), y0=np.linspace(-1, 1, w.n))


# -- bad input ---------------------------------------------------------------------------------
def test_synapses_that_do_not_exist(base):
    a, b = base.neurons[0], base.neurons[2]  # no chemical synapse 0 -> 2 in the small wiring
    with pytest.raises(NoSuchSynapseError, match=f"{a} -> {b}.*existing chemical synapses"):
        base.with_plasticity(pl.Hebbian(), synapses=[(a, b)])
    mask = np.zeros((base.n, base.n), bool)
    mask[0, 2] = True
    with pytest.raises(NoSuchSynapseError, match="does not have"):
        base.with_plasticity(pl.Hebbian(), synapses=mask)
    with pytest.raises(NoSuchSynapseError, match="does not have"):
        base.with_plasticity(pl.Hebbian(), synapses=sp.csr_array(mask))
    with pytest.raises(NoSuchSynapseError, match="selects no chemical synapse"):
        base.with_plasticity(pl.Hebbian(), synapses={"pre": [b], "post": [base.neurons[4]]})
    with pytest.raises(UnknownNeuronError, match="NOPE"):
        base.with_plasticity(pl.Hebbian(), synapses={"pre": ["NOPE"]})
    with pytest.raises(PlasticityError, match="mask must have shape"):
        base.with_plasticity(pl.Hebbian(), synapses=np.ones((2, 2), bool))


@pytest.mark.parametrize("make, match", [
    (lambda: pl.Hebbian(rate=-1.0), "rate must be finite and non-negative, got -1.0"),
    (lambda: pl.Hebbian(decay=-0.1), "decay must be finite and non-negative"),
    (lambda: pl.BCM(tau_theta=0.0), "tau_theta must be positive, got 0.0"),
    (lambda: pl.Covariance(tau_mean=-5.0), "tau_mean must be finite and non-negative"),
    (lambda: pl.RewardModulated(tau_e=float("nan")), "tau_e must be finite"),
    (lambda: pl.Oja(w_max=-1.0), "reversed or empty bounds"),
    (lambda: pl.Oja(w_max=0.0), "reversed or empty bounds"),
    (lambda: pl.Oja(bounds="soft"), "soft bounds need a finite w_max"),
    (lambda: pl.Oja(bounds="sticky"), "bounds must be 'hard' or 'soft'"),
    (lambda: pl.SynapticScaling(target="high"), "target must be a number"),
    (lambda: pl.RewardModulated(channel=""), "channel must be a non-empty name"),
])
def test_bad_rule_parameters(make, match):
    with pytest.raises(ParameterError, match=match):
        make()


def test_model_without_activities_is_refused():
    from engine_models import Oscillators

    c = cs.Circuit(small_wiring(), Oscillators())
    with pytest.raises(PlasticityError, match="provides no pre- and postsynaptic activities.*Hebbian"):
        c.with_plasticity(pl.Hebbian())


def test_other_misuse(base):
    with pytest.raises(PlasticityError, match="rule must be"):
        base.with_plasticity("hebbian")
    p = base.with_plasticity(pl.Hebbian())
    with pytest.raises(PlasticityError, match="plastic already"):
        p.with_plasticity(pl.Hebbian())
    with pytest.raises(NoSuchSynapseError, match="not plastic"):
        base.with_plasticity(pl.Hebbian(), synapses={"post": [base.neurons[0]]}, record={"post": [base.neurons[1]]})


# -- invariants ---------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(rate=st.floats(0.0, 0.5), decay=st.floats(0.0, 0.05), w_max=st.floats(0.5, 4.0),
       soft=st.booleans(), pick=st.integers(1, 2 ** 9 - 1), rule=st.sampled_from(["hebbian", "oja", "scaling"]))
def test_weights_stay_in_mask_bounds_and_sign(base, rate, decay, w_max, soft, pick, rule):
    w = base.wiring
    chem = sp.csr_array(w.chemical)
    chosen = np.flatnonzero([(pick >> k) & 1 for k in range(chem.nnz)])
    pre = np.repeat(np.arange(w.n), np.diff(chem.indptr))[chosen]
    post = chem.indices[chosen]
    mask = sp.csr_array((np.ones(len(chosen)), (pre, post)), shape=(w.n, w.n))
    bounds = "soft" if soft else "hard"
    r = {"hebbian": pl.Hebbian(rate=rate, decay=decay, w_max=w_max, bounds=bounds),
         "oja": pl.Oja(rate=rate, w_max=w_max, bounds=bounds),
         "scaling": pl.SynapticScaling(rate=rate, target=0.8, tau_avg=5.0, w_max=w_max, bounds=bounds)}[rule]
    c = base.with_plasticity(r, synapses=mask)
    res = cs.simulate(c, 40.0, cs.constant(w.neurons[2], 0.7), cs.RK4(dt=0.2))
    wt = pl.weights(res)
    assert wt.min() >= 0.0 and wt.max() <= w_max
    W = pl.weight_matrix(res)
    assert set(zip(*W.nonzero())) <= set(zip(pre.tolist(), post.tolist()))  # never outside the mask
    # the network uses sign * w: the wiring's sign on every plastic synapse at every sample
    kp = c.kernel_params()
    assert np.array_equal(kp.sign, np.sign(w.sign.toarray()[pre, post]))
    # weights nobody made plastic keep their value: the unchosen synapses are not state at all
    assert c.model.m == len(chosen)
    if soft:  # soft bounds hold for the raw state itself (rates vanish at both bounds)
        assert res["w"].min() >= -1e-9 and res["w"].max() <= w_max + 1e-9


# -- batches, reuse, files ------------------------------------------------------------------------
def test_batch_members_with_different_rates_match_single_runs(base):
    drive = cs.constant(base.neurons[2], 0.7)
    rules = [pl.Hebbian(rate=0.0), pl.Hebbian(rate=0.05, decay=0.01), pl.Hebbian(rate=0.2)]
    cs_ = [base.with_plasticity(r) for r in rules]
    batch = cs.simulate_batch(cs_, 30.0, drive, cs.RK4(dt=0.1))
    for b, c in enumerate(cs_):
        single = cs.simulate(c, 30.0, drive, cs.RK4(dt=0.1))
        assert np.array_equal(batch.y[b], single.y)
    assert not np.allclose(batch["w"][1, -1], batch["w"][2, -1])


def test_learned_wiring_changed_most_and_save_load(base, tmp_path):
    drive = cs.constant(base.neurons[2], 0.7)
    c = base.with_plasticity(pl.Hebbian(rate=0.1, decay=0.02))
    r = cs.simulate(c, 30.0, drive, cs.Dopri5())
    wt = r.at(17.0, "w")
    assert np.allclose(r.at(17.0)["w"], wt)
    learned = pl.learned_wiring(r, 17.0)
    # the non-plastic circuit on the learned wiring has the learned kernel weights
    again = cs.Circuit(learned, "ctrnn", base.params).kernel_params()
    kp = c.kernel_params()
    np.testing.assert_allclose(np.abs(again.weight[kp.syn]), wt, rtol=1e-12)
    table = pl.changed_most(r, k=4)
    assert list(table.columns[:5]) == ["pre", "post", "class", "w0", "wt"]
    changes = np.abs(r["w"][-1] - r["w"][0])
    assert np.isclose(abs(table.change.iloc[0]), changes.max())
    dW = pl.weight_matrix(r, delta=True).toarray()
    pre, post = base.wiring.index_of(r.meta["weights"]["pre"]), base.wiring.index_of(r.meta["weights"]["post"])
    np.testing.assert_allclose(dW[pre, post], r["w"][-1] - r["w"][0])
    path = tmp_path / "plastic.npz"
    r.save(path)
    back = cs.Result.load(path)  # the plastic circuit comes back with it (tests/test_plasticity_io.py)
    assert np.array_equal(back["w"], r["w"])
    assert np.array_equal(back.at(17.0, "w"), wt)


def test_pictures_show_the_weights(base):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = base.with_plasticity(pl.Hebbian(rate=0.1, decay=0.02))
    r = cs.simulate(c, 30.0, cs.constant(base.neurons[2], 0.7), cs.Dopri5())
    ax = pl.weight_trajectories(r, k=3)
    lines = [ln for ln in ax.lines if ln.get_gid() == "weight-trace"]
    change = np.abs(r["w"][-1] - r["w"][0])
    assert len(lines) == 3 and np.isclose(abs(lines[0].get_ydata()[-1] - lines[0].get_ydata()[0]), change.max())
    ax = pl.delta_w_matrix(r)
    img = next(a for a in ax.images if a.get_gid() == "delta-w")
    np.testing.assert_allclose(np.asarray(img.get_array()), pl.weight_matrix(r, delta=True).toarray())
    ax = pl.weight_network(r, 20.0, layout="layered")
    lc = next(cl for cl in ax.collections if cl.get_gid() == "edges-plastic")
    info = r.meta["weights"]
    keep = [j for j, (a, b) in enumerate(zip(info["pre"], info["post"])) if a != b]
    np.testing.assert_allclose(np.asarray(lc.get_array()), np.log(r.at(20.0, "w")[keep] / r["w"][0][keep]))
    plt.close("all")
