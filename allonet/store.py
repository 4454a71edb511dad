"""The HDF5 run file: schema, atomic writing, reading back as plain Python objects.

Layout (every dataset has a ``unit`` attribute; "1" means dimensionless):

    /                       attrs: format, experiment, seed, device, git_commit, created_utc,
                            wall_time_s, versions (JSON), build (JSON)
    /spec/experiment        JSON text of the fully resolved experiment spec (defaults explicit)
    /spec/network           JSON text of the fully resolved network spec
    /spec/overrides         JSON list of the --set overrides applied
    /conditions/<column>    table: one row per condition (e.g. concentration) of the run
    /allo/<region>/...      concentration actually used (nM) on the simulation and biological clocks
    /spikes/<population>/   SONATA: timestamps (s), node_ids, plus condition (row of /conditions)
    /traces/<population>/   sampled state variables, (condition, neuron, time) with t (s)
    /readouts/<name>/<col>  analysis tables computed from this file

The file is written to a temporary name beside the target and renamed into place, so a reader never
sees a half-written run; a file left by a killed writer is removed by the next write.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from allonet.errors import OutputExistsError

FORMAT = "allonet-run/1"
_TMP_MARK = ".allonet-tmp-"


@dataclass
class Column:
    """An array with its unit (``"1"`` for dimensionless, ``"str"`` for text)."""

    data: np.ndarray
    unit: str


@dataclass
class RunData:
    """Everything that goes into one run file. Keys of ``datasets`` are HDF5 paths."""

    attrs: dict[str, Any]
    spec: dict[str, Any]
    overrides: list[str] = field(default_factory=list)
    datasets: dict[str, Column] = field(default_factory=dict)


@dataclass
class RunFile:
    """A run file read back: attributes, specs, and every dataset as arrays with units."""

    path: Path
    attrs: dict[str, Any]
    spec: dict[str, Any]
    overrides: list[str]
    data: dict[str, np.ndarray]
    units: dict[str, str]

    def table(self, group: str) -> dict[str, np.ndarray]:
        """Columns of the table stored under ``group`` (e.g. ``"readouts/ipsc"``)."""
        prefix = group.strip("/") + "/"
        return {k[len(prefix):]: v for k, v in self.data.items()
                if k.startswith(prefix) and "/" not in k[len(prefix):]}


def check_writable(path: Path, overwrite: bool) -> None:
    """Raise OutputExistsError when ``path`` exists and ``overwrite`` is false."""
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))


def write_run(path: str | Path, run: RunData, overwrite: bool = False) -> Path:
    """Write ``run`` atomically to ``path``; refuses to replace a file unless ``overwrite``."""
    path = Path(path)
    check_writable(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = path.with_name(f"{_TMP_MARK}{path.name}.{os.getpid()}")
    try:
        with h5py.File(tmp, "w") as h5:
            _write_contents(h5, run)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete temporaries of ``path`` whose writing process no longer exists."""
    removed = []
    for tmp in path.parent.glob(f"{_TMP_MARK}{path.name}.*"):
        pid = tmp.name.rsplit(".", 1)[-1]
        if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_contents(h5: h5py.File, run: RunData) -> None:
    h5.attrs["format"] = FORMAT
    for key, value in run.attrs.items():
        h5.attrs[key] = json.dumps(value) if isinstance(value, dict | list) else value
    for name, value in run.spec.items():
        h5.create_dataset(f"spec/{name}", data=json.dumps(value, indent=1))
    h5.create_dataset("spec/overrides", data=json.dumps(run.overrides))
    for key, column in run.datasets.items():
        data = np.asarray(column.data)
        if data.dtype.kind in "UO":
            data = np.asarray(data, dtype=object).astype(h5py.string_dtype())
            dataset = h5.create_dataset(key, data=data)
        elif data.size > 4096:
            dataset = h5.create_dataset(key, data=data, compression="gzip", compression_opts=4,
                                        shuffle=True, chunks=True)
        else:
            dataset = h5.create_dataset(key, data=data)
        dataset.attrs["unit"] = column.unit


def read_run(path: str | Path) -> RunFile:
    """Read a run file into plain Python objects (numpy arrays, dicts, strings)."""
    path = Path(path)
    data: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    with h5py.File(path, "r") as h5:
        if h5.attrs.get("format") != FORMAT:
            raise ValueError(f"{path}: not an allonet run file (format {h5.attrs.get('format')!r})")
        attrs = {k: _decode_attr(v) for k, v in h5.attrs.items()}
        spec = {k: json.loads(h5[f"spec/{k}"][()]) for k in h5["spec"] if k != "overrides"}
        overrides = json.loads(h5["spec/overrides"][()])

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset) and not name.startswith("spec/"):
                value = obj[()]
                if obj.dtype.kind == "O":
                    value = obj.asstr()[()]
                data[name] = np.asarray(value)
                units[name] = obj.attrs.get("unit", "")

        h5.visititems(visit)
    return RunFile(path, attrs, spec, overrides, data, units)


def _decode_attr(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    if isinstance(value, np.generic):
        return value.item()
    return value
