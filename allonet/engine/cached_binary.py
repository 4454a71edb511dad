"""Run a compiled standalone binary again without rebuilding the model in Python.

Brian2 regenerates the whole model (objects, equations, code) before it finds that a binary is
already compiled: ~10 s of Python per run of the main experiment, twice the binary's own time.
After the first run of a model, the engine records the binary's *run layout*: the run-time
arrays it takes on its command line (drug concentrations, protocol inputs) and the result file
of every recorded variable. Later runs with the same layout key write those arrays, start the
binary with the seed in its environment and read the result files back, exactly as Brian2 would.

The layout key must cover everything that reaches the model other than the run-time arrays and
the seed (see :func:`layout_key`); the layout is also tied to the binary's timestamp and digest
and to the contents of its ``static_arrays`` (values written at build time), so any rebuild
invalidates it, and a binary truncated or corrupted since its build is never started (its
digest no longer matches :data:`BINARY_RECORD`; the engine relinks it).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import allonet
from allonet import toolchain
from allonet.cache import source_digest

if TYPE_CHECKING:
    import brian2 as b2

#: Plain recorded arrays, ``{monitor key: {variable: array}}``, in SI units; StateMonitor
#: variables are (recorded cells, samples), as Brian2's monitors show them.
Recording = dict[str, dict[str, np.ndarray]]

#: Folder, in a standalone project, of its stored run layouts (one JSON file per layout key).
LAYOUTS = "allonet-layouts"
#: File, in a standalone project, holding the digest of the binary its last build wrote.
BINARY_RECORD = "allonet-binary.json"
#: First word of the progress lines the binary prints (see :data:`REPORT_CODE`).
PROGRESS_TAG = "allonet-progress"
#: Brian2 ``report`` code for ``Network.run`` on cpp_standalone: one parsable line per report,
#: the fraction simulated (written into the generated code: part of every model's structure).
REPORT_CODE = f'std::cout << "{PROGRESS_TAG} " << completed << std::endl;'
#: RAM-backed folder for the binary's results when it has room (see :func:`results_root`).
RAM_FOLDER = Path("/dev/shm")
#: Name of a run's results folder: this prefix, the pid of the process that runs the binary, a
#: random part.
RESULTS_PREFIX = "allonet-results-"
#: Free space (bytes) the RAM folder needs before results go there: 4 GiB, several times the
#: results of the main experiment at scale 64 (the binary writes every array it holds).
RAM_FOLDER_MIN_FREE = 4 * 2**30


@functools.cache
def _source_digest() -> str:
    """Hash of allonet's own source: a change to how models are built invalidates layouts."""
    return source_digest(Path(allonet.__file__).parent, ["**/*.py"])


