"""Generic compiled vector field ``rhs(p, t, y, u, dydt)`` dispatched on the parameter type.

Every integrator calls :func:`rhs`; which model's equations run is decided at
compile time from the type of ``p`` (a model-specific NamedTuple of arrays). A
model registers its implementation once, at import of its kernel module::

    register_rhs(CTRNNKernelParams, ctrnn_rhs)

This uses :func:`numba.extending.overload`, so the integrators stay module-level
``@njit(cache=True)`` functions: no jitted function is passed as an argument and
no closure is built per call, and a fresh process loads them from the cache.

Caveat: numba invalidates an integrator's cache only when the integrator's own
file changes. After editing a model's kernel, clear ``circuitsim/_kernels/__pycache__``
(``python -m circuitsim._kernels.dispatch --clear-cache``).

With ``NUMBA_DISABLE_JIT=1`` :func:`rhs` is a plain Python function that looks the
implementation up in a dictionary.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

__all__ = ["rhs", "register_rhs", "registered_types"]

_PY_RHS: dict = {}
_UNCACHED: set = set()


def rhs(p, t, y, u, dydt):
    """Evaluate the vector field: write ``dy/dt`` at time `t` into `dydt`.

    Parameters
    ----------
    p : NamedTuple
        Model kernel parameters (its type selects the model).
    t : float
        Time (ms).
    y : float64 array (n_state,)
        State, variable-major.
    u : float64 array (n_in,)
        External input at time `t`.
    dydt : float64 array (n_state,)
        Output buffer.
    """
    try:
        impl = _PY_RHS[type(p)]
    except KeyError:
        raise TypeError(f"no vector field registered for {type(p).__name__}") from None
    return impl(p, t, y, u, dydt)


def is_cacheable(param_type) -> bool:
    """Whether integrators compiled for `param_type` may be cached on disk."""
    return param_type not in _UNCACHED


_CLONES: dict = {}


def for_params(dispatcher, P):
    """`dispatcher`, or an uncached copy of it when `P`'s model opted out of caching.

    Parameters
    ----------
    dispatcher : numba dispatcher
        A cached integrator (``run_fixed``...).
    P : NamedTuple or numba.typed.List of NamedTuple
        The kernel parameters it will be called with.
    """
    item = P if isinstance(P, tuple) else P[0]
    if is_cacheable(type(item)) or not hasattr(dispatcher, "py_func"):
        return dispatcher
    key = id(dispatcher)
    if key not in _CLONES:
        from numba import njit

        _CLONES[key] = njit(cache=False, **{k: v for k, v in dispatcher.targetoptions.items()
                                            if k in ("parallel", "fastmath", "nogil", "boundscheck")})(
            dispatcher.py_func)
    return _CLONES[key]


def registered_types() -> tuple:
    """The kernel parameter types with a registered vector field."""
    return tuple(_PY_RHS)


def register_rhs(param_type, impl, cache: bool = True) -> None:
    """Register `impl` (an ``@njit`` function) as :func:`rhs` for `param_type`.

    Parameters
    ----------
    param_type : type
        A :class:`typing.NamedTuple` subclass, defined at module level.
    impl : numba dispatcher
        ``impl(p, t, y, u, dydt)``; must not raise inside compiled code.
    cache : bool
        Keep the integrators compiled for this model in the on-disk cache (shared
        by every process). Pass False for models in modules that are not always
        importable (scripts, test folders) or still being edited: the integrators
        are then compiled once per process for this model and never cached.
    """
    if param_type in _PY_RHS:
        return
    _PY_RHS[param_type] = impl
    if not cache:
        _UNCACHED.add(param_type)

    @overload(rhs, inline="never")
    def _rhs_overload(p, t, y, u, dydt):
        if isinstance(p, types.BaseNamedTuple) and p.instance_class is param_type:
            def _impl(p, t, y, u, dydt):
                return impl(p, t, y, u, dydt)
            return _impl
        return None


def _clear_cache() -> int:
    import pathlib

    n = 0
    for f in pathlib.Path(__file__).parent.glob("__pycache__/*.nb[ic]"):
        f.unlink()
        n += 1
    return n


if __name__ == "__main__":  # pragma: no cover
    import sys

    if "--clear-cache" in sys.argv:
        print(f"removed {_clear_cache()} cached kernel files")


# -- batch members --------------------------------------------------------------------
def member(P, b):
    """Kernel parameters of batch member `b`: `P` itself (shared) or ``P[b]`` (typed list)."""
    if isinstance(P, tuple):
        return P
    return P[b]


@overload(member, inline="always")
def _member_overload(P, b):
    if isinstance(P, types.BaseNamedTuple):
        return lambda P, b: P
    if isinstance(P, types.ListType):
        return lambda P, b: P[np.int64(b)]
    return None
