"""Export a run file to Neo, for Elephant and the other tools built on Neo.

The :class:`neo.Block` has one :class:`neo.Segment` per protocol phase (runs without phases, such
as the IPSC dose-response: one per condition, else one for the whole run). Each segment holds one
:class:`neo.SpikeTrain` per neuron of every recorded population, spike times in s with the
segment's ``t_start`` / ``t_stop`` (spikes in ``[t_start, t_stop)``; spikes outside every phase,
e.g. during the settling period, are in no segment), annotated with ``population``, ``neuron``
(index within the population), ``region``, ``subgroup`` and, per recorded drug of the drug
registry, ``<drug key>_nM`` (e.g. ``allo_nM``: the region's mean concentration during the
segment). CS and US presentations are :class:`neo.Epoch` objects of their segment, and
one :class:`neo.Group` per population collects its spike trains across segments. Sampled traces
become :class:`neo.AnalogSignal` objects.

Files: ``.pkl`` (Neo's PickleIO, needs nothing more) or ``.nix`` (NixIO, needs ``nixio``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from allonet.errors import UserError
from allonet.export import common
from allonet.store import RunFile

#: File suffixes :func:`write_neo` understands.
SUFFIXES = (".pkl", ".nix")


def _neo():
    try:
        import neo
        import quantities
    except ImportError:
        raise UserError("Neo export needs neo: pip install 'allonet[neo]'") from None
    return neo, quantities


def to_neo(run: RunFile):  # -> neo.Block (neo is optional)
    """Build the :class:`neo.Block` of ``run``."""
    neo, pq = _neo()
    exp = run.spec.get("experiment", {})
    block = neo.Block(name=str(exp.get("name", "allonet run")),
                      description=" ".join(str(exp.get("description", "")).split()),
                      file_origin=str(run.path), **_block_annotations(run))
    groups = {pop: neo.Group(name=pop, allowed_types=[neo.SpikeTrain])
              for pop in common.populations(run)}
    trains = {}  # (population, condition) -> spike times of each neuron, computed once
    for segment_spec in _segments(run):
        block.segments.append(_segment(run, segment_spec, groups, trains, neo, pq))
    block.groups.extend(groups.values())
    block.check_relationships()
    return block


def write_neo(run: RunFile, path: Path, overwrite: bool = False) -> Path:
    """Write ``run`` as a Neo file (``.pkl`` or ``.nix``) at ``path``, atomically."""
    neo, _ = _neo()
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise UserError(f"{path}: Neo output must end in {' or '.join(SUFFIXES)}")
    if path.suffix == ".nix":
        try:
            import nixio  # noqa: F401
        except ImportError:
            raise UserError(f"{path}: .nix output needs nixio (pip install nixio); "
                            "or write .pkl") from None
    block = to_neo(run)

    def writer(tmp: Path) -> None:
        io = neo.io.NixIO(str(tmp), mode="ow") if path.suffix == ".nix" else \
            neo.io.PickleIO(str(tmp))
        try:
            io.write_block(block)
        finally:
            if hasattr(io, "close"):
                io.close()

    return common.write_atomic(path, overwrite, writer)


def _block_annotations(run: RunFile) -> dict:
    versions = run.attrs.get("versions", {}) or {}
    means = {f"{d.key}_mean_nM": json.dumps(common.region_means(run, d))
             for d in common.recorded_drugs()}
    return {"simulator": f"allonet {versions.get('allonet', '?')} / Brian2 "
                         f"{versions.get('brian2', '?')}",
            "seed": int(run.attrs.get("seed", -1)), "device": str(run.attrs.get("device", "")),
            "git_commit": str(run.attrs.get("git_commit", "")),
            "created_utc": str(run.attrs.get("created_utc", "")),
            **means, "pharmacology": common.drug_summary(run),
            "spec": json.dumps(run.spec, sort_keys=True),
            "overrides": json.dumps(run.overrides)}


def _segments(run: RunFile) -> list[dict]:
    """What each segment covers: name, context, [start, stop) (s), condition (or None)."""
    phases = common.phases(run)
    if phases:
        return [{"name": n, "context": c, "start": a, "stop": b, "condition": None}
                for n, c, a, b in phases]
    stop = common.session_stop(run)
    conds = common.conditions(run)
    if conds:
        table = run.table("conditions")
        return [{"name": "condition " + ", ".join(f"{k}={table[k][i]}" for k in table),
                 "context": "", "start": 0.0, "stop": _condition_stop(run, stop),
                 "condition": i} for i in conds]
    return [{"name": "run", "context": "", "start": 0.0, "stop": stop, "condition": None}]


def _condition_stop(run: RunFile, fallback: float) -> float:
    """Duration of one condition (s): the protocol duration, else the trace end."""
    if "traces/t" in run.data and run.data["traces/t"].size:
        t = run.data["traces/t"]
        return float(t[-1] + (t[1] - t[0] if t.size > 1 else 0.0))
    return max(fallback, 1e-9)


def _segment(run: RunFile, spec: dict, groups: dict, trains: dict, neo, pq):
    start, stop = spec["start"], spec["stop"]
    segment = neo.Segment(name=spec["name"], description=f"context {spec['context'] or 'none'}",
                          phase=spec["name"], context=spec["context"])
    means = {d.key: common.region_means(run, d, start, stop) for d in common.recorded_drugs()}
    t_start, t_stop = start * pq.s, stop * pq.s
    for pop in common.populations(run):
        cond = spec["condition"] if f"spikes/{pop}/condition" in run.data else None
        if (pop, cond) not in trains:
            trains[pop, cond] = common.spike_trains(run, pop, cond)
        for neuron, times in zip(common.neurons(run, pop), trains[pop, cond], strict=True):
            inside = times[(times >= start) & (times < stop)]
            train = neo.SpikeTrain(
                inside, units="s", t_start=t_start, t_stop=t_stop,
                name=f"{pop}[{neuron.index}]", population=pop, neuron=neuron.index,
                region=neuron.region, subgroup=neuron.subgroup,
                **{f"{key}_nM": m.get(neuron.region, float("nan")) for key, m in means.items()})
            segment.spiketrains.append(train)
            groups[pop].add(train)
    for epoch in _epochs(run, spec, neo, pq):
        segment.epochs.append(epoch)
    for signal in _signals(run, spec, neo, pq):
        segment.analogsignals.append(signal)
    return segment


def _epochs(run: RunFile, spec: dict, neo, pq) -> list:
    d = run.data
    if "epochs/cs_start" not in d or spec["condition"] is not None:
        return []
    rows = d["epochs/phase"] == spec["name"]
    out = []
    cs = neo.Epoch(times=d["epochs/cs_start"][rows] * pq.s,
                   durations=(d["epochs/cs_stop"] - d["epochs/cs_start"])[rows] * pq.s,
                   labels=np.array([f"CS {int(k)}" for k in d["epochs/trial"][rows]]),
                   name="CS")
    out.append(cs)
    us = rows & np.isfinite(d["epochs/us_start"]) & (d["epochs/us_stop"] > d["epochs/us_start"])
    if us.any():
        out.append(neo.Epoch(times=d["epochs/us_start"][us] * pq.s,
                             durations=(d["epochs/us_stop"] - d["epochs/us_start"])[us] * pq.s,
                             labels=np.array([f"US {int(k)}" for k in d["epochs/trial"][us]]),
                             name="US"))
    return out


def _signals(run: RunFile, spec: dict, neo, pq) -> list:
    if spec["condition"] is None or "traces/t" not in run.data:
        return []
    t = run.data["traces/t"]
    out = []
    for key, values in run.data.items():
        parts = key.split("/")
        if len(parts) != 3 or parts[0] != "traces" or values.ndim != 3 or t.size < 2:
            continue
        unit = run.units.get(key) or "dimensionless"
        out.append(neo.AnalogSignal(values[spec["condition"]].T, units=_pq_unit(unit, pq),
                                    sampling_period=(t[1] - t[0]) * pq.s, t_start=t[0] * pq.s,
                                    name=f"{parts[1]} {parts[2]}", population=parts[1]))
    return out


def _pq_unit(unit: str, pq):
    try:
        return pq.Quantity(1.0, unit).units
    except (LookupError, ValueError):
        return pq.dimensionless
