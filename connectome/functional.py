"""Measured signal propagation: the functional atlas of Randi et al. 2023.

Randi, Sharma, Dvali & Leifer (2023), *Neural signal propagation atlas of
Caenorhabditis elegans*, Nature 623:406-414, stimulated single neurons
optogenetically and recorded the calcium responses of the others. The packaged
table (``data/functional/randi2023.csv``, rebuilt from the compiled atlas by
``data/build.py``; recordings DANDI:001075, CC BY 4.0) holds every measured
pair of wild-type and unc-31 worms; see ``data/README.md``.

>>> import connectome
>>> atlas = connectome.functional_atlas("randi2023", strain="wt")
>>> row = atlas.query("stimulated == 'ADAL' and responding == 'ADEL'").iloc[0]
>>> float(round(row.dff, 3)), float(round(row.q, 3))
(0.226, 0.03)
"""

from __future__ import annotations

import functools

from ._io import tables
from .errors import UnknownNameError

__all__ = [
    "FUNCTIONAL_ATLASES",
    "STRAINS",
    "ATLAS_TO_CONNECTOME",
    "UnknownAtlasError",
    "UnknownStrainError",
    "functional_atlas",
]

#: shipped atlases: name -> packaged table
FUNCTIONAL_ATLASES = {"randi2023": "functional/randi2023.csv"}
#: strains of each atlas (the values of its ``strain`` column)
STRAINS = {"randi2023": ("wt", "unc31")}
#: the atlas names AWC by its ON/OFF state; it joins connectomes as AWCL -> AWCOFF, AWCR -> AWCON
ATLAS_TO_CONNECTOME = {"AWCOFF": "AWCL", "AWCON": "AWCR"}

_STRAIN_SPELLINGS = {"unc-31": "unc31", "wild-type": "wt", "wildtype": "wt", "n2": "wt"}
COLUMNS = ("stimulated", "responding", "dff", "q", "q_eq", "n_trials")


class UnknownAtlasError(UnknownNameError):
    """A functional atlas name that is not shipped (see :data:`FUNCTIONAL_ATLASES`)."""

    def __init__(self, name):
        super().__init__(name, FUNCTIONAL_ATLASES, kind="functional atlas")


class UnknownStrainError(UnknownNameError):
    """A strain that the atlas does not cover."""

    def __init__(self, name, atlas):
        super().__init__(name, STRAINS[atlas], kind="strain", where=f"functional atlas {atlas!r}")


@functools.lru_cache(maxsize=None)
def _table(name: str):
    return tables.read_csv(FUNCTIONAL_ATLASES[name])


def functional_atlas(name: str = "randi2023", strain: str = "wt", *, names: str = "connectome"):
    """The measured responses of one atlas and strain as a long table.

    Parameters
    ----------
    name : str
        Atlas name; ``"randi2023"`` (Randi et al. 2023).
    strain : str
        ``"wt"`` (wild type) or ``"unc31"`` (also spelled ``"unc-31"``).
    names : {"connectome", "atlas"}
        ``"connectome"`` (default) names the AWC neurons ``AWCL`` / ``AWCR`` as
        the connectomes do, mapping them the way the atlas does (AWCOFF -> AWCL,
        AWCON -> AWCR); ``"atlas"`` keeps the atlas's ``AWCOFF`` / ``AWCON``.

    Returns
    -------
    pandas.DataFrame
        One row per measured (stimulated, responding) pair with a finite q-value,
        columns ``stimulated`` (str), ``responding`` (str), ``dff`` (float, mean
        dF/F over the 30 s after stimulation onset; NaN for one WT pair), ``q``
        (float, FDR q-value that ``responding`` responds when ``stimulated`` is
        stimulated), ``q_eq`` (float, FDR q-value that it does not; may be NaN),
        ``n_trials`` (int). Rows with ``stimulated == responding`` are the
        autoresponses. A fresh copy: modify it freely.

    Raises
    ------
    UnknownAtlasError, UnknownStrainError
        For a name the package does not ship (the message lists close matches).
    ValueError
        For `names` other than ``"connectome"`` or ``"atlas"``.

    Notes
    -----
    Counting as the tests do (wild type, stimulated != responding, finite ``q``
    and ``dff``): 23,901 pairs; 1,150 with ``q < 0.05`` (1,000 with ``dff > 0``);
    13,060 confident negatives (``q_eq < 0.05`` and ``q >= 0.05``).

    Examples
    --------
    >>> wt = functional_atlas("randi2023", strain="wt")
    >>> off = wt[wt.stimulated != wt.responding].dropna(subset=["dff"])
    >>> len(off), int((off.q < 0.05).sum())
    (23901, 1150)
    """
    if not isinstance(name, str) or name not in FUNCTIONAL_ATLASES:
        raise UnknownAtlasError(name)
    key = _STRAIN_SPELLINGS.get(str(strain).lower(), str(strain).lower()) if isinstance(strain, str) else strain
    if key not in STRAINS[name]:
        raise UnknownStrainError(strain, name)
    if names not in ("connectome", "atlas"):
        raise ValueError(f"names must be 'connectome' or 'atlas', got {names!r}")
    table = _table(name)
    out = table.loc[table["strain"] == key, list(COLUMNS)].reset_index(drop=True)
    if names == "connectome":
        for column in ("stimulated", "responding"):
            out[column] = out[column].replace(ATLAS_TO_CONNECTOME)
    out["n_trials"] = out["n_trials"].astype("int64")
    return out
