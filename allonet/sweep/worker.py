"""Run sweep points: one attempt of one point (:func:`run_point`), or a worker loop (:func:`work`).

Every executor ends up in :func:`run_point`, in whatever process it runs: a local pool process, a
Dask worker, a SLURM array task. The point's file lock makes sure no two processes write its run
file; the attempt record is written *before* the run starts, so a process killed mid-run (out of
memory, node failure, SIGKILL) still counts as an attempt, and a point that keeps killing its
workers stops being retried.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from filelock import Timeout

from allonet import provenance
from allonet.errors import UserError
from allonet.sweep import state
from allonet.sweep.manifest import Point, load_manifest

# Brian2 keeps global device state: a process runs one point at a time, whatever its threads do
# (a Dask worker started with --nthreads > 1 queues here instead of corrupting a run).
_PROCESS_LOCK = threading.Lock()

#: Statuses of :class:`PointResult`: ran now and succeeded; was already done; this attempt failed;
#: not attempted (no attempts left, or a permanent error); not attempted (another process has it).
DONE, SKIPPED, FAILED, EXHAUSTED, BUSY = "done", "skipped", "failed", "exhausted", "busy"


@dataclass
class PointResult:
    """What one call of :func:`run_point` did."""

    index: int
    status: str
    attempts: int = 0
    error: str = ""
    permanent: bool = False
    wall_time_s: float = 0.0  # of this attempt (s); 0 if nothing ran

    @property
    def retry(self) -> bool:
        """Whether the point failed and may be attempted again."""
        return self.status == FAILED and not self.permanent


def run_point(sweep_dir: str | Path, experiment: str, point: Point, max_attempts: int,
              wait: bool = True) -> PointResult:
    """Attempt ``point`` once unless it is done, out of attempts, or (``wait=False``) busy.

    With ``wait`` the call blocks while another process holds the point, then sees it done.
    Errors of the run are recorded, never raised.
    """
    sweep_dir = Path(sweep_dir)
    try:
        check_visible(sweep_dir)
    except UserError as error:  # this node lacks the shared file system; another may have it
        return PointResult(point.index, FAILED, error=str(error))
    with _PROCESS_LOCK:
        lock = state.point_lock(sweep_dir, point.index)
        try:
            lock.acquire(timeout=-1 if wait else 0)
        except Timeout:
            return PointResult(point.index, BUSY)
        try:
            return _attempt(sweep_dir, experiment, point, max_attempts)
        finally:
            lock.release()


def check_visible(sweep_dir: Path) -> Path:
    """``sweep_dir``, or a one-line UserError naming it and this host when this machine cannot
    see it (batch jobs and Dask workers run on other nodes, which see only shared file
    systems); nothing is created, so no point runs into a folder only this node sees."""
    if not (Path(sweep_dir) / state.MANIFEST).is_file():
        raise UserError(f"{sweep_dir}: no sweep directory (with {state.MANIFEST}) on "
                        f"{socket.gethostname()}; batch jobs need it on a file system every "
                        f"node shares (not /tmp)")
    return Path(sweep_dir)


def _attempt(sweep_dir: Path, experiment: str, point: Point, max_attempts: int) -> PointResult:
    run_file = sweep_dir / point.run_file
    record = state.read_attempts(sweep_dir, point.index)
    if state.is_done(run_file):
        state.log_event(sweep_dir, "skipped", point.index)
        return PointResult(point.index, SKIPPED, record.attempts)
    if record.state == state.RUNNING:  # we hold the lock: its last holder died mid-run
        record.error = f"process {record.pid} on {record.host} died during this attempt"
        record.state = state.FAILED
    if not state.runnable(record, max_attempts):
        return PointResult(point.index, EXHAUSTED, record.attempts, record.error, record.permanent)
    if record.state == state.FAILED:
        record.history.append({"attempt": record.attempts, "error": record.error,
                               "host": record.host, "started_utc": record.started_utc})
    record.attempts += 1
    record.state, record.error, record.traceback = state.RUNNING, "", ""
    record.host, record.pid, record.started_utc = socket.gethostname(), os.getpid(), \
        provenance.now_utc()
    record.save(sweep_dir)
    state.log_event(sweep_dir, "start", point.index, attempt=record.attempts)
    return _run(sweep_dir, experiment, point, record, run_file)


def _run(sweep_dir: Path, experiment: str, point: Point, record: state.Attempts,
         run_file: Path) -> PointResult:
    from allonet.runner import run_experiment

    start = time.perf_counter()
    try:
        run_experiment(Path(experiment), list(point.overrides), run_file, overwrite=True,
                       quiet=True)
    except Exception as error:  # noqa: BLE001 - every failure is recorded, none stops the sweep
        record.permanent = isinstance(error, UserError)
        record.error = f"{type(error).__name__}: {error}".splitlines()[0][:2000]
        record.traceback = "".join(traceback.format_exc().splitlines(True)[-30:])
        record.state = state.FAILED
    else:
        record.state = state.DONE
    record.wall_time_s = time.perf_counter() - start
    record.save(sweep_dir)
    state.log_event(sweep_dir, record.state, point.index, attempt=record.attempts,
                    wall_time_s=record.wall_time_s, error=record.error)
    status = DONE if record.state == state.DONE else FAILED
    return PointResult(point.index, status, record.attempts, record.error, record.permanent,
                       record.wall_time_s)


def work(sweep_dir: str | Path, indices: list[int] | None = None, wait: bool = True,
         report=None) -> list[PointResult]:
    """Run the given points (default: all) in this process, each until done or out of attempts.

    With ``wait=False`` points another process holds are left to it (several ``allonet sweep
    worker DIR`` processes sharing one directory then split the points between them).
    ``report(result)`` is called after each point.
    """
    manifest = load_manifest(sweep_dir)
    chosen = manifest.points if indices is None else [manifest.points[i] for i in indices]
    results = []
    for point in chosen:
        result = run_point(sweep_dir, manifest.experiment, point, manifest.max_attempts, wait)
        while result.retry:
            result = run_point(sweep_dir, manifest.experiment, point, manifest.max_attempts, wait)
        results.append(result)
        if report:
            report(result)
    return results
