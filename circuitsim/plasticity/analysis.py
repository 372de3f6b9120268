"""Reading learned weights out of results: trajectories, Δw matrices, the synapses that changed most."""

from __future__ import annotations

import numpy as np

from ..errors import AnalysisError

__all__ = ["weights", "weight_matrix", "changed_most", "learned_wiring", "learned_params", "learned_network"]


def _info(result):
    info = result.meta.get("weights")
    if info is None:
        raise AnalysisError("this result has no recorded weights (simulate a circuit made by with_plasticity)")
    return info


def weights(result, t=None, *, effective: bool = True):
    """Recorded weight magnitudes: at the samples ``(n_t, n_w)`` or at times `t` (dense output).

    Columns follow ``result.meta["weights"]`` (``pre``, ``post``). With `effective`, values
    are clipped to the rule's bounds ``[0, w_max]``: what the network uses (a step of a
    hard-bounded rule may overshoot a bound by the integration error).
    """
    info = _info(result)
    vals = result["w"] if t is None else result.at(t, "w")
    if effective:
        w_max = info["rule"]["w_max"]
        if result.batched and "rules" in info:  # members with different rules: each its own bound
            w_max = np.array([r["w_max"] for r in info["rules"]]).reshape((-1,) + (1,) * (np.ndim(vals) - 1))
        vals = np.clip(vals, 0.0, w_max)
    return vals


def _kinds(info) -> np.ndarray:
    """Per recorded weight: "chemical" or "electrical" (plastic gap junctions follow the synapses)."""
    return np.asarray(info.get("type", ["chemical"] * len(info["pre"])))


def weight_matrix(result, t=None, *, delta: bool = False, member: int | None = None, kind: str = "chemical"):
    """Recorded weights at time `t` (default: the last sample) as a sparse ``W[pre, post]``.

    With `delta`, ``w(t) - w(t0)`` (the Δw matrix). Needs the result's wiring. `kind`
    ``"electrical"`` gives the plastic gap junctions instead, as a symmetric matrix.
    """
    import scipy.sparse as sp

    info = _info(result)
    if kind not in ("chemical", "electrical"):
        raise AnalysisError(f"kind must be 'chemical' or 'electrical', got {kind!r}")
    if result.wiring is None:
        raise AnalysisError("weight_matrix needs the result's wiring")
    w = weights(result) if t is None else weights(result, t)
    if result.batched:
        w = w[0 if member is None else member]
    wt = w[-1] if t is None or np.ndim(w) == 2 else w
    if delta:
        wt = wt - weights(result)[..., 0, :].reshape(-1, wt.shape[-1])[0 if member is None else member]
    W = result.wiring
    n = W.n
    sel = _kinds(info) == kind
    pre = W.index_of([p for p, s in zip(info["pre"], sel) if s])
    post = W.index_of([p for p, s in zip(info["post"], sel) if s])
    vals = np.asarray(wt, dtype=np.float64)[sel]
    if kind == "electrical":
        pre, post, vals = np.r_[pre, post], np.r_[post, pre], np.r_[vals, vals]
    return sp.csr_array((vals, (pre, post)), shape=(n, n))


def changed_most(result, t=None, k: int = 20):
    """The `k` recorded synapses whose weight changed most by time `t` (default: the end).

    Returns
    -------
    pandas.DataFrame
        Columns ``pre``, ``post``, ``class`` (pre class -> post class, where the wiring has
        classes), ``w0``, ``wt``, ``change`` (``wt - w0``), ``ratio``; sorted by ``|change|``.
    """
    import pandas as pd

    info = _info(result)
    w = weights(result)
    if result.batched:
        w = w[0]
    w0 = w[0]
    wt = w[-1] if t is None else np.asarray(weights(result, t))
    if result.batched and t is not None:
        wt = wt[0]
    df = pd.DataFrame({"pre": info["pre"], "post": info["post"], "w0": w0, "wt": wt})
    meta = getattr(result.wiring, "metadata", None) if result.wiring is not None else None
    if meta is not None and "class" in getattr(meta, "columns", ()):
        cmap = {k: v for k, v in meta["class"].items() if isinstance(v, str) and v}
        df.insert(2, "class", [f"{cmap.get(a, a)} -> {cmap.get(b, b)}" for a, b in zip(df.pre, df.post)])
    else:
        df.insert(2, "class", [f"{a} -> {b}" for a, b in zip(df.pre, df.post)])
    if "type" in info:
        df.insert(2, "type", info["type"])
    df["change"] = df.wt - df.w0
    with np.errstate(divide="ignore", invalid="ignore"):
        df["ratio"] = df.wt / df.w0
    order = np.argsort(-np.abs(df.change.to_numpy()), kind="stable")
    return df.iloc[order[:k]].reset_index(drop=True)


