"""Device back-ends: Brian2's runtime (Cython) and cpp_standalone, as objects in one registry.

Compile once, run many: in standalone mode the model is generated with placeholder drug arrays,
compiled into a project directory named by a hash of its structure, and each condition runs the
same binary with its concentrations passed as run-time arrays on its command line. The
:class:`~allonet.engine.job.BuildRecord` says, from the binary's own timestamps, whether anything
was compiled.

Run-time scalars (weights, time constants, rates: :mod:`allonet.model.parameters`) reach the
binary on its command line too, so a model that differs only in them shares the binary.

Given the model's ``fixed`` inputs (everything but the drug arrays, the protocol's run-time
``inputs``, the run-time scalars and the seed), later runs skip Brian2 altogether and start the
cached binary directly (:mod:`allonet.engine.cached_binary`); spikes are the same either way.
"""

from __future__ import annotations

import functools
import gc
import os
import shutil
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from allonet import cache, toolchain
from allonet.engine import cuda
from allonet.engine.cached_binary import (
    LAYOUTS,
    REPORT_CODE,
    binary_intact,
    binary_state,
    is_current,
    layout_key,
    load_layout,
    make_layout,
    output_layout,
    read_monitors,
    record_binary,
    run_binary,
    run_time_names,
    static_arrays_lock,
    store_layout,
)
from allonet.engine.job import BuildRecord, Job
from allonet.errors import UserError
from allonet.progress import watch_compile

if TYPE_CHECKING:
    import brian2 as b2

#: Environment variable that, set to ``0``, makes every standalone run build its model in Brian2
#: (the run layout is still recorded); for debugging and for tests of the direct path.
DIRECT_VARIABLE = "ALLONET_DIRECT"
#: Wall-clock seconds between progress reports of a running simulation.
REPORT_PERIOD = 1.0
#: Environment variable from which a standalone binary takes its random seed.
SEED_VARIABLE = "ALLONET_SEED"
_SEED_FROM_ENVIRONMENT = f"""
{{
    const char* allonet_seed = std::getenv("{SEED_VARIABLE}");
    unsigned long base = allonet_seed ? std::strtoul(allonet_seed, nullptr, 10) : 0UL;
    for (size_t _i = 0; _i < brian::_random_generators.size(); _i++)
        brian::_random_generators[_i].seed(base + _i);
}}
"""


def _stable_clock_hash(clock: b2.Clock) -> int:
    name = clock.__dict__.get("_name")  # not yet set while Brian2 registers a new instance
    return object.__hash__(clock) if name is None else zlib.crc32(name.encode())


@functools.cache
def _brian2():
    """Brian2, imported on first use (1.7 s: a direct run of a cached binary does without it) and
    prepared for allonet's builds."""
    import brian2 as b2

    # Brian2 keeps clocks in sets and writes their code in set order; identity hashes make that
    # order (and so the generated code) differ between processes. Hashing by name makes it
    # reproducible, so identical models give identical code and reuse their compiled binary. It
    # patches the class because the clocks in those sets include Brian2's own defaultclock and
    # the clocks its objects make: a Clock subclass of allonet's would not reach them.
    b2.Clock.__hash__ = _stable_clock_hash
    return b2


def _configure_common(dt: float) -> None:
    b2 = _brian2()
    b2.prefs.codegen.cpp.extra_compile_args_gcc = toolchain.compile_flags()
    b2.prefs.codegen.runtime.cython.cache_dir = str(cache.cython_dir())
    b2.defaultclock.dt = dt * b2.second
    b2.prefs.logging.console_log_level = "WARNING"


def _run_runtime(job: Job, record: BuildRecord) -> list[dict[str, np.ndarray]]:
    factory, collect, conditions = job.factory, job.collect, job.conditions
    duration, dt, seed, progress = job.duration, job.dt, job.seed, job.progress
    b2 = _brian2()
    b2.set_device("runtime")
    b2.prefs.codegen.target = "cython"
    _configure_common(dt)
    before = _count_files(cache.cython_dir())
    start = time.perf_counter()
    results = []
    for index, condition in enumerate(conditions):
        b2.seed(seed)
        model, monitors = factory(condition.drugs)
        network = model.network(*monitors.values())
        t0 = time.perf_counter()
        report = _fraction_reporter(progress, index, len(conditions), condition.label)
        network.run(duration * b2.second, namespace={}, report_period=REPORT_PERIOD * b2.second,
                    report=None if report is None else
                    (lambda elapsed, done, start, length, report=report: report(float(done))))
        record.run_seconds.append(time.perf_counter() - t0)
        results.append(collect(read_monitors(monitors)))
        if progress:
            progress(index + 1, len(conditions), condition.label)
    record.compiled = _count_files(cache.cython_dir()) != before
    record.build_seconds = time.perf_counter() - start - sum(record.run_seconds)
    return results


