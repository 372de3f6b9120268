"""CfC parity with ncps (skipped without ncps/torch): every mode, wired and fully connected."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ncps = pytest.importorskip("ncps")
from ncps.torch import CfC  # noqa: E402
from ncps.wirings import NCP  # noqa: E402

from circuitsim.models.cfc import CfCParams  # noqa: E402
from circuitsim.ncps_io import from_ncps, ncps_state_order, to_ncps  # noqa: E402
from reference_liquid import worm_wiring  # noqa: E402


def states(res):
    """States after each sample (the result's first sample is the initial state)."""
    return res.y[..., 1:, :]


def outputs(res):
    return res.outputs()[..., 1:, :]

TOL = 1e-5
MODES = ["default", "no_gate", "pure"]


def _ncps_run(m, x, timespans=None):
    dtype = next(m.parameters()).dtype
    with torch.no_grad():
        ts = None if timespans is None else torch.as_tensor(timespans, dtype=dtype)
        y, h = m(torch.as_tensor(x, dtype=dtype), timespans=ts)
    return y.double().numpy(), h.double().numpy()


def _perturb(m, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in m.parameters():
            if p.requires_grad:
                p.add_(0.1 * torch.randn(p.shape, generator=g, dtype=p.dtype))


def _check(m, net, x, timespans=None, dt=None):
    y, h = _ncps_run(m, x, timespans)
    res = net.run(x, dt)
    np.testing.assert_allclose(outputs(res), y, atol=TOL, rtol=0)
    np.testing.assert_allclose(res.final_state[..., ncps_state_order(net)], h, atol=TOL, rtol=0)


@pytest.mark.parametrize("mode", MODES)
def test_wired_ncp_parity(mode):
    torch.manual_seed(0)
    m = CfC(8, NCP(12, 6, 2, 6, 4, 4, 6), mode=mode).double()
    _perturb(m, 0)
    net = from_ncps(m)
    assert net.params.layers[0].neurons.size == 12
    _check(m, net, np.random.default_rng(0).normal(size=(4, 20, 8)))


@pytest.mark.parametrize("mode", MODES)
def test_wired_worm_parity(mode):
    from connectome.export import to_ncps as wiring_to_ncps

    wiring = worm_wiring(gap_junctions=False)
    n_in = wiring.input_matrix().shape[0]
    torch.manual_seed(1)
    m = CfC(n_in, wiring_to_ncps(wiring), mode=mode).double()
    _perturb(m, 1)
    net = from_ncps(m, wiring=wiring)
    # ncps's wired cell on a wiring without layers: one layer, dense recurrence, our "ncps" variant
    ours = CfCParams.wired(wiring, mode=mode, recurrent="ncps")
    assert [lay.sources.tolist() for lay in ours.layers] == [lay.sources.tolist() for lay in net.params.layers]
    _check(m, net, np.random.default_rng(1).normal(size=(3, 20, n_in)))


@pytest.mark.parametrize("mode", MODES)
def test_fully_connected_parity(mode):
    torch.manual_seed(2)
    m = CfC(6, 10, mode=mode, proj_size=3, backbone_units=16, backbone_layers=2).double()
    net = from_ncps(m)
    _check(m, net, np.random.default_rng(2).normal(size=(4, 20, 6)))


def test_float32_ncps_parity():
    torch.manual_seed(3)
    m = CfC(8, NCP(12, 6, 1, 6, 4, 4, 6))  # ncps's default precision
    net = from_ncps(m)
    _check(m, net, np.random.default_rng(3).normal(size=(4, 50, 8)).astype(np.float32))


@pytest.mark.parametrize("wired", [True, False])
def test_irregular_sampling_parity_per_member(wired):
    torch.manual_seed(4)
    m = (CfC(8, NCP(12, 6, 1, 6, 4, 4, 6)) if wired else CfC(8, 12)).double()
    net = from_ncps(m)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 15, 8))
    dt = rng.uniform(0.1, 3.0, (3, 15))
    res = net.run(x, dt)
    for b in range(3):
        y, h = _ncps_run(m, x[b:b + 1], dt[b:b + 1, :, None])
        np.testing.assert_allclose(outputs(res)[b], y[0], atol=TOL, rtol=0)


@pytest.mark.parametrize("mode", MODES)
def test_weights_round_trip_through_ncps(mode):
    torch.manual_seed(5)
    m1 = CfC(8, NCP(12, 6, 1, 6, 4, 4, 6), mode=mode).double()
    _perturb(m1, 5)
    m2 = CfC(8, NCP(12, 6, 1, 6, 4, 4, 6), mode=mode).double()
    to_ncps(from_ncps(m1), m2)
    x = np.random.default_rng(5).normal(size=(2, 10, 8))
    np.testing.assert_allclose(_ncps_run(m2, x)[0], _ncps_run(m1, x)[0], atol=1e-12)
    d1 = CfC(8, 10, mode=mode, proj_size=2).double()
    d2 = CfC(8, 10, mode=mode, proj_size=2).double()
    net = from_ncps(d1)
    to_ncps(net, d2)
    np.testing.assert_allclose(_ncps_run(d2, x)[0], outputs(net.run(x)), atol=TOL)