def layout_key(structure_hash: str, fixed: Mapping[str, Any]) -> str:
    """Key of a run layout: the structure, every fixed (non-run-time) input of the model, the
    Brian2 version and allonet's source."""
    text = json.dumps({"structure": structure_hash, "fixed": fixed,
                       "brian2": toolchain.brian2_version(), "allonet": _source_digest()},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def recorded_variables(monitor: b2.BrianObject) -> list[str]:
    """Names of the variables ``monitor`` records (time and indices included)."""
    names = set(getattr(monitor, "record_variables", ())) | {"t"}
    return sorted(names)


def _is_state(monitor: b2.BrianObject, name: str) -> bool:
    import brian2 as b2

    return isinstance(monitor, b2.StateMonitor) and name != "t"


def read_monitors(monitors: Mapping[str, b2.BrianObject]) -> Recording:
    """Recorded arrays of ``monitors`` after a run, on any device."""
    out: Recording = {}
    for key, mon in monitors.items():
        out[key] = {}
        for name in recorded_variables(mon):
            values = np.array(mon.variables[name].get_value())
            out[key][name] = values.T if _is_state(mon, name) else values
    return out


def _static_digest(project: Path, run_time: list[str]) -> str:
    """Hash of the build-time arrays: ``static_arrays`` except Brian2's run-argument files and
    the initial values of the ``run_time`` TimedArrays (every run sets those)."""
    h = hashlib.sha256()
    folder = project / "static_arrays"
    skip = {name.replace(".values", "_values") for name in run_time}
    for path in sorted(folder.iterdir()) if folder.exists() else []:
        if not path.name.startswith("init_") and path.name not in skip and path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@contextmanager
def static_arrays_lock(project: Path, shared: bool) -> Iterator[None]:
    """Hold ``project``'s build-time arrays: shared while a binary runs (it reads them),
    exclusive while a build writes them."""
    with open(project.parent / f"{project.name}.arrays.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def binary_digest(project: Path) -> str:
    """SHA-256 of ``project``'s compiled binary (a few ms for the main experiment's 2.6 MB)."""
    return hashlib.sha256((project / "main").read_bytes()).hexdigest()


def record_binary(project: Path) -> None:
    """Keep the digest of the binary just built (:data:`BINARY_RECORD`), to tell later whether
    it is still the binary the build wrote."""
    path = project / BINARY_RECORD
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps({"sha256": binary_digest(project)}))
    tmp.replace(path)


def binary_intact(project: Path) -> bool:
    """Whether ``project``'s binary exists and is byte for byte the one its last build recorded
    (a truncated or corrupted binary, or one without a record, is not)."""
    try:
        recorded = json.loads((project / BINARY_RECORD).read_text())["sha256"]
        return recorded == binary_digest(project)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def binary_state(project: Path, run_time: list[str]) -> dict[str, Any]:
    """What a layout is valid for: the binary's timestamp and digest and the build-time arrays'
    digest (``run_time``: Brian2 names, ``<array>.values``, of the run-time TimedArrays)."""
    return {"binary_mtime_ns": (project / "main").stat().st_mtime_ns,
            "binary_sha256": binary_digest(project),
            "static_digest": _static_digest(project, run_time)}


def run_time_names(args: Mapping[str, b2.TimedArray]) -> list[str]:
    """Brian2 command-line names of the run-time TimedArrays ``args``."""
    return [f"{ta.name}.values" for ta in args.values()]


def run_time_names_of(layout: Mapping[str, Any]) -> list[str]:
    """:func:`run_time_names` of a stored layout."""
    return [a["name"] for a in layout["args"]]


def _layout_path(project: Path, key: str) -> Path:
    return project / LAYOUTS / f"{key}.json"


def output_layout(monitors: Mapping[str, b2.BrianObject]) -> dict[str, dict[str, Any]]:
    """Result file, dtype and column count (StateMonitor variables) of every recorded variable,
    on the cpp_standalone device."""
    import brian2 as b2

    device = b2.get_device()
    outputs: dict[str, dict[str, Any]] = {}
    for mkey, mon in monitors.items():
        outputs[mkey] = {}
        for name in recorded_variables(mon):
            var = mon.variables[name]
            columns = len(mon.record) if _is_state(mon, name) else None
            outputs[mkey][name] = {"file": device.get_array_filename(var),
                                   "dtype": np.dtype(var.dtype).str, "columns": columns}
    return outputs


def make_layout(args: Mapping[str, b2.TimedArray], parameters: list[str],
                outputs: dict[str, dict[str, Any]], state: dict[str, Any]) -> dict[str, Any]:
    """The run layout of a binary: ``args`` maps each run-time input (a drug's key or a
    protocol input name) to the TimedArray it sets; ``parameters`` are the Brian2 names of its
    run-time scalar values (:func:`allonet.model.parameters.run_time_values`); ``outputs`` is
    :func:`output_layout` of the monitors; ``state`` is :func:`binary_state` taken right after
    the build. It keeps the environment Brian2 runs the binary in, so that direct runs need
    not import Brian2."""
    arguments = [{"source": source, "name": name,
                  "dtype": np.dtype(ta.values.dtype).str, "shape": list(ta.values.shape)}
                 for (source, ta), name in zip(args.items(), run_time_names(args), strict=True)]
    import brian2 as b2

    environment = dict(b2.prefs.devices.cpp_standalone.run_environment_variables)
    return state | {"args": arguments, "parameters": sorted(parameters),
                    "environment": environment, "outputs": outputs}


def store_layout(project: Path, key: str, layout: dict[str, Any]) -> None:
    """Keep ``layout`` for later runs of the binary in ``project`` with layout key ``key``."""
    path = _layout_path(project, key)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
    tmp.write_text(json.dumps(layout, indent=1))
    tmp.replace(path)


def load_layout(project: Path, key: str) -> dict[str, Any] | None:
    """The stored layout for ``key`` if it still describes the binary in ``project``; None
    also for a truncated or corrupted layout file (the next build stores it again)."""
    path, binary = _layout_path(project, key), project / "main"
    if not path.is_file() or not binary.is_file():
        return None
    try:
        layout = json.loads(path.read_text())
        return layout if is_current(project, layout) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_current(project: Path, layout: Mapping[str, Any]) -> bool:
    """Whether ``layout`` still describes the binary in ``project`` (same binary, byte for
    byte, same build-time arrays) and names its arrays and outputs."""
    state = binary_state(project, run_time_names_of(layout))
    return (all(layout.get(k) == v for k, v in state.items())
            and isinstance(layout.get("outputs"), dict)
            and isinstance(layout.get("parameters"), list)
            and isinstance(layout.get("environment"), dict))


def read_results(results: Path, outputs: Mapping[str, Any]) -> Recording:
    """Recorded arrays from a results directory of the binary, as :func:`read_monitors` gives
    (``outputs``: :func:`output_layout`)."""
    out: Recording = {}
    for mkey, variables in outputs.items():
        out[mkey] = {}
        for name, v in variables.items():
            data = np.fromfile(results / v["file"], dtype=np.dtype(v["dtype"]))
            if v["columns"] is not None:
                data = data.reshape(-1, v["columns"]).T
            out[mkey][name] = data
    return out


def parameter_arguments(names: list[str], parameters: Mapping[str, float]) -> list[str]:
    """Command-line arguments ``name=value`` setting the binary's run-time scalars ``names``
    (its layout's) from ``parameters``; ``repr`` round-trips every double exactly through the
    binary's ``atof``. ValueError if the two disagree (a model built from another spec)."""
    if set(names) != set(parameters):
        missing, extra = sorted(set(names) - set(parameters)), sorted(set(parameters) - set(names))
        raise ValueError(f"run-time parameters do not match the compiled model: missing "
                         f"{missing[:5]}, unknown {extra[:5]}")
    return [f"{name}={float(parameters[name])!r}" for name in names]


def results_root(project: Path) -> Path:
    """Where a run of ``project``'s binary writes its results: :data:`RAM_FOLDER` if it is
    there, writable and has :data:`RAM_FOLDER_MIN_FREE` bytes free, else the project's
    ``results`` folder. The binary writes one file per array (~1,500 for the main experiment):
    on this project's 2-core machine, creating them on its disk took 0.15-0.5 s per run, in RAM
    0.02 s; on a cluster's network file system it can take longer than the simulation."""
    try:
        if (RAM_FOLDER.is_dir() and os.access(RAM_FOLDER, os.W_OK)
                and shutil.disk_usage(RAM_FOLDER).free >= RAM_FOLDER_MIN_FREE):
            return RAM_FOLDER
    except OSError:
        pass
    return project / "results"


def remove_abandoned_results(root: Path) -> None:
    """Delete the results folders in ``root`` of runs whose process has ended (killed before it
    could clean up): in the RAM folder they would hold memory until the machine restarts."""
    for folder in root.glob(f"{RESULTS_PREFIX}*-*"):
        pid = folder.name[len(RESULTS_PREFIX):].split("-", 1)[0]
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, ValueError):
            pass


