"""Protocol ``fear_conditioning``: CS (and US) presentations in contexts, phase after phase.

One continuous run per experiment: Poisson CS / context / US inputs follow rate TimedArrays built
from the phases (:mod:`allonet.protocols.schedule`); spikes of every population are recorded, and
the coincidence weights of every plastic population are sampled every ``weight_sample_interval``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np

from allonet.analysis.fear import (
    READOUT_UNITS,
    FreezingCurve,
    baseline_rates,
    context_freezing_table,
    cs_rates,
    ensemble_overlap,
    fear_ratio_table,
    freezing_table,
    neuron_classes,
    session_table,
    weights_at_phases,
)
from allonet.analysis.stress import STRESS_UNITS, allo_peaks, stress_response
from allonet.engine import Condition, run_conditions
from allonet.errors import SpecError
from allonet.model.equations import PLASTICITY_GATE
from allonet.model.parameters import run_time_values
from allonet.model.synthesis import (
    LINK_VARIABLE,
    STRESS_ARRAY,
    SYNTHESIS_GROUP,
    GlutamateDrive,
    RegionSynthesis,
)
from allonet.pharmacology import DRUGS, chosen_profiles, profile_structure
from allonet.pharmacology.synthesis import rate_constants
from allonet.progress import Progress
from allonet.protocols.drugs import drug_concentrations, drug_structure, release_curves
from allonet.protocols.recording import (
    Record,
    Recorder,
    drug_datasets,
    spike_datasets,
    spike_records,
)
from allonet.protocols.schedule import (
    Timeline,
    rate_arrays,
    session_clock,
    silence_arrays,
    timeline,
)
from allonet.spec import ResolvedSpecs
from allonet.spec.experiment import FearConditioning
from allonet.spec.network import NetworkSpec
from allonet.spec.runtime import network_structure
from allonet.store import Column, RunData
from allonet.units import parse_quantity, to_hz, to_nM, to_seconds

if TYPE_CHECKING:
    import brian2 as b2

    from allonet.model import Model

#: simulation time (s) -> biological time (h)
BioClock = Callable[[np.ndarray], np.ndarray]


def bio_clock(specs: ResolvedSpecs, line: Timeline | None = None) -> BioClock:
    """Simulation time (s) to biological time (h): the sessions' clock when the protocol has
    sessions, else ``experiment.clock``."""
    exp = specs.experiment
    sessions = session_clock(exp.protocol, exp.clock, line) if line is not None else None
    return sessions.bio_hours if sessions is not None else exp.clock.bio_hours


def drug_arrays(specs: ResolvedSpecs, duration: float, line: Timeline | None = None
                ) -> tuple[dict[str, np.ndarray], float]:
    """Each drug's concentrations (nM) per sample (rows) and region (columns), by drug key, and
    the sample step (s, simulation clock).

    Concentrations follow each region's schedule on the biological clock (:func:`bio_clock`).
    """
    step = to_seconds(specs.experiment.clock.sample_interval)
    t_sim = np.arange(int(np.ceil(duration / step)) + 1) * step
    return drug_concentrations(specs, bio_clock(specs, line)(t_sim)), step


def with_synthesis(drugs: Mapping[str, np.ndarray], result: Mapping[str, np.ndarray],
                   regions: list[str], synthesis: Mapping[str, RegionSynthesis]
                   ) -> dict[str, np.ndarray]:
    """The concentrations (nM) the model used: the synthesised drug's schedule plus each
    closed-loop region's recorded excess (its last value holds after the record ends)."""
    used = dict(drugs)
    if not synthesis:
        return used
    for key in (k for k, d in DRUGS.items() if d.synthesised):
        used[key] = drugs[key].copy()
        for region in synthesis:
            column = regions.index(region)
            synthesised = result[f"{LINK_VARIABLE}/{region}"]
            used[key][: len(synthesised), column] += synthesised
            used[key][len(synthesised):, column] += synthesised[-1] if len(synthesised) else 0.0
    return used


def synthesis_constants(specs: ResolvedSpecs) -> dict[str, RegionSynthesis]:
    """Closed-loop synthesis per region on the simulation clock (``clock.time_scale``
    biological seconds per simulated second), with the region's finasteride block."""
    exp = specs.experiment
    out = {}
    for region, s in exp.drugs.synthesis.items():
        k_act, k_stress, tau = rate_constants(to_nM(s.activity_gain), to_nM(s.stress_gain),
                                              to_seconds(s.tau_clear), exp.clock.time_scale)
        out[region] = RegionSynthesis(tuple(s.populations), k_act, to_hz(s.reference_rate),
                                      k_stress, tau, exp.drugs.finasteride.get(region, 0.0),
                                      to_seconds(s.rate_window))
    return out


