"""Select parts of a wiring: by names, classes, types, neighbourhoods and paths.

Every function takes a :class:`~connectome.Wiring` or a
:class:`~connectome.Connectome` (converted with :meth:`Wiring.from_connectome`)
and returns a new :class:`~connectome.Wiring` that keeps every real synapse
among the selected neurons.

Names
-----
Wherever neurons are asked for, an item may be

* a neuron name (``"AVAL"``; zero-padded or lower-case spellings are accepted),
* a neuron class (``"AVA"`` means ``AVAL`` and ``AVAR``; ``"VA"`` means
  ``VA1`` ... ``VA12``), taken from the metadata column ``class``; without that
  column a class is the set of names made of the class plus a side
  (``L``, ``R``, ``D``, ``V``, ``DL``, ``DR``, ``VL``, ``VR``) or a number.

An exact neuron name always wins over a class of the same spelling (``"DVA"``
is the neuron DVA). Unknown names raise :class:`~connectome.UnknownNeuronError`
listing close matches among both neuron and class names.

Order
-----
Nothing is reordered silently: each function documents the order of the
neurons it returns (by default the order of the source wiring).
"""

from __future__ import annotations

import re

import numpy as np

from .errors import DuplicateNameError, UnknownNameError, UnknownNeuronError, WiringError

__all__ = [
    "NoPathError",
    "as_wiring",
    "neuron_classes",
    "resolve",
    "select",
    "select_neurons",
    "neighbourhood",
    "paths_between",
    "ablate",
    "distances",
    "with_layers",
    "SYNAPSE_TYPES",
]

SYNAPSE_TYPES = ("chemical", "electrical")
_SIDE = r"(?:L|R|D|V|DL|DR|VL|VR|\d+)"


class NoPathError(WiringError):
    """No synaptic path connects the requested sources to the requested targets."""


def as_wiring(source):
    """Return `source` as a :class:`~connectome.Wiring` (a Connectome is converted whole).

    Raises
    ------
    TypeError
        For anything that is neither a Wiring nor a Connectome.
    """
    from .connectome import Connectome
    from .wiring import Wiring

    if isinstance(source, Wiring):
        return source
    if isinstance(source, Connectome):
        return Wiring.from_connectome(source)
    raise TypeError(f"expected a connectome.Wiring or connectome.Connectome, got {type(source).__name__}")


def neuron_classes(source) -> dict[str, list[str]]:
    """Map each neuron class to its members (in wiring order).

    Uses the metadata column ``class`` where it is filled; neurons without a
    class form a class of their own name.
    """
    w = as_wiring(source)
    out: dict[str, list[str]] = {}
    if "class" in w.metadata:
        for nm, cls in zip(w.neurons, w.metadata["class"].tolist()):
            key = cls if isinstance(cls, str) and cls else nm
            out.setdefault(key, []).append(nm)
    else:
        for nm in w.neurons:
            out.setdefault(nm, []).append(nm)
    return out


def _class_members(w, item, classes):
    if "class" in w.metadata:
        return list(classes.get(item, []))
    pat = re.compile(re.escape(item) + _SIDE)
    return [nm for nm in w.neurons if pat.fullmatch(nm)]


def resolve(source, items, *, what: str = "neurons", duplicates: str = "drop") -> list[str]:
    """Expand neuron names and classes into neuron names (the one resolver every neuron list goes through).

    Parameters
    ----------
    source : Wiring or Connectome
    items : str or sequence of str
        Neuron names and/or class names.
    what : str
        Argument name used in error messages.
    duplicates : {"drop", "error"}
        A neuron named twice (directly or through a class): keep its first occurrence,
        or raise :class:`DuplicateNameError` (where a repeat would silently double
        something, e.g. a stimulus).

    Returns
    -------
    list of str
        In the order of `items`; a class expands to its members in wiring order.

    Raises
    ------
    UnknownNeuronError
        An item that is neither a neuron nor a class (with close matches among
        neurons and classes).
    DuplicateNameError
        With ``duplicates="error"``, a neuron named twice.

    Examples
    --------
    >>> from connectome import Wiring
    >>> w = Wiring(["AVAL", "AVAR", "AVBL"], [[0, 1, 0], [0, 0, 0], [0, 0, 0]])
    >>> resolve(w, ["AVA", "AVBL"])
    ['AVAL', 'AVAR', 'AVBL']
    """
    from .names import normalise_neuron_name

    w = as_wiring(source)
    if isinstance(items, str):
        items = [items]
    classes = neuron_classes(w) if "class" in w.metadata else {}
    out, seen = [], set()
    for item in items:
        item = str(item)
        if item in w._index:
            found = [item]
        else:
            found = _class_members(w, item, classes)
            if not found:
                canon = normalise_neuron_name(item)
                if canon in w._index:
                    found = [canon]
                else:
                    found = _class_members(w, canon, classes)
        if not found:
            known = list(w.neurons) + [c for c in classes if c not in w._index]
            raise UnknownNeuronError(item, known, where=f"wiring {w.name!r} ({what}; neither a neuron nor a class)")
        for nm in found:
            if nm not in seen:
                seen.add(nm)
                out.append(nm)
            elif duplicates == "error":
                via = "" if nm == item else f" (through {item!r})"
                raise DuplicateNameError(f"{what} names neuron {nm!r} twice{via}; list each neuron once")
    return out


