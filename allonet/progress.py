"""Progress lines on stderr for long work; silent when quiet.

A progress callback takes ``(done, total, label)``: ``done`` whole units (conditions) of
``total`` when one finishes, or a fraction in between (e.g. 2.45 while the third condition is 45%
simulated, with ``label`` saying what is under way).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

Progress = Callable[[float, int, str], None]

#: seconds between partial-progress lines when stderr is not a terminal (logs, cluster jobs)
LOG_INTERVAL = 15.0


def printer(quiet: bool, what: str) -> Progress | None:
    """A callback printing ``[done/total] what label (elapsed)``: a line per finished unit;
    partial progress rewrites one line on a terminal, and is printed every ``LOG_INTERVAL``
    seconds elsewhere."""
    if quiet:
        return None
    start = time.perf_counter()
    last = [start]
    tty = sys.stderr.isatty()

    def report(done: float, total: int, label: str) -> None:
        now = time.perf_counter()
        line = f"[{int(done)}/{total}] {what} {label}  ({now - start:.1f} s)"
        if float(done).is_integer():
            print(f"\r{line}" if tty else line, file=sys.stderr, flush=True)
        elif tty:
            print(f"\r{line}\033[K", end="", file=sys.stderr, flush=True)
        elif now - last[0] >= LOG_INTERVAL:
            print(line, file=sys.stderr, flush=True)
        else:
            return
        last[0] = now

    return report


def note(quiet: bool, text: str) -> None:
    """A one-off status line on stderr."""
    if not quiet:
        print(text, file=sys.stderr, flush=True)


@contextmanager
def watch_compile(project: Path, report: Callable[[int, int], None] | None,
                  interval: float = 2.0) -> Iterator[None]:
    """While the body builds ``project``, call ``report(compiled, sources)`` every ``interval``
    seconds with the object files written since it began and the C++ sources in the project
    (an upper bound: unchanged sources are not recompiled)."""
    if report is None:
        yield
        return
    start = time.time()
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(interval):
            try:  # make renames and deletes files meanwhile
                sources = sum(1 for _ in project.rglob("*.cpp"))
                compiled = sum(1 for p in project.rglob("*.o") if p.stat().st_mtime >= start)
            except OSError:
                continue
            if compiled:
                report(compiled, sources)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
