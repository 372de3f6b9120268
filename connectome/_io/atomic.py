"""Atomic file writes: a reader never sees a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
    """
    path = Path(path)
    if not path.parent.exists():
        raise FileNotFoundError(f"folder {str(path.parent)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates 0600 files; give the result the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
