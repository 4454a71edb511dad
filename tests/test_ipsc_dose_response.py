"""Science of the ALLO-scaled GABA-A synapse at one cell (science.md §1), from run files."""

from __future__ import annotations

import numpy as np
import pytest

from allonet.pharmacology import decay_factor
from allonet.store import read_run
from conftest import IPSC_SPEC, run_cli


def _at(rows, key, concentration):
    """Value of column ``key`` at ``concentration`` (nM)."""
    [index] = np.nonzero(np.isclose(rows["allo_nM"], concentration))[0]
    return rows[key][index]


def _rows(run, profile):
    table = run.table("readouts/ipsc")
    rows = table["profile"] == profile
    return {key: value[rows] for key, value in table.items()}


@pytest.fixture(scope="module")
def standalone(ipsc_runs):
    return read_run(ipsc_runs["standalone"])


def test_baseline_decay_is_tau0(standalone):
    rows = _rows(standalone, "default")
    tau0 = _at(rows, "tau_decay", 0)
    assert tau0 == pytest.approx(7e-3, rel=0.02)


@pytest.mark.parametrize("profile", ["default", "CA1", "DG", "BLA"])
def test_fitted_fold_matches_formula(standalone, profile):
    rows = _rows(standalone, profile)
    expected = decay_factor(rows["allo_nM"], profile)
    np.testing.assert_allclose(rows["fold"], expected, rtol=0.05)


def test_fold_at_100nM_and_micromolar(standalone, ipsc_runs):
    rows = _rows(standalone, "default")
    assert 1.25 <= _at(rows, "fold", 100) <= 1.7
    assert 3.5 <= _at(rows, "fold", 3000) <= 4.5
    other = _rows(read_run(ipsc_runs["standalone_other"]), "default")
    for c in (2000, 2500):
        assert 3.5 <= _at(other, "fold", c) <= 4.5


def test_fold_increases_monotonically(standalone):
    for profile in ("default", "CA1", "DG", "BLA"):
        rows = _rows(standalone, profile)
        order = np.argsort(rows["allo_nM"])
        assert np.all(np.diff(rows["fold"][order]) > 0), profile


def test_peak_and_rise_unchanged_up_to_1uM(standalone):
    rows = _rows(standalone, "default")
    low = rows["allo_nM"] <= 1000
    zero = rows["allo_nM"] == 0
    for key in ("peak", "rise_10_90"):
        relative = rows[key][low] / rows[key][zero][0]
        assert np.all(np.abs(relative - 1) <= 0.10), (key, relative)
    assert rows["rise_10_90"][zero][0] == pytest.approx(0.48e-3, rel=0.05)


def test_dentate_less_sensitive_than_CA1(standalone):
    ca1, dg = _rows(standalone, "CA1"), _rows(standalone, "DG")
    assert _at(dg, "fold", 100) < _at(ca1, "fold", 100)


def test_runtime_and_standalone_agree(standalone, ipsc_runs):
    runtime = read_run(ipsc_runs["runtime"])
    a = standalone.table("readouts/ipsc")["tau_decay"]
    b = runtime.table("readouts/ipsc")["tau_decay"]
    np.testing.assert_allclose(a, b, rtol=0.01)


def test_second_standalone_run_compiles_nothing(ipsc_runs):
    for key in ("standalone_repeat", "standalone_other"):
        build = read_run(ipsc_runs[key]).attrs["build"]
        assert build["device"] == "standalone"
        assert build["compiled"] is False, key
    first = read_run(ipsc_runs["standalone"]).attrs["build"]
    other = read_run(ipsc_runs["standalone_other"]).attrs["build"]
    assert first["structure_hash"] == other["structure_hash"]


def test_same_spec_seed_device_gives_identical_output(standalone, ipsc_runs):
    repeat = read_run(ipsc_runs["standalone_repeat"])
    for key, value in standalone.data.items():
        np.testing.assert_array_equal(value, repeat.data[key], err_msg=key)


def test_run_file_is_self_describing(standalone):
    attrs = standalone.attrs
    for key in ("seed", "device", "git_commit", "wall_time_s", "created_utc", "versions", "build"):
        assert key in attrs, key
    assert {"python", "brian2", "numpy", "allonet"} <= set(attrs["versions"])
    assert standalone.spec["network"]["synapses"]["gaba_a"]["tau0"] == "7 ms"
    assert standalone.spec["experiment"]["protocol"]["kind"] == "ipsc_dose_response"
    assert all(unit for unit in standalone.units.values())
    assert standalone.units["traces/t"] == "s"
    assert set(standalone.data) >= {"spikes/interneuron/timestamps", "spikes/interneuron/node_ids"}


@pytest.mark.slow
def test_integration_accuracy_against_rk4(tmp_path):
    """exponential_euler at dt = 25 us vs RK4 at dt/10: decay and peak agree within 0.5%."""
    common = ["--device", "runtime", "-q", "--no-figure",
              "--set", "protocol.concentrations=[0 nM, 1000 nM]",
              "--set", "protocol.profiles=[default]"]
    coarse, fine = tmp_path / "coarse.h5", tmp_path / "fine.h5"
    assert run_cli("run", IPSC_SPEC, "-o", coarse, *common) == 0
    assert run_cli("run", IPSC_SPEC, "-o", fine, *common, "--set", "integration.method=rk4",
                   "--set", "integration.dt=0.0025 ms") == 0
    a = read_run(coarse).table("readouts/ipsc")
    b = read_run(fine).table("readouts/ipsc")
    for key in ("tau_decay", "peak"):
        np.testing.assert_allclose(a[key], b[key], rtol=0.005, err_msg=key)
