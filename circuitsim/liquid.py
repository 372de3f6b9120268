"""Liquid networks over sequences: LTC (fused ncps solver) and CfC, irregular sampling.

A sequence is a batch of samples ``x[b, i]`` observed at times ``t[b, i]``
(each batch member on its own time grid).  Sample ``i`` is held over the
interval ``(t[b, i-1], t[b, i]]`` (``t[b, -1] = t0[b]``) and the state after it
is the model advanced over the elapsed time ``dt[b, i] = t[b, i] - t[b, i-1]``,
exactly as ncps's ``LTC``/``CfC`` with ``timespans`` (but correct for batch > 1,
where every member has its own elapsed times).

:meth:`LTCNetwork.run` and :meth:`CfCNetwork.run` return the engine's
:class:`~circuitsim.Result`: the initial state and the state after every sample,
``result.outputs()`` for the readout, and ``result.at(t)`` between samples, where
the state at ``t`` in ``(t[i-1], t[i]]`` is the model advanced from the state at
``t[i-1]`` over ``t - t[i-1]`` with input ``x[i]`` (for CfC this is the closed
form itself, so its readout jumps just after each sample, as ncps's does; for LTC
the fused solver over the partial interval). At sample times it reproduces the
sequence states.

>>> import numpy as np, connectome
>>> from circuitsim.liquid import LTCNetwork
>>> w = connectome.Wiring(["A", "B"], [[0, 1], [1, 0]], inputs=["A"], outputs=["B"])
>>> net = LTCNetwork(w, ode_unfolds=6)
>>> res = net.run(np.ones((5, 1)), dt=[1, 1, 0.5, 2, 1])
>>> res.y.shape, res.outputs().shape, float(res.t[-1])
((6, 2), (6, 1), 5.5)
>>> bool(np.allclose(res.at(res.t[3])["V"], res.y[3]))
True
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, ParameterError
from .models.cfc import CfCParams
from .models.ltc import LTCParams, kernel_params_for

__all__ = ["LTCNetwork", "CfCNetwork", "ltc_conductance", "ltc_tau_sys", "tau_sys"]


def ltc_conductance(wiring, params: LTCParams, states, x):
    """Total membrane conductance ``gleak + sum of synaptic conductances`` (nS) of LTC neurons.

    Works on any LTC states, e.g. ``result["V"]`` of :func:`circuitsim.simulate`.

    Parameters
    ----------
    wiring : connectome.Wiring
    params : LTCParams
    states : array (..., n)
        Membrane states (mV), neurons in wiring order.
    x : array (..., n_in)
        Raw inputs (before the input mapping) at the same times; broadcast against `states`.

    Returns
    -------
    array (..., n)
    """
    from ._kernels.ltc import ltc_total_conductance

    states = np.asarray(states, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if states.shape[-1] != wiring.n or x.shape[-1] != params.input_w.size:
        raise InputError(f"states must end with {wiring.n} neurons and x with {params.input_w.size} input "
                         f"channels, got {states.shape} and {x.shape}")
    lead = np.broadcast_shapes(states.shape[:-1], x.shape[:-1])
    s2 = np.array(np.broadcast_to(states, lead + states.shape[-1:]).reshape(1, -1, wiring.n), order="C")
    x2 = np.array(np.broadcast_to(x, lead + x.shape[-1:]).reshape(1, -1, x.shape[-1]), order="C")
    out = np.empty_like(s2)
    ltc_total_conductance(kernel_params_for(params, wiring), x2, s2, out)
    return out.reshape(lead + (wiring.n,))


def ltc_tau_sys(wiring, params: LTCParams, states, x):
    """Effective (liquid) time constant ``cm / (gleak + sum of synaptic conductances)`` (ms).

    Same arguments as :func:`ltc_conductance` (Hasani et al. 2021, eq. 2).
    """
    return params.cm / ltc_conductance(wiring, params, states, x)


def _prepare(net, x, dt, times, t0, h0):
    """Validate and broadcast a sequence call; returns (x3, dt2, t2, t0_1, h0_2, batched)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (2, 3):
        raise InputError(f"x must have shape (T, n_in) or (B, T, n_in), got {x.shape}")
    batched = x.ndim == 3
    x3 = x if batched else x[None]
    B, T, n_in = x3.shape
    if n_in != net.n_inputs:
        raise InputError(
            f"x has {n_in} input channels but the network has {net.n_inputs} "
            f"({', '.join(map(str, net.input_channels[:8]))}{'...' if net.n_inputs > 8 else ''})")
    if T == 0:
        raise InputError("x must contain at least one sample (T >= 1)")
    if not np.isfinite(x3).all():
        raise InputError("x contains NaN or infinite values")
    t0a = np.asarray(t0, dtype=np.float64)
    if t0a.ndim > 1 or (t0a.ndim == 1 and t0a.shape != (B,)) or not np.isfinite(t0a).all():
        raise InputError(f"t0 must be a finite scalar or have shape ({B},), got {t0a.shape}")
    t0v = np.broadcast_to(t0a, (B,)).astype(np.float64)

    def per_member(name, a):
        a = np.asarray(a, dtype=np.float64)
        if a.ndim == 0:
            a = np.full((T,), float(a))
        if a.ndim == 1:
            if a.shape != (T,):
                raise InputError(f"{name} must have {T} entries (one per sample), got shape {a.shape}")
            a = np.broadcast_to(a, (B, T))
        elif a.shape != (B, T) or not batched:
            raise InputError(f"{name} must have shape ({T},){f' or ({B}, {T})' if batched else ''}, got {a.shape}")
        if not np.isfinite(a).all():
            raise InputError(f"{name} contains NaN or infinite values")
        return np.ascontiguousarray(a)

    if dt is not None and times is not None:
        raise InputError("give either dt (elapsed times) or times (sample times), not both")
    if times is not None:
        tt = per_member("times", times)
        dt2 = np.diff(np.concatenate([t0v[:, None], tt], axis=1), axis=1)
        bad = dt2 <= 0
        if bad.any():
            b, i = np.argwhere(bad)[0]
            raise InputError(f"times must increase strictly and start after t0; member {b}, sample {i}: "
                             f"t={float(tt[b, i])!r} after {float(t0v[b] if i == 0 else tt[b, i - 1])!r}")
        t2 = tt
    else:
        dt2 = per_member("dt", 1.0 if dt is None else dt)
        bad = dt2 <= 0
        if bad.any():
            b, i = np.argwhere(bad)[0]
            raise InputError(f"elapsed times must be > 0; got dt={float(dt2[b, i])!r} at member {b}, sample {i}")
        t2 = t0v[:, None] + np.cumsum(dt2, axis=1)
    n = net.n_neurons
    if h0 is None:
        h = np.zeros((B, n))
    else:
        h = np.asarray(h0, dtype=np.float64)
        if h.shape == (n,):
            h = np.broadcast_to(h, (B, n))
        elif h.shape != (B, n):
            raise InputError(f"h0 must have shape ({n},) or ({B}, {n}), got {h.shape}")
        if not np.isfinite(h).all():
            raise InputError("h0 contains NaN or infinite values")
    fresh = lambda a: np.array(a, dtype=np.float64, order="C", copy=True)  # noqa: E731  (one kernel signature)
    return fresh(x3), fresh(dt2), fresh(t2), t0v, fresh(h), batched


