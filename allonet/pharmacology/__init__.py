"""Pharmacology: what ALLO (and, for contrast, a benzodiazepine) does to GABA-A receptors, and how
concentrations evolve on a biological clock.

:mod:`~allonet.pharmacology.receptors` maps a bath-equivalent concentration (nM) to dimensionless
factors: phasic GABA-A decay (per region profile), tonic δ conductance, and benzodiazepine decay
and amplitude. :mod:`~allonet.pharmacology.schedules` gives concentrations (nM) over biological
time (hours): constant, steps, stress surge, infusion pharmacokinetics (one or two compartments;
the brexanolone preset has two), postpartum withdrawal and an ovarian cycle.
:mod:`~allonet.pharmacology.receptor_plasticity` gives the slow receptor states that the ALLO
history sets (δ expression, α4 fraction; hours to days). Everything is a pure function without
Brian2; the model's equations are generated from these same functions with
:func:`brian_expression`. :mod:`~allonet.pharmacology.drugs` is the registry of drugs
(:data:`DRUGS`): what the model, the engine and the protocols read to handle each drug.
"""

from allonet.pharmacology import receptor_plasticity, schedules
from allonet.pharmacology.drugs import DRUGS, Drug, Effect, chosen_profiles, profile_structure
from allonet.pharmacology.receptors import (
    BENZODIAZEPINES,
    PRESYNAPTIC_RELEASE,
    PROFILES,
    TONIC_PROFILES,
    BenzodiazepineProfile,
    ReleaseProfile,
    SensitivityProfile,
    TonicProfile,
    brian_expression,
    bz_amplitude_factor,
    bz_decay_factor,
    bz_tonic_factor,
    decay_factor,
    get_benzodiazepine,
    get_profile,
    get_tonic_profile,
    hill_factor,
    release_factor,
    tonic_conductance,
    tonic_factor,
)
from allonet.pharmacology.schedules import (
    ALLO_MOLAR_MASS,
    BREXANOLONE_60H,
    SCHEDULE_FUNCTIONS,
    STRESS_SURGE_PRESETS,
    InfusionPreset,
    StressSurgePreset,
    brexanolone_60h,
    constant,
    cycle,
    infusion_pk,
    infusion_pk_2c,
    postpartum_withdrawal,
    steps,
    stress_surge,
    two_compartment_modes,
)

__all__ = [
    "ALLO_MOLAR_MASS",
    "BENZODIAZEPINES",
    "BREXANOLONE_60H",
    "DRUGS",
    "PRESYNAPTIC_RELEASE",
    "PROFILES",
    "SCHEDULE_FUNCTIONS",
    "STRESS_SURGE_PRESETS",
    "TONIC_PROFILES",
    "BenzodiazepineProfile",
    "Drug",
    "Effect",
    "InfusionPreset",
    "ReleaseProfile",
    "SensitivityProfile",
    "StressSurgePreset",
    "TonicProfile",
    "brexanolone_60h",
    "brian_expression",
    "bz_amplitude_factor",
    "bz_decay_factor",
    "bz_tonic_factor",
    "chosen_profiles",
    "constant",
    "cycle",
    "decay_factor",
    "get_benzodiazepine",
    "get_profile",
    "get_tonic_profile",
    "hill_factor",
    "infusion_pk",
    "infusion_pk_2c",
    "postpartum_withdrawal",
    "profile_structure",
    "receptor_plasticity",
    "release_factor",
    "schedules",
    "steps",
    "stress_surge",
    "tonic_conductance",
    "tonic_factor",
    "two_compartment_modes",
]
