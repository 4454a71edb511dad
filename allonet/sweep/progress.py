"""Progress of a sweep as a whole, on stderr: a redrawn bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class SweepProgress:
    """Counts of done / failed points out of ``total``, with elapsed time and an estimate to go.

    ``done`` and ``failed`` start at what earlier runs left; the rate (and so the estimate) counts
    only points finished by this run, from the first one on (so that worker start-up and the first
    compilation do not inflate it).
    """

    WIDTH = 30  # characters of the bar

    def __init__(self, total: int, done: int = 0, failed: int = 0, quiet: bool = False,
                 stream: TextIO | None = None) -> None:
        self.total, self.done, self.failed = total, done, failed
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.first_finish: float | None = None
        self.finished_here = 0

    def update(self, index: int, status: str, note: str = "") -> None:
        """Count a point that ended as ``done``, ``failed`` or ``skipped``; redraw."""
        if status in ("done", "skipped"):
            self.done += 1
        elif status == "failed":
            self.failed += 1
        if status != "skipped":
            self.finished_here += 1
            self.first_finish = self.first_finish or time.perf_counter()
        self._draw(f"point {index} {status}" + (f": {note}" if note else ""))

    def retrying(self, index: int, note: str) -> None:
        """A point failed and goes back in the queue (not counted as failed)."""
        self._draw(f"point {index} failed, retrying: {note}")

    def line(self) -> str:
        """The status line: bar, counts, elapsed time and estimated time to go."""
        settled = self.done + self.failed
        filled = int(self.WIDTH * settled / self.total) if self.total else self.WIDTH
        now = time.perf_counter()
        elapsed, left = now - self.start, self.total - settled
        eta = ""
        if left and self.finished_here >= 2:
            eta = f", ~{_clock((now - self.first_finish) / (self.finished_here - 1) * left)} to go"
        elif left and self.finished_here:
            eta = f", ~{_clock(elapsed * left)} to go"
        return (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {settled}/{self.total} "
                f"(done {self.done}, failed {self.failed}) {_clock(elapsed)}{eta}")

    def _draw(self, event: str) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write(f"\r\033[K{self.line()}  {event[:60]}")
        else:
            self.stream.write(f"{self.line()}  {event[:200]}\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line on a terminal."""
        if self.tty and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
