"""The study report of a sweep: per condition and readout, mean ± s.e.m. over seeds and the paired
effect against a baseline condition, as a table and a figure.

Conditions are the sweep's design points, labelled by the spec's ``summary.conditions`` (else by
their parameter values); readouts are ``index.csv`` columns named in ``summary.readouts``. A run's
condition comes from the manifest: points are design points x seeds, seeds fastest, so point
``i`` belongs to design point ``i // len(seeds)``. Only done runs count: a partial sweep gives a
partial report that says how many runs are missing.

Writes ``DIR/summary.csv`` (condition, readout, unit, mean, sem, n, diff_vs_baseline,
d_vs_baseline, n_higher; one row per condition x readout) and ``DIR/figures/summary.{png,pdf}``.
Paired effects compare each condition with the baseline on their common seeds: mean difference
(condition - baseline), Cohen's d of the differences (mean / s.d.) and in how many seeds the
condition is higher.
"""

from __future__ import annotations

import csv
import difflib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from allonet.analysis.study_summary import (
    Paired,
    Stat,
    by_condition,
    format_table,
    paired,
    read_index,
    stat,
)
from allonet.errors import SpecError, UserError
from allonet.sweep import state
from allonet.sweep.design import expand
from allonet.sweep.index import build_index, csv_text
from allonet.sweep.manifest import Manifest, load_manifest
from allonet.sweep.spec import Readout, SweepSpec, load_sweep

CSV_NAME = "summary.csv"
FIGURE_STEM = Path("figures") / "summary"


@dataclass(frozen=True)
class Cell:
    """One condition x readout: values by seed, their mean ± s.e.m., the effect vs baseline."""

    values: dict[int, float]
    stat: Stat
    effect: Paired | None  # None for the baseline itself


@dataclass(frozen=True)
class Report:
    """A sweep's study report (see the module doc)."""

    sweep_dir: Path
    name: str
    conditions: list[str]
    baseline: str
    readouts: list[Readout]
    cells: dict[tuple[str, str], Cell]  # (condition, readout name) -> cell
    runs: int  # done runs used
    missing: dict[str, int]  # runs not done, by status (failed, running, pending)

    def cell(self, condition: str, readout: Readout) -> Cell:
        """The cell of ``condition`` and ``readout``."""
        return self.cells[condition, readout.name]

    def table(self) -> dict[str, list[Any]]:
        """The ``summary.csv`` columns: one row per condition x readout."""
        columns: dict[str, list[Any]] = {k: [] for k in (
            "condition", "readout", "unit", "mean", "sem", "n", "diff_vs_baseline",
            "d_vs_baseline", "n_higher")}
        for condition in self.conditions:
            for readout in self.readouts:
                cell = self.cell(condition, readout)
                e = cell.effect
                effect = (e.difference, e.cohen_d, e.b_greater) if e else (None, None, None)
                row = (condition, readout.name, readout.unit, cell.stat.mean, cell.stat.sem,
                       cell.stat.n, *effect)
                for name, value in zip(columns, row, strict=True):
                    columns[name].append(value)
        return columns

    def text(self) -> str:
        """Header line, mean ± s.e.m. per condition (rows) and readout (columns), and Cohen's d
        of each condition against the baseline with the seeds in which it is higher."""
        heads = [_heading(r) for r in self.readouts]
        means = [[c, *[_stat_text(self.cell(c, r).stat, _decimals(self, r))
                       for r in self.readouts]] for c in self.conditions]
        effects = [[c, *[_effect_text(self.cell(c, r).effect) for r in self.readouts]]
                   for c in self.conditions if c != self.baseline]
        parts = [f"{self.name}: {self.runs_line()}", "mean ± s.e.m. over seeds",
                 format_table(["condition", *heads], means)]
        if effects:
            parts += [f"Cohen's d of paired differences vs {self.baseline}; in brackets: "
                      "seeds higher / seeds", format_table(["condition", *heads], effects)]
        return "\n".join(parts)

    def runs_line(self) -> str:
        """``summary of 7 of 8 runs (1 missing: 1 failed)``."""
        missing = sum(self.missing.values())
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.missing.items()))
        note = f" ({missing} missing: {counts})" if missing else ""
        return f"summary of {self.runs} of {self.runs + missing} runs{note}"


