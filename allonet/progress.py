"""Progress lines on stderr for long work; silent when quiet."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def printer(quiet: bool, what: str) -> Callable[[int, int, str], None] | None:
    """A callback ``(done, total, label)`` printing ``[done/total] what label (elapsed)``."""
    if quiet:
        return None
    start = time.perf_counter()

    def report(done: int, total: int, label: str) -> None:
        elapsed = time.perf_counter() - start
        print(f"[{done}/{total}] {what} {label}  ({elapsed:.1f} s)", file=sys.stderr, flush=True)

    return report


def note(quiet: bool, text: str) -> None:
    """A one-off status line on stderr."""
    if not quiet:
        print(text, file=sys.stderr, flush=True)
