"""Atomic file writes: a reader never sees a half-written file, and a crash leaves nothing behind for long.

Every file the two packages write (results, wirings, parameters, figures) goes through
:func:`atomic_path`: the data is written to a temporary file next to the destination,
which is renamed onto it only when the write succeeded. A writer killed mid-way (even
with ``kill -9``) leaves its temporary file; the next write to the same destination
removes temporary files whose writing process no longer exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

__all__ = ["atomic_path", "remove_stale_temporaries"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(path) -> list:
    """Remove the temporary files of interrupted writes to `path` (their writer is gone).

    Returns
    -------
    list of Path
        The files removed.
    """
    path = Path(path)
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]+\.partial")
    removed = []
    if not path.parent.is_dir():
        return removed
    for f in path.parent.iterdir():
        m = pattern.match(f.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                f.unlink()
                removed.append(f)
    return removed


@contextlib.contextmanager
def atomic_path(path, suffix: str = ""):
    """Yield a temporary path next to `path`; move it onto `path` on success.

    On any exception the temporary file is removed and `path` is untouched.

    Parameters
    ----------
    path : str or os.PathLike
        Final destination. Its folder must exist.
    suffix : str
        Suffix of the temporary file (some writers, like ``numpy.savez``, append
        an extension when it is missing).

    Raises
    ------
    FileNotFoundError
        The destination folder does not exist.
    """
    path = Path(path)
    if not path.parent.exists():
        raise FileNotFoundError(f"folder {str(path.parent)!r} does not exist")
    remove_stale_temporaries(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial{suffix or path.suffix}"
    tmp.touch(mode=0o600, exist_ok=False)
    try:
        yield tmp
        # the temporary file is private while written; give the result the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
