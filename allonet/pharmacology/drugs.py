"""The drug registry: every drug the model knows, as one :class:`Drug` entry of :data:`DRUGS`.

An entry says everything that is particular to a drug: its names, the experiment fields that give
its concentration per region (``drugs.<spec_field>``), the run-time array that carries that
concentration into the model, the sensitivity parameters it sets on each population, and its
:class:`Effect` s, each a factor on one property of GABA-A receptors (phasic decay, phasic
amplitude, tonic conductance) computed by a tested function of this package. The model's
equations, the engine's run-time arrays, the protocols' drug arrays and model descriptions loop
over this registry, so a new drug is one entry here plus its field in ``spec/experiment.py``
(``Drugs``).

Units: concentrations in nM (bath-equivalent); every factor and parameter is dimensionless.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from allonet.pharmacology.receptors import (
    get_benzodiazepine,
    get_profile,
    get_tonic_profile,
    hill_factor,
)

#: Which receptor property an effect scales: the phasic (synaptic) decay time, the phasic peak
#: conductance, or the tonic (extrasynaptic δ) conductance.
Target = Literal["decay", "amplitude", "tonic"]
#: Which receptors an effect reaches: every synaptic GABA-A receptor, only γ2-containing synaptic
#: ones (the benzodiazepine site), or extrasynaptic δ-containing ones (tonic).
Receptors = Literal["synaptic", "gamma2", "delta"]


@dataclass(frozen=True)
class Effect:
    """One factor (dimensionless, 1 without the drug) that a drug sets from its concentration.

    ``function(c=<concentration, nM>, **arguments)`` is the tested formula; ``arguments`` maps its
    other arguments to the drug's parameter names (or numbers as text), so the model's equation
    is generated from the same function (:func:`~allonet.pharmacology.brian_expression`).
    """

    target: Target
    receptors: Receptors
    #: Brian2 name of the factor; a tonic effect has none (it multiplies ``g_tonic`` directly)
    variable: str | None
    arguments: tuple[tuple[str, str], ...]
    function: Callable[..., Any] = hill_factor

    def __post_init__(self) -> None:
        if (self.target == "tonic") != (self.receptors == "delta"):
            raise ValueError(f"effect on {self.target}: tonic effects, and only they, act on "
                             f"delta receptors (got {self.receptors!r})")
        if (self.variable is None) != (self.target == "tonic"):
            raise ValueError(f"effect on {self.target}: a phasic effect needs a variable name, "
                             f"a tonic one has none")

    def reaches(self, gamma2: bool) -> bool:
        """Whether this phasic effect acts on a synaptic channel (``gamma2``: γ2-containing)."""
        return self.receptors == "synaptic" or (self.receptors == "gamma2" and gamma2)


#: The parameter values (dimensionless, by Brian2 name) a drug sets on a population: from the
#: population's spec and the drug's profile name chosen by the experiment (None if it has none).
ParameterValues = Callable[[Any, str | None], dict[str, float]]


@dataclass(frozen=True)
class Drug:
    """One drug: names, where its concentrations come from, and what it does to GABA-A
    receptors."""

    #: short name: the engine's run-time array key and the prefix of its model variables
    key: str
    #: the drug's name for people (exports, descriptions)
    name: str
    #: its short name for people (axis labels, table headers)
    label: str
    #: experiment field ``drugs.<spec_field>``: region -> concentration schedule
    spec_field: str
    #: Brian2 name of the region-indexed TimedArray of its concentration (nM)
    array: str
    #: sensitivity parameters it declares on every population (Brian2 names, dimensionless), in
    #: the order they are declared and set
    parameters: tuple[str, ...]
    effects: tuple[Effect, ...]
    #: values of ``parameters`` for one population
    parameter_values: ParameterValues
    #: experiment field with the schedule of regions not named in ``spec_field`` (else 0 nM)
    default_field: str | None = None
    #: experiment field naming the drug's profile (e.g. which benzodiazepine); it is structure
    profile_field: str | None = None
    #: closed-loop synthesis adds the region's synthesised excess to this drug
    synthesised: bool = False
    #: run files store its concentration per region (``<key>/<region>/concentration``)
    recorded: bool = False
    #: its history drives the slow receptor plasticity (:mod:`.receptor_plasticity`)
    drives_plasticity: bool = False
    #: it lowers evoked glutamate release where ``drugs.presynaptic_release`` says
    #: (:func:`~allonet.pharmacology.release_factor`)
    lowers_release: bool = False
    #: experiment fields holding its concentrations (run-time values of a compiled model)
    spec_fields: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        fields = (self.spec_field,) + ((self.default_field,) if self.default_field else ())
        object.__setattr__(self, "spec_fields", fields)

    @property
    def symbol(self) -> str:
        """Name of the concentration in the generated expressions, before substitution."""
        return f"{self.key}_C"

    def schedule(self, drugs: Any, region: str) -> Any:
        """The concentration schedule of ``region`` in the experiment's ``drugs`` spec."""
        default = getattr(drugs, self.default_field) if self.default_field else "0 nM"
        return getattr(drugs, self.spec_field).get(region, default)

    def receptors(self) -> set[Receptors]:
        """The receptor classes the drug acts on."""
        return {e.receptors for e in self.effects}


