"""The driver: validate, prepare kernel arrays, run a solver, wrap the :class:`Result`.

Everything is checked here, in Python, before any compiled code runs.
"""

from __future__ import annotations

import math

import numpy as np

from .circuit import Circuit
from .errors import ParameterError, UnknownNeuronError
from .inputs import as_drive, build_table
from ._outcome import check_sample_drive, make_result, raise_for_status
from .result import Result
from .solvers.base import Job, get_solver
from .solvers.driver import progress_reporter

__all__ = ["simulate", "simulate_batch"]

#: refuse runs whose stored output would exceed this many bytes (override with max_bytes=)
DEFAULT_MAX_BYTES = 4e9


def _check_span(t_span, time_units="ms"):
    from .units import as_time, check_duration

    if isinstance(t_span, str) or np.ndim(t_span) == 0:
        t_span = (0.0, t_span)
    if isinstance(t_span, (list, tuple)):
        try:
            t_span = tuple(as_time(v, "t_span") for v in t_span)
        except ParameterError as err:
            raise ParameterError(f"t_span must be (t0, t1) in ms or a duration: {err}") from None
    try:
        t0, t1 = (float(x) for x in t_span)
    except (TypeError, ValueError):
        raise ParameterError(f"t_span must be (t0, t1) in ms or a duration, got {t_span!r}") from None
    if not (math.isfinite(t0) and math.isfinite(t1)):
        raise ParameterError(f"t_span must be finite, got ({t0}, {t1})")
    if t1 <= t0:
        raise ParameterError(f"t_span must be increasing with positive length, got ({t0:g}, {t1:g}) ms; "
                             "did you mean (t1, t0)?" if t1 < t0 else
                             f"t_span must have positive length, got ({t0:g}, {t1:g}) ms")
    if time_units == "ms":
        check_duration(t0, t1)
    return t0, t1


def _record_index(circuit, record, variables):
    model, wiring = circuit.model, circuit.wiring
    if variables is None:
        variables = model.state_names
    elif isinstance(variables, str):
        variables = (variables,)
    variables = tuple(variables)
    for v in variables:
        if v not in model.state_names:
            raise ParameterError(f"unknown state variable {v!r} for {type(model).__name__}; "
                                 f"it has {model.state_names}")
    if len(set(variables)) != len(variables) or not variables:
        raise ParameterError(f"variables must be distinct and non-empty, got {variables}")
    if record is None:
        nidx = np.arange(wiring.n)
    else:
        names = (record,) if isinstance(record, str) else tuple(record)
        if not names:
            raise ParameterError("record must name at least one neuron (or be None for all)")
        from connectome.errors import DuplicateNameError, UnknownNeuronError as _Unknown
        from connectome.select import resolve

        try:  # neurons or classes ("AVA" is AVAL and AVAR), each once
            nidx = wiring.index_of(resolve(wiring, names, what="record", duplicates="error")).astype(np.int64)
        except _Unknown as err:
            raise UnknownNeuronError(getattr(err, "name", names[0]), wiring.neurons, where="record") from None
        except DuplicateNameError as err:
            raise ParameterError(f"record lists a neuron twice: {err}") from None
    n = wiring.n
    rec_idx = np.concatenate([model.state_names.index(v) * n + nidx for v in variables]).astype(np.int64)
    if hasattr(model, "extra_record"):  # e.g. plastic weights, after the neuron columns
        rec_idx = np.concatenate([rec_idx, model.extra_record()]).astype(np.int64)
    return rec_idx, variables, tuple(wiring.neurons[i] for i in nidx)


