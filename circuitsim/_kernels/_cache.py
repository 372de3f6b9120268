"""On-disk caching of compiled kernels that is correct across files and install layouts.

numba's own cache (``@njit(cache=True)``) keys a compiled function by its own source
file only. Our integrators inline functions from other files (helpers, and every
model's and solver's kernels through :mod:`.dispatch`), so numba's cache would keep
running stale code after such a file is edited. :func:`kernel` compiles with a cache
whose index key also holds a digest of every source file the compiled code depends on:

* the files of the compiled functions it references, transitively (found by walking
  the names its bytecode uses), and
* for every kernel-parameter type in the signature (a model's or a solver's
  NamedTuple), the files of the implementations registered for that type
  (:func:`.dispatch.register_type_files`), transitively.

Editing one model's kernel file therefore recompiles only the specialisations that use
that model; editing a shared helper recompiles everything that calls it. Keys are
plain strings (never pickled types), so an index written by a process that knew a
model type defined elsewhere is still readable by one that does not.

Where the cache lives: next to the package if writable, else numba's user-wide cache
(``~/.cache/numba``), else a folder in the system's temporary directory (a one-line
:class:`CacheWarning` says so); if none is writable, kernels compile in every process.

No ``fastmath`` anywhere: results are bit-identical whether a kernel was compiled in
this process or loaded from the cache.

This relies on numba's cache classes (``Cache``, ``CacheImpl``, the locators), which
have kept their shape over the numba versions ``setup.cfg`` allows; if they change,
kernels fall back to no disk cache (correct, slower start) with a warning.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import types as _pytypes
import warnings

import numba
from numba import njit

__all__ = ["kernel", "CacheWarning", "dependency_files"]


class CacheWarning(UserWarning):
    """Compiled kernels cannot be cached where they normally are."""


# -- dependency discovery ------------------------------------------------------------
def _code_names(code) -> set:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, _pytypes.CodeType):
            names |= _code_names(const)
    return names


def _py_function(obj):
    """The Python function behind a numba dispatcher or a plain function, else None."""
    fn = getattr(obj, "py_func", obj)
    return fn if isinstance(fn, _pytypes.FunctionType) else None


_DEPS: dict = {}


def dependency_files(func) -> frozenset:
    """Source files of `func` and of every function it references, transitively.

    Parameters
    ----------
    func : function or numba dispatcher

    Returns
    -------
    frozenset of str
    """
    fn = _py_function(func)
    if fn is None or fn.__code__.co_filename.startswith("<"):
        return frozenset()
    key = fn.__code__
    if key in _DEPS:
        return _DEPS[key]
    _DEPS[key] = frozenset([fn.__code__.co_filename])  # cycle guard
    files = {fn.__code__.co_filename}
    glb = fn.__globals__
    for name in _code_names(fn.__code__):
        obj = glb.get(name)
        if obj is None or isinstance(obj, (type, _pytypes.ModuleType)) or hasattr(obj, "_hook_name"):
            continue  # hooks depend on the argument types: see _typed_files
        sub = _py_function(obj)
        if sub is not None:
            files |= dependency_files(sub)
    _DEPS[key] = frozenset(files)
    return _DEPS[key]


_FILE_HASH: dict = {}


def _file_digest(path: str) -> str | None:
    if path not in _FILE_HASH:
        try:
            with open(path, "rb") as fh:
                _FILE_HASH[path] = hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            _FILE_HASH[path] = None
    return _FILE_HASH[path]


def _signature_types(sig):
    """Every numba type in `sig`, nested types of tuples and lists included."""
    out = []
    stack = list(getattr(sig, "args", sig))
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(getattr(t, "types", ()) or ())
        item = getattr(t, "item_type", None) or getattr(t, "dtype", None)
        if isinstance(item, numba.types.Type) and not isinstance(item, numba.types.Number):
            stack.append(item)
    return out


def _typed_files(sig) -> tuple[set, list]:
    from .dispatch import type_files

    files, classes = set(), []
    for t in _signature_types(sig):
        cls = getattr(t, "instance_class", None)
        if cls is not None and isinstance(t, numba.types.BaseNamedTuple):
            classes.append(f"{cls.__module__}.{cls.__qualname__}")
            files |= type_files(cls)
    return files, sorted(set(classes))


# -- the cache -------------------------------------------------------------------------
def _numba_name(*names):
    from numba.core import caching

    for name in names:
        obj = getattr(caching, name, None)
        if obj is not None:
            return obj
    raise AttributeError(names[0])


_FALLBACK_WARNED = []


def _make_cache_class():
    """Build the cache classes on top of numba's (names differ across numba versions)."""
    FunctionCache = _numba_name("FunctionCache")
    CompileResultCacheImpl = _numba_name("CompileResultCacheImpl", "_CompileResultCacheImpl")
    UserProvided = _numba_name("UserProvidedCacheLocator", "_UserProvidedCacheLocator")
    InTree = _numba_name("InTreeCacheLocator", "_InTreeCacheLocator")
    UserWide = _numba_name("UserWideCacheLocator", "_UserWideCacheLocator")
    optional = []
    for names in (("IPythonCacheLocator", "_IPythonCacheLocator"), ("ZipCacheLocator", "_ZipCacheLocator")):
        try:
            optional.append(_numba_name(*names))
        except AttributeError:  # not in every numba version
            pass

    class TempDirLocator(UserWide):
        """Last resort: a per-user folder in the system's temporary directory."""

        def __init__(self, py_func, py_file):
            super().__init__(py_func, py_file)
            root = os.path.join(tempfile.gettempdir(), f"circuitsim-kernels-{os.getuid()}")
            self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

        @classmethod
        def from_function(cls, py_func, py_file):
            self = super().from_function(py_func, py_file)
            if self is not None and not _FALLBACK_WARNED:
                _FALLBACK_WARNED.append(True)
                warnings.warn(f"circuitsim: no writable kernel cache next to the package or in the user's cache "
                              f"folder; using {os.path.dirname(self._cache_path)}", CacheWarning, stacklevel=2)
            return self

    class KernelCacheImpl(CompileResultCacheImpl):
        _locator_classes = [UserProvided, InTree, UserWide, *optional, TempDirLocator]

    class KernelCache(FunctionCache):
        _impl_class = KernelCacheImpl

        def __init__(self, py_func):
            super().__init__(py_func)
            self._static = dependency_files(py_func)

        def _index_key(self, sig, codegen):
            code = self._py_func.__code__.co_code
            typed, classes = _typed_files(sig)
            digests = []
            for path in sorted(self._static | typed):
                d = _file_digest(path)
                if d is None:            # a dependency we cannot read: never match, never reuse
                    d = os.urandom(16).hex()
                digests.append(f"{os.path.basename(path)}:{d}")
            deps = hashlib.sha256("|".join(digests).encode()).hexdigest()
            return (str(sig), tuple(classes), codegen.magic_tuple(), hashlib.sha256(code).hexdigest(), deps)

    return KernelCache