class _single_threaded_blas:
    """Set the BLAS that compiled code calls (SciPy's OpenBLAS) to one thread, then restore.

    The CfC kernel runs batch blocks on its own threads, each issuing its own matrix
    products; a multi-threaded BLAS inside them would oversubscribe the cores.
    Best effort: without the library symbols nothing changes.
    """

    _lib = None

    @classmethod
    def _load(cls):
        if cls._lib is None:
            import ctypes
            import glob
            import os

            import scipy

            cls._lib = False
            libs = os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs")
            for path in glob.glob(os.path.join(libs, "libscipy_openblas*.so*")):
                try:
                    lib = ctypes.CDLL(path)
                    get, put = lib.scipy_openblas_get_num_threads, lib.scipy_openblas_set_num_threads
                except (OSError, AttributeError):
                    continue
                get.restype = ctypes.c_int
                put.argtypes = [ctypes.c_int]
                cls._lib = (get, put)
                break
        return cls._lib

    def __enter__(self):
        lib = self._load()
        self._prev = lib[0]() if lib else None
        if lib:
            lib[1](1)
        return self

    def __exit__(self, *exc):
        if self._prev is not None:
            self._lib[1](self._prev)
        return False


def tau_sys(result):
    """Effective (liquid) time constant ``cm / (gleak + sum of conductances)`` (ms) of an LTC run, per sample.

    Evaluated at the state after each sample with that sample's input (the held input
    of the interval that ends at it), Hasani et al. 2021, eq. 2. Needs every neuron
    recorded and the dense output (the inputs); shape like ``result.y``.
    """
    c = result.circuit
    if c is None or c.model.name != "ltc":
        raise ParameterError("tau_sys is defined for LTC networks only")
    if result.dense is None or result.dense.kind != "replay":
        raise ParameterError("tau_sys needs the sequence run's inputs: run with dense=True")
    states = result.y if result.batched else result.y[None]
    x = result.dense.inputs[:, : states.shape[1] - 1]
    tau = ltc_tau_sys(c.wiring, c.params, states[:, 1:], x)   # samples after the initial state
    first = c.params.cm / ltc_conductance(c.wiring, c.params, states[:, :1], result.dense.inputs[:, :1])
    out = np.concatenate([first, tau], axis=1)
    return out if result.batched else out[0]


