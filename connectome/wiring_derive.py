"""Derived wirings: subsets, ablations and rescaled weights, each in O(n + synapses)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .errors import WiringError

__all__ = ["WiringDerivations", "select_square"]


def select_square(mats, idx, n):
    """``m[idx][:, idx]`` for CSR matrices sharing one pattern (`mats`), in O(selected rows' entries).

    Parameters
    ----------
    mats : sequence of scipy.sparse.csr_array, shape (n, n)
        Same sparsity pattern (e.g. weights and signs).
    idx : ndarray of int64, shape (k,)
        Distinct neuron positions, in the new order.
    n : int
        Size of the matrices.

    Returns
    -------
    list of scipy.sparse.csr_array, shape (k, k)
    """
    new_pos = np.full(n, -1, dtype=np.int64)
    new_pos[idx] = np.arange(idx.shape[0])
    first = mats[0]
    start, stop = first.indptr[idx].astype(np.int64), first.indptr[idx + 1].astype(np.int64)
    lengths = stop - start
    # positions of the selected rows' entries, without a Python loop
    offsets = np.repeat(start - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    take = np.arange(lengths.sum(), dtype=np.int64) + offsets
    cols = new_pos[first.indices[take]]
    keep = cols >= 0
    take, cols = take[keep], cols[keep]
    rows = np.repeat(np.arange(idx.shape[0], dtype=np.int64), lengths)[keep]
    out = []
    for m in mats:
        sel = sp.csr_array((m.data[take], (rows, cols)), shape=(idx.shape[0], idx.shape[0]))
        out.append(sel)
    return out


def _drop_entries(mats, rows, cols, n):
    """Copies of same-pattern CSR `mats` without the entries ``(rows[k], cols[k])``.

    Returns ``(new mats, found)`` with ``found[k]`` True where that entry existed.
    """
    first = mats[0]
    ids = sp.csr_array((np.arange(1, first.nnz + 1, dtype=np.float64), first.indices, first.indptr),
                       shape=first.shape)
    at = np.asarray(ids[rows, cols]).ravel().astype(np.int64)  # 0 where absent
    found = at > 0
    keep = np.ones(first.nnz, dtype=bool)
    keep[at[found] - 1] = False
    row_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(first.indptr))[keep]
    out = [sp.csr_array((m.data[keep], (row_of, m.indices[keep])), shape=m.shape) for m in mats]
    return out, found


class WiringDerivations:
    """Methods deriving new wirings (mixed into :class:`~connectome.Wiring`)."""

    def _replace(self, **changes):
        fields = dict(
            neurons=self.neurons, chemical=self.chemical, sign=self.sign, electrical=self.electrical,
            inputs=self.inputs, outputs=self.outputs, metadata=self.metadata, name=self.name,
            input_map=self.input_map, input_sign=self.input_sign,
            input_channels=self.input_channels, output_map=self.output_map,
            output_channels=self.output_channels,
            info=self.info,
        )
        fields.update(changes)
        for kind in ("input", "output"):  # default maps: channels follow new inputs / outputs
            if f"{kind}s" in changes and f"{kind}_channels" not in changes and fields[f"{kind}_map"] is None:
                fields[f"{kind}_channels"] = ()
        return type(self)(**fields)

    def subset(self, neurons, name: str | None = None):
        """The wiring among `neurons` (in the order given), keeping every synapse between them.

        Inputs and outputs not selected are dropped. With the default channel
        maps the channels follow the kept inputs/outputs; explicit maps keep all
        their channels (a channel may then drive no neuron). ``O(n + synapses)``.
        """
        if isinstance(neurons, str):
            neurons = [neurons]
        idx = self.index_of(neurons)
        if len(idx) == 0:
            raise WiringError("subset needs at least one neuron; the selection is empty")
        uniq, counts = np.unique(idx, return_counts=True)
        if len(uniq) != len(idx):
            dup = sorted(self.neurons[i] for i in uniq[counts > 1])
            raise WiringError(f"subset lists neurons more than once: {dup}")
        keep = np.zeros(self.n, dtype=bool)
        keep[idx] = True
        chem, sign = select_square([self.chemical, self.sign], idx, self.n)
        (gap,) = select_square([self.electrical], idx, self.n)
        names = self.neurons
        kept_inputs = [x for x in self.inputs if keep[self._index[x]]]
        kept_outputs = [x for x in self.outputs if keep[self._index[x]]]
        changes = dict(
            neurons=[names[i] for i in idx], chemical=chem, sign=sign, electrical=gap, inputs=kept_inputs,
            outputs=kept_outputs, metadata=self.metadata.iloc[idx], name=name or self.name,
        )
        if self.input_map is not None:
            changes.update(input_map=self.input_map[:, idx], input_sign=self.input_sign[:, idx])
        else:
            ch = dict(zip(self.inputs, self.input_channels))
            changes.update(input_channels=[ch[x] for x in kept_inputs])
        if self.output_map is not None:
            changes.update(output_map=self.output_map[idx])
        else:
            ch = dict(zip(self.outputs, self.output_channels))
            changes.update(output_channels=[ch[x] for x in kept_outputs])
        return self._replace(**changes)

    def ablate(self, neurons=(), synapses=(), name: str | None = None):
        """A new wiring without `neurons` (and every synapse they make or receive) and without `synapses`.

        Parameters
        ----------
        neurons : str or sequence of str
            Neurons or classes (``"AVA"`` is AVAL and AVAR); each once.
            Neurons to remove.
        synapses : sequence of tuple
            ``(pre, post)`` removes the chemical synapse pre -> post;
            ``(pre, post, "electrical")`` removes the gap junction between the
            two (both directions); ``(pre, post, "chemical")`` is explicit.
        name : str, optional

        Raises
        ------
        UnknownNeuronError
            A name that is not in the wiring.
        WiringError
            A synapse that does not exist, or removing every neuron.
        """
        if isinstance(neurons, str):
            neurons = [neurons]
        w = self
        if len(synapses):
            by_type = {"chemical": ([], []), "electrical": ([], [])}
            for syn in synapses:
                if isinstance(syn, str) or len(syn) not in (2, 3):
                    raise WiringError(f"a synapse is (pre, post) or (pre, post, type); got {syn!r}")
                typ = syn[2] if len(syn) == 3 else "chemical"
                if typ not in by_type:
                    raise WiringError(f"synapse type must be 'chemical' or 'electrical', got {typ!r}")
                i, j = self.index_of([syn[0], syn[1]])
                by_type[typ][0].append(i)
                by_type[typ][1].append(j)
            changes = {}
            r, c = (np.array(v, dtype=np.int64) for v in by_type["chemical"])
            if len(r):
                (chem, sign), found = _drop_entries([self.chemical, self.sign], r, c, self.n)
                if not found.all():
                    k = int(np.flatnonzero(~found)[0])
                    raise WiringError(f"there is no chemical synapse {self.neurons[r[k]]} -> "
                                      f"{self.neurons[c[k]]} to ablate")
                changes.update(chemical=chem, sign=sign)
            r, c = (np.array(v, dtype=np.int64) for v in by_type["electrical"])
            if len(r):
                (gap,), found = _drop_entries([self.electrical], np.r_[r, c], np.r_[c, r], self.n)
                if not found.all():
                    k = int(np.flatnonzero(~found)[0]) % len(r)
                    raise WiringError(f"there is no gap junction {self.neurons[r[k]]} -- "
                                      f"{self.neurons[c[k]]} to ablate")
                changes.update(electrical=gap)
            w = self._replace(**changes)
        drop = np.zeros(self.n, dtype=bool)
        if len(neurons):
            from .select import resolve

            drop[self.index_of(resolve(self, neurons, what="ablate", duplicates="error"))] = True
        if drop.all():
            raise WiringError("ablating every neuron leaves an empty wiring")
        if drop.any():
            return w.subset([self.neurons[i] for i in np.flatnonzero(~drop)], name)
        return w._replace(name=name) if name else w

    def normalised(self, how: str = "max"):
        """A copy with rescaled weights (signs, pattern and everything else unchanged).

        Parameters
        ----------
        how : {"max", "in_sum"}
            ``"max"`` divides chemical and electrical weights each by their
            largest value; ``"in_sum"`` makes each neuron's incoming chemical
            weights sum to 1 (columns of ``W[pre, post]``) and each neuron's gap
            junction weights sum to 1 (then symmetrised as ``(G + G.T) / 2``).
        """
        chem, gap = self.chemical.copy(), self.electrical.copy()
        if how == "max":
            if chem.nnz:
                chem.data = chem.data / chem.data.max()
            if gap.nnz:
                gap.data = gap.data / gap.data.max()
        elif how == "in_sum":
            col = np.bincount(chem.indices, weights=chem.data, minlength=self.n)
            inv = np.divide(1.0, col, out=np.zeros_like(col), where=col > 0)
            chem.data = chem.data * inv[chem.indices]
            row = np.asarray(gap.sum(axis=1)).ravel()
            g = sp.diags_array(np.divide(1.0, row, out=np.zeros_like(row), where=row > 0)) @ gap
            gap = (g + g.T) / 2
        else:
            raise WiringError(f"normalise 'how' must be 'max' or 'in_sum', got {how!r}")
        return self._replace(chemical=chem, electrical=sp.csr_array(gap), info={**self.info, "normalise": how})