def _types(w, types):
    if "type" not in w.metadata:
        raise WiringError(
            "selecting by type needs a metadata column 'type' (sensory, interneuron, motor, ...); "
            "this wiring has none: list the neurons by name instead"
        )
    col = w.metadata["type"]
    known = sorted({t for t in col.tolist() if isinstance(t, str)})
    if isinstance(types, str):
        types = [types]
    out = set()
    for t in types:
        if t not in known:
            raise UnknownNameError(t, known, kind="neuron type", where=f"wiring {w.name!r}")
        out |= set(col.index[col == t])
    return out


def select(source, neurons=None, *, types=None, order: str = "source", name: str | None = None):
    """The wiring among the neurons named, of the classes named, or of the given types.

    Parameters
    ----------
    source : Wiring or Connectome
    neurons : str or sequence of str, optional
        Neuron names and/or classes (``"AVA"`` -> AVAL, AVAR).
    types : str or sequence of str, optional
        Values of the metadata column ``type`` (``"sensory"``, ``"interneuron"``,
        ``"motor"``, ...). The selection is the union with `neurons`.
    order : {"source", "given"}
        ``"source"`` keeps the source's neuron order; ``"given"`` keeps the order
        of `neurons` (then neurons selected only by type, in source order).
    name : str, optional
        Name of the new wiring.

    Raises
    ------
    WiringError
        Nothing selected, or an unknown `order`.
    UnknownNeuronError, UnknownNameError
        Unknown neuron, class or type.
    """
    w = as_wiring(source)
    if order not in ("source", "given"):
        raise WiringError(f"order must be 'source' or 'given', got {order!r}")
    picked = resolve(w, neurons) if neurons is not None else []
    by_type = _types(w, types) if types is not None else set()
    chosen = set(picked) | by_type
    if not chosen:
        raise WiringError("the selection is empty: give at least one neuron, class or type that exists")
    if order == "given":
        names = picked + [nm for nm in w.neurons if nm in by_type and nm not in set(picked)]
    else:
        names = [nm for nm in w.neurons if nm in chosen]
    return w.subset(names, name=name)


#: Alias of :func:`select` that does not shadow this module when re-exported from ``connectome``.
select_neurons = select


def _check_synapses(synapses):
    if isinstance(synapses, str):
        synapses = (synapses,)
    synapses = tuple(synapses)
    bad = [s for s in synapses if s not in SYNAPSE_TYPES]
    if bad or not synapses:
        raise WiringError(f"synapses must be a non-empty subset of {SYNAPSE_TYPES}, got {synapses!r}")
    return synapses


def _directed(w, synapses):
    """Boolean csr ``A[pre, post]`` of the requested synapse types (gap junctions both ways)."""
    import scipy.sparse as sp

    synapses = _check_synapses(synapses)
    A = sp.csr_array((w.n, w.n), dtype=bool)
    if "chemical" in synapses:
        A = A + w.mask("chemical")
    if "electrical" in synapses:
        A = A + w.mask("electrical")
    A = sp.csr_array(A)
    A.sort_indices()
    return A


def _bfs(A, start, limit=None):
    """Hop distances from the set `start` along rows of csr `A` (inf where unreached)."""
    n = A.shape[0]
    dist = np.full(n, np.inf)
    frontier = np.unique(np.asarray(start, dtype=np.int64))
    dist[frontier] = 0
    d = 0
    indptr, indices = A.indptr, A.indices
    while frontier.size and (limit is None or d < limit):
        d += 1
        nxt = np.concatenate([indices[indptr[i]:indptr[i + 1]] for i in frontier]) if frontier.size else frontier
        nxt = np.unique(nxt)
        nxt = nxt[np.isinf(dist[nxt])]
        dist[nxt] = d
        frontier = nxt
    return dist