def stress_onset(specs: ResolvedSpecs, line: Timeline) -> float:
    """Stress onset on the simulation clock (s)."""
    exp = specs.experiment
    sessions = session_clock(exp.protocol, exp.clock, line)
    if sessions is not None:
        return sessions.sim_seconds(to_seconds(exp.stress.onset) / 3600.0)
    return (to_seconds(exp.stress.onset) - to_seconds(exp.clock.session_start)) \
        / exp.clock.time_scale


def stress_array(specs: ResolvedSpecs, line: Timeline, resolution: float) -> np.ndarray:
    """Stress intensity (1) at the centres of ``resolution`` bins over the run."""
    exp = specs.experiment
    mid = (np.arange(int(np.ceil(line.duration / resolution)) + 1) + 0.5) * resolution
    return exp.stress.intensity_at_hours(bio_clock(specs, line)(mid))


def simulated_network(net: NetworkSpec, proto: FearConditioning) -> NetworkSpec:
    """The network as the protocol builds it: unchanged."""
    return net


def recorded_size(net: NetworkSpec, proto: FearConditioning) -> tuple[float, int, int]:
    """Simulated seconds, every neuron (spikes recorded) and the weight samples (each sample
    event records t, i, w_cs and w_ctx per plastic neuron)."""
    duration = timeline(proto).duration
    every = to_seconds(proto.weight_sample_interval)
    plastic = sum(p.n for p in net.populations.values() if p.coincidence is not None)
    return duration, sum(p.n for p in net.populations.values()), round(
        4 * plastic * duration / every)


def readout_groups(specs: ResolvedSpecs) -> dict[str, tuple[str, int, int]]:
    """Groups whose CS rates are read out: every population whole, plus the readout
    population's subgroups (e.g. fear and extinction neurons)."""
    net, proto = specs.network, specs.experiment.protocol
    groups = {name: (name, 0, pop.n) for name, pop in net.populations.items()}
    pop = net.populations[proto.readout_population]
    groups |= {sub: (proto.readout_population, a, b) for sub, (a, b) in pop.subgroups.items()}
    return groups