def learned_wiring(result, t=None):
    """The result's wiring with the learned weights at `t` (default: the end) on the plastic synapses.

    Plastic gap junctions (recorded with the synapses) scale the wiring's electrical
    matrix in both directions alike. Each recorded synapse's wiring weight is multiplied by ``w(t) / w(0)``, so the result
    is in the wiring's own units whatever the model's scale (conductance per synapse, weight
    scale); unrecorded synapses keep their weight.
    """
    import dataclasses

    import scipy.sparse as sp

    info = _info(result)
    if result.wiring is None:
        raise AnalysisError("learned_wiring needs the result's wiring")
    w = weights(result)
    if result.batched:
        w = w[0]
    w0 = w[0]
    wt = w[-1] if t is None else np.asarray(weights(result, t)).reshape(-1, w0.shape[0])[0]
    W = result.wiring
    chem = sp.csr_array(W.chemical, dtype=np.float64, copy=True)
    chem.sort_indices()
    syn = np.asarray(info["synapse"], dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(w0 > 0, wt / w0, 1.0)
    chem_sel = _kinds(info) == "chemical"
    data = chem.data.copy()
    data[syn[chem_sel]] = data[syn[chem_sel]] * ratio[chem_sel]
    chem = sp.csr_array((data, chem.indices, chem.indptr), shape=chem.shape)
    if chem_sel.all():
        return dataclasses.replace(W, chemical=chem)
    # plastic gap junctions: both directions of each junction scale together (the matrix stays symmetric)
    n = W.n
    a, b = W.index_of(list(np.asarray(info["pre"])[~chem_sel])), W.index_of(list(np.asarray(info["post"])[~chem_sel]))
    factor = sp.csr_array((np.r_[ratio[~chem_sel], ratio[~chem_sel]] - 1.0, (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    gap = sp.csr_array(W.electrical, dtype=np.float64)
    gap = gap + gap.multiply(factor)
    return dataclasses.replace(W, chemical=chem, electrical=sp.csr_array(gap))


def learned_params(result, t=None):
    """The base model's parameters with the learned weights at `t` (default: the end) on the plastic synapses.

    For models whose parameters hold one weight per chemical synapse (``w``, CSR order of
    the wiring, as LTC) and per gap-junction entry (``gap_w``). Needs the result's
    circuit and every plastic weight recorded.
    """
    import dataclasses

    info = _info(result)
    c = result.circuit
    if c is None or not hasattr(c.model, "synapses"):
        raise AnalysisError("learned_params needs the result's plastic circuit (a single run, or a loaded result "
                            "whose rule is importable)")
    model = c.model
    if len(info["synapse"]) != model.m + getattr(model, "mg", 0):
        raise AnalysisError("learned_params needs every plastic weight recorded (with_plasticity(record=None))")
    prm = c.params
    if not (hasattr(prm, "w") and np.ndim(prm.w) == 1 and len(prm.w) == c.wiring.chemical.nnz):
        raise AnalysisError(f"the {model.base.name!r} model's parameters have no weight per chemical synapse; "
                            "use learned_wiring instead")
    w = weights(result)
    if result.batched:
        w = w[0]
    wt = w[-1] if t is None else np.asarray(weights(result, t)).reshape(-1, w.shape[-1])[0]
    kinds = _kinds(info)
    syn = np.asarray(info["synapse"], dtype=np.int64)
    new = np.array(prm.w, dtype=np.float64, copy=True)
    new[syn[kinds == "chemical"]] = wt[kinds == "chemical"]
    changes = {"w": new}
    if np.any(kinds == "electrical"):
        import scipy.sparse as sp

        W = c.wiring
        gap = sp.csr_array(W.electrical)
        gap.sort_indices()
        rows = np.repeat(np.arange(W.n), np.diff(gap.indptr))
        key = {(int(r), int(k)): e for e, (r, k) in enumerate(zip(rows, gap.indices))}
        g = np.array(prm.gap_w, dtype=np.float64, copy=True)
        idx = W.index_of
        for a, b, v in zip(idx(list(np.asarray(info["pre"])[kinds == "electrical"])),
                           idx(list(np.asarray(info["post"])[kinds == "electrical"])), wt[kinds == "electrical"]):
            g[key[(int(a), int(b))]] = g[key[(int(b), int(a))]] = v
        changes["gap_w"] = g
    return dataclasses.replace(prm, **changes)


def learned_network(result, t=None, **kw):
    """An :class:`~circuitsim.LTCNetwork` with the weights an LTC circuit learned by time `t`.

    Its parameters are :func:`learned_params`; export it with :func:`circuitsim.ncps_io.to_ncps`
    (gap junctions with non-zero conductance cannot be exported: ncps has none).
    """
    from ..liquid import LTCNetwork

    return LTCNetwork(result.circuit.wiring, learned_params(result, t), **kw)
