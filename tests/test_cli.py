"""The ``circuitsim`` command (the default worm experiment, shortened)."""

import numpy as np
import pytest

from circuitsim.cli import main
from circuitsim.result import Result


def test_default_experiment_short(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--duration", "0.5 s", "--output", str(out)]) == 0
    res = Result.load(out / "result.npz")
    assert res.meta["model"] == "graded" and res.meta["solver"]["name"] == "rosenbrock"
    assert res.t_span == (0.0, 500.0) and len(res.neurons) == 279
    assert res.at(123.4)["V"].shape == (279,)
    png = (out / "figure.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    text = capsys.readouterr().out
    assert "PLML, PLMR at 2000 pA" in text and "wrote" in text
    assert not list(out.glob("*.tmp*"))       # atomic writes leave no temporary files


def test_long_run_keeps_its_wiring(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["--duration", "12 s", "--output", str(out), "--no-figure", "--stimulate", "PLML,PLMR",
                 "--amplitude", "1500"]) == 0
    res = Result.load(out / "result.npz")
    assert res.t[0] == 0.0 and res.t[-1] == 12000.0 and np.all(np.diff(res.t) > 0)
    assert res.wiring is not None and res.wiring.n == 279     # network plots of the saved result work
    # the continuous extension is continuous everywhere, e.g. around 10 s
    a, b = res.at(10000.0 - 1e-6)["V"], res.at(10000.0 + 1e-6)["V"]
    assert np.abs(a - b).max() < 1e-3
    assert not (out / "figure.png").exists()


def test_other_solver_and_convention(tmp_path):
    assert main(["--duration", "50", "--solver", "dopri5", "--threshold", "rest", "--output",
                 str(tmp_path), "--no-figure", "--quiet"]) == 0
    assert Result.load(tmp_path / "result.npz").meta["solver"]["name"] == "dopri5"


def test_fixed_step_solver_keeps_a_millisecond_grid(tmp_path):
    assert main(["--duration", "20 ms", "--solver", "rk4", "--output", str(tmp_path), "--quiet"]) == 0
    res = Result.load(tmp_path / "result.npz")
    np.testing.assert_allclose(res.t, np.arange(0.0, 20.5, 1.0))
    assert res.dense is None and (tmp_path / "figure.png").exists()


def test_solver_failure_is_reported(tmp_path, capsys, monkeypatch):
    import circuitsim.cli as cli
    from circuitsim.solvers import Rosenbrock

    monkeypatch.setattr("circuitsim.solvers.get_solver", lambda name: Rosenbrock(max_steps=2))
    assert cli.main(["--duration", "500", "--output", str(tmp_path), "--quiet"]) == 1
    assert "max_steps" in capsys.readouterr().err


def test_list_datasets(capsys):
    assert main(["--list-datasets"]) == 0
    assert "varshney2011" in capsys.readouterr().out


@pytest.mark.parametrize("argv, match", [
    (["--stimulate", "PLMX"], "unknown neuron 'PLMX'.*did you mean"),
    (["--dataset", "varshney2012"], "unknown dataset 'varshney2012'"),
    (["--solver", "rk5"], "unknown solver 'rk5'; did you mean 'rk4'"),
    (["--duration", "-1"], "--duration must be a positive time"),
    (["--duration", "10 parsecs"], "--duration .10 parsecs.*not a number with a unit"),
    (["--amplitude", "nan"], "--amplitude must be a finite current"),
    (["--amplitude", "2 volts"], "--amplitude '2 volts'.*not a number with a unit"),
    (["--stimulate", "PLML", "PLML"], "--stimulate names neuron 'PLML' twice"),
    (["--stimulate", "PLM", "PLML"], "--stimulate names neuron 'PLML' twice"),
    (["--dataset", "witvliet2021_1"], "PLML is a C. elegans neuron but not in witvliet2021_1.*ALML"),
    (["--stimulate", ","], "--stimulate needs at least one neuron name"),
])
def test_bad_arguments(tmp_path, capsys, argv, match):
    assert main(argv + ["--output", str(tmp_path / "x"), "--quiet"]) == 2
    import re
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "x").exists()
