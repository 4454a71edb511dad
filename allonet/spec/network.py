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


class DualExponentialSynapse(Strict):
    """Unmodulated conductance, difference of exponentials (alpha function if the taus are equal).

    For reproductions of published models whose synapses are not ALLO-sensitive GABA-A.
    """

    kind: Literal["dual_exponential"]
    E: Voltage
    tau_rise: Time
    tau_decay: Time


SynapseType = Annotated[
    GabaASynapse | AmpaSynapse | NmdaSynapse | DualExponentialSynapse, Field(discriminator="kind")
]


#: Neuron models with an exponential spike-initiation term, which need ``params.DeltaT``.
EXPONENTIAL_MODELS = frozenset({"adex", "eif"})


class NeuronParams(Strict):
    """Membrane parameters; ``DeltaT`` and ``V_peak`` are used only by the exponential models
    (``adex``, ``eif``), ``a``, ``b`` and ``tau_w`` only by ``adex``."""

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


class Background(Strict):
    """Independent Poisson drive onto each neuron: ``n`` sources at ``rate``, each ``weight``."""

    synapse: Identifier
    n: PositiveInt
    rate: Rate
    weight: Conductance


class Coincidence(Strict):
    """CS x context coincidence plasticity (Vlachos et al. 2011) on a population's CS and context
    inputs. Each neuron has one CS weight and one context weight; every CS or context spike
    potentiates both by ``alpha*h*c*|w_max - w|`` when the last CS and context spikes are less than
    ``window`` apart, and otherwise depresses both by ``depression*alpha*c*|w_min - w|``
    (``depression`` 1 in Vlachos 2011; below 1, unpaired CS weaken a memory more slowly than
    pairings build it); traces c (CS) and h
    (context) jump by ``c_u``/``h_u`` and decay with ``tau_c``/``tau_h``. Active only while the
    protocol's plasticity gate is 1 (during CS of plastic phases)."""

    synapse: Identifier
    alpha: float = Field(gt=0)
    depression: float = Field(default=1.0, ge=0)
    #: > 0: a context spike without a CS depresses the context weight (context extinction);
    #: 0 in Vlachos 2011, whose plasticity acts only during CS
    context_depression: float = Field(default=0.0, ge=0)
    #: true: a spike moves only its own input's weight; false (Vlachos 2011): both weights
    synapse_specific: bool = False
    tau_c: Time
    tau_h: Time
    c_u: float = Field(ge=0)
    h_u: float = Field(ge=0)
    window: Time
    w_min: Conductance
    w_max: Conductance
    w_cs: Conductance
    w_cs_sd: Conductance = "0 nS"
    w_ctx: Conductance
    w_ctx_sd: Conductance = "0 nS"


class Population(Strict):
    """A group of identical conductance-based neurons in one ALLO region."""

    n: PositiveInt
    region: Identifier
    model: Literal["lif", "adex", "eif"] = "lif"
    params: NeuronParams
    allo_profile: ProfileName = "default"
    tonic: Tonic = Tonic()
    clamp: Voltage | None = None  # hold v here (voltage clamp) instead of integrating it
    method: IntegrationMethod | None = None  # overrides integration.method for this population
    v_init_sd: Voltage = "0 mV"  # initial v is EL plus Gaussian noise of this s.d.
    background: list[Background] = []
    coincidence: Coincidence | None = None
    #: named index ranges [start, stop) of this population, e.g. fear and extinction groups
    subgroups: dict[Identifier, tuple[int, int]] = {}

    @model_validator(mode="after")
    def _check(self) -> Population:
        if self.model in EXPONENTIAL_MODELS and self.params.DeltaT is None:
            raise ValueError(f"model {self.model!r} needs params.DeltaT")
        for name, (start, stop) in self.subgroups.items():
            if not 0 <= start < stop <= self.n:
                raise ValueError(f"subgroups.{name} = [{start}, {stop}]: need 0 <= start < stop "
                                 f"<= n = {self.n}")
        return self


class SpikeTimesInput(Strict):
    """Presynaptic cells firing at given times (same times for every cell unless ``indices``)."""

    kind: Literal["spike_times"]
    n: PositiveInt = 1
    times: list[Time] = Field(min_length=1)
    indices: list[int] | None = None


class PoissonInput(Strict):
    """Independent Poisson spike trains at ``rate``.

    ``channels`` name index ranges [start, stop) that a protocol drives separately (each adds its
    own rate on top of ``rate``): e.g. entorhinal cells carrying the pattern of one context.
    Ranges may overlap, giving partly overlapping patterns.
    """

    kind: Literal["poisson"]
    n: PositiveInt
    rate: Rate
    channels: dict[Identifier, tuple[int, int]] = {}

    @model_validator(mode="after")
    def _ranges(self) -> PoissonInput:
        for name, (start, stop) in self.channels.items():
            if not 0 <= start < stop <= self.n:
                raise ValueError(f"channels.{name} = [{start}, {stop}]: need 0 <= start < stop "
                                 f"<= n = {self.n}")
        return self


