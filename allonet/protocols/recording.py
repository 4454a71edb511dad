"""What the continuous-run protocols (``fear_conditioning``, ``background``) record and store
alike: every population's spikes (SONATA layout) and the concentration per region of each
recorded drug (:attr:`allonet.pharmacology.Drug.recorded`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import brian2 as b2
import numpy as np

from allonet.engine import Recording
from allonet.model import Model
from allonet.pharmacology import DRUGS
from allonet.spec import ResolvedSpecs
from allonet.store import Column


def spike_monitors(model: Model, populations: Iterable[str]) -> dict[str, b2.SpikeMonitor]:
    """A spike monitor per population, named ``spikes_<population>``."""
    return {name: b2.SpikeMonitor(model.groups[name], name=f"spikes_{name}")
            for name in populations}


def spike_arrays(recording: Recording, populations: Iterable[str]) -> dict[str, np.ndarray]:
    """``<population>/t`` (s) and ``<population>/i`` arrays recorded by :func:`spike_monitors`."""
    out = {}
    for name in populations:
        out[f"{name}/t"] = recording[name]["t"]
        out[f"{name}/i"] = recording[name]["i"]
    return out


def spike_datasets(result: Mapping[str, np.ndarray], populations: Iterable[str]
                   ) -> dict[str, Column]:
    """``spikes/<population>/timestamps`` (s) and ``node_ids`` from :func:`spike_arrays`."""
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
    the other (default ``experiment.clock``; sessions have their own)."""
    bio_hours = bio_hours or specs.experiment.clock.bio_hours
    d = {}
    for key in (k for k in drugs if DRUGS[k].recorded):
        t_sim = np.arange(drugs[key].shape[0]) * sample_dt
        for column, region in enumerate(specs.network.regions):
            d[f"{key}/{region}/concentration"] = Column(drugs[key][:, column], "nM")
            d[f"{key}/{region}/t_sim"] = Column(t_sim, "s")
            d[f"{key}/{region}/t_bio"] = Column(bio_hours(t_sim), "h")
    return d


__all__ = ["drug_datasets", "spike_arrays", "spike_datasets", "spike_monitors"]