def run(specs: ResolvedSpecs, device: str,
        progress: Progress | None = None) -> RunData:
    """Simulate the whole protocol once and return the run's datasets, readouts included."""
    exp, proto, net = specs.experiment, specs.experiment.protocol, specs.network
    line = timeline(proto)
    rates = rate_arrays(proto, line)
    silenced = silence_arrays(proto, line)
    resolution = to_seconds(proto.resolution)
    drugs, sample_dt = drug_arrays(specs, line.duration, line)
    profiles = chosen_profiles(exp.drugs)
    readout = proto.readout_population
    synthesis = synthesis_constants(specs)
    stress = stress_array(specs, line, resolution) if exp.stress else None
    glutamate = {pop: GlutamateDrive(g.synapse, g.n, to_hz(g.rate), float(parse_quantity(g.weight)))
                 for pop, g in (exp.stress.glutamate.items() if exp.stress else [])}
    if exp.stress and exp.stress.readout:
        onset = stress_onset(specs, line)
        start = onset - to_seconds(exp.stress.readout.baseline)
        if start < 0 or onset >= line.duration:
            raise SpecError(None, "stress.onset", exp.stress.onset,
                            f"on the simulation clock the onset is {onset:.3g} s; "
                            f"it must leave stress.readout.baseline before it and lie within "
                            f"the run (0-{line.duration:.3g} s)")
    plastic = [name for name, pop in net.populations.items() if pop.coincidence is not None]
    weight_every = max(1, round(to_seconds(proto.weight_sample_interval)
                                / to_seconds(net.integration.dt)))

    # Protocol inputs by TimedArray name, in SI units: run-time values of a compiled model.
    inputs = {key if key == PLASTICITY_GATE else f"rate_{key}": values
              for key, values in rates.items()}
    inputs |= {f"silence_{pop}": values for pop, values in silenced.items()}
    if stress is not None:
        inputs[STRESS_ARRAY] = stress

    recorder = Recorder(spike_records(net.populations)
                        | {f"{SYNTHESIS_GROUP}/{r}": _synthesis_record(specs, r) for r in synthesis}
                        | {f"weights_{p}": _weight_record(p, net.populations[p].n)
                           for p in plastic})

    def factory(concentrations: Mapping[str, np.ndarray]):
        import brian2 as b2

        from allonet.model import build_model

        timed = {name: b2.TimedArray(values * (b2.Hz if name.startswith("rate_") else 1),
                                     dt=resolution * b2.second, name=name)
                 for name, values in inputs.items()}
        model = build_model(net, concentrations, sample_dt, profiles, timed,
                            dict.fromkeys(plastic, weight_every), synthesis, glutamate,
                            release=release_curves(exp.drugs))
        return model, recorder.monitors(model)

    # Rate and silence values are TimedArray data, not code: runs that differ only in them share
    # one binary (the array shapes and which arrays exist are structure).
    structure = {"family": f"fear/{net.name}", "network": network_structure(net),
                 "plastic": plastic, **profile_structure(profiles), "duration": line.duration,
                 "arrays": sorted((k, v.shape) for k, v in (rates | silenced).items()),
                 "readout": readout, "weight_dt": proto.weight_sample_interval,
                 **drug_structure(exp.drugs)}
    if synthesis or glutamate or stress is not None:
        # Which regions are closed-loop and which populations feed or receive the stress drive
        # is structure; every constant is data (set from arrays) and shares the binary.
        structure["synthesis"] = {r: list(s.populations) for r, s in synthesis.items()}
        structure["glutamate"] = {p: g.synapse for p, g in glutamate.items()}
        structure["stress_shape"] = None if stress is None else stress.shape
    [result], record = run_conditions(device, factory, recorder.collect, [Condition("run", drugs)],
                                      line.duration, to_seconds(net.integration.dt), exp.seed,
                                      structure, progress, specs.fixed_part(), inputs,
                                      run_time_values(net))
    used = with_synthesis(drugs, result, list(net.regions), synthesis)
    datasets = _datasets(specs, line, result, used, sample_dt, plastic)
    if stress is not None:
        datasets["stress/t_sim"] = Column((np.arange(len(stress)) + 0.5) * resolution, "s")
        datasets["stress/intensity"] = Column(stress, "1")
    datasets |= readouts(specs, {k: v.data for k, v in datasets.items()})
    return RunData(attrs={"build": record.as_dict()}, spec=specs.as_dict(), datasets=datasets)


def _synthesis_record(specs: ResolvedSpecs, region: str) -> Record:
    """The synthesised excess (nM) a population of closed-loop ``region`` holds at the start of
    each drug-clock step, exactly the value its drug update reads, as ``allo_syn/<region>``
    (:data:`~allonet.model.synthesis.LINK_VARIABLE`)."""
    reader = next(n for n, p in specs.network.populations.items() if p.region == region)

    def monitor(model: Model) -> b2.StateMonitor:
        import brian2 as b2

        return b2.StateMonitor(model.groups[reader], LINK_VARIABLE, record=[0],
                               clock=model.drug_clock, when="start", order=-1,
                               name=f"{SYNTHESIS_GROUP}_{region}")

    return Record(monitor, lambda rec: {f"{LINK_VARIABLE}/{region}": rec[LINK_VARIABLE][0]})


