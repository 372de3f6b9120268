"""Batches run member by member: on a :class:`dask.distributed.Client`, resumable, failures reported.

``simulate_batch(..., client=client)`` sends every member to the cluster as a task of its
own (a single :func:`~circuitsim.simulate` on a worker), and ``store=directory`` keeps
each finished member as ``member-<index>-<digest>.npz`` (:meth:`Result.save`), written by
the calling process as results arrive, so a rerun skips members already computed (the
digest covers the member's circuit, drive, initial state, solver and recording: a changed
member runs again). Members are independent, so the gathered batch is the same, bit for
bit, as the one computed in a single call.

A member that fails does not stop the others: once all have run,
:class:`~circuitsim.errors.BatchMemberError` lists each failure with the member's swept
parameters, and its ``.result`` is the batch of the members that succeeded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import traceback
from pathlib import Path

import numpy as np

from .errors import BatchMemberError, ParameterError

__all__ = ["run_batch", "stack_results"]


def _simulate_member(circuit, t_span, inputs, solver, y0, options):
    """One member, on a worker (also the unit counted when a rerun skips stored members)."""
    from .simulate import simulate

    return simulate(circuit, t_span, inputs, solver, y0=y0, **options)


def _task(circuit, t_span, inputs, solver, y0, options):
    """``("ok", result)`` or ``("error", description, traceback)``: a failure comes back as data."""
    try:
        return ("ok", _simulate_member(circuit, t_span, inputs, solver, y0, options))
    except Exception as err:  # noqa: BLE001 - reported with the member's parameters
        return ("error", f"{type(err).__name__}: {err}", traceback.format_exc())


def _digest(circuit, t_span, inputs, solver, y0, options) -> str:
    """What determines a member's result: kernel parameters, drive, start, span, solver, recording."""
    from .inputs import as_drive
    from .store import digest

    drive = as_drive(circuit.drive if inputs is None else inputs)
    return digest(circuit.kernel_params(), circuit.y0 if y0 is None else np.asarray(y0, float), circuit.model.name,
                  list(circuit.wiring.neurons), repr(t_span), None if drive is None else drive.describe(),
                  solver.describe(), {k: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
                                      for k, v in options.items()})[:16]


def _parameters(labels, b):
    if labels is None:
        return {"member": b}
    return {labels["name"]: labels["values"][b]}


