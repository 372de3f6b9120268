"""Liquid networks over sequences: LTC (fused ncps solver) and CfC, irregular sampling.

A sequence is a batch of samples ``x[b, i]`` observed at times ``t[b, i]``
(each batch member on its own time grid).  Sample ``i`` is held over the
interval ``(t[b, i-1], t[b, i]]`` (``t[b, -1] = t0[b]``) and the state after it
is the model advanced over the elapsed time ``dt[b, i] = t[b, i] - t[b, i-1]``,
exactly as ncps's ``LTC``/``CfC`` with ``timespans`` (but correct for batch > 1,
where every member has its own elapsed times).

:meth:`LiquidResult.at` reads hidden states and outputs at any time between
samples: the state at ``t`` in ``(t[i-1], t[i]]`` is the model advanced from the
state at ``t[i-1]`` over ``t - t[i-1]`` with input ``x[i]`` (for CfC this is
the closed form itself; for LTC the fused solver over the partial interval).
At sample times it reproduces the sequence states.

>>> import numpy as np, connectome
>>> from circuitsim.liquid import LTCNetwork
>>> w = connectome.Wiring(["A", "B"], [[0, 1], [1, 0]], inputs=["A"], outputs=["B"])
>>> net = LTCNetwork(w, ode_unfolds=6)
>>> res = net.run(np.ones((5, 1)), dt=[1, 1, 0.5, 2, 1])
>>> res.states.shape, res.outputs.shape, float(res.t[-1])
((5, 2), (5, 1), 5.5)
>>> bool(np.allclose(res.at(res.t[2])[0], res.states[2]))
True
"""

from __future__ import annotations

import numpy as np

from .errors import InputError, OutOfSpanError, ParameterError
from .models.cfc import CfCParams
from .models.ltc import LTCParams, kernel_params_for

__all__ = ["LTCNetwork", "CfCNetwork", "LiquidResult", "ltc_conductance", "ltc_tau_sys"]


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


class LiquidResult:
    """Sequence output of :class:`LTCNetwork` / :class:`CfCNetwork`.

    Attributes
    ----------
    t : array (T,) or (B, T)
        Sample times (a leading batch axis when the input was batched).
    states : array (T, n) or (B, T, n)
        Hidden state after each sample, neurons in wiring order.
    outputs : array (T, n_out) or (B, T, n_out)
        Mapped outputs after each sample.
    dt : array like `t`
        Elapsed time before each sample.
    neurons : tuple of str
        Neuron names (column order of `states`).
    """

    def __init__(self, net, x, dt, t, t0, h0, states, batched):
        self._net, self._x, self._t0, self._h0, self._batched = net, x, t0, h0, batched
        self._t, self._dt, self._states = t, dt, states
        self._outputs = net.map_outputs(states)

    def _shape(self, a):
        return a if self._batched else a[0]

    @property
    def t(self):
        return self._shape(self._t)

    @property
    def dt(self):
        return self._shape(self._dt)

    @property
    def states(self):
        return self._shape(self._states)

    @property
    def outputs(self):
        return self._shape(self._outputs)

    @property
    def h0(self):
        return self._shape(self._h0)

    @property
    def final_state(self):
        """State after the last sample, (n,) or (B, n)."""
        return self._shape(self._states[:, -1])

    @property
    def neurons(self) -> tuple:
        return self._net.neurons

    def __getitem__(self, neuron):
        """States of one neuron by name: (T,) or (B, T)."""
        return self._shape(self._states[:, :, self._net.neuron_index(neuron)])

    def at(self, t):
        """Hidden states and outputs at arbitrary times within ``[t0, t[-1]]``.

        Parameters
        ----------
        t : float or array (k,) or, batched, (B, k)
            Query times (the same for every member unless 2-d).

        Returns
        -------
        states : array (n,) / (k, n), with a leading batch axis when batched
        outputs : array (n_out,) / (k, n_out), likewise

        Raises
        ------
        OutOfSpanError
            A time before ``t0`` or after the last sample (no extrapolation).
        """
        B = self._states.shape[0]
        tq = np.asarray(t, dtype=np.float64)
        scalar = tq.ndim == 0
        if tq.ndim <= 1:
            tq = np.broadcast_to(np.atleast_1d(tq), (B, np.atleast_1d(tq).size))
        elif not self._batched or tq.shape[0] != B or tq.ndim != 2:
            raise InputError(f"t must be a scalar, (k,) or ({B}, k) for this result, got shape {tq.shape}")
        k = tq.shape[1]
        lo, hi = self._t0, self._t[:, -1]
        bad = ~np.isfinite(tq) | (tq < lo[:, None]) | (tq > hi[:, None])
        if bad.any():
            b, j = np.argwhere(bad)[0]
            raise OutOfSpanError(f"time {tq[b, j]!r} is outside the span [{lo[b]!r}, {hi[b]!r}] of member {b}; "
                                 f"liquid results are not extrapolated")
        states = np.empty((B, k, self._net.n_neurons))
        # interval i holds t in (t[i-1], t[i]]; a query at t0 is the initial state
        idx = np.empty((B, k), np.int64)
        for b in range(B):
            idx[b] = np.searchsorted(self._t[b], tq[b], side="left")
        prev_t = np.where(idx == 0, self._t0[:, None],
                          np.take_along_axis(self._t, np.maximum(idx - 1, 0), axis=1))
        elapsed = tq - prev_t
        bb = np.repeat(np.arange(B), k)
        ii = idx.ravel()
        prev_state = np.where((ii == 0)[:, None], self._h0[bb], self._states[bb, np.maximum(ii - 1, 0)])
        at_prev = elapsed.ravel() <= 0.0
        flat = prev_state.copy()
        move = ~at_prev
        if move.any():
            sel = np.flatnonzero(move)
            xi = self._x[bb[sel], np.minimum(ii[sel], self._x.shape[1] - 1)][:, None, :]
            flat[sel] = self._net._advance(xi, elapsed.ravel()[sel][:, None], prev_state[sel])
        states[:] = flat.reshape(B, k, -1)
        outputs = self._net.map_outputs(states)
        if scalar:
            states, outputs = states[:, 0], outputs[:, 0]
        return (states, outputs) if self._batched else (states[0], outputs[0])

    # -- LTC analysis -------------------------------------------------------------
    def conductance(self):
        """Total membrane conductance ``gleak + sum of synaptic conductances`` (nS) per sample.

        Evaluated at the state after each sample with that sample's input (LTC only);
        shape like :attr:`states`.  Gap junctions count with their conductance.
        """
        if not isinstance(self._net, LTCNetwork):
            raise ParameterError("conductance and tau_sys are defined for LTC networks only")
        from ._kernels.ltc import ltc_total_conductance

        out = np.empty_like(self._states)
        ltc_total_conductance(self._net.kernel_params, self._x, self._states, out)
        return self._shape(out)

    def tau_sys(self):
        """Effective (liquid) time constant ``cm / (gleak + sum of synaptic conductances)`` (ms).

        Shape like :attr:`states` (Hasani et al. 2021, eq. 2: ``tau_sys = tau / (1 + tau f)``).
        """
        g = self.conductance()
        return self._net.params.cm / g


