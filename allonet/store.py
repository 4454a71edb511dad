"""allonet's HDF5 files: the run file (schema, atomic writing, reading back as plain Python
objects) and the table file a sweep index is. The only module that opens them.

Layout (every dataset has a ``unit`` attribute; "1" means dimensionless):

    /                       attrs: format, experiment, seed, device, git_commit, created_utc,
                            wall_time_s, versions (JSON), build (JSON); SONATA magic, version
    /spec/experiment        JSON text of the fully resolved experiment spec (defaults explicit)
    /spec/network           JSON text of the fully resolved network spec
    /spec/overrides         JSON list of the --set overrides applied
    /conditions/<column>    table: one row per condition (e.g. concentration) of the run
    /allo/<region>/...      concentration actually used (nM) on the simulation and biological clocks
    /spikes/<population>/   SONATA (allonet.sonata): attr sorting; timestamps (s, attr units "s"),
                            node_ids, plus condition (row of /conditions) where a run has several
    /traces/<population>/   sampled state variables, (condition, neuron, time) with t (s)
    /readouts/<name>/<col>  analysis tables computed from this file

The file is written to a temporary name beside the target (naming the writer's process and host),
flushed to disk and renamed into place, so a reader never sees a half-written run; a file left by
a killed writer is removed by the next write.

A *table file* (:func:`write_table_file`, e.g. a sweep's ``index.h5``) holds text attributes on
its root and datasets with ``unit`` attributes, written atomically the same way.
"""

from __future__ import annotations

import copy
import errno
import json
import os
import socket
import tempfile
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from allonet.errors import OutputExistsError, UserError
from allonet.sonata import add_spike_attributes, spike_file_attributes

# h5py (30 ms) is imported where a file is read or written: a run imports it while its binary
# runs (runner.simulate).
if TYPE_CHECKING:
    import h5py

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
    """A run file read back: attributes, specs, and every dataset as arrays with units
    (``path`` is None for a run held in memory, see :class:`allonet.api.Run`)."""

    path: Path | None
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
    """Raise a UserError, before any work, when ``path`` cannot be written: it is a directory,
    it exists and ``overwrite`` is false (OutputExistsError), or its folder cannot be written
    (tried with a nameless temporary file in the nearest folder that exists)."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a directory; give a file name, e.g. {path / 'run.h5'}")
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise UserError(f"{path}: cannot create its folder, {folder} is a file; choose another "
                        f"output path")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UserError(f"{path}: cannot write in {folder} ({error.strerror or error}); choose "
                        f"another output path") from None


def write_run(path: str | Path, run: RunData, overwrite: bool = False) -> Path:
    """Write ``run`` atomically to ``path``; refuses to replace a file unless ``overwrite``."""
    path = Path(path)
    check_writable(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = path.with_name(f"{_TMP_MARK}{path.name}.{os.getpid()}@{_host()}")
    _write_atomic(path, tmp, lambda h5: _write_contents(h5, run))
    return path


def _host() -> str:
    """This machine's name as temporaries carry it (a shared folder sees several hosts)."""
    return socket.gethostname().replace("/", "_").replace("@", "_") or "localhost"


def _write_atomic(path: Path, tmp: Path, fill: Callable[[h5py.File], None]) -> None:
    """Write a new HDF5 file at ``tmp`` with ``fill``, flush it to disk, then rename it to
    ``path`` (and flush the folder), so that a crash of the machine leaves the old file or the
    whole new one. A failed write (a full disk, a vanished folder) removes the temporary,
    leaves whatever was at ``path`` untouched and raises a one-line UserError."""
    import h5py

    try:
        with h5py.File(tmp, "w") as h5:
            fill(h5)
        _fsync(tmp)
        os.replace(tmp, path)
        _fsync(path.parent)
    except OSError as error:
        reason = error.strerror or str(error).splitlines()[0]
        hint = ("free some disk space or write elsewhere" if error.errno == errno.ENOSPC
                or "No space left" in str(error) else "check the folder or write elsewhere")
        raise UserError(f"{path}: writing failed ({reason}); {hint}; an earlier file at this "
                        f"path, if any, is unchanged") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file or a folder) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        # some file systems (and folders on some) cannot be synced; the rename still holds
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


#: Age (s) after which a temporary of another host counts as abandoned: its writer's
#: process cannot be asked from here, and a run file is written in seconds.
FOREIGN_TMP_AGE_S = 24 * 3600


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete temporaries of ``path`` left by writers that no longer run: a process of this
    host that has ended, or a temporary of another host older than
    :data:`FOREIGN_TMP_AGE_S`."""
    removed, prefix = [], f"{_TMP_MARK}{path.name}."
    for tmp in path.parent.glob(f"{prefix}*"):
        if not _abandoned(tmp.name[len(prefix):], tmp):
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _abandoned(writer: str, tmp: Path) -> bool:
    """Whether the writer ``<pid>@<host>`` (or a bare pid, as older versions named it) of
    ``tmp`` is gone."""
    pid, _, host = writer.partition("@")
    if host and host != _host():
        try:
            return time.time() - tmp.stat().st_mtime > FOREIGN_TMP_AGE_S
        except OSError:
            return False
    return not (pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _attribute(value: Any) -> Any:
    """A run attribute as the file stores it (dicts and lists as JSON text)."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def _write_contents(h5: h5py.File, run: RunData) -> None:
    import h5py

    h5.attrs["format"] = FORMAT
    for key, value in run.attrs.items():
        h5.attrs[key] = _attribute(value)
    for name, value in run.spec.items():
        h5.create_dataset(f"spec/{name}", data=json.dumps(value, indent=1))
    h5.create_dataset("spec/overrides", data=json.dumps(run.overrides))
    for key, column in run.datasets.items():
        data = np.asarray(column.data)
        if data.dtype.kind in "UO":
            data = np.asarray(data, dtype=object).astype(h5py.string_dtype())
            dataset = h5.create_dataset(key, data=data)
        elif data.size > 4096 and not key.startswith("spikes/"):
            # spikes stay uncompressed: a SONATA reader built without HDF5's deflate filter
            # (libsonata 0.2.2's PyPI wheel) cannot read a gzip dataset at all
            dataset = h5.create_dataset(key, data=data, compression="gzip", compression_opts=4,
                                        shuffle=True, chunks=True)
        else:
            dataset = h5.create_dataset(key, data=data)
        dataset.attrs["unit"] = column.unit
    add_spike_attributes(h5)


