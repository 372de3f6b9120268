"""Exceptions raised by :mod:`connectome`.

Every error names the offending argument or rows and, for names, lists close
matches, so that a typo is fixed from the message alone.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ConnectomeError",
    "UnknownNameError",
    "UnknownDatasetError",
    "UnknownNeuronError",
    "EdgeTableError",
    "WiringError",
    "MissingColumnsError",
    "InvalidIdError",
    "UnknownIdError",
    "InvalidCountError",
    "DuplicateConnectionError",
    "UnknownTransmitterError",
    "close_matches",
]


class ConnectomeError(Exception):
    """Base class of every error raised by :mod:`connectome`."""


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Return up to `n` candidates that look like `name` (case-insensitive).

    Examples
    --------
    >>> close_matches("AVAX", ["AVAL", "AVAR", "AVBL"])
    ['AVAL', 'AVAR', 'AVBL']
    """
    candidates = list(candidates)
    by_upper = {}
    for c in candidates:
        by_upper.setdefault(str(c).upper(), c)
    hits = difflib.get_close_matches(str(name).upper(), list(by_upper), n=n, cutoff=0.6)
    return [by_upper[h] for h in hits]


class UnknownNameError(ConnectomeError, KeyError):
    """A name (dataset, neuron, class, circuit) that does not exist.

    Attributes
    ----------
    name : str
        The name that was asked for.
    kind : str
        What kind of name it is ("dataset", "neuron", ...).
    suggestions : list of str
        Close matches among the known names (may be empty).
    """

    def __init__(self, name, known: Iterable[str], kind: str = "name", where: str = ""):
        self.name = name
        self.kind = kind
        known = [str(k) for k in known]
        self.suggestions = close_matches(str(name), known)
        msg = f"unknown {kind} {name!r}"
        if where:
            msg += f" in {where}"
        if self.suggestions:
            msg += "; did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        elif 0 < len(known) <= 12:  # a short list is more helpful than "no match"
            msg += "; choose from " + ", ".join(repr(k) for k in known)
        else:
            msg += "; no close match"
        super().__init__(msg)
        self.message = msg

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return self.message


class UnknownDatasetError(UnknownNameError):
    """A dataset name that :func:`connectome.datasets` does not list."""

    def __init__(self, name, known):
        super().__init__(name, known, kind="dataset")


class UnknownNeuronError(UnknownNameError):
    """A neuron name that is not part of the connectome or wiring at hand."""

    def __init__(self, name, known, where: str = ""):
        super().__init__(name, known, kind="neuron", where=where)


class EdgeTableError(ConnectomeError, ValueError):
    """A malformed edge or neuron table; the message names the offending rows.

    Attributes
    ----------
    rows : pandas.DataFrame or None
        The offending rows, when the problem is row-specific.
    """

    def __init__(self, message: str, rows=None):
        self.rows = rows
        if rows is not None and len(rows):
            shown = rows.head(10).to_string()
            more = f"\n... and {len(rows) - 10} more rows" if len(rows) > 10 else ""
            message = f"{message}:\n{shown}{more}"
        super().__init__(message)


class WiringError(ConnectomeError, ValueError):
    """An impossible wiring request (empty selection, no path, bad parameters)."""


class WiringFileError(WiringError, OSError):
    """A file that is not a readable wiring (missing, truncated, corrupt or of another kind)."""


class DuplicateNameError(ConnectomeError, ValueError):
    """A neuron named twice (directly or through its class) where each may appear once."""


class MissingColumnsError(EdgeTableError):
    """A table file lacks columns its format requires (the message lists them and the columns found)."""


class InvalidIdError(EdgeTableError):
    """Neuron ids that are missing (empty, NaN) or not integers where the format requires them."""


class UnknownIdError(EdgeTableError):
    """Connections naming neurons that the format's neuron table does not list."""


class InvalidCountError(EdgeTableError):
    """Synapse counts or weights that are negative, missing (NaN), infinite or not numbers."""


class DuplicateConnectionError(EdgeTableError):
    """A connection listed twice in a table that must list each pair once."""


class UnknownTransmitterError(EdgeTableError):
    """A neurotransmitter with no sign in the mapping in use.

    Attributes
    ----------
    transmitters : list of str
        The unknown values (``""`` for a missing one).
    suggestions : dict
        Close matches among the known transmitters, per unknown value.
    """

    def __init__(self, message: str, rows=None, transmitters=(), known=()):
        self.transmitters = list(transmitters)
        self.suggestions = {t: close_matches(t, known) for t in self.transmitters}
        hints = [f"{t!r}: did you mean {', '.join(map(repr, s))}?" for t, s in self.suggestions.items() if s]
        if hints:
            message = f"{message} [{'; '.join(hints)}]"
        super().__init__(message, rows)
