"""The engine: run a model's conditions on a device back-end, compiling once and running many.

:func:`run_conditions` hands a :class:`~allonet.engine.job.Job` to the back-end named in
:data:`~allonet.engine.devices.DEVICES` (Brian2 runtime or cpp_standalone); standalone binaries
are cached by a hash of the model structure and toolchain (:func:`structure_hash`) and, once
run, started directly from their stored run layout (:mod:`allonet.engine.cached_binary`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from allonet import toolchain
from allonet.engine.cached_binary import Recording
from allonet.engine.devices import DEVICES, DIRECT_VARIABLE, Device
from allonet.engine.job import BuildRecord, Collector, Condition, Job, ModelFactory
from allonet.model import code_digest
from allonet.progress import Progress

__all__ = [
    "DEVICES", "DIRECT_VARIABLE", "BuildRecord", "Collector", "Condition", "Device", "Job",
    "ModelFactory", "Recording", "run_conditions", "structure_hash",
]


def structure_hash(structure: dict[str, Any]) -> str:
    """Stable hash of everything that changes generated code (not run-time values) or the
    binary compiled from it (the code that generates it, :func:`allonet.model.code_digest`;
    Brian2's version; the compiler, its flags and the CPU: :func:`allonet.toolchain.key`)."""
    payload = dict(structure, brian2=toolchain.brian2_version(), toolchain=toolchain.key(),
                   model=code_digest())
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_conditions(
    device: str,
    factory: ModelFactory,
    collect: Collector,
    conditions: list[Condition],
    duration: float,
    dt: float,
    seed: int,
    structure: dict[str, Any],
    progress: Progress | None = None,
    fixed: dict[str, Any] | None = None,
    inputs: dict[str, np.ndarray] | None = None,
    parameters: dict[str, float] | None = None,
) -> tuple[list[dict[str, np.ndarray]], BuildRecord]:
    """Simulate ``duration`` seconds once per condition; returns collected arrays per condition.

    ``device`` is a key of :data:`DEVICES`. ``inputs`` are the values of the protocol's
    TimedArrays (by name) that the factory builds; on standalone they become run-time arrays of
    the binary. ``parameters`` are the model's run-time scalars
    (:func:`allonet.model.parameters.run_time_values`), passed on the binary's command line.
    ``fixed`` is every other input of the factory that is not in ``structure``
    (plain data); with it, runs after the first skip model building and run the cached binary
    directly. Without it, every run builds the model.
    """
    if not conditions:
        raise ValueError("no conditions to run")
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; known: {sorted(DEVICES)}")
    drugs = {tuple(c.drugs) for c in conditions}
    if len(drugs) != 1:
        raise ValueError(f"all conditions need the same drugs, got {sorted(drugs)}")
    shapes = {values.shape for c in conditions for values in c.drugs.values()}
    if len(shapes) != 1:
        raise ValueError(f"all conditions need drug arrays of one shape, got {sorted(shapes)}")
    shape = shapes.pop()
    record = BuildRecord(device, structure_hash(dict(structure, drug_shape=shape, dt=dt,
                                                     duration=duration)))
    job = Job(factory, collect, conditions, duration, dt, seed, structure, progress, fixed,
              dict(inputs or {}), dict(parameters or {}))
    return DEVICES[device].run(job, record), record