def run_batch(circuits, t_span, inputs, solver, y0, labels, *, client=None, store=None, options=None):
    """Members of a batch one by one (on `client` when given), gathered into one batched result.

    Parameters
    ----------
    circuits, inputs : list
        One per member, or one shared (broadcast).
    y0 : list of arrays or None
    labels : dict or None
        ``{"name": swept quantity, "values": [...]}`` of a sweep.
    client : dask.distributed.Client, optional
    store : str or os.PathLike, optional
        Directory of per-member results (created): stored members are not run again.
    options : dict
        Keyword arguments of :func:`~circuitsim.simulate` (record, variables, every,
        saveat, dense, max_bytes).

    Returns
    -------
    Result
        Batched, labelled by `labels`.

    Raises
    ------
    BatchMemberError
        Some members failed (``.failures``, ``.result``).
    """
    from .result import Result
    from .simulate import _broadcast
    from .solvers.base import get_solver

    options = dict(options or {})
    B = max(len(circuits), len(inputs), len(y0) if y0 is not None else 1)
    circuits = _broadcast("circuits", list(circuits), B)
    inputs = _broadcast("inputs", list(inputs), B)
    y0 = [None] * B if y0 is None else _broadcast("y0", list(y0), B)
    if solver is None:  # the choice simulate() makes (by model and size)
        from .solvers.auto import choose_solver

        solver = choose_solver(circuits[0])[0]
    solver = get_solver(solver)
    if B > 1 and options.get("saveat") is None and not solver.fixed_step:
        raise ParameterError("batched runs share their sample times: with an adaptive solver, pass saveat=<times>")
    if client is not None and not hasattr(client, "submit"):
        raise ParameterError(f"client must be a dask.distributed.Client, got {type(client).__name__}")
    folder = None
    if store is not None:
        folder = Path(store)
        if folder.exists() and not folder.is_dir():
            raise ParameterError(f"store must be a directory of member results; {str(folder)!r} is a file")
        folder.mkdir(parents=True, exist_ok=True)
    args = [(circuits[b], t_span, inputs[b], solver, y0[b], options) for b in range(B)]
    files = {}
    for b in range(B if folder else 0):
        with contextlib.suppress(Exception):  # invalid member arguments: it runs (and fails) unstored
            files[b] = folder / f"member-{b:05d}-{_digest(*args[b])}.npz"
    results, failures = {}, []
    todo = []
    for b in range(B):
        if b in files and files[b].is_file():
            results[b] = Result.load(files[b])
        else:
            todo.append(b)

    def collect(b, outcome):
        if outcome[0] == "ok":
            results[b] = outcome[1]
            if folder is not None:
                outcome[1].save(files[b])
        else:
            failures.append({"member": b, "parameters": _parameters(labels, b), "error": outcome[1],
                             "traceback": outcome[2]})

    if client is None:
        for b in todo:
            collect(b, _task(*args[b]))
    elif todo:
        from .store import require

        distributed = require("distributed")
        futures = {client.submit(_task, *args[b], pure=False): b for b in todo}
        for fut in distributed.as_completed(list(futures)):
            collect(futures[fut], fut.result())
            fut.release()
    done = sorted(results)
    partial = None
    if done:
        keep = None if labels is None else {"name": labels["name"], "values": [labels["values"][b] for b in done]}
        if keep is None and failures:
            keep = {"name": "member", "values": done}
        shared = all(c is circuits[0] for c in circuits)
        partial = stack_results([results[b] for b in done], keep, circuit=circuits[0] if shared else None)
    if failures:
        failures.sort(key=lambda f: f["member"])
        lines = "; ".join(f"member {f['member']} ({', '.join(f'{k}={v!r}' for k, v in f['parameters'].items())}): "
                          f"{f['error']}" for f in failures)
        raise BatchMemberError(f"{len(failures)} of {B} batch members failed: {lines}; the other members' results "
                               "are in .result" + (f" (and stored in {str(folder)!r})" if folder else ""),
                               failures, partial)
    return partial


def stack_results(results, labels=None, circuit=None):
    """Single-run results of the members of a batch as one batched :class:`Result` (as a batch run makes it).

    Members must have the same number of samples; dense outputs are padded with zeros
    to the longest member (as in a batch run).
    """
    from .result import DenseOutput

    first = results[0]
    ts = [r.t for r in results]
    if any(len(t) != len(ts[0]) for t in ts):
        raise ParameterError("batch members have different numbers of samples: pass saveat=<times> so that they "
                             "share their sample times")
    t = ts[0] if all(np.array_equal(x, ts[0]) for x in ts) else np.stack(ts)
    dense = None
    if all(r.dense is not None for r in results):
        S = max(r.dense.coeffs.shape[1] for r in results)
        K, width = first.dense.coeffs.shape[2:]
        node_t = np.zeros((len(results), S + 1))
        coeffs = np.zeros((len(results), S, K, width))
        for b, r in enumerate(results):
            node_t[b, : r.dense.node_t.shape[1]] = r.dense.node_t[0]
            coeffs[b, : r.dense.coeffs.shape[1]] = r.dense.coeffs[0]
        dense = DenseOutput(node_t, coeffs, np.concatenate([r.dense.n_steps for r in results]))
    meta = dict(first.meta)
    if labels is not None:
        meta["batch"] = labels
    return dataclasses.replace(
        first, t=t, y=np.stack([r.y for r in results]), dense=dense, batched=True,
        t_end=min(r.t_end for r in results), stimuli=[r.stimuli[0] for r in results], meta=meta,
        stats={k: np.concatenate([r.stats[k] for r in results]) for k in first.stats}, circuit=circuit)
