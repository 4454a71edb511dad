"""The dependency bounds hold: ``pip install -e .`` resolves on Python 3.12 with every
dependency at its floor (constraints from ``tools/floors.py``, i.e. from pyproject.toml), and on
Python 3.13 with the newest versions allowed. Dry runs (nothing installed), slow (about 20 s
each) and skipped where the interpreter or the registry is missing."""

from __future__ import annotations

import glob
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
from floors import floor_constraints  # noqa: E402

#: what pip prints when it cannot reach an index (the registry, not the bounds, failed)
_OFFLINE = ("NewConnectionError", "Temporary failure in name resolution", "Network is unreachable",
            "Max retries exceeded", "Could not fetch URL")


def _python(version: str) -> str | None:
    """An interpreter of ``version`` (``"3.12"``) that runs: in pyenv or on PATH (a pyenv shim
    on PATH fails when its version is not selected)."""
    pyenv = sorted(glob.glob(str(Path.home() / f".pyenv/versions/{version}.*/bin/python3")))
    for candidate in [*reversed(pyenv), shutil.which(f"python{version}")]:
        if candidate and subprocess.run([candidate, "-c", ""], capture_output=True,
                                        check=False).returncode == 0:
            return candidate
    return None


def _dry_run(version: str, tmp_path: Path, *pip_args: str) -> dict[str, str]:
    """Resolve ``pip install -e REPO`` on Python ``version``; name -> version chosen."""
    python = _python(version)
    if python is None:
        pytest.skip(f"no Python {version} here")
    report = tmp_path / "report.json"
    done = subprocess.run([python, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                           "--quiet", "--report", str(report), "-e", str(REPO), *pip_args],
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 and any(word in done.stderr for word in _OFFLINE):
        pytest.skip(f"the package registry is not reachable: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    chosen = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in chosen}


@pytest.mark.slow
def test_floors_resolve_on_python_312(tmp_path):
    floors = floor_constraints("3.12")
    assert "brian2==2.10.1" in floors and "numpy==2.0" in floors
    constraints = tmp_path / "floors.txt"
    constraints.write_text("\n".join(floors) + "\n")
    chosen = _dry_run("3.12", tmp_path, "-c", str(constraints))
    for pin in floors:
        name, version = pin.split("==")
        assert Version(chosen[name.lower()]) == Version(version), pin


@pytest.mark.slow
def test_newest_resolve_on_python_313(tmp_path):
    chosen = _dry_run("3.13", tmp_path, "--upgrade")
    assert chosen["brian2"].startswith("2.1") and int(chosen["numpy"].split(".")[0]) >= 2


def test_floor_constraints_follow_markers():
    """One floor per package and Python version, from the requirement whose marker holds."""
    assert "numpy==2.1" in floor_constraints("3.13") and "numpy==2.0" not in floor_constraints(
        "3.13")
    with_extra = floor_constraints("3.12", ["neo"])
    assert "neo==0.14" in with_extra and "allonet" not in " ".join(with_extra)
