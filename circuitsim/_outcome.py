"""From the time loop's buffers to a :class:`~circuitsim.Result`, or to the named error of its status."""

from __future__ import annotations

import numpy as np

from . import errors
from .result import DenseOutput, Result
from .solvers.base import Status

__all__ = ["make_result", "raise_for_status"]


def _first(a, k):
    """``a[:, :k]`` as its own array (`a` itself when that is all of it: buffers are not reused)."""
    return a if a.shape[1] == k else a[:, :k].copy()


def make_result(job, buf, solver, variables, neurons, drives, batched):
    """The :class:`Result` of a run: samples, dense output, statistics, the circuit."""
    from ._kernels.buffers import ACCEPTED, FACTORISATIONS, LINEAR_SOLVES, REJECTED, RETRIES, RHS_CALLS

    n_t = int(buf.n_out.min())
    t = buf.out_t[:, :n_t]
    # members share their sample times unless a sequence gives each its own
    t = t[0].copy() if (t == t[:1]).all() else t.copy()
    y = buf.out_y[:, :n_t].copy()
    t_end = float(buf.t.min())
    dense = None
    if job.rec.dense:
        S = int(buf.n_dense.max())
        if getattr(solver, "sequence", False):
            dense = DenseOutput(_first(buf.dense_t, S + 1), _first(buf.dense_c, S), buf.n_dense.copy(), kind="replay",
                                inputs=segment_inputs(job.table, job.batch_size, S),
                                columns=np.array(job.rec.rec_idx, dtype=np.int64))
        else:
            dense = DenseOutput(_first(buf.dense_t, S + 1), _first(buf.dense_c, S), buf.n_dense.copy())
    ref = job.circuits[0]
    units = {v: ref.model.units()[v] for v in variables}
    stats = {"steps": buf.stats[:, ACCEPTED].copy(), "rejected": buf.stats[:, REJECTED].copy(),
             "rhs_calls": buf.stats[:, RHS_CALLS].copy(), "linear_iterations": buf.stats[:, LINEAR_SOLVES].copy(),
             "factorisations": buf.stats[:, FACTORISATIONS].copy(), "retries": buf.stats[:, RETRIES].copy()}
    meta = {"model": ref.model.name, "solver": solver.describe(), "wiring": ref.wiring.name,
            "all_neurons": list(ref.wiring.neurons), "input_units": ref.model.input_units}
    stimuli = [d.describe() for d in drives]
    if not batched:
        y = y[0]
    return Result(t=t, y=y, variables=variables, neurons=neurons, units=units, t_span=job.t_span, t_end=t_end,
                  dense=dense, stats=stats, stimuli=stimuli, meta=meta, batched=batched, wiring=ref.wiring,
                  circuit=ref if job.shared else None)


def segment_inputs(table, B: int, S: int) -> np.ndarray:
    """The input held over each of the first `S` segments of every member (B, S, n_in).

    For sample-held drives (one constant value per segment, checked by
    :func:`check_sample_drive`) it is the value at the segment's first knot.
    """
    out = np.zeros((B, S, table.values.shape[1]))
    for b in range(B):
        first = table.break_ptr[b] + b
        k = min(S, table.break_ptr[b + 1] - table.break_ptr[b] + 1)
        out[b, :k] = table.values[table.seg_lo[first:first + k]]
    return out


def check_sample_drive(table, B: int) -> None:
    """Sequence solvers need one constant input per segment and the same number of samples in every member."""
    from .errors import InputError

    counts = np.diff(table.break_ptr)
    if B > 1 and not (counts == counts[0]).all():
        raise InputError(f"sequence solvers advance every batch member sample by sample: all members need the same "
                         f"number of samples, got {sorted(set((counts + 1).tolist()))}")
    lo, hi = table.seg_lo, table.seg_hi
    changing = bool((table.values[lo] != table.values[hi]).any())
    long = np.flatnonzero(hi - lo > 1)                     # segments with inner knots (not held sequences)
    for s in long:
        changing = changing or not (table.values[lo[s]:hi[s] + 1] == table.values[lo[s]]).all()
    if changing:
        raise InputError("sequence solvers hold one input value over each sample interval; the drive changes inside "
                         "an interval (use inputs.samples(..., interpolation='next'), constants, steps or pulses)")


_STATUS_ERRORS = {
    Status.STEP_TOO_SMALL: (errors.StepSizeError, "the step size fell below round-off (the problem may be stiff "
                            "or singular; try a stiff solver)"),
    Status.MAX_STEPS: (errors.MaxStepsError, "the step budget max_steps was exhausted (raise max_steps or use a "
                       "stiff solver)"),
    Status.SINGULAR: (errors.SingularMatrixError, "the linear system of the stiff solver could not be factorised "
                      "(singular) even with smaller steps; check the parameters"),
}


def raise_for_status(buf, result, ref, batched, max_bytes):
    status = buf.status
    if (status == Status.DONE).all():
        return
    b = int(np.flatnonzero(status != Status.DONE)[0])
    where = f" in batch member {b}" if batched else ""
    code = Status(int(status[b]))
    t = float(buf.t[b])
    if code == Status.DIVERGED:
        blamed = np.flatnonzero((status == Status.DIVERGED) & (buf.fail_i >= 0))
        bd = int(blamed[0]) if len(blamed) else b
        i = int(buf.fail_i[bd])
        n = ref.n
        raise errors.DivergenceError(float(buf.fail_t[bd]), ref.wiring.neurons[i % n], ref.model.state_names[i // n],
                                     result=result, member=bd if batched else None)
    if code == Status.INTERRUPTED:
        t = float(buf.t.min())
        raise errors.Interrupted(f"interrupted at t = {t:.6g} ms (of {result.t_span[1]:g} ms); the partial result "
                                 "is in .result", result=result, time=t)
    if code == Status.OUT_OF_MEMORY:
        raise errors.MemoryLimitError(
            f"integration stopped at t = {t:.6g} ms{where}: the stored output would exceed max_bytes={max_bytes:g} "
            "before the end of the span; record fewer neurons or variables, use saveat= or every=, pass dense=False, "
            "or raise max_bytes; the partial result is in .result", result=result, time=t)
    cls, why = _STATUS_ERRORS.get(code, (errors.SolverError, f"the solver stopped with status {code.name}"))
    raise cls(f"integration stopped at t = {t:.6g} ms{where}: {why}; the partial result is in .result",
              result=result, time=t)


