"""Weights in and out of ``ncps`` (optional dependencies ``ncps`` and ``torch``).

* :func:`wiring_from_ncps` -- a :class:`connectome.Wiring` with exactly the synapses,
  input map, motor neurons and (for NCP wirings) layers of an ``ncps.wirings.Wiring``.
* :func:`from_ncps` -- an :class:`~circuitsim.liquid.LTCNetwork` or
  :class:`~circuitsim.liquid.CfCNetwork` computing what a (trained) ncps module computes.
* :func:`to_ncps` -- write our parameters into an ncps module of the same structure.

Conventions: torch ``Linear.weight`` is ``(out, in)``; ours are ``W[source, neuron]``,
so every head is transposed here, explicitly.  ncps's LTC stores dense ``(n, n)``
matrices ``[src, dest]`` multiplied by a mask; we keep the entries on the mask.  With
``implicit_param_constraints=True`` (the default of ``ncps.torch.LTC``) ncps applies
softplus to ``w``, ``sensory_w``, ``cm`` and ``gleak`` at run time: we import the
constrained values and export their inverse.  ncps's wired CfC orders its state
layer by layer: :func:`ncps_state_order` gives the permutation.
"""

from __future__ import annotations

import numpy as np

from .errors import ParameterError

__all__ = ["wiring_from_ncps", "from_ncps", "to_ncps", "ncps_state_order"]


def _np(t):
    return t.detach().cpu().double().numpy()


def wiring_from_ncps(ncps_wiring, *, name: str = "ncps"):
    """A :class:`connectome.Wiring` equal to a built ``ncps.wirings.Wiring``.

    Neurons are ``n0, n1, ...`` in ncps's order, outputs the first ``output_dim``
    neurons, input channels ``in0, ...`` with the sensory adjacency as input map and
    sign; NCP wirings get a numeric ``layer`` metadata column (0 = inter, 1 = command,
    2 = motor).
    """
    import pandas as pd
    from connectome import Wiring

    if not ncps_wiring.is_built():
        raise ParameterError("the ncps wiring is not built; call wiring.build(input_dim) first")
    A = np.asarray(ncps_wiring.adjacency_matrix, dtype=float)
    S = np.asarray(ncps_wiring.sensory_adjacency_matrix, dtype=float)
    n = A.shape[0]
    names = [f"n{i}" for i in range(n)]
    meta = None
    if ncps_wiring.num_layers > 1:
        layer = np.empty(n, np.int64)
        for lay in range(ncps_wiring.num_layers):
            layer[list(ncps_wiring.get_neurons_of_layer(lay))] = lay
        meta = pd.DataFrame({"layer": layer}, index=pd.Index(names, name="name"))
    return Wiring(names, np.abs(A), np.sign(A), None, (), names[:ncps_wiring.output_dim], meta, name,
                  input_map=np.abs(S), input_sign=np.where(S < 0, -1.0, 1.0) * (S != 0),
                  input_channels=[f"in{i}" for i in range(S.shape[0])])


def _on_mask(dense, mat):
    """Entries of ``dense[row, col]`` at the CSR entries of sparse `mat` (CSR order)."""
    rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
    return np.ascontiguousarray(dense[rows, mat.indices], dtype=np.float64)


def _ltc_cell(module):
    cell = getattr(module, "rnn_cell", module)
    if type(cell).__name__ != "LTCCell":
        raise ParameterError(f"expected an ncps LTC or LTCCell, got {type(module).__name__}")
    if getattr(module, "use_mixed", False):
        raise ParameterError("mixed_memory (LSTM) ncps models are not supported")
    return cell


