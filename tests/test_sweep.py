"""Sweeps without simulating: spec validation, designs, manifest, index flattening, SLURM script."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml

from allonet.errors import SpecError, UserError
from allonet.pharmacology import DRUGS
from allonet.spec import ExperimentSpec, load_experiment
from allonet.spec.runtime import RUN_TIME_FIELDS, is_run_time
from allonet.sweep import state
from allonet.sweep.design import DESIGN_VERSION, design_points, expand, unit_sample
from allonet.sweep.executors import array_ranges, jobqueue_cluster, write_sbatch
from allonet.sweep.index import flatten_table
from allonet.sweep.manifest import (
    Point,
    _structure_hash,
    build_manifest,
    override_text,
    prepare,
)
from allonet.sweep.progress import SweepProgress
from allonet.sweep.spec import Cluster, SweepSpec, load_sweep
from allonet.sweep.worker import run_point
from allonet.units import split_quantity
from conftest import REPO, run_cli, sweep_spec_file

DATA = REPO / "tests" / "data" / "sweeps"
IPSC = REPO / "experiments" / "ipsc_dose_response.yaml"


# --- spec -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field", "says"), [
    ({"seeds": [1], "bogus": 1}, "bogus", "unknown key; allowed: name, description, experiment"),
    ({"parameters": {"kind": "grid", "values": {"drugs.allo_default": []}}}, "parameters",
     "at least one value"),
    ({"parameters": {"kind": "cube", "values": {}}}, "parameters", "'grid'"),
    ({"parameters": {"kind": "random", "n": 3, "ranges": {
        "drugs.allo_default": {"low": "1 nM", "high": "1 uM"}}}}, "parameters", "same unit"),
    ({"parameters": {"kind": "random", "n": 3, "ranges": {
        "drugs.allo_default": {"low": "0 nM", "high": "10 nM", "scale": "log"}}}}, "parameters",
     "low > 0"),
    ({"parameters": {"kind": "list", "points": [{"seed": 3}]}}, "parameters", "'seeds' field"),
    ({"seeds": [1, 1]}, "", "each seed at most once"),
    ({}, "", "needs 'parameters', 'seeds' or both"),
    ({"seeds": [1], "cluster": {"memory": "lots"}}, "cluster.memory", "memory size"),
    ({"seeds": [1], "cluster": {"walltime": "1 hour"}}, "cluster.walltime", "walltime"),
])
def test_bad_sweep_spec_is_one_line_spec_error(tmp_path, body, field, says):
    path = sweep_spec_file(tmp_path, body)
    with pytest.raises(SpecError) as caught:
        load_sweep(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {field}"), message
    assert says in message and "\n" not in message


def test_missing_experiment_and_cli_exit_code(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("name: t\nexperiment: nowhere.yaml\nseeds: [1]\n")
    assert run_cli("sweep", path, "-o", tmp_path / "out", "-q") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {path}: experiment = 'nowhere.yaml': experiment spec file not")
    assert not (tmp_path / "out").exists()


def test_split_quantity():
    assert split_quantity("100 nM") == (100.0, "nM")
    assert split_quantity("1e3nM") == (1000.0, "nM")
    assert split_quantity(3) == (3.0, "")
    assert split_quantity("default") is None
    assert split_quantity(True) is None


# --- designs ----------------------------------------------------------------------------------


def test_grid_times_seeds_in_order():
    spec = SweepSpec(name="t", experiment="x.yaml", seeds=[1, 2], parameters={
        "kind": "grid", "values": {"a.b": ["1 nM", "2 nM", "3 nM"], "c": [10, 20]}})
    points = expand(spec)
    assert len(points) == 12
    assert points[0] == ({"a.b": "1 nM", "c": 10}, 1)
    assert points[1] == ({"a.b": "1 nM", "c": 10}, 2)
    assert points[2] == ({"a.b": "1 nM", "c": 20}, 1)
    assert points[-1] == ({"a.b": "3 nM", "c": 20}, 2)


def test_latin_hypercube_has_one_point_per_stratum():
    unit = unit_sample("latin_hypercube", 20, 3, seed=1)
    for dim in range(3):
        assert sorted((unit[:, dim] * 20).astype(int)) == list(range(20))


def test_sobol_points_are_balanced_in_blocks_of_a_power_of_two():
    """2^m scrambled Sobol points: one in each of 2^m strata of every dimension, and (a (0, m,
    2)-net in the first two) one in every box of 2^a x 2^b strata with a + b = m."""
    m = 5
    unit = unit_sample("sobol", 2**m, 3, seed=2)
    assert unit.shape == (32, 3) and ((unit >= 0) & (unit < 1)).all()
    for dim in range(3):
        assert sorted((unit[:, dim] * 2**m).astype(int)) == list(range(2**m))
    for a in range(m + 1):
        boxes = {(int(x * 2**a), int(y * 2**(m - a))) for x, y in unit[:, :2]}
        assert len(boxes) == 2**m, a


@pytest.mark.parametrize("kind", ["random", "latin_hypercube", "sobol"])
def test_unit_samples_are_reproducible_from_their_seed(kind):
    first = unit_sample(kind, 16, 2, seed=7)
    np.testing.assert_array_equal(first, unit_sample(kind, 16, 2, seed=7))
    assert not np.array_equal(first, unit_sample(kind, 16, 2, seed=8))


def test_sobol_needs_a_power_of_two():
    body = {"kind": "sobol", "n": 12, "ranges": {"a.b": {"low": 1, "high": 2}}}
    with pytest.raises(ValueError, match="power of 2 .got 12.; use 8 or 16"):
        SweepSpec(name="t", experiment="x.yaml", parameters=body)


def test_manifest_records_the_design_version(tmp_path):
    """A sampled sweep drawn by an older algorithm is not resumed with points drawn anew."""
    path = sweep_spec_file(tmp_path, {"parameters": {"kind": "latin_hypercube", "n": 2,
                                                     "ranges": {"drugs.allo_default": {
                                                         "low": "1 nM", "high": "9 nM"}}}})
    out = tmp_path / "out"
    prepare(load_sweep(path), path, out)
    data = json.loads((out / "manifest.json").read_text())
    assert data["design_version"] == DESIGN_VERSION == 2
    del data["design_version"]  # as manifests were written before it was recorded
    (out / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(UserError, match="drawn with design version 1, this allonet draws "
                                        "version 2"):
        prepare(load_sweep(path), path, out)


def test_sampled_designs_are_reproducible_in_range_and_unit():
    body = {"kind": "latin_hypercube", "n": 50, "seed": 4, "ranges": {
        "drugs.allo_default": {"low": "1 nM", "high": "1000 nM", "scale": "log"},
        "populations.x.n": {"low": 10, "high": 20, "integer": True},
        "protocol.target": ["a", "b"]}}
    spec = SweepSpec(name="t", experiment="x.yaml", parameters=body)
    points = design_points(spec)
    assert points == design_points(SweepSpec(name="t", experiment="x.yaml", parameters=body))
    conc = [split_quantity(p["drugs.allo_default"]) for p in points]
    assert {unit for _, unit in conc} == {"nM"}
    values = np.array([v for v, _ in conc])
    assert values.min() >= 1 and values.max() <= 1000
    # log scale: each decade gets a third of the points (Latin hypercube strata)
    assert abs(np.sum(values < 10) - 50 / 3) <= 1
    assert all(isinstance(p["populations.x.n"], int) and 10 <= p["populations.x.n"] <= 20
               for p in points)
    assert sorted({p["protocol.target"] for p in points}) == ["a", "b"]
    other = SweepSpec(name="t", experiment="x.yaml", parameters=dict(body, kind="random"))
    assert design_points(other) != points


def test_override_text_round_trips_through_yaml():
    assert override_text("drugs.allo_default", "100 nM") == "drugs.allo_default=100 nM"
    assert override_text("a", ["0 nM", "1 nM"]) == 'a=["0 nM", "1 nM"]'
    assert override_text("a", "yes") == 'a="yes"'  # stays a string, not a YAML boolean
    assert yaml.safe_load(override_text("a", {"x": 0.5}).split("=", 1)[1]) == {"x": 0.5}


# --- manifest ---------------------------------------------------------------------------------


def test_manifest_points_groups_and_files():
    spec = load_sweep(DATA / "ipsc_grid.yaml")
    manifest = build_manifest(spec, DATA / "ipsc_grid.yaml")
    assert len(manifest.points) == 4
    assert [p.run_file for p in manifest.points] == [f"runs/point-0000{i}.h5" for i in range(4)]
    assert manifest.points[1].overrides == [
        "protocol.profiles=[\"default\"]", 'protocol.concentrations=["0 nM", "100 nM"]', "seed=2"]
    assert manifest.parameters == ["protocol.concentrations"]
    # concentrations are run-time arguments of the binary: one structure group
    assert len(manifest.groups) == 1
    assert manifest.max_attempts == 2


def test_manifest_groups_by_structure_and_keeps_invalid_values(tmp_path):
    path = sweep_spec_file(tmp_path, {"parameters": {"kind": "list", "points": [
        {"drugs.allo_default": "10 nM"}, {"drugs.allo_default": "100 nM"},
        {"protocol.duration": "300 ms"}, {"protocol.duration": "-1 ms"}]}})
    manifest = build_manifest(load_sweep(path), path)
    groups = [p.group for p in manifest.points]
    assert groups[0] == groups[1] != groups[2]
    assert groups[3] == "invalid-3"


@pytest.mark.parametrize(("values", "seeds"), [
    ({"drugs.benzodiazepine": [{}, {"slice": "100 nM"}, {"slice": "1000 nM"}]}, None),
    ({"drugs.allo_default": ["0 nM", "30 nM", "300 nM"]}, None),
    ({"drugs.allo": [{"slice": "10 nM"}, {"slice": "100 nM"}]}, [1, 2]),
    ({"clock.session_start": ["0 h", "6 h"], "drugs.allo_default": ["0 nM", "30 nM"]}, None),
])
def test_a_sweep_over_run_time_fields_is_one_structure_group(tmp_path, values, seeds):
    body = {"parameters": {"kind": "grid", "values": values}} | ({"seeds": seeds} if seeds else {})
    path = sweep_spec_file(tmp_path, body)
    manifest = build_manifest(load_sweep(path), path)
    assert len(manifest.points) > 1
    assert len(manifest.groups) == 1
    # the shortcut for run-time paths gives the group a full resolution gives
    point = manifest.points[-1]
    resolved = load_experiment(manifest.experiment, point.overrides)
    assert _structure_hash(resolved.as_dict()) == point.group


@pytest.mark.parametrize("drug", sorted(DRUGS))
def test_a_sweep_over_any_registered_drug_is_one_structure_group(tmp_path, drug):
    """Acceptance 4 of issue 16, for every drug of the registry: its per-region levels (and its
    default level, if it has one) are run-time values of one compiled binary."""
    entry = DRUGS[drug]
    values = {f"drugs.{entry.spec_field}": [{}, {"slice": "100 nM"}, {"slice": "1000 nM"}]}
    if entry.default_field:
        values[f"drugs.{entry.default_field}"] = ["0 nM", "30 nM"]
    path = sweep_spec_file(tmp_path, {"parameters": {"kind": "grid", "values": values}})
    manifest = build_manifest(load_sweep(path), path)
    assert len(manifest.points) >= 3
    assert len(manifest.groups) == 1


def test_a_sweep_over_a_population_size_forms_a_group_per_size(tmp_path):
    path = sweep_spec_file(tmp_path, {"parameters": {"kind": "grid", "values": {
        "network.populations.post.n": [1, 2, 3]}}})
    manifest = build_manifest(load_sweep(path), path)
    assert len(manifest.groups) == 3


def test_run_time_fields_are_experiment_fields():
    for field in RUN_TIME_FIELDS:
        head, *rest = field.path.split(".")
        assert head in ExperimentSpec.model_fields, field.path
    assert is_run_time("drugs.allo.amygdala") and not is_run_time("drugs.allo_defaults")
    assert not is_run_time("device") and not is_run_time("network.populations.post.n")


def test_unknown_parameter_path_is_an_error_of_the_sweep_spec(tmp_path):
    path = sweep_spec_file(tmp_path, {"parameters": {"kind": "grid", "values": {
        "protocol.durration": ["300 ms"]}}})
    with pytest.raises(SpecError) as caught:
        build_manifest(load_sweep(path), path)
    assert str(caught.value).startswith(f"{path}: parameters: protocol.durration")
    assert "allowed there" in str(caught.value)


def test_prepare_resumes_and_refuses_another_sweep(tmp_path):
    first = sweep_spec_file(tmp_path, {"seeds": [1, 2]}, "a.yaml")
    out = tmp_path / "out"
    manifest = prepare(load_sweep(first), first, out)
    stamp = (out / "manifest.json").stat().st_mtime_ns
    assert prepare(load_sweep(first), first, out).points == manifest.points
    assert (out / "manifest.json").stat().st_mtime_ns == stamp
    second = sweep_spec_file(tmp_path, {"seeds": [1, 2, 3]}, "b.yaml")
    with pytest.raises(UserError, match="holds another sweep .3 points, this spec has 2|2 points"):
        prepare(load_sweep(second), second, out)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    with pytest.raises(UserError, match="not a sweep directory"):
        prepare(load_sweep(first), first, tmp_path / "other")


def test_prepare_refuses_a_changed_experiment(tmp_path):
    for folder in ("experiments", "networks"):
        (tmp_path / folder).mkdir()
    experiment = tmp_path / "experiments" / "ipsc.yaml"
    experiment.write_text(IPSC.read_text())
    network = REPO / "networks" / "ipsc_cell.yaml"
    (tmp_path / "networks" / "ipsc_cell.yaml").write_text(network.read_text())
    path = tmp_path / "s.yaml"
    path.write_text(f"name: t\nexperiment: {experiment}\nseeds: [1]\n")
    prepare(load_sweep(path), path, tmp_path / "out")
    experiment.write_text(IPSC.read_text().replace("# one compiled binary", "# a comment"))
    prepare(load_sweep(path), path, tmp_path / "out")  # comments do not matter
    experiment.write_text(IPSC.read_text().replace("duration: 250 ms", "duration: 300 ms"))
    with pytest.raises(UserError, match="changed since this sweep was created"):
        prepare(load_sweep(path), path, tmp_path / "out")


# --- state ------------------------------------------------------------------------------------


def test_dead_running_record_is_a_failed_attempt(tmp_path):
    record = state.Attempts(0, attempts=1, state=state.RUNNING, host="h", pid=999999)
    record.save(tmp_path)
    status, read = state.point_status(tmp_path, 0)
    assert status == state.FAILED and "died" in read.error
    assert state.runnable(read, 2) and not state.runnable(read, 1)
    lock = state.point_lock(tmp_path, 0)
    with lock:
        assert state.point_status(tmp_path, 0)[0] == state.RUNNING
    assert not state.is_locked(tmp_path, 0)


def test_is_done_rejects_truncated_and_foreign_files(tmp_path):
    assert not state.is_done(tmp_path / "missing.h5")
    (tmp_path / "junk.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 10)
    assert not state.is_done(tmp_path / "junk.h5")


# --- index ------------------------------------------------------------------------------------


def test_flatten_cs_rates_averages_trials_and_drops_dependent_context():
    table = {"phase": np.array(["cond", "cond", "cond", "cond", "ext", "ext"]),
             "trial": np.array([0, 0, 1, 1, 0, 0]),
             "context": np.array(["A", "A", "A", "A", "B", "B"]),
             "group": np.array(["fear", "ext", "fear", "ext", "fear", "ext"]),
             "rate": np.array([10.0, 2.0, 20.0, 4.0, 5.0, 8.0])}
    cells = flatten_table("cs_rates", table, {"rate": "Hz"})
    assert cells == {"cs_rates.cond.fear": (15.0, "Hz"), "cs_rates.cond.ext": (3.0, "Hz"),
                     "cs_rates.ext.fear": (5.0, "Hz"), "cs_rates.ext.ext": (8.0, "Hz")}
    # a context of its own per phase: phase is still the key (preferred name)
    table["context"] = np.array(["A", "A", "A", "A", "B", "B"])
    table["phase"] = np.array(["cond", "cond", "cond", "cond", "ext", "ext"])
    assert list(flatten_table("cs_rates", table)) == list(cells)
    # three phases in two contexts: context is determined by phase and left out
    table["phase"] = np.array(["hab", "hab", "cond", "cond", "ext", "ext"])
    assert "cs_rates.hab.fear" in flatten_table("cs_rates", table)


def test_flatten_ipsc_keeps_the_concentration_axis():
    table = {"allo_nM": np.array([0.0, 100.0, 0.0, 100.0]),
             "profile": np.array(["default", "default", "DG", "DG"]),
             "tau_decay": np.array([7e-3, 9e-3, 7e-3, 8e-3]), "fold": np.array([1, 1.3, 1, 1.1])}
    cells = flatten_table("ipsc", table)
    assert cells["ipsc.default.100.tau_decay"][0] == 9e-3
    assert cells["ipsc.DG.0.fold"][0] == 1.0
    assert len(cells) == 8
    assert flatten_table("n", {"class": np.array(["a", "b"]), "n": np.array([3, 4])}) == {
        "n.a": (3.0, ""), "n.b": (4.0, "")}


# --- SLURM and dask-jobqueue ------------------------------------------------------------------


def test_array_ranges():
    assert array_ranges([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert array_ranges([3]) == "3"


def test_sbatch_script_covers_pending_points_with_resources(tmp_path):
    path = sweep_spec_file(tmp_path, {"seeds": {"first": 1, "count": 5}, "cluster": {
        "cores": 2, "memory": "3 GiB", "walltime": "00:20:00", "queue": "short",
        "throttle": 2, "job_extra": ["--qos=low"], "prologue": ["module load gcc"],
        "env": {"OMP_NUM_THREADS": "1"}}})
    manifest = prepare(load_sweep(path), path, tmp_path / "out")
    script = write_sbatch(tmp_path / "out", manifest, [0, 1, 3]).read_text()
    assert "#SBATCH --array=0-1,3%2" in script
    for line in ("#SBATCH --cpus-per-task=2", "#SBATCH --mem=3072M", "#SBATCH --time=00:20:00",
                 "#SBATCH --partition=short", "#SBATCH --qos=low", "module load gcc",
                 "export OMP_NUM_THREADS=1"):
        assert line in script.splitlines(), line
    assert re.search(r"-m allonet sweep worker \S+ --index \"\$SLURM_ARRAY_TASK_ID\" --chunk 1$",
                     script.strip())
    # more points than SLURM's default MaxArraySize: chunks of several points per task
    chunked = write_sbatch(tmp_path / "out", manifest, [0, 1, 2, 3, 4], max_array_size=2)
    assert "--array=0-1%2" in chunked.read_text() and "--chunk 3" in chunked.read_text()
    assert write_sbatch(tmp_path / "out", manifest, []) is None


def test_finish_job_runs_after_the_array_whatever_its_outcome(tmp_path, monkeypatch, capsys):
    """--submit hands sbatch the array, then the finish job with --dependency=afterany on the
    array's id (a stand-in sbatch records its arguments): nothing waits on the login node."""
    path = sweep_spec_file(tmp_path, {"seeds": [1, 2], "cluster": {"memory": "1 GiB",
                                                                   "env": {"X": "1"}}})
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    fake = bin_dir / "sbatch"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {calls}\nwc -l < {calls} | tr -d " "\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "out"
    assert run_cli("sweep", path, "-o", out, "--executor", "slurm", "--submit", "-q") == 0
    array, finish = calls.read_text().splitlines()
    assert array == f"--parsable {out.resolve() / 'sweep.sbatch'}"
    assert finish == f"--parsable --dependency=afterany:1 {out.resolve() / 'finish.sbatch'}"
    script = (out / "finish.sbatch").read_text().splitlines()
    for line in ("#SBATCH --cpus-per-task=1", "#SBATCH --mem=1024M", "export X=1"):
        assert line in script, line
    assert script[-1].endswith(f"-m allonet sweep finish {out.resolve()}")
    assert not any("--array" in line for line in script)


