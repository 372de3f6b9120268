"""Private numba kernels: plain functions over arrays, cached, tested directly."""
