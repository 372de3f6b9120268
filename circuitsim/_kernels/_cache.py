"""Cache invalidation across kernel files.

numba invalidates a cached function only when *its own* source file changes. The
generic integrators inline every model's vector field through
:func:`circuitsim._kernels.dispatch.rhs`, so editing a model's kernel file would
leave stale integrators in the cache. Importing this module (done by the kernel
modules before they define any cached function) makes every ``cache=True``
function defined in ``circuitsim/_kernels/`` depend on the content of all ``*.py``
files of that folder: any edit there recompiles them all, once.

Models whose kernels live outside this folder are not covered: clear the cache
(``python -m circuitsim._kernels.dispatch --clear-cache``) after editing them.
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


try:  # private numba API: fall back to per-file invalidation if it changes
    _install()
except AttributeError:  # pragma: no cover
    pass
