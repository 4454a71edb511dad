"""Every shipped study and sweep spec expands, and every one of its points resolves to a valid
experiment (no simulation): a typo in a study is caught here, not hours into a cluster run."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from allonet.spec.loading import load_experiment
from allonet.sweep.manifest import build_manifest
from allonet.sweep.spec import experiment_path, load_sweep
from conftest import REPO

SPECS = sorted((REPO / "experiments" / "studies").glob("*.yaml")) + sorted(
    (REPO / "experiments" / "sweeps").glob("*.yaml"))


def _is_sweep(path: Path) -> bool:
    text = path.read_text()
    return "experiment:" in text and "parameters:" in text


@pytest.mark.parametrize("path", [p for p in SPECS if _is_sweep(p)], ids=lambda p: p.stem)
def test_every_point_of_a_study_resolves(path):
    spec = load_sweep(path)
    manifest = build_manifest(spec, path)
    assert manifest.points
    invalid = [p.index for p in manifest.points if p.group.startswith("invalid")]
    assert invalid == [], invalid
    experiment = experiment_path(spec, path)
    for point in manifest.points[:: max(1, len(manifest.points) // 8)]:
        load_experiment(experiment, point.overrides)


def _readout_columns(experiment: Path, overrides: list[str]) -> set[str]:
    """The index.csv readout columns a run of ``experiment`` produces: the protocol's own readout
    code on a run without spikes (timeline, ALLO and weight arrays shaped as a run has them)."""
    from allonet.protocols import fear_conditioning as fear
    from allonet.protocols.schedule import timeline

    specs = load_experiment(experiment, overrides)
    net = specs.network
    if specs.experiment.protocol.kind == "background":
        return _background_readout_columns(specs)
    if specs.experiment.protocol.kind == "ipsc_dose_response":
        return _ipsc_readout_columns(specs)
    line = timeline(specs.experiment.protocol)
    drugs, step = fear.drug_arrays(specs, line.duration)
    plastic = [name for name, pop in net.populations.items() if pop.coincidence is not None]
    result = {f"{name}/{key}": np.zeros(0) for name in net.populations for key in ("t", "i")}
    samples = np.arange(0.0, line.duration, 0.1)
    for name in plastic:
        result |= {f"{name}/w_t": samples} | {
            f"{name}/{w}": np.zeros((samples.size, net.populations[name].n))
            for w in ("w_cs", "w_ctx")}
    data = {k: v.data for k, v in fear._datasets(specs, line, result, drugs, step, plastic).items()}
    data |= {"stress/t_sim": samples, "stress/intensity": np.zeros(samples.size)}
    return _flattened(fear.readouts, specs, data)


def _flattened(readouts, specs, data: dict[str, np.ndarray],
               conditions: frozenset[str] = frozenset()) -> set[str]:
    """The index columns of the readout tables ``readouts(specs, data)`` computes
    (``conditions``: the run's ``/conditions`` columns)."""
    from allonet.sweep.index import flatten_table

    tables: dict[str, dict[str, np.ndarray]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no spikes: empty means
        for key, column in readouts(specs, data).items():
            _, table, name = key.split("/")
            tables.setdefault(table, {})[name] = np.asarray(column.data)
    return {c for name, table in tables.items()
            for c in flatten_table(name, table, conditions=conditions)}


def _ipsc_readout_columns(specs) -> set[str]:
    """The index.csv readout columns of an ``ipsc_dose_response`` run: its readout code on
    exponential IPSCs (10 ms decay after a 20 ms onset) at each concentration and profile."""
    from allonet.protocols import ipsc_dose_response as ipsc
    from allonet.units import to_nM

    proto = specs.experiment.protocol
    t = np.arange(0.0, 0.1, 1e-4)
    trace = np.where(t > 0.02, np.exp(-(t - 0.02) / 0.01), 0.0)
    shape = (len(proto.concentrations), len(proto.profiles), t.size)
    data = {"traces/t": t, f"traces/{proto.target}/I_clamp": np.broadcast_to(trace, shape),
            f"conditions/{ipsc.SWEPT_COLUMN}": np.array([to_nM(c) for c in proto.concentrations])}
    return _flattened(lambda specs, data: ipsc.readouts(data, proto, onset=0.02), specs, data,
                      frozenset({ipsc.SWEPT_COLUMN}))


def _background_readout_columns(specs) -> set[str]:
    """The index.csv readout columns of a ``background`` run: its readout code on a run
    without spikes and with a flat LFP proxy."""
    from allonet.protocols import background
    from allonet.units import to_seconds

    proto = specs.experiment.protocol
    data = {f"spikes/{name}/{key}": np.zeros(0) for name in specs.network.populations
            for key in ("timestamps", "node_ids")}
    if proto.lfp is not None:
        t = np.arange(0.0, to_seconds(proto.duration), to_seconds(proto.lfp.interval))
        data |= {"lfp/t": t} | {f"lfp/{ch}": np.zeros(t.size) for ch in proto.lfp.channels}
    return _flattened(background.readouts, specs, data)


@pytest.mark.parametrize("path", [p for p in SPECS if _is_sweep(p)], ids=lambda p: p.stem)
def test_study_summary_fits_the_design_and_the_readouts(path):
    spec = load_sweep(path)
    if spec.summary is None:
        pytest.skip("no summary section")
    labels = spec.condition_labels
    assert len(labels) == spec.design_size == len(set(labels))
    assert spec.summary.baseline in (None, *labels)
    point = build_manifest(spec, path).points[0]
    columns = _readout_columns(experiment_path(spec, path), point.overrides)
    missing = [r.column for r in spec.summary.readouts if r.column not in columns]
    assert missing == [], sorted(columns)


def test_day1_schedules_cover_the_extinction_session_only():
    """The studies that give a drug (or a deficiency) on the extinction day write steps on the
    biological clock: on fear_extinction.yaml's session clock they must enclose the extinction
    session and no other session."""
    from allonet.protocols.schedule import session_clock, timeline
    from allonet.units import to_seconds

    for name, index in (("ptsd_deficiency", 2), ("extinction_drug", 1), ("extinction_drug", 2)):
        path = REPO / "experiments" / "studies" / f"{name}.yaml"
        spec = load_sweep(path)
        point = build_manifest(spec, path).points[index]
        resolved = load_experiment(experiment_path(spec, path), point.overrides).experiment
        line = timeline(resolved.protocol)
        clock = session_clock(resolved.protocol, resolved.clock, line)
        spans = {s: clock.bio_hours(np.array([a, b])) for s, a, b in line.session_bounds}
        drugs = resolved.drugs.allo or resolved.drugs.benzodiazepine
        for region, schedule in drugs.items():
            on, off = (to_seconds(t) / 3600 for t in schedule.times)
            assert on < spans["day1"][0] and spans["day1"][1] < off, (name, region)
            assert spans["day0"][1] < on and off < spans["day2"][0], (name, region)
