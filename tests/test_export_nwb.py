"""NWB export: passes nwbinspector (no critical or error findings), reads back with pynwb, spike
times equal the run file's, epochs / trials / ALLO / specs in place."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")
nwbinspector = pytest.importorskip("nwbinspector")

from allonet.cli import main  # noqa: E402
from allonet.store import read_run  # noqa: E402

DATA = Path(__file__).parent / "data"
FEAR = DATA / "fear_extinction.h5"
IPSC = DATA / "ipsc.h5"
BLOCKING = {"ERROR", "PYNWB_VALIDATION", "CRITICAL"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("nwb")
    paths = {}
    for name, source in (("fear", FEAR), ("ipsc", IPSC)):
        paths[name] = out / f"{name}.nwb"
        assert main(["export", str(source), "--to", "nwb", "-o", str(paths[name])]) == 0
    return paths


@pytest.mark.parametrize("name", ["fear", "ipsc"])
def test_nwbinspector_finds_nothing_critical(exported, name):
    messages = list(nwbinspector.inspect_nwbfile(nwbfile_path=str(exported[name])))
    blocking = [f"{m.importance.name} {m.check_function_name}: {m.message}" for m in messages
                if m.importance.name in BLOCKING]
    assert not blocking, blocking


def test_spike_times_equal_the_run_file(exported):
    run = read_run(FEAR)
    with pynwb.NWBHDF5IO(str(exported["fear"]), "r") as io:
        units = io.read().units.to_dataframe()
    pops = run.spec["network"]["populations"]
    assert len(units) == sum(p["n"] for p in pops.values())
    assert set(units["population"]) == set(pops)
    for pop, spec in pops.items():
        rows = units[units["population"] == pop].sort_values("neuron_index")
        assert list(rows["neuron_index"]) == list(range(spec["n"]))
        assert set(rows["region"]) == {spec["region"]}
        t = run.data[f"spikes/{pop}/timestamps"]
        ids = run.data[f"spikes/{pop}/node_ids"].astype(int)
        for index, times in zip(rows["neuron_index"], rows["spike_times"], strict=True):
            expected = np.sort(t[ids == index])
            np.testing.assert_allclose(np.asarray(times), expected, rtol=0, atol=1e-12)


def test_epochs_trials_and_intervals(exported):
    run = read_run(FEAR)
    with pynwb.NWBHDF5IO(str(exported["fear"]), "r") as io:
        nwb = io.read()
        epochs = nwb.epochs.to_dataframe()
        trials = nwb.trials.to_dataframe()
        cs = nwb.intervals["CS"].to_dataframe()
        us = nwb.intervals["US"].to_dataframe()
        contexts = nwb.intervals["contexts"].to_dataframe()
    assert list(epochs["phase"]) == list(run.data["phases/name"])
    np.testing.assert_allclose(epochs["start_time"], run.data["phases/start"])
    np.testing.assert_allclose(epochs["stop_time"], run.data["phases/stop"])
    assert len(trials) == len(cs) == len(run.data["epochs/cs_start"])
    np.testing.assert_allclose(cs["start_time"], run.data["epochs/cs_start"])
    np.testing.assert_allclose(trials["cs_stop"], run.data["epochs/cs_stop"])
    assert list(trials["context"]) == list(run.data["epochs/context"])
    n_us = int(np.sum(run.data["epochs/us_stop"] > run.data["epochs/us_start"]))
    assert n_us > 0 and len(us) == n_us == int(trials["has_us"].sum())
    assert set(contexts["context"]) == {"A", "B", "C"}


def test_metadata_names_simulator_spec_and_allo(exported):
    run = read_run(FEAR)
    with pynwb.NWBHDF5IO(str(exported["fear"]), "r") as io:
        nwb = io.read()
        generators = [tuple(g) for g in nwb.was_generated_by]
        notes = json.loads(nwb.notes)
        pharmacology = nwb.pharmacology
        allo = nwb.stimulus["ALLO_amygdala"]
        allo_data, allo_unit = allo.data[:], allo.unit
        readouts = nwb.analysis["readouts_cs_rates"].to_dataframe()
        weights = nwb.processing["misc"]["BA_weights"]
        w_cs = weights["w_cs"].data[:]
    assert ("brian2", run.attrs["versions"]["brian2"]) in generators
    assert generators[0][0] == "allonet"
    assert notes["spec"] == run.spec
    for region in ("amygdala", "hippocampus", "prefrontal"):
        assert region in pharmacology
    assert "stress_surge" in pharmacology
    assert allo_unit == "nM"
    np.testing.assert_allclose(allo_data, run.data["allo/amygdala/concentration"])
    np.testing.assert_allclose(readouts["rate"], run.data["readouts/cs_rates/rate"])
    np.testing.assert_allclose(w_cs, run.data["weights/BA/w_cs"])


def test_ipsc_traces_and_conditions(exported):
    run = read_run(IPSC)
    with pynwb.NWBHDF5IO(str(exported["ipsc"]), "r") as io:
        nwb = io.read()
        conditions = nwb.analysis["conditions"].to_dataframe()
        series = nwb.acquisition["post_I_clamp_condition0"]
        trace = series.data[:]
        rate = series.rate
    np.testing.assert_allclose(conditions["allo_nM"], run.data["conditions/allo_nM"])
    np.testing.assert_allclose(trace, run.data["traces/post/I_clamp"][0].T)
    t = run.data["traces/t"]
    assert rate == pytest.approx(1 / (t[1] - t[0]))


def test_export_bad_input(tmp_path, capsys):
    target = tmp_path / "x.nwb"
    target.write_text("keep")
    for args, fragment in (
        (["missing.h5", "--to", "nwb", "-o", tmp_path / "a.nwb"], "file not found"),
        ([DATA / "make_fixtures.py", "--to", "nwb", "-o", tmp_path / "b.nwb"],
         "not a readable allonet run file"),
        ([FEAR, "--to", "nwb", "-o", target], "output exists"),
    ):
        assert main(["export", *map(str, args)]) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.nwb"]
    assert target.read_text() == "keep"


def test_export_error_from_the_shell_has_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "allonet", "export", "missing.h5", "--to",
                             "neo"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: missing.h5: file not found"
    assert not list(tmp_path.iterdir())