class _Sequence:
    """Description of one member's sample sequence (stored in results; the samples themselves are not)."""

    def __init__(self, channels, times, n):
        self.channels, self.first, self.last, self.n = list(channels), float(times[0]), float(times[-1]), int(n)

    def describe(self) -> list:
        return [{"kind": "samples", "neurons": self.channels, "times": [self.first, self.last], "values": None,
                 "n_samples": self.n, "interpolation": "next"}]


class _Network:
    """A circuit and a sequence solver, run over (batches of) sample sequences."""

    circuit = None
    solver = None

    @property
    def n_inputs(self) -> int:
        return len(self.input_channels)

    @property
    def n_neurons(self) -> int:
        return self.circuit.n

    @property
    def neurons(self) -> tuple:
        return tuple(self.circuit.neurons)

    @property
    def input_channels(self) -> tuple:
        """Input channels of the wiring (and a plastic rule's neuromodulator, last)."""
        return tuple(self.circuit.model.input_names(self.circuit.wiring))

    @property
    def params(self):
        return self.circuit.params

    def run(self, x, dt=None, *, times=None, t0=0.0, h0=None, record=None, dense=True, progress=False):
        """Run the network over a (batch of) sequence(s) of samples.

        Sample ``x[..., i, :]`` is held over the interval that ends at its time, and the
        state after it is the model advanced over the elapsed time (ncps's ``timespans``,
        per batch member).

        Parameters
        ----------
        x : array (T, n_in) or (B, T, n_in)
            Input samples.
        dt : float or array (T,) or (B, T), optional
            Elapsed time before each sample (> 0). Default 1 (ncps's regular sampling).
        times : array (T,) or (B, T), optional
            Sample times instead of `dt` (strictly increasing, after `t0`).
        t0 : float or array (B,)
            Time of the initial state.
        h0 : array (n,) or (B, n), optional
            Initial state (default zeros).
        record : sequence of str, optional
            Neurons to keep (default all; :meth:`~circuitsim.Result.outputs` needs all).
        dense : bool
            Keep what :meth:`~circuitsim.Result.at` needs to give the state between samples.
        progress : bool or callable
            As for :func:`circuitsim.simulate`.

        Returns
        -------
        Result
            Samples at ``t0`` and after every sample: ``t`` (T + 1,) (or (B, T + 1) when
            members have their own times), ``y`` (T + 1, n) (leading batch axis when `x`
            is 3-d); ``result.outputs()`` maps them to the network's outputs.

        Raises
        ------
        InputError
            Wrong shapes, channel count, non-finite values, non-positive elapsed times.
        """
        from .inputs import held_sequence_table
        from .simulate import _run, kernel_ready

        x3, dt2, t2, t0v, h, batched = _prepare(self, x, dt, times, t0, h0)
        if np.dtype(self.solver.dtype) == np.float32:
            big = float(np.finfo(np.float32).max)
            if np.abs(x3).max(initial=0.0) > big or np.abs(h).max(initial=0.0) > big:
                raise InputError(f"inputs or initial states beyond the float32 range (|x| > {big:.3g}) cannot be "
                                 "run in float32; scale them or use dtype=numpy.float64")
        described = [_Sequence(self.input_channels, t2[b], x3.shape[1]) for b in range(x3.shape[0])]
        extra = self.circuit.y0[self.n_neurons:]  # plastic weights and traces start as the circuit's
        if extra.size:
            h = np.concatenate([h, np.broadcast_to(extra, (h.shape[0], extra.size))], axis=1)
        return _run([self.circuit], (float(t0v.min()), float(t2[:, -1].max())), described, self.solver, list(h),
                    record, None, 1, None, dense, float("inf"), batched, progress, t_start=t0v,
                    t_stop=t2[:, -1].copy(), table=kernel_ready(held_sequence_table(t2, x3)))

    def __repr__(self) -> str:
        w = self.circuit.wiring
        return (f"<{type(self).__name__} on {w.name or 'wiring'!r}: {self.n_neurons} neurons, {self.n_inputs} inputs, "
                f"{len(w.output_channels)} outputs, solver {self.solver!r}>")


