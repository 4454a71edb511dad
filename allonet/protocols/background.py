"""Protocol ``background``: the network under its background drive alone, one continuous run.

For resting-state questions such as BLA theta (Antonoudiou et al. 2022): drugs act as in every
protocol (per region, on the biological clock), no stimulus is given. Spikes of every population
are recorded; with ``lfp``, the summed absolute synaptic currents of a sample of cells (an LFP
proxy, Mazzoni et al. 2015) are sampled on their own clock. Readouts come from the run's datasets
alone: mean rates, band power and band fraction of population rates and of the LFP proxy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from allonet.analysis.fear import baseline_rates
from allonet.analysis.oscillations import band_powers, population_rate
from allonet.engine import Condition, run_conditions
from allonet.model.parameters import run_time_values
from allonet.pharmacology import chosen_profiles, profile_structure
from allonet.progress import Progress
from allonet.protocols.drugs import drug_structure, release_curves
from allonet.protocols.fear_conditioning import drug_arrays
from allonet.protocols.recording import (
    Record,
    Recorder,
    drug_datasets,
    spike_datasets,
    spike_records,
)
from allonet.spec import ResolvedSpecs
from allonet.spec.experiment import BackgroundActivity, LfpProxy
from allonet.spec.network import NetworkSpec
from allonet.spec.runtime import network_structure
from allonet.store import Column, RunData
from allonet.units import to_hz, to_seconds

if TYPE_CHECKING:
    import brian2 as b2

    from allonet.model import Model

#: name of the LFP proxy's sampling clock (a fixed name keeps generated code identical)
LFP_CLOCK = "lfp_clock"


def run(specs: ResolvedSpecs, device: str,
        progress: Progress | None = None) -> RunData:
    """Simulate the background run and return its datasets, readouts included."""
    exp, proto, net = specs.experiment, specs.experiment.protocol, specs.network
    duration = to_seconds(proto.duration)
    drugs, sample_dt = drug_arrays(specs, duration)
    profiles = chosen_profiles(exp.drugs)
    lfp = proto.lfp

    recorder = Recorder(spike_records(net.populations)
                        | ({} if lfp is None else {"lfp": _lfp_record(lfp)}))

    def factory(concentrations: Mapping[str, np.ndarray]):
        from allonet.model import build_model

        model = build_model(net, concentrations, sample_dt, profiles,
                            release=release_curves(exp.drugs))
        return model, recorder.monitors(model)

    structure = {"family": f"background/{net.name}", "network": network_structure(net),
                 **profile_structure(profiles), "duration": duration,
                 "lfp": None if lfp is None else lfp.model_dump(mode="json"),
                 **drug_structure(exp.drugs)}
    [result], record = run_conditions(device, factory, recorder.collect,
                                      [Condition("run", drugs)],
                                      duration, to_seconds(net.integration.dt), exp.seed,
                                      structure, progress, specs.fixed_part(),
                                      parameters=run_time_values(net))
    datasets = _datasets(specs, result, drugs, sample_dt)
    datasets |= readouts(specs, {k: v.data for k, v in datasets.items()})
    return RunData(attrs={"build": record.as_dict()}, spec=specs.as_dict(), datasets=datasets)


def simulated_network(net: NetworkSpec, proto: BackgroundActivity) -> NetworkSpec:
    """The network as the protocol builds it: unchanged."""
    return net


def recorded_size(net: NetworkSpec, proto: BackgroundActivity) -> tuple[float, int, int]:
    """Simulated seconds, every neuron (spikes recorded) and the LFP proxy's current samples."""
    duration = to_seconds(proto.duration)
    lfp = proto.lfp
    samples = 0 if lfp is None else round(
        lfp.cells * len(lfp.channels) * duration / to_seconds(lfp.interval))
    return duration, sum(p.n for p in net.populations.values()), samples


def _lfp_record(lfp: LfpProxy) -> Record:
    """The LFP proxy's currents, sampled on their own clock: ``lfp/t`` (s) and, per channel,
    ``lfp/<channel>``, the sum over the sampled cells of |I_channel| (A)."""

    def monitor(model: Model) -> b2.StateMonitor:
        import brian2 as b2

        clock = b2.Clock(to_seconds(lfp.interval) * b2.second, name=LFP_CLOCK)
        return b2.StateMonitor(model.groups[lfp.population], [f"I_{ch}" for ch in lfp.channels],
                               record=np.arange(lfp.cells), clock=clock, name="lfp_currents")

    def collect(rec: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"lfp/t": rec["t"]} | {f"lfp/{ch}": np.abs(rec[f"I_{ch}"]).sum(axis=0)
                                      for ch in lfp.channels}

    return Record(monitor, collect)


