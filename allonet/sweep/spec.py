"""The sweep spec: which experiment, which parameters over which values, which seeds, where to run.

A sweep spec is its own YAML file (``experiments/sweeps/*.yaml``), strict like every allonet spec::

    name: allo_seeds
    experiment: ../fear_extinction.yaml     # relative to this file
    set: {device: standalone}               # fixed overrides for every point (like --set)
    parameters:                             # grid, list, random, latin_hypercube or sobol
      kind: grid
      values:
        drugs.allo_default: [0 nM, 10 nM, 100 nM, 1000 nM]
    seeds: {first: 1, count: 6}             # or a list [1, 2, 3]; x every design point
    retries: 2                              # extra attempts of a failed point
    cluster: {kind: slurm, cores: 1, memory: 4 GB, walltime: "01:00:00", queue: normal}
    summary:                                # the study report (allonet.sweep.report), optional
      conditions: [none, low, mid, high]    # one label per design point, in order
      baseline: none                        # paired effects are computed against it
      readouts:
        - {column: freezing.recall.freezing, label: "freezing, recall", unit: "1"}

Parameter paths are the dotted paths of ``allonet run --set``; values are YAML values with units
as text (``"100 nM"``, ``"8 ms"``). Sampled designs (random, Latin hypercube, Sobol) draw numbers
between ``low`` and ``high`` in the unit both are written in, on a linear or log scale, or pick
among listed ``choices``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from allonet.errors import SpecError
from allonet.spec.fields import Strict
from allonet.spec.loading import read_yaml, validate, without_anchors
from allonet.sweep.design import Design, ParamPath, point_labels

_WALLTIME = re.compile(r"^(\d+-)?\d{1,3}:\d{2}(:\d{2})?$")


class SeedRange(Strict):
    """``count`` consecutive seeds starting at ``first``."""

    first: int = Field(default=1, ge=0)
    count: int = Field(ge=1, le=1_000_000)

    def as_list(self) -> list[int]:
        return list(range(self.first, self.first + self.count))


def _check_memory(text: str) -> str:
    from dask.utils import parse_bytes

    try:
        parse_bytes(text)
    except (ValueError, TypeError):
        raise ValueError(f"{text!r} is not a memory size such as '4 GB' or '500 MB'") from None
    return text


def _check_walltime(text: str) -> str:
    if not _WALLTIME.match(str(text)):
        raise ValueError(f"{text!r} is not a walltime such as '01:00:00' or '1-12:00:00'")
    return str(text)


class Cluster(Strict):
    """Batch resources: dask-jobqueue workers (``--executor dask``) and SLURM array tasks
    (``--executor slurm``) both use them. ``kind`` picks the dask-jobqueue cluster class."""

    kind: Literal["slurm", "pbs"] = "slurm"
    cores: int = Field(default=1, ge=1)  # per job (dask) / per array task (slurm)
    processes: int | None = Field(default=None, ge=1)  # dask workers per job; default = cores
    memory: Annotated[str, AfterValidator(_check_memory)] = "4 GB"  # per job / task
    walltime: Annotated[str, AfterValidator(_check_walltime)] = "01:00:00"
    queue: str | None = None  # partition (slurm) / queue (pbs)
    account: str | None = None
    jobs: int = Field(default=4, ge=1)  # dask-jobqueue: at most this many jobs at once
    throttle: int | None = Field(default=None, ge=1)  # slurm array: at most this many tasks at once
    chunk: int = Field(default=1, ge=1)  # slurm array: points per array task
    job_extra: list[str] = []  # extra '#SBATCH' / '#PBS' directives, e.g. '--qos=short'
    prologue: list[str] = []  # shell lines before the worker starts, e.g. 'module load gcc'
    env: dict[str, str] = {}  # environment of the workers, e.g. {ALLONET_CACHE: /shared/cache}


class Readout(Strict):
    """One readout of the study report: an ``index.csv`` column, how to label it, its unit."""

    column: Annotated[str, Field(min_length=1)]  # e.g. cs_rates.recall.CeM
    label: str = ""  # default: the column name
    unit: str = ""  # as shown on axes and in tables ("Hz"; "1" or "" when dimensionless)

    @property
    def name(self) -> str:
        """The label, or the column when no label is given."""
        return self.label or self.column


class Summary(Strict):
    """The study report drawn at the end of the sweep (:mod:`allonet.sweep.report`)."""

    conditions: list[Annotated[str, Field(min_length=1)]] | None = None  # one per design point
    baseline: str | None = None  # default: the first condition
    readouts: list[Readout] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_labels(self) -> Summary:
        for field, labels in (("conditions", self.conditions or []),
                              ("readouts", [r.name for r in self.readouts])):
            repeated = sorted({x for x in labels if labels.count(x) > 1})
            if repeated:
                raise ValueError(f"{field}: each label at most once (repeated: {repeated})")
        return self


class SweepSpec(Strict):
    """One parameter study: the contents of one ``experiments/sweeps/*.yaml``."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")]
    description: str = ""
    experiment: str  # experiment spec, relative to the sweep file
    set: dict[ParamPath, Any] = {}  # fixed overrides for every point
    parameters: Design | None = None  # None: seeds only
    seeds: list[Annotated[int, Field(ge=0, lt=2**31)]] | SeedRange | None = None
    retries: int = Field(default=2, ge=0, le=100)  # extra attempts of a failed point
    cluster: Cluster | None = None
    summary: Summary | None = None

    @model_validator(mode="after")
    def _something_to_sweep(self) -> SweepSpec:
        if self.parameters is None and self.seeds is None:
            raise ValueError("a sweep needs 'parameters', 'seeds' or both")
        if isinstance(self.seeds, list) and len(set(self.seeds)) != len(self.seeds):
            raise ValueError("seeds: each seed at most once")
        return self

    @model_validator(mode="after")
    def _summary_fits_design(self) -> SweepSpec:
        if self.summary is None:
            return self
        given = self.summary.conditions
        if given is not None and len(given) != self.design_size:
            kind = f"{self.parameters.kind} design" if self.parameters else "no parameters"
            raise ValueError(f"summary.conditions: {len(given)} labels for {self.design_size} "
                             f"design points ({kind}); give one label per design point, in order")
        baseline = self.summary.baseline
        if baseline is not None and baseline not in self.condition_labels:
            raise ValueError(f"summary.baseline: {baseline!r} is not one of the conditions "
                             f"{self.condition_labels}")
        return self

    @property
    def design_size(self) -> int:
        """Number of design points (each run once per seed)."""
        return self.parameters.size if self.parameters else 1

    @property
    def condition_labels(self) -> list[str]:
        """One label per design point: ``summary.conditions``, else made from its values."""
        if self.summary and self.summary.conditions:
            return list(self.summary.conditions)
        return point_labels(self)

    @property
    def seed_list(self) -> list[int | None]:
        """Seeds to cross with the design; ``[None]`` keeps the experiment's own seed."""
        if self.seeds is None:
            return [None]
        return self.seeds.as_list() if isinstance(self.seeds, SeedRange) else list(self.seeds)

    @property
    def max_attempts(self) -> int:
        return 1 + self.retries


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec; every problem is a one-line SpecError (exit code 2)."""
    path = Path(path)
    spec = validate(SweepSpec, without_anchors(read_yaml(path)), str(path))
    experiment = experiment_path(spec, path)
    if not experiment.is_file():
        raise SpecError(str(path), "experiment", spec.experiment,
                        "experiment spec file not found (paths are relative to the sweep file)")
    return spec


def experiment_path(spec: SweepSpec, sweep_file: Path) -> Path:
    """The experiment spec's absolute path (``experiment`` is relative to the sweep file)."""
    return (Path(sweep_file).parent / spec.experiment).resolve()