class LTCNetwork(_Network):
    """An LTC network on a wiring, stepped by ncps's fused semi-implicit solver (:class:`~circuitsim.FusedLTC`).

    Parameters
    ----------
    wiring : connectome.Wiring
    params : LTCParams, optional
        Default ``LTCParams.initial(wiring, seed=seed)``.
    ode_unfolds : int
        Semi-implicit sub-steps per sample (ncps default 6).
    seed : int
        Seed of the default parameters.
    dtype : {numpy.float64, numpy.float32}
        Arithmetic of states and weights.

    Raises
    ------
    ParameterError
        `ode_unfolds` < 1 or parameters that do not fit the wiring.
    """

    def __init__(self, wiring, params: LTCParams | None = None, *, ode_unfolds: int = 6, seed: int = 0,
                 dtype=np.float64):
        from .circuit import Circuit
        from .solvers.sequence import FusedLTC

        if isinstance(ode_unfolds, bool) or not isinstance(ode_unfolds, (int, np.integer)) or ode_unfolds < 1:
            raise ParameterError(f"ode_unfolds must be an integer >= 1, got {ode_unfolds!r}")
        if params is None:
            params = LTCParams.initial(wiring, seed=seed)
        if not isinstance(params, LTCParams):
            raise ParameterError(f"params must be LTCParams, got {type(params).__name__}")
        self.circuit = Circuit(wiring, "ltc", params)
        self.solver = FusedLTC(int(ode_unfolds), dtype)
        self.ode_unfolds = int(ode_unfolds)
        self.wiring = wiring
        self.kernel_params = kernel_params_for(params, wiring)

    def with_plasticity(self, rule, synapses=None, *, record=None) -> "LTCNetwork":
        """The same network with learning chemical synapses (see :meth:`circuitsim.Circuit.with_plasticity`).

        Under the fused step the weights learn once per semi-implicit sub-step
        (:mod:`circuitsim._kernels.plastic_fused`); ``result["w"]`` and ``result.at(t)`` carry them.
        """
        import copy

        net = copy.copy(self)
        net.circuit = self.circuit.with_plasticity(rule, synapses, record=record)
        return net


class CfCNetwork(_Network):
    """A CfC network (dense or wired), evaluated in closed form (:class:`~circuitsim.ClosedForm`).

    Parameters
    ----------
    params : CfCParams
    neurons : sequence of str, optional
        Names of the neurons (default ``n0, n1, ...``; a wiring's names via :meth:`wired`).
    input_channels : sequence of str, optional
    dtype : {numpy.float64, numpy.float32}
        Arithmetic of the kernel (float32 is what ncps computes in by default).
    sparse_below : float
        Layers less dense than this run over synapse lists, the others through BLAS.
    wiring : connectome.Wiring, optional
        The wiring the parameters were built on (names, inputs, outputs).
    """

    def __init__(self, params: CfCParams, *, neurons=None, input_channels=None, dtype=np.float64,
                 sparse_below: float = 0.25, wiring=None):
        from .circuit import Circuit
        from .solvers.sequence import ClosedForm

        if not isinstance(params, CfCParams):
            raise ParameterError(f"params must be CfCParams, got {type(params).__name__}")
        if wiring is None:
            wiring = _dense_wiring(params, neurons, input_channels)
        self.circuit = Circuit(wiring, "cfc", params)
        self.solver = ClosedForm(dtype, sparse_below)
        self.dtype = self.solver.dtype

    @classmethod
    def wired(cls, wiring, params: CfCParams | None = None, *, mode: str = "default", recurrent: str = "wiring",
              layers=None, seed: int = 0, dtype=np.float64, sparse_below: float = 0.25,
              sparse="auto") -> "CfCNetwork":
        """A wired CfC on `wiring` (see :meth:`CfCParams.wired`; `sparse` chooses sparse head storage)."""
        if params is None:
            params = CfCParams.wired(wiring, mode=mode, recurrent=recurrent, layers=layers, seed=seed, sparse=sparse)
        if params.n_neurons != wiring.n or params.n_inputs != wiring.input_matrix().shape[0]:
            raise ParameterError(f"params are for {params.n_neurons} neurons and {params.n_inputs} inputs, "
                                 f"the wiring has {wiring.n} and {wiring.input_matrix().shape[0]}")
        return cls(params, dtype=dtype, sparse_below=sparse_below, wiring=wiring)

    @property
    def kernel_params(self):
        return self.solver.sequence_params(self.circuit)


def _dense_wiring(params, neurons=None, input_channels=None):
    """A wiring for a dense CfC: named neurons, no synapses, every channel into every neuron."""
    import connectome

    n, k = params.n_neurons, params.n_inputs
    names = tuple(neurons) if neurons is not None else tuple(f"n{i}" for i in range(n))
    channels = tuple(input_channels) if input_channels is not None else tuple(f"in{i}" for i in range(k))
    if len(names) != n or len(channels) != k:
        raise ParameterError("neurons / input_channels must name every neuron / channel of the parameters")
    readout = np.asarray(params.readout if params.readout is not None else np.arange(n))
    out_map = np.zeros((n, len(readout)))
    out_map[readout, np.arange(len(readout))] = 1.0
    return connectome.Wiring(names, np.zeros((n, n)), inputs=names, input_map=np.ones((k, n)),
                             input_channels=channels, outputs=tuple(names[i] for i in np.unique(readout)),
                             output_map=out_map, name="dense CfC")
