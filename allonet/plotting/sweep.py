"""Sweep figures: dose-response curves (mean ± s.e.m. over seeds) and two-parameter heatmaps.

A sweep directory holds ``index.csv`` (and ``index.h5``): one row per point with its parameters,
``seed``, ``status`` and readout columns, and ``runs/point-XXXXX.h5`` run files. Which columns are
parameters is read, in this order, from a ``parameters`` attribute of ``index.h5`` (JSON list), the
``--set`` overrides recorded in the point run files, or else the dotted column names (sweeps use
the same dotted paths as ``--set``). Numeric columns that are neither parameters nor bookkeeping
are readouts. Values written with a unit (``"100 nM"``) are parsed to numbers with that unit.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from allonet.pharmacology import DRUGS
from allonet.plotting.style import DOUBLE_COLUMN, RC, SINGLE_COLUMN, role_color
from allonet.store import read_run, read_table_file

#: Index columns that are bookkeeping, not parameters or readouts.
BOOKKEEPING = frozenset({"seed", "status", "point", "index", "id", "run_file", "path", "file",
                         "group",
                         "error", "attempts", "retries", "wall_time_s", "wall_time", "host",
                         "structure_hash", "started_utc", "finished_utc", "created_utc",
                         "worker", "device", "git_commit"})
#: Readable names for common parameter paths.
PARAM_LABELS = {"seed": "seed", "protocol.cs_rate": "CS rate"} | {
    f"drugs.{d.default_field}": f"{d.label}, all regions" for d in DRUGS.values()
    if d.default_field}
#: Units guessed from readout names when the index does not give them.
_UNIT_HINTS = (("ratio", "ratio"), ("fraction", "0-1"), ("freezing", "0-1"),
               ("overlap", "0-1"), ("rate", "Hz"), ("_hz", "Hz"), ("tau", "s"))
#: Units shown scaled: unit -> (factor, shown unit).
DISPLAY_UNITS = {"S": (1e9, "nS"), "A": (1e12, "pA"), "F": (1e12, "pF"), "V": (1e3, "mV")}
_VALUE_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*)?$")


@dataclass
class Sweep:
    """A sweep's index, read back: columns (numbers as float arrays), their units, and which
    columns are parameters and readouts (in plotting order)."""

    path: Path
    columns: dict[str, np.ndarray]
    units: dict[str, str]
    params: list[str]
    readouts: list[str]
    run_files: list[Path] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def data_commits(self, limit: int = 20) -> list[str]:
        """Git commits recorded in (up to ``limit``) point run files, without repeats."""
        commits: list[str] = []
        for path in self.run_files[:limit]:
            try:
                commit = str(read_run(path, groups=()).attrs.get("git_commit", ""))
            except (OSError, ValueError, KeyError):
                continue
            if commit and commit not in commits:
                commits.append(commit)
        return commits

    @property
    def n_points(self) -> int:
        """Number of points used (rows whose status is done)."""
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def select(self, params: list[str] | None = None, readouts: list[str] | None = None
               ) -> Sweep:
        """This sweep with ``params`` (x first) and ``readouts`` (names or shell patterns such as
        ``freezing.*.freezing``) chosen; unmatched names raise ValueError naming what exists."""
        chosen = self
        if params:
            picked = _match(params, self.params, "parameter")
            chosen = replace(chosen, params=picked + [p for p in self.params if p not in picked])
        if readouts:
            chosen = replace(chosen, readouts=_match(readouts, self.readouts, "readout"))
        return chosen


def _match(patterns: list[str], allowed: list[str], what: str) -> list[str]:
    """Names of ``allowed`` matching each pattern, in pattern order, without repeats."""
    found: list[str] = []
    for pattern in patterns:
        hits = [a for a in allowed if fnmatch.fnmatchcase(a, pattern)]
        if not hits:
            shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
            raise ValueError(f"no {what} matches {pattern!r}; the sweep has: {shown or 'none'}")
        found += [h for h in hits if h not in found]
    return found


#: Readouts drawn by default, most telling first (shell patterns on index column names).
PREFERRED_READOUTS = ("freezing.*.freezing", "*fear_ratio*", "neuron_classes.fear*.fraction",
                      "neuron_classes.extinction*.fraction", "cs_rates.*.fear",
                      "cs_rates.*.extinction", "ensemble_overlap.*", "*")


def default_readouts(names: list[str], columns: dict[str, np.ndarray]) -> list[str]:
    """Readouts ordered by :data:`PREFERRED_READOUTS`, those that vary across points first."""
    ordered: list[str] = []
    for pattern in PREFERRED_READOUTS:
        ordered += [n for n in names if fnmatch.fnmatchcase(n, pattern) and n not in ordered]
    varies = [n for n in ordered if np.nanstd(columns[n]) > 0]
    return varies + [n for n in ordered if n not in varies]


def is_sweep_dir(path: Path) -> bool:
    """Whether ``path`` is a directory with a sweep index."""
    return path.is_dir() and ((path / "index.csv").is_file() or (path / "index.h5").is_file())


def read_sweep(path: Path) -> Sweep:
    """Read ``path/index.csv`` (rows with status done), its units and parameter columns.

    Raises ValueError when the index is missing, empty or has no parameter or readout column.
    """
    path = Path(path)
    if not (path / "index.csv").is_file():
        raise ValueError(f"{path}: no index.csv (not a sweep directory)")
    raw = _read_csv(path / "index.csv")
    if "status" in raw:
        done = np.array([s.strip().lower() in ("done", "ok", "success") for s in raw["status"]])
        raw = {k: [v for v, d in zip(col, done, strict=True) if d] for k, col in raw.items()}
    if not raw or not next(iter(raw.values())):
        raise ValueError(f"{path / 'index.csv'}: no finished points")
    columns, units = {}, {}
    for name, values in raw.items():
        columns[name], units[name] = _parse_column(values)
    h5_units, attrs = _index_h5(path / "index.h5")
    units |= {k: v for k, v in h5_units.items() if k in columns and v}
    run_files = sorted((path / "runs").glob("*.h5")) if (path / "runs").is_dir() else []
    params = _parameters(columns, attrs, run_files)
    readouts = [k for k, v in columns.items() if k not in params and k not in BOOKKEEPING
                and v.dtype.kind == "f" and np.isfinite(v).any() and "wall" not in k]
    for name in readouts:
        units[name] = units.get(name) or _guess_unit(name)
        if units[name] in DISPLAY_UNITS:
            factor, units[name] = DISPLAY_UNITS[units[name]]
            columns[name] = columns[name] * factor
    if not params or not readouts:
        raise ValueError(f"{path / 'index.csv'}: needs at least one varied parameter and one "
                         f"readout column (found parameters {params}, readouts {readouts[:5]})")
    readouts = default_readouts(readouts, columns)
    return Sweep(path, columns, units, params, readouts, run_files, attrs)


def _read_csv(path: Path) -> dict[str, list[str]]:
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        names = reader.fieldnames or []
    return {name: [row.get(name) or "" for row in rows] for name in names}


def _parse_column(values: list[str]) -> tuple[np.ndarray, str]:
    """Numbers (with one shared unit, or none) as floats; anything else as text."""
    numbers, units = [], set()
    for value in values:
        if value.strip() == "" or value.strip().lower() == "nan":
            numbers.append(np.nan)
            continue
        match = _VALUE_WITH_UNIT.match(value)
        if not match:
            return np.array(values, dtype=object), ""
        numbers.append(float(match.group(1)))
        units.add((match.group(2) or "").strip())
    if len(units) > 1:
        return np.array(values, dtype=object), ""
    return np.array(numbers, dtype=float), units.pop() if units else ""


def _index_h5(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Units of ``index.h5`` datasets (``unit`` attributes, any depth) and its root attributes."""
    if not path.is_file():
        return {}, {}
    try:
        table = read_table_file(path)
    except OSError:
        return {}, {}
    units = {name.split("/")[-1]: unit for name, unit in table.units.items()}
    return {k: ("" if v == "1" else v) for k, v in units.items()}, table.attrs