def _ltc_from_ncps(module, wiring):
    import torch

    from .liquid import LTCNetwork
    from .models.ltc import LTCParams

    cell = _ltc_cell(module)
    if wiring is None:
        wiring = wiring_from_ncps(cell._wiring)
    P = cell._params
    pos = cell.make_positive_fn
    with torch.no_grad():
        get = {k: _np(v) for k, v in P.items()}
        for k in ("w", "sensory_w", "cm", "gleak"):
            get[k] = _np(pos(P[k]))
    mask = np.abs(get["sparsity_mask"]) != 0
    smask = np.abs(get["sensory_sparsity_mask"]) != 0
    chem, inp = wiring.chemical, wiring.input_matrix()
    if not np.array_equal(mask, chem.toarray() != 0) or not np.array_equal(smask, inp.toarray() != 0):
        raise ParameterError("the wiring's chemical synapses / input map differ from the ncps cell's masks")
    n_in, n_out = inp.shape[0], cell.motor_size
    params = LTCParams(
        gleak=get["gleak"], vleak=get["vleak"], cm=get["cm"],
        w=_on_mask(get["w"], chem), sigma=_on_mask(get["sigma"], chem), mu=_on_mask(get["mu"], chem),
        erev=_on_mask(get["erev"], chem),
        sensory_w=_on_mask(get["sensory_w"], inp), sensory_sigma=_on_mask(get["sensory_sigma"], inp),
        sensory_mu=_on_mask(get["sensory_mu"], inp), sensory_erev=_on_mask(get["sensory_erev"], inp),
        gap_w=np.zeros(wiring.electrical.nnz),
        input_w=get.get("input_w", np.ones(n_in)), input_b=get.get("input_b", np.zeros(n_in)),
        output_w=get.get("output_w", np.ones(n_out)), output_b=get.get("output_b", np.zeros(n_out)),
        epsilon=cell._epsilon,
    )
    out = wiring.output_matrix().tocsc()
    if out.shape[1] != n_out or not np.array_equal(out.indices, np.arange(n_out)):
        raise ParameterError(f"ncps reads its first {n_out} neurons as outputs; the wiring's outputs differ")
    return LTCNetwork(wiring, params, ode_unfolds=cell._ode_unfolds)


_ACT_NAMES = {"LeCun": "lecun_tanh", "Tanh": "tanh", "ReLU": "relu", "SiLU": "silu", "GELU": "gelu"}


def _cfc_layer_kwargs(cell, mode):
    mask = None if cell.sparsity_mask is None else _np(cell.sparsity_mask).T != 0
    kw = {"ff1": _np(cell.ff1.weight).T, "ff1_b": _np(cell.ff1.bias)}
    if mode != "pure":
        for head in ("ff2", "time_a", "time_b"):
            lin = getattr(cell, head)
            kw[head], kw[head + "_b"] = _np(lin.weight).T, _np(lin.bias)
    kw["mask"] = mask
    return kw


def _cfc_from_ncps(module, wiring):
    from .liquid import CfCNetwork
    from .models.cfc import CfCLayer, CfCParams

    cell = getattr(module, "rnn_cell", module)
    kind = type(cell).__name__
    if getattr(module, "use_mixed", False):
        raise ParameterError("mixed_memory (LSTM) ncps models are not supported")
    fc = getattr(module, "fc", None)
    proj = {}
    if fc is not None and type(fc).__name__ == "Linear":
        proj = {"proj_w": _np(fc.weight).T, "proj_b": _np(fc.bias)}
    if kind == "CfCCell":
        mode = cell.mode
        n_in, H = cell.input_size, cell.hidden_size
        backbone, act = [], "lecun_tanh"
        if cell.backbone_layers > 0:
            for layer in cell.backbone:
                name = type(layer).__name__
                if name == "Linear":
                    backbone.append((_np(layer.weight).T, _np(layer.bias)))
                elif name in _ACT_NAMES:
                    act = _ACT_NAMES[name]
        kw = _cfc_layer_kwargs(cell, mode)
        lay = CfCLayer(neurons=np.arange(H), sources=np.arange(n_in + H), **kw)
        pure = {"w_tau": _np(cell.w_tau).ravel(), "A": _np(cell.A).ravel()} if mode == "pure" else {}
        params = CfCParams(n_inputs=n_in, n_neurons=H, mode=mode, layers=(lay,), backbone=tuple(backbone),
                           activation=act, **pure, **proj)
        return CfCNetwork(params)
    if kind != "WiredCfCCell":
        raise ParameterError(f"expected an ncps CfC, CfCCell or WiredCfCCell, got {type(module).__name__}")
    w = cell._wiring
    if wiring is None:
        wiring = wiring_from_ncps(w)
    n_in, n = w.input_dim, w.units
    layers, w_tau, A = [], np.zeros(n), np.ones(n)
    mode = cell._layers[0].mode
    for li, sub in enumerate(cell._layers):
        idx = np.asarray(w.get_neurons_of_layer(li), dtype=np.int64)
        src = np.arange(n_in) if li == 0 else n_in + np.asarray(w.get_neurons_of_layer(li - 1), dtype=np.int64)
        kw = _cfc_layer_kwargs(sub, mode)
        layers.append(CfCLayer(neurons=idx, sources=np.r_[src, n_in + idx], **kw))
        if mode == "pure":
            w_tau[idx], A[idx] = _np(sub.w_tau).ravel(), _np(sub.A).ravel()
    last = np.asarray(w.get_neurons_of_layer(w.num_layers - 1), dtype=np.int64)
    pure = {"w_tau": w_tau, "A": A} if mode == "pure" else {}
    params = CfCParams(n_inputs=n_in, n_neurons=n, mode=mode, layers=tuple(layers), readout=last, **pure, **proj)
    return CfCNetwork.wired(wiring, params)