def build_report(sweep_dir: str | Path, spec_path: str | Path | None = None) -> Report:
    """The report of the sweep in ``sweep_dir`` from its ``index.csv`` (done rows only).

    ``spec_path`` defaults to the sweep spec the manifest records; its ``summary`` section
    says what to report. A UserError if the spec has none, no longer describes this sweep, or
    names a column ``index.csv`` does not have (the error lists close matches).
    """
    sweep_dir = Path(sweep_dir)
    manifest = load_manifest(sweep_dir)
    spec_file = Path(spec_path) if spec_path else Path(manifest.sweep_file)
    spec = _study_spec(spec_file, manifest, sweep_dir)
    csv_path = sweep_dir / "index.csv"
    if not csv_path.is_file():
        raise UserError(f"{sweep_dir}: no index.csv yet (allonet sweep index {sweep_dir})")
    header, statuses = _header_and_statuses(csv_path)
    rows = read_index(sweep_dir)
    if not rows:
        raise UserError(f"{sweep_dir}: no run is done yet; nothing to report")
    _check_columns(spec, spec_file, csv_path, header)
    conditions = spec.condition_labels
    baseline = spec.summary.baseline or conditions[0]
    n_seeds = len(spec.seed_list)

    def label(row: dict[str, str]) -> str:
        return conditions[int(row["point"]) // n_seeds]

    cells = {}
    for readout in spec.summary.readouts:
        groups = by_condition(rows, label, readout.column)
        for condition in conditions:
            values = groups.get(condition, {})
            effect = (None if condition == baseline
                      else paired(groups.get(baseline, {}), values))
            cells[condition, readout.name] = Cell(values, stat(list(values.values())), effect)
    missing = {k: n for k, n in statuses.items() if k != state.DONE}
    return Report(sweep_dir, manifest.name, conditions, baseline, list(spec.summary.readouts),
                  cells, len(rows), missing)


def write_report(report: Report) -> list[Path]:
    """Write ``summary.csv`` (atomically) and the figure; returns the paths written."""
    import matplotlib.pyplot as plt

    from allonet.plotting.style import RC, provenance, save
    from allonet.plotting.summary import Panel, draw_summary

    csv_path = report.sweep_dir / CSV_NAME
    state.write_text_atomic(csv_path, csv_text(report.table()))
    panels = [Panel(r.name, r.unit,
                    [report.cell(c, r).values for c in report.conditions],
                    [report.cell(c, r).stat for c in report.conditions])
              for r in report.readouts]
    fig = draw_summary(report.conditions, report.baseline, panels)
    info = provenance([report.sweep_dir / "index.csv"], [], f"{report.name}: study summary")
    with plt.rc_context(RC):
        figures = save(fig, report.sweep_dir / FIGURE_STEM, ("png", "pdf"), info)
    return [csv_path, *figures]


def refresh_index(sweep_dir: str | Path) -> bool:
    """Rebuild ``index.csv`` when it is missing or older than a run file; True if rebuilt."""
    sweep_dir = Path(sweep_dir)
    csv_path = sweep_dir / "index.csv"
    runs = list((sweep_dir / "runs").glob("*.h5"))
    if csv_path.is_file() and all(r.stat().st_mtime <= csv_path.stat().st_mtime for r in runs):
        return False
    build_index(sweep_dir)
    return True


def _study_spec(spec_file: Path, manifest: Manifest, sweep_dir: Path) -> SweepSpec:
    """The sweep spec with a summary section that describes the points of ``manifest``."""
    if not spec_file.is_file():
        raise UserError(f"{sweep_dir}: its sweep spec {spec_file} is gone; pass --spec SPEC")
    spec = load_sweep(spec_file)
    if spec.summary is None:
        raise UserError(f"{spec_file}: no 'summary' section (conditions, baseline, readouts) "
                        "to report; see docs/studies.md")
    expected = _plain([(params, seed) for params, seed in expand(spec)])
    if expected != _plain([(p.params, p.seed) for p in manifest.points]):
        raise UserError(f"{spec_file}: its points differ from the sweep in {sweep_dir}; pass "
                        "--spec with the spec the sweep was run with")
    return spec


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def _header_and_statuses(csv_path: Path) -> tuple[list[str], Counter]:
    """The columns of ``index.csv`` and how many of its rows are in each status."""
    with open(csv_path, newline="") as handle:
        reader = csv.DictReader(handle)
        statuses = Counter(row.get("status", "") for row in reader)
    return list(reader.fieldnames or []), statuses


def _check_columns(spec: SweepSpec, spec_file: Path, csv_path: Path, header: list[str]) -> None:
    for k, readout in enumerate(spec.summary.readouts):
        if readout.column in header:
            continue
        close = difflib.get_close_matches(readout.column, header, n=3, cutoff=0.6)
        hint = f"close matches: {', '.join(close)}" if close else "see its header for the columns"
        raise SpecError(str(spec_file), f"summary.readouts.{k}.column", readout.column,
                        f"not a column of {csv_path}; {hint} (then: allonet sweep report "
                        f"{csv_path.parent})")


def _heading(readout: Readout) -> str:
    return f"{readout.name} ({readout.unit})" if readout.unit not in ("", "1") else readout.name


def _decimals(report: Report, readout: Readout) -> int:
    """Decimals that show a readout's differences: fewer for large values, more for tiny ones."""
    means = [abs(report.cell(c, readout).stat.mean) for c in report.conditions]
    largest = max((m for m in means if np.isfinite(m)), default=0.0)
    if largest >= 10:
        return 0 if largest >= 100 else 1
    return 2 if largest >= 0.1 or not largest else 3


def _stat_text(s: Stat, decimals: int) -> str:
    if s.n == 0:
        return "-"
    if s.n == 1:
        return f"{s.mean:.{decimals}f} (n 1)"
    return s.text(decimals)


def _effect_text(effect: Paired | None) -> str:
    if effect is None or effect.n == 0:
        return "-"
    d = f"{round(effect.cohen_d, 2) + 0.0:+.2f}" if np.isfinite(effect.cohen_d) else "n/a"
    return f"{d} ({effect.b_greater}/{effect.n})"
