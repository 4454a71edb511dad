"""Executors: where sweep points run. One interface, one manifest, one result-file contract.

- :class:`LocalPool`: a process pool on this machine (``--executor local``, the default).
- :class:`DaskBackend`: a Dask distributed cluster: a running scheduler (``--scheduler
  tcp://HOST:PORT``), a ``LocalCluster`` started here, or dask-jobqueue ``SLURMCluster`` /
  ``PBSCluster`` jobs from the sweep spec's ``cluster`` section.
- :func:`write_sbatch`: a SLURM job array whose tasks run ``allonet sweep worker DIR --index
  $SLURM_ARRAY_TASK_ID`` (``--executor slurm``); SLURM, not this process, runs the points, and
  a dependent job (:func:`write_finish_sbatch`) indexes and reports the sweep after the array.

Backends run :func:`allonet.sweep.worker.run_point` on a point and hand back its
:class:`~allonet.sweep.worker.PointResult`; the driver (:mod:`allonet.sweep.driver`) decides what to
submit when.
"""

from __future__ import annotations

import math
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from allonet.errors import UserError
from allonet.sweep.manifest import Manifest, Point
from allonet.sweep.spec import Cluster
from allonet.sweep.worker import FAILED, PointResult, run_point


class Backend(Protocol):
    """Runs points somewhere; results come back one at a time, in completion order."""

    def submit(self, point: Point) -> None:
        """Queue one attempt of ``point``."""

    def next_result(self) -> PointResult:
        """Block until a submitted point finishes; its result."""

    @property
    def in_flight(self) -> int:
        """Points submitted whose result has not been returned yet."""

    def close(self) -> None:
        """Release workers (and any cluster this backend started)."""


def default_workers() -> int:
    """Cores this process may use (the local pool's default size)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_PARENT_PID = 0


def _init_pool_worker(parent: int) -> None:
    global _PARENT_PID
    _PARENT_PID = parent


def _warm_up() -> None:
    """Import the simulator (seconds) in every pool process at once, not in its first point."""
    import allonet.protocols  # noqa: F401
    import allonet.runner  # noqa: F401


def _pool_task(sweep_dir: str, experiment: str, point: Point, max_attempts: int) -> PointResult:
    # A pool process whose driver was killed is adopted by init: it must not start new points
    # (the rerun will), only finish the one it has.
    if os.getppid() != _PARENT_PID:
        os._exit(0)
    return run_point(sweep_dir, experiment, point, max_attempts, wait=True)


class LocalPool:
    """``workers`` processes on this machine (spawned: each has its own Brian2 state).

    If a pool process dies (killed, out of memory), the pool is restarted and the points it held
    are resubmitted; the one that died has its attempt counted, so it cannot loop forever.
    """

    def __init__(self, sweep_dir: Path, manifest: Manifest, workers: int) -> None:
        self.sweep_dir, self.manifest, self.workers = str(sweep_dir), manifest, workers
        self.futures: dict[Future, Point] = {}
        self.restarts = 0
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                   initializer=_init_pool_worker, initargs=(os.getpid(),))
        for _ in range(self.workers):  # starts every process now (the pool starts them lazily)
            pool.submit(_warm_up)
        return pool

    def submit(self, point: Point) -> None:
        future = self.pool.submit(_pool_task, self.sweep_dir, self.manifest.experiment, point,
                                  self.manifest.max_attempts)
        self.futures[future] = point

    @property
    def in_flight(self) -> int:
        return len(self.futures)

    def next_result(self) -> PointResult:
        while True:
            finished, _ = wait(list(self.futures), return_when=FIRST_COMPLETED)
            future = finished.pop()
            point = self.futures.pop(future)
            try:
                return future.result()
            except BrokenProcessPool:
                self._restart(point)
            except Exception as error:  # noqa: BLE001 - infrastructure error, not the run's
                return PointResult(point.index, FAILED, error=f"{type(error).__name__}: {error}")

    def _restart(self, point: Point) -> None:
        """Replace a broken pool and resubmit every point it held."""
        self.restarts += 1
        if self.restarts > 3 + len(self.manifest.points):
            raise RuntimeError("the local worker pool keeps breaking; see the attempt records")
        held = [point, *self.futures.values()]
        self.futures.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._new_pool()
        for item in held:
            self.submit(item)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend:
    """Points as Dask tasks (one task per attempt) on a ``distributed`` client.

    A worker that dies takes its running task with it; the scheduler reruns the task elsewhere
    and the point's lock and attempt record keep that honest.
    """

    def __init__(self, manifest: Manifest, sweep_dir: Path, client: Any, owned: list[Any]) -> None:
        from distributed import as_completed

        self.manifest, self.sweep_dir = manifest, str(sweep_dir)
        self.client, self.owned = client, owned
        self.completed = as_completed()
        self.points: dict[str, Point] = {}

    def submit(self, point: Point) -> None:
        key = f"allonet-{self.manifest.name}-{point.index}-{uuid.uuid4().hex[:8]}"
        future = self.client.submit(run_point, self.sweep_dir, self.manifest.experiment, point,
                                    self.manifest.max_attempts, True, key=key, pure=False)
        self.points[future.key] = point
        self.completed.add(future)

    @property
    def in_flight(self) -> int:
        return len(self.points)

    def next_result(self) -> PointResult:
        future = next(self.completed)
        point = self.points.pop(future.key)
        try:
            return future.result()
        except Exception as error:  # noqa: BLE001 - e.g. KilledWorker: the task killed workers
            return PointResult(point.index, FAILED, error=f"{type(error).__name__}: {error}")
        finally:
            future.release()

    def close(self) -> None:
        self.client.close()
        for item in reversed(self.owned):
            item.close()


def dask_backend(manifest: Manifest, sweep_dir: Path, scheduler: str | None,
                 workers: int) -> DaskBackend:
    """Connect to ``scheduler``, or start dask-jobqueue jobs (spec ``cluster`` section), or a
    ``LocalCluster`` of ``workers`` single-threaded processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return DaskBackend(manifest, sweep_dir, Client(scheduler, timeout="30s"), [])
        except OSError as error:
            raise UserError(f"--scheduler {scheduler}: cannot connect ({error})") from None
    if manifest.cluster:
        cluster = jobqueue_cluster(Cluster(**manifest.cluster), sweep_dir)
        cluster.adapt(minimum_jobs=0, maximum_jobs=cluster_jobs(manifest))
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
    return DaskBackend(manifest, sweep_dir, Client(cluster), [cluster])


