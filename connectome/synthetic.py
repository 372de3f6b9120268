"""Synthetic wirings of the same :class:`~connectome.Wiring` type, for comparison with the worm.

* :func:`ncp` -- the neural circuit policy rules of Lechner et al. (2020),
  *Neural circuit policies enabling auditable autonomy*, Nat Mach Intell
  2:642-652: sensory -> inter -> command (recurrent) -> motor, sparse and seeded.
* :func:`auto_ncp` -- an NCP sized from a neuron count and a sparsity level.
* :func:`random_sparse` -- uniformly random synapses at an exact density.
* :func:`fully_connected` -- every possible synapse.
* :func:`degree_preserving` -- a null model of any wiring that keeps every
  neuron's in- and out-degree (and gap-junction degree) exactly.

Randomness always comes from ``numpy.random.default_rng(seed)``; the seed
(drawn fresh and recorded when not given) is stored in ``wiring.info["seed"]``
with every parameter, so ``info`` alone rebuilds the wiring.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .errors import WiringError

__all__ = ["NCPParameters", "ncp", "auto_ncp", "auto_ncp_parameters", "random_sparse", "fully_connected",
           "degree_preserving", "from_info"]


def _seed(seed):
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise WiringError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)


def _count(name, value, low=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise WiringError(f"{name} must be an integer >= {low}, got {value!r}")


def _fraction(name, value, *, closed_high=True):
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if not ok or not np.isfinite(value) or value < 0 or value > 1 or (not closed_high and value == 1):
        rng = "[0, 1]" if closed_high else "[0, 1)"
        raise WiringError(f"{name} must be a number in {rng}, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class NCPParameters:
    """Layer sizes and fan-outs of a neural circuit policy (Lechner et al. 2020).

    Parameters
    ----------
    inter_neurons, command_neurons, motor_neurons : int
        Layer sizes (>= 1).
    sensory_fanout : int
        Distinct inter neurons each input channel synapses onto (1 .. inter_neurons).
    inter_fanout : int
        Distinct command neurons each inter neuron synapses onto (1 .. command_neurons).
    recurrent_command_synapses : int
        Distinct command -> command synapses (0 .. command_neurons**2; self-synapses allowed).
    motor_fanin : int
        Distinct command neurons synapsing onto each motor neuron (1 .. command_neurons).
    n_inputs : int
        Number of input channels (sensory neurons / features).

    Raises
    ------
    WiringError
        Any value out of range (the message names it and its limit).
    """

    inter_neurons: int
    command_neurons: int
    motor_neurons: int
    sensory_fanout: int
    inter_fanout: int
    recurrent_command_synapses: int
    motor_fanin: int
    n_inputs: int

    def __post_init__(self):
        for nm in ("inter_neurons", "command_neurons", "motor_neurons", "n_inputs",
                   "sensory_fanout", "inter_fanout", "motor_fanin"):
            _count(nm, getattr(self, nm))
        _count("recurrent_command_synapses", self.recurrent_command_synapses, low=0)
        if self.sensory_fanout > self.inter_neurons:
            raise WiringError(f"sensory_fanout={self.sensory_fanout} is larger than the inter layer "
                              f"(inter_neurons={self.inter_neurons}); lower the fan-out or add inter neurons")
        if self.inter_fanout > self.command_neurons:
            raise WiringError(f"inter_fanout={self.inter_fanout} is larger than the command layer "
                              f"(command_neurons={self.command_neurons})")
        if self.motor_fanin > self.command_neurons:
            raise WiringError(f"motor_fanin={self.motor_fanin} is larger than the command layer "
                              f"(command_neurons={self.command_neurons})")
        if self.recurrent_command_synapses > self.command_neurons**2:
            raise WiringError(f"recurrent_command_synapses={self.recurrent_command_synapses} exceeds the "
                              f"{self.command_neurons**2} possible command -> command synapses")

    @property
    def units(self) -> int:
        """Neurons in the wiring (inter + command + motor; inputs are channels, not neurons)."""
        return self.inter_neurons + self.command_neurons + self.motor_neurons


def _signs(rng, k, inhibitory_fraction):
    return np.where(rng.random(k) < inhibitory_fraction, -1.0, 1.0)


def ncp(*, inter_neurons, command_neurons, motor_neurons, sensory_fanout, inter_fanout,
        recurrent_command_synapses, motor_fanin, n_inputs, seed=None, inhibitory_fraction=0.5,
        name: str = "ncp"):
    """A neural circuit policy wiring built by the rules of Lechner et al. (2020).

    Rules (each draw uniform, without replacement, from ``default_rng(seed)``):

    1. each of the `n_inputs` channels synapses onto `sensory_fanout` distinct
       inter neurons; an inter neuron that no channel reached then receives
       ``clip(n_inputs * sensory_fanout // inter_neurons, 1, n_inputs)`` channels;
    2. each inter neuron synapses onto `inter_fanout` distinct command neurons;
       an unreached command neuron receives
       ``clip(inter_neurons * inter_fanout // command_neurons, 1, inter_neurons)``
       inter neurons;
    3. `recurrent_command_synapses` distinct command -> command synapses
       (self-synapses allowed);
    4. each motor neuron receives `motor_fanin` distinct command neurons; a
       command neuron that reaches no motor neuron then synapses onto
       ``clip(motor_neurons * motor_fanin // command_neurons, 1, motor_neurons)``
       motor neurons;
    5. each synapse is inhibitory with probability `inhibitory_fraction`
       (Lechner et al. draw polarities at random, i.e. 0.5); weights are 1.

    Without fill-ins the chemical synapse count is
    ``inter*inter_fanout + recurrent + motor*motor_fanin`` and the input synapse
    count ``n_inputs*sensory_fanout``.

    Parameters
    ----------
    inter_neurons, command_neurons, motor_neurons, sensory_fanout, inter_fanout,
    recurrent_command_synapses, motor_fanin, n_inputs : int
        See :class:`NCPParameters`.
    seed : int, optional
        Stored in ``info["seed"]`` (a fresh one is drawn and stored when None).
    inhibitory_fraction : float in [0, 1]
    name : str

    Returns
    -------
    Wiring
        Neurons ``motor0.., command0.., inter0..`` in that order (motor neurons
        first, as :mod:`ncps` expects its outputs); ``outputs`` = motor neurons;
        input channels ``sensory0..`` mapped by ``input_map`` (sign in
        ``input_sign``); metadata column ``layer``.

    Examples
    --------
    >>> w = ncp(inter_neurons=12, command_neurons=6, motor_neurons=1, sensory_fanout=6, inter_fanout=4,
    ...         recurrent_command_synapses=6, motor_fanin=6, n_inputs=32, seed=1)
    >>> w.n, w.input_map.nnz, w.chemical.nnz
    (19, 192, 60)
    """
    p = NCPParameters(inter_neurons=inter_neurons, command_neurons=command_neurons, motor_neurons=motor_neurons,
                      sensory_fanout=sensory_fanout, inter_fanout=inter_fanout,
                      recurrent_command_synapses=recurrent_command_synapses, motor_fanin=motor_fanin,
                      n_inputs=n_inputs)
    _fraction("inhibitory_fraction", inhibitory_fraction)
    seed = _seed(seed)
    return _build_ncp(p, seed, float(inhibitory_fraction), name, generator="ncp")


def _build_ncp(p: NCPParameters, seed, inhibitory_fraction, name, generator, extra=None):
    import pandas as pd
    import scipy.sparse as sp

    from .wiring import Wiring

    rng = np.random.default_rng(seed)
    nm_, nc_, ni_ = p.motor_neurons, p.command_neurons, p.inter_neurons
    motor = np.arange(nm_)
    command = nm_ + np.arange(nc_)
    inter = nm_ + nc_ + np.arange(ni_)
    n = p.units

    # 1. input channels -> inter
    rows, cols = [], []
    for ch in range(p.n_inputs):
        for dst in rng.choice(inter, size=p.sensory_fanout, replace=False):
            rows.append(ch)
            cols.append(int(dst))
    missed = np.setdiff1d(inter, cols)
    fill = int(np.clip(p.n_inputs * p.sensory_fanout // ni_, 1, p.n_inputs))
    for dst in missed:
        for ch in rng.choice(p.n_inputs, size=fill, replace=False):
            rows.append(int(ch))
            cols.append(int(dst))
    in_sign = _signs(rng, len(rows), inhibitory_fraction)

    pre, post = [], []
    # 2. inter -> command
    for src in inter:
        for dst in rng.choice(command, size=p.inter_fanout, replace=False):
            pre.append(int(src))
            post.append(int(dst))
    reached = set(post)
    fill = int(np.clip(ni_ * p.inter_fanout // nc_, 1, ni_))
    for dst in command:
        if int(dst) not in reached:
            for src in rng.choice(inter, size=fill, replace=False):
                pre.append(int(src))
                post.append(int(dst))
    # 3. recurrent command synapses: distinct ordered pairs
    if p.recurrent_command_synapses:
        flat = rng.choice(nc_ * nc_, size=p.recurrent_command_synapses, replace=False)
        pre.extend((command[flat // nc_]).tolist())
        post.extend((command[flat % nc_]).tolist())
    # 4. command -> motor
    for dst in motor:
        for src in rng.choice(command, size=p.motor_fanin, replace=False):
            pre.append(int(src))
            post.append(int(dst))
    used = {a for a, b in zip(pre, post) if b < nm_}
    fill = int(np.clip(nm_ * p.motor_fanin // nc_, 1, nm_))
    for src in command:
        if int(src) not in used:
            for dst in rng.choice(motor, size=fill, replace=False):
                pre.append(int(src))
                post.append(int(dst))
    sign = _signs(rng, len(pre), inhibitory_fraction)

    names = [f"motor{i}" for i in range(nm_)] + [f"command{i}" for i in range(nc_)] + \
        [f"inter{i}" for i in range(ni_)]
    layer = ["motor"] * nm_ + ["command"] * nc_ + ["inter"] * ni_
    W = sp.csr_array((np.ones(len(pre)), (pre, post)), shape=(n, n))
    S = sp.csr_array((sign, (pre, post)), shape=(n, n))
    M = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(p.n_inputs, n))
    MS = sp.csr_array((in_sign, (rows, cols)), shape=(p.n_inputs, n))
    meta = pd.DataFrame({"layer": pd.Series(layer, index=pd.Index(names, name="name"), dtype="str")})
    info = {"generator": generator, **asdict(p), "seed": seed, "inhibitory_fraction": inhibitory_fraction,
            "reference": "Lechner et al. 2020, Nat Mach Intell 2:642", **(extra or {})}
    inputs = [names[i] for i in sorted(set(cols))]
    return Wiring(names, W, S, None, inputs, names[:nm_], meta, name, input_map=M, input_sign=MS,
                  input_channels=[f"sensory{i}" for i in range(p.n_inputs)], info=info)


def auto_ncp_parameters(units, outputs, n_inputs, sparsity=0.5) -> NCPParameters:
    """NCP layer sizes and fan-outs from a neuron count (the AutoNCP rule of the ncps package).

    ``command = max(int(0.4 * (units - outputs)), 1)``, ``inter = units - outputs - command``;
    with ``density = 1 - sparsity``: ``sensory_fanout = max(int(inter * density), 1)``,
    ``inter_fanout = motor_fanin = max(int(command * density), 1)``,
    ``recurrent_command_synapses = max(int(command * density * 2), 1)``.

    Raises
    ------
    WiringError
        ``outputs >= units - 2`` (no room for inter and command layers), or
        `sparsity` outside [0, 1).
    """
    _count("units", units)
    _count("outputs", outputs)
    _count("n_inputs", n_inputs)
    if outputs >= units - 2:
        raise WiringError(f"outputs={outputs} must be smaller than units - 2 = {units - 2} so that inter and "
                          f"command layers get at least one neuron each")
    _fraction("sparsity", sparsity, closed_high=False)
    density = 1.0 - float(sparsity)
    command = max(int(0.4 * (units - outputs)), 1)
    inter = units - outputs - command
    return NCPParameters(
        inter_neurons=inter, command_neurons=command, motor_neurons=outputs,
        sensory_fanout=max(int(inter * density), 1), inter_fanout=max(int(command * density), 1),
        recurrent_command_synapses=max(int(command * density * 2), 1), motor_fanin=max(int(command * density), 1),
        n_inputs=n_inputs,
    )


def auto_ncp(units, outputs, n_inputs, *, sparsity=0.5, seed=None, inhibitory_fraction=0.5,
             name: str = "auto_ncp"):
    """An NCP wiring from a neuron count; see :func:`auto_ncp_parameters` and :func:`ncp`."""
    p = auto_ncp_parameters(units, outputs, n_inputs, sparsity)
    _fraction("inhibitory_fraction", inhibitory_fraction)
    return _build_ncp(p, _seed(seed), float(inhibitory_fraction), name, generator="auto_ncp",
                      extra={"units": int(units), "outputs": int(outputs), "sparsity": float(sparsity)})


def _names(neurons):
    if isinstance(neurons, (int, np.integer)) and not isinstance(neurons, bool):
        _count("neurons", neurons)
        return [f"n{i}" for i in range(int(neurons))]
    if isinstance(neurons, str):
        raise WiringError("neurons must be a count or a sequence of names, not a single string")
    return [str(x) for x in neurons]


def random_sparse(neurons, density, *, seed=None, inhibitory_fraction=0.0, self_synapses=False,
                  inputs=(), outputs=(), name: str = "random"):
    """Uniformly random chemical synapses at an exact density.

    Exactly ``round(density * m)`` distinct synapses are drawn, where ``m`` is
    ``n * n`` (with `self_synapses`) or ``n * (n - 1)``.

    Parameters
    ----------
    neurons : int or sequence of str
        A count (names ``n0, n1, ...``) or the names.
    density : float in [0, 1]
    seed : int, optional
    inhibitory_fraction : float in [0, 1]
        Probability that a synapse is inhibitory.
    self_synapses : bool
    inputs, outputs : sequence of str
    name : str

    Raises
    ------
    WiringError
        Negative or > 1 density, bad fraction or seed.
    """
    import scipy.sparse as sp

    from .wiring import Wiring

    names = _names(neurons)
    _fraction("density", density)
    _fraction("inhibitory_fraction", inhibitory_fraction)
    seed = _seed(seed)
    rng = np.random.default_rng(seed)
    n = len(names)
    m = n * n if self_synapses else n * (n - 1)
    k = int(round(float(density) * m))
    flat = rng.choice(m, size=k, replace=False) if k else np.zeros(0, np.int64)
    if self_synapses:
        pre, post = flat // n, flat % n
    else:  # enumerate off-diagonal slots: row r holds n - 1 slots
        pre = flat // (n - 1) if n > 1 else flat
        col = flat % (n - 1) if n > 1 else flat
        post = col + (col >= pre)
    sign = _signs(rng, k, inhibitory_fraction)
    W = sp.csr_array((np.ones(k), (pre, post)), shape=(n, n))
    S = sp.csr_array((sign, (pre, post)), shape=(n, n))
    info = {"generator": "random_sparse", "density": float(density), "seed": seed,
            "inhibitory_fraction": float(inhibitory_fraction), "self_synapses": bool(self_synapses)}
    return Wiring(names, W, S, None, inputs, outputs, None, name, info=info)


def fully_connected(neurons, *, self_synapses=True, inhibitory_fraction=0.0, seed=None, inputs=(), outputs=(),
                    name: str = "fully_connected"):
    """Every possible chemical synapse (weight 1), signs drawn with `inhibitory_fraction`."""
    import scipy.sparse as sp

    from .wiring import Wiring

    names = _names(neurons)
    _fraction("inhibitory_fraction", inhibitory_fraction)
    seed = _seed(seed)
    rng = np.random.default_rng(seed)
    n = len(names)
    dense = np.ones((n, n))
    if not self_synapses:
        np.fill_diagonal(dense, 0)
    W = sp.csr_array(dense)
    S = W.copy()
    S.data = _signs(rng, W.nnz, inhibitory_fraction)
    info = {"generator": "fully_connected", "seed": seed, "inhibitory_fraction": float(inhibitory_fraction),
            "self_synapses": bool(self_synapses)}
    return Wiring(names, W, S, None, inputs, outputs, None, name, info=info)


def _swap_directed(pre, post, n, rng, attempts):
    """Directed double-edge swaps (a->b, c->d) => (a->d, c->b); no self-loops or duplicates created."""
    m = len(pre)
    if m < 2:
        return post
    post = post.copy()
    present = set((pre * n + post).tolist())
    picks = rng.integers(0, m, size=(attempts, 2))
    for e, f in picks.tolist():
        a, b, c, d = pre[e], post[e], pre[f], post[f]
        if e == f or a == d or c == b or b == d:
            continue
        k1, k2 = a * n + d, c * n + b
        if k1 in present or k2 in present:
            continue
        present.discard(a * n + b)
        present.discard(c * n + d)
        present.add(k1)
        present.add(k2)
        post[e], post[f] = d, b
    return post


def _swap_undirected(u, v, n, rng, attempts):
    """Double-edge swaps of an undirected simple graph keeping every node degree."""
    m = len(u)
    if m < 2:
        return u, v
    u, v = u.copy(), v.copy()
    key = lambda a, b: (a * n + b) if a < b else (b * n + a)  # noqa: E731
    present = {key(a, b) for a, b in zip(u.tolist(), v.tolist())}
    picks = rng.integers(0, m, size=(attempts, 2))
    flips = rng.random(attempts) < 0.5
    for (e, f), flip in zip(picks.tolist(), flips.tolist()):
        if e == f:
            continue
        a, b = u[e], v[e]
        c, d = (v[f], u[f]) if flip else (u[f], v[f])
        # (a-b, c-d) -> (a-d, c-b)
        if a == d or c == b or a == c or b == d:
            continue
        k1, k2 = key(a, d), key(c, b)
        if k1 in present or k2 in present:
            continue
        present.discard(key(a, b))
        present.discard(key(u[f], v[f]))
        present.add(k1)
        present.add(k2)
        u[e], v[e] = a, d
        u[f], v[f] = c, b
    return u, v


def degree_preserving(source, *, seed=None, swaps_per_synapse: int = 10, name: str | None = None):
    """A null model of `source`: synapses rewired at random, every neuron's degrees kept exactly.

    Chemical synapses are rewired by directed double-edge swaps
    ``(a -> b, c -> d)`` => ``(a -> d, c -> b)``, which keep each neuron's in-
    and out-degree (connection counts); a synapse keeps its presynaptic neuron,
    weight and sign (so a GABAergic neuron's synapses stay inhibitory).
    Self-synapses are left in place and none is created. Gap junctions are
    rewired by undirected double-edge swaps keeping each neuron's gap-junction
    degree. Weighted strengths are not preserved, only connection counts.

    Parameters
    ----------
    source : Wiring or Connectome
    seed : int, optional
    swaps_per_synapse : int
        Attempted swaps per synapse (10 mixes the graph well).
    name : str, optional

    Returns
    -------
    Wiring
        Same neurons, order, inputs, outputs, channel maps and metadata.
    """
    import scipy.sparse as sp

    from .select import as_wiring

    w = as_wiring(source)
    _count("swaps_per_synapse", swaps_per_synapse, low=0)
    seed = _seed(seed)
    rng = np.random.default_rng(seed)
    n = w.n
    c = w.chemical.tocoo()
    s = w.sign.tocoo()
    pre, post, wt, sg = c.row.astype(np.int64), c.col.astype(np.int64), c.data, s.data
    loop = pre == post
    new_post = post.copy()
    new_post[~loop] = _swap_directed(pre[~loop], post[~loop], n, rng, swaps_per_synapse * int((~loop).sum()))
    W = sp.csr_array((wt, (pre, new_post)), shape=(n, n))
    S = sp.csr_array((sg, (pre, new_post)), shape=(n, n))
    g = sp.triu(w.electrical, k=1).tocoo()
    gl = sp.diags_array(w.electrical.diagonal()) if w.electrical.diagonal().any() else None
    gu, gv = _swap_undirected(g.row.astype(np.int64), g.col.astype(np.int64), n, rng,
                              swaps_per_synapse * g.nnz)
    G = sp.csr_array((np.r_[g.data, g.data], (np.r_[gu, gv], np.r_[gv, gu])), shape=(n, n))
    if gl is not None:
        G = sp.csr_array(G + gl)
    info = {**w.info, "null_model": "degree_preserving", "null_seed": seed,
            "swaps_per_synapse": int(swaps_per_synapse)}
    return w._replace(chemical=W, sign=S, electrical=G, name=name or f"{w.name}_null", info=info)


def from_info(info: dict):
    """Rebuild a synthetic wiring from its ``info`` (generator name, parameters and seed).

    Raises
    ------
    WiringError
        ``info`` was not produced by a generator of this module.
    """
    gen = info.get("generator")
    if gen == "ncp":
        keys = [f for f in NCPParameters.__dataclass_fields__]
        return ncp(**{k: info[k] for k in keys}, seed=info["seed"], inhibitory_fraction=info["inhibitory_fraction"])
    if gen == "auto_ncp":
        return auto_ncp(info["units"], info["outputs"], info["n_inputs"], sparsity=info["sparsity"],
                        seed=info["seed"], inhibitory_fraction=info["inhibitory_fraction"])
    if gen == "synthetic_brain":
        from .large import BRAIN_DEFAULTS, synthetic_brain

        return synthetic_brain(info["neurons"], **{k: info[k] for k in BRAIN_DEFAULTS}, seed=info["seed"])
    raise WiringError(f"info has generator {gen!r}; from_info rebuilds 'ncp', 'auto_ncp' and 'synthetic_brain' "
                      "wirings")
