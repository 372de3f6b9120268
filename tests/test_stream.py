"""Runs streamed to a zarr store: the same numbers as in memory, bounded buffers, checkpoints that resume exactly."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("zarr")
pytest.importorskip("dask")

import circuitsim as cs  # noqa: E402
from circuitsim.errors import IncompleteStoreError, ParameterError, StoreError, StoreMismatchError  # noqa: E402

ROOT = Path(__file__).parents[1]

SETUP = """
import numpy as np, connectome, circuitsim as cs
w = connectome.Wiring(["A", "B", "C", "D"], [[0, 2, 0, 1], [1, 0, 3, 0], [0, 1, 0, 2], [1, 0, 1, 0]],
                      electrical=[[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
def case(which):
    if which == "rosenbrock":
        train = cs.pulse("A", 30.0, 120.0, 160.0)
        for k in range(2, 20):
            train = train + cs.pulse("A", 30.0, 100.0 * k + 20, 100.0 * k + 60)
        return cs.kunert2014(w, {"A": 30.0}).with_drive(train), None, cs.Rosenbrock(rtol=1e-8, atol=1e-10), 2000.0
    if which == "rk4":
        return cs.Circuit(w, "ctrnn"), cs.pulse("A", 2.0, 100.0, 900.0), cs.RK4(dt=2.0), 3000.0
    return cs.Circuit(w, "ctrnn"), cs.pulse("A", 2.0, 100.0, 900.0), cs.Dopri5(rtol=1e-9, atol=1e-12), 3000.0
# samples at given times, several per step of the solver: they stream through a window of the buffers too
KW = {"dopri5-saveat": dict(saveat=np.linspace(0.0, 3000.0, 6001))}
"""
namespace: dict = {}
exec(SETUP, namespace)  # noqa: S102
case, KW = namespace["case"], namespace["KW"]


@pytest.fixture
def small_calls(monkeypatch):
    """Many short calls of compiled code (as in a long run), so the stream flushes and checkpoints often."""
    from circuitsim.solvers import driver

    monkeypatch.setattr(driver, "CHUNK_SECONDS", 1e-3)


def same_run(a, b):
    """Every array of two results bit for bit (right-hand-side counts depend on where calls of compiled code
    returned: a resumed call re-evaluates f at its start)."""
    assert a.t.tobytes() == b.t.tobytes() and a.y.tobytes() == b.y.tobytes()
    assert a.t_end == b.t_end and a.variables == b.variables and a.neurons == b.neurons
    assert (a.dense is None) == (b.dense is None)
    if a.dense is not None:
        for f in ("node_t", "coeffs", "n_steps"):
            x, y = getattr(a.dense, f), getattr(b.dense, f)
            assert x.shape == y.shape and x.tobytes() == y.tobytes(), f
    for k in ("steps", "rejected"):
        assert np.array_equal(a.stats[k], b.stats[k]), k


@pytest.mark.parametrize("which, kw", [("dopri5", {}), ("dopri5", {"every": 3}), ("rk4", {"dense": False}),
                                       ("rosenbrock", {"saveat": np.linspace(0, 2000.0, 301)})])
def test_stored_run_equals_the_run_in_memory(tmp_path, small_calls, which, kw):
    c, drive, solver, T = case(which)
    ref = cs.simulate(c, T, drive, solver, **kw)
    st = cs.simulate(c, T, drive, solver, store=cs.ZarrStore(tmp_path / "run.zarr", chunk=16), **kw)
    assert isinstance(st, cs.StoredResult) and st.complete
    assert len(ref.t) > 4 * 16                        # several zarr chunks written
    same_run(st.load(), ref)
    again = cs.open_store(tmp_path / "run.zarr")       # a later process reads it back
    same_run(again.load(), ref)
    # lazy views: xarray and dense output read from the store
    ds, ds_ref = again.to_xarray(), ref.to_xarray()
    v = ref.variables[0]
    assert type(ds[v].data).__module__.startswith("dask")
    np.testing.assert_array_equal(ds[v].values, ds_ref[v].values)
    np.testing.assert_array_equal(ds["time"].values, ds_ref["time"].values)
    if ref.dense is not None:
        tq = np.linspace(0.0, T, 517)
        np.testing.assert_array_equal(again.at(tq, v), ref.at(tq, v))
        np.testing.assert_array_equal(again.at(123.4)[v], ref.at(123.4)[v])


def test_batched_stored_run(tmp_path, small_calls):
    c, drive, solver, T = case("rk4")
    sw = cs.sweep(c, tau=[5.0, 10.0, 20.0])
    ref = cs.simulate_batch(sw, T, drive, solver)
    st = cs.simulate(c, T, drive, solver, store=cs.ZarrStore(tmp_path / "one.zarr", chunk=32))
    same_run(st.load(), ref.member(1))
    np.testing.assert_array_equal(np.asarray(st["x"]), ref.member(1)["x"])


def test_buffers_stay_about_one_chunk(tmp_path, small_calls, monkeypatch):
    from circuitsim.store import Stream

    caps = []
    original = Stream.after_chunk

    def spy(self, buf):
        original(self, buf)
        caps.append((buf.out_t.shape[1], buf.dense_c.shape[1], int(buf.n_out.max()), int(buf.n_dense.max())))

    monkeypatch.setattr(Stream, "after_chunk", spy)
    c, drive, solver, T = case("rk4")
    st = cs.simulate(c, 100_000.0, drive, solver, store=cs.ZarrStore(tmp_path / "r.zarr", chunk=512))
    n = len(st.t)
    assert n == 50_001 and len(caps) > 10
    held = max(max(a, b) for a, b, _, _ in caps)
    assert held <= 2 * 512 + 2 < n / 20         # what stays in memory is about a chunk, not the run
    assert max(max(a, b) for _, _, a, b in caps) < 512  # whole chunks leave the buffers after every call


@pytest.mark.parametrize("which, chunk", [("rk4", 512), ("dopri5", 64), ("dopri5", 4)])
def test_saveat_samples_stream_through_a_window(tmp_path, small_calls, monkeypatch, which, chunk):
    """Samples at given times stay about two chunks in memory. A step's samples are written together, so the
    buffers hold at least one step's worth: Dopri5 (steps up to h_max = 4 ms, 40 sample spacings) with
    chunk 4 grows them to fit, and no further."""
    from circuitsim.store import Stream

    held = []
    original = Stream.after_chunk

    def spy(self, buf):
        original(self, buf)
        held.append(buf.out_t.shape[1])

    monkeypatch.setattr(Stream, "after_chunk", spy)
    c, drive, solver, T = case(which)
    if which == "dopri5":
        solver = cs.Dopri5(rtol=1e-9, atol=1e-12, h_max=4.0)
    saveat = np.linspace(0.0, T, 30_001)
    ref = cs.simulate(c, T, drive, solver, saveat=saveat, dense=False)
    st = cs.simulate(c, T, drive, solver, saveat=saveat, dense=False,
                     store=cs.ZarrStore(tmp_path / "r.zarr", chunk=chunk))
    same_run(st.load(), ref)
    assert len(held) > 10
    assert max(held) <= (2 * chunk + 2 if chunk >= 64 else 2 * 41 + 2 * chunk + 2)  # a window, not 30,001


def test_store_errors(tmp_path):
    c, drive, solver, T = case("dopri5")
    path = tmp_path / "run.zarr"
    cs.simulate(c, 500.0, drive, solver, store=path)
    with pytest.raises(StoreError, match="already exists; pass resume=True"):
        cs.simulate(c, 500.0, drive, solver, store=path)
    with pytest.raises(StoreMismatchError, match="holds a different run"):
        cs.simulate(c, 600.0, drive, solver, store=path, resume=True)
    # a complete store resumed is its result, without running again
    assert cs.simulate(c, 500.0, drive, solver, store=path, resume=True).complete
    with pytest.raises(ParameterError, match="chunk must be a positive integer"):
        cs.ZarrStore(path, chunk=0)
    with pytest.raises(ParameterError, match="checkpoint_seconds must be a number >= 0"):
        cs.ZarrStore(path, checkpoint_seconds=-1)
    with pytest.raises(ParameterError, match="store must be a path or a ZarrStore"):
        cs.simulate(c, 500.0, drive, solver, store=3)
    with pytest.raises(ParameterError, match="resume must be True or False"):
        cs.simulate(c, 500.0, drive, solver, store=tmp_path / "b.zarr", resume="yes")
    with pytest.raises(StoreError, match="not a readable circuitsim run store"):
        cs.open_store(tmp_path / "nothing.zarr")


CHILD = SETUP + """
import os, signal, sys
from circuitsim.solvers import driver
driver.CHUNK_SECONDS = 1e-9   # calls of about one step: the kill lands mid-run whatever the machine's speed
which, path, kill_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
c, drive, solver, T = case(which)
def progress(fraction):
    if fraction > kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
cs.simulate(c, T, drive, solver, store=cs.ZarrStore(path, chunk=64, checkpoint_seconds=0.02), progress=progress,
            **KW.get(which, {}))
print("finished")
"""


@pytest.mark.parametrize("which", ["dopri5", "rosenbrock", "rk4", "dopri5-saveat"])
def test_killed_run_resumes_bit_for_bit(tmp_path, small_calls, which):
    c, drive, solver, T = case(which)
    kw = KW.get(which, {})
    ref = cs.simulate(c, T, drive, solver, **kw)      # uninterrupted, in memory (also compiles for the child)
    path = tmp_path / "run.zarr"
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(CHILD), which, str(path), "0.5"], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    with pytest.raises(IncompleteStoreError, match="unfinished run, consistent up to t = ") as info:
        cs.open_store(path)
    assert 0.25 * T < info.value.time < T             # killed mid-run, after checkpoints
    fractions = []
    st = cs.simulate(c, T, drive, solver, store=cs.ZarrStore(path, chunk=64, checkpoint_seconds=0), resume=True,
                     progress=fractions.append, **kw)
    assert fractions[0] * T >= info.value.time         # carried on from the checkpoint, not from the start
    same_run(st.load(), ref)


INTERRUPTED = SETUP + """
import os, signal, sys
from circuitsim.solvers import driver
driver.CHUNK_SECONDS = 1e-9
c, drive, solver, T = case("dopri5")
def progress(fraction):
    if fraction > 0.5:
        os.kill(os.getpid(), signal.SIGINT)          # Ctrl-C
try:
    cs.simulate(c, T, drive, solver, store=sys.argv[1], progress=progress)
except cs.Interrupted as err:
    print(err.result.t_end, err.result.complete)
"""


def test_ctrl_c_checkpoints_and_resumes(tmp_path, small_calls):
    c, drive, solver, T = case("dopri5")
    ref = cs.simulate(c, T, drive, solver)
    path = tmp_path / "run.zarr"
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(INTERRUPTED), str(path)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300, check=False)
    assert child.returncode == 0, child.stderr
    t_end, complete = child.stdout.split()
    assert 0.5 * T < float(t_end) < T and complete == "False"   # the partial result, read from the store
    with pytest.raises(IncompleteStoreError, match=f"consistent up to t = {float(t_end):.6g} ms"):
        cs.open_store(path)
    same_run(cs.simulate(c, T, drive, solver, store=path, resume=True).load(), ref)