def cluster_jobs(manifest: Manifest) -> int:
    return int(manifest.cluster.get("jobs", 1)) if manifest.cluster else 1


def worker_environment(cluster: Cluster) -> dict[str, str]:
    """Environment for batch workers: this process's ``ALLONET_CACHE`` (so every task shares one
    compiled-code cache; it must be on a shared filesystem), then the spec's ``env``."""
    env = {"ALLONET_CACHE": os.environ["ALLONET_CACHE"]} if "ALLONET_CACHE" in os.environ else {}
    return env | dict(cluster.env)


def jobqueue_cluster(cluster: Cluster, sweep_dir: Path) -> Any:
    """A dask-jobqueue ``SLURMCluster`` or ``PBSCluster`` (no jobs started until scaled)."""
    import dask_jobqueue

    exports = [f"export {k}={shlex.quote(v)}" for k, v in worker_environment(cluster).items()]
    kind = {"slurm": dask_jobqueue.SLURMCluster, "pbs": dask_jobqueue.PBSCluster}[cluster.kind]
    options: dict[str, Any] = dict(
        cores=cluster.cores, processes=cluster.processes or cluster.cores,
        memory=cluster.memory, walltime=cluster.walltime, queue=cluster.queue,
        account=cluster.account, python=sys.executable,
        job_extra_directives=list(cluster.job_extra),
        job_script_prologue=exports + list(cluster.prologue),
        log_directory=str(Path(sweep_dir) / "logs"), scheduler_options={"dashboard_address": None},
    )
    return kind(**options)


