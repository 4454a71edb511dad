"""Sweeps that simulate: local pool, a killed driver, a real Dask cluster losing a worker, SLURM
array tasks, failures and retries. Points are IPSC runs (about a second each once compiled)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from allonet.store import read_run
from allonet.sweep import read_index, run_sweep, state, summarize
from allonet.sweep.manifest import load_manifest, prepare
from allonet.sweep.spec import load_sweep
from allonet.sweep.worker import BUSY, EXHAUSTED, run_point, work
from conftest import REPO, run_cli, sweep_spec_file

pytestmark = pytest.mark.slow

DATA = REPO / "tests" / "data" / "sweeps"
PYTHON = sys.executable


def _events(sweep_dir: Path, kind: str) -> Counter:
    return Counter(e["point"] for e in state.read_events(sweep_dir) if e["event"] == kind)


def _wait_for(condition, timeout: float, what: str, poll: float = 0.05) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


def _assert_each_point_done_once(sweep_dir: Path) -> None:
    """Every point: one readable run file, exactly one successful run, no temporaries left."""
    manifest = load_manifest(sweep_dir)
    done = _events(sweep_dir, "done")
    assert sorted(done) == [p.index for p in manifest.points], done
    assert set(done.values()) == {1}, f"points run more than once: {done}"
    for point in manifest.points:
        run = read_run(sweep_dir / point.run_file)
        assert run.overrides == point.overrides
    leftovers = [p.name for p in (sweep_dir / "runs").iterdir() if not p.name.endswith(".h5")
                 or p.name.startswith(".")]
    assert leftovers == []


@pytest.fixture(scope="module")
def compiled() -> None:
    """Compile the IPSC binary once, so the sweeps below measure running, not compiling."""
    from allonet.runner import run_experiment

    spec = load_sweep(DATA / "ipsc_seeds8.yaml")
    overrides = [f"{k}={json.dumps(v)}" for k, v in spec.set.items()]
    run_experiment(REPO / "experiments" / "ipsc_dose_response.yaml", overrides,
                   Path(os.environ["ALLONET_CACHE"]) / "sweep-warmup.h5", overwrite=True)


def test_local_sweep_failed_point_index_and_rerun(tmp_path, capsys, compiled):
    """A point whose value makes the spec invalid fails with its message; the rest complete; the
    index has one row per point; the same command again runs nothing."""
    out = tmp_path / "bad"
    args = ("sweep", DATA / "ipsc_bad_point.yaml", "-o", out, "--workers", "2", "-q")
    assert run_cli(*args) == 1  # not every point done
    printed = capsys.readouterr().out
    assert "3 points: done 2, failed 1" in printed
    assert "failed point 1 (1 attempt): SpecError:" in printed and "-5 nM" in printed
    record = state.read_attempts(out, 1)
    assert record.permanent and record.attempts == 1 and "must be ≥ 0" in record.error
    index = read_index(out / "index.h5")
    assert list(index["point"]) == [0, 1, 2]
    assert list(index["status"]) == ["done", "failed", "done"]
    assert "concentration must be ≥ 0" in index["error"][1]
    fold = index["ipsc.300.fold"]  # one profile: no profile key; allo_nM is a condition axis
    assert np.isnan(fold[0]) and np.isnan(fold[1]) and fold[2] > 1.5  # Cooper 1999: ~2x at 300 nM
    assert index["ipsc.100.fold"][0] > 1.1 and index["ipsc.0.fold"][0] == 1.0
    starts = _events(out, "start")
    assert run_cli(*args) == 1
    assert _events(out, "start") == starts  # nothing ran again
    assert len(read_index(out / "index.h5")["point"]) == 3
    assert (out / "index.csv").read_text().count("\n") == 4


def test_killed_driver_then_rerun_runs_only_missing_points(tmp_path, compiled):
    out = tmp_path / "killed"
    command = [PYTHON, "-m", "allonet", "sweep", str(DATA / "ipsc_seeds8.yaml"), "-o", str(out),
               "--workers", "2", "-q"]
    driver = subprocess.Popen(command)
    try:
        _wait_for(lambda: sum(_events(out, "done").values()) >= 2, 120, "two finished points")
    finally:
        driver.send_signal(signal.SIGKILL)
        driver.wait()
    time.sleep(0.5)
    finished_before = {p for p in range(8) if state.is_done(state.run_path(out, p))}
    started_before = sum(_events(out, "start").values())
    assert 2 <= len(finished_before) < 8
    _, summary = run_sweep(DATA / "ipsc_seeds8.yaml", out, workers=2, quiet=True)
    assert summary.complete
    rerun_starts = [e["point"] for e in state.read_events(out) if e["event"] == "start"][
        started_before:]
    assert not set(rerun_starts) & finished_before  # only missing points ran
    _assert_each_point_done_once(out)


#: run-file attributes that say when, where and how fast a run went, not what it computed
_CIRCUMSTANCES = {"created_utc", "wall_time_s", "host"}
_BUILD_CIRCUMSTANCES = {"compiled", "direct", "build_seconds", "run_seconds"}


def test_same_seed_same_run_file_with_one_or_two_workers(tmp_path):
    """Three seeds of a short BLA background run (random input and connectivity), swept by one
    worker and by two: each seed's run file holds the same datasets, specs and attributes
    bit for bit, whichever process ran it and whether it built the model or ran the cached
    binary directly."""
    body = {"experiment": str(REPO / "experiments" / "bla_theta.yaml"),
            "set": {"protocol.duration": "1.5 s"}, "seeds": [1, 2, 3]}
    spec = sweep_spec_file(tmp_path, body)
    runs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers{workers}"
        _, summary = run_sweep(spec, out, workers=workers, quiet=True)
        assert summary.complete
        runs[workers] = [read_run(out / p.run_file) for p in load_manifest(out).points]
        pids = {e["pid"] for e in state.read_events(out) if e["event"] == "start"}
        assert len(pids) == workers  # every worker ran points
    for one, two in zip(runs[1], runs[2], strict=True):
        assert one.spec == two.spec and one.overrides == two.overrides
        assert one.data.keys() == two.data.keys()
        for key, value in one.data.items():
            np.testing.assert_array_equal(value, two.data[key], err_msg=key)
            assert one.units[key] == two.units[key]
        np.testing.assert_equal(_what(one.attrs), _what(two.attrs))
    seeds = [r.attrs["seed"] for r in runs[1]]
    spikes = [r.data["spikes/PN/timestamps"] for r in runs[1]]
    assert seeds == [1, 2, 3] and not np.array_equal(spikes[0], spikes[1])  # seeds matter


def _what(attrs: dict) -> dict:
    """``attrs`` without the circumstances of the run."""
    build = {k: v for k, v in attrs["build"].items() if k not in _BUILD_CIRCUMSTANCES}
    return {k: v for k, v in attrs.items() if k not in _CIRCUMSTANCES} | {"build": build}


def _dask(*args: str, **kwargs) -> subprocess.Popen:
    dask = Path(PYTHON).parent / "dask"
    return subprocess.Popen([str(dask), *args], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_dask_cluster_losing_a_worker_runs_every_point_once(tmp_path, compiled):
    """A real scheduler and two workers, separate processes on loopback; one worker is killed
    (its whole process group, SIGKILL) while it runs a point."""
    from distributed import Client

    address_file = tmp_path / "scheduler.json"
    processes = [_dask("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                       "--scheduler-file", str(address_file))]
    try:
        _wait_for(address_file.is_file, 60, "the scheduler")
        address = json.loads(address_file.read_text())["address"]
        for _ in range(2):
            processes.append(_dask("worker", address, "--nthreads", "1", "--nworkers", "1",
                                   "--no-dashboard", "--memory-limit", "0", "--host", "127.0.0.1"))
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        out = tmp_path / "dask"
        driver = subprocess.Popen([PYTHON, "-m", "allonet", "sweep", str(DATA / "ipsc_seeds8.yaml"),
                                   "-o", str(out), "--executor", "dask", "--scheduler", address,
                                   "-q"])
        victim = processes[1]

        def victim_is_running_a_point() -> bool:
            events = state.read_events(out) if out.exists() else []
            ended = {(e["point"], e["pid"]) for e in events if e["event"] != "start"}
            return any(e["event"] == "start" and (e["point"], e["pid"]) not in ended
                       and _in_group(e["pid"], victim.pid) and e["point"] != 0 for e in events)

        _wait_for(victim_is_running_a_point, 120, "the victim worker to start a point", 0.02)
        os.killpg(victim.pid, signal.SIGKILL)
        assert driver.wait(timeout=300) == 0
    finally:
        for process in reversed(processes):
            _stop(process)
    _assert_each_point_done_once(out)
    died = [r for r in (state.read_attempts(out, p) for p in range(8)) if r.history]
    assert len(died) == 1 and "died during this attempt" in died[0].history[0]["error"]
    assert died[0].attempts == 2


def _in_group(pid: int, group: int) -> bool:
    try:
        return os.getpgid(pid) == group
    except ProcessLookupError:
        return False


def test_slurm_array_tasks(tmp_path, compiled):
    """The SLURM path without SLURM: the written sbatch script itself is run once per array task
    id with SLURM_ARRAY_TASK_ID set, as SLURM would. Runs everywhere; test_real_slurm submits the
    same array to a real single-node SLURM where one can be started."""
    out = tmp_path / "slurm"
    assert run_cli("sweep", DATA / "ipsc_pair.yaml", "-o", out, "--executor", "slurm", "-q") == 0
    script = out / "sweep.sbatch"
    array = re.search(r"^#SBATCH --array=(\S+)$", script.read_text(), re.M).group(1)
    assert array == "0-1"
    for task in range(2):
        done = subprocess.run(["bash", str(script)], env=os.environ | {
            "SLURM_ARRAY_TASK_ID": str(task)}, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    assert summarize(out).complete
    # the job SLURM starts after the array (afterany) indexes and reports the sweep
    finish = subprocess.run(["bash", str(out / "finish.sbatch")], env=os.environ,
                            capture_output=True, text=True, check=False)
    assert finish.returncode == 0, finish.stderr
    assert "2 points: done 2" in finish.stdout
    assert len(read_index(out / "index.h5")["point"]) == 2
    _assert_each_point_done_once(out)
    # a task run twice (requeued by SLURM) finds its point done and runs nothing
    again = subprocess.run(["bash", str(script)], env=os.environ | {"SLURM_ARRAY_TASK_ID": "1"},
                           capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "point 1: skipped" in again.stderr
    _assert_each_point_done_once(out)


def test_real_slurm(tmp_path, compiled, slurm):
    """Submit the job array to a real single-node SLURM (see the ``slurm`` fixture).

    Polls the sweep's status rather than ``--wait``: sbatch --wait polls with growing intervals
    and adds half a minute here."""
    out = tmp_path / "slurm"
    args = ("sweep", DATA / "ipsc_pair.yaml", "-o", out, "--executor", "slurm", "--submit", "-q")
    assert run_cli(*args) == 0
    _wait_for(lambda: summarize(out).complete, 180, "the array tasks", 0.5)
    assert run_cli("sweep", "index", out) == 0
    assert len(read_index(out / "index.h5")["point"]) == 2
    _assert_each_point_done_once(out)
    _wait_for(lambda: len(list((out / "logs").glob("slurm-*_*.out"))) == 2, 30, "task logs")
    assert run_cli(*args) == 0  # rerun: nothing pending, nothing submitted
    assert len(list((out / "logs").glob("slurm-*_*.out"))) == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _sinfo_answers(env: dict[str, str], state_word: str = "") -> bool:
    """Whether ``sinfo`` reaches a controller (and, given ``state_word``, reports it)."""
    if not shutil.which("sinfo"):
        return False
    try:
        done = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env, capture_output=True,
                              text=True, timeout=20, check=False)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0 and state_word in done.stdout


_SLURM_CONF = """ClusterName=allonettest
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={root}/munge.sock
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName={host} CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    """A real single-node SLURM for the tests: the one already configured here if ``sinfo``
    answers, else a private cluster (munged, slurmctld, slurmd on free ports, state in a temporary
    directory) started when Debian's slurm-wlm and munge are installed and we are root; otherwise
    the test is skipped (test_slurm_array_tasks still runs the array tasks by hand)."""
    if _sinfo_answers(dict(os.environ)):
        yield None
        return
    daemons = {name: shutil.which(name) or f"/usr/sbin/{name}"
               for name in ("munged", "slurmctld", "slurmd")}
    if os.geteuid() != 0 or not all(Path(p).is_file() for p in daemons.values()) \
            or not shutil.which("sbatch") or not Path("/etc/munge/munge.key").is_file():
        pytest.skip("no SLURM here: needs root and Debian's slurm-wlm + munge installed")
    root = tmp_path_factory.mktemp("slurm")
    for folder in ("state", "spool"):
        (root / folder).mkdir()
    memory_mb = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 * 9 // 10
    conf = root / "slurm.conf"
    conf.write_text(_SLURM_CONF.format(
        host=socket.gethostname().split(".")[0], root=root, ctld_port=_free_port(),
        slurmd_port=_free_port(), cpus=os.cpu_count(), memory_mb=memory_mb))
    # without Brian2's LD_BIND_NOW (left by the in-process runs): SLURM plugins need lazy binding
    env = {k: v for k, v in os.environ.items() if k != "LD_BIND_NOW"} | {"SLURM_CONF": str(conf)}
    subprocess.run([daemons["munged"], "--force", f"--socket={root}/munge.sock",
                    f"--log-file={root}/munged.log", f"--pid-file={root}/munged.pid",
                    f"--seed-file={root}/munged.seed"], check=True, env=env)
    started = [subprocess.Popen([daemons["slurmctld"], "-D"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)]
    time.sleep(1)
    started.append(subprocess.Popen([daemons["slurmd"], "-D"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL))
    try:
        _wait_for(lambda: _sinfo_answers(env, "idle"), 60, "the SLURM node to be idle", 0.5)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SLURM_CONF", str(conf))
            yield conf
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(timeout=30)
        pid_file = root / "munged.pid"
        if pid_file.is_file():
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)


def test_transient_failure_is_retried_up_to_the_limit(tmp_path, compiled, monkeypatch):
    import allonet.runner

    out = tmp_path / "retry"
    spec = load_sweep(DATA / "ipsc_grid.yaml")
    manifest = prepare(spec, DATA / "ipsc_grid.yaml", out)
    real = allonet.runner.run_experiment

    def transient(*args, **kwargs):  # an OSError that is not the user's (a full scratch disk)
        raise OSError("[Errno 21] Is a directory: scratch")

    monkeypatch.setattr(allonet.runner, "run_experiment", transient)
    results = work(out, [0])
    assert results[0].status == EXHAUSTED
    record = state.read_attempts(out, 0)
    assert record.attempts == manifest.max_attempts == 2 and not record.permanent
    assert "Is a directory" in record.error and len(record.history) == 1
    summary = summarize(out)
    assert summary.counts["failed"] == 1 and summary.retryable == 0
    with state.point_lock(out, 1):  # someone else holds point 1: a non-waiting worker leaves it
        assert run_point(out, manifest.experiment, manifest.points[1], 2, wait=False).status \
            == BUSY
    monkeypatch.setattr(allonet.runner, "run_experiment", real)
    _, summary = run_sweep(DATA / "ipsc_grid.yaml", out, workers=1, quiet=True)
    assert summary.counts["failed"] == 1  # out of attempts: not retried without --retry-failed
    _, summary = run_sweep(DATA / "ipsc_grid.yaml", out, workers=1, retry_failed=True, quiet=True)
    assert summary.complete
    assert state.read_attempts(out, 0).attempts == 1  # a fresh set of attempts
