"""Memory-bound reference kernels the scale benchmarks measure in the same run as the model kernels.

* :func:`triad`: STREAM's ``a = b + s c`` (bandwidth of streaming reads and writes);
* :func:`csr_gather`: ``out_i = sum_k w_k x[index_k]`` over a network's synapses grouped
  by postsynaptic neuron, ``prange`` over neurons: the plain random-gather bound (one
  index and one weight per synapse);
* :func:`own_gather`: the same gather that also streams every further per-synapse array
  a model's vector field reads (the LTC model reads four values per synapse): the
  memory bound of that model's data, which no implementation of it can beat.

All kernels take the arrays as given, so float32 / int32 storage is measured as stored.
"""

from __future__ import annotations

import os

from numba import njit, prange

__all__ = ["load", "triad", "csr_gather", "own_gather"]


def load() -> str:
    """The 1, 5 and 15 minute load averages (figures taken above ~1 on 2 cores are suspect)."""
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


@njit(parallel=True, cache=True)
def triad(a, b, c, s):
    for i in prange(a.shape[0]):
        a[i] = b[i] + s * c[i]


@njit(parallel=True, cache=True)
def csr_gather(indptr, index, w, x, out):
    for i in prange(out.shape[0]):
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += w[k] * x[index[k]]
        out[i] = acc


@njit(parallel=True, cache=True)
def _gather_plus1(indptr, index, w, b, x, out):
    for i in prange(out.shape[0]):
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += w[k] * x[index[k]] + b[k]
        out[i] = acc


@njit(parallel=True, cache=True)
def _gather_plus3(indptr, index, w, b, c, d, x, out):
    for i in prange(out.shape[0]):
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += w[k] * x[index[k]] + b[k] + c[k] + d[k]
        out[i] = acc


def own_gather(indptr, index, values, x, out):
    """:func:`csr_gather` over ``values[0]`` that also reads ``values[1:]`` (0, 1 or 3 further arrays)."""
    if len(values) == 1:
        csr_gather(indptr, index, values[0], x, out)
    elif len(values) == 2:
        _gather_plus1(indptr, index, *values, x, out)
    elif len(values) == 4:
        _gather_plus3(indptr, index, *values, x, out)
    else:
        raise ValueError(f"own_gather: 1, 2 or 4 per-synapse arrays, got {len(values)}")
