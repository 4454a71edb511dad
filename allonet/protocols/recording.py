"""What protocols record: one :class:`Recorder` per run, made of :class:`Record` s (a monitor
and how its recording becomes arrays), and the run-file datasets every protocol stores alike:
spikes (SONATA layout), the concentration per region of each recorded drug
(:attr:`allonet.pharmacology.Drug.recorded`) and, with receptor plasticity, the receptor states
per region.

A protocol lists its records once; the recorder adds their monitors to each model the engine
builds (:data:`~allonet.engine.ModelFactory`) and turns each run's recording into the protocol's
result arrays (:data:`~allonet.engine.Collector`), on any device.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allonet.engine import Recording
from allonet.pharmacology import DRUGS
from allonet.pharmacology.receptor_plasticity import STATE_ARRAYS
from allonet.spec import ResolvedSpecs
from allonet.store import Column

if TYPE_CHECKING:
    import brian2 as b2

    from allonet.model import Model


@dataclass(frozen=True)
class Record:
    """One monitor of a run: ``monitor`` makes it for a model (a fixed Brian2 name keeps the
    generated code identical between builds); ``collect`` turns its recorded variables (SI
    units, as :data:`~allonet.engine.Recording` holds them) into named result arrays."""

    monitor: Callable[[Model], b2.BrianObject]
    collect: Callable[[Mapping[str, np.ndarray]], dict[str, np.ndarray]]


class Recorder:
    """Every record of a protocol's run, by monitor key (monitors are made in this order)."""

    def __init__(self, records: Mapping[str, Record]) -> None:
        self.records = dict(records)

    def monitors(self, model: Model) -> dict[str, b2.BrianObject]:
        """The monitors of ``model``, by key."""
        return {key: record.monitor(model) for key, record in self.records.items()}

    def collect(self, recording: Recording) -> dict[str, np.ndarray]:
        """The result arrays of one run, from every record."""
        out: dict[str, np.ndarray] = {}
        for key, record in self.records.items():
            out |= record.collect(recording[key])
        return out


def spike_record(group: str, name: str | None = None) -> Record:
    """Spikes of ``group`` (a population or an input) as ``<group>/t`` (s) and ``<group>/i``;
    the monitor is named ``name`` (default ``spikes_<group>``)."""

    def monitor(model: Model) -> b2.SpikeMonitor:
        import brian2 as b2

        return b2.SpikeMonitor(model.groups[group], name=name or f"spikes_{group}")

    return Record(monitor, lambda rec: {f"{group}/t": rec["t"], f"{group}/i": rec["i"]})


def spike_records(populations: Iterable[str]) -> dict[str, Record]:
    """A :func:`spike_record` per population, keyed by population."""
    return {name: spike_record(name) for name in populations}


def spike_datasets(result: Mapping[str, np.ndarray], populations: Iterable[str]
                   ) -> dict[str, Column]:
    """``spikes/<population>/timestamps`` (s) and ``node_ids`` from :func:`spike_record`."""
    d = {}
    for name in populations:
        d[f"spikes/{name}/timestamps"] = Column(result[f"{name}/t"], "s")
        d[f"spikes/{name}/node_ids"] = Column(result[f"{name}/i"].astype(np.uint64), "1")
    return d


def drug_datasets(specs: ResolvedSpecs, drugs: Mapping[str, np.ndarray], sample_dt: float,
                  bio_hours: Callable[[np.ndarray], np.ndarray] | None = None
                  ) -> dict[str, Column]:
    """``<drug key>/<region>/concentration`` (nM) of every recorded drug in ``drugs`` (drug
    key -> (n_samples, n_regions)) per sample of ``sample_dt`` seconds, with the sample times on
    the simulation (``t_sim``, s) and biological (``t_bio``, h) clocks; ``bio_hours`` maps one to
    the other (default ``experiment.clock``; sessions have their own). Receptor states in
    ``drugs`` (:data:`STATE_ARRAYS`) become ``receptors/<region>/<state>`` (1), timed alike."""
    bio_hours = bio_hours or specs.experiment.clock.bio_hours
    states = {array: state for state, array in STATE_ARRAYS.items() if array in drugs}
    d = {}
    for key in (k for k in drugs if k in states or DRUGS[k].recorded):
        group, name, unit = ("receptors", states[key], "1") if key in states else \
            (key, "concentration", "nM")
        t_sim = np.arange(drugs[key].shape[0]) * sample_dt
        for column, region in enumerate(specs.network.regions):
            d[f"{group}/{region}/{name}"] = Column(drugs[key][:, column], unit)
            d[f"{group}/{region}/t_sim"] = Column(t_sim, "s")
            d[f"{group}/{region}/t_bio"] = Column(bio_hours(t_sim), "h")
    return d


__all__ = ["Record", "Recorder", "drug_datasets", "spike_datasets", "spike_record",
           "spike_records"]