def _allo_parameters(population: Any, profile: str | None) -> dict[str, float]:
    """ALLO sensitivity of a population: its phasic (``allo_profile``) and tonic
    (``tonic.profile``) profiles."""
    phasic, tonic = get_profile(population.allo_profile), get_tonic_profile(
        population.tonic.profile)
    return {"allo_emax": phasic.emax, "allo_ec50": phasic.ec50_nM, "allo_hill": phasic.hill,
            "tonic_emax": tonic.emax, "tonic_ec50": tonic.ec50_nM}


def _benzodiazepine_parameters(population: Any, profile: str | None) -> dict[str, float]:
    """The chosen benzodiazepine's curves (the same for every population)."""
    bz = get_benzodiazepine(profile or "diazepam")
    return {"bz_decay_emax": bz.decay_emax, "bz_amp_emax": bz.amplitude_emax,
            "bz_ec50": bz.ec50_nM, "bz_hill": bz.hill}


#: The drugs of the model, by key, in the order their equations are generated.
DRUGS: dict[str, Drug] = {d.key: d for d in (
    Drug(
        key="allo", name="allopregnanolone (ALLO)", label="ALLO", spec_field="allo",
        array="allo_conc", default_field="allo_default", synthesised=True, recorded=True,
        drives_plasticity=True, lowers_release=True,
        parameters=("allo_emax", "allo_ec50", "allo_hill", "tonic_emax", "tonic_ec50"),
        effects=(
            # decay_factor and tonic_factor of receptors.py, with the population's profiles
            Effect("decay", "synaptic", "allo_factor",
                   (("emax", "allo_emax"), ("ec50", "allo_ec50"), ("n", "allo_hill"))),
            Effect("tonic", "delta", None,
                   (("emax", "tonic_emax"), ("ec50", "tonic_ec50"), ("n", "1"))),
        ),
        parameter_values=_allo_parameters,
    ),
    Drug(
        key="bz", name="benzodiazepine", label="benzodiazepine", spec_field="benzodiazepine",
        array="bz_conc",
        profile_field="benzodiazepine_name",
        parameters=("bz_decay_emax", "bz_amp_emax", "bz_ec50", "bz_hill"),
        effects=(
            # bz_decay_factor and bz_amplitude_factor; no tonic effect (bz_tonic_factor is 1)
            Effect("decay", "gamma2", "bz_decay",
                   (("emax", "bz_decay_emax"), ("ec50", "bz_ec50"), ("n", "bz_hill"))),
            Effect("amplitude", "gamma2", "bz_amp",
                   (("emax", "bz_amp_emax"), ("ec50", "bz_ec50"), ("n", "bz_hill"))),
        ),
        parameter_values=_benzodiazepine_parameters,
    ),
)}


def release_drug() -> Drug:
    """The drug that lowers evoked glutamate release (the one with ``lowers_release``)."""
    [drug] = [d for d in DRUGS.values() if d.lowers_release]
    return drug


def chosen_profiles(drugs: Any) -> dict[str, str]:
    """Drug key -> profile name chosen by the experiment's ``drugs`` spec, for the drugs that
    have a ``profile_field`` (e.g. ``{"bz": "diazepam"}``)."""
    return {d.key: getattr(drugs, d.profile_field) for d in DRUGS.values() if d.profile_field}


def profile_structure(profiles: Mapping[str, str]) -> dict[str, str]:
    """The chosen profiles as entries of a protocol's structure (they set compiled constants):
    ``drugs.<spec_field>`` name -> profile, e.g. ``{"benzodiazepine": "diazepam"}``."""
    return {DRUGS[key].spec_field: name for key, name in profiles.items()}


__all__ = ["DRUGS", "Drug", "Effect", "Receptors", "Target", "chosen_profiles",
           "profile_structure"]
