"""Which spec fields are run-time values: the one list the engine, the protocols and the sweep
read.

A compiled standalone binary takes these fields' values on its command line (or never sees them),
so runs that differ only in them share the binary: the sweep puts them in one structure group,
and a stored run layout (:mod:`allonet.engine.cached_binary`) serves them without rebuilding
the model. Experiment fields are :data:`RUN_TIME_FIELDS`; network fields (weights, time
constants, rates, membrane and plasticity constants) are :data:`NETWORK_RUN_TIME_FIELDS`, whose
Brian2 variables :mod:`allonet.model.parameters` names.
Every other field (a population size, a connection rule, a delay, a protocol phase, the device)
is structure.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from typing import Any

from allonet.pharmacology import DRUGS
from allonet.spec.experiment import ExperimentSpec
from allonet.units import split_quantity


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


@dataclass(frozen=True)
class NetworkRunTimeField:
    """Network fields, by a pattern of their dotted path (``*``: any one name), whose values a
    compiled model takes at run time."""

    pattern: str
    #: whether the value is zero is structure (a zero spread adds no random draw to the code),
    #: only a nonzero value is run-time
    zero_is_structure: bool = False


def _fields(prefix: str, names: str, zero_is_structure: bool = False
            ) -> tuple[NetworkRunTimeField, ...]:
    return tuple(NetworkRunTimeField(f"{prefix}.{name}", zero_is_structure)
                 for name in names.split())


NETWORK_RUN_TIME_FIELDS: tuple[NetworkRunTimeField, ...] = (
    *_fields("populations.*.params", "C gL EL VT Vr refractory DeltaT a b tau_w V_peak"),
    *_fields("populations.*.tonic", "g0 E"),
    *_fields("populations.*.background.*", "weight n rate"),
    *_fields("populations.*.coincidence", "alpha depression tau_c tau_h c_u h_u window w_min "
                                          "w_max w_cs w_cs_sd w_ctx w_ctx_sd"),
    *_fields("populations.*.coincidence", "context_depression", zero_is_structure=True),
    *_fields("synapses.*", "E tau0 tau_rise tau_decay mg"),
    *_fields("projections.*", "weight"),
    *_fields("projections.*", "weight_sd", zero_is_structure=True),
    *_fields("inputs.*", "rate"),
)
#: What a run-time network value becomes in the structure (its place is kept, not its value).
RUN_TIME_MARK = "<run-time>"


_EXPERIMENT_FIELDS = frozenset(ExperimentSpec.model_fields)
#: One pattern for every run-time field, each an alternative named by its index (one match per
#: path instead of one per field: a network has ~1,500 paths).
_PATTERN = re.compile("|".join(
    f"(?P<f{k}>{re.escape(f.pattern).replace(r'\*', r'[^.]+')}$)"
    for k, f in enumerate(NETWORK_RUN_TIME_FIELDS)))


@functools.lru_cache(maxsize=4096)
def _network_field(path: str) -> NetworkRunTimeField | None:
    match = _PATTERN.match(path)
    return None if match is None else NETWORK_RUN_TIME_FIELDS[int(match.lastgroup[1:])]


def is_run_time(path: str) -> bool:
    """Whether the override path ``path`` lies in a run-time field whatever its value: an
    experiment path (``drugs.allo.amygdala``) or a network one (``projections.LA_CeM.weight``,
    also with the prefix ``network.``). Fields where zero is structure are not."""
    head, _, rest = path.partition(".")
    if head == "network" or head not in _EXPERIMENT_FIELDS:
        field = _network_field(rest if head == "network" else path)
        return field is not None and not field.zero_is_structure
    return any(path == f.path or path.startswith(f.path + ".") for f in RUN_TIME_FIELDS)


def network_without_run_time(network: dict[str, Any]) -> dict[str, Any]:
    """A copy of the plain-data ``network`` with each run-time value replaced by
    :data:`RUN_TIME_MARK` (a zero kept where zero is structure): what decides the code."""
    out = copy.deepcopy(network)

    def walk(node: Any, path: str) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            here = f"{path}.{key}" if path else str(key)
            field = _network_field(here)
            if isinstance(value, dict) or (isinstance(value, list) and value
                                           and isinstance(value[0], dict)):
                walk(value, here)
            elif field is not None and value is not None and not (
                    field.zero_is_structure and _is_zero(value)):
                node[key] = RUN_TIME_MARK

    walk(out, "")
    return out


def network_structure(network: Any) -> dict[str, Any]:
    """:func:`network_without_run_time` of a ``NetworkSpec``: the network's part of a model's
    structure."""
    return network_without_run_time(network.model_dump(mode="json"))


def _is_zero(value: Any) -> bool:
    """A plain-data field value (``"0 nS"``, ``0.0``) that is zero."""
    split = split_quantity(value)
    return split is not None and split[0] == 0.0


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
