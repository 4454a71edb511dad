"""Bad-input and fault campaign (issue 19): every bad input a user can give, and the faults a
machine can throw at a run, each listed once in a table.

Each bad input must end with exit code 2, one line on stderr naming the file, field or path at
fault, no traceback, and no file written. Cases run in-process (``allonet.cli.main``, the same
code the command runs) and every one fails before anything simulates; the cases that used to
end in a traceback (issue 19) also run as a real subprocess.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from allonet import store
from allonet.engine import cached_binary
from allonet.store import Column, RunData
from conftest import FEAR_SPEC, IPSC_SPEC, REPO, run_cli

DATA = REPO / "tests" / "data"
IPSC_NETWORK = REPO / "networks" / "ipsc_cell.yaml"
RUN_FILE = DATA / "ipsc.h5"


def _experiment(tmp: Path, edit: Callable[[dict], None] | None = None,
                text: str | None = None, network: str | None = None) -> Path:
    """The IPSC experiment (network by absolute path) as ``tmp/experiment.yaml``: edited,
    or replaced by ``text``."""
    data = yaml.safe_load(IPSC_SPEC.read_text())
    data["network"] = network or str(IPSC_NETWORK)
    if edit:
        edit(data)
    path = tmp / "experiment.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(data, sort_keys=False))
    return path


def _write(tmp: Path, name: str, content: str | bytes) -> Path:
    path = tmp / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _foreign_h5(tmp: Path) -> Path:
    path = tmp / "foreign.h5"
    with h5py.File(path, "w") as h5:
        h5["x"] = np.arange(3)
    return path


def _truncated(tmp: Path) -> Path:
    path = tmp / "truncated.h5"
    path.write_bytes(RUN_FILE.read_bytes()[:4000])
    return path


def _set(*keys: str, value: object) -> Callable[[dict], None]:
    def edit(data: dict) -> None:
        node = data
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return edit


def _ipsc_text(tmp: Path) -> str:
    return _experiment(tmp).read_text()


def _duplicate_top(tmp: Path) -> Path:
    text = _ipsc_text(tmp)
    return _write(tmp, "experiment.yaml", text + "seed: 4\nseed: 5\n")


def _duplicate_nested(tmp: Path) -> Path:
    data = yaml.safe_load(_ipsc_text(tmp))
    lines = yaml.safe_dump(data, sort_keys=False).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  duration:"))
    lines.insert(at + 1, lines[at])
    return _write(tmp, "experiment.yaml", "\n".join(lines) + "\n")


def _network_copy(tmp: Path, text: str | bytes) -> Path:
    network = _write(tmp, "network.yaml", text)
    return _experiment(tmp, network=str(network))


def _sweep(tmp: Path, body: dict | str | bytes) -> Path:
    if isinstance(body, dict):
        body = yaml.safe_dump({"name": "t", "experiment": str(IPSC_SPEC), **body})
    return _write(tmp, "sweep.yaml", body)


@dataclass(frozen=True)
class Case:
    """One bad input: ``make(tmp)`` prepares the files and returns the command's arguments
    (``{out}`` stands for the output path ``tmp/out/result``); ``says`` are fragments the
    one-line message must contain ({tmp} is replaced by the folder); ``env`` is set first."""

    make: Callable[[Path], list]
    says: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)


def _run(spec_of: Callable[[Path], Path], *extra: str) -> Callable[[Path], list]:
    return lambda tmp: ["run", spec_of(tmp), "-o", "{out}.h5", "-q", "--no-figure", *extra]


def _validate(spec_of: Callable[[Path], Path], *extra: str) -> Callable[[Path], list]:
    return lambda tmp: ["validate", spec_of(tmp), *extra]


def _edited(edit: Callable[[dict], None]) -> Callable[[Path], Path]:
    return lambda tmp: _experiment(tmp, edit)


def _override(*sets: str) -> Callable[[Path], list]:
    args = [a for s in sets for a in ("--set", s)]
    return lambda tmp: ["run", IPSC_SPEC, "-o", "{out}.h5", "-q", "--no-figure", *args]


PLAIN = _run(lambda tmp: _experiment(tmp))

CASES: dict[str, Case] = {
    # --- the spec file itself
    "spec not UTF-8": Case(_run(lambda t: _write(t, "s.yaml", b"\xff\xfe")),
                           ("s.yaml", "not UTF-8", "0xff")),
    "spec is an HDF5 run file": Case(_run(lambda t: RUN_FILE), ("ipsc.h5", "HDF5 file")),
    "spec is a directory": Case(_run(lambda t: t), ("{tmp}", "a directory")),
    "spec missing": Case(_run(lambda t: t / "nope.yaml"), ("nope.yaml", "file not found")),
    "spec empty": Case(_run(lambda t: _write(t, "e.yaml", "")), ("e.yaml", "YAML mapping")),
    "spec is a list": Case(_run(lambda t: _write(t, "l.yaml", "- a\n- b\n")),
                           ("l.yaml", "YAML mapping")),
    "spec malformed YAML": Case(_run(lambda t: _write(t, "m.yaml", "name: x\np: [unclosed\n")),
                                ("m.yaml", "line", "malformed YAML")),
    "spec with a tab indent": Case(_run(lambda t: _write(t, "tab.yaml", "a:\n\tb: 1\n")),
                                   ("tab.yaml", "malformed YAML")),
    "duplicate top-level key": Case(_run(_duplicate_top), ("experiment.yaml", "duplicate key",
                                                           "'seed'", "line")),
    "duplicate nested key": Case(_validate(_duplicate_nested),
                                 ("experiment.yaml", "duplicate key 'duration'", "line")),
    "aliases under an unknown key": Case(_validate(lambda t: _write(
        t, "aliases.yaml", _ipsc_text(t) + "a: &a [x, x]\n" + "".join(
            f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)}, *{chr(97 + k)}]\n"
            for k in range(8)))), ("aliases.yaml", "unknown key")),
    # --- fields of the experiment spec
    "unknown key": Case(_run(_edited(_set("sedd", value=3))), ("sedd", "unknown key")),
    "missing required field": Case(_run(_edited(lambda d: d.pop("name"))),
                                   ("name", "required field is missing")),
    "time without unit": Case(_run(_edited(_set("protocol", "duration", value=250))),
                              ("protocol.duration", "250", "no unit")),
    "time in mV": Case(_run(_edited(_set("protocol", "duration", value="250 mV"))),
                       ("protocol.duration", "voltage")),
    "negative time": Case(_run(_edited(_set("protocol", "duration", value="-5 ms"))),
                          ("protocol.duration", "-5 ms")),
    "negative concentration": Case(_run(_edited(_set("protocol", "concentrations",
                                                     value=["0 nM", "-10 nM"]))),
                                   ("protocol.concentrations.1", "-10 nM")),
    "NaN concentration": Case(_run(_edited(_set("protocol", "concentrations", value=["nan nM"]))),
                              ("protocol.concentrations.0", "nan nM")),
    "unknown profile": Case(_run(_edited(_set("protocol", "profiles", value=["amygdala"]))),
                            ("protocol.profiles", "amygdala")),
    "no profiles": Case(_run(_edited(_set("protocol", "profiles", value=[]))),
                        ("protocol.profiles",)),
    "unknown region in drugs": Case(_run(_edited(_set("drugs", value={"allo": {"cortex":
                                                                               "5 nM"}}))),
                                    ("drugs.allo.cortex", "not a region")),
    "unknown device in spec": Case(_run(_edited(_set("device", value="gpu"))),
                                   ("device", "gpu")),
    "network file missing": Case(_run(_edited(_set("network", value="gone.yaml"))),
                                 ("network", "gone.yaml", "not found")),
    # --- the network spec it names
    "network not UTF-8": Case(_run(lambda t: _network_copy(t, b"name: \xe9\n")),
                              ("network.yaml", "not UTF-8")),
    "network duplicate key": Case(_run(lambda t: _network_copy(
        t, IPSC_NETWORK.read_text() + "regions: [slice]\n")),
        ("network.yaml", "duplicate key 'regions'", "line")),
    "network zero dt": Case(_override("network.integration.dt=0 ms"),
                            ("ipsc_cell.yaml", "integration.dt", "> 0")),
    # --- --set overrides
    "override without =": Case(_override("seed"), ("--set", "KEY=VALUE")),
    "override of an unknown path": Case(_override("nonsense.key=1"), ("--set", "nonsense.key")),
    "override of a misspelt field": Case(_override("synapses.gaba_a.tau_zero=8 ms"),
                                         ("--set", "tau_zero", "tau0")),
    "override past a leaf": Case(_override("seed.x=1"), ("--set", "seed.x")),
    "override wrong dimension": Case(_override("synapses.gaba_a.tau0=8 mV"),
                                     ("ipsc_cell.yaml", "synapses.gaba_a.tau0", "voltage")),
    "override probability above 1": Case(_override("projections.inhibition.p=1.5"),
                                         ("projections.inhibition.p", "1.5")),
    "override zero population": Case(_override("populations.post.n=0"),
                                     ("populations.post.n",)),
    "override code injection": Case(_override("seed=__import__('os').system('touch pwned')"),
                                    ("seed", "__import__")),
    "negative seed": Case(_override("seed=-1"), ("seed", "-1")),
    "fractional seed": Case(_override("seed=1.5"), ("seed", "1.5")),
    "zero scale": Case(_override("scale=0"), ("scale", "0")),
    "negative scale": Case(_override("scale=-2"), ("scale", "-2")),
    # --- memory
    "scale far beyond memory": Case(
        lambda t: ["run", FEAR_SPEC, "--set", "scale=1000000", "-o", "{out}.h5", "-q"],
        ("fear_extinction.yaml", "network.scale", "largest scale that fits")),
    "max-memory below the estimate": Case(_run(lambda t: IPSC_SPEC, "--max-memory", "10 MB"),
                                          ("ipsc_dose_response.yaml", "--max-memory")),
    "max-memory not a size": Case(_run(lambda t: IPSC_SPEC, "--max-memory", "lots"),
                                  ("--max-memory", "lots")),
    # --- outputs
    "output exists": Case(lambda t: ["run", IPSC_SPEC, "-o", _write(t, "old.h5", "precious")],
                          ("old.h5", "--overwrite")),
    "output is a directory": Case(lambda t: ["run", IPSC_SPEC, "-o", t, "--overwrite"],
                                  ("{tmp}", "is a directory")),
    "output in /proc": Case(lambda t: ["run", IPSC_SPEC, "-o", "/proc/o.h5"],
                            ("/proc/o.h5", "cannot write")),
    "output below a file": Case(lambda t: ["run", IPSC_SPEC, "-o", _write(t, "f", "") / "x.h5"],
                                ("x.h5", "is a file")),
    "describe output in /proc": Case(lambda t: ["describe", IPSC_SPEC, "-o", "/proc/x.md"],
                                     ("/proc/x.md", "cannot write")),
    "describe an HDF5 file": Case(lambda t: ["describe", RUN_FILE], ("ipsc.h5", "HDF5 file")),
    "cache cannot be created": Case(PLAIN, ("/proc/allonet-cache", "cache", "ALLONET_CACHE"),
                                    env={"ALLONET_CACHE": "/proc/allonet-cache"}),
    "cache is a file": Case(PLAIN, ("cache-file", "ALLONET_CACHE"),
                            env={"ALLONET_CACHE": "{tmp}/cache-file"}),
    # --- run files read back
    "inspect a missing file": Case(lambda t: ["inspect", t / "gone.h5"], ("gone.h5", "not found")),
    "inspect a text file": Case(lambda t: ["inspect", _write(t, "t.h5", "hello")],
                                ("t.h5", "not a readable allonet run file")),
    "inspect a truncated run file": Case(lambda t: ["inspect", _truncated(t)],
                                         ("truncated.h5", "not a readable")),
    "inspect a foreign HDF5 file": Case(lambda t: ["inspect", _foreign_h5(t)],
                                        ("foreign.h5", "not")),
    "plot a truncated run file": Case(lambda t: ["plot", _truncated(t), "-o", "{out}"],
                                      ("truncated.h5",)),
    "export a foreign HDF5 file": Case(lambda t: ["export", _foreign_h5(t), "--to", "nwb",
                                                  "-o", "{out}.nwb"], ("foreign.h5",)),
    # --- sweep specs
    "sweep spec not UTF-8": Case(lambda t: ["sweep", _sweep(t, b"\xff"), "-o", "{out}"],
                                 ("sweep.yaml", "not UTF-8")),
    "sweep spec unknown key": Case(lambda t: ["sweep", _sweep(t, {"seeds": [1], "seedz": [1]}),
                                              "-o", "{out}"],
                                   ("sweep.yaml", "seedz")),
    "sweep spec duplicate key": Case(
        lambda t: ["sweep", _sweep(t, f"name: t\nexperiment: {IPSC_SPEC}\nname: u\n"),
                   "-o", "{out}"], ("sweep.yaml", "duplicate key 'name'")),
    "sweep of a missing experiment": Case(
        lambda t: ["sweep", _sweep(t, {"experiment": str(t / "none.yaml"),
                                                      "seeds": [1, 2]}), "-o", "{out}"],
        ("none.yaml",)),
}


def _prepare(case: Case, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    for key, value in case.env.items():
        value = value.replace("{tmp}", str(tmp))
        if key == "ALLONET_CACHE" and "cache-file" in value:
            Path(value).write_text("not a folder")
        monkeypatch.setenv(key, value)
    args = case.make(tmp)
    return [str(a).replace("{out}", str(tmp / "out" / "result")) for a in args]


def _listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b""
            for p in sorted(folder.rglob("*"))}


def _assert_one_line(code: int, stderr: str, says: tuple[str, ...], tmp: Path) -> None:
    lines = stderr.strip().splitlines()
    assert code == 2, stderr
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    for fragment in says:
        assert fragment.replace("{tmp}", str(tmp)) in lines[0], (fragment, lines[0])


def test_the_campaign_has_at_least_40_kinds_of_bad_input():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(name, tmp_path, monkeypatch,
                                                            capsys):
    case = CASES[name]
    monkeypatch.chdir(tmp_path)
    args = _prepare(case, tmp_path, monkeypatch)
    before = _listing(tmp_path)
    capsys.readouterr()
    code = run_cli(*args)
    _assert_one_line(code, capsys.readouterr().err, case.says, tmp_path)
    assert _listing(tmp_path) == before  # nothing written, nothing changed (old.h5 included)


#: The inputs that ended in a Python traceback before issue 19, run as the command itself.
SUBPROCESS_CASES = ["spec not UTF-8", "spec is an HDF5 run file", "output in /proc",
                    "duplicate top-level key", "scale far beyond memory"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_former_tracebacks_from_the_shell(name, tmp_path, monkeypatch):
    case = CASES[name]
    args = _prepare(case, tmp_path, monkeypatch)
    before = _listing(tmp_path)
    result = subprocess.run([sys.executable, "-m", "allonet", *args], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, env=dict(os.environ))
    _assert_one_line(result.returncode, result.stderr, case.says, tmp_path)
    assert _listing(tmp_path) == before


# --- faults


def _run_data() -> RunData:
    return RunData(attrs={"experiment": "t", "seed": 1}, spec={"experiment": {"name": "t"}},
                   datasets={"spikes/a/timestamps": Column(np.linspace(0, 1, 10000), "s")})


def _no_space(h5: h5py.File, run: RunData) -> None:
    h5.create_dataset("half", data=np.zeros(1000))  # part of the file is written, then:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_keeps_the_previous_output_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "run.h5"
    store.write_run(target, _run_data())
    previous = target.read_bytes()
    monkeypatch.setattr(store, "_write_contents", _no_space)
    with pytest.raises(store.UserError) as caught:
        store.write_run(target, _run_data(), overwrite=True)
    message = str(caught.value)
    assert "\n" not in message and str(target) in message and "No space left" in message
    assert "free some disk space" in message
    assert target.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5"]


def test_full_disk_during_a_run_is_one_line_from_the_command(tmp_path, monkeypatch, capsys):
    """The whole command, its simulation replaced by a canned result: exit 2, one line."""
    from allonet.protocols import PROTOCOLS, ipsc_dose_response

    class Canned:
        # the memory estimate still asks the real protocol what it builds and records
        simulated_network = staticmethod(ipsc_dose_response.simulated_network)
        recorded_size = staticmethod(ipsc_dose_response.recorded_size)

        @staticmethod
        def run(specs, device, progress):
            return _run_data()

    target = tmp_path / "run.h5"
    target.write_bytes(b"earlier result")
    monkeypatch.setitem(PROTOCOLS, "ipsc_dose_response", Canned)
    monkeypatch.setattr(store, "_write_contents", _no_space)
    code = run_cli("run", IPSC_SPEC, "-o", target, "--overwrite", "-q", "--no-figure")
    _assert_one_line(code, capsys.readouterr().err, (str(target), "No space left"), tmp_path)
    assert target.read_bytes() == b"earlier result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.h5"]


def test_sweep_index_write_failure_leaves_no_temporary(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(h5py.Group, "create_dataset", fail)
    with pytest.raises(store.UserError, match="index.h5"):
        store.write_table_file(tmp_path / "index.h5", tmp_path / "index.tmp", {"a": "b"},
                               {"x": Column(np.arange(3), "1")})
    assert list(tmp_path.iterdir()) == []



# --- a corrupted compiled-code cache (no compiler needed: a stand-in binary)


def _project(tmp: Path) -> Path:
    project = tmp / "standalone" / "0123456789abcdef"
    (project / "static_arrays").mkdir(parents=True)
    (project / "main").write_bytes(b"\x7fELF" + bytes(range(256)) * 40)
    cached_binary.record_binary(project)
    return project


def _layout(project: Path) -> dict:
    layout = cached_binary.make_layout({}, [], {"spikes": {}},
                                         cached_binary.binary_state(project, []))
    cached_binary.store_layout(project, "key", layout)
    return layout


def _damage(path: Path, how: str) -> None:
    """Truncate ``path`` or flip one byte, keeping its timestamp (only a digest can tell)."""
    stat, data = path.stat(), bytearray(path.read_bytes())
    if how == "truncated":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize("how", ["truncated", "one byte flipped"])
def test_damaged_binary_is_detected_and_its_layout_not_used(tmp_path, how):
    project = _project(tmp_path)
    layout = _layout(project)
    assert cached_binary.binary_intact(project)
    assert cached_binary.load_layout(project, "key") == layout
    _damage(project / "main", how)
    assert not cached_binary.binary_intact(project)
    assert cached_binary.load_layout(project, "key") is None  # so the engine rebuilds


def test_binary_without_a_record_is_not_trusted(tmp_path):
    project = _project(tmp_path)
    (project / cached_binary.BINARY_RECORD).unlink()
    assert not cached_binary.binary_intact(project)
    (project / cached_binary.BINARY_RECORD).write_text("{not json")
    assert not cached_binary.binary_intact(project)


@pytest.mark.parametrize("content", ["", '{"args": [', "[1, 2]", '{"args": []}', "\x00\x01"])
def test_damaged_layout_file_is_ignored(tmp_path, content):
    project = _project(tmp_path)
    _layout(project)
    (project / cached_binary.LAYOUTS / "key.json").write_text(content)
    assert cached_binary.load_layout(project, "key") is None


@pytest.mark.slow
def test_two_processes_building_into_one_empty_cache_build_once(tmp_path):
    """Both runs succeed, one compiles and the other waits and reuses its binary, and they
    give the same datasets."""
    env = dict(os.environ, ALLONET_CACHE=str(tmp_path / "cache"))
    outputs = [tmp_path / "a.h5", tmp_path / "b.h5"]
    procs = [subprocess.Popen([sys.executable, "-m", "allonet", "run", str(IPSC_SPEC), "-o",
                               str(out), "-q", "--no-figure", "--device", "standalone"],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for out in outputs]
    for proc in procs:
        assert proc.wait(timeout=1200) == 0, proc.stderr.read()
    runs = [store.read_run(out) for out in outputs]
    assert sorted(run.attrs["build"]["compiled"] for run in runs) == [False, True]
    projects = [p for p in (tmp_path / "cache" / "standalone").iterdir() if p.is_dir()]
    assert len(projects) == 1 and cached_binary.binary_intact(projects[0])
    for key, value in runs[0].data.items():
        np.testing.assert_array_equal(value, runs[1].data[key], err_msg=key)
