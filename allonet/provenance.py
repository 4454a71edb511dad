"""What produced a run: package versions, git commit, toolchain, host, time."""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

from allonet import toolchain

_PACKAGES = ("allonet", "brian2", "numpy", "scipy", "h5py", "pydantic", "matplotlib")


def versions() -> dict[str, str]:
    """Versions of Python and of the packages a run depends on."""
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def git_commit() -> str:
    """Commit of the allonet source that runs (with ``-dirty`` if it has changes).

    Only when allonet's own folder is the top of a git work tree whose ``pyproject.toml`` names
    the ``allonet`` project: an installed copy (site-packages) inside someone else's repository
    must not report that repository's commit. Otherwise the commit pip recorded for a VCS
    install, else ``allonet-<version>``.
    """
    root = Path(__file__).resolve().parent.parent
    if _is_allonet_project(root):
        commit = _git(root, "rev-parse", "HEAD")
        if commit and _git(root, "rev-parse", "--show-toplevel") == str(root):
            dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
            return commit + ("-dirty" if dirty else "")
    return _installed_commit() or f"allonet-{_allonet_version()}"


def _is_allonet_project(root: Path) -> bool:
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text()).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return project.get("name") == "allonet"


def _git(root: Path, *args: str) -> str:
    """Output of ``git -C root args`` (stripped), empty when git fails or is missing."""
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _installed_commit() -> str:
    """The commit pip recorded (``direct_url.json``) when allonet was installed from git."""
    try:
        text = metadata.distribution("allonet").read_text("direct_url.json")
        return str(json.loads(text or "{}").get("vcs_info", {}).get("commit_id", ""))
    except (metadata.PackageNotFoundError, ValueError, AttributeError):
        return ""


def _allonet_version() -> str:
    from allonet import __version__

    return __version__


def build_environment() -> dict[str, object]:
    """What a run file's ``build`` attribute records about the code generators and the
    compiler beside the engine's own record: sympy and Cython versions, the C++ compiler, its
    flags, the CPU model and a digest of its instruction-set flags."""
    found = {}
    for name in ("sympy", "Cython"):
        try:
            found[name.lower()] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name.lower()] = "not installed"
    return found | toolchain.description()


def now_utc() -> str:
    """Current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def host() -> str:
    """Machine description (platform and processor)."""
    return f"{platform.node()} {platform.platform()} {platform.machine()}"


def portable_path(path: str | Path) -> str:
    """``path`` as a run file records it: relative to the current folder when it lies below it,
    else its file name alone, so that shared run files carry no absolute path of the machine
    (the file's contents are stored in the run file anyway)."""
    path = Path(path)
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name