def test_finish_indexes_and_reports_status(tmp_path, capsys):
    out = tmp_path / "out"
    prepare(load_sweep(DATA / "ipsc_grid.yaml"), DATA / "ipsc_grid.yaml", out)
    assert run_cli("sweep", "finish", out) == 1  # points missing
    assert "pending 4" in capsys.readouterr().out
    assert (out / "index.h5").is_file() and (out / "index.csv").is_file()


@pytest.mark.parametrize("form", ["worker", "finish"])
def test_batch_job_that_cannot_see_the_sweep_directory(tmp_path, form):
    """A node without the shared file system: one line naming the directory and the host."""
    done = subprocess.run([sys.executable, "-m", "allonet", "sweep", form,
                           str(tmp_path / "not_shared")], capture_output=True, text=True,
                          cwd=REPO, check=False)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no sweep directory (with manifest.json) on" in \
        done.stderr
    assert "every node shares" in done.stderr


def test_worker_on_a_node_without_the_sweep_directory_creates_nothing(tmp_path):
    """A Dask worker whose node lacks the shared file system fails the attempt with the one
    line (another worker may take the retry) instead of running into a local folder."""
    point = Point(0, {}, 1, ["seed=1"], "g", "runs/point-00000.h5")
    result = run_point(tmp_path / "not_shared", str(REPO / "experiments" / "x.yaml"), point, 3)
    assert result.status == "failed" and not result.permanent
    assert "no sweep directory" in result.error and not (tmp_path / "not_shared").exists()


