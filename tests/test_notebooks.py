"""Execute every notebook in notebooks/ top to bottom in a fresh kernel.

Under ``CI=true`` the notebooks pick small sizes themselves (they read the
``CI`` environment variable); the kernel inherits the environment, with the
non-interactive Agg backend so that no figure is rendered inline.
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell; the first compiled simulation includes numba compilation


def test_notebooks_are_present_and_stripped():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["01_connectome.ipynb", "02_touch_response.ipynb", "03_liquid_wiring.ipynb",
                     "04_arbitrary_timestamps.ipynb", "05_plasticity.ipynb", "06_functional_atlas.ipynb"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: outputs not stripped"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
