"""What the engine is asked to run (a :class:`Job` of :class:`Condition` s) and what it reports
about getting there (a :class:`BuildRecord`, stored in every run file)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from allonet.engine.cached_binary import Recording
from allonet.progress import Progress

if TYPE_CHECKING:
    import brian2 as b2

    from allonet.model import Model

#: Builds the model from its drug arrays (drug key -> (n_samples, n_regions) in nM, as
#: :attr:`Condition.drugs`) and returns it with its monitors.
ModelFactory = Callable[[Mapping[str, np.ndarray]], "tuple[Model, dict[str, b2.BrianObject]]"]
#: Turns the recorded arrays of one run (:data:`allonet.engine.cached_binary.Recording`) into
#: results.
Collector = Callable[[Recording], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Condition:
    """One run of the model: each drug's concentrations (nM) per sample (rows) and region
    (columns), keyed by the drug's run-time array (its key in :data:`allonet.pharmacology.DRUGS`).
    """

    label: str
    drugs: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Job:
    """Everything a device needs to simulate ``conditions``, each for ``duration`` seconds with
    step ``dt`` seconds (see :func:`allonet.engine.run_conditions`)."""

    factory: ModelFactory
    collect: Collector
    conditions: list[Condition]
    duration: float
    dt: float
    seed: int
    structure: dict[str, Any]
    progress: Progress | None = None
    fixed: dict[str, Any] | None = None
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    #: run-time scalars of the model by Brian2 name, SI units
    #: (:func:`allonet.model.parameters.run_time_values`)
    parameters: dict[str, float] = field(default_factory=dict)


@dataclass
class BuildRecord:
    """What the engine did to get a runnable model (stored in every run file)."""

    device: str
    structure_hash: str
    #: the standalone project folder relative to the cache root (``standalone/<hash>``, i.e.
    #: :func:`allonet.cache.standalone_dir`): run files carry no absolute path of the machine
    project_dir: str = ""
    compiled: bool = False
    #: the cached binary ran directly from its stored run layout (no model built in Python)
    direct: bool = False
    #: key of the run layout (structure and fixed inputs; equal for runs that differ only in
    #: run-time values); empty when the run had no fixed inputs to key on
    layout_key: str = ""
    build_seconds: float = 0.0
    run_seconds: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