class _Network:
    n_inputs: int
    n_neurons: int
    neurons: tuple
    input_channels: tuple

    def neuron_index(self, neuron) -> int:
        try:
            return self.neurons.index(neuron)
        except ValueError:
            from .errors import UnknownNeuronError

            raise UnknownNeuronError(neuron, self.neurons, where="liquid network") from None

    def run(self, x, dt=None, *, times=None, t0=0.0, h0=None) -> LiquidResult:
        """Run the network over a (batch of) sequence(s).

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

        Returns
        -------
        LiquidResult

        Raises
        ------
        InputError
            Wrong shapes, channel count, non-finite values, non-positive elapsed times.
        """
        x3, dt2, t2, t0v, h, batched = _prepare(self, x, dt, times, t0, h0)
        states = self._sequence(x3, dt2, h)
        return LiquidResult(self, x3, dt2, t2, t0v, h, states, batched)

    def _advance(self, x3, dt2, h):
        """States after one step from `h` (Q, n) with inputs (Q, 1, n_in) over dt (Q, 1)."""
        fresh = lambda a: np.array(a, dtype=np.float64, order="C", copy=True)  # noqa: E731
        return self._sequence(fresh(x3), fresh(dt2), fresh(h))[:, 0]


class LTCNetwork(_Network):
    """An LTC network on a wiring, integrated with ncps's fused semi-implicit solver.

    Parameters
    ----------
    wiring : connectome.Wiring
    params : LTCParams, optional
        Default ``LTCParams.initial(wiring, seed=seed)``.
    ode_unfolds : int
        Semi-implicit sub-steps per sample (ncps default 6).
    seed : int
        Seed of the default parameters.

    Raises
    ------
    ParameterError
        `ode_unfolds` < 1 or parameters that do not fit the wiring.
    """

    def __init__(self, wiring, params: LTCParams | None = None, *, ode_unfolds: int = 6, seed: int = 0):
        if isinstance(ode_unfolds, bool) or not isinstance(ode_unfolds, (int, np.integer)) or ode_unfolds < 1:
            raise ParameterError(f"ode_unfolds must be an integer >= 1, got {ode_unfolds!r}")
        if params is None:
            params = LTCParams.initial(wiring, seed=seed)
        if not isinstance(params, LTCParams):
            raise ParameterError(f"params must be LTCParams, got {type(params).__name__}")
        self.wiring, self.params, self.ode_unfolds = wiring, params, int(ode_unfolds)
        self.kernel_params = kernel_params_for(params, wiring)
        self.n_inputs = params.input_w.size
        self.n_neurons = wiring.n
        self.neurons = tuple(wiring.neurons)
        self.input_channels = tuple(wiring.input_channels)
        R = wiring.output_matrix().tocsc()
        single = np.all(np.diff(R.indptr) == 1) and np.all(R.data == 1.0)
        self._out_index = R.indices.astype(np.int64) if single else None
        self._R = R

    def map_outputs(self, states):
        """``(states @ R) * output_w + output_b`` over the last axis."""
        if self._out_index is not None:
            y = states[..., self._out_index]
        else:
            y = np.asarray(states @ self._R)
        return y * self.params.output_w + self.params.output_b

    def _sequence(self, x3, dt2, h):
        from ._kernels.ltc import ltc_sequence

        B, T, _ = x3.shape
        states = np.empty((B, T, self.n_neurons))
        status = ltc_sequence(self.kernel_params, x3, dt2, h, self.ode_unfolds, states)
        if status:
            from .errors import DivergenceError

            raise DivergenceError("an LTC state became non-finite; check the parameters (epsilon, cm)")
        return states


