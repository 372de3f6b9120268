"""Cache invalidation across kernel files.

numba invalidates a cached function only when *its own* source file changes. The
generic integrators inline every model's vector field through
:func:`circuitsim._kernels.dispatch.rhs`, so editing a model's kernel file would
leave stale integrators in the cache. Importing this module (done by the kernel
modules before they define any cached function) makes every ``cache=True``
function defined in ``circuitsim/_kernels/`` depend on the content of all ``*.py``
files of that folder: any edit there recompiles them all, once.

Models whose kernels live outside this folder are not covered: clear the cache
(``python -m circuitsim._kernels.dispatch --clear-cache``) after editing them, or
register them with ``register_rhs(..., cache=False)``.

It also makes a cache index that cannot be read (for instance because it lists a
model type from a module that is not importable in this process) count as stale.
"""

from __future__ import annotations

import hashlib
import os

from numba.core import caching as _caching

_DIR = os.path.dirname(os.path.abspath(__file__))


def _tree_stamp() -> bytes:
    h = hashlib.sha256()
    for name in sorted(os.listdir(_DIR)):
        if name.endswith(".py"):
            path = os.path.join(_DIR, name)
            st = os.stat(path)
            h.update(name.encode())
            h.update(_caching._hash_source_file(path, st.st_mtime, st.st_size))
    return h.digest()


class _KernelTreeMixin:
    def get_source_stamp(self):
        return _tree_stamp()

    @classmethod
    def from_function(cls, py_func, py_file):
        if os.path.dirname(os.path.abspath(py_file)) != _DIR:
            return None
        return super().from_function(py_func, py_file)


def _install() -> None:
    classes = _caching.CacheImpl._locator_classes
    if any(getattr(k, "_circuitsim", False) for k in classes):
        return
    new = []
    for base in (_caching.UserProvidedCacheLocator, _caching.InTreeCacheLocator):
        new.append(type(f"KernelTree{base.__name__}", (_KernelTreeMixin, base), {"_circuitsim": True}))
    classes[:0] = new


def _install_tolerant_index() -> None:
    """Treat an index that cannot be unpickled as empty (stale) instead of failing.

    A cached integrator's index lists every signature compiled for it, including
    kernel parameter types of models defined in other modules. A process in which
    such a module is not importable would otherwise fail on *every* call of that
    integrator; with this it recompiles its own signatures once.
    """
    cls = _caching.IndexDataCacheFile
    if getattr(cls._load_index, "_circuitsim", False):
        return
    original = cls._load_index

    def _load_index(self):
        try:
            return original(self)
        except Exception:  # noqa: BLE001 - unreadable index: recompile
            return {}

    _load_index._circuitsim = True
    cls._load_index = _load_index


try:  # private numba API: fall back to numba's default behaviour if it changes
    _install()
    _install_tolerant_index()
except AttributeError:  # pragma: no cover
    pass
