"""Views of a :class:`~connectome.Wiring`: signed matrices, channel maps and kernel orientations.

Every user-facing matrix is ``W[pre, post]``; kernel views name their orientation
(``post_indptr``, ``pre_index``). Each view costs ``O(n + synapses)`` time and memory.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import WiringError

__all__ = ["ChemicalByPost", "ElectricalByNeuron", "WiringViews"]


class ChemicalByPost(NamedTuple):
    """Chemical synapses grouped by postsynaptic neuron (CSC of ``W[pre, post]``).

    The synapses onto neuron ``i`` are ``k in range(post_indptr[i], post_indptr[i+1])``
    with presynaptic neuron ``pre_index[k]`` (ascending within each neuron),
    weight ``weight[k]`` and sign ``sign[k]``.
    """

    post_indptr: np.ndarray  # int64 (n + 1,)
    pre_index: np.ndarray  # int64 (nnz,)
    weight: np.ndarray  # float64 (nnz,)
    sign: np.ndarray  # float64 (nnz,), +1 or -1


class ElectricalByNeuron(NamedTuple):
    """Gap junctions of each neuron (rows of the symmetric matrix).

    Neuron ``i`` is coupled to ``index[k]`` with conductance weight ``weight[k]``
    for ``k in range(indptr[i], indptr[i+1])``; self-junctions are omitted
    (they carry no current).
    """

    indptr: np.ndarray  # int64 (n + 1,)
    index: np.ndarray  # int64 (nnz,)
    weight: np.ndarray  # float64 (nnz,)


def post_major_order(W) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The CSC structure of the CSR matrix `W` and the permutation into its entries.

    Returns ``(indptr, indices, perm)`` (int64): column ``j`` of `W` holds the
    entries ``perm[indptr[j]:indptr[j+1]]`` of ``W.data``, in rows
    ``indices[indptr[j]:indptr[j+1]]`` (ascending). One ``O(n + nnz)`` counting
    sort (scipy's CSR -> CSC conversion of the entry numbers).
    """
    ids = sp.csr_array((np.arange(W.nnz, dtype=np.int64), W.indices, W.indptr), shape=W.shape, copy=False)
    csc = ids.tocsc()
    return (csc.indptr.astype(np.int64, copy=False), csc.indices.astype(np.int64, copy=False),
            csc.data)


class WiringViews:
    """Matrix and kernel views (mixed into :class:`~connectome.Wiring`)."""

    def signed_chemical(self) -> sp.csr_array:
        """``W[pre, post] * sign``: negative entries are inhibitory synapses."""
        out = self.chemical.copy()
        out.data = out.data * self.sign.data
        return out

    def input_matrix(self) -> sp.csr_array:
        """Signed input weights ``M[channel, neuron]``, shape (n_input_channels, n), float64.

        Channel ``c`` adds ``M[c, i] * u_c(t)`` to the external drive of neuron ``i``.
        """
        if self.input_map is None:
            k = len(self.inputs)
            return sp.csr_array((np.ones(k), (np.arange(k), self.input_index)), shape=(k, self.n))
        out = self.input_map.copy()
        out.data = out.data * self.input_sign.data
        return out

    def output_matrix(self) -> sp.csr_array:
        """Read-out weights ``R[neuron, channel]``, shape (n, n_output_channels), float64."""
        if self.output_map is None:
            k = len(self.outputs)
            return sp.csr_array((np.ones(k), (self.output_index, np.arange(k))), shape=(self.n, k))
        return self.output_map.copy()

    def mask(self, type: str = "chemical", dense: bool = False):
        """Boolean connectivity ``M[pre, post]`` of ``"chemical"`` or ``"electrical"`` synapses."""
        mat = {"chemical": self.chemical, "electrical": self.electrical}.get(type)
        if mat is None:
            raise WiringError(f"mask type must be 'chemical' or 'electrical', got {type!r}")
        m = sp.csr_array((np.ones(mat.nnz, bool), mat.indices.copy(), mat.indptr.copy()), shape=mat.shape)
        return m.toarray() if dense else m

    def chemical_by_post(self) -> ChemicalByPost:
        """Kernel view of chemical synapses grouped by postsynaptic neuron.

        One counting sort of the synapses (``O(n + nnz)``); weights and signs are
        gathered with the same permutation. Fresh, writable, contiguous arrays.
        """
        indptr, pre, perm = post_major_order(self.chemical)
        return ChemicalByPost(indptr, pre, self.chemical.data[perm], self.sign.data[perm])

    def electrical_by_neuron(self) -> ElectricalByNeuron:
        """Kernel view of gap junctions per neuron (self-junctions dropped), ``O(n + nnz)``."""
        g = self.electrical
        rows = np.repeat(np.arange(self.n, dtype=np.int64), np.diff(g.indptr))
        off = rows != g.indices
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[off], minlength=self.n), out=indptr[1:])
        return ElectricalByNeuron(indptr, g.indices[off].astype(np.int64), g.data[off].astype(np.float64))

    @property
    def edges(self) -> pd.DataFrame:
        """Edge table ``pre, post, type, weight, sign`` (gap junctions once per pair)."""
        names = np.array(self.neurons, dtype=object)
        c = self.chemical.tocoo()
        g = sp.triu(self.electrical).tocoo()
        chem = pd.DataFrame(
            {"pre": names[c.row], "post": names[c.col], "type": "chemical", "weight": c.data,
             "sign": self.sign.data.astype(np.int8)}
        )
        gap = pd.DataFrame(
            {"pre": names[g.row], "post": names[g.col], "type": "electrical", "weight": g.data,
             "sign": np.ones(g.nnz, np.int8)}
        )
        return pd.concat([chem, gap], ignore_index=True)

    def to_networkx(self):
        """A :class:`networkx.MultiDiGraph` (gap junctions as two opposite edges)."""
        import networkx as nx

        G = nx.MultiDiGraph(name=self.name)
        meta = self.metadata.astype(object).where(self.metadata.notna(), None)
        inputs, outputs = set(self.inputs), set(self.outputs)
        for nm, row in zip(self.neurons, meta.to_dict("records")):
            G.add_node(nm, **row, input=nm in inputs, output=nm in outputs)
        for pre, post, typ, w, s in self.edges.itertuples(index=False):
            G.add_edge(pre, post, key=typ, type=typ, weight=float(w), sign=int(s))
            if typ == "electrical":
                G.add_edge(post, pre, key=typ, type=typ, weight=float(w), sign=int(s))
        return G
