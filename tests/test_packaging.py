"""The project's promises about installation and start-up."""

import configparser
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quickstart_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)]


def test_readme_quick_start_has_exactly_two_commands():
    cmds = _quickstart_commands()
    assert len(cmds) == 2, cmds
    assert all("\n" not in c for c in cmds)
    assert cmds[0].startswith("pip install .") and cmds[0].endswith("circuitsim")
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert _quickstart_commands()[1] in ci_lines


def test_every_package_folder_is_listed_in_setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("connectome", "circuitsim")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"add to setup.cfg packages: {sorted(found - listed)}"
    assert "connectome.data" in listed and (ROOT / "data" / "__init__.py").exists()


def test_importing_connectome_is_light():
    """`import connectome` + load must not pull numba, matplotlib, scipy or networkx."""
    code = (
        "import sys, connectome; connectome.load('cook2019_herm'); "
        "print(sorted(m for m in ('numba', 'matplotlib', 'scipy', 'networkx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "[]"


def test_packaged_data_is_found_from_any_directory(tmp_path):
    code = "import connectome; print(len(connectome.load('varshney2011')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert int(out.stdout) > 0
