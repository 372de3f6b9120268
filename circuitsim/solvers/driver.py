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

from ..errors import ParameterError

__all__ = ["run_loop", "interrupt_guard", "progress_reporter"]

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


#: seconds a first call may take before the user is told it is compiling
COMPILE_NOTICE_AFTER = 2.0


@contextlib.contextmanager
def compile_notice(first: bool):
    """On a first call that takes long, say once on stderr that kernels are compiling (not hanging)."""
    if not first:
        yield
        return
    import sys

    def say():
        sys.stderr.write("circuitsim: compiling the simulation kernels for this model and solver (first run only; "
                         "cached for later runs; circuitsim.precompile() does it ahead of time)...\n")
        sys.stderr.flush()

    timer = threading.Timer(COMPILE_NOTICE_AFTER, say)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


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

    import numba

    # each pool thread is one worker: the parallel loops of large vector fields inside it stay on one thread
    with ThreadPoolExecutor(workers, initializer=numba.set_num_threads, initargs=(1,)) as pool:
        yield pool


def _groups(B, threads, block):
    """Member ranges run as one task: several per thread (uneven members balance out), whole blocks."""
    if threads <= 1 or B <= 1:
        return [(0, B)]
    if block == 0:          # one group per thread (each issues its own matrix products)
        n = min(B, threads)
    else:
        n = max(1, min(4 * threads, B // block))
    edges = np.linspace(0, B, n + 1)
    if block > 1:
        edges = np.minimum(np.round(edges / block) * block, B)
        edges[-1] = B
    edges = np.unique(edges.round().astype(int))
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _capacities(job, expected_steps):
    rec = job.rec
    guess = expected_steps if expected_steps is not None else 256
    cap_out = len(rec.saveat) if rec.use_saveat else guess // rec.every + 2
    cap_dense = guess if rec.dense else 0
    return cap_out, cap_dense


def _used_bytes(buf, rec) -> float:
    n_rec = buf.out_y.shape[2]
    _, _, K, width = buf.dense_c.shape
    out = 0.0 if rec.use_saveat else float(buf.n_out.sum()) * 8.0 * (n_rec + 1)
    return out + float(buf.n_dense.sum()) * 8.0 * (K * width + 1)


def run_loop(job, S, k_rows: int, expected_steps, *, kernel=None, P=None, dense_width=None, block=1):
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
    kernel : compiled function, optional
        The loop: :func:`~circuitsim._kernels.loop.run_members` (default) or, for
        sequence models, :func:`~circuitsim._kernels.loop.run_blocks`.
    P : kernel parameters, optional
        Instead of ``job.P``.
    dense_width : int, optional
        Columns of the dense output (default: the recorded entries).
    block : int
        Members a task must keep together (0: split the batch once per thread).

    Returns
    -------
    Buffers
        ``buf.status`` holds each member's :class:`~circuitsim.solvers.base.Status`.
    """
    from .._kernels.buffers import FULL, INTERRUPTED, OUT_OF_MEMORY, RUNNING, grow, new_buffers
    from .._kernels.loop import run_members

    run = run_members if kernel is None else kernel
    P = job.P if P is None else P
    rec = job.rec
    t0, t1 = job.t_span
    cap_out, cap_dense = _capacities(job, expected_steps)
    stream = job.stream  # circuitsim.store.Stream: output written to disk between chunks, checkpoints
    if stream is not None:
        cap_out, cap_dense = stream.capacities(cap_out, cap_dense)
    buf = new_buffers(job.y0, job.n_rec, cap_out, cap_dense, k_rows, t0 if job.t_start is None else job.t_start,
                      dense_width, t1 if job.t_stop is None else job.t_stop)
    if stream is not None:
        buf = stream.start(buf)  # resumed from a checkpoint, or as made
        rec = stream.recording(rec)
    budget = 64 if expected_steps is None else int(min(max(expected_steps, 1), 64))
    first = True
    started = time.perf_counter()
    B = buf.y.shape[0]
    groups = _groups(B, _n_threads(), block)
    workers = len(groups) if len(groups) > 1 else 1
    with interrupt_guard() as flag, _pool(min(workers, _n_threads())) as pool:
        while True:
            tic = time.perf_counter()
            with compile_notice(first):
                if pool is None:
                    run(P, S, job.table, rec, buf, budget, 0, B)
                else:
                    args = (P, S, job.table, rec, buf, budget)
                    list(pool.map(lambda g: run(*args, g[0], g[1]), groups))
            elapsed = time.perf_counter() - tic
            status = buf.status
            live = (status == RUNNING) | (status == FULL)
            if flag.set:
                status[live] = INTERRUPTED
                break
            if stream is not None:
                stream.after_chunk(buf)
                rec = stream.recording(rec)  # saveat from the first sample not yet written
            if job.progress is not None:
                job.progress(float(np.min(buf.t) - t0) / (t1 - t0))
            if not live.any():
                break
            if (status == FULL).any():
                cap_out = buf.out_t.shape[1] if rec.use_saveat and stream is None else 2 * buf.out_t.shape[1]
                cap_dense = 2 * buf.dense_c.shape[1] if rec.dense else 0
                n_rec, width = buf.out_y.shape[2], buf.dense_c.shape[3]
                nbytes = 8.0 * buf.y.shape[0] * (cap_out * (n_rec + 1) + cap_dense * (k_rows * width + 1))
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


class progress_reporter:
    """A progress callback for the time loop: a tqdm bar shown after one second, or the user's callable."""

    def __init__(self, progress):
        if not (progress is True or progress is False or progress is None or callable(progress)):
            raise ParameterError(f"progress must be True, False or a callable, got {progress!r}")
        self.user = progress if callable(progress) and progress is not True else None
        self.enabled = progress is True
        self.bar = None
        self.start = None

    def __enter__(self):
        if self.user is None and not self.enabled:
            return None
        import time

        self.start = time.perf_counter()
        return self

    def __call__(self, fraction: float) -> None:
        if self.user is not None:
            self.user(fraction)
            return
        import time

        if self.bar is None and time.perf_counter() - self.start > 1.0:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=1000, unit="‰", desc="simulating", leave=False)
        if self.bar is not None:
            self.bar.n = int(1000 * min(max(fraction, 0.0), 1.0))
            self.bar.refresh()

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False
