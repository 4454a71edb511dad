"""Protocol ``ipsc_dose_response``: one evoked IPSC per ALLO concentration and profile.

The target population gets one clamped cell per sensitivity profile (profile parameters are
per-neuron values, so all profiles share one neuron group and its generated code); each
concentration is one run of the same compiled model (concentrations are run-time arguments, so
standalone compiles once). Traces are stored as membrane current with the electrophysiology sign
convention (outward positive), i.e. ``-I_<synapse>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from allonet.analysis import ipsc_kinetics
from allonet.engine import Condition, run_conditions
from allonet.model.parameters import run_time_values
from allonet.pharmacology import PROFILES, chosen_profiles, decay_factor, profile_structure
from allonet.pharmacology.receptor_plasticity import STATE_ARRAYS
from allonet.progress import Progress
from allonet.protocols.drugs import drug_concentrations, drug_structure, release_curves
from allonet.protocols.recording import Record, Recorder, drug_datasets, spike_record
from allonet.spec import ResolvedSpecs
from allonet.spec.experiment import IpscDoseResponse
from allonet.spec.network import NetworkSpec
from allonet.spec.runtime import network_structure
from allonet.store import Column, RunData
from allonet.units import to_nM, to_seconds

if TYPE_CHECKING:
    import brian2 as b2

    from allonet.model import Model

SWEPT, SWEPT_COLUMN = IpscDoseResponse.swept_drug, IpscDoseResponse.swept_column


def one_cell_per_profile(net: NetworkSpec, proto: IpscDoseResponse) -> NetworkSpec:
    """The network with the target population resized to one cell per profile."""
    data = net.model_dump(mode="json")
    data["populations"][proto.target]["n"] = len(proto.profiles)
    return NetworkSpec.model_validate(data)


def simulated_network(net: NetworkSpec, proto: IpscDoseResponse) -> NetworkSpec:
    """The network as the protocol builds it: one target cell per profile."""
    return one_cell_per_profile(net, proto)


def recorded_size(net: NetworkSpec, proto: IpscDoseResponse) -> tuple[float, int, int]:
    """Simulated seconds (every concentration's run), the input cells whose spikes are recorded,
    and the clamp-current samples (one per cell, step and concentration)."""
    duration = to_seconds(proto.duration)
    steps = round(duration / to_seconds(net.integration.dt))
    runs = len(proto.concentrations)
    return duration * runs, net.inputs[proto.input].n, runs * len(proto.profiles) * steps


def set_profiles(group: b2.NeuronGroup, profiles: list[str]) -> None:
    """Give neuron k of ``group`` the ALLO sensitivity profile ``profiles[k]``."""
    chosen = [PROFILES[p] for p in profiles]
    group.allo_emax = np.array([p.emax for p in chosen])
    group.allo_ec50 = np.array([p.ec50_nM for p in chosen])
    group.allo_hill = np.array([p.hill for p in chosen])


def run(specs: ResolvedSpecs, device: str,
        progress: Progress | None = None) -> RunData:
    """Simulate every concentration and return the run's datasets (readouts included)."""
    exp, proto = specs.experiment, specs.experiment.protocol
    net = one_cell_per_profile(specs.network, proto)
    synapse = proto.synapse
    duration = to_seconds(proto.duration)
    dt = to_seconds(net.integration.dt)
    conditions = _conditions(specs, net)
    profiles = chosen_profiles(exp.drugs)
    recorder = Recorder({"trace": _clamp_record(proto.target, synapse),
                         "spikes": spike_record(proto.input, name="spikes_input")})

    def factory(drugs: Mapping[str, np.ndarray]):
        from allonet.model import build_model

        model = build_model(net, drugs, sample_dt=duration, profiles=profiles,
                            per_neuron_drugs=frozenset({proto.target}),
                            release=release_curves(exp.drugs))
        set_profiles(model.groups[proto.target], proto.profiles)
        return model, recorder.monitors(model)

    structure = {"network": network_structure(net), "protocol": proto.kind,
                 "target": proto.target, "synapse": synapse, "input": proto.input,
                 **profile_structure(profiles), **drug_structure(exp.drugs)}
    results, record = run_conditions(device, factory, recorder.collect, conditions, duration, dt,
                                     exp.seed, structure, progress, specs.fixed_part(),
                                     parameters=run_time_values(net))
    datasets = _datasets(specs, net, conditions, results)
    datasets.update(readouts(datasets, exp.protocol, onset=_first_spike(net, proto)))
    return RunData(attrs={"build": record.as_dict()}, spec=specs.as_dict(), datasets=datasets)


def _clamp_record(target: str, synapse: str) -> Record:
    """The clamped cells' current through ``synapse`` with the electrophysiology sign (outward
    positive): ``I_clamp`` (A, cells x samples) and its sample times ``t`` (s)."""

    def monitor(model: Model) -> b2.StateMonitor:
        import brian2 as b2

        return b2.StateMonitor(model.groups[target], f"I_{synapse}", record=True,
                               name="trace_clamp")

    return Record(monitor, lambda rec: {"I_clamp": -rec[f"I_{synapse}"], "t": rec["t"]})


def _conditions(specs: ResolvedSpecs, net: NetworkSpec) -> list[Condition]:
    """One condition per swept concentration: every drug at its schedule's value at the start of
    the biological clock, the swept drug set to the concentration in ``protocol.region``."""
    proto = specs.experiment.protocol
    base = drug_concentrations(specs, specs.experiment.clock.bio_hours(np.zeros(1)))
    conditions = []
    column = net.regions.index(proto.region)
    for text in proto.concentrations:
        swept = base[SWEPT].copy()
        swept[0, column] = to_nM(text)
        conditions.append(Condition(label=text, drugs=base | {SWEPT: swept}))
    return conditions


def _first_spike(net: NetworkSpec, proto: IpscDoseResponse) -> float:
    times = net.inputs[proto.input].times
    return min(to_seconds(t) for t in times)


def _datasets(specs: ResolvedSpecs, net: NetworkSpec, conditions: list[Condition],
              results: list[dict[str, np.ndarray]]) -> dict[str, Column]:
    proto = specs.experiment.protocol
    concentrations = np.array([to_nM(c) for c in proto.concentrations])
    datasets = {
        "conditions/label": Column(np.array([c.label for c in conditions]), "str"),
        f"conditions/{SWEPT_COLUMN}": Column(concentrations, "nM"),
        "traces/t": Column(results[0]["t"], "s"),
    }
    stacked = np.stack([r["I_clamp"] for r in results])  # (condition, neuron, time)
    datasets[f"traces/{proto.target}/I_clamp"] = Column(stacked, "A")
    datasets[f"traces/{proto.target}/profile"] = Column(np.array(proto.profiles), "str")
    for column, region in enumerate(net.regions):
        datasets[f"{SWEPT}/{region}/concentration"] = Column(
            np.array([c.drugs[SWEPT][:, column] for c in conditions]), "nM")
        datasets[f"{SWEPT}/{region}/t_sim"] = Column(np.zeros(1), "s")
        datasets[f"{SWEPT}/{region}/t_bio"] = Column(
            specs.experiment.clock.bio_hours(np.zeros(1)), "h")
    # receptor states: the same in every condition, at the start of the biological clock
    states = {k: v for k, v in conditions[0].drugs.items() if k in STATE_ARRAYS.values()}
    datasets |= drug_datasets(specs, states, sample_dt=0.0)
    spikes_t = np.concatenate([r[f"{proto.input}/t"] for r in results])
    spikes_i = np.concatenate([r[f"{proto.input}/i"] for r in results])
    spikes_c = np.concatenate([np.full(len(r[f"{proto.input}/t"]), k)
                               for k, r in enumerate(results)])
    datasets[f"spikes/{proto.input}/timestamps"] = Column(spikes_t, "s")
    datasets[f"spikes/{proto.input}/node_ids"] = Column(spikes_i.astype(np.uint64), "1")
    datasets[f"spikes/{proto.input}/condition"] = Column(spikes_c.astype(np.int64), "1")
    return datasets


def readouts(data: Mapping[str, Column | np.ndarray], proto: IpscDoseResponse,
             onset: float) -> dict[str, Column]:
    """Readout table ``readouts/ipsc``: one row per (concentration, profile).

    Works on the datasets of a run (in memory or read back from the file).
    """
    def arr(key: str) -> np.ndarray:
        value = data[key]
        return value.data if isinstance(value, Column) else value

    t = arr("traces/t")
    concentrations = arr(f"conditions/{SWEPT_COLUMN}")
    rows: dict[str, list] = {k: [] for k in (SWEPT_COLUMN, "profile", "peak", "rise_10_90",
                                             "tau_decay", "fold", "formula_fold", "fit_r2")}
    traces = arr(f"traces/{proto.target}/I_clamp")
    for cell, profile in enumerate(proto.profiles):
        kinetics = [ipsc_kinetics(t, traces[k, cell], onset) for k in range(len(concentrations))]
        reference = kinetics[int(np.argmin(concentrations))].tau_decay
        for c, kin in zip(concentrations, kinetics, strict=True):
            rows[SWEPT_COLUMN].append(c)
            rows["profile"].append(profile)
            rows["peak"].append(kin.peak)
            rows["rise_10_90"].append(kin.rise_10_90)
            rows["tau_decay"].append(kin.tau_decay)
            rows["fold"].append(kin.tau_decay / reference)
            rows["formula_fold"].append(float(decay_factor(c, profile)) /
                                        float(decay_factor(concentrations.min(), profile)))
            rows["fit_r2"].append(kin.fit_r2)
    units = {SWEPT_COLUMN: "nM", "profile": "str", "peak": "A", "rise_10_90": "s", "tau_decay": "s",
             "fold": "1", "formula_fold": "1", "fit_r2": "1"}
    return {f"readouts/ipsc/{k}": Column(np.array(v), units[k]) for k, v in rows.items()}


__all__ = ["one_cell_per_profile", "readouts", "run", "set_profiles"]