def _weight_record(population: str, n: int) -> Record:
    """The coincidence weights (S) of the ``n`` neurons of ``population`` at each ``sample``
    event: ``<population>/w_t`` (s) and ``<population>/w_cs``, ``w_ctx`` (samples, neurons)."""

    def monitor(model: Model) -> b2.EventMonitor:
        import brian2 as b2

        return b2.EventMonitor(model.groups[population], "sample", variables=["w_cs", "w_ctx"],
                               name=f"weights_{population}")

    def collect(rec: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        order = np.lexsort((rec["i"], rec["t"]))
        return {f"{population}/w_t": rec["t"][order][::n]} | {
            f"{population}/{var}": rec[var][order].reshape(-1, n) for var in ("w_cs", "w_ctx")}

    return Record(monitor, collect)


def readouts(specs: ResolvedSpecs, data: Mapping[str, np.ndarray]) -> dict[str, Column]:
    """Every readout table of a fear run, computed from the run's own datasets."""
    proto = specs.experiment.protocol
    tables = {"cs_rates": cs_rates(data, readout_groups(specs))}
    # Background only: the second half of the settling period, before any context or CS.
    first = float(data["phases/start"][0])
    tables["baseline_rates"] = baseline_rates(
        data, {n: p.n for n, p in specs.network.populations.items()}, first / 2, first)
    ratios = fear_ratio_table(tables["cs_rates"])
    if len(ratios["phase"]):
        tables["fear_ratio"] = ratios
    if proto.freezing:
        curve = FreezingCurve.from_spec(proto.freezing.model_dump())
        population = proto.freezing.population
        tables["freezing"] = freezing_table(tables["cs_rates"], population, curve,
                                            data["epochs/cs"])
        tables["context_freezing"] = context_freezing_table(
            data, population, specs.network.populations[population].n, curve)
    if proto.neuron_classes:
        c = proto.neuron_classes
        tables["neuron_classes"] = neuron_classes(
            data, proto.readout_population, specs.network.populations[proto.readout_population].n,
            c.control, c.conditioned, c.extinguished, c.last_trials, to_hz(c.min_rate))
    if proto.ensemble_population:
        tables["ensemble_overlap"] = ensemble_overlap(
            data, proto.ensemble_population, specs.network.populations[proto.ensemble_population].n,
            to_hz(proto.ensemble_threshold))
    stress = specs.experiment.stress
    if stress is not None:
        onset = stress_onset(specs, timeline(proto))
        tables["allo_peak"] = allo_peaks(data, list(specs.network.regions), onset)
        if stress.readout:
            r = stress.readout
            tables["stress_response"] = stress_response(
                data, {p: specs.network.populations[p].n for p in r.populations}, onset,
                float(data["phases/stop"][-1]), to_seconds(r.baseline), to_seconds(r.bin),
                to_hz(r.threshold))
    plastic = [n for n, p in specs.network.populations.items() if p.coincidence is not None]
    if plastic:
        tables["weights"] = weights_at_phases(data, {n: specs.network.populations[n].subgroups
                                                     for n in plastic})
    if "sessions/name" in data:
        readout_data = dict(data) | {f"readouts/{name}/{k}": v for name in
                                     ("freezing", "context_freezing") if name in tables
                                     for k, v in tables[name].items()}
        tables["sessions"] = session_table(readout_data, list(specs.network.regions))
    out = {}
    for name, table in tables.items():
        units = STRESS_UNITS if name in ("allo_peak", "stress_response") else READOUT_UNITS
        out |= {f"readouts/{name}/{k}": Column(v, units.get(k, "1"))
                for k, v in table.items()}
    return out


def _datasets(specs: ResolvedSpecs, line: Timeline, result: dict[str, np.ndarray],
              drugs: Mapping[str, np.ndarray], sample_dt: float, plastic: list[str]
              ) -> dict[str, Column]:
    net = specs.network
    d = spike_datasets(result, net.populations)
    epochs = line.epochs
    d["epochs/phase"] = Column(np.array([e.phase for e in epochs]), "str")
    d["epochs/trial"] = Column(np.array([e.trial for e in epochs], dtype=np.int64), "1")
    d["epochs/context"] = Column(np.array([e.context for e in epochs]), "str")
    d["epochs/cs"] = Column(np.array([e.cs for e in epochs], dtype=np.int8), "1")
    for key in ("cs_start", "cs_stop", "us_start", "us_stop"):
        d[f"epochs/{key}"] = Column(np.array([getattr(e, key) for e in epochs]), "s")
    d["phases/name"] = Column(np.array([p[0] for p in line.phase_bounds]), "str")
    d["phases/context"] = Column(np.array([p.context or "" for p in
                                           specs.experiment.protocol.phases]), "str")
    d["phases/start"] = Column(np.array([p[1] for p in line.phase_bounds]), "s")
    d["phases/stop"] = Column(np.array([p[2] for p in line.phase_bounds]), "s")
    d |= drug_datasets(specs, drugs, sample_dt, bio_clock(specs, line))
    if line.session_bounds:
        d["phases/session"] = Column(np.array([p.session for p in
                                               specs.experiment.protocol.phases]), "str")
        clock = bio_clock(specs, line)
        d["sessions/name"] = Column(np.array([b[0] for b in line.session_bounds]), "str")
        d["sessions/start"] = Column(np.array([b[1] for b in line.session_bounds]), "s")
        d["sessions/stop"] = Column(np.array([b[2] for b in line.session_bounds]), "s")
        d["sessions/bio_start"] = Column(clock(d["sessions/start"].data), "h")
    for pop in plastic:
        d[f"weights/{pop}/t"] = Column(result[f"{pop}/w_t"], "s")
        d[f"weights/{pop}/w_cs"] = Column(result[f"{pop}/w_cs"], "S")
        d[f"weights/{pop}/w_ctx"] = Column(result[f"{pop}/w_ctx"], "S")
    return d
