"""The engine in real processes: Ctrl-C, memory bounds, read-only installs and the kernel cache.

Each test runs Python in a subprocess (signals, peak memory, file systems and the
on-disk cache are process-wide), on the package as it is in this checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

WORM = """
import time, numpy as np, connectome, circuitsim as cs
c = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})
drive = cs.constant(["PLML", "PLMR"], 2000)
cs.simulate(c, 50.0, drive, cs.Rosenbrock())      # compile or load the kernels first
"""


def run_child(code, env=None, timeout=600, cwd=ROOT):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=cwd)


def test_ctrl_c_stops_a_run_with_its_partial_result():
    code = WORM + """
import sys
print("ready", flush=True)
t0 = time.perf_counter()
try:
    cs.simulate(c, 1e8, drive, cs.Rosenbrock(), record=["AVAL", "AVBL"], dense=False)
except cs.Interrupted as err:
    assert isinstance(err, KeyboardInterrupt)
    r = err.result
    print(json.dumps({"t_end": r.t_end, "n": len(r.t), "last": float(r.t[-1]), "stopped": time.perf_counter()}),
          flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", "import json\n" + code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(1.5)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        elapsed = time.perf_counter() - sent
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    info = json.loads(out.strip().splitlines()[-1])
    assert elapsed < 2.0, elapsed                       # the run stopped promptly (process exit included)
    assert 0 < info["t_end"] < 1e8 and info["n"] > 10   # a partial result up to the last completed step
    assert info["last"] == pytest.approx(info["t_end"]) or info["last"] < info["t_end"]


def test_memory_bounded_run_stops_promptly():
    # Peak memory is measured from after the warm-up run: compiling the kernels on a cold
    # machine alone can take ~1 GB, which says nothing about the run's own buffers.
    code = WORM + """
import re
def status(key):
    return int(re.search(key + r":\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) * 1024
with open("/proc/self/clear_refs", "w") as f:   # resets the peak (VmHWM) to the current RSS
    f.write("5")
before = status("VmRSS")
t0 = time.perf_counter()
try:
    cs.simulate(c, 1e9, drive, cs.Rosenbrock(), record=["AVAL"], dense=False, max_bytes=1e8)
    print("finished?!")
except cs.MemoryLimitError as err:
    assert err.result is not None and len(err.result.t) > 1
    print(time.perf_counter() - t0, status("VmHWM") - before, err)
"""
    res = run_child(code)
    if "clear_refs" in res.stderr:
        pytest.skip("this kernel cannot reset a process's peak memory (/proc/self/clear_refs)")
    assert res.returncode == 0, res.stderr
    seconds, grown, *msg = res.stdout.split()
    assert float(seconds) < 10.0
    assert int(grown) < 4e8          # the 1e8-byte budget, with room for copies made while stopping
    assert "max_bytes=1e+08" in " ".join(msg)


def _copy_package(dest: Path) -> Path:
    """The two packages laid out as installed (data/ becomes connectome/data), without caches."""
    pkg = dest / "pkg"
    ignore = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc")
    shutil.copytree(ROOT / "circuitsim", pkg / "circuitsim", ignore=ignore)
    shutil.copytree(ROOT / "connectome", pkg / "connectome", ignore=ignore)
    shutil.copytree(ROOT / "data", pkg / "connectome" / "data", ignore=ignore)
    return pkg


SMALL = """
import hashlib, json, numpy as np, connectome, circuitsim as cs
from circuitsim._kernels.loop import run_members
w = connectome.Wiring(["A", "B", "C", "D"], [[0, 2, 0, 1], [1, 0, 3, 0], [0, 1, 0, 2], [1, 0, 1, 0]],
                      electrical=[[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
which = {which!r}
if which == "graded":
    c, solver = cs.kunert2014(w, {{"A": 30.0}}), cs.Rosenbrock()
    drive = cs.constant("A", 30.0)
else:
    c, solver = cs.Circuit(w, "ctrnn"), cs.Dopri5()
    drive = cs.constant("A", 0.5)
r = cs.simulate(c, 200.0, drive, solver)
digest = hashlib.sha256(r.y.tobytes() + r.dense.coeffs.tobytes()).hexdigest()
print(json.dumps({{"digest": digest, "misses": sum(run_members.stats.cache_misses.values()),
                  "hits": sum(run_members.stats.cache_hits.values()), "module": cs.__file__}}))
"""


def test_kernel_cache_is_exact_and_invalidated_per_file(tmp_path):
    pkg = _copy_package(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(pkg)

    def go(which):
        res = run_child(SMALL.format(which=which), env=env, cwd=tmp_path)  # not the checkout: it is importable
        assert res.returncode == 0, res.stderr
        out = json.loads(res.stdout.strip().splitlines()[-1])
        assert out["module"].startswith(str(pkg))
        return out

    cold = {w: go(w) for w in ("graded", "ctrnn")}
    assert all(v["misses"] >= 1 for v in cold.values())
    warm = {w: go(w) for w in ("graded", "ctrnn")}
    for w in warm:   # loaded from the cache, bit for bit the same numbers
        assert warm[w]["misses"] == 0 and warm[w]["hits"] >= 1
        assert warm[w]["digest"] == cold[w]["digest"]
    # editing one model's kernel file recompiles what uses that model, nothing else
    with open(pkg / "circuitsim" / "_kernels" / "ctrnn.py", "a") as fh:
        fh.write("\n# edited\n")
    after = {w: go(w) for w in ("graded", "ctrnn")}
    assert after["graded"]["misses"] == 0 and after["graded"]["digest"] == cold["graded"]["digest"]
    assert after["ctrnn"]["misses"] >= 1 and after["ctrnn"]["digest"] == cold["ctrnn"]["digest"]


def _can_mount_read_only(path: Path) -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {path} {path} && "
                            f"mount -o remount,bind,ro {path}"], capture_output=True)
    return probe.returncode == 0


def test_read_only_install_without_writable_home(tmp_path):
    pkg = _copy_package(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "XDG_CACHE_HOME")}
    env.update(PYTHONPATH=str(pkg), HOME=str(home), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    code = SMALL.format(which="ctrnn")
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(code))
    if os.geteuid() != 0:
        for p in (pkg, home):
            for d, _, files in os.walk(p):
                os.chmod(d, 0o555)
        cmd = [sys.executable, str(script)]
    elif _can_mount_read_only(tmp_path):
        # root writes anywhere: make the install and HOME read-only file systems in a private mount namespace
        mounts = " && ".join(f"mount --bind {p} {p} && mount -o remount,bind,ro {p}" for p in (pkg, home))
        cmd = ["unshare", "-m", "sh", "-c", f"{mounts} && exec {sys.executable} {script}"]
    else:
        pytest.skip("running as root without the right to make a read-only mount")
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["module"].startswith(str(pkg))
    warnings = [line for line in res.stderr.splitlines() if "CacheWarning" in line]
    assert len(warnings) == 1 and "no writable kernel cache" in warnings[0], res.stderr
    assert any((tmp_path / "tmp").iterdir())        # compiled kernels went to the temporary folder
    assert not list(pkg.rglob("*.nbi"))
