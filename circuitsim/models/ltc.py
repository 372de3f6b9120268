"""Liquid time-constant (LTC) neurons on any wiring (Hasani, Lechner et al. 2021).

Equation for neuron ``j`` (one state variable ``V`` per neuron)::

    cm_j dV_j/dt = gleak_j (vleak_j - V_j)
                 + sum_{i -> j} w_ij s(sigma_ij (V_i - mu_ij)) (erev_ij - V_j)
                 + sum_{c -> j} sensory_w_cj s(sensory_sigma_cj (u_c - sensory_mu_cj)) (sensory_erev_cj - V_j)
                 + sum_{i ~ j} gap_w_ij (V_i - V_j)

``s`` is the logistic sigmoid, ``u_c = x_c * input_w_c + input_b_c`` the affinely
mapped input of channel ``c``, ``i -> j`` the chemical synapses of the wiring
(``W[pre, post]``), ``c -> j`` its input map (``input_matrix()[channel, neuron]``)
and ``i ~ j`` its gap junctions (an extension: ncps has none).  Outputs are
``(V @ R) * output_w + output_b`` with ``R = wiring.output_matrix()``.
The effective (liquid) time constant of a neuron is
``tau_sys = cm / (gleak + sum of the conductances above)``.

Parameter names and initial ranges follow ``ncps`` (Lechner et al. 2020), so
trained weights move across (:mod:`circuitsim.ncps_io`).  Every synaptic
parameter is stored per synapse of the wiring, never as a dense ``n x n`` matrix.

Units: with cm in pF, conductances in nS and potentials in mV, time is in ms;
ncps models are dimensionless with one time unit per sample by default.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from ..errors import ParameterError
from .base import Model, ModelParams, check_array, register_model

__all__ = ["LTC", "LTCParams", "NCPS_INIT_RANGES"]

#: Uniform initial ranges of ncps's LTC cell (ncps 1.0, ``LTCCell._init_ranges``).
NCPS_INIT_RANGES = {
    "gleak": (0.001, 1.0),
    "vleak": (-0.2, 0.2),
    "cm": (0.4, 0.6),
    "w": (0.001, 1.0),
    "sigma": (3.0, 8.0),
    "mu": (0.3, 0.8),
    "sensory_w": (0.001, 1.0),
    "sensory_sigma": (3.0, 8.0),
    "sensory_mu": (0.3, 0.8),
    "gap_w": (0.001, 1.0),
}

_NEURON = ("gleak", "vleak", "cm")
_SYNAPSE = ("w", "sigma", "mu", "erev")
_SENSORY = ("sensory_w", "sensory_sigma", "sensory_mu", "sensory_erev")
_ARRAYS = _NEURON + _SYNAPSE + _SENSORY + ("gap_w", "input_w", "input_b", "output_w", "output_b")


def _csr_order_to_post(mat):
    """Permutation taking values in the CSR order of ``mat[pre, post]`` to by-post (CSC) order.

    Returns ``(post_indptr, pre_index, perm)`` with ``values_by_post = values_csr[perm]``.
    """
    mat = sp.csr_array(mat)
    order = sp.csr_array((np.arange(mat.nnz, dtype=np.float64) + 1.0, mat.indices, mat.indptr),
                         shape=mat.shape).tocsc()
    order.sort_indices()
    perm = np.rint(order.data).astype(np.int64) - 1
    return (np.array(order.indptr, dtype=np.int64, copy=True),
            np.array(order.indices, dtype=np.int64, copy=True), perm)


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False, repr=False)
class LTCParams(ModelParams):
    """Parameters of an LTC network on one wiring (all float64, frozen, validated).

    Parameters
    ----------
    gleak, vleak, cm : array (n,)
        Leak conductance (nS, >= 0), leak reversal (mV), membrane capacitance (pF, > 0),
        in wiring order.
    w, sigma, mu, erev : array (nnz,)
        Per chemical synapse, in the CSR order of ``wiring.chemical`` (``W[pre, post]``,
        row-major): maximal conductance (nS, >= 0), sigmoid slope (1/mV), sigmoid centre
        (mV), reversal potential (mV).
    sensory_w, sensory_sigma, sensory_mu, sensory_erev : array (n_sensory,)
        The same per sensory synapse (input channel -> neuron), in the CSR order of
        ``wiring.input_matrix()`` (``M[channel, neuron]``).
    gap_w : array (n_gap,)
        Gap-junction conductance (nS, >= 0) per entry of ``wiring.electrical`` in CSR
        order (both directions; must be symmetric). Empty without gap junctions.
    input_w, input_b : array (n_in,)
        Affine input mapping ``u = x * input_w + input_b``.
    output_w, output_b : array (n_out,)
        Affine output mapping.
    epsilon : float
        Added to the denominator of the fused step (ncps: 1e-8), >= 0.
    seed : int or None
        Seed of the random initialisation that produced these values (provenance).

    Raises
    ------
    ParameterError
        Non-finite values, ``cm <= 0``, negative conductances, wrong dimensions.
    """

    gleak: object
    vleak: object
    cm: object
    w: object
    sigma: object
    mu: object
    erev: object
    sensory_w: object
    sensory_sigma: object
    sensory_mu: object
    sensory_erev: object
    gap_w: object = ()
    input_w: object = ()
    input_b: object = ()
    output_w: object = ()
    output_b: object = ()
    epsilon: float = 1e-8
    seed: int | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        positive = {"cm"}
        nonneg = {"gleak", "w", "sensory_w", "gap_w"}
        for name in _ARRAYS:
            arr = check_array(name, getattr(self, name), positive=name in positive, nonnegative=name in nonneg)
            if arr.ndim != 1:
                raise ParameterError(f"{name} must be a 1-d array, got shape {arr.shape}")
            set_(self, name, arr)
        for group in (_NEURON, _SYNAPSE, _SENSORY, ("input_w", "input_b"), ("output_w", "output_b")):
            sizes = {getattr(self, g).shape[0] for g in group}
            if len(sizes) != 1:
                raise ParameterError(
                    f"{', '.join(group)} must have the same length, got "
                    f"{[getattr(self, g).shape[0] for g in group]}")
        set_(self, "epsilon", float(check_array("epsilon", self.epsilon, nonnegative=True)))
        if self.seed is not None:
            set_(self, "seed", int(self.seed))

    # -- construction -------------------------------------------------------------
    @classmethod
    def initial(cls, wiring, *, seed: int = 0, ranges: dict | None = None,
                epsilon: float = 1e-8) -> "LTCParams":
        """Random initial parameters with ncps's ranges on the wiring's masks.

        Reversal potentials start at the synapse signs (``erev = sign``,
        ``sensory_erev = input sign``) as in ncps; input and output mappings start
        at the identity (``w = 1``, ``b = 0``).

        Parameters
        ----------
        wiring : connectome.Wiring
        seed : int
            Seed of ``numpy.random.default_rng`` (stored in :attr:`seed`).
        ranges : dict, optional
            Overrides of :data:`NCPS_INIT_RANGES` (``name -> (low, high)``).
        epsilon : float

        Examples
        --------
        >>> import connectome
        >>> w = connectome.Wiring(["A", "B"], [[0, 1], [1, 0]], inputs=["A"], outputs=["B"])
        >>> p = LTCParams.initial(w, seed=1)
        >>> p.w.shape, p.sensory_w.shape, p.output_w.shape
        ((2,), (1,), (1,))
        """
        r = dict(NCPS_INIT_RANGES)
        for key, val in (ranges or {}).items():
            if key not in r:
                raise ParameterError(f"unknown range {key!r}; known: {sorted(r)}")
            r[key] = tuple(float(v) for v in val)
        rng = np.random.default_rng(seed)
        n = wiring.n
        nnz = wiring.chemical.nnz
        inp = wiring.input_matrix()
        n_s = inp.nnz
        gap = wiring.electrical
        u = lambda key, size: rng.uniform(r[key][0], r[key][1], size)  # noqa: E731
        # gap junctions: one value per unordered pair, the same in both directions
        rows = np.repeat(np.arange(n), np.diff(gap.indptr))
        pairs = np.minimum(rows, gap.indices) * n + np.maximum(rows, gap.indices)
        uniq, inv = np.unique(pairs, return_inverse=True)
        g = u("gap_w", uniq.size)[inv]
        n_in = inp.shape[0]
        n_out = wiring.output_matrix().shape[1]
        return cls(
            gleak=u("gleak", n), vleak=u("vleak", n), cm=u("cm", n),
            w=u("w", nnz), sigma=u("sigma", nnz), mu=u("mu", nnz), erev=wiring.sign.data.astype(float),
            sensory_w=u("sensory_w", n_s), sensory_sigma=u("sensory_sigma", n_s), sensory_mu=u("sensory_mu", n_s),
            sensory_erev=np.sign(inp.data).astype(float),
            gap_w=g, input_w=np.ones(n_in), input_b=np.zeros(n_in), output_w=np.ones(n_out),
            output_b=np.zeros(n_out), epsilon=epsilon, seed=seed,
        )

    # -- validation against a wiring -----------------------------------------------
    def check_wiring(self, wiring) -> None:
        """Raise :class:`ParameterError` unless every array matches `wiring`'s masks."""
        inp = wiring.input_matrix()
        expect = {
            "gleak": wiring.n, "w": wiring.chemical.nnz, "sensory_w": inp.nnz,
            "gap_w": wiring.electrical.nnz, "input_w": inp.shape[0], "output_w": wiring.output_matrix().shape[1],
        }
        what = {"gleak": "neurons", "w": "chemical synapses", "sensory_w": "sensory synapses (input map entries)",
                "gap_w": "electrical synapse entries", "input_w": "input channels", "output_w": "output channels"}
        for name, size in expect.items():
            got = getattr(self, name).shape[0]
            if got != size:
                raise ParameterError(
                    f"{name} has {got} values but wiring {wiring.name!r} has {size} {what[name]}; "
                    f"build the parameters for this wiring (LTCParams.initial(wiring))")
        if self.gap_w.size:
            g = sp.csr_array((self.gap_w, wiring.electrical.indices, wiring.electrical.indptr),
                             shape=wiring.electrical.shape)
            if abs(g - g.T).sum() > 1e-12 * max(1.0, abs(g).sum()):
                raise ParameterError("gap_w must be symmetric (the same conductance in both directions)")

    def bounds(self) -> tuple:
        """Interval ``[lo, hi]`` that contains every state for all times and inputs.

        Each fused step (and the ODE) is a convex combination of the state, ``vleak``,
        the reversal potentials and (through ``epsilon``) zero, so states starting
        inside stay inside (Hasani et al. 2021, Theorem 2).
        """
        vals = np.concatenate([[0.0], self.vleak, self.erev, self.sensory_erev])
        return float(vals.min()), float(vals.max())

    # -- persistence ------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the parameters to an ``.npz`` file atomically (exact round trip)."""
        from connectome.atomic import atomic_path

        arrays = {name: getattr(self, name) for name in _ARRAYS}
        arrays["epsilon"] = np.array(self.epsilon)
        arrays["seed"] = np.array(-1 if self.seed is None else self.seed, dtype=np.int64)
        arrays["format"] = np.array("circuitsim.LTCParams/1")
        with atomic_path(path, suffix=".npz") as tmp:
            np.savez(tmp, **arrays)

    @classmethod
    def load(cls, path) -> "LTCParams":
        """Read parameters written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as f:
            if "format" not in f or str(f["format"]) != "circuitsim.LTCParams/1":
                raise ParameterError(f"{path} is not an LTC parameter file written by LTCParams.save")
            seed = int(f["seed"])
            return cls(**{name: f[name] for name in _ARRAYS}, epsilon=float(f["epsilon"]),
                       seed=None if seed < 0 else seed)

    def equals(self, other) -> bool:
        """True if every array and scalar is identical."""
        return (isinstance(other, LTCParams) and self.epsilon == other.epsilon
                and all(np.array_equal(getattr(self, k), getattr(other, k)) for k in _ARRAYS))


def kernel_params_for(params: LTCParams, wiring):
    """Build :class:`~circuitsim._kernels.ltc.LTCKernelParams` (synapses grouped by post)."""
    from .._kernels.ltc import LTCKernelParams

    params.check_wiring(wiring)

    def c(a, dtype=None):  # fresh, writable, contiguous: one compiled signature for every call
        return np.array(a, dtype=dtype, order="C", copy=True)

    post_indptr, pre_index, perm = _csr_order_to_post(wiring.chemical)
    s_indptr, s_index, s_perm = _csr_order_to_post(wiring.input_matrix())
    gap = sp.csr_array((params.gap_w, wiring.electrical.indices, wiring.electrical.indptr),
                       shape=wiring.electrical.shape).tolil()
    gap.setdiag(0.0)  # a self-junction carries no current
    gap = sp.csr_array(gap)
    gap.eliminate_zeros()
    gap.sort_indices()
    return LTCKernelParams(
        post_indptr, pre_index,
        c(params.w[perm]), c(params.sigma[perm]), c(params.mu[perm]), c(params.erev[perm]),
        s_indptr, s_index,
        c(params.sensory_w[s_perm]), c(params.sensory_sigma[s_perm]), c(params.sensory_mu[s_perm]),
        c(params.sensory_erev[s_perm]),
        # the gap matrix is symmetric: its CSR rows are the junctions of each neuron
        c(gap.indptr, dtype=np.int64), c(gap.indices, dtype=np.int64), c(gap.data, dtype=np.float64),
        c(params.gleak), c(params.vleak), c(params.cm),
        c(params.input_w), c(params.input_b),
        float(params.epsilon),
    )


@register_model
class LTC(Model):
    """The LTC model for the engine's solvers (``Circuit(wiring, "ltc", LTCParams...)``).

    The external input ``u`` of :func:`circuitsim.simulate` has one column per input
    channel of the wiring (``wiring.input_channels``), before the input mapping.
    For ncps's fused solver and sequences with irregular sampling see
    :mod:`circuitsim.liquid`.
    """

    name = "ltc"
    state_names = ("V",)
    state_units = ("mV",)
    params_type = LTCParams
    synapse_value_fields = ("w", "sigma", "mu", "erev", "g_w")
    synapse_index_fields = ("pre_index", "g_index")
    input_units = "1"
    time_units = "1"

    def default_params(self, wiring) -> LTCParams:
        return LTCParams.initial(wiring, seed=0)

    def bind(self, params, wiring) -> LTCParams:
        params = super().bind(params, wiring)
        params.check_wiring(wiring)
        return params

    def input_names(self, wiring) -> tuple:
        return tuple(wiring.input_channels)

    def kernel_params(self, circuit):
        return kernel_params_for(circuit.params, circuit.wiring)

    def default_solver(self):
        """Sequences of samples use ncps's fused step; other drives Dopri5 (set ``solver=`` to choose)."""
        return None

    def outputs(self, circuit, states):
        """``(states @ R) * output_w + output_b`` over the last axis (``R = wiring.output_matrix()``)."""
        R = circuit.wiring.output_matrix().toarray()   # (n, n_out), small: works on any leading axes
        p = circuit.params
        return (np.asarray(states) @ R) * p.output_w + p.output_b

    def jacobian_pattern(self, kp):
        """The diagonal, one entry (post, pre) per synapse, one per gap-junction entry (kernel order)."""
        n = kp.cm.shape[0]
        post = np.repeat(np.arange(n), np.diff(kp.post_indptr))
        gap = np.repeat(np.arange(n), np.diff(kp.g_indptr))
        return np.r_[np.arange(n), post, gap], np.r_[np.arange(n), kp.pre_index, kp.g_index]
