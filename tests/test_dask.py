"""Batches on a dask.distributed cluster (two in-process workers): the same numbers as one batch call,
failures reported with their parameters, members already stored not run again."""

from __future__ import annotations

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import connectome  # noqa: E402

import circuitsim as cs  # noqa: E402
import circuitsim.distributed as cd  # noqa: E402
from circuitsim.errors import BatchMemberError, MissingDependencyError, ParameterError  # noqa: E402

W = connectome.Wiring(["A", "B", "C", "D"], [[0, 2, 0, 1], [1, 0, 3, 0], [0, 1, 0, 2], [1, 0, 1, 0]],
                      electrical=[[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
DRIVE = cs.pulse("A", 2.0, 100.0, 900.0)
SAVEAT = np.linspace(0.0, 1000.0, 41)


@pytest.fixture(scope="module")
def client():
    # threads in this process: workers share the compiled kernels (no compilation per worker process)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as c:
        yield c


def same_batch(a, b):
    assert a.t.tobytes() == b.t.tobytes() and a.y.tobytes() == b.y.tobytes()
    for f in ("node_t", "coeffs", "n_steps"):
        assert getattr(a.dense, f).tobytes() == getattr(b.dense, f).tobytes(), f
    for k in ("steps", "rejected"):
        assert np.array_equal(a.stats[k], b.stats[k])


def test_dask_sweep_equals_the_batch_in_one_call(client):
    sw = cs.sweep(cs.Circuit(W, "ctrnn"), tau=[2.0, 5.0, 10.0, 20.0, 40.0])
    local = cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), saveat=SAVEAT)
    remote = cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), saveat=SAVEAT, client=client)
    same_batch(remote, local)
    ds, ds_local = remote.to_xarray(), local.to_xarray()
    np.testing.assert_array_equal(ds["tau"].values, [2.0, 5.0, 10.0, 20.0, 40.0])
    np.testing.assert_array_equal(ds["x"].sel(tau=10.0).values, ds_local["x"].sel(tau=10.0).values)
    np.testing.assert_array_equal(remote.at([123.0, 456.7])["x"], local.at([123.0, 456.7])["x"])


def test_failed_member_is_reported_with_its_parameters(client, tmp_path):
    c = cs.Circuit(W, cs.CTRNN(), cs.CTRNNParams(activation="identity"))
    sw = cs.sweep(c, weight_scale=[0.1, 50.0, 0.2])      # the middle member grows without bound
    with pytest.raises(cs.DivergenceError):               # in one call, the whole batch fails
        cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), saveat=SAVEAT)
    with pytest.raises(BatchMemberError, match=r"1 of 3 batch members failed: member 1 \(weight_scale=50\.0\): "
                                               r"DivergenceError: state variable 'x'") as info:
        cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), saveat=SAVEAT, client=client, store=tmp_path)
    err = info.value
    assert [f["member"] for f in err.failures] == [1] and err.failures[0]["parameters"] == {"weight_scale": 50.0}
    assert "DivergenceError" in err.failures[0]["traceback"]
    # nothing else is lost: the other members, labelled, equal their own runs; and they are stored
    np.testing.assert_array_equal(err.result.to_xarray()["weight_scale"].values, [0.1, 0.2])
    for k, b in enumerate([0, 2]):
        alone = cs.simulate(sw.circuits[b], 1000.0, DRIVE, cs.Dopri5(), saveat=SAVEAT)
        assert err.result.y[k].tobytes() == alone.y.tobytes()
    assert len(list(tmp_path.glob("member-*.npz"))) == 2


@pytest.mark.parametrize("on_cluster", [True, False])
def test_rerun_skips_stored_members(client, tmp_path, monkeypatch, on_cluster):
    calls = []
    original = cd._simulate_member

    def counted(circuit, *args):
        calls.append(circuit)
        return original(circuit, *args)

    monkeypatch.setattr(cd, "_simulate_member", counted)
    sw = cs.sweep(cs.Circuit(W, "ctrnn"), tau=[2.0, 5.0, 10.0, 20.0])
    kw = dict(saveat=SAVEAT, client=client if on_cluster else None, store=tmp_path / "members")
    first = cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), **kw)
    assert len(calls) == 4
    stored = sorted((tmp_path / "members").glob("member-*.npz"))
    assert len(stored) == 4
    stored[2].unlink()                                   # as if the sweep had been killed before member 2 finished
    again = cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), **kw)
    assert len(calls) == 5 and float(np.ravel(calls[-1].params.tau)[0]) == 10.0
    same_batch(again, first)
    cs.simulate_batch(sw, 1000.0, DRIVE, cs.Dopri5(), **kw)
    assert len(calls) == 5                               # everything stored: nothing runs
    # a changed member is not taken from the store
    cs.simulate_batch(cs.sweep(cs.Circuit(W, "ctrnn"), tau=[2.0, 5.0, 10.0, 21.0]), 1000.0, DRIVE, cs.Dopri5(), **kw)
    assert len(calls) == 6


def test_batch_arguments_checked(tmp_path):
    sw = cs.sweep(cs.Circuit(W, "ctrnn"), tau=[2.0, 5.0])
    with pytest.raises(ParameterError, match="client must be a dask.distributed.Client"):
        cs.simulate_batch(sw, 100.0, DRIVE, cs.Dopri5(), saveat=SAVEAT / 10, client="tcp://nowhere")
    (tmp_path / "f").write_text("")
    with pytest.raises(ParameterError, match="store must be a directory of member results"):
        cs.simulate_batch(sw, 100.0, DRIVE, cs.Dopri5(), saveat=SAVEAT / 10, store=tmp_path / "f")
    with pytest.raises(ParameterError, match="with an adaptive solver, pass saveat"):
        cs.simulate_batch(sw, 100.0, DRIVE, cs.Dopri5(), store=tmp_path / "d")
    from circuitsim.store import require

    with pytest.raises(MissingDependencyError, match=r"pip install 'circuitsim\[scale\]'"):
        require("a_module_that_is_not_installed")