def array_ranges(indices: list[int]) -> str:
    """``[0, 1, 2, 5, 7, 8]`` -> ``"0-2,5,7-8"`` (SLURM ``--array`` syntax)."""
    runs: list[list[int]] = []
    for value in sorted(set(indices)):
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def write_sbatch(sweep_dir: Path, manifest: Manifest, pending: list[int],
                 max_array_size: int = 1000) -> Path | None:
    """Write ``DIR/sweep.sbatch``: a job array over the chunks holding ``pending`` points.

    Array task ``k`` runs points ``k*chunk .. k*chunk+chunk-1`` (chunk from the spec, raised so
    that no task id exceeds ``max_array_size``, SLURM's default MaxArraySize - 1). Returns None
    when nothing is pending.
    """
    if not pending:
        return None
    cluster = Cluster(**(manifest.cluster or {}))
    chunk = max(cluster.chunk, math.ceil(len(manifest.points) / max_array_size))
    tasks = sorted({index // chunk for index in pending})
    throttle = f"%{cluster.throttle}" if cluster.throttle else ""
    sweep_dir = Path(sweep_dir).resolve()
    header = [f"#SBATCH --job-name=allonet-{manifest.name}",
              f"#SBATCH --array={array_ranges(tasks)}{throttle}",
              f"#SBATCH --output={sweep_dir}/logs/slurm-%A_%a.out",
              *_slurm_resources(cluster),
              f"# allonet sweep: {len(pending)} of {len(manifest.points)} points pending, "
              f"{len(tasks)} array tasks of up to {chunk} point(s)"]
    return _write_script(sweep_dir / "sweep.sbatch", cluster, header,
                         f"sweep worker {shlex.quote(str(sweep_dir))} "
                         f"--index \"$SLURM_ARRAY_TASK_ID\" --chunk {chunk}")


def write_finish_sbatch(sweep_dir: Path, manifest: Manifest) -> Path:
    """Write ``DIR/finish.sbatch``: one single-core job, submitted to start after the array
    ended whatever its outcome (``--dependency=afterany``), that indexes the sweep, prints its
    status and writes the study report of a complete sweep (``allonet sweep finish DIR``), so
    that no process has to wait on the login node."""
    cluster = Cluster(**(manifest.cluster or {}))
    sweep_dir = Path(sweep_dir).resolve()
    header = [f"#SBATCH --job-name=allonet-{manifest.name}-finish",
              f"#SBATCH --output={sweep_dir}/logs/slurm-finish-%j.out",
              *_slurm_resources(cluster.model_copy(update={"cores": 1}))]
    return _write_script(sweep_dir / "finish.sbatch", cluster, header,
                         f"sweep finish {shlex.quote(str(sweep_dir))}")


def _write_script(path: Path, cluster: Cluster, header: list[str], command: str) -> Path:
    """A batch script at ``path``: ``header`` lines, the cluster's environment and prologue,
    then ``allonet COMMAND`` run by this Python."""
    (path.parent / "logs").mkdir(exist_ok=True)
    lines = ["#!/bin/bash", *header, "set -eu"]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in worker_environment(cluster).items()]
    lines += list(cluster.prologue)
    lines.append(f"exec {shlex.quote(sys.executable)} -m allonet {command}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _slurm_resources(cluster: Cluster) -> list[str]:
    from dask.utils import parse_bytes

    mem_mb = math.ceil(parse_bytes(cluster.memory) / 2**20)
    lines = [f"#SBATCH --cpus-per-task={cluster.cores}", f"#SBATCH --mem={mem_mb}M",
             f"#SBATCH --time={cluster.walltime}"]
    if cluster.queue:
        lines.append(f"#SBATCH --partition={cluster.queue}")
    if cluster.account:
        lines.append(f"#SBATCH --account={cluster.account}")
    lines += [x if x.startswith("#") else f"#SBATCH {x}" for x in cluster.job_extra]
    return lines


def submit_sbatch(script: Path, wait_for_end: bool = False, after: str | None = None) -> str:
    """Submit ``script`` with ``sbatch`` and return its job id (``wait_for_end``: return when
    the job, every task of an array, ended; ``after``: start only once job ``after`` ended,
    whatever its outcome)."""
    sbatch = shutil.which("sbatch")
    if sbatch is None:
        raise UserError(f"sbatch not found on PATH; submit {script} on the cluster's login node")
    command = [sbatch, "--parsable", *(["--wait"] if wait_for_end else []),
               *([f"--dependency=afterany:{after}"] if after else []), str(script)]
    # Brian2's standalone device leaves LD_BIND_NOW=1 in the environment of a process that ran a
    # model; with it, SLURM's lazily linked plugins fail to load.
    env = {k: v for k, v in os.environ.items() if k != "LD_BIND_NOW"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0 and not (wait_for_end and done.stdout.strip()):
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise UserError(f"sbatch {script} failed: {last}")
    return done.stdout.strip().split(";")[0]
