"""Slow, independent NumPy/SciPy implementation of the graded-potential network.

Written from the equations of Wicks et al. (1996) / Kunert, Shlizerman & Kutz
(2014) with matrices ``W[pre, post]`` taken straight from the wiring (no
package kernel is imported). Units: ms, mV, nS, pF, pA.

    C dV_i/dt = -Gc (V_i - Ec) - sum_j g_gap G_ij (V_i - V_j)
                - sum_j g_syn W_ji s_j (V_i - E_ji) + I_i
    ds_i/dt   = a_r phi_i (1 - s_i) - a_d s_i,   phi_i = 1 / (1 + exp(-beta (V_i - Vth_i)))
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.integrate import solve_ivp
from scipy.special import expit

# Published values (Kunert et al. 2014) converted to ms / mV / nS / pF.
PUBLISHED = dict(C=1.0, Gc=0.010, Ec=-35.0, g_gap=0.100, g_syn=0.100, a_r=1e-3, a_d=5e-3,
                 beta=0.125, E_exc=0.0, E_inh=-48.0)


class ReferenceGraded:
    """Vector field, Jacobian and thresholds of the model on a wiring."""

    def __init__(self, wiring, C=1.0, Gc=0.010, Ec=-35.0, g_gap=0.100, g_syn=0.100, a_r=1e-3, a_d=5e-3,
                 beta=0.125, E_exc=0.0, E_inh=-48.0, vth=None):
        n = wiring.n
        self.n = n
        G = sp.csr_matrix(wiring.electrical.toarray() * (1 - np.eye(n)))     # symmetric, no self-junctions
        W = wiring.chemical.toarray()                                         # W[pre, post]
        S = wiring.sign.toarray()
        E = np.where(S < 0, E_inh, E_exc)                                     # E[pre, post]
        self.C, self.Gc, self.Ec, self.a_r, self.a_d, self.beta = C, Gc, Ec, a_r, a_d, beta
        self.Ggap = g_gap * G                                                 # nS, symmetric
        self.Wsyn = sp.csr_matrix(g_syn * W.T)                                # [post, pre] nS
        self.WE = sp.csr_matrix(g_syn * (W * E).T)                            # [post, pre] nS*mV
        self.gap_deg = np.asarray(self.Ggap.sum(axis=1)).ravel()
        self.vth = np.zeros(n) if vth is None else np.asarray(vth, float)

    # -- thresholds -----------------------------------------------------------------
    def thresholds(self, current=None):
        """Solve dV/dt = 0 with every s = a_r / (a_r + 2 a_d) (dense linear solve)."""
        n = self.n
        I = np.zeros(n) if current is None else np.asarray(current, float)
        s = self.a_r / (self.a_r + 2 * self.a_d)
        syn_in = np.asarray(self.Wsyn.sum(axis=1)).ravel() * s
        A = np.diag(self.Gc + self.gap_deg + syn_in) - self.Ggap.toarray()
        b = self.Gc * self.Ec + s * np.asarray(self.WE.sum(axis=1)).ravel() + I
        return np.linalg.solve(A, b)

    # -- vector field ---------------------------------------------------------------
    def phi(self, V):
        return expit(self.beta * (V - self.vth))

    def currents(self, V, s):
        """Leak, gap-junction and synaptic currents into each neuron (pA)."""
        leak = -self.Gc * (V - self.Ec)
        gap = -(self.gap_deg * V - self.Ggap @ V)
        syn = -(V * (self.Wsyn @ s) - self.WE @ s)
        return leak, gap, syn

    def gap_currents(self, V):
        """Current through every junction, matrix ``I[i, j]`` into i from j (pA)."""
        Gd = self.Ggap.toarray()
        return -Gd * (V[:, None] - V[None, :])

    def f(self, t, y, current):
        n = self.n
        V, s = y[:n], y[n:]
        leak, gap, syn = self.currents(V, s)
        I = current(t) if callable(current) else current
        dV = (leak + gap + syn + I) / self.C
        ph = self.phi(V)
        ds = self.a_r * ph * (1 - s) - self.a_d * s
        return np.concatenate([dV, ds])

    def jac(self, t, y, *args):
        n = self.n
        V, s = y[:n], y[n:]
        ph = self.phi(V)
        JVV = (-sp.diags(self.Gc + self.gap_deg + self.Wsyn @ s) + self.Ggap) / self.C
        JVs = (-(sp.diags(V) @ self.Wsyn) + self.WE) / self.C
        JsV = sp.diags(self.a_r * self.beta * ph * (1 - ph) * (1 - s))
        Jss = sp.diags(-self.a_r * ph - self.a_d)
        return sp.bmat([[JVV, JVs], [JsV, Jss]], format="csc")

    def equilibrium(self, V0, current=None, tol=1e-10, maxiter=100):
        """Newton's method for the fixed point (V, s) from a guess of V."""
        n = self.n
        I = np.zeros(n) if current is None else np.asarray(current, float)
        y = np.concatenate([V0, np.full(n, 0.0)])
        ph = self.phi(V0)
        y[n:] = self.a_r * ph / (self.a_r * ph + self.a_d)
        for _ in range(maxiter):
            F = self.f(0.0, y, I)
            dy = spla.spsolve(self.jac(0.0, y), -F)
            y = y + dy
            if np.max(np.abs(dy)) < tol:
                return y
        raise RuntimeError("Newton did not converge")

    def solve(self, y0, t_eval, current, rtol=1e-10, atol=1e-10, method="Radau"):
        t_eval = np.asarray(t_eval, float)
        sol = solve_ivp(self.f, (t_eval[0], t_eval[-1]), y0, method=method, t_eval=t_eval, rtol=rtol,
                        atol=atol, jac=self.jac, args=(current,))
        if not sol.success:
            raise RuntimeError(sol.message)
        return sol.y.T
