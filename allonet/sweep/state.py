"""The sweep directory on disk: where each file lives, and what state each point is in.

::

    DIR/manifest.json              the points (written once, atomically)
    DIR/runs/point-00000.h5        one run file per point (written atomically by the runner)
    DIR/attempts/point-00000.json  attempt count, state, last error of a point (atomic)
    DIR/locks/point-00000.lock     held (flock) while a process works on a point
    DIR/events.jsonl               append-only log: start / done / failed / skipped per attempt
    DIR/index.h5, DIR/index.csv    one row per point (``allonet sweep index``)

A point is *done* when its run file exists and opens as an allonet run file; *running* while a
process holds its lock; *failed* when its last attempt failed (or its process died); else *pending*.
Locks are ``flock`` locks, so the kernel releases them when a process dies, however it dies.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from allonet.store import is_run_file

MANIFEST = "manifest.json"
EVENTS = "events.jsonl"

#: How a point stands (the values of :func:`point_status`).
DONE, FAILED, RUNNING, PENDING = "done", "failed", "running", "pending"


def point_name(index: int) -> str:
    """``point-00042``: file stem of point ``index``."""
    return f"point-{index:05d}"


def run_path(sweep_dir: Path, index: int) -> Path:
    return Path(sweep_dir) / "runs" / f"{point_name(index)}.h5"


def attempt_path(sweep_dir: Path, index: int) -> Path:
    return Path(sweep_dir) / "attempts" / f"{point_name(index)}.json"


def lock_path(sweep_dir: Path, index: int) -> Path:
    return Path(sweep_dir) / "locks" / f"{point_name(index)}.lock"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to a temporary name beside ``path``, then rename it into place."""
    write_text_atomic(path, json.dumps(data, indent=1))


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary name beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def is_done(path: Path) -> bool:
    """True when ``path`` is a complete allonet run file (:func:`allonet.store.is_run_file`:
    cheaper than reading it, which would also load every spike)."""
    return is_run_file(path)


@dataclass
class Attempts:
    """A point's attempt record (``attempts/point-XXXXX.json``)."""

    point: int
    attempts: int = 0  # attempts started so far
    state: str = PENDING  # running | failed | done
    error: str = ""  # last error, one line: "Type: message"
    permanent: bool = False  # a user error (bad spec or value): retrying cannot help
    traceback: str = ""  # tail of the last traceback
    host: str = ""
    pid: int = 0
    started_utc: str = ""
    wall_time_s: float = 0.0  # of the last attempt (s)
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier errors

    def save(self, sweep_dir: Path) -> None:
        write_json_atomic(attempt_path(sweep_dir, self.point), asdict(self))


def read_attempts(sweep_dir: Path, index: int) -> Attempts:
    """The point's attempt record (an empty one if it was never attempted)."""
    path = attempt_path(sweep_dir, index)
    if not path.is_file():
        return Attempts(index)
    data = json.loads(path.read_text())
    return Attempts(**{k: v for k, v in data.items() if k in Attempts.__dataclass_fields__})


def point_lock(sweep_dir: Path, index: int) -> FileLock:
    """The point's inter-process lock (flock; released by the kernel if the holder dies)."""
    path = lock_path(sweep_dir, index)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path), thread_local=False)


def is_locked(sweep_dir: Path, index: int) -> bool:
    """Whether some process holds the point's lock right now."""
    if not lock_path(sweep_dir, index).exists():
        return False
    lock = point_lock(sweep_dir, index)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def point_status(sweep_dir: Path, index: int) -> tuple[str, Attempts]:
    """``(status, attempts)`` of one point; a record left 'running' by a dead process is a failure.

    A failed point that has attempts left is reported as failed too; :func:`runnable` says
    whether it will be retried.
    """
    record = read_attempts(sweep_dir, index)
    if is_done(run_path(sweep_dir, index)):
        return DONE, record
    if record.state == RUNNING:
        if is_locked(sweep_dir, index):
            return RUNNING, record
        record.state = FAILED
        record.error = record.error or (f"process {record.pid} on {record.host} died during "
                                        f"attempt {record.attempts}")
        return FAILED, record
    if record.state == FAILED:
        return FAILED, record
    return PENDING, record


def runnable(record: Attempts, max_attempts: int) -> bool:
    """Whether a not-done point may be attempted again."""
    return not record.permanent and record.attempts < max_attempts


def log_event(sweep_dir: Path, event: str, index: int, **extra: Any) -> None:
    """Append one JSON line to ``events.jsonl`` (one ``write`` on an O_APPEND file: lines from
    concurrent processes do not interleave)."""
    line = json.dumps({"t": time.time(), "event": event, "point": index, "pid": os.getpid(),
                       "host": socket.gethostname(), **extra}) + "\n"
    fd = os.open(Path(sweep_dir) / EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def read_events(sweep_dir: Path) -> list[dict[str, Any]]:
    """Every event logged in the sweep directory (lines that do not parse are skipped)."""
    path = Path(sweep_dir) / EVENTS
    if not path.is_file():
        return []
    events = []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return events