def distances(source, sources, *, direction: str = "out", synapses=SYNAPSE_TYPES) -> np.ndarray:
    """Fewest synaptic steps from the set `sources` to every neuron (``inf`` if unreachable).

    Parameters
    ----------
    direction : {"out", "in", "both"}
        ``"out"`` follows synapses pre -> post; ``"in"`` goes against them;
        ``"both"`` ignores direction. Gap junctions count both ways.

    Returns
    -------
    numpy.ndarray of float64, shape (n,)
        In the order of the wiring's neurons.
    """
    w = as_wiring(source)
    A = _directed(w, synapses)
    if direction == "in":
        A = A.T.tocsr()
    elif direction == "both":
        A = (A + A.T).tocsr()
    elif direction != "out":
        raise WiringError(f"direction must be 'out', 'in' or 'both', got {direction!r}")
    A.sort_indices()
    return _bfs(A, w.index_of(resolve(w, sources, what="sources")))


def neighbourhood(source, seeds, k: int = 1, *, direction: str = "both", synapses=SYNAPSE_TYPES,
                  name: str | None = None):
    """The wiring among `seeds` and every neuron within `k` synaptic steps of them.

    Parameters
    ----------
    seeds : str or sequence of str
        Neuron names and/or classes.
    k : int
        Number of steps (0 returns the seeds alone).
    direction : {"both", "out", "in"}
        Follow synapses downstream (``"out"``), upstream (``"in"``) or both.
    synapses : sequence of {"chemical", "electrical"}
        Synapse types that count as a step.

    Returns
    -------
    Wiring
        Neurons in source order.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise WiringError(f"k must be a non-negative integer number of steps, got {k!r}")
    w = as_wiring(source)
    dist = distances(w, seeds, direction=direction, synapses=synapses)
    return w.subset([w.neurons[i] for i in np.flatnonzero(dist <= k)], name=name)


def paths_between(source, sources, targets, max_length: int, *, synapses=SYNAPSE_TYPES,
                  name: str | None = None):
    """The wiring of every neuron that relays a signal from `sources` to `targets` in at most `max_length` steps.

    A neuron ``v`` is kept when ``d(sources, v) + d(v, targets) <= max_length``
    (fewest synaptic steps, following synapse direction; gap junctions count both
    ways), i.e. when it lies on a walk of at most `max_length` synapses from a
    source to a target. Every real synapse among the kept neurons is kept.

    Parameters
    ----------
    sources, targets : str or sequence of str
        Neuron names and/or classes.
    max_length : int
        Largest number of synapses on a path (>= 1).

    Returns
    -------
    Wiring
        Neurons in source order; ``inputs`` are the kept sources and
        ``outputs`` the kept targets (in the order given).

    Raises
    ------
    NoPathError
        No target is reachable from any source within `max_length` steps.
    """
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise WiringError(f"max_length must be an integer >= 1, got {max_length!r}")
    w = as_wiring(source)
    src = resolve(w, sources, what="sources")
    tgt = resolve(w, targets, what="targets")
    d_from = distances(w, src, direction="out", synapses=synapses)
    d_to = distances(w, tgt, direction="in", synapses=synapses)
    total = d_from + d_to
    keep = np.flatnonzero(total <= max_length)
    if keep.size == 0:
        best = np.min(total)
        hint = f"the shortest path has {int(best)} steps" if np.isfinite(best) else "no path exists at any length"
        raise NoPathError(
            f"no path of at most {max_length} synapses from {src[:5]} to {tgt[:5]} ({hint}); "
            f"increase max_length or choose other neurons"
        )
    kept = set(w.neurons[i] for i in keep)
    sub = w.subset([w.neurons[i] for i in keep], name=name)
    return sub._replace(inputs=[x for x in src if x in kept], outputs=[x for x in tgt if x in kept],
                        input_map=None, input_sign=None, input_channels=(), output_map=None, output_channels=(),
                        info={**w.info, "derived": "paths_between", "max_length": int(max_length)})


def ablate(source, neurons=(), synapses=(), *, name: str | None = None):
    """A new wiring without `neurons` (names or classes) and without `synapses`.

    Parameters
    ----------
    neurons : str or sequence of str
        Neuron names and/or classes (``"AVA"`` removes AVAL and AVAR).
    synapses : sequence of tuple
        ``(pre, post)`` chemical synapses or ``(pre, post, "electrical")`` gap
        junctions (names only, no classes).

    See Also
    --------
    Wiring.ablate
    """
    w = as_wiring(source)
    names = resolve(w, neurons, what="neurons to ablate") if len(neurons) else []
    return w.ablate(names, synapses, name=name)


def with_layers(w, layers: dict, column: str = "layer"):
    """A copy of `w` whose metadata has a `column` giving each neuron's layer (str)."""
    meta = w.metadata.copy()
    meta[column] = [layers.get(nm) for nm in w.neurons]
    meta[column] = meta[column].astype("str") if meta[column].notna().all() else meta[column]
    return w._replace(metadata=meta)