def _datasets(specs: ResolvedSpecs, result: dict[str, np.ndarray],
              drugs: Mapping[str, np.ndarray], sample_dt: float) -> dict[str, Column]:
    proto = specs.experiment.protocol
    d = spike_datasets(result, specs.network.populations) | drug_datasets(specs, drugs, sample_dt)
    if proto.lfp is not None:
        d["lfp/t"] = Column(result["lfp/t"], "s")
        for ch in proto.lfp.channels:  # sum over the sampled cells of |I_channel|
            d[f"lfp/{ch}"] = Column(result[f"lfp/{ch}"], "A")
    return d


def lfp_proxy(data: Mapping[str, np.ndarray], channels: list[str]) -> np.ndarray:
    """The LFP proxy (A): sum over ``channels`` of the summed absolute currents in the run."""
    return np.sum([np.asarray(data[f"lfp/{ch}"]) for ch in channels], axis=0)


def readouts(specs: ResolvedSpecs, data: Mapping[str, np.ndarray]) -> dict[str, Column]:
    """Readout tables of a background run, from its datasets (in memory or read back).

    ``rates``: population, rate (Hz) over the analysis window. ``rhythms``: population, band,
    power (Hz^2, of the population rate in Hz per neuron), fraction (1, of the power in
    ``total``). ``lfp``: band, power (pA^2), fraction. ``peaks``: signal (a population or
    ``lfp``), frequency (Hz) of the largest spectral power in ``total``.
    """
    proto, net = specs.experiment.protocol, specs.network
    start, stop = to_seconds(proto.settle), to_seconds(proto.duration)
    bands = {name: (to_hz(a), to_hz(b)) for name, (a, b) in proto.bands.items()}
    total = (to_hz(proto.total[0]), to_hz(proto.total[1]))
    bin_s, segment = to_seconds(proto.bin), to_seconds(proto.segment)
    rates = baseline_rates(data, {n: p.n for n, p in net.populations.items()}, start, stop)
    out = {f"readouts/rates/{k}": Column(np.asarray(v), "str" if k == "population" else "Hz")
           for k, v in rates.items()}
    rhythm: dict[str, list] = {"population": [], "band": [], "power": [], "fraction": []}
    peaks: dict[str, list] = {"signal": [], "frequency": []}
    for name in proto.spectra:
        rate = population_rate(np.asarray(data[f"spikes/{name}/timestamps"]),
                               net.populations[name].n, start, stop, bin_s)
        powers, peak = band_powers(rate, bin_s, bands, total, segment)
        for band, (power, fraction) in powers.items():
            rhythm["population"].append(name)
            rhythm["band"].append(band)
            rhythm["power"].append(power)
            rhythm["fraction"].append(fraction)
        peaks["signal"].append(name)
        peaks["frequency"].append(peak)
    if proto.spectra:
        units = {"population": "str", "band": "str", "power": "Hz^2", "fraction": "1"}
        out |= {f"readouts/rhythms/{k}": Column(np.array(v), units[k]) for k, v in rhythm.items()}
    if proto.lfp is not None:
        t = np.asarray(data["lfp/t"])
        window = (t >= start) & (t < stop)
        signal = lfp_proxy(data, proto.lfp.channels)[window] * 1e12  # pA
        powers, peak = band_powers(signal, to_seconds(proto.lfp.interval), bands, total, segment)
        out["readouts/lfp/band"] = Column(np.array(list(powers)), "str")
        out["readouts/lfp/power"] = Column(np.array([p for p, _ in powers.values()]), "pA^2")
        out["readouts/lfp/fraction"] = Column(np.array([f for _, f in powers.values()]), "1")
        peaks["signal"].append("lfp")
        peaks["frequency"].append(peak)
    if peaks["signal"]:
        out["readouts/peaks/signal"] = Column(np.array(peaks["signal"]), "str")
        out["readouts/peaks/frequency"] = Column(np.array(peaks["frequency"]), "Hz")
    return out


__all__ = ["LFP_CLOCK", "lfp_proxy", "readouts", "run"]