def from_ncps(module, wiring=None):
    """Our network computing what the ncps `module` computes.

    Parameters
    ----------
    module : ncps.torch.LTC, LTCCell, CfC, CfCCell or WiredCfCCell
    wiring : connectome.Wiring, optional
        The wiring to use (must have the module's masks); default
        :func:`wiring_from_ncps` of the module's wiring.

    Returns
    -------
    LTCNetwork or CfCNetwork
    """
    cell = getattr(module, "rnn_cell", module)
    if type(cell).__name__ == "LTCCell":
        return _ltc_from_ncps(module, wiring)
    return _cfc_from_ncps(module, wiring)


def _tensor(values, like):
    """A new tensor with `values` (copied: our arrays are read-only) in the dtype of `like`."""
    import torch

    return torch.tensor(np.array(values, dtype=np.float64), dtype=like.dtype)


def _inv_softplus(x):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(x > 30, x, np.log(np.expm1(np.maximum(x, 1e-300))))


def to_ncps(net, module=None, *, check: bool = True):
    """Write the parameters of `net` into the ncps `module` (same wiring/structure), in place.

    Parameters
    ----------
    net : LTCNetwork or CfCNetwork
    module : ncps.torch.LTC, ncps.torch.CfC or their cells, optional
        Default: a new ncps ``CfC`` for a (wired) CfC network, with its layers as ncps
        wiring layers (an NCP wiring exports as ncps's layered NCP). LTC networks need
        their module.
    check : bool
        Run both on a random sequence and refuse an export that computes a different
        function (e.g. a wired CfC built with ``recurrent="wiring"``: ncps's wired cell
        connects each layer to the previous one only).

    Returns
    -------
    module
        Entries off the masks are left as they are (ncps multiplies them by 0).

    Raises
    ------
    ParameterError
        Structures that do not match, or an export that ncps cannot represent.
    """
    if module is None:
        module = _new_cfc_module(net)
    _write(net, module)
    if check and hasattr(module, "rnn_cell"):   # a sequence module (cells alone take one step)
        _check_same_function(net, module)
    return module


def _new_cfc_module(net):
    """An ncps CfC whose wiring has the network's layers (ncps's layered wiring protocol)."""
    from ncps import wirings
    from ncps.torch import CfC

    from .models.cfc import CfCParams

    p = getattr(net, "params", None)
    if not isinstance(p, CfCParams):
        raise ParameterError("to_ncps builds a module for CfC networks only; pass the ncps LTC module to fill")
    if p.backbone or len(p.layers) == 1 and net.circuit.wiring.chemical.nnz == 0:
        raise ParameterError("a dense CfC exports into an ncps CfC(input_size, units) you build; pass it as module")
    w = net.circuit.wiring
    layers = [np.asarray(lay.neurons) for lay in p.layers]

    class _Layered(wirings.Wiring):
        @property
        def num_layers(self):
            return len(layers)

        def get_neurons_of_layer(self, layer_id):
            return list(layers[layer_id])

    out = _Layered(w.n)
    adj = np.zeros((w.n, w.n), dtype=np.int32)
    c = w.sign.tocoo()
    adj[c.row, c.col] = c.data.astype(np.int32)
    for a, b in zip(layers[:-1], layers[1:]):   # ncps connects each layer from the previous one
        sub = adj[np.ix_(a, b)]
        sub[sub == 0] = 1
        adj[np.ix_(a, b)] = sub
    out.adjacency_matrix = adj
    M = w.input_matrix()
    out.build(M.shape[0])
    sens = np.zeros(M.shape, dtype=np.int32)
    m = M.tocoo()
    sens[m.row, m.col] = np.where(m.data >= 0, 1, -1)
    out.sensory_adjacency_matrix = sens
    out.set_output_dim(len(p.readout) if p.readout is not None else w.n)
    return CfC(M.shape[0], out, mode=p.mode, return_sequences=True)


def _check_same_function(net, module):
    import torch

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, net.n_inputs))
    dtype = next(module.parameters()).dtype
    with torch.no_grad():
        out = module(torch.as_tensor(x, dtype=dtype))
    theirs = out[0].numpy() if isinstance(out, tuple) else out.numpy()
    ours = net.run(x, dense=False).outputs()[:, 1:]
    if theirs.shape != ours.shape:
        raise ParameterError(f"the ncps module returns outputs of shape {theirs.shape}, the network {ours.shape}")
    gap = float(np.abs(theirs - ours).max())
    if not gap <= 1e-3 * max(1.0, float(np.abs(ours).max())):
        hint = ""
        if getattr(getattr(net, "params", None), "layers", None) is not None:
            hint = (" ncps's wired CfC connects each layer to the previous layer only, with full self-recurrence and "
                    "unmasked time gates: build the network with CfCParams.wired(..., recurrent='ncps') to export it")
        raise ParameterError(f"the ncps module computes a different function from the network (outputs differ by "
                             f"{gap:.3g} on a test sequence);{hint}")


