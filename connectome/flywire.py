"""FlyWire / Codex connection tables (whole adult *Drosophila* brain) as a :class:`~connectome.Wiring`.

Format (the Codex download ``connections.csv.gz``, also ``connections_no_threshold``
and ``connections_princeton``; Dorkenwald et al. 2024, Nature 634:124; Schlegel et
al. 2024, Nature 634:139): one row per connected pair *and neuropil*::

    pre_root_id,post_root_id,neuropil,syn_count,nt_type
    720575940629970489,720575940631267655,AL_R,12,ACH

``pre_root_id`` / ``post_root_id`` are 18-digit int64 segment ids (read exactly,
never through float), ``neuropil`` a region name (``AL_R``, ``MB_CA_L``...),
``syn_count`` the synapse count in that neuropil and ``nt_type`` the predicted
neurotransmitter of the connection (Eckstein et al. 2024, Cell 187:2574): ``ACH``,
``GABA``, ``GLUT``, ``DA``, ``SER``, ``OCT``. The optional neuron table (Codex
``neurons.csv.gz`` or ``classification.csv.gz``) has a ``root_id`` column; its
other columns become the wiring's metadata.

Signs
-----
:data:`FLYWIRE_SIGNS` maps each transmitter to a sign: acetylcholine excitatory;
GABA and glutamate inhibitory (glutamate acts mainly through the GluCl chloride
channel in the fly brain: Liu & Wilson 2013, PNAS 110:10294), as in the
whole-brain model of Shiu et al. (2024, Nature 634:210). The modulatory
transmitters (dopamine, serotonin, octopamine) have no fast sign; they are
counted excitatory here, a modelling choice. Pass your own mapping (e.g.
``{**FLYWIRE_SIGNS, "DA": -1, "": 1}``; ``""`` is a missing ``nt_type``) to
change any of them; a transmitter the mapping lacks raises
:class:`~connectome.errors.UnknownTransmitterError`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import DuplicateConnectionError, WiringError
from .readers import assemble, check_counts, describe, label_of, positions, read_table, transmitter_signs

__all__ = ["FLYWIRE_SIGNS", "FLYWIRE_COLUMNS", "read_flywire"]

#: Sign of a synapse by the predicted transmitter of its connection (see the module docstring).
FLYWIRE_SIGNS = {"ACH": 1, "GABA": -1, "GLUT": -1, "DA": 1, "SER": 1, "OCT": 1}
#: Columns of the Codex connections table.
FLYWIRE_COLUMNS = ("pre_root_id", "post_root_id", "neuropil", "syn_count", "nt_type")


def read_flywire(connections, neurons=None, *, signs=None, neuropils=None, min_count: float = 1,
                 name: str = "flywire"):
    """Read a FlyWire / Codex ``connections.csv(.gz)`` (or ``.parquet``) into a Wiring.

    Parameters
    ----------
    connections : str, os.PathLike or pandas.DataFrame
        The connections table, columns :data:`FLYWIRE_COLUMNS`.
    neurons : str, os.PathLike or pandas.DataFrame, optional
        A neuron table with a ``root_id`` column (Codex ``neurons.csv.gz``,
        ``classification.csv.gz``). Its rows give the neurons and their order
        (neurons without connections included) and its other columns the
        metadata; connections naming other ids raise
        :class:`~connectome.errors.UnknownIdError`. Default: every id in the
        connections, ascending.
    signs : mapping, optional
        Transmitter -> +1 / -1 (case-insensitive keys); default :data:`FLYWIRE_SIGNS`.
    neuropils : sequence of str, optional
        Keep only rows in these neuropils (default: all).
    min_count : float
        Drop pairs whose summed ``syn_count`` (over the kept neuropils) is below
        this (Codex's default view uses 5).
    name : str

    Returns
    -------
    Wiring
        Neuron names are the root ids as decimal strings; weights are synapse
        counts summed over neuropils; a pair's sign is that of the majority of
        its synapses (an exact tie is inhibitory). ``info`` records the file,
        the sign mapping, the neuropils and `min_count`.

    Raises
    ------
    MissingColumnsError, InvalidIdError, InvalidCountError, UnknownTransmitterError, UnknownIdError
        With the offending rows (``.rows``, indexed by file line).
    """
    import scipy.sparse as sp

    from .wiring import Wiring

    signs = dict(FLYWIRE_SIGNS if signs is None else signs)
    if isinstance(min_count, bool) or not isinstance(min_count, (int, float)) or not min_count >= 0:
        raise WiringError(f"min_count must be a number >= 0, got {min_count!r}")
    label = label_of("FlyWire connections", connections)
    df = read_table(connections, FLYWIRE_COLUMNS, int_columns=("pre_root_id", "post_root_id"),
                    what="FlyWire connections")
    if neuropils is not None:
        df = df[df["neuropil"].isin(list(neuropils))]
    count = check_counts(df, "syn_count", label)
    sign = transmitter_signs(df, "nt_type", signs, label)
    meta, order = None, None
    if neurons is not None:
        table = read_table(neurons, ["root_id"], optional=_all_columns(neurons), int_columns=("root_id",),
                           what="FlyWire neurons")
        dup = table["root_id"].duplicated(keep=False)
        if dup.any():
            raise DuplicateConnectionError("FlyWire neurons: root ids listed more than once", table[dup])
        order = table["root_id"].to_numpy(np.int64)
        meta = table.drop(columns="root_id")
    ids, pre, post = positions(df["pre_root_id"].to_numpy(np.int64), df["post_root_id"].to_numpy(np.int64),
                               order, df, label)
    n = len(ids)
    W, S = assemble(n, pre, post, count, sign)
    if W.nnz and W.data.min() < min_count:
        keep = W.data >= min_count
        W = sp.csr_array((W.data * keep, W.indices, W.indptr), shape=W.shape)
        S = sp.csr_array((S.data * keep, S.indices, S.indptr), shape=S.shape)
        W.eliminate_zeros()
        S.eliminate_zeros()
    names = [str(x) for x in ids]
    if meta is not None:
        meta.index = names
    info = {"source": "flywire", "file": describe(connections), "signs": signs,
            "neuropils": None if neuropils is None else sorted(map(str, neuropils)), "min_count": float(min_count),
            "rows": int(len(df))}
    return Wiring(names, W, S, None, metadata=meta, name=name, info=info)


def _all_columns(source):
    """Every column of a table (optional columns of a neuron table are all of them)."""
    import pandas as pd

    if isinstance(source, pd.DataFrame):
        return [str(c) for c in source.columns]
    path = Path(os.fspath(source))
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    sep = "\t" if path.name.lower().endswith((".tsv", ".tsv.gz")) else ","
    return list(pd.read_csv(path, sep=sep, nrows=0).columns) if path.exists() else []
