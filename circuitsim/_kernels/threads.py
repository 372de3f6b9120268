"""When a vector field runs its neurons in parallel threads.

A model's ``rhs`` loops over postsynaptic neurons, each gathering its own synapses
(a CSR gather), so iterations never write one place and the loop can run in
threads (``prange``). Thread start-up costs a few microseconds per call, which a
worm-sized network (279 neurons, ~6,000 synapses: ~10 us per call) would feel, so
small networks take the serial loop; the parallel one starts at
:func:`threaded` (``n + synapses >= 2**16``), where one call is already ~0.1 ms.

Batches: the driver runs groups of batch members in threads of its own and sets
those threads to one numba thread each (``numba.set_num_threads`` is thread
local), so the parallel loops inside them do not oversubscribe the cores.
"""

from __future__ import annotations

from ._cache import kernel

#: neurons + synapses from which the vector fields run their neuron loop in parallel
PARALLEL_MIN_WORK = 1 << 16


@kernel(inline="always")
def threaded(n, n_syn):
    """Whether a vector field over `n` neurons and `n_syn` synapses runs in parallel."""
    return n + n_syn >= 65536
