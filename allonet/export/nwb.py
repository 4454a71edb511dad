"""Export a run file to NWB (Neurodata Without Borders) with pynwb.

What goes where:

- **Units** table: one row per neuron of every recorded population, ``spike_times`` in seconds of
  simulation time, columns ``population``, ``neuron_index`` (index within the population, as the
  run file's ``node_ids``), ``region``, ``subgroup`` and, per recorded drug (``Drug.recorded``
  of the drug registry), ``<drug key>_nM`` (the region's mean concentration, e.g. ``allo_nM``);
  multi-condition runs (IPSC dose-response) add ``condition``.
- **epochs**: one per protocol phase (tags: phase, context); **trials**: one per CS presentation
  (phase, trial, context, CS and US times); extra interval tables ``CS``, ``US``, ``contexts``.
- **stimulus**: the concentration (nM) of each recorded drug in each region over simulation time
  (``<drug label>_<region>``, e.g. ``ALLO_amygdala``); the biological clock is given in the
  series' comments.
- **analysis**: every ``readouts/*`` table (``readouts_<name>``) and the ``conditions`` table;
  **processing/misc**: weights (S) of each plastic population, one row per sample time.
- **acquisition**: sampled traces (e.g. IPSC clamp currents), one series per condition.
- metadata: the simulator (``was_generated_by``: allonet, Brian2), the fully resolved specs and
  overrides (``notes``, JSON), the protocol (``protocol``), drugs per region (``pharmacology``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import numpy as np

from allonet.errors import UserError
from allonet.export import common
from allonet.store import RunFile

KEYWORDS = ["allopregnanolone", "GABA-A receptor", "spiking network model", "Brian2",
            "amygdala", "hippocampus", "fear conditioning", "extinction"]


def _pynwb():
    try:
        import pynwb
    except ImportError:
        raise UserError("NWB export needs pynwb: pip install 'allonet[nwb]'") from None
    return pynwb


def to_nwb(run: RunFile):  # -> pynwb.NWBFile (pynwb is optional)
    """Build the in-memory ``NWBFile`` of ``run``."""
    pynwb = _pynwb()
    exp = run.spec.get("experiment", {})
    nwb = pynwb.NWBFile(
        session_description=_one_line(exp.get("description") or exp.get("name", "allonet run")),
        identifier=_identifier(run),
        session_start_time=_start_time(run),
        experiment_description=f"allonet simulation of experiment {exp.get('name', '?')} "
                               f"(protocol {exp.get('protocol', {}).get('kind', '?')})",
        session_id=f"{exp.get('name', 'run')}-seed{run.attrs.get('seed', '?')}",
        keywords=KEYWORDS,
        notes=json.dumps({"spec": run.spec, "overrides": run.overrides}, sort_keys=True),
        protocol=json.dumps(exp.get("protocol", {}), sort_keys=True),
        pharmacology=common.drug_summary(run),
        data_collection=_collection(run),
        source_script=f"allonet run {run.attrs.get('spec_file', '?')} "
                      + " ".join(f"--set {o}" for o in run.overrides),
        source_script_file_name=str(run.attrs.get("spec_file", "unknown")),
        was_generated_by=_generators(run),
        subject=pynwb.file.Subject(
            subject_id=f"model-{exp.get('network', 'network').split('/')[-1].split('.')[0]}",
            description="simulated spiking network, no animal; age is that of the adult "
                        "rodents its parameters come from",
            sex="U", age="P8W/"),
    )
    nwb.units = pynwb.misc.Units(name="units", resolution=_resolution(run),
                                 description="spike times (s) of every simulated neuron")
    _add_units(nwb, run)
    _add_intervals(nwb, run)
    _add_drugs(nwb, run, pynwb)
    _add_tables(nwb, run, "readouts", "readout tables computed by allonet from this run")
    _add_tables(nwb, run, "conditions", "one row per condition (e.g. a drug concentration)")
    _add_weights(nwb, run)
    _add_traces(nwb, run, pynwb)
    return nwb


def write_nwb(run: RunFile, path: Path, overwrite: bool = False) -> Path:
    """Write ``run`` as an NWB file at ``path`` (atomically; refuses to replace without
    ``overwrite``)."""
    pynwb = _pynwb()
    nwb = to_nwb(run)

    def writer(tmp: Path) -> None:
        with pynwb.NWBHDF5IO(str(tmp), "w") as io:
            io.write(nwb)

    return common.write_atomic(path, overwrite, writer)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _identifier(run: RunFile) -> str:
    key = ":".join(str(run.attrs.get(k, "")) for k in ("experiment", "seed", "created_utc",
                                                       "git_commit", "host"))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"allonet:{key}"))


def _start_time(run: RunFile) -> dt.datetime:
    """When the run was made (its ``created_utc``), timezone-aware."""
    try:
        return dt.datetime.fromisoformat(str(run.attrs["created_utc"]))
    except (KeyError, ValueError):
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _collection(run: RunFile) -> str:
    net = run.spec.get("network", {})
    dt_text = net.get("integration", {}).get("dt", "?")
    return (f"simulated with Brian2 {run.attrs.get('versions', {}).get('brian2', '?')} on device "
            f"{run.attrs.get('device', '?')}, dt {dt_text}, seed {run.attrs.get('seed', '?')}, "
            f"network {net.get('name', '?')}, allonet commit {run.attrs.get('git_commit', '?')}, "
            f"host {run.attrs.get('host', '?')}, wall time "
            f"{float(run.attrs.get('wall_time_s', float('nan'))):.1f} s")


def _resolution(run: RunFile) -> float:
    """Spike-time resolution (s): the integration step of the network."""
    from allonet.units import to_seconds

    try:
        return to_seconds(run.spec["network"]["integration"]["dt"])
    except (KeyError, ValueError, TypeError):
        return -1.0  # NWB's "unknown"


def _generators(run: RunFile) -> list[tuple[str, str]]:
    versions = run.attrs.get("versions", {}) or {}
    return [("allonet", str(versions.get("allonet", "unknown"))),
            ("brian2", str(versions.get("brian2", "unknown")))]


def _add_units(nwb, run: RunFile) -> None:
    conds = common.conditions(run) if any(
        f"spikes/{p}/condition" in run.data for p in common.populations(run)) else []
    nwb.add_unit_column("population", "population (neuron group) of the network spec")
    nwb.add_unit_column("neuron_index", "index of the neuron within its population "
                                        "(node_ids of the run file)")
    nwb.add_unit_column("region", "brain region of the population (drugs are set per region)")
    nwb.add_unit_column("subgroup", "named subgroup of the population (e.g. fear, extinction); "
                                    "empty if none")
    drugs = common.recorded_drugs()
    for drug in drugs:
        nwb.add_unit_column(f"{drug.key}_nM", f"mean {drug.label} concentration of the region "
                                              f"over the run (nM)")
    if conds:
        nwb.add_unit_column("condition", "condition row (conditions table) of these spikes")
    means = {drug.key: common.region_means(run, drug) for drug in drugs}
    for pop in common.populations(run):
        for cond in conds or [None]:
            trains = common.spike_trains(run, pop, cond)
            for neuron, times in zip(common.neurons(run, pop), trains, strict=True):
                extra = {f"{key}_nM": m.get(neuron.region, float("nan"))
                         for key, m in means.items()}
                extra |= {"condition": int(cond)} if cond is not None else {}
                nwb.add_unit(spike_times=times, population=pop, neuron_index=neuron.index,
                             region=neuron.region, subgroup=neuron.subgroup, **extra)


def _add_intervals(nwb, run: RunFile) -> None:
    from pynwb.epoch import TimeIntervals

    phases = common.phases(run)
    if phases:
        nwb.add_epoch_column("phase", "protocol phase")
        nwb.add_epoch_column("context", "context (environment) present during the phase")
        for name, context, start, stop in phases:
            nwb.add_epoch(start_time=start, stop_time=stop, tags=[name, f"context {context}"],
                          phase=name, context=context)
        contexts = TimeIntervals(name="contexts", description="context (environment) input on")
        contexts.add_column("context", "context name")
        for _, context, start, stop in phases:
            if context:
                contexts.add_interval(start, stop, context=context)
        if len(contexts):
            nwb.add_time_intervals(contexts)
    if "epochs/cs_start" in run.data:
        _add_trials(nwb, run)


def _add_trials(nwb, run: RunFile) -> None:
    from pynwb.epoch import TimeIntervals

    d = run.data
    us = np.isfinite(d["epochs/us_start"]) & (d["epochs/us_stop"] > d["epochs/us_start"])
    columns = [("phase", "protocol phase"), ("trial", "CS number within the phase"),
               ("context", "context of the phase"), ("cs_start", "CS onset (s)"),
               ("cs_stop", "CS offset (s)"), ("has_us", "whether a US was paired with this CS")]
    if us.any():
        columns += [("us_start", "US onset (s); NaN without US"),
                    ("us_stop", "US offset (s); NaN without US")]
    for column, text in columns:
        nwb.add_trial_column(column, text)
    cs = TimeIntervals(name="CS", description="conditioned stimulus (tone) presentations")
    cs.add_column("phase", "protocol phase")
    cs.add_column("trial", "CS number within the phase")
    us_table = TimeIntervals(name="US", description="unconditioned stimulus (shock)")
    us_table.add_column("phase", "protocol phase")
    us_table.add_column("trial", "CS number within the phase")
    for k in range(len(d["epochs/cs_start"])):
        start, stop = float(d["epochs/cs_start"][k]), float(d["epochs/cs_stop"][k])
        us_start = float(d["epochs/us_start"][k]) if us[k] else float("nan")
        us_stop = float(d["epochs/us_stop"][k]) if us[k] else float("nan")
        phase, trial = str(d["epochs/phase"][k]), int(d["epochs/trial"][k])
        extra = {"us_start": us_start, "us_stop": us_stop} if us.any() else {}
        nwb.add_trial(start_time=start, stop_time=max(stop, us_stop if us[k] else stop),
                      phase=phase, trial=trial, context=str(d["epochs/context"][k]),
                      cs_start=start, cs_stop=stop, has_us=bool(us[k]), **extra)
        cs.add_interval(start, stop, phase=phase, trial=trial)
        if us[k]:
            us_table.add_interval(us_start, us_stop, phase=phase, trial=trial)
    nwb.add_time_intervals(cs)
    if len(us_table):
        nwb.add_time_intervals(us_table)


def _add_drugs(nwb, run: RunFile, pynwb) -> None:
    clock = run.spec.get("experiment", {}).get("clock", {})
    for drug in common.recorded_drugs():
        for region in common.drug_regions(run, drug):
            c = np.asarray(run.data[f"{drug.key}/{region}/concentration"], dtype=float)
            t = run.data.get(f"{drug.key}/{region}/t_sim")
            comments = (f"biological clock: t_bio = {clock.get('session_start', '0 h')} + "
                        f"{clock.get('time_scale', 1.0)} x t_sim ({drug.key}/{region}/t_bio in "
                        f"the run file)")
            nwb.add_stimulus(pynwb.TimeSeries(
                name=f"{drug.label}_{region}", data=c, unit="nM", comments=comments,
                description=f"{drug.name} concentration in region {region} (bath-equivalent)",
                **_timing(t, c.shape[0])))


def _timing(t: np.ndarray | None, n: int) -> dict:
    """``rate`` + ``starting_time`` for regular samples, else ``timestamps`` (s)."""
    if t is None or t.shape[0] != n:
        return {"rate": 1.0, "starting_time": 0.0}
    if n > 1 and np.allclose(np.diff(t), t[1] - t[0], rtol=1e-6, atol=1e-12) and t[1] > t[0]:
        return {"rate": float(1.0 / (t[1] - t[0])), "starting_time": float(t[0])}
    if n == 1:
        return {"rate": 1.0, "starting_time": float(t[0])}
    return {"timestamps": np.asarray(t, dtype=float)}


def _add_tables(nwb, run: RunFile, prefix: str, description: str) -> None:
    from hdmf.common import DynamicTable, VectorData

    found = list(common.tables(run, prefix)) if prefix != "conditions" else \
        ([("conditions", run.table("conditions"))] if run.table("conditions") else [])
    if not found:
        return
    for name, columns in found:
        vectors = []
        for column, values in columns.items():
            unit = run.units.get(f"{prefix}/{name}/{column}" if prefix != "conditions"
                                 else f"conditions/{column}", "")
            data = [str(v) for v in values] if values.dtype.kind in "UO" else values
            vectors.append(VectorData(name=column, data=data,
                                      description=f"{column} ({_unit_text(unit)})"))
        nwb.add_analysis(DynamicTable(
            name=name if prefix == "conditions" else f"{prefix}_{name}", columns=vectors,
            description=f"{prefix}/{name} of the run file: {description}"))


def _unit_text(unit: str) -> str:
    return {"1": "dimensionless", "str": "text", "": "no unit"}.get(unit, unit)


def _add_weights(nwb, run: RunFile) -> None:
    """Weights per plastic population as a table: one row per sample time, each row the weight
    of every neuron (S)."""
    from hdmf.common import DynamicTable, VectorData

    pops = sorted({k.split("/")[1] for k in run.data
                   if k.startswith("weights/") and k.endswith("/t")})
    if not pops:
        return
    module = nwb.create_processing_module("misc", "synaptic weights of the plastic "
                                                  "populations, sampled over the session")
    for pop in pops:
        columns = [VectorData(name="t", data=run.data[f"weights/{pop}/t"],
                              description="sample time (s, simulation clock)")]
        for var, what in (("w_cs", "CS"), ("w_ctx", "context")):
            columns.append(VectorData(name=var, data=run.data[f"weights/{pop}/{var}"],
                                      description=f"{what} input weight onto each {pop} neuron, "
                                                  "indexed by neuron_index (S)"))
        module.add(DynamicTable(name=f"{pop}_weights", columns=columns,
                                description=f"plastic weights of {pop}, one row per sample"))


def _add_traces(nwb, run: RunFile, pynwb) -> None:
    if "traces/t" not in run.data:
        return
    t = run.data["traces/t"]
    for key, values in run.data.items():
        parts = key.split("/")
        if len(parts) != 3 or parts[0] != "traces" or values.ndim != 3:
            continue
        for cond in range(values.shape[0]):
            nwb.add_acquisition(pynwb.TimeSeries(
                name=f"{parts[1]}_{parts[2]}_condition{cond}",
                data=np.ascontiguousarray(values[cond].T), unit=run.units.get(key) or "n/a",
                description=f"{parts[2]} of {parts[1]} neurons (time x neuron), condition "
                            f"{cond} (conditions table)", **_timing(t, t.shape[0])))