@pytest.mark.parametrize("kind", ["slurm", "pbs"])
def test_jobqueue_cluster_job_script(tmp_path, kind):
    cluster = jobqueue_cluster(Cluster(kind=kind, cores=2, memory="4 GB", walltime="01:30:00",
                                       queue="normal", env={"X": "1"}), tmp_path)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "01:30:00" in script and "normal" in script and "export X=1" in script
    assert f"{os.sys.executable} -m distributed.cli.dask_worker" in script
    assert "--nthreads 1" in script  # one Brian2 run per worker process


def test_status_and_index_of_an_unrun_sweep(tmp_path, capsys):
    out = tmp_path / "out"
    prepare(load_sweep(DATA / "ipsc_grid.yaml"), DATA / "ipsc_grid.yaml", out)
    assert run_cli("sweep", "status", out) == 0
    assert "4 points: done 0, failed 0, running 0, pending 4" in capsys.readouterr().out
    assert run_cli("sweep", "index", out) == 0
    header = (out / "index.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["point", "status", "attempts", "seed"]
    assert "protocol.concentrations" in header
    assert json.loads((out / "manifest.json").read_text())["format"] == "allonet-sweep/1"


# --- progress ---------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_plain_lines_and_terminal_bar():
    plain = io.StringIO()
    bar = SweepProgress(4, done=1, stream=plain)
    bar.update(2, "done")
    bar.retrying(3, "OSError: disk")
    bar.update(3, "failed", "OSError: disk")
    lines = plain.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in plain.getvalue()
    assert lines[0].startswith("[" + "#" * 15 + "." * 15 + "] 2/4 (done 2, failed 0)")
    assert lines[2].startswith("[" + "#" * 22) and "3/4 (done 2, failed 1)" in lines[2]
    assert lines[2].endswith("point 3 failed: OSError: disk")
    terminal = _Terminal()
    bar = SweepProgress(2, stream=terminal)
    bar.update(0, "done")
    bar.close()
    assert terminal.getvalue().startswith("\r\033[K[") and terminal.getvalue().endswith("\n")
    quiet = io.StringIO()
    SweepProgress(2, quiet=True, stream=quiet).update(0, "done")
    assert quiet.getvalue() == ""