def _write(net, module):
    """Copy `net`'s parameters into `module` in place."""
    import torch

    cell = getattr(module, "rnn_cell", module)
    kind = type(cell).__name__
    with torch.no_grad():
        if kind == "LTCCell":
            p, wiring = net.params, net.wiring
            P = cell._params
            implicit = type(cell.make_positive_fn).__name__ == "Softplus"

            def put(key, values, positive=False):
                t = P[key]
                v = _inv_softplus(values) if (positive and implicit) else values
                t.copy_(_tensor(v, t))

            def put_masked(key, values, mat, positive=False):
                t = P[key]
                dense = _np(t)
                rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
                dense[rows, mat.indices] = _inv_softplus(values) if (positive and implicit) else values
                t.copy_(_tensor(dense, t))

            if P["w"].shape[0] != wiring.n or P["sensory_w"].shape[0] != p.input_w.size:
                raise ParameterError("the ncps module has a different size than the network")
            gap_w = np.asarray(getattr(p, "gap_w", ()), dtype=np.float64)
            if gap_w.size and np.any(gap_w != 0):
                from .errors import NotRepresentableError

                raise NotRepresentableError(
                    f"the network has {int(np.count_nonzero(gap_w)) // 2} gap junction(s) with non-zero (e.g. learned) "
                    "conductance; ncps LTC cells have no gap junctions, so this network cannot be exported")
            put("gleak", p.gleak, True)
            put("vleak", p.vleak)
            put("cm", p.cm, True)
            chem, inp = wiring.chemical, wiring.input_matrix()
            for key in ("w", "sigma", "mu", "erev"):
                put_masked(key, getattr(p, key), chem, key == "w")
            for key in ("sensory_w", "sensory_sigma", "sensory_mu", "sensory_erev"):
                put_masked(key, getattr(p, key), inp, key == "sensory_w")
            for key in ("input_w", "input_b", "output_w", "output_b"):
                if key in P:
                    put(key, getattr(p, key))
                elif not np.allclose(getattr(p, key), 1.0 if key.endswith("_w") else 0.0):
                    raise ParameterError(f"the ncps module has no {key} (mapping) but the network's is not neutral")
            return
        p = net.params
        subs = [cell] if kind == "CfCCell" else list(cell._layers)
        if len(subs) != len(p.layers):
            raise ParameterError(f"the ncps module has {len(subs)} layers, the network {len(p.layers)}")
        for sub, lay in zip(subs, p.layers):
            heads = ("ff1",) if p.mode == "pure" else ("ff1", "ff2", "time_a", "time_b")
            for head in heads:
                lin = getattr(sub, head)
                w = getattr(lay, head)
                w = w.toarray() if lay.sparse else w  # ncps layers are dense (and small)
                lin.weight.copy_(_tensor(w.T, lin.weight))
                lin.bias.copy_(_tensor(getattr(lay, head + "_b"), lin.bias))
            if p.mode == "pure":
                sub.w_tau.copy_(_tensor(p.w_tau[lay.neurons][None], sub.w_tau))
                sub.A.copy_(_tensor(p.A[lay.neurons][None], sub.A))
        if kind == "CfCCell" and p.backbone:
            lins = [m for m in cell.backbone if type(m).__name__ == "Linear"]
            for lin, (w, b) in zip(lins, p.backbone):
                lin.weight.copy_(_tensor(w.T, lin.weight))
                lin.bias.copy_(_tensor(b, lin.bias))
        fc = getattr(module, "fc", None)
        if p.proj_w is not None and fc is not None and type(fc).__name__ == "Linear":
            fc.weight.copy_(_tensor(p.proj_w.T, fc.weight))
            fc.bias.copy_(_tensor(p.proj_b, fc.bias))


def ncps_state_order(net) -> np.ndarray:
    """Neuron indices in the order of an ncps hidden state (layer by layer for wired CfC).

    ``our_states[..., ncps_state_order(net)]`` equals ncps's hidden state.
    """
    params = getattr(net, "params", None)
    if params is not None and hasattr(params, "layers"):
        return np.concatenate([lay.neurons for lay in params.layers])
    return np.arange(net.n_neurons)
