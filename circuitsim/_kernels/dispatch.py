"""Compiled functions whose implementation is chosen by the type of their first argument.

A *hook* is a function that every integrator calls, e.g. ``rhs(p, t, y, u, dydt)``;
which model's equations run is decided at compile time from the type of ``p`` (a
model's NamedTuple of arrays). Models and solvers register implementations where they
are defined::

    @implements(rhs, CTRNNKernelParams)
    @kernel
    def ctrnn_rhs(p, t, y, u, dydt): ...

This uses :func:`numba.extending.overload`, so the integrators stay module-level cached
functions: no jitted function is passed as an argument and no closure is built per
call. Each registration also records the source files of the implementation, which
the cache (:mod:`._cache`) folds into the key of every specialisation using that type.

With ``NUMBA_DISABLE_JIT=1`` a hook is a plain Python function that looks the
implementation up in a dictionary.
"""

from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from ._cache import dependency_files

__all__ = ["hook", "implements", "implementation", "registered_types", "type_files", "rhs", "member"]

_IMPLS: dict = {}      # (hook name, type) -> implementation
_FILES: dict = {}      # type -> set of source files of its implementations


def _lookup(name, p):
    try:
        return _IMPLS[(name, type(p))]
    except KeyError:
        raise TypeError(f"no {name!r} implementation registered for {type(p).__name__}") from None


def hook(stub):
    """Declare `stub` (a Python function) as a hook dispatched on its first argument's type.

    The stub's body is ignored; its name and fixed positional parameters define the hook.
    """
    import inspect

    name = stub.__name__
    params = list(inspect.signature(stub).parameters)
    src = f"def {name}({', '.join(params)}):\n    return _lookup({name!r}, {params[0]})({', '.join(params)})\n"
    ns = {"_lookup": _lookup}
    exec(src, ns)  # a fixed-arity Python fallback (numba types overloads by exact signature)
    fallback = ns[name]
    fallback.__qualname__ = name
    fallback.__doc__ = stub.__doc__
    fallback.__module__ = stub.__module__
    fallback._hook_name = name
    fallback._hook_params = params
    return fallback


def implements(hook_fn, param_type, *, files=()):
    """Class/func decorator: register the decorated compiled function as `hook_fn` for `param_type`.

    Parameters
    ----------
    hook_fn : hook
        E.g. :func:`rhs`.
    param_type : type
        A :class:`typing.NamedTuple` subclass defined at module level.
    files : sequence of str
        Extra source files the implementation depends on (found automatically for
        compiled functions it references by name).
    """
    name = hook_fn._hook_name

    def register(impl):
        key = (name, param_type)
        if key in _IMPLS:
            return impl
        _IMPLS[key] = impl
        _FILES.setdefault(param_type, set()).update(dependency_files(impl), files)
        _install_overload(hook_fn, name, param_type, impl)
        return impl

    return register


def _install_overload(hook_fn, name, param_type, impl):
    params = ", ".join(hook_fn._hook_params)
    ns = {"impl": impl}
    exec(f"def _impl({params}):\n    return impl({params})\n", ns)
    forward = ns["_impl"]

    def typer(*args):
        p = args[0]
        if isinstance(p, types.BaseNamedTuple) and p.instance_class is param_type:
            return forward
        return None

    # overload() inspects the typing function's signature: give it the hook's own
    exec(f"def _typer({params}):\n    return typer({params})\n", ns := {**ns, "typer": typer})
    overload(hook_fn, inline="never")(ns["_typer"])


def implementation(hook_fn, param_type):
    """The implementation of `hook_fn` registered for `param_type`, or None."""
    return _IMPLS.get((hook_fn._hook_name, param_type))


def registered_types(hook_fn=None) -> tuple:
    """The parameter types with an implementation (of `hook_fn`, or of any hook)."""
    name = None if hook_fn is None else hook_fn._hook_name
    return tuple(dict.fromkeys(t for (n, t) in _IMPLS if name is None or n == name))


def type_files(param_type) -> frozenset:
    """Source files of every implementation registered for `param_type`."""
    return frozenset(_FILES.get(param_type, ()))


# -- the model hook every solver calls -----------------------------------------------------
@hook
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


# -- batch members ------------------------------------------------------------------------
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


def clear_cache() -> int:
    """Remove the compiled kernels cached next to the package (they are rebuilt on use)."""
    import pathlib

    n = 0
    root = pathlib.Path(__file__).parents[1]
    for f in root.rglob("__pycache__/*.nb[ic]"):
        f.unlink()
        n += 1
    return n


if __name__ == "__main__":  # pragma: no cover
    import sys

    if "--clear-cache" in sys.argv:
        print(f"removed {clear_cache()} cached kernel files")
