"""Neuron name normalisation shared by the readers and the lookups."""

from __future__ import annotations

import re

_PADDED = re.compile(r"^([A-Za-z]+?)0+(\d+)$")


def normalise_neuron_name(name: str) -> str:
    """Return the canonical spelling of a neuron name.

    Upper-cases and strips zero padding from the numeric suffix (``VA08`` ->
    ``VA8``, ``db01`` -> ``DB1``) while keeping a lone zero (``CP0``).

    Examples
    --------
    >>> normalise_neuron_name("va08")
    'VA8'
    >>> normalise_neuron_name("CP00")
    'CP0'
    >>> normalise_neuron_name(" AVAL ")
    'AVAL'
    """
    s = str(name).strip().upper()
    m = _PADDED.match(s)
    if m:
        s = m.group(1) + str(int(m.group(2)))
    return s
