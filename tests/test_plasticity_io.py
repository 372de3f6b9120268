"""Plastic circuits across batches, files and exports: members with different rules, save/load
that restores the plastic circuit, learned weights in the ncps export and in the slider widget."""

import numpy as np
import pytest

import circuitsim as cs
from circuitsim import plasticity as pl
from circuitsim.errors import PlasticityError

from engine_fixtures import small_wiring


@pytest.fixture(scope="module")
def base():
    w = small_wiring()
    return cs.Circuit(w, "ctrnn", cs.CTRNNParams(tau=10.0, weight_scale=0.8, bias=0.1), y0=np.linspace(-1, 1, w.n))


# -- batches of members with different rules ---------------------------------------------------------
def test_batch_members_with_different_rules_equal_their_single_runs(base):
    drive = cs.constant(base.neurons[2], 0.7)
    rules = [pl.Oja(rate=0.05), pl.Hebbian(rate=0.05, decay=0.01), pl.Oja(rate=0.01, w_max=1.5),
             pl.Hebbian(rate=0.2)]
    circuits = [base.with_plasticity(r) for r in rules]
    batch = cs.simulate_batch(circuits, 30.0, drive, cs.RK4(dt=0.1))
    assert batch.batch_size == 4
    for b, c in enumerate(circuits):
        single = cs.simulate(c, 30.0, drive, cs.RK4(dt=0.1))
        assert np.array_equal(batch.y[b], single.y)
        assert np.array_equal(batch.at(12.3, "w")[b], single.at(12.3, "w"))
        assert np.array_equal(pl.weights(batch)[b], pl.weights(single))  # each member clipped at its own w_max
    assert [r["rule"] for r in batch.meta["weights"]["rules"]] == ["Oja", "Hebbian", "Oja", "Hebbian"]
    # different rules really ran: Oja and Hebbian at one rate differ
    assert not np.allclose(batch["w"][0, -1], batch["w"][1, -1])


def test_batch_of_rules_with_different_traces_is_refused(base):
    circuits = [base.with_plasticity(pl.Oja()), base.with_plasticity(pl.BCM())]
    with pytest.raises(PlasticityError, match="different rule traces.*BCM"):
        cs.simulate_batch(circuits, 5.0, None, cs.RK4(dt=0.1))


# -- save / load --------------------------------------------------------------------------------------
@pytest.mark.parametrize("rule", [pl.Hebbian(rate=0.1, decay=0.02, w_max=3.0), pl.BCM(rate=0.01, theta0=0.2)],
                         ids=["hebbian", "bcm"])
def test_save_load_restores_the_plastic_circuit(base, rule, tmp_path):
    drive = cs.constant(base.neurons[2], 0.7)
    chosen = {"post": [base.neurons[0], base.neurons[4]]}
    c = base.with_plasticity(rule, synapses=chosen, record=[(base.neurons[2], base.neurons[0])])
    r = cs.simulate(c, 20.0, drive, cs.RK4(dt=0.1))
    path = tmp_path / "plastic.npz"
    r.save(path)
    back = cs.Result.load(path)
    assert np.array_equal(back.y, r.y) and np.array_equal(back.t, r.t)
    assert np.array_equal(back.at([3.3, 17.1], "w"), r.at([3.3, 17.1], "w"))
    got = back.circuit
    assert isinstance(got.model, pl.PlasticModel)
    assert got.model.rule == rule
    assert np.array_equal(got.model.synapses, c.model.synapses)
    assert np.array_equal(got.model.record, c.model.record)
    assert np.array_equal(got.y0, c.y0)
    again = cs.simulate(got, 20.0, drive, cs.RK4(dt=0.1))
    assert np.array_equal(again.y, r.y)
    assert again.meta["weights"] == r.meta["weights"]


def test_load_without_the_rule_class_keeps_the_result(base, tmp_path):
    import dataclasses
    import json

    c = base.with_plasticity(pl.Hebbian(rate=0.1))
    r = cs.simulate(c, 5.0, None, cs.RK4(dt=0.1))
    path = tmp_path / "plastic.npz"
    r.save(path)
    with np.load(path) as f:  # the same file, its rule now defined in a module this process cannot import
        arrays = {k: f[k] for k in f.files}
    h = json.loads(str(arrays["header"]))
    h["circuit_plastic"]["rule_class"] = "no_such_module_xyz:Hebbian"
    arrays["header"] = np.array(json.dumps(h))
    np.savez(path, **arrays)
    with pytest.warns(UserWarning, match="learning rule 'no_such_module_xyz:Hebbian' is not available"):
        back = cs.Result.load(path)
    assert back.circuit is None and np.array_equal(back.y, r.y)
    assert dataclasses.is_dataclass(back)