try:
    _KernelCache = _make_cache_class()
except AttributeError:  # pragma: no cover - numba's cache classes changed shape
    _KernelCache = None


def _attach_cache(dispatcher):
    if _KernelCache is None:
        if not _FALLBACK_WARNED:
            _FALLBACK_WARNED.append(True)
            warnings.warn("circuitsim: this numba version's cache classes are not supported; compiled kernels "
                          "are not cached on disk", CacheWarning, stacklevel=3)
        return dispatcher
    try:
        dispatcher._cache = _KernelCache(dispatcher.py_func)
    except RuntimeError:  # no locator at all (nothing writable): compile in every process
        if not _FALLBACK_WARNED:
            _FALLBACK_WARNED.append(True)
            warnings.warn("circuitsim: no writable folder for the kernel cache; kernels compile in every process",
                          CacheWarning, stacklevel=3)
    return dispatcher


def kernel(func=None, *, parallel: bool = False, nogil: bool = False, inline: str = "never",
           error_model: str = "numpy", contract: bool = False):
    """``numba.njit`` with the dependency-aware disk cache of this module.

    Use it for every compiled function of the package (and of user models). The
    default ``error_model="numpy"`` means a division by zero gives inf/NaN instead
    of raising inside compiled code; kernels check for non-finite values and return
    status codes.

    Parameters
    ----------
    parallel, nogil, inline, error_model
        As for :func:`numba.njit`.

    Examples
    --------
    >>> @kernel
    ... def add(a, b):
    ...     return a + b
    >>> add(1.0, 2.0)
    3.0
    """
    def wrap(fn):
        opts = dict(parallel=parallel, nogil=nogil, error_model=error_model)
        if contract:
            opts["fastmath"] = {"contract"}
        if inline != "never":
            opts["inline"] = inline
        disp = njit(**opts)(fn)
        if not hasattr(disp, "py_func"):  # NUMBA_DISABLE_JIT=1: a plain function
            return disp
        return _attach_cache(disp)

    return wrap(func) if func is not None else wrap
