"""Keep the BLAS that compiled code calls single-threaded while our own threads run.

Kernels that issue matrix products from several threads at once (the CfC closed form
over groups of batch members) would oversubscribe the cores with a multi-threaded BLAS.
"""

from __future__ import annotations

__all__ = ["single_threaded_blas"]


class single_threaded_blas:
    """Set the BLAS that compiled code calls (SciPy's OpenBLAS) to one thread, then restore.

    The CfC kernel runs batch blocks on its own threads, each issuing its own matrix
    products; a multi-threaded BLAS inside them would oversubscribe the cores.
    Best effort: without the library symbols nothing changes.
    """

    _lib = None

    @classmethod
    def _load(cls):
        if cls._lib is None:
            import ctypes
            import glob
            import os

            import scipy

            cls._lib = False
            libs = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs")
            for path in glob.glob(os.path.join(libs, "libscipy_openblas*.so*")):
                try:
                    lib = ctypes.CDLL(path)
                    get, put = lib.scipy_openblas_get_num_threads, lib.scipy_openblas_set_num_threads
                except (OSError, AttributeError):
                    continue
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                cls._lib = (get, put)
                break
        return cls._lib

    def __enter__(self):
        lib = self._load()
        self._prev = lib[0]() if lib else None
        if lib:
            lib[1](1)
        return self

    def __exit__(self, *exc):
        if self._prev is not None:
            self._lib[1](self._prev)
        return False