# -- the slider widget's static view ------------------------------------------------------------------
def test_static_view_draws_edges_by_the_weight_at_each_time(base):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from circuitsim.widgets import static_view

    c = base.with_plasticity(pl.Hebbian(rate=0.1, decay=0.02))
    r = cs.simulate(c, 30.0, cs.constant(base.neurons[2], 0.7), cs.Dopri5())
    times = [2.0, 25.0]
    fig = static_view(r, times, layout="layered")
    edges = [cl for ax in fig.axes for cl in ax.collections if cl.get_gid() == "edges-plastic"]
    assert len(edges) == 2
    info = r.meta["weights"]
    keep = [j for j, (a, b) in enumerate(zip(info["pre"], info["post"])) if a != b]
    widths = [np.asarray(lc.get_linewidths()) - 0.5 for lc in edges]
    for wd, tt in zip(widths, times):
        w = r.at(tt, "w")[keep]  # the dense output's weights at that time
        np.testing.assert_allclose(wd / wd.max(), w / w.max(), rtol=1e-9)  # width follows the weight
    # one scale for both snapshots: width ratios between the times are weight ratios between them
    w2, w25 = r.at(2.0, "w")[keep], r.at(25.0, "w")[keep]
    np.testing.assert_allclose(widths[1] / widths[0], w25 / w2, rtol=1e-9)
    assert not np.allclose(w25 / w2, 1.0)
    plt.close("all")


# -- ncps export of learned weights --------------------------------------------------------------------
def test_learned_ltc_weights_export_to_ncps_and_compute_the_same_function():
    pytest.importorskip("torch")
    pytest.importorskip("ncps")
    from ncps.torch import LTC

    from connectome.export import to_ncps as wiring_to_ncps
    from circuitsim.ncps_io import to_ncps
    from reference_liquid import ncp_wiring

    wiring = ncp_wiring()
    c = cs.Circuit(wiring, "ltc")
    p = c.with_plasticity(pl.Hebbian(rate=0.2, decay=0.01, w_max=1.0))
    channels = c.model.input_names(wiring)
    r = cs.simulate(p, 20.0, cs.constant(channels[:3], 1.5), cs.RK4(dt=0.05))
    wt = pl.weights(r, 12.5)
    assert np.abs(wt - pl.weights(r)[0]).max() > 1e-3  # the weights did change
    learned = pl.learned_params(r, 12.5)
    # the non-plastic circuit with the learned parameters has the learned kernel weights
    kp = cs.Circuit(wiring, "ltc", learned).kernel_params()
    np.testing.assert_allclose(kp.w[p.kernel_params().syn], wt, rtol=1e-12)
    net = pl.learned_network(r, 12.5)
    m = LTC(len(channels), wiring_to_ncps(wiring), ode_unfolds=6).double()
    to_ncps(net, m, check=True)  # refuses a module that computes a different function from ours
    import torch

    ncps_w = m.rnn_cell._params["w"].detach().numpy()
    if type(m.rnn_cell.make_positive_fn).__name__ == "Softplus":
        ncps_w = np.log1p(np.exp(ncps_w))
    chem = wiring.chemical
    rows = np.repeat(np.arange(wiring.n), np.diff(chem.indptr))
    np.testing.assert_allclose(ncps_w[rows, chem.indices], learned.w, rtol=1e-9)
    assert torch.is_tensor(m.rnn_cell._params["w"])


def test_learned_gap_junctions_cannot_be_exported_to_ncps():
    pytest.importorskip("ncps")
    from ncps.torch import LTC

    from connectome.export import to_ncps as wiring_to_ncps
    from circuitsim.errors import NotRepresentableError
    from circuitsim.ncps_io import to_ncps
    from reference_liquid import worm_wiring

    wiring = worm_wiring(gap_junctions=True)
    c = cs.Circuit(wiring, "ltc")
    p = c.with_plasticity(pl.Hebbian(rate=0.05), synapses=[], gap_junctions="all")
    r = cs.simulate(p, 2.0, None, cs.RK4(dt=0.1))
    net = pl.learned_network(r)
    chem_only = worm_wiring(gap_junctions=False)
    m = LTC(len(c.model.input_names(wiring)), wiring_to_ncps(chem_only), ode_unfolds=6).double()
    with pytest.raises(NotRepresentableError, match="ncps LTC cells have no gap junctions"):
        to_ncps(net, m)
