"""Drug arrays of a protocol: every registered drug's concentration (nM) per sample and region,
from the experiment's schedules on the biological clock (:data:`allonet.pharmacology.DRUGS`)."""

from __future__ import annotations

import numpy as np

from allonet.pharmacology import DRUGS
from allonet.spec import ResolvedSpecs, concentration_at_hours


def drug_concentrations(specs: ResolvedSpecs, t_bio: np.ndarray) -> dict[str, np.ndarray]:
    """Drug key -> concentrations (nM) at the biological times ``t_bio`` (h, rows) in each region
    of the network (columns, in ``network.regions`` order)."""
    drugs, regions = specs.experiment.drugs, specs.network.regions
    return {key: np.stack([concentration_at_hours(drug.schedule(drugs, region), t_bio)
                           for region in regions], axis=1)
            for key, drug in DRUGS.items()}


__all__ = ["drug_concentrations"]