def run_binary(project: Path, layout: Mapping[str, Any], values: Mapping[str, np.ndarray],
               parameters: Mapping[str, float], environment: Mapping[str, str],
               on_progress: Callable[[float], None] | None = None) -> Recording:
    """Run the binary of ``project`` with run-time arrays ``values`` (by source name) and
    run-time scalar ``parameters`` (by Brian2 name, SI units) and return its recordings;
    ``on_progress`` gets the fraction simulated as the binary reports it. The results directory
    (:func:`results_root`) is removed afterwards."""
    root = results_root(project)
    remove_abandoned_results(root)
    results = root / f"{RESULTS_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
    results.mkdir(parents=True)
    try:
        command = ["./main", "--results_dir", f"{results}/"]
        for index, arg in enumerate(layout["args"]):
            array = np.ascontiguousarray(values[arg["source"]], dtype=np.dtype(arg["dtype"]))
            if list(array.shape) != arg["shape"]:
                raise ValueError(f"run-time array {arg['source']!r} has shape {array.shape}; the "
                                 f"compiled model takes {tuple(arg['shape'])}")
            path = results / f"arg{index}.dat"
            array.tofile(path)
            command.append(f"{arg['name']}={path}")
        command += parameter_arguments(layout["parameters"], parameters)
        env = dict(os.environ) | dict(layout["environment"]) | dict(environment)
        with static_arrays_lock(project, shared=True), tempfile.TemporaryFile("w+") as errors:
            proc = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE,
                                    stderr=errors, text=True)
            for line in proc.stdout:
                if line.startswith(PROGRESS_TAG) and on_progress is not None:
                    on_progress(float(line.split()[1]))
            returncode = proc.wait()
            errors.seek(0)
            stderr = errors.read()
        # The binary reports an unreadable run-time array on stderr but carries on: fail here.
        if returncode or "Error reading" in stderr or "Could not read" in stderr:
            raise RuntimeError(f"standalone binary in {project} failed (exit {returncode}):"
                               f"\n{stderr.strip()}")
        return read_results(results, layout["outputs"])
    finally:
        shutil.rmtree(results, ignore_errors=True)
