"""Run the compiled time loop in chunks: interrupts, memory bounds and progress.

The compiled loop (:func:`circuitsim._kernels.loop.run_members`) returns after a
budget of step attempts per member and resumes exactly where it stopped, so this
driver can, between two chunks of about a tenth of a second,

* honour Ctrl-C (SIGINT): the members stop with status ``INTERRUPTED`` and the
  partial result is kept (:class:`circuitsim.Interrupted`);
* grow the output buffers, and stop with ``OUT_OF_MEMORY`` when they would exceed
  ``max_bytes`` -- or when, at the rate the run has stored output so far, it would
  exceed it before the end of the span (so a run that cannot fit stops promptly);
* report progress.

Python is never called per step: one call of compiled code per chunk.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time

import numpy as np

__all__ = ["run_loop", "interrupt_guard"]

#: wall time (s) aimed at per chunk of compiled work
CHUNK_SECONDS = 0.1
#: wall time (s) after which the memory projection is trusted
PROJECT_AFTER = 0.25


class _Flag:
    def __init__(self):
        self.set = False


@contextlib.contextmanager
def interrupt_guard():
    """Turn SIGINT into a flag for the duration of the block (main thread only).

    Yields an object whose ``set`` attribute becomes True on Ctrl-C. Outside the
    main thread (where Python delivers no signals) the flag never sets.
    """
    flag = _Flag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum, frame):
        flag.set = True

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # pragma: no cover - embedded interpreters without signal support
        yield flag
        return
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _n_threads() -> int:
    import numba

    return int(numba.get_num_threads())


@contextlib.contextmanager
def _pool(workers):
    """Threads for groups of members (the compiled loop releases the GIL), or None for one worker."""
    if workers <= 1:
        yield None
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers) as pool:
        yield pool


def _capacities(job, expected_steps):
    rec = job.rec
    guess = expected_steps if expected_steps is not None else 256
    cap_out = len(rec.saveat) if rec.use_saveat else guess // rec.every + 2
    cap_dense = guess if rec.dense else 0
    return cap_out, cap_dense


def _used_bytes(buf, rec) -> float:
    n_rec = buf.out_y.shape[2]
    K = buf.dense_c.shape[2]
    out = 0.0 if rec.use_saveat else float(buf.n_out.sum()) * 8.0 * (n_rec + 1)
    return out + float(buf.n_dense.sum()) * 8.0 * (K * n_rec + 1)


def run_loop(job, S, k_rows: int, expected_steps):
    """Integrate every member of `job` with solver configuration `S`.

    Parameters
    ----------
    job : Job
    S : NamedTuple or numba.typed.List
        The solver's kernel configuration (shared, or one per member).
    k_rows : int
        Rows of dense output per step.
    expected_steps : int or None
        Steps per member when known in advance (sizes the buffers once).

    Returns
    -------
    Buffers
        ``buf.status`` holds each member's :class:`~circuitsim.solvers.base.Status`.
    """
    from .._kernels.buffers import FULL, INTERRUPTED, OUT_OF_MEMORY, RUNNING, grow, new_buffers
    from .._kernels.loop import run_members

    rec = job.rec
    t0, t1 = job.t_span
    cap_out, cap_dense = _capacities(job, expected_steps)
    buf = new_buffers(job.y0, job.n_rec, cap_out, cap_dense, k_rows, t0)
    budget = 64 if expected_steps is None else int(min(max(expected_steps, 1), 64))
    first = True
    started = time.perf_counter()
    B = buf.y.shape[0]
    workers = min(B, _n_threads())
    # groups of members per task: several per thread, so uneven members balance out
    bounds = np.linspace(0, B, min(B, 4 * workers) + 1).round().astype(int) if workers > 1 else np.array([0, B])
    groups = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    with interrupt_guard() as flag, _pool(workers) as pool:
        while True:
            tic = time.perf_counter()
            if pool is None:
                run_members(job.P, S, job.table, rec, buf, budget, 0, B)
            else:
                args = (job.P, S, job.table, rec, buf, budget)
                list(pool.map(lambda g: run_members(*args, g[0], g[1]), groups))
            elapsed = time.perf_counter() - tic
            status = buf.status
            live = (status == RUNNING) | (status == FULL)
            if flag.set:
                status[live] = INTERRUPTED
                break
            if job.progress is not None:
                job.progress(float(np.min(buf.t) - t0) / (t1 - t0))
            if not live.any():
                break
            if (status == FULL).any():
                cap_out = buf.out_t.shape[1] if rec.use_saveat else 2 * buf.out_t.shape[1]
                cap_dense = 2 * buf.dense_c.shape[1] if rec.dense else 0
                n_rec = buf.out_y.shape[2]
                nbytes = 8.0 * buf.y.shape[0] * (cap_out * (n_rec + 1) + cap_dense * (k_rows * n_rec + 1))
                if nbytes > job.max_bytes:
                    status[status == FULL] = OUT_OF_MEMORY
                    break
                buf = grow(buf, cap_out, cap_dense)
            if time.perf_counter() - started > PROJECT_AFTER:
                done = float(np.min(buf.t[live]) - t0)
                if done > 0:
                    projected = _used_bytes(buf, rec) * (t1 - t0) / done
                    if projected > job.max_bytes:
                        status[live] = OUT_OF_MEMORY
                        break
            # aim each chunk at CHUNK_SECONDS (the first call includes compilation: never shrink on it)
            if elapsed > 0:
                target = budget * CHUNK_SECONDS / elapsed
                if first:
                    target = max(target, budget)
                budget = int(min(max(target, budget / 4, 1), budget * 8, 1 << 40))
            first = False
    return buf
