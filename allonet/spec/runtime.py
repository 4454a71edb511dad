"""Which experiment fields are run-time values: the one list the engine and the sweep read.

A compiled standalone binary takes these fields' values on its command line (or never sees them),
so runs that differ only in them share the binary: the sweep puts them in one structure group,
and a stored run layout (:mod:`allonet.engine.cached_binary`) serves them without rebuilding
the model.
Every other field (a weight, a population size, a protocol phase, the device) is structure.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from allonet.pharmacology import DRUGS


@dataclass(frozen=True)
class RunTimeField:
    """One experiment field that never changes a compiled model's code."""

    #: dotted path in the experiment spec (as ``--set`` and sweeps address it)
    path: str
    #: what the binary does with it
    role: str
    #: the field chooses the set of conditions run on the binary; a run layout is stored per set,
    #: so it stays in the layout key although the binary is shared
    per_layout: bool = False


RUN_TIME_FIELDS: tuple[RunTimeField, ...] = (
    RunTimeField("name", "label only"),
    RunTimeField("description", "label only"),
    RunTimeField("seed", "read from the environment at start"),
    *(RunTimeField(f"drugs.{name}", "drug arrays")
      for drug in DRUGS.values() for name in drug.spec_fields),
    RunTimeField("clock.session_start", "drug arrays (where the run samples the schedules)"),
    *(RunTimeField(f"drugs.receptor_plasticity.{name}", "receptor-state arrays")
      for name in ("history_start", "step", "constants")),
    RunTimeField("protocol.concentrations", "one run of the binary per entry", per_layout=True),
)


def is_run_time(path: str) -> bool:
    """Whether the experiment path ``path`` (e.g. ``drugs.allo.amygdala``) lies in a run-time
    field."""
    return any(path == f.path or path.startswith(f.path + ".") for f in RUN_TIME_FIELDS)


def without_run_time(experiment: dict[str, Any], layout: bool = False) -> dict[str, Any]:
    """A copy of the plain-data ``experiment`` without its run-time fields: what decides the
    compiled binary, or, with ``layout``, the binary's run layout (``per_layout`` fields kept).
    Fields the experiment lacks (``protocol.concentrations`` of a fear protocol) are skipped."""
    out = copy.deepcopy(experiment)
    for field in RUN_TIME_FIELDS:
        if layout and field.per_layout:
            continue
        *parents, leaf = field.path.split(".")
        node: Any = out
        for parent in parents:
            node = node.get(parent) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(leaf, None)
    return out
