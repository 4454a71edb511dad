"""The Python front door (``allonet.run``, ``read_run``, ``read_sweep``, ``load_sweep``,
``load_spec``): a run in memory writes nothing and holds what its run file would; run files and
sweeps read back as arrays (a sweep also as a DataFrame); importing plotting leaves Matplotlib's
backend alone; ``allonet --version``."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import allonet
from allonet.api import override_strings
from allonet.cli import main
from allonet.errors import SpecError, UserError

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
IPSC_SPEC = REPO / "experiments" / "ipsc_dose_response.yaml"
#: a small IPSC run: two concentrations, one profile
SMALL = {"protocol.concentrations": ["0 nM", "1000 nM"], "protocol.profiles": ["default"]}


def test_read_run_spikes_and_readouts():
    run = allonet.read_run(DATA / "fear_extinction.h5")
    assert "BA" in run.populations and "cs_rates" in run.readouts
    times, ids = run.spikes("CeM")
    np.testing.assert_array_equal(times, run.data["spikes/CeM/timestamps"])
    assert ids.dtype == np.int64 and times.max() > 1.0  # seconds
    rates = run.readout("cs_rates")
    assert len({len(v) for v in rates.values()}) == 1 and "rate" in rates
    if importlib.util.find_spec("pandas"):
        frame = run.frame("cs_rates")
        assert list(frame.columns) == list(rates) and len(frame) == len(rates["rate"])
    with pytest.raises(KeyError, match="recorded: BA"):
        run.spikes("nope")
    with pytest.raises(KeyError, match="no conditions"):
        run.spikes("CeM", condition=0)


def test_spikes_per_condition():
    run = allonet.read_run(DATA / "ipsc.h5")
    pop = run.populations[0]
    all_times, _ = run.spikes(pop)
    conditions = run.data[f"spikes/{pop}/condition"]
    parts = [run.spikes(pop, condition=k)[0] for k in range(len(run.data["conditions/label"]))]
    assert sum(len(p) for p in parts) == len(all_times)
    np.testing.assert_array_equal(parts[1], all_times[conditions == 1])


def test_save_round_trip(tmp_path):
    run = allonet.read_run(DATA / "fear_extinction.h5")
    path = run.save(tmp_path / "copy.h5")
    assert run.path == path
    back = allonet.read_run(path)
    assert back.spec == run.spec and back.overrides == run.overrides
    for key, value in run.data.items():
        np.testing.assert_array_equal(back.data[key], value, err_msg=key)
        assert back.units[key] == run.units[key]
    with pytest.raises(UserError):
        run.save(path)  # never overwrites silently
    with pytest.raises(ValueError, match="without its specs"):
        allonet.read_run(path, groups=("spikes",)).save(tmp_path / "partial.h5")


def test_override_strings():
    assert override_strings({"drugs.allo_default": "300 nM", "protocol.profiles": ["DG"]},
                            {"seed": 2}) == [
        "drugs.allo_default=300 nM", 'protocol.profiles=["DG"]', "seed=2"]
    assert override_strings(["seed=3"], {"device": "runtime"}) == ["seed=3", "device=runtime"]
    assert override_strings(None) == []
    with pytest.raises(TypeError):
        override_strings("seed=3")


def test_load_spec_applies_overrides():
    specs = allonet.load_spec(IPSC_SPEC, SMALL, seed=7)
    assert specs.experiment.seed == 7
    assert specs.experiment.protocol.profiles == ["default"]
    with pytest.raises(UserError, match="no such field"):
        allonet.load_spec(IPSC_SPEC, {"nonsense.path": 1})


def test_read_sweep_partial_and_refreshed(tmp_path):
    sweep = shutil.copytree(DATA / "sweep", tmp_path / "sweep")
    (sweep / "index.h5").unlink()
    table = allonet.read_sweep(sweep)  # rebuilt from the run files on disk
    assert (sweep / "index.h5").is_file()
    assert len({len(v) for v in table.values()}) == 1
    assert {"point", "status", "seed"} <= set(table)
    assert list(table) == list(allonet.read_sweep(sweep, refresh=True))


def test_load_sweep_is_a_dataframe_of_a_partial_sweep(tmp_path):
    pandas = pytest.importorskip("pandas")
    sweep = shutil.copytree(DATA / "sweep", tmp_path / "sweep")
    (sweep / "runs" / "point-00000.h5").unlink()  # one point not run (yet)
    frame = allonet.load_sweep(sweep, refresh=True)
    assert isinstance(frame, pandas.DataFrame) and len(frame) == 12
    assert list(frame.columns) == list(allonet.read_sweep(sweep))
    assert frame.loc[0, "status"] != "done" and (frame.loc[1:, "status"] == "done").all()
    assert frame["wall_time_s"].iloc[1:].notna().all()


def test_run_sweep_takes_a_spec_mapping(tmp_path, monkeypatch):
    """A sweep spec given as a mapping is written beside the sweep directory (experiment made
    absolute) and validated like a file: a bad field is one SpecError, before anything runs."""
    monkeypatch.chdir(REPO)
    spec = {"name": "demo", "experiment": "experiments/ipsc_dose_response.yaml",
            "seeds": "many"}
    with pytest.raises(SpecError, match="seeds"):
        allonet.run_sweep(spec, tmp_path / "demo")
    written = yaml.safe_load((tmp_path / "demo.yaml").read_text())
    assert written == dict(spec, experiment=str(IPSC_SPEC))
    assert not (tmp_path / "demo").exists()


def test_plotting_import_leaves_backend():
    code = ("import matplotlib; matplotlib.use('svg'); "
            "import allonet.plotting.catalogue, allonet.plotting.style; "
            "import matplotlib.pyplot as plt; print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert out.stdout.strip() == "svg"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"allonet {allonet.__version__}"


@pytest.mark.slow
def test_run_in_memory_equals_run_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    memory = allonet.run(IPSC_SPEC, SMALL, seed=3)
    assert memory.path is None and list(tmp_path.iterdir()) == []  # nothing written
    assert memory.attrs["seed"] == 3 and memory.overrides[-1] == "seed=3"
    fit = memory.readout("ipsc")
    assert len(fit["tau_decay"]) == 2
    assert fit["tau_decay"][1] > 1.5 * fit["tau_decay"][0]  # ALLO prolongs the IPSC decay
    times, _ = memory.spikes("interneuron", condition=1)
    assert len(times) > 0
    written = allonet.run(allonet.load_spec(IPSC_SPEC, SMALL, seed=3), output="run.h5")
    assert written.path == Path("run.h5") and written.path.is_file()
    assert set(written.data) == set(memory.data)
    for key, value in memory.data.items():
        np.testing.assert_array_equal(written.data[key], value, err_msg=key)
    with pytest.raises(ValueError, match="need a spec path"):
        allonet.run(allonet.load_spec(IPSC_SPEC), {"seed": 1})