def _seed_project(project: Path, family: str) -> None:
    """Start a new project directory as a copy of the latest build of the same ``family`` (e.g.
    the same network with other weights): Brian2 rewrites only changed sources, so make then
    recompiles only those instead of every file."""
    marker = "allonet-family"
    if (project / marker).is_file():  # seeded (the marker is written last): no lock needed
        return
    from filelock import FileLock  # 13 ms to import: not on the direct path

    with FileLock(str(project) + ".lock"):
        if project.exists():
            return
        siblings = [p for p in project.parent.iterdir()
                    if p.is_dir() and (p / marker).is_file()
                    and (p / marker).read_text() == family and (p / "main").exists()]
        if siblings:
            latest = max(siblings, key=lambda p: (p / "main").stat().st_mtime_ns)
            shutil.copytree(latest, project, symlinks=True,
                            ignore=shutil.ignore_patterns("results", marker, LAYOUTS))
        project.mkdir(exist_ok=True)
        (project / marker).write_text(family)


def _run_binary(project, layout, collect, conditions, seed, record, progress, inputs,
                parameters, key=None):
    """Run every condition on the compiled binary; store ``layout`` under ``key`` (if given)
    once the first run succeeded and nothing rebuilt the binary meanwhile."""
    results = []
    for index, condition in enumerate(conditions):
        t0 = time.perf_counter()
        values = dict(condition.drugs) | inputs
        recording = run_binary(project, layout, values, parameters, {SEED_VARIABLE: str(seed)},
                               _fraction_reporter(progress, index, len(conditions),
                                                  condition.label))
        record.run_seconds.append(time.perf_counter() - t0)
        if index == 0 and key is not None and is_current(project, layout):
            store_layout(project, key, layout)
        results.append(collect(recording))
        if progress:
            progress(index + 1, len(conditions), condition.label)
    return results


def _fraction_reporter(progress, index: int, total: int, label: str):
    if progress is None:
        return None
    return lambda fraction: progress(index + min(max(fraction, 0.001), 0.999), total,
                                     f"{label}: {fraction:.0%} simulated")