def _parameters(columns: dict[str, np.ndarray], attrs: dict[str, str],
                run_files: list[Path]) -> list[str]:
    declared = _declared(attrs)
    if not declared:
        declared = _overridden(run_files)
    if not declared:
        declared = [k for k in columns if "." in k]
    return [k for k in columns if k in declared and k != "seed"
            and len({str(v) for v in columns[k]}) > 1]


def _declared(attrs: dict[str, str]) -> list[str]:
    for key in ("parameters", "params"):
        if key in attrs:
            try:
                return [str(p) for p in json.loads(attrs[key])]
            except (json.JSONDecodeError, TypeError):
                return []
    return []


def _overridden(run_files: list[Path]) -> list[str]:
    """Dotted paths set with ``--set`` in the first readable point run files."""
    names: list[str] = []
    for path in run_files[:5]:
        try:
            overrides = read_run(path, groups=("spec",)).overrides
        except (OSError, KeyError, ValueError):
            continue
        for item in overrides:
            key = str(item).split("=", 1)[0].strip()
            if key not in names:
                names.append(key)
    return names


def _guess_unit(name: str) -> str:
    lower = name.lower()
    for hint, unit in _UNIT_HINTS:
        if hint in lower:
            return unit
    return "a.u."


#: Readable names of readout tables (first part of flattened index columns).
TABLE_LABELS = {"cs_rates": "CS rate", "baseline_rates": "baseline rate", "freezing": "freezing",
                "neuron_classes": "neurons", "ensemble_overlap": "ensemble overlap",
                "weights": "weight", "ipsc": "IPSC"}


def pretty_name(name: str) -> str:
    """``cs_rates.A.fear`` -> ``CS rate, A, fear``; parameter paths get their readable name."""
    if name in PARAM_LABELS:
        return PARAM_LABELS[name]
    parts = name.split(".")
    head = TABLE_LABELS.get(parts[0], parts[0].replace("_", " "))
    rest = [p.replace("_", " ") for p in parts[1:] if p != parts[0]]
    return ", ".join([head, *rest])


def axis_label(sweep: Sweep, name: str) -> str:
    """Label with unit: ``"ALLO, all regions (nM)"``, ``"CS rate, A, fear (Hz)"``."""
    unit = sweep.units.get(name) or ("a.u." if name in sweep.readouts else "1")
    return f"{pretty_name(name)} ({unit})"


def mean_sem(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                     np.ndarray]:
    """Per unique ``x``: (x, mean of finite y, s.e.m. over points (0 for one), count)."""
    levels = np.unique(x[np.isfinite(x)]) if x.dtype.kind == "f" else np.unique(x)
    means, sems, counts = [], [], []
    for level in levels:
        values = y[(x == level) & np.isfinite(y)]
        counts.append(values.size)
        means.append(values.mean() if values.size else np.nan)
        sems.append(values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0)
    return levels, np.array(means), np.array(sems), np.array(counts)


def _log_x(values: np.ndarray) -> bool:
    positive = values[values > 0]
    return values.dtype.kind == "f" and positive.size >= 2 and positive.max() / positive.min() \
        >= 10


def dose_response_figure(sweep: Sweep, max_panels: int = 4) -> plt.Figure:
    """Each readout (up to ``max_panels``) against the first parameter: mean ± s.e.m. over seeds,
    one line per level of the second parameter when there is one."""
    readouts = sweep.readouts[:max_panels]
    x_name = sweep.params[0]
    hue = sweep.params[1] if len(sweep.params) > 1 else None
    width = SINGLE_COLUMN if len(readouts) == 1 else DOUBLE_COLUMN
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, len(readouts), figsize=(width, 2.4), squeeze=False,
                                 layout="constrained")
        for ax, readout in zip(axes[0], readouts, strict=True):
            _dose_panel(ax, sweep, x_name, hue, readout)
        axes[0, 0].legend(loc="best", fontsize=6, title=axis_label(sweep, hue) if hue else None,
                          title_fontsize=6)
        fig.suptitle(f"{sweep.path.name}: mean ± s.e.m. over {_n_seeds(sweep)} seeds (dots: "
                     "single runs)", fontsize=8)
    return fig


