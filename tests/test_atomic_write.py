"""Files are written atomically: all or nothing, with ordinary permissions."""

import os
import stat

import pytest

from connectome.atomic import atomic_path


def test_success_moves_file_into_place_with_umask_permissions(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_path(target) as tmp:
        tmp.write_text("hello")
        assert not target.exists()
    assert target.read_text() == "hello"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_failure_leaves_previous_file_untouched(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("writer failed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        with atomic_path(tmp_path / "nope" / "x.txt"):
            pass


def test_a_killed_writer_leaves_a_temporary_that_the_next_write_removes(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    target = tmp_path / "big.npz"
    code = (f"from connectome.atomic import atomic_path\nimport time\n"
            f"with atomic_path({str(target)!r}) as tmp:\n    tmp.write_bytes(b'x' * 1000)\n"
            f"    print('writing', flush=True)\n    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)          # no clean-up code runs
    proc.wait(timeout=10)
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".big.npz.")]
    assert len(leftovers) == 1 and not target.exists()
    time.sleep(0.05)
    with atomic_path(target) as tmp:
        tmp.write_text("done")
    assert [p.name for p in tmp_path.iterdir()] == ["big.npz"] and target.read_text() == "done"
