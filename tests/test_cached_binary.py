"""Direct runs of a cached standalone binary (no model built in Python) give exactly what a Brian2
build gives, and a stored run layout is dropped as soon as it no longer describes the binary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from allonet import cache, toolchain
from allonet.engine import DIRECT_VARIABLE
from allonet.engine.cached_binary import binary_intact, load_layout
from allonet.store import read_run
from conftest import IPSC_SPEC, run_cli

#: run-time values only (seed, drug concentrations): the compiled model and its layout are reused
RUN_TIME = ["--set", "seed=7", "--set", "drugs.allo_default=30 nM"]
#: every test here runs the IPSC model (through a Brian2 build or the cached binary)
pytestmark = pytest.mark.slow


def _project(run) -> Path:
    """The standalone project of ``run``: its build record names it relative to the cache."""
    build = run.attrs["build"]
    assert not Path(build["project_dir"]).is_absolute()
    assert cache.cache_root() / build["project_dir"] == cache.standalone_dir(
        build["structure_hash"])
    return cache.cache_root() / build["project_dir"]


def _run(path: Path, *extra: str):
    assert run_cli("run", IPSC_SPEC, "-o", path, "--device", "standalone", "-q",
                   "--no-figure", *RUN_TIME, *extra) == 0
    return read_run(path)


@pytest.fixture(scope="module")
def full_and_direct(ipsc_runs, tmp_path_factory):
    """The same spec and seed run through a Brian2 build, then directly."""
    out = tmp_path_factory.mktemp("direct")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(DIRECT_VARIABLE, "0")
        full = _run(out / "full.h5")
    return full, _run(out / "direct.h5")


def test_direct_run_gives_the_datasets_of_a_brian2_build(full_and_direct):
    full, direct = full_and_direct
    assert full.attrs["build"]["direct"] is False
    assert direct.attrs["build"]["direct"] is True
    assert direct.attrs["build"]["compiled"] is False
    assert full.data.keys() == direct.data.keys()
    for key, value in full.data.items():
        np.testing.assert_array_equal(value, direct.data[key], err_msg=key)


def test_direct_run_does_not_import_brian2(full_and_direct, tmp_path):
    """A run of a cached binary from the shell loads specs, runs the binary and writes its run
    file without Brian2 (whose import alone takes ~1.7 s), sympy (~0.3 s) or Matplotlib."""
    out = tmp_path / "direct.h5"
    args = ["run", str(IPSC_SPEC), "-o", str(out), "--device", "standalone", "-q",
            "--no-figure", *RUN_TIME]
    code = ("import sys; from allonet.cli import main; "
            f"assert main({args!r}) == 0; "
            "heavy = {'brian2', 'sympy', 'matplotlib'} & set(sys.modules); "
            "assert not heavy, f'{sorted(heavy)} imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert read_run(out).attrs["build"]["direct"] is True


def test_only_run_time_values_share_a_layout(full_and_direct, ipsc_runs):
    """Seed and drug levels keep the layout key; another concentration list (a new set of
    conditions) has its own, on the same compiled binary."""
    full, direct = (run.attrs["build"] for run in full_and_direct)
    assert full["layout_key"] and direct["layout_key"] == full["layout_key"]
    other = read_run(ipsc_runs["standalone_other"]).attrs["build"]
    assert other["structure_hash"] == full["structure_hash"]
    assert other["layout_key"] != full["layout_key"]


def test_layout_is_dropped_when_build_time_arrays_change(full_and_direct, tmp_path):
    full, _ = full_and_direct
    project = _project(full)
    copy = tmp_path / "project"
    shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns("results"))
    valid = [p.stem for p in sorted((copy / "allonet-layouts").glob("*.json"))
             if load_layout(copy, p.stem) is not None]
    assert valid, "the copy keeps the layout of the binary it copies"
    key = valid[0]
    layout = load_layout(copy, key)
    run_time = {a["name"].replace(".values", "_values") for a in layout["args"]}
    static = sorted(p for p in (copy / "static_arrays").iterdir()
                    if not p.name.startswith("init_") and p.name not in run_time)
    assert static, "the IPSC model sets per-cell sensitivities from build-time arrays"
    values = np.fromfile(static[0], dtype=np.uint8)
    values[:1] ^= 1
    values.tofile(static[0])
    assert load_layout(copy, key) is None


def test_layout_records_run_time_arrays_and_result_files(full_and_direct):
    full, _ = full_and_direct
    folder = _project(full) / "allonet-layouts"
    layouts = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    sources = {a["source"] for layout in layouts for a in layout["args"]}
    assert {"allo", "bz"} <= sources
    outputs = {k for layout in layouts for k in layout["outputs"]}
    assert {"trace", "spikes"} <= outputs


def test_corrupted_binary_is_relinked_never_run(full_and_direct, tmp_path, monkeypatch):
    """A copy of the cache whose binary is cut in half (its timestamp kept, so that only its
    digest tells): the run does not start it, has make link it again, and gives exactly the
    datasets of the clean binary."""
    _, direct = full_and_direct
    cache_copy = tmp_path / "cache"
    copy = cache_copy / direct.attrs["build"]["project_dir"]
    shutil.copytree(_project(direct), copy, symlinks=True, ignore=shutil.ignore_patterns("results"))
    main = copy / "main"
    stat = main.stat()
    main.write_bytes(main.read_bytes()[: stat.st_size // 2])
    os.utime(main, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not binary_intact(copy)
    monkeypatch.setenv("ALLONET_CACHE", str(cache_copy))
    rerun = _run(tmp_path / "rerun.h5")
    build = rerun.attrs["build"]
    assert build["direct"] is False and build["compiled"] is True
    assert binary_intact(copy) and main.stat().st_size == stat.st_size
    assert rerun.data.keys() == direct.data.keys()
    for key, value in direct.data.items():
        np.testing.assert_array_equal(value, rerun.data[key], err_msg=key)


def test_binary_built_for_another_cpu_is_not_reused(tmp_path, monkeypatch):
    """Brian2 compiles with -march=native: a node whose CPU flags differ gets its own project
    (another structure hash) and compiles it, never starting, or seeding its object files
    from, the binary built for the other CPU (in an empty cache of its own)."""
    monkeypatch.setenv("ALLONET_CACHE", str(tmp_path / "cache"))
    small = ["--set", "protocol.profiles=[default]", "--set", "protocol.concentrations=[0 nM]"]
    first = _run(tmp_path / "first.h5", *small).attrs["build"]
    again = _run(tmp_path / "again.h5", *small).attrs["build"]
    assert first["compiled"] and again["direct"] and again["project_dir"] == first["project_dir"]
    assert first["cpu_flags"] == toolchain.cpu_flags()  # the run file records its toolchain
    assert {"sympy", "cython", "compiler", "compile_flags", "cpu"} <= set(first)
    monkeypatch.setattr(toolchain, "cpu_flags", lambda: "0123456789abcdef")  # another node
    other = _run(tmp_path / "other.h5", *small).attrs["build"]
    assert other["cpu_flags"] == "0123456789abcdef"
    assert other["structure_hash"] != first["structure_hash"]
    assert other["compiled"] is True and other["direct"] is False
    projects = sorted(p.name for p in (tmp_path / "cache" / "standalone").iterdir() if p.is_dir())
    assert projects == sorted([first["structure_hash"], other["structure_hash"]])


def test_code_objects_compile_from_the_precompiled_header(full_and_direct):
    """Every code object was compiled with allonet's make rules (the precompiled header; the
    array code unoptimised), and the ~60 MB compiled header is gone once the binary is linked."""
    project = _project(full_and_direct[0])
    assert (project / toolchain.MAKE_FILE).read_text() == toolchain.MAKE_RULES
    assert (project / toolchain.PCH_FILE).read_text() == toolchain.PRECOMPILED_HEADER
    assert not (project / f"{toolchain.PCH_FILE}.gch").exists()
    log = subprocess.run(["make", "-n", "-B", "-f", "makefile", "-f", toolchain.MAKE_FILE],
                         cwd=project, capture_output=True, text=True, check=True).stdout
    compiles = [line for line in log.splitlines() if line.startswith(("g++", "c++", "$(CXX)"))
                or " -c " in line]
    objects = [line for line in compiles if "code_objects/" in line and " -c " in line]
    assert objects and all(f"-include {toolchain.PCH_FILE}" in line for line in objects)
    assert any("objects.cpp" in line and line.rstrip().count("-O0") for line in compiles)


def test_results_go_to_the_ram_folder_and_are_removed(full_and_direct, tmp_path, monkeypatch):
    """A direct run's binary writes its ~1,500 result files into the RAM folder when it has
    room, and leaves nothing there, removing what runs killed earlier left (not what running
    ones hold); without room (or without the folder), it writes them in the project."""
    from allonet.engine import cached_binary

    ram = tmp_path / "ram"
    ram.mkdir()
    monkeypatch.setattr(cached_binary, "RAM_FOLDER", ram)
    monkeypatch.setattr(cached_binary, "RAM_FOLDER_MIN_FREE", 0)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    abandoned = ram / f"{cached_binary.RESULTS_PREFIX}{ended.pid}-0"  # killed before cleaning up
    running = ram / f"{cached_binary.RESULTS_PREFIX}{os.getppid()}-0"
    abandoned.mkdir()
    running.mkdir()
    read = []
    real = cached_binary.read_results
    monkeypatch.setattr(cached_binary, "read_results",
                        lambda results, outputs: read.append(results) or real(results, outputs))
    direct = _run(tmp_path / "direct.h5")
    assert direct.attrs["build"]["direct"] is True
    assert read and {p.parent for p in read} == {ram} and list(ram.iterdir()) == [running]
    project = _project(direct)
    monkeypatch.setattr(cached_binary, "RAM_FOLDER_MIN_FREE", 2**62)
    assert cached_binary.results_root(project) == project / "results"
    monkeypatch.setattr(cached_binary, "RAM_FOLDER", tmp_path / "absent")
    assert cached_binary.results_root(project) == project / "results"
