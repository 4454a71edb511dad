"""Drug arrays of a protocol: every registered drug's concentration (nM) per sample and region,
from the experiment's schedules on the biological clock (:data:`allonet.pharmacology.DRUGS`),
plus, with receptor plasticity on, the receptor states per sample and region."""

from __future__ import annotations

from typing import Any

import numpy as np

from allonet.errors import SpecError
from allonet.pharmacology import DRUGS, ReleaseProfile
from allonet.pharmacology.receptor_plasticity import STATE_ARRAYS, states_at_hours
from allonet.spec import ResolvedSpecs, concentration_at_hours
from allonet.units import to_seconds


def _schedules(specs: ResolvedSpecs, key: str, t_bio: np.ndarray) -> np.ndarray:
    """Concentrations (nM) of drug ``key`` at ``t_bio`` (h, rows) in each region (columns)."""
    drug, drugs = DRUGS[key], specs.experiment.drugs
    return np.stack([concentration_at_hours(drug.schedule(drugs, region), t_bio)
                     for region in specs.network.regions], axis=-1)


def drug_concentrations(specs: ResolvedSpecs, t_bio: np.ndarray) -> dict[str, np.ndarray]:
    """Drug key -> concentrations (nM) at the biological times ``t_bio`` (h, rows) in each region
    of the network (columns, in ``network.regions`` order); with receptor plasticity on, also
    each state's array name (:data:`STATE_ARRAYS`) -> its values (1) there."""
    arrays = {key: _schedules(specs, key, t_bio) for key in DRUGS}
    return arrays | receptor_states(specs, t_bio)


def receptor_states(specs: ResolvedSpecs, t_bio: np.ndarray) -> dict[str, np.ndarray]:
    """State array name -> receptor state (1) at ``t_bio`` (h, rows) per region (columns), driven
    by the history of the drug that ``drives_plasticity``; empty with plasticity off."""
    plasticity = specs.experiment.drugs.receptor_plasticity
    if not plasticity.enabled:
        return {}
    [key] = [k for k, d in DRUGS.items() if d.drives_plasticity]
    t_bio = np.asarray(t_bio, dtype=float)
    start = _hours(plasticity.history_start)
    if t_bio.size and t_bio.min() < start:
        raise SpecError(None, "drugs.receptor_plasticity.history_start",
                        plasticity.history_start,
                        f"must be at or before the run's first biological time "
                        f"({t_bio.min():g} h)")
    states = states_at_hours(lambda t: _schedules(specs, key, t), t_bio, start,
                             _hours(plasticity.step), plasticity.plasticity_constants())
    return {array: getattr(states, state) for state, array in STATE_ARRAYS.items()}


def drug_structure(drugs: Any) -> dict[str, Any]:
    """Entries of a protocol's structure for the drug mechanisms that add code (receptor
    plasticity, presynaptic release): none when they are off, so structures and their compiled
    binaries stay as they were."""
    out: dict[str, Any] = {}
    if drugs.receptor_plasticity.enabled:
        out["receptor_plasticity"] = True
    if drugs.presynaptic_release is not None:
        out["presynaptic_release"] = drugs.presynaptic_release.model_dump()
    return out


def release_curves(drugs: Any) -> dict[str, ReleaseProfile]:
    """Projection -> its presynaptic release curve (``build_model``'s ``release``); empty when
    ``drugs.presynaptic_release`` is off."""
    release = drugs.presynaptic_release
    return {} if release is None else dict.fromkeys(release.projections, release.profile())


def _hours(text: str) -> float:
    return to_seconds(text) / 3600.0


__all__ = ["drug_concentrations", "drug_structure", "receptor_states", "release_curves"]
