"""A layered sensory -> inter -> command -> motor wiring derived from the real connectome.

Roles come from the neuron ``type`` column (``sensory``, ``interneuron``,
``motor``) and from the command interneurons AVA, AVB, AVD, AVE and PVC
(Chalfie et al. 1985, J Neurosci 5:956; Zheng et al. 1999, Neuron 24:347), the
layer structure that neural circuit policies borrow (Lechner et al. 2020,
Nat Mach Intell 2:642). The synapses are the dataset's own.
"""

from __future__ import annotations

import numpy as np

from .errors import WiringError

__all__ = ["layered", "layered_wiring", "COMMAND_CLASSES", "LAYERS"]

COMMAND_CLASSES = ("AVA", "AVB", "AVD", "AVE", "PVC")
LAYERS = ("sensory", "inter", "command", "motor")


def layered(source, *, sensory=None, inter=None, command=COMMAND_CLASSES, motor=None,
            connect: str = "all", name: str | None = None, layer_column: str = "layer"):
    """Derive a four-layer wiring (sensory -> inter -> command -> motor) from a connectome.

    Parameters
    ----------
    source : Wiring or Connectome
        Needs a metadata column ``type`` unless every layer is given explicitly.
    command : sequence of str
        Command interneurons (names or classes). Default: AVA, AVB, AVD, AVE, PVC.
    inter : None, "all" or sequence of str
        None (default): interneurons (type ``interneuron``, not command) that
        receive a synapse from a sensory neuron and make one onto a command
        neuron (chemical or electrical). ``"all"``: every interneuron.
    sensory : None, "all" or sequence of str
        None (default): sensory neurons that make a synapse onto a chosen inter
        or command neuron. ``"all"``: every sensory neuron.
    motor : None, "all" or sequence of str
        None (default): motor neurons that receive a synapse from a command
        neuron. ``"all"``: every motor neuron.
    connect : {"all", "feedforward"}
        ``"all"`` keeps every real synapse among the chosen neurons.
        ``"feedforward"`` keeps chemical synapses within a layer or to the next
        layer (``layer(post) - layer(pre)`` in {0, 1}) and gap junctions within
        a layer or between adjacent layers.
    name : str, optional
    layer_column : str
        Metadata column receiving the layer names.

    Returns
    -------
    Wiring
        Neurons ordered sensory, inter, command, motor; within a layer in
        source order. ``inputs`` = sensory layer, ``outputs`` = motor layer.

    Raises
    ------
    WiringError
        Missing ``type`` column, a neuron given for two layers, or an empty layer.
    """
    from .select import _directed, as_wiring, resolve, with_layers

    w = as_wiring(source)
    if connect not in ("all", "feedforward"):
        raise WiringError(f"connect must be 'all' or 'feedforward', got {connect!r}")
    needs_types = any(x is None or (isinstance(x, str) and x == "all") for x in (sensory, inter, motor))
    if needs_types and "type" not in w.metadata:
        raise WiringError(
            "layered() takes the layers from the metadata column 'type'; this wiring has none: "
            "pass sensory=, inter= and motor= explicitly"
        )
    types = w.metadata["type"].to_numpy(dtype=object) if "type" in w.metadata else np.full(w.n, None)
    pos = w._index
    cmd = resolve(w, command, what="command")
    if not cmd:
        raise WiringError("the command layer is empty")
    cmd_set = set(cmd)
    pool = {t: [nm for nm, tt in zip(w.neurons, types) if tt == t and nm not in cmd_set]
            for t in ("sensory", "interneuron", "motor")}
    A = _directed(w, ("chemical", "electrical"))
    A_csc = A.tocsc()

    def targets_of(names):
        idx = [pos[x] for x in names]
        return set(np.asarray(A[idx].indices).tolist()) if idx else set()

    def sources_of(names):
        idx = [pos[x] for x in names]
        return set(np.asarray(A_csc[:, idx].indices).tolist()) if idx else set()

    # inter
    if inter is None:
        from_sensory = targets_of(pool["sensory"])
        onto_cmd = sources_of(cmd)
        inter_l = [nm for nm in pool["interneuron"] if pos[nm] in from_sensory and pos[nm] in onto_cmd]
    elif isinstance(inter, str) and inter == "all":
        inter_l = pool["interneuron"]
    else:
        inter_l = resolve(w, inter, what="inter")
    # sensory
    if sensory is None:
        onto = sources_of(inter_l + cmd)
        sens_l = [nm for nm in pool["sensory"] if pos[nm] in onto]
    elif isinstance(sensory, str) and sensory == "all":
        sens_l = pool["sensory"]
    else:
        sens_l = resolve(w, sensory, what="sensory")
    # motor
    if motor is None:
        from_cmd = targets_of(cmd)
        mot_l = [nm for nm in pool["motor"] if pos[nm] in from_cmd]
    elif isinstance(motor, str) and motor == "all":
        mot_l = pool["motor"]
    else:
        mot_l = resolve(w, motor, what="motor")

    layer_lists = {"sensory": sens_l, "inter": inter_l, "command": cmd, "motor": mot_l}
    layer_of = {}
    for layer, names in layer_lists.items():
        if not names:
            raise WiringError(
                f"the {layer} layer is empty; pass {layer}= explicitly (names or classes) or 'all'"
                if layer != "command" else "the command layer is empty")
        for nm in names:
            if nm in layer_of:
                raise WiringError(f"neuron {nm!r} is assigned to both the {layer_of[nm]} and the {layer} layer")
            layer_of[nm] = layer
    order = [nm for layer in LAYERS for nm in sorted(layer_lists[layer], key=pos.__getitem__)]
    sub = w.subset(order, name=name or f"{w.name}_layered")
    if connect == "feedforward":
        import scipy.sparse as sp

        rank = np.array([LAYERS.index(layer_of[nm]) for nm in order])
        chem = sub.chemical.tocoo()
        keep = np.isin(rank[chem.col] - rank[chem.row], (0, 1))
        sgn = sub.sign.tocoo()
        C = sp.csr_array((chem.data[keep], (chem.row[keep], chem.col[keep])), shape=chem.shape)
        S = sp.csr_array((sgn.data[keep], (sgn.row[keep], sgn.col[keep])), shape=chem.shape)
        gap = sub.electrical.tocoo()
        gk = np.abs(rank[gap.col] - rank[gap.row]) <= 1
        G = sp.csr_array((gap.data[gk], (gap.row[gk], gap.col[gk])), shape=gap.shape)
        sub = sub._replace(chemical=C, sign=S, electrical=G)
    sub = sub._replace(
        inputs=[nm for nm in order if layer_of[nm] == "sensory"],
        outputs=[nm for nm in order if layer_of[nm] == "motor"],
        input_map=None, input_sign=None, input_channels=(), output_map=None, output_channels=(),
        info={**w.info, "derived": "layered", "connect": connect, "command": list(cmd)},
    )
    return with_layers(sub, layer_of, layer_column)


#: Alias of :func:`layered` that does not shadow this module when re-exported from ``connectome``.
layered_wiring = layered
