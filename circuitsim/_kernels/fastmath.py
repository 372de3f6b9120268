"""Branch-free ``exp`` and logistic sigmoid that compile to SIMD code inside loops.

numba lowers ``math.exp`` / ``np.exp`` to a call into the C library, and without
Intel's SVML (not available to the llvmlite installed here) a loop containing a
call stays scalar. The functions below are plain float arithmetic, integer adds
and shifts and bit casts, so LLVM's loop vectoriser turns a loop over synapses
that calls them into AVX2 code (four float64 lanes).

Method (Cody & Waite 1980; the same scheme as fdlibm's ``exp``)::

    x = n ln2 + r,  n = round(x / ln2),  |r| <= ln2 / 2
    exp(x) = 2**n exp(r)

``n ln2`` is subtracted in two parts (``LN2_HI`` has 32 trailing zero bits, so
``n * LN2_HI`` is exact), ``n`` is rounded by adding and subtracting ``1.5 * 2**52``
(no float-to-int conversion, which would be undefined for NaN), and ``exp(r)`` is
the degree-13 Taylor polynomial, whose truncation error ``|r|**14 / 14!`` is below
4e-18 relative. ``2**n`` is built from its bits in two factors ``2**(n // 2)``
and ``2**(n - n // 2)``, which covers the subnormal results (down to ``x = -745``)
and overflow to ``inf`` without branches.

Accuracy (``tests/test_fastmath.py`` checks these bounds): :func:`exp` is within
1 ulp of the exact value (0.86 ulp measured over ``[-708, 709]``; ``numpy.exp``:
0.51) and within 2 ulp of ``numpy.exp`` everywhere, subnormal results included;
:func:`sigmoid` is within 3 ulp of the exact value (2.3 measured; scipy's
``expit``: 2.2) and within 5 ulp of ``expit``, i.e. 1.1e-15 relative. Special
values: ``exp(+inf) = inf``, ``exp(-inf) = 0``, ``exp(nan) = nan``,
``sigmoid(+-inf) = 1, 0``, ``sigmoid(nan) = nan``.

:func:`sigmoid` evaluates ``1 / (1 + e)`` for ``z >= 0`` and ``e / (1 + e)`` for
``z < 0`` with ``e = exp(-|z|) <= 1``, so it never overflows and keeps full
relative accuracy for large negative ``z`` (where the result is ``exp(z)``).

Every function is inlined into its caller (``inline="always"``), so the caller's
compile flags apply: the LTC kernels compile with ``contract`` (fused
multiply-add), which changes the last bit, never the bound above. No other
fast-math flag is used: results are the same on every run and thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import config as _config
from numba import types
from numba.extending import intrinsic, overload

from ._cache import kernel

__all__ = ["exp", "sigmoid", "sigmoid32", "sigmoid_of", "exp_array", "sigmoid_array", "sigmoid32_array"]

_LOG2E = 1.4426950408889634  # 1 / ln 2
_LN2_HI = 6.93147180369123816490e-01  # ln 2 rounded to 32 significant bits (fdlibm)
_LN2_LO = 1.90821492927058770002e-10  # ln 2 - _LN2_HI
_SHIFT = 6755399441055744.0  # 1.5 * 2**52: x + _SHIFT rounds x to an integer held in the low bits
_SHIFT_BITS = 0x4338000000000000  # the bits of _SHIFT
_X_MAX = 710.0  # exp(710) overflows: inf
_X_MIN = -746.0  # exp(-746) rounds to 0
_TWO_M64 = 2.0 ** -64
_INV_FACT = tuple(1.0 / math.factorial(k) for k in range(14))  # Taylor coefficients 1/k!, correctly rounded
(_C0, _C1, _C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13) = _INV_FACT


def _bit_cast(src, dst, accepts, doc):
    """A compiled bit cast from numba type `src` to `dst` (same width, no conversion) for arguments of kind `accepts`.

    Under ``NUMBA_DISABLE_JIT`` (plain Python, for debugging) the same cast goes through numpy.
    """
    if _config.DISABLE_JIT:
        to_np, from_np = np.dtype(dst.name), np.dtype(src.name)
        py = float if to_np.kind == "f" else int

        def plain(x):
            return py(from_np.type(x).view(to_np))

        plain.__doc__ = doc
        return plain

    def cast(typingctx, x):
        if not isinstance(x, accepts):
            return None

        def codegen(context, builder, signature, args):
            val = context.cast(builder, args[0], signature.args[0], src)
            return builder.bitcast(val, context.get_value_type(dst))

        return dst(src), codegen

    cast.__doc__ = doc
    return intrinsic(cast)


_bits = _bit_cast(types.float64, types.int64, types.Float, "The bits of a float64 as an int64.")
_from_bits = _bit_cast(types.int64, types.float64, types.Integer, "The float64 whose bits are the int64 `i`.")
_from_bits32 = _bit_cast(types.int32, types.float32, types.Integer, "The float32 whose bits are the int32 `i`.")


@kernel(inline="always")
def exp(x):
    """``exp(x)`` for a float64 scalar, branch-free (see the module docstring for the error bound)."""
    if x > _X_MAX:  # comparisons are false for NaN, which passes through
        x = _X_MAX
    if x < _X_MIN:
        x = _X_MIN
    kd = x * _LOG2E + _SHIFT
    n = _bits(kd) - _SHIFT_BITS  # round(x / ln 2) as an integer
    kf = kd - _SHIFT
    r = x - kf * _LN2_HI
    r = r - kf * _LN2_LO
    p = _C13
    p = p * r + _C12
    p = p * r + _C11
    p = p * r + _C10
    p = p * r + _C9
    p = p * r + _C8
    p = p * r + _C7
    p = p * r + _C6
    p = p * r + _C5
    p = p * r + _C4
    p = p * r + _C3
    p = p * r + _C2
    p = p * r + _C1
    p = p * r + _C0
    n1 = n >> 1
    n2 = n - n1
    s1 = _from_bits((n1 + 1023) << 52)
    s2 = _from_bits((n2 + 1023) << 52)
    return (p * s1) * s2


@kernel(inline="always")
def _exp_nonpositive(x):
    """:func:`exp` for ``x <= 0`` (or NaN), with the same polynomial: one scale factor, no upper clamp.

    ``2**n`` for ``-1076 <= n <= 0`` is built as ``2**(n + 64)`` (a normal number, so
    ``p 2**(n + 64)`` is exact) times the constant ``2**-64``: a single rounding.
    """
    if x < _X_MIN:
        x = _X_MIN
    kd = x * _LOG2E + _SHIFT
    n = _bits(kd) - _SHIFT_BITS
    kf = kd - _SHIFT
    r = x - kf * _LN2_HI
    r = r - kf * _LN2_LO
    p = _C13
    p = p * r + _C12
    p = p * r + _C11
    p = p * r + _C10
    p = p * r + _C9
    p = p * r + _C8
    p = p * r + _C7
    p = p * r + _C6
    p = p * r + _C5
    p = p * r + _C4
    p = p * r + _C3
    p = p * r + _C2
    p = p * r + _C1
    p = p * r + _C0
    return (p * _from_bits((n + (1023 + 64)) << 52)) * _TWO_M64


@kernel(inline="always")
def sigmoid(z):
    """Logistic sigmoid ``1 / (1 + exp(-z))`` of a float64 scalar, branch-free and accurate for any `z`."""
    e = _exp_nonpositive(-abs(z))
    num = 1.0 if z >= 0.0 else e
    return num / (1.0 + e)


# -- single precision (Circuit(precision="float32") LTC conductances) ----------------------
# The same scheme in float32 arithmetic, eight SIMD lanes instead of four: ln 2 split so
# that n * _LN2_HI_32 is exact for |n| <= 127 (9 significant bits), round(x / ln 2) by
# floor(x / ln 2 + 1/2), a degree-7 Taylor polynomial on |r| <= ln 2 / 2 (truncation
# 5e-9 relative) and 2**n from its bits; exp(x) is only needed for x <= 0 and is clamped
# at x = -87 (exp(-87) = 1.6e-38, just above the smallest normal float32).
_F32 = np.float32
_LOG2E_32 = _F32(_LOG2E)
_LN2_HI_32 = _F32(0.693359375)
_LN2_LO_32 = _F32(-2.12194440e-4)
_X_MIN_32 = _F32(-87.0)
_HALF_32, _ONE_32, _ZERO_32 = _F32(0.5), _F32(1.0), _F32(0.0)
(_D0, _D1, _D2, _D3, _D4, _D5, _D6, _D7) = (_F32(c) for c in _INV_FACT[:8])


@kernel(inline="always")
def _exp_nonpositive32(x):
    if x < _X_MIN_32:
        x = _X_MIN_32
    kf = np.floor(x * _LOG2E_32 + _HALF_32)
    r = x - kf * _LN2_HI_32
    r = r - kf * _LN2_LO_32
    p = _D7
    p = p * r + _D6
    p = p * r + _D5
    p = p * r + _D4
    p = p * r + _D3
    p = p * r + _D2
    p = p * r + _D1
    p = p * r + _D0
    return p * _from_bits32((np.int32(kf) + np.int32(127)) << np.int32(23))


@kernel(inline="always")
def sigmoid32(z):
    """Logistic sigmoid of a float32 scalar in float32 arithmetic, branch-free.

    Within 2e-7 relative of the exact value for ``z >= -85`` (1.7e-7 measured) and within
    1.7e-38 absolute below, where the argument of ``exp`` is clamped (so
    ``sigmoid32(-inf) = 1.6e-38``, not 0); ``tests/test_fastmath.py`` checks both. NaN
    passes through.
    """
    e = _exp_nonpositive32(-abs(z))
    num = _ONE_32 if z >= _ZERO_32 else e
    return num / (_ONE_32 + e)


def sigmoid_of(z):
    """:func:`sigmoid32` for a float32 `z`, else :func:`sigmoid` (compiled code picks by type)."""
    return sigmoid32(z) if isinstance(z, np.float32) else sigmoid(z)


@overload(sigmoid_of, inline="always")
def _sigmoid_of(z):
    if z == types.float32:
        return lambda z: sigmoid32(z)
    return lambda z: sigmoid(z)


@kernel(contract=True)
def exp_array(x):
    """:func:`exp` over a 1-d float64 array (compiled as in the LTC kernels, with ``contract``; for tests)."""
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = exp(x[i])
    return out


@kernel(contract=True)
def sigmoid_array(z):
    """:func:`sigmoid` over a 1-d float64 array (compiled as in the LTC kernels, with ``contract``; for tests)."""
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        out[i] = sigmoid(z[i])
    return out


@kernel(contract=True)
def sigmoid32_array(z):
    """:func:`sigmoid32` over a 1-d float32 array (compiled as in the LTC kernels; for tests)."""
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        out[i] = sigmoid32(z[i])
    return out