def _check_saveat(saveat, t0, t1):
    if saveat is None:
        return None
    s = np.array(saveat, dtype=np.float64).reshape(-1) if np.ndim(saveat) == 0 else np.asarray(saveat, float)
    if s.ndim != 1 or len(s) == 0:
        raise ParameterError(f"saveat must be a non-empty 1-d array of times, got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ParameterError("saveat must be finite")
    if len(s) > 1 and not (np.diff(s) > 0).all():
        raise ParameterError("saveat must be strictly increasing")
    if s[0] < t0 or s[-1] > t1:
        bad = s[(s < t0) | (s > t1)][0]
        raise ParameterError(f"saveat time {bad:g} ms is outside the simulated span [{t0:g}, {t1:g}] ms")
    return np.array(s, dtype=np.float64)  # a fresh writable copy


def _check_every(every):
    if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
        raise ParameterError(f"every must be a positive integer (record every k-th step), got {every!r}")
    return int(every)


def simulate(circuit, t_span, inputs=None, solver=None, *, record=None, variables=None, every=1, saveat=None,
             dense=True, y0=None, max_bytes=DEFAULT_MAX_BYTES, progress=False, store=None, resume=False) -> Result:
    """Integrate a circuit over `t_span`.

    Parameters
    ----------
    circuit : Circuit
    t_span : (float, float) or float
        Start and end time (ms), or a duration from 0; strings with units are accepted
        (``"10 s"``). Spans shorter than 1 ms warn (:class:`~circuitsim.units.UnitWarning`).
    inputs : Stimulus, Drive, list of stimuli or None
        External drive (model input units, e.g. pA). Default: the circuit's own drive
        (``circuit.drive``). Inputs that differ from a circuit's own drive run with a
        :class:`~circuitsim.errors.DriveWarning` (its parameters were derived from its own
        drive); ``circuit.with_drive(...)`` changes the drive consistently.
    solver : Solver or str, optional
        ``Euler(dt)``, ``RK4(dt)``, ``Dopri5(rtol, atol)`` or another solver. Default:
        chosen by model and size (:func:`circuitsim.solvers.auto.choose_solver`): the
        model's :meth:`~circuitsim.models.base.Model.default_solver` (else ``Dopri5()``),
        and for large graded networks ``IMEX()`` or ``ETD2()``; the choice and its reason
        are in ``result.meta["solver"]`` and ``result.meta["solver_choice"]``.
    record : sequence of str, optional
        Neurons to record (default all), in the order given.
    variables : sequence of str, optional
        State variables to record (default all).
    every : int
        Record every k-th step (plus the first and last sample). Ignored with `saveat`.
    saveat : array_like, optional
        Record exactly at these times (ms, increasing, inside the span) using the
        solver's continuous extension.
    dense : bool
        Store the continuous extension of every step (needed for :meth:`Result.at`).
    y0 : array_like (n_state,), optional
        Initial state overriding ``circuit.y0``.
    max_bytes : float
        Largest stored output (bytes): runs whose output size is known in advance
        and exceeds it are refused before they start (:class:`ParameterError`); other
        runs stop with :class:`~circuitsim.MemoryLimitError` (keeping the partial
        result) as soon as their output, at the rate stored so far, would exceed it.
    store : str, os.PathLike or ZarrStore, optional
        Stream the recorded samples and dense output to this zarr store while the run
        goes (memory about two zarr chunks), with checkpoints; returns a
        :class:`~circuitsim.store.StoredResult` read lazily from the store (needs the
        ``scale`` extra). See :mod:`circuitsim.store`.
    resume : bool
        With `store`: carry on the run from the store's last checkpoint (bit for bit
        the run without interruption), or return its result if it is complete.

    Returns
    -------
    Result

    Raises
    ------
    ParameterError, InputError, UnknownNeuronError
        Invalid arguments (before any compiled code runs).
    DivergenceError
        A state became non-finite; ``err.result`` holds the partial result.
    SolverError
        The run could not finish: :class:`~circuitsim.StepSizeError`,
        :class:`~circuitsim.MaxStepsError`, :class:`~circuitsim.SingularMatrixError`,
        :class:`~circuitsim.MemoryLimitError` (each with ``.result``).
    Interrupted
        Ctrl-C (SIGINT) during the run; ``.result`` holds the partial result.
    """
    if not isinstance(circuit, Circuit):
        raise ParameterError(f"circuit must be a Circuit, got {type(circuit).__name__}")
    y0s = None if y0 is None else [y0]
    return _run([circuit], t_span, [inputs], solver, y0s, record, variables, every, saveat, dense, max_bytes,
                batched=False, progress=progress, store=store, resume=resume)


def simulate_batch(circuits, t_span, inputs=None, solver=None, *, y0=None, record=None, variables=None, every=1,
                   saveat=None, dense=True, max_bytes=DEFAULT_MAX_BYTES, progress=False, client=None,
                   store=None) -> Result:
    """Integrate many variants of a circuit in one compiled call (parallel over members).

    Parameters
    ----------
    circuits : Circuit, sequence of Circuit or Sweep
        One circuit shared by every member, or one per member (same neurons and
        model; parameters may differ), or a :func:`~circuitsim.sweep` (members are
        then labelled by the swept values, e.g. in :meth:`Result.to_xarray`).
    inputs : Stimulus, Drive or list, optional
        A stimulus or :class:`~circuitsim.inputs.Drive` shared by every member, or a
        list with one entry per member (each a stimulus, drive, list of stimuli or
        None). Combine stimuli with ``+`` to share several.
    y0 : array_like (B, n_state), optional
        Initial states per member (default: each circuit's ``y0``).
    client : dask.distributed.Client, optional
        Run every member as a task of its own on this cluster (``scale`` extra); see
        :mod:`circuitsim.distributed`. A failed member raises
        :class:`~circuitsim.errors.BatchMemberError` naming its parameters after the
        others have run (their results in ``.result``).
    store : str or os.PathLike, optional
        Directory keeping each finished member's result: a rerun skips them. With or
        without `client` (without: members run one after the other in this process).
    Other parameters as :func:`simulate`.

    Returns
    -------
    Result
        With a leading batch axis ``B`` (the longest of the per-member arguments;
        length-1 arguments are broadcast). Batched runs share their sample times:
        adaptive solvers, or drives with different jump times, need `saveat`.
    """
    from .sweep import Sweep

    labels = None
    if isinstance(circuits, Sweep):
        labels = {"name": circuits.name, "values": circuits.values.tolist()}
    circuits = [circuits] if isinstance(circuits, Circuit) else list(circuits)
    if not circuits or not all(isinstance(c, Circuit) for c in circuits):
        raise ParameterError("circuits must be a Circuit or a non-empty sequence of Circuit")
    if not isinstance(inputs, (list, tuple)) or not inputs:
        inputs = [inputs]  # one drive shared by every member
    if y0 is not None:
        y0 = np.asarray(y0, dtype=np.float64)
        if y0.ndim != 2:
            raise ParameterError(f"y0 for a batch must have shape (B, n_state), got {y0.shape}")
        y0 = list(y0)
    if client is not None or store is not None:
        from .distributed import run_batch

        options = dict(record=record, variables=variables, every=every, saveat=saveat, dense=dense, max_bytes=max_bytes)
        return run_batch(circuits, t_span, list(inputs), solver, y0, labels, client=client, store=store,
                         options=options)
    groups = _kernel_groups(circuits)
    if len(groups) > 1:  # members whose compiled kernels differ (e.g. different learning rules): one run per kind
        result = _run_groups(groups, circuits, t_span, list(inputs), solver, y0, record, variables, every, saveat,
                             dense, max_bytes, progress)
    else:
        result = _run(circuits, t_span, list(inputs), solver, y0, record, variables, every, saveat, dense, max_bytes,
                      batched=True, progress=progress)
    if labels is not None:
        result.meta["batch"] = labels
    return result


def _kernel_groups(circuits) -> list:
    """Member positions grouped by the kind of compiled kernel they need, in order of first appearance.

    A model may name that kind with ``batch_key()`` (a plastic circuit: its rule's type);
    members of one group share one compiled call, different groups run one after the other.
    """
    groups: dict = {}
    for b, c in enumerate(circuits):
        key = c.model.batch_key() if hasattr(c.model, "batch_key") else None
        groups.setdefault(key, []).append(b)
    return list(groups.values())


def _run_groups(groups, circuits, t_span, inputs, solver, y0, record, variables, every, saveat, dense, max_bytes,
                progress):
    """A batch whose members need different compiled kernels: run each group, reassemble in member order."""
    from .distributed import stack_results

    B = len(circuits)
    if len(inputs) not in (1, B) or (y0 is not None and len(y0) not in (1, B)):
        n_in = len(inputs) if len(inputs) not in (1, B) else len(y0)
        raise ParameterError(f"the batch arguments disagree: {B} circuits and {n_in} inputs or initial states; "
                             "give each either once (shared by every member) or once per member")
    inputs = _broadcast("inputs", inputs, B)
    y0 = None if y0 is None else _broadcast("y0", y0, B)
    models = [c.model for c in circuits]
    # e.g. each member's learning rule; checked before anything runs
    meta = models[0].batch_meta(models) if hasattr(models[0], "batch_meta") else {}
    members: list = [None] * B
    for idx in groups:
        sub = _run([circuits[b] for b in idx], t_span, [inputs[b] for b in idx], solver,
                   None if y0 is None else [y0[b] for b in idx], record, variables, every, saveat, dense, max_bytes,
                   batched=True, progress=progress)
        for k, b in enumerate(idx):
            members[b] = sub.member(k)
    widths = {m.y.shape[-1] for m in members}
    if len(widths) > 1:
        raise ParameterError("batch members record different columns (e.g. rules with different traces); record "
                             "the same variables in every member, or run the members in separate batches")
    result = stack_results(members)
    result.meta.update(meta)
    return result


def _broadcast(name, items, B):
    if len(items) == B:
        return items
    if len(items) == 1:
        return items * B
    raise ParameterError(f"{name} has {len(items)} entries; expected 1 or the batch size {B}")


def _run(circuits, t_span, inputs, solver, y0s, record, variables, every, saveat, dense, max_bytes, batched,
         progress=False, t_start=None, t_stop=None, table=None, store=None, resume=False):
    from ._kernels.buffers import Recording

    t0, t1 = _check_span(t_span, circuits[0].model.time_units if circuits else "ms")
    choice = None
    if solver is None:
        from .solvers.auto import choose_solver

        solver, choice = choose_solver(circuits[0])
    solver = get_solver(solver)
    every = _check_every(every)
    saveat = _check_saveat(saveat, t0, t1)
    B = max(len(circuits), len(inputs), len(y0s) if y0s is not None else 1)
    sizes = {"circuits": len(circuits), "inputs": len(inputs), "y0": len(y0s) if y0s is not None else 1}
    uneven = {k: v for k, v in sizes.items() if v not in (1, B)}
    if uneven or len({v for v in sizes.values() if v != 1}) > 1:
        parts = ", ".join(f"{v} {k}" for k, v in sizes.items() if v != 1)
        raise ParameterError(f"the batch arguments disagree: {parts}; give each either once (shared by every member) "
                             "or once per member")
    circuits = _broadcast("circuits", circuits, B)
    inputs = _broadcast("inputs", inputs, B)
    ref = circuits[0]
    for c in circuits[1:]:
        if c is not ref and (type(c.model) is not type(ref.model) or c.wiring.neurons != ref.wiring.neurons):
            raise ParameterError("all circuits of a batch must have the same model and the same neurons")
    y0 = np.stack([c.y0 for c in circuits]) if y0s is None else np.stack(
        [ref._check_state(v, "y0") for v in _broadcast("y0", list(y0s), B)])
    solver.check(ref, (t0, t1))
    rec_idx, variables, neurons = _record_index(ref, record, variables)
    if table is None:
        drives = [_drive_of(c, d) for c, d in zip(circuits, inputs)]
        channels = ref.model.input_names(ref.wiring)
        spans = (t0, t1) if t_start is None else np.column_stack([t_start, t_stop])
        table = kernel_ready(build_table(drives, channels, ref.wiring, spans))
    else:  # a held-sample table built by the caller (sequence models); `inputs` describe it
        drives = inputs
    breaks = [table.breaks[table.break_ptr[b]:table.break_ptr[b + 1]] for b in range(B)]
    sequence = getattr(solver, "sequence", False)
    if sequence:
        if drives is not inputs:  # tables of held sequences are made one value per segment
            check_sample_drive(table, B)
    elif batched and saveat is None and B > 1:
        same = all(len(x) == len(breaks[0]) and np.array_equal(x, breaks[0]) for x in breaks)
        if not (solver.fixed_step and same):
            raise ParameterError("batched runs share their sample times: with an adaptive solver or drives with "
                                 "different jump times, pass saveat=<times>")
    # sequence models record at their samples; other times come from replaying their step (dense output)
    on_grid = sequence and saveat is not None
    rec = kernel_ready(Recording(t0, t1, rec_idx, 1 if on_grid else every,
                                 saveat if saveat is not None and not on_grid else np.zeros(0),
                                 saveat is not None and not on_grid, bool(dense) or on_grid))
    max_bytes = _check_max_bytes(max_bytes)
    job = Job(circuits, None, table, breaks, y0, rec, (t0, t1), max_bytes, t_start=t_start, t_stop=t_stop)
    if store is None:  # a stored run keeps its output on disk
        _check_known_size(job, solver, saveat, dense, every)
    if any(c.neuron_order is not None for c in circuits):
        _to_internal_order(job)
    job.P = _kernel_params(job.solver_circuits)
    if store is not None:
        from .store import open_stream

        job.stream = open_stream(store, resume, job, solver, variables, neurons, drives, batched, sequence)
        if not hasattr(job.stream, "finish"):  # resume=True found the run complete
            return job.stream
    with progress_reporter(progress) as job.progress:
        buf = solver.integrate(job)
    if job.stream is not None:
        return job.stream.finish(buf, job, solver, ref, batched, max_bytes)
    result = make_result(job, buf, solver, variables, neurons, drives, batched)
    if choice is not None:
        result.meta["solver_choice"] = choice
    if ref.neuron_order is not None:
        result.meta["reordered"] = True
    if hasattr(ref.model, "result_meta"):
        result.meta.update(ref.model.result_meta())
    raise_for_status(buf, result, ref, batched, max_bytes)
    if on_grid:
        result = result.resampled(saveat, dense=bool(dense))
    return result


def _drive_of(circuit, inputs):
    """The drive a member runs with: `inputs` if given, else the circuit's own drive.

    A circuit that carries a drive (e.g. built by :func:`~circuitsim.kunert2014` with a
    stimulus) may have parameters derived from it (the graded network's thresholds).
    Inputs that put a different input into the circuit than its own drive run, with a
    :class:`~circuitsim.errors.DriveWarning` (never a silent mismatch); ``circuit.with_drive``
    changes the drive consistently.
    """
    if inputs is None:
        return as_drive(circuit.drive)
    drive = as_drive(inputs)
    drive.check_channels(circuit.model.input_names(circuit.wiring), circuit.wiring, circuit.model.input_units)
    if circuit.drive is not None and not _same_input(drive, circuit.drive, circuit):
        import warnings

        from .errors import DriveWarning

        warnings.warn("this circuit carries its own drive and the inputs given differ from it; the run uses the "
                      "inputs given, but parameters derived from the circuit's drive (e.g. the graded network's "
                      "thresholds) are not recomputed: use circuit.with_drive(new) to change the drive consistently, "
                      "or simulate(circuit, t_span) to run the circuit's own", DriveWarning, stacklevel=4)
    return drive


def _same_input(a, b, circuit) -> bool:
    """Whether two drives put the same input into every channel at every time (not only the same description)."""
    import json

    if json.dumps(a.describe()) == json.dumps(b.describe()):
        return True
    channels = circuit.model.input_names(circuit.wiring)
    try:
        ta = a._table(channels, circuit.wiring, (-np.inf, np.inf))
        tb = b._table(channels, circuit.wiring, (-np.inf, np.inf))
    except Exception:  # noqa: BLE001 - not comparable: treat as different
        return False
    return all(np.array_equal(x, y) for x, y in zip(ta, tb))


def _check_max_bytes(max_bytes) -> float:
    try:
        v = float(max_bytes)
    except (TypeError, ValueError):
        raise ParameterError(f"max_bytes must be a number of bytes, got {max_bytes!r}") from None
    if not v > 0:
        raise ParameterError(f"max_bytes must be positive, got {max_bytes!r}")
    return v


def _check_known_size(job, solver, saveat, dense, every):
    """Refuse, before any compiled code runs, runs whose output size is known to exceed the limit."""
    steps = solver.expected_steps(job)
    n_rec = job.n_rec
    samples = len(saveat) if saveat is not None else (steps / every if steps is not None else 0)
    width = job.y0.shape[1] if getattr(solver, "sequence", False) else n_rec
    per_step = solver.dense_rows * width + 1 if dense else 0
    nbytes = 8.0 * job.batch_size * ((n_rec + 1) * samples + (steps or 0) * per_step)
    if nbytes > job.max_bytes:
        raise ParameterError(
            f"this run would store {nbytes / 1e9:.3g} GB (max_bytes={job.max_bytes:g}); record fewer neurons "
            "(record=), variables (variables=), a coarser grid (every=, saveat=), pass dense=False, or raise max_bytes")


def kernel_ready(nt):
    """`nt` (a NamedTuple) with every array field C-contiguous and writable, nested NamedTuples too.

    numba compiles a separate specialization for read-only or non-contiguous
    arrays; normalising here keeps one signature per model and solver.
    """
    def fix(f):
        if isinstance(f, np.ndarray):
            return np.require(f, requirements=["C", "W"])
        if isinstance(f, tuple) and hasattr(f, "_fields"):
            return kernel_ready(f)
        return f

    return type(nt)(*[fix(f) for f in nt])


def _to_internal_order(job):
    """Put a reordered run's initial states, recorded entries and input columns in the internal neuron order.

    The recorded entries map each user-order column to its internal position, so the
    samples and dense output the loop writes come out in the user's order.
    """
    from .reorder import InternalCircuit

    ref = job.circuits[0]
    for c in job.circuits:
        if c is not ref and (ref.neuron_order is None or c.neuron_order is None
                             or not np.array_equal(c.neuron_order, ref.neuron_order)):
            raise ParameterError("the circuits of a batch must share their neuron order: give them the same "
                                 "reorder= option")
    views = {}
    for c in job.circuits:
        if id(c) not in views:
            views[id(c)] = InternalCircuit(c)
    job.internal = [views[id(c)] for c in job.circuits]
    perm = job.internal[0].state_perm
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.shape[0])
    job.y0 = np.ascontiguousarray(job.y0[:, perm])
    job.rec = job.rec._replace(rec_idx=np.ascontiguousarray(inv[job.rec.rec_idx]))
    if tuple(ref.model.input_names(ref.wiring)) == tuple(ref.wiring.neurons):  # one input column per neuron
        job.table = job.table._replace(values=np.ascontiguousarray(job.table.values[:, ref.neuron_order]))


def _kernel_params(circuits):
    first = circuits[0]
    if all(c is first for c in circuits) and not getattr(first.model, "mutates_params", False):
        return kernel_ready(first.kernel_params(copy=False))  # read only: no copy of the network's arrays
    from numba import typed

    return typed.List([kernel_ready(c.kernel_params()) for c in circuits])