class CfCNetwork(_Network):
    """A CfC network (dense or wired), evaluated in closed form.

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
    """

    def __init__(self, params: CfCParams, *, neurons=None, input_channels=None, dtype=np.float64,
                 sparse_below: float = 0.25):
        if not isinstance(params, CfCParams):
            raise ParameterError(f"params must be CfCParams, got {type(params).__name__}")
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ParameterError(f"dtype must be float32 or float64, got {dtype}")
        self.params, self.dtype = params, dtype
        self.kernel_params = params.kernel_params(dtype, sparse_below=sparse_below)
        self.n_inputs, self.n_neurons = params.n_inputs, params.n_neurons
        self.neurons = tuple(neurons) if neurons is not None else tuple(f"n{i}" for i in range(self.n_neurons))
        self.input_channels = (tuple(input_channels) if input_channels is not None
                               else tuple(f"in{i}" for i in range(self.n_inputs)))
        if len(self.neurons) != self.n_neurons or len(self.input_channels) != self.n_inputs:
            raise ParameterError("neurons / input_channels must name every neuron / channel of the parameters")

    @classmethod
    def wired(cls, wiring, params: CfCParams | None = None, *, mode: str = "default", recurrent: str = "wiring",
              layers=None, seed: int = 0, dtype=np.float64, sparse_below: float = 0.25) -> "CfCNetwork":
        """A wired CfC on `wiring` (see :meth:`CfCParams.wired`)."""
        if params is None:
            params = CfCParams.wired(wiring, mode=mode, recurrent=recurrent, layers=layers, seed=seed)
        if params.n_neurons != wiring.n or params.n_inputs != wiring.input_matrix().shape[0]:
            raise ParameterError(f"params are for {params.n_neurons} neurons and {params.n_inputs} inputs, "
                                 f"the wiring has {wiring.n} and {wiring.input_matrix().shape[0]}")
        return cls(params, neurons=wiring.neurons, input_channels=wiring.input_channels, dtype=dtype,
                   sparse_below=sparse_below)

    def map_outputs(self, states):
        """Read-out neurons, then the optional linear projection."""
        p = self.params
        y = np.asarray(states)[..., p.readout]
        if p.proj_w is not None:
            y = y @ p.proj_w + p.proj_b
        return y

    def _sequence(self, x3, dt2, h):
        from ._kernels.cfc import cfc_sequence

        B, T, _ = x3.shape
        states = np.empty((B, T, self.n_neurons), self.dtype)
        import numba

        with _single_threaded_blas():
            status = cfc_sequence(self.kernel_params, np.array(x3, dtype=self.dtype, order="C", copy=True), dt2,
                                  np.array(h, dtype=self.dtype, order="C", copy=True), states,
                                  numba.get_num_threads())
        if status:
            from .errors import DivergenceError

            raise DivergenceError("a CfC state became non-finite (inputs or weights too large?)")
        return states.astype(np.float64, copy=False)
