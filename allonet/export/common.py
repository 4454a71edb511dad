"""What both exports take from a run file: spike trains per neuron, drug levels, phases, files.

Times in s, concentrations in nM. Pure functions of a :class:`~allonet.store.RunFile`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from allonet.errors import UserError
from allonet.pharmacology import DRUGS, Drug
from allonet.store import RunFile, check_writable, read_run


@dataclass(frozen=True)
class Neuron:
    """One recorded neuron: population, index in it, region and subgroup ('' if none)."""

    population: str
    index: int
    region: str
    subgroup: str


def load_run(path: Path) -> RunFile:
    """Read a run file; UserError (one line) when it is missing or not a run file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    try:
        return read_run(path)
    except (OSError, ValueError, KeyError) as error:
        raise UserError(f"{path}: not a readable allonet run file "
                        f"({' '.join(str(error).split())})") from None


def populations(run: RunFile) -> list[str]:
    """Populations with spikes, in network-spec order."""
    recorded = {k.split("/")[1] for k in run.data
                if k.startswith("spikes/") and k.endswith("/timestamps")}
    order = list(run.spec.get("network", {}).get("populations", {}))
    return [p for p in order if p in recorded] + sorted(recorded - set(order))


def population_spec(run: RunFile, population: str) -> dict:
    """The network-spec entry of ``population`` (empty if absent)."""
    return run.spec.get("network", {}).get("populations", {}).get(population, {}) or {}


def size(run: RunFile, population: str) -> int:
    """Number of neurons in ``population`` (spec, else the highest spiking index + 1)."""
    spec = population_spec(run, population)
    if "n" in spec:
        return int(spec["n"])
    ids = run.data[f"spikes/{population}/node_ids"]
    return int(ids.max()) + 1 if ids.size else 0


def neurons(run: RunFile, population: str) -> list[Neuron]:
    """Every neuron of ``population`` with its region and subgroup."""
    spec = population_spec(run, population)
    groups = np.full(size(run, population), "", dtype=object)
    for name, (first, last) in (spec.get("subgroups") or {}).items():
        groups[int(first):int(last)] = name
    region = str(spec.get("region", ""))
    return [Neuron(population, k, region, str(groups[k])) for k in range(groups.size)]


def spike_trains(run: RunFile, population: str, condition: int | None = None
                 ) -> list[np.ndarray]:
    """Sorted spike times (s) of each neuron of ``population`` (optionally of one condition)."""
    times = np.asarray(run.data[f"spikes/{population}/timestamps"], dtype=float)
    ids = np.asarray(run.data[f"spikes/{population}/node_ids"]).astype(np.int64)
    cond_key = f"spikes/{population}/condition"
    if condition is not None and cond_key in run.data:
        keep = run.data[cond_key] == condition
        times, ids = times[keep], ids[keep]
    order = np.lexsort((times, ids))
    times, ids = times[order], ids[order]
    bounds = np.searchsorted(ids, np.arange(size(run, population) + 1))
    return [times[bounds[k]:bounds[k + 1]] for k in range(bounds.size - 1)]


def conditions(run: RunFile) -> list[int]:
    """Condition indices of a multi-condition run (one per ``conditions/*`` row), else []."""
    columns = run.table("conditions")
    return list(range(len(next(iter(columns.values()))))) if columns else []


def drug_regions(run: RunFile, drug: Drug) -> list[str]:
    """Regions with a recorded concentration of ``drug``."""
    return sorted({k.split("/")[1] for k in run.data
                   if k.startswith(f"{drug.key}/") and k.endswith("/concentration")})


def recorded_drugs() -> list[Drug]:
    """The registered drugs whose concentrations run files record (``Drug.recorded``)."""
    return [drug for drug in DRUGS.values() if drug.recorded]


def drug_mean(run: RunFile, drug: Drug, region: str, start: float | None = None,
              stop: float | None = None) -> float:
    """Mean concentration (nM) of ``drug`` in ``region`` between ``start`` and ``stop`` (s,
    simulation clock); NaN when the region has no record."""
    key = f"{drug.key}/{region}/concentration"
    if key not in run.data:
        return float("nan")
    c = np.asarray(run.data[key], dtype=float)
    t = run.data.get(f"{drug.key}/{region}/t_sim")
    if t is None or start is None or stop is None or t.shape != c.shape:
        return float(np.mean(c)) if c.size else float("nan")
    inside = (t >= start) & (t < stop)
    if not inside.any():
        inside = np.zeros(t.size, bool)
        inside[max(0, int(np.searchsorted(t, start, side="right")) - 1)] = True
    return float(np.mean(c[inside]))


def region_means(run: RunFile, drug: Drug, start: float | None = None,
                 stop: float | None = None) -> dict[str, float]:
    """:func:`drug_mean` of every region with a record of ``drug``."""
    return {r: drug_mean(run, drug, r, start, stop) for r in drug_regions(run, drug)}


def drug_summary(run: RunFile) -> str:
    """Per recorded drug, one line per region: its schedule (spec) and the range used (nM)."""
    drugs = run.spec.get("experiment", {}).get("drugs", {})
    summaries = []
    for drug in recorded_drugs():
        default = (f"default {drugs.get(drug.default_field, '?')}" if drug.default_field
                   else "default 0 nM")
        lines = []
        for region in drug_regions(run, drug):
            c = run.data[f"{drug.key}/{region}/concentration"]
            given = drugs.get(drug.spec_field, {}).get(region, default)
            lines.append(f"{region}: {given}; used {np.min(c):.4g}-{np.max(c):.4g} nM "
                         f"(mean {np.mean(c):.4g} nM)")
        summaries.append(f"{drug.name}, bath-equivalent concentration per region: "
                         + ("; ".join(lines) if lines else "none recorded"))
    return " | ".join(summaries)


def phases(run: RunFile) -> list[tuple[str, str, float, float]]:
    """(name, context, start, stop) of every protocol phase (s); empty for runs without."""
    if "phases/name" not in run.data:
        return []
    contexts = run.data.get("phases/context", np.full(len(run.data["phases/name"]), ""))
    return [(str(n), str(c), float(a), float(b)) for n, c, a, b in
            zip(run.data["phases/name"], contexts, run.data["phases/start"],
                run.data["phases/stop"], strict=True)]


def session_stop(run: RunFile) -> float:
    """End of the simulated session (s): last phase stop, else the last spike or trace time."""
    if "phases/stop" in run.data:
        return float(np.max(run.data["phases/stop"]))
    ends = [float(np.max(v)) for k, v in run.data.items()
            if (k.endswith("/timestamps") or k == "traces/t") and v.size]
    return max(ends, default=0.0)


def tables(run: RunFile, prefix: str) -> Iterator[tuple[str, dict[str, np.ndarray]]]:
    """Every table directly under ``prefix/`` (e.g. ``readouts``): (name, columns)."""
    names = sorted({k.split("/")[1] for k in run.data
                    if k.startswith(prefix + "/") and k.count("/") == 2})
    for name in names:
        yield name, run.table(f"{prefix}/{name}")


def write_atomic(path: Path, overwrite: bool, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp)`` then rename ``tmp`` to ``path``: a killed export leaves no file."""
    path = Path(path)
    check_writable(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".allonet-export-{path.name}.{os.getpid()}{path.suffix}")
    try:
        writer(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
