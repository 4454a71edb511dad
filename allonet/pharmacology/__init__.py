"""Pharmacology: what ALLO (and, for contrast, a benzodiazepine) does to GABA-A receptors, and how
concentrations evolve on a biological clock. Pure functions, no Brian2 objects; the model's
equations are generated from these same functions."""

from allonet.pharmacology import schedules
from allonet.pharmacology.receptors import (
    BENZODIAZEPINES,
    PROFILES,
    TONIC_PROFILES,
    BenzodiazepineProfile,
    SensitivityProfile,
    TonicProfile,
    brian_expression,
    bz_amplitude_factor,
    bz_decay_factor,
    bz_tonic_factor,
    decay_factor,
    get_profile,
    hill_factor,
    tonic_conductance,
    tonic_factor,
)

__all__ = [
    "BENZODIAZEPINES", "PROFILES", "TONIC_PROFILES", "BenzodiazepineProfile", "SensitivityProfile",
    "TonicProfile", "brian_expression", "bz_amplitude_factor", "bz_decay_factor",
    "bz_tonic_factor", "decay_factor", "get_profile", "hill_factor", "schedules",
    "tonic_conductance", "tonic_factor",
]