InputSpec = Annotated[SpikeTimesInput | PoissonInput, Field(discriminator="kind")]


class Projection(Strict):
    """Connections from a population or input onto a population through one synapse type."""

    source: Identifier
    target: Identifier
    synapse: Identifier
    weight: Conductance
    delay: Time = "1 ms"
    connect: Literal["all_to_all", "one_to_one", "random", "topographic"] = "all_to_all"
    #: connection probability; for ``topographic`` the peak, falling off as a Gaussian of the
    #: distance between the relative positions i/N_source and j/N_target, s.d. ``sigma``
    p: Probability = 1.0
    sigma: Annotated[float, Field(gt=0)] = 0.1
    weight_sd: Conductance = "0 nS"  # Gaussian spread of weights (clipped at 0)
    delay_sd: Time = "0 ms"          # Gaussian spread of delays
    autapses: bool = True            # allow i -> i when source is target
    source_range: tuple[int, int] | None = None  # [start, stop) of the source population
    target_range: tuple[int, int] | None = None  # [start, stop) of the target population
    plastic: Literal["cs", "context"] | None = None  # role in the target's coincidence rule


class NetworkSpec(Strict):
    """A whole circuit: the contents of one ``networks/*.yaml``."""

    name: Identifier
    description: str = ""
    #: multiplies population and input sizes (and index ranges), keeping in-degrees: random and
    #: topographic connection probabilities from scaled sources are divided by it
    scale: Annotated[float, Field(gt=0)] = 1.0
    integration: Integration = Integration()
    regions: list[Identifier] = Field(min_length=1)
    synapses: dict[Identifier, SynapseType] = {}
    populations: dict[Identifier, Population] = Field(min_length=1)
    inputs: dict[Identifier, InputSpec] = {}
    projections: dict[Identifier, Projection] = {}

    @model_validator(mode="after")
    def _cross_references(self) -> NetworkSpec:
        for name, pop in self.populations.items():
            used = [b.synapse for b in pop.background]
            used += [pop.coincidence.synapse] if pop.coincidence else []
            for synapse in used:
                if synapse not in self.synapses or self.synapses[synapse].kind == "gaba_a":
                    raise ValueError(f"populations.{name}: background/coincidence synapse "
                                     f"{synapse!r} must be a non-GABA-A synapse type")
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
            if proj.plastic and self.populations[proj.target].coincidence is None:
                raise ValueError(f"projections.{name}.plastic = {proj.plastic!r}: target "
                                 f"{proj.target!r} has no coincidence rule")
            if proj.synapse not in self.synapses:
                raise ValueError(
                    f"projections.{name}.synapse = {proj.synapse!r}: not a synapse type "
                    f"({sorted(self.synapses)})"
                )
        return self


def received_synapses(spec: NetworkSpec, population: str) -> list[str]:
    """Synapse types onto ``population`` from projections, background and plasticity (sorted)."""
    pop = spec.populations[population]
    names = {p.synapse for p in spec.projections.values() if p.target == population}
    names |= {b.synapse for b in pop.background}
    if pop.coincidence:
        names.add(pop.coincidence.synapse)
    return sorted(names)


def scaled(spec: NetworkSpec) -> NetworkSpec:
    """``spec`` with sizes multiplied by ``spec.scale`` and in-degrees kept; scale becomes 1."""
    k = spec.scale
    if k == 1.0:
        return spec

    def size(n: int) -> int:
        return max(1, round(n * k))

    def span(r: tuple[int, int] | None) -> tuple[int, int] | None:
        return None if r is None else (round(r[0] * k), max(round(r[0] * k) + 1, round(r[1] * k)))

    data = spec.model_dump()
    data["scale"] = 1.0
    data["description"] = f"{spec.description} [sizes x{k:g} of the spec]".strip()
    for pop in data["populations"].values():
        pop["n"] = size(pop["n"])
        pop["subgroups"] = {name: span(r) for name, r in pop["subgroups"].items()}
    for inp in data["inputs"].values():
        inp["n"] = size(inp["n"])
        if inp["kind"] == "poisson":
            inp["channels"] = {name: span(r) for name, r in inp["channels"].items()}
        elif inp["indices"] is not None:
            raise ValueError("spike_times inputs with explicit indices cannot be scaled")
    for proj in data["projections"].values():
        proj["source_range"], proj["target_range"] = span(proj["source_range"]), span(
            proj["target_range"])
        if proj["connect"] in ("random", "topographic"):
            proj["p"] = min(1.0, proj["p"] / k)
    return NetworkSpec.model_validate(data)


__all__ = [
    "AmpaSynapse", "GabaASynapse", "InputSpec", "Integration", "NetworkSpec",
    "NeuronParams", "NmdaSynapse", "PoissonInput", "Population", "Projection", "SpikeTimesInput",
    "SynapseType", "Tonic", "scaled",
]
