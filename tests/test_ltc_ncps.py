"""LTC parity with ncps (skipped without ncps/torch): same parameters and inputs, same outputs."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ncps = pytest.importorskip("ncps")
from ncps.torch import LTC  # noqa: E402
from ncps.wirings import NCP  # noqa: E402

from circuitsim.liquid import LTCNetwork  # noqa: E402
from circuitsim.models.ltc import LTCParams  # noqa: E402
from circuitsim.ncps_io import from_ncps, to_ncps, wiring_from_ncps  # noqa: E402
from reference_liquid import ncp_wiring, worm_wiring  # noqa: E402


def states(res):
    """States after each sample (the result's first sample is the initial state)."""
    return res.y[..., 1:, :]


def outputs(res):
    return res.outputs()[..., 1:, :]

TOL = 1e-5


def _ncps_run(m, x, timespans=None):
    with torch.no_grad():
        ts = None if timespans is None else torch.as_tensor(timespans, dtype=next(m.parameters()).dtype)
        y, h = m(torch.as_tensor(x, dtype=next(m.parameters()).dtype), timespans=ts)
    return y.double().numpy(), h.double().numpy()


def _perturb(m, seed):
    """Move every parameter away from its initial value (as training would)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if p.requires_grad:
                p.add_(0.1 * torch.rand(p.shape, generator=g, dtype=p.dtype))


@pytest.mark.parametrize("unfolds", [1, 2, 6, 10])
@pytest.mark.parametrize("implicit", [True, False])
def test_ncp_wiring_parity(unfolds, implicit):
    torch.manual_seed(unfolds)
    m = LTC(8, NCP(12, 6, 2, 6, 4, 4, 6), ode_unfolds=unfolds, implicit_param_constraints=implicit).double()
    _perturb(m, unfolds)
    net = from_ncps(m)
    x = np.random.default_rng(unfolds).normal(size=(4, 25, 8))
    y, h = _ncps_run(m, x)
    res = net.run(x)
    np.testing.assert_allclose(outputs(res), y, atol=TOL, rtol=0)
    np.testing.assert_allclose(res.final_state, h, atol=TOL, rtol=0)


def test_float32_ncps_parity():
    torch.manual_seed(0)
    m = LTC(8, NCP(12, 6, 1, 6, 4, 4, 6))  # ncps's default precision
    net = from_ncps(m)
    x = np.random.default_rng(0).normal(size=(4, 50, 8)).astype(np.float32)
    y, h = _ncps_run(m, x)
    res = net.run(x)
    np.testing.assert_allclose(outputs(res), y, atol=TOL, rtol=0)
    np.testing.assert_allclose(res.final_state, h, atol=TOL, rtol=0)


@pytest.mark.parametrize("which", ["ncp", "worm"])
def test_our_wirings_exported_to_ncps(which):
    from connectome.export import to_ncps as wiring_to_ncps

    wiring = ncp_wiring() if which == "ncp" else worm_wiring(gap_junctions=False)
    n_in = wiring.input_matrix().shape[0]
    torch.manual_seed(1)
    m = LTC(n_in, wiring_to_ncps(wiring), ode_unfolds=6).double()
    _perturb(m, 1)
    net = from_ncps(m, wiring=wiring)
    assert net.neurons == wiring.neurons
    x = np.random.default_rng(1).normal(size=(3, 20, n_in))
    y, h = _ncps_run(m, x)
    res = net.run(x)
    np.testing.assert_allclose(outputs(res), y, atol=TOL, rtol=0)
    np.testing.assert_allclose(res.final_state, h, atol=TOL, rtol=0)


def test_irregular_sampling_parity_per_member():
    # ncps applies one elapsed time per step to the whole batch: compare member by member
    torch.manual_seed(2)
    m = LTC(8, NCP(12, 6, 1, 6, 4, 4, 6), ode_unfolds=6).double()
    net = from_ncps(m)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 15, 8))
    dt = rng.uniform(0.1, 3.0, (3, 15))
    res = net.run(x, dt)
    for b in range(3):
        y, h = _ncps_run(m, x[b:b + 1], dt[b:b + 1, :, None])
        np.testing.assert_allclose(outputs(res)[b], y[0], atol=TOL, rtol=0)
        np.testing.assert_allclose(states(res)[b, -1], h[0], atol=TOL, rtol=0)


def test_weights_round_trip_through_ncps():
    torch.manual_seed(3)
    m1 = LTC(8, NCP(12, 6, 1, 6, 4, 4, 6), ode_unfolds=6).double()
    _perturb(m1, 3)
    # fresh initial values on the same wiring (a built ncps wiring must not be built twice: it would grow)
    m2 = LTC(8, NCP(12, 6, 1, 6, 4, 4, 6), ode_unfolds=6).double()
    wiring = m2.rnn_cell._wiring
    to_ncps(from_ncps(m1), m2)
    x = np.random.default_rng(3).normal(size=(2, 10, 8))
    np.testing.assert_allclose(_ncps_run(m2, x)[0], _ncps_run(m1, x)[0], atol=1e-10)
    # and our own parameters into ncps
    ours = LTCNetwork(wiring_from_ncps(wiring), LTCParams.initial(wiring_from_ncps(wiring), seed=5))
    to_ncps(ours, m2)
    np.testing.assert_allclose(_ncps_run(m2, x)[0], outputs(ours.run(x)), atol=TOL)