def _run_standalone(job: Job, record: BuildRecord,
                    gpu: bool = False) -> list[dict[str, np.ndarray]]:
    """Build (or reuse) the binary and run every condition; ``gpu``: Brian2CUDA's
    ``cuda_standalone`` (its own project, the seed compiled in, no direct runs: untested on
    hardware so far, see :mod:`allonet.engine.cuda`)."""
    factory, collect, conditions = job.factory, job.collect, job.conditions
    duration, dt, seed, progress = job.duration, job.dt, job.seed, job.progress
    # Seeding from a sibling reuses its object files: only a sibling of the same toolchain.
    family = f'{job.structure.get("family", "default")}@{toolchain.key()}' + ("@gpu" * gpu)
    key = None if job.fixed is None or gpu else layout_key(record.structure_hash, job.fixed)
    record.layout_key = key or ""
    inputs = dict(job.inputs)
    project = cache.standalone_dir(("cuda-" * gpu) + record.structure_hash)
    project.parent.mkdir(parents=True, exist_ok=True)
    record.project_dir = str(project.relative_to(cache.cache_root()))
    _seed_project(project, family)
    direct = key is not None and os.environ.get(DIRECT_VARIABLE, "1") != "0"
    layout = load_layout(project, key) if direct else None
    if layout is not None:
        record.direct = True
        return _run_binary(project, layout, collect, conditions, seed, record, progress, inputs,
                           job.parameters)
    # Generated code embeds defaultclock's value at device initialisation: make it the model's
    # dt in every process, whatever ran before, so identical models give identical code.
    b2 = _brian2()
    b2.set_device("runtime")
    b2.defaultclock.dt = dt * b2.second
    b2.device.reinit()
    if gpu:
        import brian2cuda  # noqa: F401  (registers the cuda_standalone device)
    b2.set_device("cuda_standalone" if gpu else "cpp_standalone", directory=str(project),
                  build_on_run=False)
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = (
        ["-j2"] if gpu else toolchain.make_arguments(2))
    try:
        _configure_common(dt)
        if gpu:
            cuda.configure(b2)
        template = conditions[0]
        # Objects of an earlier build in this process keep their names reserved until collected,
        # which would rename (and so recompile) this build's code objects.
        gc.collect()
        if gpu:
            b2.seed(seed)
        else:  # the seed is read at run time (not compiled in), so seeds share one binary
            b2.device.insert_code("main", _SEED_FROM_ENVIRONMENT)
        # Placeholders: the real concentrations arrive as run-time arrays, so the code and the
        # build-time arrays do not depend on them.
        model, monitors = factory({key: np.zeros_like(values)
                                   for key, values in template.drugs.items()})
        network = model.network(*monitors.values())
        network.run(duration * b2.second, namespace={}, report=REPORT_CODE,
                    report_period=REPORT_PERIOD * b2.second)
        missing = sorted(set(inputs) - set(model.timed))
        if missing:
            raise ValueError(f"inputs {missing} are not TimedArrays of the model")
        run_time = dict(model.drug_arrays) | {name: model.timed[name] for name in inputs}
        compiling = None if progress is None else (
            lambda done, sources: progress(0, len(conditions),
                                           f"compiling: {done} of up to {sources} C++ files"))
        # One process compiles a structure at a time; runs of its binary wait while it writes.
        from filelock import FileLock

        with FileLock(str(project) + ".lock"), static_arrays_lock(project, shared=False):
            binary = project / "main"
            if binary.exists() and not binary_intact(project):
                # truncated or corrupted since its build (or built before digests were kept):
                # make would trust its timestamp, so remove it to have it linked again
                binary.unlink()
            stamp = binary.stat().st_mtime_ns if binary.exists() else None
            t0 = time.perf_counter()
            if not gpu:
                toolchain.write_build_files(project)
            with watch_compile(project, compiling):
                b2.device.build(directory=str(project), compile=True, run=False,
                                with_output=False)
            toolchain.remove_precompiled_header(project)
            record.build_seconds = time.perf_counter() - t0
            record.compiled = stamp is None or binary.stat().st_mtime_ns != stamp
            record_binary(project)
            # Only arrays that some generated code reads exist in the binary (e.g. no
            # plasticity gate in a network without plasticity).
            used = set(b2.device.timed_arrays.values())
            run_time = {k: ta for k, ta in run_time.items() if ta.name in used}
            state = binary_state(project, run_time_names(run_time))
        layout = make_layout(run_time, list(job.parameters), output_layout(monitors), state)
    finally:
        b2.device.reinit()
        b2.set_device("runtime")
    return _run_binary(project, layout, collect, conditions, seed, record, progress, inputs,
                       job.parameters, key)


def _count_files(path: Path) -> int:
    return sum(1 for _ in path.rglob("*")) if path.exists() else 0


@dataclass(frozen=True)
class Device:
    """A device back-end: simulates a :class:`~allonet.engine.job.Job` and fills in its
    :class:`~allonet.engine.job.BuildRecord` (``run`` returns the collected arrays per
    condition)."""

    #: the name specs and ``--device`` use
    name: str
    #: what it is, for help texts
    description: str

    def run(self, job: Job, record: BuildRecord) -> list[dict[str, np.ndarray]]:
        raise NotImplementedError


class Runtime(Device):
    """Brian2's runtime device with Cython code (cached in :func:`allonet.cache.cython_dir`)."""

    def run(self, job: Job, record: BuildRecord) -> list[dict[str, np.ndarray]]:
        return _run_runtime(job, record)


class Cuda(Device):
    """Brian2CUDA's cuda_standalone device (opt-in, for large circuits on a GPU): refuses with one
    line naming what is missing when Brian2CUDA, nvcc or a GPU is."""

    def run(self, job: Job, record: BuildRecord) -> list[dict[str, np.ndarray]]:
        needs = cuda.missing()
        if needs:
            raise UserError(f"device 'cuda' needs {'; '.join(needs)}; use 'standalone' "
                            "(CPU) here")
        return _run_standalone(job, record, gpu=True)


class Standalone(Device):
    """Brian2's cpp_standalone device: one compiled binary per structure, run once per
    condition with run-time arrays, directly from its stored run layout when it can."""

    def run(self, job: Job, record: BuildRecord) -> list[dict[str, np.ndarray]]:
        return _run_standalone(job, record)


#: The device back-ends by name.
DEVICES: dict[str, Device] = {d.name: d for d in (
    Runtime("runtime", "Brian2 runtime, Cython code: for development and models standalone "
                       "cannot run"),
    Standalone("standalone", "Brian2 cpp_standalone: compile once per structure, run many"),
    Cuda("cuda", "Brian2CUDA cuda_standalone on an NVIDIA GPU (the gpu extra): for scale >= 16"),
)}

