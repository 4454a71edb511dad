"""Run one experiment spec into one run file: the unit of work of ``allonet run`` and of sweeps
(:func:`simulate` alone gives the run's contents without writing, for :func:`allonet.run`)."""

from __future__ import annotations

import importlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from allonet import provenance
from allonet.progress import note, printer
from allonet.resources import check_memory, format_bytes
from allonet.spec import ResolvedSpecs, load_experiment
from allonet.store import RunData, RunFile, check_writable, run_file, write_run


@dataclass
class RunResult:
    """Where a run went and what it contains (what reading the file back would give)."""

    path: Path
    run: RunFile


def run_experiment(spec_path: Path, overrides: list[str] | None = None,
                   output: Path | None = None, overwrite: bool = False,
                   quiet: bool = True, max_memory: int | None = None) -> RunResult:
    """Load ``spec_path`` with ``overrides`` (``KEY=VALUE`` strings), simulate, write the run file.

    ``output`` defaults to ``results/<experiment name>.h5``. Raises
    :class:`~allonet.errors.UserError`
    (before simulating) for a bad spec, an existing output without ``overwrite``, or an
    estimated memory above ``max_memory`` bytes (default: the memory available now).
    """
    overrides = list(overrides or [])
    specs = load_experiment(spec_path, overrides)
    exp = specs.experiment
    output = Path(output) if output else Path("results") / f"{exp.name}.h5"
    check_writable(output, overwrite)
    needs = check_memory(specs, max_memory)
    note(quiet, f"allonet: {exp.name} on {exp.device} (seed {exp.seed}) -> {output} "
                f"(estimated {format_bytes(needs.memory_bytes)})")
    data = simulate(specs, overrides, quiet)
    write_run(output, data, overwrite=overwrite)
    return RunResult(output, run_file(data, output))


def simulate(specs: ResolvedSpecs, overrides: list[str] | None = None,
             quiet: bool = True) -> RunData:
    """Simulate resolved ``specs`` and return what the run file holds, writing nothing.

    ``overrides`` are the ``KEY=VALUE`` strings ``specs`` were loaded with (recorded, not
    applied); ``wall_time_s`` in the attributes is the protocol's time (s).
    """
    from allonet.protocols import PROTOCOLS

    exp = specs.experiment
    start = time.perf_counter()
    shown = printer(quiet, "condition")
    simulating = threading.Event()

    def report(done: float, total: int, label: str) -> None:
        simulating.set()
        if shown is not None:
            shown(done, total, label)

    # Once the simulation reports progress (a standalone binary: as it starts), another thread
    # reads the commit and package versions (git, package metadata) and imports h5py for the run
    # file: ~60 ms of Python that would otherwise follow the run (earlier, it would slow the
    # run's own set-up, which holds the interpreter).
    with ThreadPoolExecutor(1) as pool:
        found = pool.submit(_while_simulating, simulating)
        try:
            run = PROTOCOLS[exp.protocol.kind].run(specs, exp.device, report)
        finally:
            simulating.set()
    commit, versions = found.result()
    run.overrides = list(overrides or [])
    run.attrs.update(
        experiment=exp.name, seed=exp.seed, device=exp.device, git_commit=commit,
        created_utc=provenance.now_utc(), host=provenance.host(), versions=versions,
        wall_time_s=time.perf_counter() - start,
        spec_file=provenance.portable_path(specs.experiment_path),
        build={**run.attrs.get("build", {}), **provenance.build_environment()},
    )
    return run


def _while_simulating(started: threading.Event) -> tuple[str, dict[str, str]]:
    """What a run gathers while it simulates, once ``started`` is set: the commit and the package
    versions; and h5py, imported for the run file."""
    started.wait()
    importlib.import_module("h5py")
    return provenance.git_commit(), provenance.versions()
