"""The network spec: populations, synapse types, inputs and projections, as strict data."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveInt, model_validator

from allonet.spec.fields import (
    Capacitance,
    Concentration,
    Conductance,
    Current,
    Identifier,
    Probability,
    ProfileName,
    Rate,
    Strict,
    Time,
    TonicProfileName,
    Voltage,
)

IntegrationMethod = Literal["exponential_euler", "euler", "heun", "rk2", "rk4"]


class Integration(Strict):
    """Numerical integration of the neuron equations (method and step)."""

    method: IntegrationMethod = "exponential_euler"
    dt: Time = "0.1 ms"


class GabaASynapse(Strict):
    """GABA-A synapse type: transmitter pulse of length ``pulse`` then decay ``tau0 * factor(C)``.

    The peak conductance equals the projection weight whatever the decay (ALLO leaves amplitude and
    rise unchanged: Cooper et al. 1999); the 10-90% rise time is 0.8 * ``pulse``.
    """

    kind: Literal["gaba_a"]
    E: Voltage = "-75 mV"
    tau0: Time
    pulse: Time = "0.6 ms"
    gamma2: bool = True  # benzodiazepine-sensitive (γ2-containing synaptic receptors)


class AmpaSynapse(Strict):
    """AMPA synapse type: difference of exponentials, unmodulated by ALLO (Hu et al. 2007)."""

    kind: Literal["ampa"]
    E: Voltage = "0 mV"
    tau_rise: Time = "0.5 ms"
    tau_decay: Time = "7 ms"


class NmdaSynapse(Strict):
    """NMDA synapse type: difference of exponentials with Jahr-Stevens Mg2+ block."""

    kind: Literal["nmda"]
    E: Voltage = "0 mV"
    tau_rise: Time = "2 ms"
    tau_decay: Time = "125 ms"
    mg: Concentration = "1 mM"


SynapseType = Annotated[GabaASynapse | AmpaSynapse | NmdaSynapse, Field(discriminator="kind")]


class NeuronParams(Strict):
    """Membrane parameters; the AdEx fields are used only by ``model: adex``."""

    C: Capacitance
    gL: Conductance
    EL: Voltage
    VT: Voltage
    Vr: Voltage
    refractory: Time = "2 ms"
    DeltaT: Voltage | None = None
    a: Conductance = "0 nS"
    b: Current = "0 pA"
    tau_w: Time = "100 ms"
    V_peak: Voltage = "0 mV"


class Tonic(Strict):
    """Extrasynaptic (δ) GABA-A conductance: ``g0 * tonic_factor(C)``."""

    g0: Conductance = "0 nS"
    E: Voltage = "-75 mV"
    profile: TonicProfileName = "default"


class Population(Strict):
    """A group of identical conductance-based neurons in one ALLO region."""

    n: PositiveInt
    region: Identifier
    model: Literal["lif", "adex"] = "lif"
    params: NeuronParams
    allo_profile: ProfileName = "default"
    tonic: Tonic = Tonic()
    clamp: Voltage | None = None  # hold v here (voltage clamp) instead of integrating it
    method: IntegrationMethod | None = None  # overrides integration.method for this population

    @model_validator(mode="after")
    def _check(self) -> Population:
        if self.model == "adex" and self.params.DeltaT is None:
            raise ValueError("model 'adex' needs params.DeltaT")
        return self


class SpikeTimesInput(Strict):
    """Presynaptic cells firing at given times (same times for every cell unless ``indices``)."""

    kind: Literal["spike_times"]
    n: PositiveInt = 1
    times: list[Time] = Field(min_length=1)
    indices: list[int] | None = None


class PoissonInput(Strict):
    """Independent Poisson spike trains."""

    kind: Literal["poisson"]
    n: PositiveInt
    rate: Rate


InputSpec = Annotated[SpikeTimesInput | PoissonInput, Field(discriminator="kind")]


class Projection(Strict):
    """Connections from a population or input onto a population through one synapse type."""

    source: Identifier
    target: Identifier
    synapse: Identifier
    weight: Conductance
    delay: Time = "1 ms"
    connect: Literal["all_to_all", "one_to_one", "random"] = "all_to_all"
    p: Probability = 1.0


class NetworkSpec(Strict):
    """A whole circuit: the contents of one ``networks/*.yaml``."""

    name: Identifier
    description: str = ""
    integration: Integration = Integration()
    regions: list[Identifier] = Field(min_length=1)
    synapses: dict[Identifier, SynapseType] = {}
    populations: dict[Identifier, Population] = Field(min_length=1)
    inputs: dict[Identifier, InputSpec] = {}
    projections: dict[Identifier, Projection] = {}

    @model_validator(mode="after")
    def _cross_references(self) -> NetworkSpec:
        for name, pop in self.populations.items():
            if pop.region not in self.regions:
                raise ValueError(
                    f"populations.{name}.region = {pop.region!r}: not one of regions {self.regions}"
                )
        clash = set(self.populations) & set(self.inputs)
        if clash:
            raise ValueError(f"names used by both populations and inputs: {sorted(clash)}")
        sources = set(self.populations) | set(self.inputs)
        for name, proj in self.projections.items():
            if proj.source not in sources:
                raise ValueError(
                    f"projections.{name}.source = {proj.source!r}: not a population or input "
                    f"({sorted(sources)})"
                )
            if proj.target not in self.populations:
                raise ValueError(
                    f"projections.{name}.target = {proj.target!r}: not a population "
                    f"({sorted(self.populations)})"
                )
            if proj.synapse not in self.synapses:
                raise ValueError(
                    f"projections.{name}.synapse = {proj.synapse!r}: not a synapse type "
                    f"({sorted(self.synapses)})"
                )
        return self


__all__ = [
    "AmpaSynapse", "GabaASynapse", "InputSpec", "Integration", "NetworkSpec",
    "NeuronParams", "NmdaSynapse", "PoissonInput", "Population", "Projection", "SpikeTimesInput",
    "SynapseType", "Tonic",
]