def is_run_file(path: Path) -> bool:
    """True when ``path`` is a complete allonet run file: it opens, has the format mark and the
    stored spec (files are renamed into place only once written, so that is enough; nothing
    else is read)."""
    import h5py

    if not path.is_file():
        return False
    try:
        with h5py.File(path, "r") as h5:
            return h5.attrs.get("format") == FORMAT and "spec/experiment" in h5
    except (OSError, ValueError, KeyError):
        return False


def read_run(path: str | Path, groups: Collection[str] | None = None) -> RunFile:
    """Read a run file into plain Python objects (numpy arrays, dicts, strings).

    ``groups`` limits what is read besides the attributes to the named top-level groups (e.g.
    ``("readouts", "conditions")``; ``("spec",)`` for the specs and overrides, ``()`` for the
    attributes only); None reads everything.
    """
    import h5py

    path = Path(path)
    data: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    spec: dict[str, Any] = {}
    overrides: list[str] = []
    with h5py.File(path, "r") as h5:
        if h5.attrs.get("format") != FORMAT:
            raise ValueError(f"{path}: not an allonet run file (format {h5.attrs.get('format')!r})")
        attrs = {k: _decode_attr(v) for k, v in h5.attrs.items()}
        if groups is None or "spec" in groups:
            spec = {k: json.loads(h5[f"spec/{k}"][()]) for k in h5["spec"] if k != "overrides"}
            overrides = json.loads(h5["spec/overrides"][()])

        def visit(name: str, obj: Any) -> None:
            top = name.split("/", 1)[0]
            if (isinstance(obj, h5py.Dataset) and top != "spec"
                    and (groups is None or top in groups)):
                data[name] = _dataset_value(obj)
                units[name] = obj.attrs.get("unit", "")

        h5.visititems(visit)
    return RunFile(path, attrs, spec, overrides, data, units)


def run_file(run: RunData, path: Path | None = None) -> RunFile:
    """What :func:`read_run` gives for the file :func:`write_run` makes of ``run``, without
    reading it (``path``: the file's, if written; text columns stay numpy text arrays)."""
    attrs = {"format": FORMAT}
    for key, value in [*run.attrs.items(), *spike_file_attributes().items()]:
        attrs[key] = _decode_attr(_attribute(value))
    return RunFile(path, attrs, copy.deepcopy(run.spec), list(run.overrides),
                   {key: np.asarray(column.data) for key, column in run.datasets.items()},
                   {key: column.unit for key, column in run.datasets.items()})


def _dataset_value(dataset: h5py.Dataset) -> np.ndarray:
    """A dataset's values, text decoded to ``str``."""
    return np.asarray(dataset.asstr()[()] if dataset.dtype.kind == "O" else dataset[()])


@dataclass
class TableFile:
    """A table file read back: root attributes as text, datasets by HDF5 path, and the unit of
    each dataset that has a ``unit`` attribute."""

    attrs: dict[str, str]
    data: dict[str, np.ndarray]
    units: dict[str, str]


def write_table_file(path: Path, tmp: Path, attrs: dict[str, str],
                     datasets: dict[str, Column]) -> None:
    """Write ``datasets`` (text columns as HDF5 strings) with root ``attrs`` to ``path``
    through the temporary ``tmp`` (renamed into place)."""
    import h5py


    def fill(h5: h5py.File) -> None:
        h5.attrs.update(attrs)
        for key, column in datasets.items():
            data = np.asarray(column.data)
            if data.dtype == object:
                data = data.astype(h5py.string_dtype())
            h5.create_dataset(key, data=data).attrs["unit"] = column.unit

    _write_atomic(path, tmp, fill)


def read_table_file(path: Path) -> TableFile:
    """Read a table file (any HDF5 file: every dataset, at any depth)."""
    import h5py

    data: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    with h5py.File(path, "r") as h5:
        attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in h5.attrs.items()}

        def visit(name: str, obj: Any) -> None:
            if isinstance(obj, h5py.Dataset):
                data[name] = _dataset_value(obj)
                if "unit" in obj.attrs:
                    unit = obj.attrs["unit"]
                    units[name] = unit.decode() if isinstance(unit, bytes) else str(unit)

        h5.visititems(visit)
    return TableFile(attrs, data, units)


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
