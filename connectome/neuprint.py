"""neuPrint exports (hemibrain, MANC...) as a :class:`~connectome.Wiring`.

Format: the "compact data model" of the hemibrain release v1.2 (Scheffer et al.
2020, eLife 9:e57443; files written by neuprint-python's
``fetch_traced_adjacencies``):

``traced-neurons.csv``
    ``bodyId,type,instance``: one row per traced neuron (int64 body id, cell
    type, instance name; type and instance may be empty).
``traced-total-connections.csv``
    ``bodyId_pre,bodyId_post,weight``: one row per connected pair, ``weight``
    the synapse count summed over regions.

The files carry no neurotransmitter, so every synapse is excitatory unless
`neuron_signs` says otherwise (a mapping or callable giving each presynaptic
neuron a sign: Dale's law).
"""

from __future__ import annotations

import numpy as np

from .errors import DuplicateConnectionError, EdgeTableError
from .readers import assemble, check_counts, describe, label_of, positions, read_table

__all__ = ["read_neuprint", "NEUPRINT_NEURON_COLUMNS", "NEUPRINT_CONNECTION_COLUMNS"]

NEUPRINT_NEURON_COLUMNS = ("bodyId", "type", "instance")
NEUPRINT_CONNECTION_COLUMNS = ("bodyId_pre", "bodyId_post", "weight")


def read_neuprint(neurons, connections, *, neuron_signs=None, min_weight: float = 1, name: str = "neuprint"):
    """Read ``traced-neurons.csv`` + ``traced-total-connections.csv`` into a Wiring.

    Parameters
    ----------
    neurons : str, os.PathLike or pandas.DataFrame
        ``traced-neurons.csv`` (``bodyId`` required; ``type``, ``instance``
        become metadata). Defines the neuron order.
    connections : str, os.PathLike or pandas.DataFrame
        ``traced-total-connections.csv``; each pair listed once.
    neuron_signs : mapping or callable, optional
        Sign (+1 / -1) of every synapse a neuron makes: a mapping from body id
        (int) to sign (absent ids excitatory), or ``f(neurons_table) -> array``
        with one sign per neuron row. Default: all excitatory.
    min_weight : float
        Drop connections with fewer synapses (hemibrain analyses often use 3 or 5).
    name : str

    Returns
    -------
    Wiring
        Names are the body ids as decimal strings; metadata ``type``, ``instance``.

    Raises
    ------
    MissingColumnsError, InvalidIdError, InvalidCountError, UnknownIdError, DuplicateConnectionError
        With the offending rows (``.rows``, indexed by file line).
    EdgeTableError
        Neuron signs other than +1 / -1.
    """
    from .wiring import Wiring

    table = read_table(neurons, ["bodyId"], optional=("type", "instance"), int_columns=("bodyId",),
                       what="neuPrint neurons")
    dup = table["bodyId"].duplicated(keep=False)
    if dup.any():
        raise DuplicateConnectionError("neuPrint neurons: body ids listed more than once", table[dup])
    conn = read_table(connections, NEUPRINT_CONNECTION_COLUMNS, int_columns=("bodyId_pre", "bodyId_post"),
                      what="neuPrint connections")
    label = label_of("neuPrint connections", connections)
    weight = check_counts(conn, "weight", label)
    pair = conn.duplicated(["bodyId_pre", "bodyId_post"], keep=False)
    if pair.any():
        raise DuplicateConnectionError(f"{label}: {int(pair.sum())} row(s) repeat a connected pair (total "
                                       "connections list each pair once)", conn[pair])
    order = table["bodyId"].to_numpy(np.int64)
    ids, pre, post = positions(conn["bodyId_pre"].to_numpy(np.int64), conn["bodyId_post"].to_numpy(np.int64),
                               order, conn, label)
    per_neuron = _neuron_signs(neuron_signs, table, order)
    keep = weight >= min_weight
    W, S = assemble(len(ids), pre[keep], post[keep], weight[keep], per_neuron[pre[keep]])
    names = [str(x) for x in ids]
    meta = table.drop(columns="bodyId")
    meta.index = names
    info = {"source": "neuprint", "neurons_file": describe(neurons), "connections_file": describe(connections),
            "min_weight": float(min_weight), "signed": neuron_signs is not None}
    return Wiring(names, W, S, None, metadata=meta, name=name, info=info)


def _neuron_signs(rule, table, order) -> np.ndarray:
    if rule is None:
        return np.ones(len(order))
    if callable(rule):
        values = np.asarray(rule(table), dtype=np.float64)
        if values.shape != (len(order),):
            raise EdgeTableError(f"neuron_signs must return one sign per neuron ({len(order)}), got shape "
                                 f"{values.shape}")
    else:
        lookup = {int(k): float(v) for k, v in dict(rule).items()}
        values = np.array([lookup.get(int(b), 1.0) for b in order])
    bad = ~np.isin(values, (-1.0, 1.0))
    if bad.any():
        raise EdgeTableError("neuron_signs must be +1 or -1 for every neuron", table[bad])
    return values
