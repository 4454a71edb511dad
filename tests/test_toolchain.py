"""What compiled code is built for (allonet.toolchain): the CPU's instruction set and the
compiler are part of every standalone binary's cache key, and run files record them with the
provenance of the code (allonet.provenance)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import allonet
from allonet import provenance, toolchain
from allonet.engine import structure_hash

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cpuinfo(tmp_path, monkeypatch):
    """Point toolchain at a fake /proc/cpuinfo written by the test."""
    path = tmp_path / "cpuinfo"
    monkeypatch.setattr(toolchain, "CPUINFO", path)
    toolchain._cpuinfo.cache_clear()
    yield path
    toolchain._cpuinfo.cache_clear()


def _cpu(model: str, flags: str) -> str:
    block = f"processor\t: {{}}\nmodel name\t: {model}\nflags\t\t: {flags}\n"
    return "\n".join(block.format(n) for n in range(2))


def test_cpu_flags_digest_ignores_order_and_tells_instruction_sets_apart(cpuinfo):
    cpuinfo.write_text(_cpu("Xeon A", "fpu sse2 avx2"))
    first = toolchain.cpu_flags()
    assert toolchain.cpu_model() == "Xeon A" and re.fullmatch("[0-9a-f]{16}", first)
    toolchain._cpuinfo.cache_clear()
    cpuinfo.write_text(_cpu("Xeon A", "avx2 fpu sse2"))
    assert toolchain.cpu_flags() == first
    toolchain._cpuinfo.cache_clear()
    cpuinfo.write_text(_cpu("Xeon A", "fpu sse2 avx2 avx512f"))
    assert toolchain.cpu_flags() != first


def test_binary_cache_key_holds_cpu_and_compiler(monkeypatch):
    structure = {"family": "demo", "n": 3}
    here = structure_hash(structure)
    monkeypatch.setattr(toolchain, "cpu_flags", lambda: "another-cpu")
    other_cpu = structure_hash(structure)
    monkeypatch.setattr(toolchain, "compiler", lambda: "clang version 18")
    assert len({here, other_cpu, structure_hash(structure)}) == 3


def test_build_environment_names_the_toolchain():
    build = provenance.build_environment()
    assert {"sympy", "cython", "cpu", "cpu_flags", "compiler", "compile_flags"} <= set(build)
    assert "-march=native" in build["compile_flags"]  # why the CPU is part of the key
    assert build["compiler"] and build["cpu"]


def test_commit_is_allonets_own_checkout():
    assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", provenance.git_commit())


def test_installed_copy_in_another_repository_does_not_report_its_commit(tmp_path):
    """allonet copied into site-packages inside the user's own git repository (a venv in the
    project) reports its version, not the user's commit."""
    git_path = shutil.which("git")
    if git_path is None:
        pytest.skip("git is not installed")
    user = tmp_path / "user_project"
    site = user / ".venv" / "lib" / "site-packages"
    shutil.copytree(REPO / "allonet", site / "allonet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(user), "-c", "user.name=u", "-c", "user.email=u@x"]
    subprocess.run(["git", "init", "-q", str(user)], check=True)
    (user / "pyproject.toml").write_text('[project]\nname = "not-allonet"\n')
    subprocess.run([*git, "add", "pyproject.toml"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "user"], check=True)
    code = "from allonet import provenance; print(provenance.git_commit())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=user,
                         env={"PYTHONPATH": str(site), "PATH": str(Path(git_path).parent)})
    user_commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                                 check=True).stdout.strip()
    assert out.stdout.strip() == f"allonet-{allonet.__version__}" != user_commit
