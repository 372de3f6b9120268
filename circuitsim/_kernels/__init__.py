"""Private numba kernels: plain functions over arrays, cached, tested directly.

Importing :mod:`._cache` first makes every cached kernel in this folder depend on
all of the folder's files, so an edited model kernel never runs inside a stale
cached integrator (see that module).
"""

from . import _cache  # noqa: F401
