"""Every Python snippet in the README runs, in order, in one namespace."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_snippets_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the snippets write files (run.npz, stores) into the working directory
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)  # noqa: S102
    # the snippets promise these types and values
    import scipy.sparse as sp

    assert sp.issparse(namespace["W"])
    v = namespace["result"].at([530.0, 2140.0])["V"]
    assert v.shape == (2, namespace["w"].n) and (abs(v) < 1e6).all()
    assert namespace["small"].size < namespace["w"].n
