"""A model defined outside the package runs on the unchanged engine; multi-variable results."""

from __future__ import annotations

import numpy as np
import pytest

from circuitsim import inputs
from circuitsim.circuit import Circuit
from circuitsim.errors import ParameterError
from circuitsim.result import Result
from circuitsim.simulate import simulate
from circuitsim.solvers import RK4, Dopri5

from engine_fixtures import NAMES, small_wiring
from engine_models import Oscillators, OscParams, system_matrix
from reference import affine_exact_piecewise

OMEGA = np.array([1.0, 0.7, 1.3, 0.9, 1.1])
Y0 = np.r_[np.linspace(-1, 1, 5), np.zeros(5)]
SPAN = (0.0, 15.0)


@pytest.fixture(scope="module")
def setup():
    w = small_wiring()
    prm = OscParams(omega=OMEGA)
    c = Circuit(w, Oscillators(), prm, y0=Y0)
    drive = inputs.step("PLMR", 0.5, 4.2)
    f = np.zeros(10)
    f[5 + 3] = 0.5
    exact = lambda ts: affine_exact_piecewise(system_matrix(w, prm), [(0.0, np.zeros(10)), (4.2, f)], Y0, ts)  # noqa
    return c, drive, exact


@pytest.mark.parametrize("solver, tol", [(RK4(0.005), 1e-8), (Dopri5(rtol={"p": 1e-10, "q": 1e-10},
                                                                       atol={"p": 1e-12, "q": 1e-12}), 1e-8)])
def test_new_model_against_expm(setup, solver, tol):
    c, drive, exact = setup
    r = simulate(c, SPAN, drive, solver)
    ref = exact(r.t)
    assert r.variables == ("p", "q") and r.y.shape == (len(r.t), 10)
    np.testing.assert_allclose(r["p"], ref[:, :5], rtol=0, atol=tol)
    np.testing.assert_allclose(r["q"], ref[:, 5:], rtol=0, atol=tol)
    tq = np.array([0.1, 4.19, 4.21, 9.99])
    at = r.at(tq)
    assert set(at) == {"p", "q"}
    np.testing.assert_allclose(np.hstack([at["p"], at["q"]]), exact(tq), rtol=0, atol=10 * tol)


def test_variable_and_neuron_subsets(setup, tmp_path):
    c, drive, _ = setup
    full = simulate(c, SPAN, drive, RK4(0.01))
    sub = simulate(c, SPAN, drive, RK4(0.01), variables=["q"], record=["DB1", "AVAR"])
    assert sub.variables == ("q",) and sub.units == {"q": "mV/ms"}
    np.testing.assert_array_equal(sub["q"], full["q"][:, [4, 1]])
    np.testing.assert_array_equal(sub.at(7.77, "q"), full.at(7.77, "q")[[4, 1]])
    with pytest.raises(KeyError, match="variable 'p' was not recorded"):
        sub["p"]
    df = full.to_dataframe()
    assert df.columns.names == ["variable", "neuron"] and df.shape == (len(full.t), 10)
    np.testing.assert_array_equal(df["q"]["PLML"].to_numpy(), full["q"][:, 2])
    assert list(full.to_dataframe("p").columns) == NAMES
    full.save(tmp_path / "osc.npz")
    assert Result.load(tmp_path / "osc.npz").equals(full)


def test_per_variable_tolerances_resolve_by_name(setup):
    c, drive, _ = setup
    with pytest.raises(ParameterError, match=r"atol names unknown state variable 'x'; the model has \('p', 'q'\)"):
        simulate(c, SPAN, drive, Dopri5(atol={"x": 1e-3}))
    tight_q = simulate(c, SPAN, drive, Dopri5(rtol=1e-3, atol={"p": 1e-3, "q": 1e-10}), dense=False)
    loose = simulate(c, SPAN, drive, Dopri5(rtol=1e-3, atol=1e-3), dense=False)
    assert tight_q.stats["steps"][0] > loose.stats["steps"][0]
