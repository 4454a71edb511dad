"""Bad input: exit code 2, one line naming file, field and value, no traceback, nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import IPSC_SPEC, REPO


def _spec(tmp_path: Path, edit=None, text: str | None = None) -> Path:
    data = yaml.safe_load(IPSC_SPEC.read_text())
    data["network"] = str(REPO / "networks" / "ipsc_cell.yaml")
    if edit:
        edit(data)
    path = tmp_path / "experiment.yaml"
    path.write_text(text if text is not None else yaml.safe_dump(data))
    return path


def _allonet(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "allonet", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _assert_user_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def _set(path: list, value):
    def edit(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


CASES = {
    "unknown key": (_set(["sedd"], 3), ["experiment.yaml", "sedd", "unknown key"]),
    "time without unit": (_set(["protocol", "duration"], 250),
                          ["experiment.yaml", "protocol.duration", "250", "no unit"]),
    "time in mV": (_set(["protocol", "duration"], "250 mV"),
                   ["experiment.yaml", "protocol.duration", "250 mV", "voltage"]),
    "negative concentration": (_set(["protocol", "concentrations"], ["0 nM", "-10 nM"]),
                               ["experiment.yaml", "protocol.concentrations.1", "-10 nM", "≥ 0"]),
    "unknown profile": (_set(["protocol", "profiles"], ["default", "amygdala"]),
                        ["experiment.yaml", "protocol.profiles", "amygdala", "CA1"]),
    "negative ALLO in a region": (_set(["drugs"], {"allo": {"slice": "-5 nM"}}),
                                  ["experiment.yaml", "drugs.allo.slice", "-5 nM"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_spec_exits_2(case, tmp_path):
    edit, fragments = CASES[case]
    spec = _spec(tmp_path, edit)
    out = tmp_path / "out.h5"
    for command in (["validate", spec], ["run", spec, "-o", out]):
        _assert_user_error(_allonet(*command, cwd=tmp_path), *fragments)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["experiment.yaml"]


def test_missing_file(tmp_path):
    _assert_user_error(_allonet("run", tmp_path / "nope.yaml", cwd=tmp_path), "nope.yaml",
                       "file not found")


def test_malformed_yaml(tmp_path):
    spec = _spec(tmp_path, text="name: x\nprotocol: [unclosed\n")
    _assert_user_error(_allonet("run", spec, cwd=tmp_path), "experiment.yaml", "line",
                       "malformed YAML")


def test_set_on_missing_path(tmp_path):
    spec = _spec(tmp_path)
    result = _allonet("run", spec, "--set", "synapses.gaba_a.tau_zero=8 ms", cwd=tmp_path)
    _assert_user_error(result, "--set", "synapses.gaba_a.tau_zero", "8 ms", "tau0")
    result = _allonet("run", spec, "--set", "nonsense.key=1", cwd=tmp_path)
    _assert_user_error(result, "--set", "nonsense.key")


def test_set_with_bad_value_names_field(tmp_path):
    spec = _spec(tmp_path)
    result = _allonet("validate", spec, "--set", 'synapses.gaba_a.tau0="8 mV"', cwd=tmp_path)
    _assert_user_error(result, "ipsc_cell.yaml", "synapses.gaba_a.tau0", "8 mV", "voltage")


def test_existing_output_needs_overwrite(tmp_path):
    spec = _spec(tmp_path)
    out = tmp_path / "out.h5"
    out.write_bytes(b"precious")
    _assert_user_error(_allonet("run", spec, "-o", out, cwd=tmp_path), "out.h5", "--overwrite")
    assert out.read_bytes() == b"precious"


def test_valid_spec_validates(tmp_path):
    result = _allonet("validate", IPSC_SPEC, "--set", 'synapses.gaba_a.tau0="8 ms"', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout
