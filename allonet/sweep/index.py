"""The sweep index: one row per point with its parameters, seed, status, wall time and readouts.

Written as ``DIR/index.h5`` (one dataset per column under ``/index``, each with a ``unit``
attribute; root attributes ``columns`` (order) and ``parameters`` (the varied paths), JSON lists)
and ``DIR/index.csv`` (same columns, empty cells for missing values), both atomically. Parameters
are written as given (``"100 nM"``) in the CSV; in ``index.h5`` a parameter whose values share one
unit is stored as numbers with that unit.

Readout tables of a run file (``/readouts/<table>/<column>``) are flattened into scalar columns:
rows are grouped by the table's text columns (the fewest that identify a row: ``context`` is left
out of ``cs_rates`` because ``phase`` fixes it, a column with one value is left out) and by numeric
columns that are condition axes (named like a ``/conditions`` column of the run, e.g. ``allo_nM``
of the IPSC table, or repeating the same few values in every group); each other numeric column is
averaged over the rows of a group (trials, samples). ``cs_rates`` becomes
``cs_rates.<phase>.<group>`` (Hz), ``readouts/ipsc`` becomes ``ipsc.<profile>.<allo_nM>.<column>``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from allonet import provenance
from allonet.store import Column, read_run, read_table_file, write_table_file
from allonet.sweep import state
from allonet.sweep.manifest import Manifest, Point, load_manifest
from allonet.units import split_quantity

FORMAT = "allonet-sweep-index/1"
#: Numeric readout columns that index repeated rows rather than measure anything: averaged over.
AVERAGED_OVER = {"trial", "time", "t"}
#: Readout key columns tried first (allonet's readout tables use these names).
PREFERRED_KEYS = ("phase", "group", "profile", "class", "pair", "population")
_MAX_DESIGN_VALUES = 32  # a numeric column with more distinct values is never a key

Cell = tuple[Any, str]  # (value, unit)


def build_index(sweep_dir: str | Path) -> tuple[Path, Path]:
    """Rebuild ``index.h5`` and ``index.csv`` from the manifest and the run files on disk."""
    sweep_dir = Path(sweep_dir)
    manifest = load_manifest(sweep_dir)
    rows = [index_row(sweep_dir, manifest, point) for point in manifest.points]
    columns = list(dict.fromkeys(name for row in rows for name in row))
    units = {name: unit for row in rows for name, (_, unit) in row.items()}
    table = {name: [row.get(name, (None, ""))[0] for row in rows] for name in columns}
    h5_path, csv_path = sweep_dir / "index.h5", sweep_dir / "index.csv"
    _write_h5(h5_path, manifest, table, units)
    state.write_text_atomic(csv_path, csv_text(table))
    return h5_path, csv_path


def read_index(path: str | Path) -> dict[str, np.ndarray]:
    """The index table of ``index.h5``: column name -> array, in column order."""
    table = read_table_file(Path(path))
    return {name: table.data[f"index/{name}"] for name in json.loads(table.attrs["columns"])}


def index_row(sweep_dir: Path, manifest: Manifest, point: Point) -> dict[str, Cell]:
    """One point's row: bookkeeping, parameters (as written and as numbers), run readouts."""
    status, record = state.point_status(sweep_dir, point.index)
    row: dict[str, Cell] = {
        "point": (point.index, "1"), "status": (status, "str"), "attempts": (record.attempts, "1"),
        "seed": (point.seed, "1"), "group": (point.group, "str"),
        "run_file": (point.run_file, "str"),
        "error": ("" if status == state.DONE else record.error, "str"),
        "wall_time_s": (record.wall_time_s or None, "s"),
    }
    for path in manifest.parameters:
        row |= _parameter_cells(path, point.params.get(path))
    if status == state.DONE:
        row |= _run_cells(sweep_dir / point.run_file)
    return row


def _parameter_cells(path: str, value: Any) -> dict[str, Cell]:
    """A parameter as written (``"100 nM"``; lists and mappings as JSON)."""
    if value is None or isinstance(value, bool | int | float | str):
        return {path: (value, "str" if isinstance(value, str) else "1")}
    return {path: (json.dumps(value), "str")}


def _run_cells(run_file: Path) -> dict[str, Cell]:
    run = read_run(run_file, groups=("readouts", "conditions"))
    cells: dict[str, Cell] = {}
    seed = run.attrs.get("seed")
    cells["seed"] = (int(seed), "1") if seed is not None else (None, "1")
    cells["wall_time_s"] = (float(run.attrs.get("wall_time_s", math.nan)), "s")
    conditions = set(run.table("conditions"))
    tables = dict.fromkeys(k.split("/")[1] for k in run.data
                           if k.startswith("readouts/") and k.count("/") >= 2)
    for name in tables:
        columns = {k: v for k, v in run.table(f"readouts/{name}").items() if v.ndim == 1}
        units = {k: str(run.units[f"readouts/{name}/{k}"]) for k in columns}
        cells |= flatten_table(name, columns, units, conditions=conditions)
    return cells


def flatten_table(name: str, columns: dict[str, np.ndarray],
                  units: dict[str, str] | None = None,
                  conditions: set[str] | frozenset[str] = frozenset()) -> dict[str, Cell]:
    """A readout table as scalar cells ``<name>.<key values>[.<column>]`` (see module doc).

    ``conditions`` names the run's ``/conditions`` columns: a numeric readout column of the same
    name (e.g. ``allo_nM``) is a condition axis, kept as a key.
    """
    units = units or {}
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1 or 0 in lengths:
        return {}
    text = [k for k, v in columns.items() if v.dtype.kind in "USO"]
    numeric = [k for k, v in columns.items() if v.dtype.kind in "iufb" and k not in AVERAGED_OVER]
    keys = _minimal_keys(columns, text)
    keys += [k for k in numeric if k in conditions or _is_design_column(columns, keys, k)]
    values = [k for k in numeric if k not in keys]
    cells: dict[str, Cell] = {}
    for key_values, rows in _groups(columns, keys).items():
        for column in values:
            parts = [name, *key_values] + ([column] if len(values) > 1 or not keys else [])
            label = ".".join(parts).replace("/", "_")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN
                cells[label] = (float(np.nanmean(columns[column][rows].astype(float))),
                                units.get(column, ""))
    return cells


def _key_text(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


def _groups(columns: dict[str, np.ndarray], keys: list[str]) -> dict[tuple[str, ...], np.ndarray]:
    """Row indices per combination of key values, in first-seen order."""
    out: dict[tuple[str, ...], list[int]] = {}
    n = len(next(iter(columns.values())))
    for row in range(n):
        out.setdefault(tuple(_key_text(columns[k][row]) for k in keys), []).append(row)
    return {k: np.array(v) for k, v in out.items()}


def _minimal_keys(columns: dict[str, np.ndarray], candidates: list[str]) -> list[str]:
    """The fewest candidates that group the rows as all of them do (``context`` is left out when
    ``phase`` determines it), in the order of :data:`PREFERRED_KEYS` (``phase`` before ``group``),
    then fewest distinct values first. Among equally small sets, preferred names win (``phase``
    over a ``context`` that matches it one to one)."""
    def rank(key: str) -> tuple[int, int, str]:
        preferred = PREFERRED_KEYS.index(key) if key in PREFERRED_KEYS else len(PREFERRED_KEYS)
        return preferred, len(set(columns[key])), key

    candidates = sorted(candidates, key=rank)
    wanted = len(_groups(columns, candidates))
    for size in range(len(candidates) + 1):
        for combo in itertools.combinations(candidates, size):
            if len(_groups(columns, list(combo))) == wanted:
                return list(combo)
    return candidates


def _is_design_column(columns: dict[str, np.ndarray], keys: list[str], column: str) -> bool:
    """A numeric column taking the same few distinct values in every group (a condition axis)."""
    if not keys:
        return False
    groups = list(_groups(columns, keys).values())
    sets = [tuple(sorted(columns[column][rows])) for rows in groups]
    first = sets[0]
    return (len(groups) > 1 and 1 < len(first) <= _MAX_DESIGN_VALUES
            and len(set(first)) == len(first) and all(s == first for s in sets))


def _column_array(values: list[Any]) -> np.ndarray:
    """Numbers (None -> NaN) as float64 or int64; anything else as text (None -> "")."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, bool | int | float | np.number) for v in present):
        if present and all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                           for v in present) and len(present) == len(values):
            return np.array(values, dtype=np.int64)
        return np.array([math.nan if v is None else float(v) for v in values])
    return np.array(["" if v is None else str(v) for v in values], dtype=object)


def _as_numbers(values: list[Any], unit: str) -> tuple[list[Any], str]:
    """Parameter values written with one shared unit (``"100 nM"``) as numbers in that unit."""
    parsed = [split_quantity(v) if isinstance(v, str) else None for v in values]
    units = {p[1] for p in parsed if p}
    if all(p is not None for p in parsed) and len(units) == 1:
        return [p[0] for p in parsed], units.pop() or "1"
    return values, unit


def _write_h5(path: Path, manifest: Manifest, table: dict[str, list[Any]],
              units: dict[str, str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    attrs = {"format": FORMAT, "sweep": manifest.name, "experiment": manifest.experiment,
             "created_utc": provenance.now_utc(), "columns": json.dumps(list(table)),
             "parameters": json.dumps(manifest.parameters)}
    datasets = {}
    for name, values in table.items():
        unit = units.get(name, "")
        if name in manifest.parameters:
            values, unit = _as_numbers(values, unit)
        datasets[f"index/{name}"] = Column(_column_array(values), unit)
    write_table_file(path, tmp, attrs, datasets)


def csv_text(table: dict[str, list[Any]]) -> str:
    """Columns (name -> values, equal lengths) as CSV: empty cells for None and NaN."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(table))
    n = len(next(iter(table.values()), []))
    for row in range(n):
        writer.writerow([_csv_cell(table[name][row]) for name in table])
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)
