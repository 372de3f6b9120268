"""How few neurons does a task need? Minimal subcircuits linking sensors to motor neurons.

Two approximations of the (NP-hard) directed Steiner problem are offered:

``"shortest_paths"``
    The union of one cheapest directed path from each sensor to each motor
    neuron it can reach (Dijkstra).
``"steiner"``
    The Mehlhorn (1988) 2-approximation of the undirected Steiner tree over
    sensors and motor neurons (as implemented by NetworkX), then repaired so
    every motor neuron is reached *along synapse direction* from some sensor
    (the cheapest missing directed path is added).

Costs: with ``cost="inverse_weight"`` (default) a synapse ``pre -> post``
costs ``1 / (chemical weight + gap-junction weight)``, so paths through many
synapses are preferred; ``cost="hops"`` counts synapses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .errors import WiringError

__all__ = ["MinimalSubcircuit", "minimal_subcircuit", "METHODS"]

METHODS = ("shortest_paths", "steiner")


@dataclass(frozen=True)
class MinimalSubcircuit:
    """Result of :func:`minimal_subcircuit`.

    Attributes
    ----------
    wiring : Wiring
        The subcircuit (every real synapse among its neurons kept); ``inputs``
        are the sensors, ``outputs`` the motor neurons.
    paths : dict
        ``{(sensor, motor): (sensor, ..., motor)}`` cheapest directed path of
        each connected pair, in the full wiring.
    cost : float
        Total cost of the distinct synapses used by the chosen structure.
    method : str
    unreachable : tuple
        ``(sensor, motor)`` pairs with no directed path.
    """

    wiring: object
    paths: dict = field(repr=False)
    cost: float
    method: str
    unreachable: tuple = ()

    @property
    def size(self) -> int:
        """Number of neurons in the subcircuit."""
        return self.wiring.n

    @property
    def neurons(self) -> tuple:
        return self.wiring.neurons

    def __repr__(self):
        return (f"<MinimalSubcircuit {self.method}: {self.size} neurons, cost {self.cost:.4g}, "
                f"{len(self.paths)} connected sensor-motor pairs>")


def _cost_matrix(w, synapses, cost):
    import scipy.sparse as sp

    from .select import _check_synapses

    synapses = _check_synapses(synapses)
    S = sp.csr_array((w.n, w.n))
    if "chemical" in synapses:
        S = S + w.chemical
    if "electrical" in synapses:
        S = S + w.electrical
    S = sp.csr_array(S)
    S.setdiag(0)
    S.eliminate_zeros()
    if cost == "inverse_weight":
        S.data = 1.0 / S.data
    elif cost == "hops":
        S.data = np.ones_like(S.data)
    else:
        raise WiringError(f"cost must be 'inverse_weight' or 'hops', got {cost!r}")
    return S


def _path(pred_row, s, t):
    out = [t]
    while out[-1] != s:
        out.append(int(pred_row[out[-1]]))
    return out[::-1]


def minimal_subcircuit(source, sensors, motors, *, method: str = "shortest_paths",
                       synapses=("chemical", "electrical"), cost: str = "inverse_weight",
                       allow_partial: bool = False, name: str | None = None) -> MinimalSubcircuit:
    """A small subcircuit that still connects `sensors` to `motors`.

    Parameters
    ----------
    source : Wiring or Connectome
    sensors, motors : str or sequence of str
        Neuron names and/or classes.
    method : {"shortest_paths", "steiner"}
        See the module docstring.
    synapses : sequence of {"chemical", "electrical"}
        Synapse types a signal may cross (gap junctions both ways).
    cost : {"inverse_weight", "hops"}
    allow_partial : bool
        If False (default) every sensor must reach some motor neuron and every
        motor neuron must be reached by some sensor. If True only one connected
        pair is needed; the others are listed in ``unreachable``.
    name : str, optional

    Returns
    -------
    MinimalSubcircuit
        ``.wiring`` orders its neurons: sensors (as given), relay neurons (source
        order), motor neurons (as given); ``.size`` is its neuron count.

    Raises
    ------
    NoPathError
        No sensor reaches any motor neuron, or (unless `allow_partial`) some
        sensor or motor neuron is left unconnected.
    WiringError
        Unknown method or cost, a neuron listed as both sensor and motor.
    """
    from scipy.sparse.csgraph import dijkstra

    from .select import NoPathError, as_wiring, resolve

    if method not in METHODS:
        raise WiringError(f"method must be one of {METHODS}, got {method!r}")
    w = as_wiring(source)
    sens = resolve(w, sensors, what="sensors")
    mots = resolve(w, motors, what="motors")
    both = sorted(set(sens) & set(mots))
    if both:
        raise WiringError(f"neurons listed as both sensor and motor: {both}")
    C = _cost_matrix(w, synapses, cost)
    s_idx = w.index_of(sens)
    m_idx = w.index_of(mots)
    dist, pred = dijkstra(C, directed=True, indices=s_idx, return_predecessors=True)
    sub = dist[:, m_idx]
    connected = np.isfinite(sub)
    unreachable = tuple((sens[a], mots[b]) for a, b in zip(*np.nonzero(~connected)))
    if not connected.any():
        raise NoPathError(f"no synaptic path from any of the sensors {sens[:6]} to any of the motor neurons "
                          f"{mots[:6]} (synapses={tuple(synapses) if not isinstance(synapses, str) else synapses})")
    if not allow_partial:
        lone_s = [sens[a] for a in np.flatnonzero(~connected.any(axis=1))]
        lone_m = [mots[b] for b in np.flatnonzero(~connected.any(axis=0))]
        if lone_s or lone_m:
            raise NoPathError(
                f"not every sensor and motor neuron can be connected: sensors reaching no motor neuron "
                f"{lone_s}, motor neurons reached by no sensor {lone_m}; pass allow_partial=True to accept that")
    paths = {}
    for a, b in zip(*np.nonzero(connected)):
        p = _path(pred[a], int(s_idx[a]), int(m_idx[b]))
        paths[(sens[a], mots[b])] = tuple(w.neurons[i] for i in p)

    if method == "shortest_paths":
        edges = {(p[i], p[i + 1]) for p in paths.values() for i in range(len(p) - 1)}
        nodes = {nm for p in paths.values() for nm in p}
    else:
        nodes, edges = _steiner(w, C, sens, mots, paths, dist, pred, s_idx)
    cost_total = float(sum(C[w._index[u], w._index[v]] for u, v in edges))
    sset, mset = set(sens), set(mots)
    kept_s = [x for x in sens if x in nodes]
    kept_m = [x for x in mots if x in nodes]
    relay = [nm for nm in w.neurons if nm in nodes and nm not in sset and nm not in mset]
    order = kept_s + relay + kept_m
    wiring = w.subset(order, name=name or f"{w.name}_minimal")
    wiring = wiring._replace(
        inputs=kept_s, outputs=kept_m, input_map=None, input_sign=None, input_channels=(), output_map=None,
        output_channels=(), info={**w.info, "derived": "minimal_subcircuit", "method": method, "cost": cost,
                                  "size": len(order)},
    )
    return MinimalSubcircuit(wiring, paths, cost_total, method, unreachable)


def _steiner(w, C, sens, mots, paths, dist, pred, s_idx):
    import networkx as nx
    from networkx.algorithms.approximation import steiner_tree

    terminals = sorted({nm for pair in paths for nm in pair})
    U = C.tocoo()
    G = nx.Graph()
    for i, j, c in zip(U.row.tolist(), U.col.tolist(), U.data.tolist()):
        a, b = w.neurons[i], w.neurons[j]
        if G.has_edge(a, b):
            if c < G[a][b]["weight"]:
                G[a][b]["weight"] = c
        else:
            G.add_edge(a, b, weight=c)
    nodes, tree_edges, todo = set(terminals), [], set(terminals)
    while todo:  # one Steiner tree per connected component holding terminals
        comp = nx.node_connected_component(G, next(iter(todo)))
        terms = [t for t in terminals if t in comp]
        todo -= set(terms)
        if len(terms) > 1:
            T = steiner_tree(G.subgraph(comp), terms, weight="weight", method="mehlhorn")
            nodes |= set(T.nodes)
            tree_edges.extend(T.edges)
    edges = set()
    for a, b in tree_edges:  # orient each tree edge along an existing synapse (cheapest direction)
        i, j = w._index[a], w._index[b]
        cij, cji = C[i, j], C[j, i]
        if cij and (not cji or cij <= cji):
            edges.add((a, b))
        else:
            edges.add((b, a))
    # repair: every connected motor must be reachable from a sensor along synapse direction inside `nodes`
    while True:
        idx = sorted(w._index[x] for x in nodes)
        local = {g: k for k, g in enumerate(idx)}
        sub = C[idx][:, idx]
        from scipy.sparse.csgraph import breadth_first_order

        reach = set()
        for s in sens:
            if s in nodes:
                reach |= set(breadth_first_order(sub, local[w._index[s]], directed=True,
                                                 return_predecessors=False).tolist())
        missing = [m for m in mots if m in nodes and local[w._index[m]] not in reach
                   and any(pair[1] == m for pair in paths)]
        if not missing:
            break
        m = missing[0]
        best = min((p for pair, p in paths.items() if pair[1] == m),
                   key=lambda p: sum(C[w._index[p[i]], w._index[p[i + 1]]] for i in range(len(p) - 1)))
        nodes |= set(best)
        edges |= {(best[i], best[i + 1]) for i in range(len(best) - 1)}
    return nodes, edges
