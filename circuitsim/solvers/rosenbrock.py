"""Rosenbrock (linearly implicit) stiff solvers: RODAS4 and Rodas5P, on any model with the hooks.

Each step solves linear systems with ``M = I / (h gamma) - J`` and the exact
Jacobian ``J``, so the method keeps its order on stiff problems; both methods are
L-stable and stiffly accurate, with their own continuous extensions. How ``M`` is
built and solved is the model's choice (:meth:`circuitsim.models.base.Model.linear_structure`):

* the graded network eliminates its synaptic variables exactly and factorises only
  the leak + gap-junction part, iterating on the synaptic coupling
  (``linear="iterative"``, its default) or factorising the whole reduced matrix
  (``linear="direct"``);
* CTRNN, LTC and any model giving its Jacobian on a sparsity pattern get a sparse LU
  of ``M`` on a minimum-degree fill pattern (``linear="direct"``);
* a plastic circuit eliminates its weights and traces exactly (small solves per
  synapse and per neuron, every shipped rule included) and solves the base model's
  own system with a few extra entries per synapse, so the graded network keeps its
  reduced system (:mod:`circuitsim._kernels.plastic_linear`). The error norm treats
  the weights and traces as a block of their own (:func:`circuitsim._kernels.loop.error_norm`):
  a learning rate of 0 gives the non-plastic result bit for bit.

Coefficients
------------
* RODAS4: Hairer & Wanner, *Solving ODEs II* (2nd ed., 1996), IV.7, coefficient set 1
  of their code ``rodas.f``: 6 stages, order 4, embedded order 3, dense output order 3.
* Rodas5P: Steinebach (2023), "Construction of Rosenbrock-Wanner method Rodas5P and
  numerical benchmarks within the Julia Differential Equations package", BIT 63:27:
  8 stages, order 5, embedded order 4, dense output order 4 (coefficients as published
  with the method).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

from ..errors import ParameterError
from .base import Solver, positive, register_solver

__all__ = ["Rosenbrock", "RosenbrockTableau", "RODAS4", "RODAS5P", "ROSENBROCK_TABLEAUS"]


@dataclasses.dataclass(frozen=True, eq=False)
class RosenbrockTableau:
    """A Rosenbrock method in the form of Hairer & Wanner's code RODAS.

    Stage ``i`` evaluates ``f`` at ``t + alpha_i h, y + sum_j A_ij k_j`` and solves
    ``M k_i = f + sum_j (C_ij / h) k_j + h gam_i df/dt``; ``y_new = y + sum b_j k_j``,
    error ``sum e_j k_j``; dense rows ``d_q = sum_j H_qj k_j``.
    """

    name: str
    gamma: float
    alpha: np.ndarray
    gam: np.ndarray
    A: np.ndarray
    C: np.ndarray
    b: np.ndarray
    e: np.ndarray
    H: np.ndarray
    order: int
    error_order: int

    @property
    def stages(self) -> int:
        return len(self.alpha)

    @property
    def dense_rows(self) -> int:
        return 2 + self.H.shape[0]

    def classical(self):
        """The method in the classical form ``(alpha_ij, gamma_ij, b_i)`` (for order conditions).

        With the transformed stages ``k = Gamma k_classical``:
        ``Gamma^-1 = diag(1 / gamma) - C``, ``alpha = A Gamma``, ``b_classical = b Gamma``.

        Returns
        -------
        alpha, Gamma, b : ndarray
            ``(s, s)``, ``(s, s)`` (lower triangular, ``gamma`` on the diagonal), ``(s,)``.
        """
        s = self.stages
        Ginv = np.eye(s) / self.gamma - self.C
        G = np.linalg.inv(Ginv)
        return self.A @ G, G, self.b @ G


def _rodas4():
    g = 0.25
    A = np.zeros((6, 6))
    A[1, :1] = [1.544]
    A[2, :2] = [0.9466785280815826, 0.2557011698983284]
    A[3, :3] = [3.314825187068521, 2.896124015972201, 0.9986419139977817]
    A[4, :4] = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895]
    A[5, :5] = A[4, :5]
    A[5, 4] += 1.0
    C = np.zeros((6, 6))
    C[1, :1] = [-5.6688]
    C[2, :2] = [-2.430093356833875, -0.2063599157091915]
    C[3, :3] = [-0.1073529058151375, -9.594562251023355, -20.47028614809616]
    C[4, :4] = [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616]
    C[5, :5] = [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054]
    H = np.zeros((2, 6))
    H[0, :5] = [10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662]
    H[1, :5] = [-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872]
    b = A[5].copy()
    b[5] += 1.0                      # stiffly accurate: y_new is the last stage's state plus k_6
    e = np.zeros(6)
    e[5] = 1.0                       # error estimate: k_6
    return RosenbrockTableau("rodas4", g, np.array([0.0, 0.386, 0.21, 0.63, 1.0, 1.0]),
                             np.array([0.25, -0.1043, 0.1035, -0.03620000000000023, 0.0, 0.0]), A, C, b, e, H, 4, 3)


def _rodas5p():
    g = 0.21193756319429014
    A = np.zeros((8, 8))
    A[1, :1] = [3.0]
    A[2, :2] = [2.849394379747939, 0.45842242204463923]
    A[3, :3] = [-6.954028509809101, 2.489845061869568, -10.358996098473584]
    A[4, :4] = [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641]
    A[5, :5] = [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256,
                0.030198172008377946]
    A[6, :6] = A[5, :6]
    A[6, 5] += 1.0
    A[7, :7] = A[6, :7]
    A[7, 6] += 1.0
    C = np.zeros((8, 8))
    C[1, :1] = [-14.155112264123755]
    C[2, :2] = [-17.97296035885952, -2.859693295451294]
    C[3, :3] = [147.12150275711716, -1.41221402718213, 71.68940251302358]
    C[4, :4] = [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306]
    C[5, :5] = [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125, -0.6610691825249471]
    C[6, :6] = [30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783, -19.097331116725623,
                -28.087943162872662]
    C[7, :7] = [37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047, -40.06618937091002,
                -54.66780262877968, -9.48861652309627]
    H = np.array([
        [25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204, 0.524948541321073,
         1.1241088310450404, 0.4272876194431874, -0.17202221070155493],
        [-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796, 20.176138334709044,
         15.98066361424651, -6.789040303419874, -6.710236069923372],
        [11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643, -52.072871366152654,
         -59.78993625266729, -0.15582684282751913, 4.883087185713722],
    ])
    b = A[7].copy()
    b[7] += 1.0
    e = np.zeros(8)
    e[7] = 1.0
    alpha = np.array([0.0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664,
                      1.0, 1.0, 1.0])
    gam = np.array([0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734,
                    2.325825639765069, 0.0, 0.0, 0.0])
    return RosenbrockTableau("rodas5p", g, alpha, gam, A, C, b, e, H, 5, 4)


RODAS4 = _rodas4()
RODAS5P = _rodas5p()
ROSENBROCK_TABLEAUS = {t.name: t for t in (RODAS4, RODAS5P)}


@register_solver
@dataclasses.dataclass(frozen=True, kw_only=True)
class Rosenbrock(Solver):
    """Adaptive linearly implicit stiff solver (Rodas5P or RODAS4) with its own continuous extension.

    Parameters
    ----------
    method : {"rodas4", "rodas5p"}
        The tableau (module docstring).
    rtol, atol : float, dict or array (n_state,), optional
        Tolerances (a scalar, a dict ``{state variable: value}`` or one per state
        entry). Default: the model's (:meth:`~circuitsim.models.base.Model.stiff_tolerances`);
        for the graded network ``rtol = 0`` and ``atol = {"V": 5e-4 mV, "s": 5e-7}``:
        stimulated neurons sit far from rest (volts with 2 nA), so absolute control per
        variable kind is used. These keep the global error of the default worm experiment
        (10 s) near 3e-3 mV.
    h0 : float
        First trial step (ms, > 0).
    h_max : float
        Largest step (ms, > 0; default unbounded).
    max_steps : int
        Budget of attempted steps (> 0).
    dt : float, optional
        Take fixed steps of `dt` ms without error control (for order studies).
    linear : {"auto", "iterative", "direct"}
        How the linear systems are solved: ``"auto"`` is the model's preference;
        ``"iterative"`` (graded network only) factorises the gap-junction part and
        iterates on the synaptic coupling; ``"direct"`` factorises the whole matrix.
    lin_tol : float
        The iteration stops when its estimated remaining error is below this fraction
        of the error tolerance of every membrane potential (0 < lin_tol <= 1). The solve
        error enters every step like a local error of its own, so it must be a small
        fraction of the tolerance.

    Examples
    --------
    >>> Rosenbrock(atol={"V": 1e-3, "s": 1e-6}).method
    'rodas4'
    """

    method: str = "rodas4"
    rtol: Any = None
    atol: Any = None
    h0: float = 0.01
    h_max: float = math.inf
    max_steps: int = 1_000_000
    dt: float | None = None
    linear: str = "auto"
    lin_tol: float = 0.03

    name: ClassVar[str] = "rosenbrock"

    def __post_init__(self):
        set_ = object.__setattr__
        if self.method not in ROSENBROCK_TABLEAUS:
            from connectome.errors import close_matches

            near = close_matches(str(self.method), ROSENBROCK_TABLEAUS)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            raise ParameterError(f"unknown Rosenbrock method {self.method!r}{hint}; known: "
                                 f"{sorted(ROSENBROCK_TABLEAUS)}")
        set_(self, "h0", positive("h0", self.h0))  # never None here: Rosenbrock starts from h0
        self._check_step_options()
        if self.linear not in ("auto", "iterative", "direct"):
            raise ParameterError(f"linear must be 'auto', 'iterative' or 'direct', got {self.linear!r}")
        if isinstance(self.lin_tol, bool) or not isinstance(self.lin_tol, (int, float, np.floating)) \
                or not (0.0 < float(self.lin_tol) <= 1.0):
            raise ParameterError(f"lin_tol must be in (0, 1], got {self.lin_tol!r}")
        set_(self, "lin_tol", float(self.lin_tol))

    @property
    def tableau(self) -> RosenbrockTableau:
        return ROSENBROCK_TABLEAUS[self.method]

    @property
    def order(self) -> int:  # type: ignore[override]
        return self.tableau.order

    @property
    def fixed_step(self) -> bool:  # type: ignore[override]
        return self.dt is not None

    @property
    def dense_rows(self) -> int:
        return self.tableau.dense_rows

    def check(self, circuit, t_span) -> None:
        self.check_vector_field(circuit)
        model = circuit.model
        missing = model.missing_stiff_hooks(self.linear)
        if missing:
            raise ParameterError(f"Rosenbrock needs the Jacobian of the {model.name!r} model: {missing}. "
                                 "Use an explicit solver (Dopri5, Tsit5, RK4) or add the hooks (see "
                                 "circuitsim.models.base.Model.linear_structure)")
        self.stiff_tolerances(circuit)

    def kernel_config(self, job):
        from numba import typed

        from .._kernels.buffers import StepControl
        from .._kernels.rosenbrock import RosenbrockConfig
        from ..simulate import kernel_ready

        tab = self.tableau
        first = job.solver_circuits[0]
        ctl = kernel_ready(StepControl(
            *self.stiff_tolerances(first),
            self.h0, self.h_max, self.max_steps, float(self.dt or 0.0), 0.9, 0.2, 6.0, 1.0 / (tab.error_order + 1),
            tab.order, True))

        def config(circuit):
            L = circuit.model.linear_structure(circuit, self.linear)
            return kernel_ready(RosenbrockConfig(ctl, tab.dense_rows, tab.gamma, tab.alpha, tab.gam, tab.A, tab.C,
                                                 tab.b, tab.e, tab.H, self.lin_tol, L))

        if job.shared:
            return config(first)
        cache = {}
        out = typed.List()
        for c in job.solver_circuits:
            key = id(c)
            if key not in cache:
                cache[key] = config(c)
            out.append(cache[key])
        return out
