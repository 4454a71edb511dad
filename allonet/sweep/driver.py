"""Run a sweep: prepare the manifest, hand the missing points to an executor, index the results.

Compile once, run many: the first point of each structure group is submitted first; the engine
compiles a structure once (under a file lock) and every other point of the group reuses it.
Failed points go back in the queue until they run out of attempts; failures never stop the rest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from allonet.errors import UserError
from allonet.sweep import state
from allonet.sweep.executors import (
    Backend,
    LocalPool,
    dask_backend,
    default_workers,
    submit_sbatch,
    write_finish_sbatch,
    write_sbatch,
)
from allonet.sweep.index import build_index
from allonet.sweep.manifest import Manifest, Point, load_manifest, prepare
from allonet.sweep.progress import SweepProgress
from allonet.sweep.spec import load_sweep
from allonet.sweep.worker import DONE, SKIPPED, PointResult

EXECUTORS = ("local", "dask", "slurm")


@dataclass
class Summary:
    """Counts of a sweep's points by status, and the failed points' last errors."""

    total: int
    counts: Counter = field(default_factory=Counter)
    retryable: int = 0  # failed points with attempts left (a rerun tries them again)
    failures: list[tuple[int, int, str]] = field(default_factory=list)  # (index, attempts, error)

    def line(self) -> str:
        c = self.counts
        retry = f" ({self.retryable} with attempts left)" if self.retryable else ""
        return (f"{self.total} points: done {c[state.DONE]}, failed {c[state.FAILED]}{retry}, "
                f"running {c[state.RUNNING]}, pending {c[state.PENDING]}")

    @property
    def complete(self) -> bool:
        return self.counts[state.DONE] == self.total


def summarize(sweep_dir: str | Path, manifest: Manifest | None = None) -> Summary:
    """Status of every point of the sweep in ``sweep_dir``, from the files on disk."""
    manifest = manifest or load_manifest(sweep_dir)
    summary = Summary(len(manifest.points))
    for point in manifest.points:
        status, record = state.point_status(Path(sweep_dir), point.index)
        summary.counts[status] += 1
        if status == state.FAILED:
            summary.failures.append((point.index, record.attempts, record.error))
            summary.retryable += state.runnable(record, manifest.max_attempts)
    return summary


def todo(sweep_dir: Path, manifest: Manifest) -> list[Point]:
    """Points to (re)run: not done, and not out of attempts. Points another process is running
    are included: their worker waits for that process and then finds them done."""
    chosen = []
    for point in manifest.points:
        status, record = state.point_status(sweep_dir, point.index)
        if status != state.DONE and (status == state.RUNNING
                                     or state.runnable(record, manifest.max_attempts)):
            chosen.append(point)
    return chosen


def reset_failures(sweep_dir: Path, manifest: Manifest) -> int:
    """Forget the attempts of failed points (``--retry-failed``); returns how many."""
    reset = 0
    for point in manifest.points:
        status, _ = state.point_status(sweep_dir, point.index)
        if status == state.FAILED:
            state.attempt_path(sweep_dir, point.index).unlink(missing_ok=True)
            reset += 1
    return reset


def drive(manifest: Manifest, points: list[Point], backend: Backend,
          progress: SweepProgress) -> None:
    """Submit ``points`` and collect results until none is in flight; failed points are
    resubmitted while they have attempts left.

    The first point of every structure group is submitted first, so that different groups
    compile side by side; a group's other points that start while its binary is being built wait
    on the engine's build lock and then reuse the binary (nothing is compiled twice, and nothing
    waits when the binary is already cached).
    """
    for point in compile_order(points):
        backend.submit(point)
    tries: Counter = Counter()
    while backend.in_flight:
        result = backend.next_result()
        tries[result.index] += 1
        _settle(result, manifest.points[result.index], tries[result.index] < manifest.max_attempts,
                backend, progress)


def compile_order(points: list[Point]) -> list[Point]:
    """The first point of each structure group, then the rest, each in index order."""
    firsts, groups = [], set()
    for point in points:
        if point.group not in groups:
            groups.add(point.group)
            firsts.append(point)
    return firsts + [p for p in points if p not in firsts]


def _settle(result: PointResult, point: Point, may_retry: bool, backend: Backend,
            progress: SweepProgress) -> None:
    if result.retry and may_retry:
        progress.retrying(result.index, result.error)
        backend.submit(point)
    elif result.status in (DONE, SKIPPED):
        progress.update(result.index, "done" if result.status == DONE else "skipped")
    else:
        progress.update(result.index, "failed", result.error)


def run_sweep(spec_path: str | Path, sweep_dir: str | Path | None = None,
              executor: str = "local", workers: int | None = None, scheduler: str | None = None,
              retry_failed: bool = False, submit: bool = False, wait: bool = False,
              quiet: bool = False) -> tuple[Path, Summary]:
    """Create or resume the sweep of ``spec_path`` in ``sweep_dir`` and run what is missing.

    ``sweep_dir`` defaults to ``results/<sweep name>``. With ``executor="slurm"`` the job array
    script is written (and with ``submit`` handed to ``sbatch``; with ``wait`` too, this returns
    when the array ended). Returns the directory and the status of its points afterwards.
    """
    if executor not in EXECUTORS:
        raise UserError(f"--executor {executor!r}: allowed: {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise UserError(f"--workers {workers}: must be at least 1")
    if scheduler and executor != "dask":
        raise UserError("--scheduler needs --executor dask")
    spec = load_sweep(spec_path)
    sweep_dir = Path(sweep_dir) if sweep_dir else Path("results") / spec.name
    manifest = prepare(spec, Path(spec_path), sweep_dir)
    if retry_failed:
        reset_failures(sweep_dir, manifest)
    points = todo(sweep_dir, manifest)
    if executor == "slurm":
        return sweep_dir, _slurm(sweep_dir, manifest, points, submit, wait, quiet)
    before = summarize(sweep_dir, manifest)
    progress = SweepProgress(len(manifest.points), before.counts[state.DONE],
                             before.counts[state.FAILED] - before.retryable, quiet)
    if points:
        _note(quiet, f"sweep {manifest.name}: {len(points)} of {len(manifest.points)} points to "
                     f"run on {executor} -> {sweep_dir}")
        backend = _backend(executor, sweep_dir, manifest, workers, scheduler)
        try:
            drive(manifest, points, backend, progress)
        finally:
            backend.close()
            progress.close()
    build_index(sweep_dir)
    return sweep_dir, summarize(sweep_dir, manifest)


def _backend(executor: str, sweep_dir: Path, manifest: Manifest, workers: int | None,
             scheduler: str | None) -> Backend:
    if executor == "dask":
        return dask_backend(manifest, sweep_dir, scheduler, workers or default_workers())
    return LocalPool(sweep_dir, manifest, workers or default_workers())


def _slurm(sweep_dir: Path, manifest: Manifest, points: list[Point], submit: bool, wait: bool,
           quiet: bool) -> Summary:
    """Write the array script and its dependent finish script; with ``submit`` hand both to
    sbatch (``wait``: return when the finish job, and so the array, ended)."""
    script = write_sbatch(sweep_dir, manifest, [p.index for p in points])
    if script is None:
        _note(quiet, f"sweep {manifest.name}: nothing to run")
    else:
        finish = write_finish_sbatch(sweep_dir, manifest)
        if submit:
            job = submit_sbatch(script)
            after = submit_sbatch(finish, wait, after=job)
            _note(quiet, f"submitted {script} as job {job}, and {finish} as job {after} to "
                         f"index and report the sweep after it" + (" (ended)" if wait else ""))
        else:
            _note(quiet, f"wrote {script} and {finish}; submit them with: job=$(sbatch "
                         f"--parsable {script}) && sbatch --dependency=afterany:$job {finish}")
    if script is None or wait:
        build_index(sweep_dir)
    return summarize(sweep_dir, manifest)


def _note(quiet: bool, text: str) -> None:
    from allonet.progress import note

    note(quiet, text)