def _dose_panel(ax: plt.Axes, sweep: Sweep, x_name: str, hue: str | None, readout: str) -> None:
    x_all, y_all = sweep.columns[x_name], sweep.columns[readout]
    levels = np.unique(sweep.columns[hue]) if hue else [None]
    log = _log_x(x_all)
    zero_at = x_all[x_all > 0].min() / 3 if log else 0.0
    for index, level in enumerate(levels):
        rows = sweep.columns[hue] == level if hue else np.ones(x_all.size, bool)
        x, mean, sem, _ = mean_sem(x_all[rows], y_all[rows])
        x_plot = np.where(x > 0, x, zero_at) if log else x
        label = f"{level:g} {sweep.units.get(hue, '')}".strip() if hue else "mean ± s.e.m."
        ax.errorbar(x_plot, mean, yerr=sem, marker="o", ms=3.5, lw=1, capsize=2,
                    color=role_color("", index), label=label)
        ax.scatter(_jitter(x_all[rows], x_plot, x), y_all[rows], s=5, alpha=0.35,
                   color=role_color("", index), lw=0)
    if log:
        ax.set_xscale("log")
        _level_ticks(ax, x_all, zero_at)
    ax.set_xlabel(axis_label(sweep, x_name))
    ax.set_ylabel(axis_label(sweep, readout))


def _level_ticks(ax: plt.Axes, values: np.ndarray, zero_at: float) -> None:
    """On a log axis, a tick at every level of a small grid (0 drawn at ``zero_at``)."""
    levels = np.unique(values[np.isfinite(values)])
    if levels.size > 8:
        return
    ax.set_xticks([v if v > 0 else zero_at for v in levels], [_tick(v) for v in levels])
    ax.xaxis.set_minor_locator(plt.NullLocator())


def _jitter(x_rows: np.ndarray, x_plot: np.ndarray, x_levels: np.ndarray) -> np.ndarray:
    """Each point's x drawn where its level is drawn (0 moved for log axes)."""
    lookup = dict(zip(x_levels.tolist(), x_plot.tolist(), strict=True))
    return np.array([lookup.get(v, np.nan) for v in x_rows.tolist()])


def heatmap_figure(sweep: Sweep, max_panels: int = 3) -> plt.Figure:
    """Mean over seeds of each readout (up to ``max_panels``) on the grid of the first two
    parameters, values written in the cells."""
    if len(sweep.params) < 2:
        raise ValueError("a heatmap needs two varied parameters; the sweep varies "
                         f"{', '.join(sweep.params)}")
    readouts = sweep.readouts[:max_panels]
    x_name, y_name = sweep.params[:2]
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, len(readouts), figsize=(
            SINGLE_COLUMN if len(readouts) == 1 else DOUBLE_COLUMN, 2.6), squeeze=False,
            layout="constrained")
        for ax, readout in zip(axes[0], readouts, strict=True):
            _heat_panel(fig, ax, sweep, x_name, y_name, readout)
        fig.suptitle(f"{sweep.path.name}: mean over {_n_seeds(sweep)} seeds per cell", fontsize=8)
    return fig


def _n_seeds(sweep: Sweep) -> int:
    return len(np.unique(sweep.columns["seed"])) if "seed" in sweep.columns else 1


def grid_means(sweep: Sweep, x_name: str, y_name: str, readout: str
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x levels, y levels, mean of ``readout`` over seeds per (y, x) cell; NaN where empty)."""
    xs, ys = np.unique(sweep.columns[x_name]), np.unique(sweep.columns[y_name])
    grid = np.full((ys.size, xs.size), np.nan)
    values = sweep.columns[readout]
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            cell = values[(sweep.columns[x_name] == x) & (sweep.columns[y_name] == y)]
            cell = cell[np.isfinite(cell)]
            if cell.size:
                grid[j, i] = cell.mean()
    return xs, ys, grid


def _heat_panel(fig: plt.Figure, ax: plt.Axes, sweep: Sweep, x_name: str, y_name: str,
                readout: str) -> None:
    xs, ys, grid = grid_means(sweep, x_name, y_name, readout)
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    finite = grid[np.isfinite(grid)]
    middle = (finite.min() + finite.max()) / 2 if finite.size else 0
    for (j, i), value in np.ndenumerate(grid):
        if np.isfinite(value):
            ax.text(i, j, f"{value:.3g}", ha="center", va="center", fontsize=6,
                    color="black" if value > middle else "white")
    ax.set_xticks(range(xs.size), [_tick(v) for v in xs], rotation=0)
    ax.set_yticks(range(ys.size), [_tick(v) for v in ys])
    ax.set_xlabel(axis_label(sweep, x_name))
    ax.set_ylabel(axis_label(sweep, y_name))
    ax.spines[:].set_visible(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.set_label(axis_label(sweep, readout), fontsize=7)
    bar.ax.tick_params(labelsize=6)


def _tick(value: object) -> str:
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)
