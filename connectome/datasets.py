"""The published C. elegans datasets shipped with the package.

The tables live in ``data/`` (installed as ``connectome.data``) and are rebuilt
from the papers' supplementary files by ``data/build.py``; ``provenance.json``
records each table's citation, licence, source files and hashes.
"""

from __future__ import annotations

import functools

from ._io import tables
from .connectome import Connectome
from .errors import UnknownDatasetError

__all__ = ["datasets", "load", "DEFAULT_DATASET"]

DEFAULT_DATASET = "varshney2011"


def datasets() -> dict[str, str]:
    """The names of the shipped datasets with a one-line description each.

    Returns
    -------
    dict
        ``{name: description}``, sorted by name.

    Examples
    --------
    >>> "varshney2011" in datasets()
    True
    """
    return {name: rec.get("description", "") for name, rec in tables.dataset_tables().items()}


@functools.lru_cache(maxsize=1)
def _all_neurons():
    df = tables.read_csv("neurons.csv").set_index("name")
    return df


@functools.lru_cache(maxsize=None)
def _load(name: str) -> Connectome:
    known = tables.dataset_tables()
    if name not in known:
        raise UnknownDatasetError(name, known)
    edges = tables.read_csv(f"edges/{name}.csv")
    all_neurons = _all_neurons()
    nmj = edges["type"] == "nmj"
    present = set(edges["pre"]) | set(edges.loc[~nmj, "post"])
    neurons = all_neurons[all_neurons.index.isin(present)]
    muscles = sorted(set(edges.loc[nmj, "post"]))
    from .connectome import _validate_edges

    clean, _ = _validate_edges(edges, neurons.index, muscles, drop_invalid=False)
    return Connectome(name, neurons, clean, muscles, provenance=known[name])


def load(name: str = DEFAULT_DATASET) -> Connectome:
    """Load a published connectome by name.

    Parameters
    ----------
    name : str
        One of :func:`datasets` (``"varshney2011"``, ``"white1986_whole"``,
        ``"cook2019_herm"``, ``"cook2019_male"``, ``"witvliet2021_1"`` ...
        ``"witvliet2021_8"``).

    Returns
    -------
    Connectome
        Its neurons are those with at least one synapse in the dataset
        (as ``pre``, or as ``post`` of a chemical or electrical synapse), in the
        order of the packaged neuron table. Weights are in the dataset's own
        unit (``provenance["weight_unit"]``): never mix units across datasets.

    Raises
    ------
    UnknownDatasetError
        For a name that is not shipped (the message lists close matches).

    Examples
    --------
    >>> c = load("varshney2011")
    >>> c.name
    'varshney2011'
    """
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a str, got {type(name).__name__}")
    return _load(name)
