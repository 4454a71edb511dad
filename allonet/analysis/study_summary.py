"""Summaries of a study sweep: per-condition mean ± s.e.m. over seeds and paired effect sizes.

Reads a sweep directory's ``index.csv`` (one row per point: parameters, ``seed``, flattened
readouts such as ``stress_response.all.peak_excess_hz``); nothing is simulated again.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def read_index(sweep_dir: str | Path) -> list[dict[str, str]]:
    """Rows of ``sweep_dir/index.csv`` whose point is done."""
    with open(Path(sweep_dir) / "index.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("status", "done") == "done"]


def by_condition(rows: list[dict[str, str]], label: Callable[[dict[str, str]], str],
                 column: str) -> dict[str, dict[int, float]]:
    """``{condition: {seed: value}}`` of ``column`` (conditions in order of first appearance)."""
    out: dict[str, dict[int, float]] = {}
    for row in rows:
        value = row.get(column, "")
        out.setdefault(label(row), {})[int(row["seed"])] = float(value) if value else np.nan
    return out


@dataclass(frozen=True)
class Stat:
    """Mean, s.e.m. and count of one condition's values."""

    mean: float
    sem: float
    n: int

    def text(self, digits: int = 2) -> str:
        """``mean ± sem`` with ``digits`` decimals."""
        return f"{self.mean:.{digits}f} ± {self.sem:.{digits}f}"


def stat(values: Sequence[float]) -> Stat:
    """Mean ± s.e.m. (ddof 1) of the finite ``values``."""
    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if len(v) == 0:
        return Stat(np.nan, np.nan, 0)
    sem = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else np.nan
    return Stat(float(v.mean()), sem, len(v))


@dataclass(frozen=True)
class Paired:
    """A paired comparison over seeds: mean difference (b - a), Cohen's d of the differences
    (mean / s.d.), and in how many seeds b exceeds a."""

    difference: float
    cohen_d: float
    b_greater: int
    n: int


def paired(a: dict[int, float], b: dict[int, float]) -> Paired:
    """Compare conditions ``a`` and ``b`` on their common seeds."""
    seeds = sorted(set(a) & set(b))
    diff = np.array([b[s] - a[s] for s in seeds], dtype=float)
    diff = diff[np.isfinite(diff)]
    if len(diff) < 2:
        return Paired(np.nan, np.nan, int(np.count_nonzero(diff > 0)), len(diff))
    sd = diff.std(ddof=1)
    # no spread (beyond rounding, e.g. a concentration set by the spec): d undefined
    spread = sd > 1e-9 * np.abs(diff).max()
    d = float(diff.mean() / sd) if spread else float("nan")
    return Paired(float(diff.mean()), d, int(np.count_nonzero(diff > 0)), len(diff))


def write_table(path: str | Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write a CSV table."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns."""
    text = [[str(h) for h in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[k]) for r in text) for k in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in text]
    lines.insert(1, "-" * max(map(len, lines)))
    return "\n".join(lines)


def main(description: str, summarize: Callable[[Path], tuple[list[str], list[list[object]]]],
         figure: Callable[[Path], list[Path]], table_name: str) -> None:
    """Command line of a study summary script: ``SWEEP_DIR``; prints the table from
    ``summarize``, writes it to ``SWEEP_DIR/<table_name>`` and draws ``figure``.

    ``table_name`` is not ``summary.csv``: that is the sweep's own study report
    (:mod:`allonet.sweep.report`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("sweep_dir", type=Path)
    args = parser.parse_args()
    header, table = summarize(args.sweep_dir)
    print(format_table(header, table))
    write_table(args.sweep_dir / table_name, header, table)
    for path in figure(args.sweep_dir):
        print(f"figure: {path}")
