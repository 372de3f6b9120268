"""Slow, obviously-correct NumPy references for the liquid models (tests only).

Written from the papers' equations with dense matrices, independent of the
compiled kernels and of their per-synapse layout:

* LTC (Hasani, Lechner et al. 2021, eq. 1; conductance form of Lechner et al.
  2020): ``cm dv/dt = gleak (vleak - v) + sum_i W_ij s(S_ij (v_i - M_ij)) (E_ij - v_j) + ...``
  and its fused semi-implicit Euler step (Hasani et al. 2021, eq. 3) with
  ``unfolds`` sub-steps.
* CfC (Hasani et al. 2022, eq. 10 and the gated variant).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def dense(values, mat):
    """Dense ``(rows, cols)`` matrix with `values` at the CSR entries of `mat`."""
    out = np.zeros(mat.shape)
    rows = np.repeat(np.arange(mat.shape[0]), np.diff(mat.indptr))
    out[rows, mat.indices] = values
    return out


class LTCReference:
    """Dense LTC network from a Wiring and LTCParams (field names as in the paper / ncps)."""

    def __init__(self, wiring, p):
        chem, inp = wiring.chemical, wiring.input_matrix()
        self.W = dense(p.w, chem)
        self.S = dense(p.sigma, chem)
        self.M = dense(p.mu, chem)
        self.E = dense(p.erev, chem)
        self.sW = dense(p.sensory_w, inp)
        self.sS = dense(p.sensory_sigma, inp)
        self.sM = dense(p.sensory_mu, inp)
        self.sE = dense(p.sensory_erev, inp)
        G = dense(p.gap_w, wiring.electrical) if p.gap_w.size else np.zeros((wiring.n, wiring.n))
        np.fill_diagonal(G, 0.0)
        self.G = G
        self.gleak, self.vleak, self.cm = p.gleak, p.vleak, p.cm
        self.in_w, self.in_b = p.input_w, p.input_b
        self.out_R = wiring.output_matrix().toarray()
        self.out_w, self.out_b = p.output_w, p.output_b
        self.eps = p.epsilon

    def conductances(self, v, x):
        """Chemical (n, n) and sensory (n_in, n) conductances at state v (n,) and raw input x."""
        u = x * self.in_w + self.in_b
        g = self.W * sigmoid(self.S * (v[:, None] - self.M))
        gs = self.sW * sigmoid(self.sS * (u[:, None] - self.sM))
        return g, gs

    def rhs(self, v, x):
        g, gs = self.conductances(v, x)
        cur = (self.gleak * (self.vleak - v) + (g * (self.E - v[None, :])).sum(0)
               + (gs * (self.sE - v[None, :])).sum(0) + self.G.T @ v - self.G.sum(0) * v)
        return cur / self.cm

    def fused_step(self, v, x, dt, unfolds):
        h = dt / unfolds
        _, gs = self.conductances(v, x)
        for _ in range(unfolds):
            g, _ = self.conductances(v, x)
            num = self.cm / h * v + self.gleak * self.vleak + (g * self.E).sum(0) + (gs * self.sE).sum(0) \
                + self.G.T @ v
            den = self.cm / h + self.gleak + g.sum(0) + gs.sum(0) + self.G.sum(0)
            v = num / (den + self.eps)
        return v

    def run(self, x, dt, h0, unfolds):
        """x (T, n_in), dt (T,), h0 (n,) -> states (T, n)."""
        v = np.array(h0, dtype=float)
        out = []
        for t in range(x.shape[0]):
            v = self.fused_step(v, x[t], dt[t], unfolds)
            out.append(v)
        return np.array(out)

    def outputs(self, states):
        return (states @ self.out_R) * self.out_w + self.out_b

    def total_conductance(self, v, x):
        g, gs = self.conductances(v, x)
        return self.gleak + g.sum(0) + gs.sum(0) + self.G.sum(0)


_ACT = {
    "lecun_tanh": lambda z: 1.7159 * np.tanh(0.666 * z),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "silu": lambda z: z * sigmoid(z),
}


def cfc_cell(z, t, lay, mode, w_tau=None, A=None):
    """The CfC closed form for one layer: sources z (k,), elapsed t -> new states (m,)."""
    f1 = z @ lay.ff1 + lay.ff1_b
    if mode == "pure":
        return -A * np.exp(-t * (np.abs(w_tau) + np.abs(f1))) * f1 + A
    f2 = np.tanh(z @ lay.ff2 + lay.ff2_b)
    ta = z @ lay.time_a + lay.time_a_b
    tb = z @ lay.time_b + lay.time_b_b
    s = sigmoid(ta * t + tb)
    f1 = np.tanh(f1)
    if mode == "no_gate":
        return f1 + s * f2
    return f1 * (1.0 - s) + s * f2


def cfc_run(params, x, dt, h0):
    """Reference CfC sequence: x (T, n_in), dt (T,), h0 (n,) -> states (T, n)."""
    h = np.array(h0, dtype=float)
    out = []
    for t in range(x.shape[0]):
        for lay in params.layers:
            z = np.concatenate([x[t], h])[lay.sources]
            for w, b in params.backbone:
                z = _ACT[params.activation](z @ w + b)
            pure = params.mode == "pure"
            h[lay.neurons] = cfc_cell(z, dt[t], lay, params.mode,
                                      params.w_tau[lay.neurons] if pure else None,
                                      params.A[lay.neurons] if pure else None)
        out.append(h.copy())
    return np.array(out)


# -- wirings used by the liquid tests ---------------------------------------------------------
TOUCH_CIRCUIT = ["ALML", "ALMR", "AVM", "PLML", "PLMR", "AVAL", "AVAR", "AVBL", "AVBR", "AVDL", "AVDR",
                 "AVEL", "AVER", "PVCL", "PVCR", "DA1", "DA2", "DB1", "VA1", "VB1", "VB2"]


def ncp_wiring(n_inputs=8, seed=3):
    """A 19-neuron NCP (12 inter, 6 command, 1 motor) from ``connectome.synthetic``."""
    from connectome.synthetic import ncp

    return ncp(inter_neurons=12, command_neurons=6, motor_neurons=1, sensory_fanout=4, inter_fanout=4,
               recurrent_command_synapses=6, motor_fanin=6, n_inputs=n_inputs, seed=seed)


def worm_wiring(gap_junctions=True):
    """The touch-withdrawal circuit of the Varshney et al. (2011) connectome (21 neurons).

    Inputs: the five touch receptor neurons (one channel each); outputs: six motor
    neurons, placed first (ncps reads its first neurons as outputs).
    """
    import connectome
    from connectome.export import outputs_first

    w = connectome.Wiring.from_connectome(connectome.load("varshney2011")).subset(TOUCH_CIRCUIT, name="touch")
    w = outputs_first(w, name="touch")
    if not gap_junctions:
        w = connectome.Wiring(w.neurons, w.chemical, w.sign, None, w.inputs, w.outputs, w.metadata, "touch-chem")
    return w
