"""The experiment spec: which network, the drug concentrations per region, the protocol."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, PositiveFloat, PositiveInt, model_validator

from allonet.pharmacology import schedules
from allonet.pharmacology.receptor_plasticity import DEFAULT as DEFAULT_PLASTICITY
from allonet.pharmacology.receptor_plasticity import PlasticityConstants
from allonet.pharmacology.receptors import PRESYNAPTIC_RELEASE, ReleaseProfile
from allonet.pharmacology.synthesis import stress_intensity
from allonet.spec.fields import (
    Concentration,
    Conductance,
    Identifier,
    ProfileName,
    Rate,
    SignedTime,
    Strict,
    Time,
)
from allonet.spec.network import NetworkSpec, received_synapses
from allonet.units import to_hz, to_nM, to_seconds

_HOUR = 3600.0
#: What a protocol finds wrong with a network: (dotted path in the experiment, value, why).
Problem = tuple[str, Any, str]


def _hours(text: str) -> float:
    return to_seconds(text) / _HOUR


class ConstantSchedule(Strict):
    """A fixed concentration."""

    kind: Literal["constant"]
    concentration: Concentration

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        return schedules.constant(t_h, to_nM(self.concentration))


class StepsSchedule(Strict):
    """Piecewise-constant concentration changing at the given biological times."""

    kind: Literal["steps"]
    initial: Concentration
    times: list[SignedTime] = Field(min_length=1)
    values: list[Concentration] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> StepsSchedule:
        if len(self.times) != len(self.values):
            raise ValueError(f"times has {len(self.times)} entries but values {len(self.values)}")
        return self

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        return schedules.steps(
            t_h, [_hours(t) for t in self.times], [to_nM(v) for v in self.values],
            to_nM(self.initial),
        )


class StressSurgeSchedule(Strict):
    """Acute stress: baseline, then a surge to ``peak_fold`` x baseline that clears."""

    kind: Literal["stress_surge"]
    baseline: Concentration
    peak_fold: float = Field(ge=1.0)
    onset: SignedTime = "0 h"
    tau_rise: Time = "3 min"
    tau_clear: Time = "25 min"

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        return schedules.stress_surge(
            t_h, to_nM(self.baseline), self.peak_fold, _hours(self.onset),
            _hours(self.tau_rise), _hours(self.tau_clear),
        )


class InfusionSchedule(Strict):
    """One-compartment pharmacokinetics of an intravenous infusion (rates in µg/kg/h)."""

    kind: Literal["infusion"]
    rate_steps: list[tuple[SignedTime, Annotated[float, Field(ge=0.0)]]] = Field(min_length=1)
    half_life: Time
    clearance_L_per_h_per_kg: PositiveFloat
    brain_plasma_ratio: PositiveFloat = 1.0

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        steps = [(_hours(t), rate) for t, rate in self.rate_steps]
        return schedules.infusion_pk(
            t_h, steps, _hours(self.half_life), self.clearance_L_per_h_per_kg,
            brain_plasma_ratio=self.brain_plasma_ratio,
        )


class BrexanoloneSchedule(Strict):
    """The 60-h brexanolone infusion (Wald et al. 2022), starting at biological time 0."""

    kind: Literal["brexanolone_60h"]
    brain_plasma_ratio: PositiveFloat = 1.0
    endogenous: Concentration = "0 nM"  # the brain's own ALLO, added to the drug's

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        drug = schedules.brexanolone_60h(t_h, brain_plasma_ratio=self.brain_plasma_ratio)
        return to_nM(self.endogenous) + drug


class PostpartumSchedule(Strict):
    """High late-pregnancy level, then an exponential fall to baseline after delivery."""

    kind: Literal["postpartum_withdrawal"]
    pregnancy: Concentration
    baseline: Concentration
    delivery: SignedTime = "0 h"
    tau_drop: Time = "12 h"

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        return schedules.postpartum_withdrawal(
            t_h, to_nM(self.pregnancy), to_nM(self.baseline), _hours(self.delivery),
            _hours(self.tau_drop),
        )


class CycleSchedule(Strict):
    """An ovarian-cycle-like pattern: low follicular, high luteal phase."""

    kind: Literal["cycle"]
    low: Concentration
    high: Concentration
    period: Time = "28 day"
    luteal_start_frac: float = Field(default=0.5, gt=0.0, lt=1.0)
    tau: Time = "24 h"

    def at_hours(self, t_h: np.ndarray) -> np.ndarray:
        return schedules.cycle(
            t_h, to_nM(self.low), to_nM(self.high), _hours(self.period),
            self.luteal_start_frac, _hours(self.tau),
        )


Schedule = Annotated[
    ConstantSchedule | StepsSchedule | StressSurgeSchedule | InfusionSchedule
    | BrexanoloneSchedule | PostpartumSchedule | CycleSchedule,
    Field(discriminator="kind"),
]
#: A region's concentration: a constant written as text ("100 nM") or a schedule.
RegionConcentration = Concentration | Schedule


def concentration_at_hours(value: RegionConcentration, t_h: np.ndarray) -> np.ndarray:
    """Concentration in nM of a region entry at biological times ``t_h`` (hours)."""
    if isinstance(value, str):
        return schedules.constant(np.asarray(t_h, dtype=float), to_nM(value))
    return value.at_hours(np.asarray(t_h, dtype=float))


class Clock(Strict):
    """Maps simulation time to biological time: ``bio = session_start + time_scale * t_sim``."""

    session_start: SignedTime = "0 h"
    time_scale: PositiveFloat = 1.0
    sample_interval: Time = "100 ms"  # resolution of time-varying concentrations in the run

    def bio_hours(self, t_sim_s: np.ndarray) -> np.ndarray:
        return _hours(self.session_start) + self.time_scale * np.asarray(t_sim_s) / _HOUR


def _positive_times(model: Strict, *keys: str) -> None:
    """ValueError unless each time field ``keys`` of ``model`` is > 0."""
    for key in keys:
        if to_seconds(getattr(model, key)) <= 0:
            raise ValueError(f"{key} = {getattr(model, key)!r}: must be > 0")


class Synthesis(Strict):
    """Closed-loop ALLO synthesis in one region (see :mod:`allonet.pharmacology.synthesis`).

    The region's ALLO is its scheduled concentration (``drugs.allo``) plus a synthesised excess c:
    ``dc/dt = (1 - finasteride) * (k_act * max(r - reference_rate, 0) + k_stress * stress(t))
    - c / tau_clear``, r being the mean rate of ``populations``. Gains are steady-state values and
    ``tau_clear`` is on the biological clock; ``clock.time_scale`` compresses them into the
    simulation (k_act = activity_gain / tau_clear_sim, k_stress = stress_gain / tau_clear_sim).
    """

    populations: list[Identifier] = Field(min_length=1)  # excitatory populations of the region
    reference_rate: Rate = "0 Hz"  # mean rate below which activity makes no ALLO
    activity_gain: Concentration   # steady-state excess (nM) per 1 Hz above reference_rate
    stress_gain: Concentration = "0 nM"  # steady-state excess (nM) at stress intensity 1
    tau_clear: Time                # clearance time constant, biological clock
    rate_window: Time = "20 ms"    # simulation clock: time constant of the rate estimate r

    @model_validator(mode="after")
    def _positive(self) -> Synthesis:
        _positive_times(self, "tau_clear", "rate_window")
        return self


class ReceptorPlasticity(Strict):
    """Slow receptor plasticity (:mod:`allonet.pharmacology.receptor_plasticity`): δ expression
    and the α4 fraction of every region follow its ALLO schedule on the biological clock and set
    each session's tonic conductance and benzodiazepine sensitivity. Off by default."""

    enabled: bool = False
    #: biological time where the history starts, the states at the steady state of its ALLO
    history_start: SignedTime = "-60 day"  # [est] > 10 x the slowest time constant (72 h)
    #: step of the history (ALLO held over each step; each step is solved exactly)
    step: Time = "1 h"  # [est] ALLO schedules change over hours (tau_drop 12 h, t1/2 9-11 h)
    #: constants replacing the module's estimates (names and units of ``PlasticityConstants``)
    constants: dict[str, float] = {}

    @model_validator(mode="after")
    def _valid(self) -> ReceptorPlasticity:
        _positive_times(self, "step")
        self.plasticity_constants()
        return self

    def plasticity_constants(self) -> PlasticityConstants:
        """The module's constants with ``constants`` replacing some (ValueError naming a bad
        one)."""
        unknown = sorted(set(self.constants) - set(PlasticityConstants.__dataclass_fields__))
        if unknown:
            raise ValueError(f"constants {unknown}: unknown; allowed: "
                             f"{', '.join(PlasticityConstants.__dataclass_fields__)}")
        return dataclasses.replace(DEFAULT_PLASTICITY, **self.constants)


class PresynapticRelease(Strict):
    """ALLO lowers evoked glutamate release at the listed (excitatory) projections: each spike
    delivers its weight times ``release_factor`` of the ALLO in the target population's region,
    where the terminals are (:data:`allonet.pharmacology.PRESYNAPTIC_RELEASE`; Hu et al. 2007).
    Off unless given; which projections, and the curve, are structure (compiled)."""

    projections: list[Identifier] = Field(min_length=1)
    emax: float = Field(PRESYNAPTIC_RELEASE.emax, gt=0.0, le=1.0)
    ec50: Concentration = f"{PRESYNAPTIC_RELEASE.ec50_nM:g} nM"
    hill: PositiveFloat = PRESYNAPTIC_RELEASE.hill

    def profile(self) -> ReleaseProfile:
        """The curve as a :class:`~allonet.pharmacology.ReleaseProfile`."""
        return ReleaseProfile(self.emax, to_nM(self.ec50), self.hill, PRESYNAPTIC_RELEASE.source)


class Drugs(Strict):
    """Concentrations per region (bath-equivalent nM); regions not named get ``default``."""

    allo: dict[Identifier, RegionConcentration] = {}
    allo_default: Concentration = "0 nM"
    benzodiazepine: dict[Identifier, RegionConcentration] = {}
    benzodiazepine_name: str = "diazepam"
    #: regions that make their own ALLO (closed loop), added on top of ``allo``
    synthesis: dict[Identifier, Synthesis] = {}
    #: region -> fraction of its synthesis blocked (5α-reductase inhibition by finasteride)
    finasteride: dict[Identifier, Annotated[float, Field(ge=0.0, le=1.0)]] = {}
    #: receptor composition following the ALLO history (slow; off by default)
    receptor_plasticity: ReceptorPlasticity = ReceptorPlasticity()
    #: ALLO's presynaptic inhibition of glutamate release at chosen projections (off by default)
    presynaptic_release: PresynapticRelease | None = None

    @model_validator(mode="after")
    def _finasteride_needs_synthesis(self) -> Drugs:
        for region in self.finasteride:
            if region not in self.synthesis:
                raise ValueError(f"finasteride.{region}: region {region!r} has no synthesis to "
                                 f"block; regions with synthesis: {sorted(self.synthesis)}")
        return self


class GlutamateSurge(Strict):
    """Extra Poisson excitation onto every neuron of a population during stress: ``n`` sources
    at ``rate`` x stress intensity, each of ``weight``, through ``synapse`` (non-GABA-A)."""

    synapse: Identifier
    n: PositiveInt
    rate: Rate
    weight: Conductance


class StressReadout(Strict):
    """How the stress response is read out: binned rates of ``populations`` (simulation clock)."""

    populations: list[Identifier] = Field(min_length=1)
    baseline: Time = "300 ms"  # window before stress onset giving the baseline rate
    bin: Time = "50 ms"        # rate bins
    threshold: Rate = "1 Hz"   # an overshoot lasts while the rate exceeds baseline by this

    @model_validator(mode="after")
    def _positive(self) -> StressReadout:
        _positive_times(self, "baseline", "bin")
        return self


class Stress(Strict):
    """An acute stressor on the biological clock: intensity 0 before ``onset``, then a
    difference of exponentials with peak 1 (``tau_rise``, ``tau_decay``). It drives the
    ``glutamate`` surge and the ``stress_gain`` term of every region's synthesis."""

    onset: SignedTime = "0 h"
    tau_rise: Time = "1 min"
    tau_decay: Time = "5 min"
    glutamate: dict[Identifier, GlutamateSurge] = {}
    readout: StressReadout | None = None

    @model_validator(mode="after")
    def _positive(self) -> Stress:
        _positive_times(self, "tau_rise", "tau_decay")
        return self

    def intensity_at_hours(self, t_h: np.ndarray) -> np.ndarray:
        """Stress intensity (1) at biological times ``t_h`` (h)."""
        return stress_intensity(t_h, _hours(self.onset), _hours(self.tau_rise),
                                _hours(self.tau_decay))


def undefined_names(net: NetworkSpec, names: dict[str, tuple[Any, Collection]]) -> list[Problem]:
    """A problem for each ``protocol.<field>`` of ``names`` (field -> (value, names allowed))
    whose value the network does not define, in the order of ``names``."""
    return [(f"protocol.{field}", value, f"not defined in network {net.name!r}: {sorted(allowed)}")
            for field, (value, allowed) in names.items() if value not in allowed]


class IpscDoseResponse(Strict):
    """Protocol: one inhibitory input onto clamped cells, repeated per ALLO concentration.

    Each listed profile gets its own postsynaptic cell (a copy of ``target`` with that
    ``allo_profile``); each concentration is one run of the same compiled model.
    """

    #: the drug (key of ``allonet.pharmacology.DRUGS``) whose concentration in ``region`` the
    #: protocol sweeps; ``profiles`` are its sensitivity profiles
    swept_drug: ClassVar[str] = "allo"
    #: the ``conditions`` and ``readouts/ipsc`` column of the swept concentration (nM)
    swept_column: ClassVar[str] = f"{swept_drug}_nM"

    kind: Literal["ipsc_dose_response"]
    target: Identifier
    input: Identifier
    synapse: Identifier
    region: Identifier
    duration: Time
    concentrations: list[Concentration] = Field(min_length=1)
    profiles: list[ProfileName] = Field(min_length=1)
    #: measured decay folds to draw on the figure: label -> (concentration, low, high)
    literature: dict[str, tuple[Concentration, float, float]] = {}

    def network_problems(self, experiment: ExperimentSpec, net: NetworkSpec) -> list[Problem]:
        """The target, input, synapse and region must exist in ``net``."""
        return undefined_names(net, {
            "target": (self.target, net.populations), "input": (self.input, net.inputs),
            "synapse": (self.synapse, net.synapses), "region": (self.region, set(net.regions))})


class Phase(Strict):
    """One session of a fear protocol: CS presentations in a context, with or without US."""

    name: Identifier
    context: Identifier | None = None  # key of FearConditioning.contexts; None: no context input
    n_cs: int = Field(ge=0)
    cs_duration: Time
    cs_interval: Time                   # onset to onset
    us: bool = False                    # US in the last us_duration of every CS
    #: false: the trial windows keep their timing but carry no CS (context alone: a contextual
    #: fear test or context extinction); readouts then measure the response to the context
    cs: bool = True
    plastic: bool = True                # coincidence plasticity on during CS
    lead: Time = "0 ms"                 # context on before the first CS
    gap_after: Time = "0 ms"            # all inputs off after the phase
    #: key of FearConditioning.sessions: the session (day) the phase belongs to
    session: Identifier | None = None
    #: population -> fraction of its neurons kept from firing during this phase (a random subset)
    silence: dict[Identifier, Annotated[float, Field(ge=0.0, le=1.0)]] = {}

    @model_validator(mode="after")
    def _cs_fits(self) -> Phase:
        if to_seconds(self.cs_duration) > to_seconds(self.cs_interval):
            raise ValueError(f"cs_duration {self.cs_duration} is longer than cs_interval "
                             f"{self.cs_interval}: CS would overlap")
        return self


class ContextInput(Strict):
    """The input population that carries one context, and its rate while the context is on."""

    input: Identifier
    rate: Rate


class Freezing(Strict):
    """Freezing proxy of ``population``'s window rate r, one of two curves: Hill,
    ``r**hill / (r**hill + half_max**hill)`` (``half_max`` and ``hill``), or linear-saturating,
    ``clip(r / saturation, 0, 1)`` (``saturation``; Krasne et al. 2011)."""

    population: Identifier
    saturation: Rate | None = None
    half_max: Rate | None = None
    hill: PositiveFloat | None = None

    @model_validator(mode="after")
    def _one_curve(self) -> Freezing:
        hill = self.half_max is not None and self.hill is not None
        if hill == (self.saturation is not None) or (self.half_max is None) != (self.hill is None):
            raise ValueError("give either saturation (linear-saturating) or both half_max and "
                             "hill (Hill curve)")
        return self


class NeuronClasses(Strict):
    """Phases whose CS rates classify readout neurons (Duggins & Eliasmith criteria): control
    (before conditioning), conditioned (r_A) and extinguished (r_B, its last trials)."""

    control: Identifier
    conditioned: Identifier
    extinguished: Identifier
    last_trials: int = Field(default=2, ge=1)
    min_rate: Rate = "5 Hz"  # a class's responding rate must reach this


class Session(Strict):
    """One session of an experiment on separate days: its phases run back to back, starting at
    ``start`` on the biological clock (hours after ``clock.session_start``, e.g. "24 h" for the
    next day). Learned state (plastic weights) carries over from the session before."""

    start: SignedTime


class FearConditioning(Strict):
    """Protocol: phases of CS (and US) presentations in contexts, one continuous run.

    With ``sessions``, the phases are grouped into sessions placed on the biological clock (each
    phase names its session); drug schedules are sampled at each session's own biological time,
    and ``session_gap`` of simulated time with every protocol input off separates two sessions
    (the animal back in its home cage), so all sessions run on one binary.

    Input rates and the plasticity gate become TimedArrays with ``resolution``; readouts are
    CS-window rates of ``readout_population``'s subgroups, per phase and trial.
    """

    kind: Literal["fear_conditioning"]
    settle: Time = "100 ms"
    resolution: Time = "1 ms"
    cs_input: Identifier
    cs_rate: Rate
    contexts: dict[Identifier, ContextInput] = {}
    us_input: Identifier | None = None
    us_rate: Rate = "0 Hz"
    us_duration: Time = "0 ms"
    phases: list[Phase] = Field(min_length=1)
    readout_population: Identifier
    freezing: Freezing | None = None
    #: population whose context ensembles are compared (e.g. CA1 pyramidal cells)
    ensemble_population: Identifier | None = None
    ensemble_threshold: Rate = "2 Hz"  # a neuron belongs to a context's ensemble above this rate
    neuron_classes: NeuronClasses | None = None
    weight_sample_interval: Time = "50 ms"
    #: populations that phases may silence without a recompile: each gets a run-time silencing
    #: array (zero unless a phase silences it), so intact and silenced runs share one binary
    silenceable: list[Identifier] = []
    sessions: dict[Identifier, Session] = {}
    session_gap: Time = "400 ms"

    @model_validator(mode="after")
    def _sessions_in_order(self) -> FearConditioning:
        named = [phase.session for phase in self.phases]
        if not self.sessions:
            if any(named):
                raise ValueError("a phase names a session but the protocol has no sessions")
            return self
        order = list(self.sessions)
        for index, name in enumerate(named):
            if name not in self.sessions:
                raise ValueError(f"phases.{index}.session = {name!r}: not one of sessions "
                                 f"{order}")
        if list(dict.fromkeys(named)) != [n for n in order if n in named] or \
                len(list(dict.fromkeys(named))) != len(
                    [k for k, n in enumerate(named) if k == 0 or n != named[k - 1]]):
            raise ValueError(f"phases must be grouped by session, in the order of sessions "
                             f"{order} (got {named})")
        starts = [to_seconds(self.sessions[n].start) for n in dict.fromkeys(named)]
        if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
            raise ValueError(f"session starts must increase: {order}")
        return self

    def network_problems(self, experiment: ExperimentSpec, net: NetworkSpec) -> list[Problem]:
        """Every input, population and context input the protocol names must exist in ``net``
        (a context's input may be a channel of an input)."""
        names = {"cs_input": (self.cs_input, net.inputs),
                 "readout_population": (self.readout_population, net.populations)}
        channels = set(net.inputs) | {ch for inp in net.inputs.values()
                                      for ch in getattr(inp, "channels", {})}
        names |= {f"contexts.{k}.input": (c.input, channels) for k, c in self.contexts.items()}
        if self.us_input:
            names["us_input"] = (self.us_input, net.inputs)
        if self.freezing:
            names["freezing.population"] = (self.freezing.population, net.populations)
        if self.ensemble_population:
            names["ensemble_population"] = (self.ensemble_population, net.populations)
        names |= {f"silenceable.{i}": (pop, net.populations)
                  for i, pop in enumerate(self.silenceable)}
        for index, phase in enumerate(self.phases):
            names |= {f"phases.{index}.silence.{pop}": (pop, net.populations)
                      for pop in phase.silence}
        return undefined_names(net, names)

    @model_validator(mode="after")
    def _contexts_known(self) -> FearConditioning:
        names = [phase.name for phase in self.phases]
        if self.neuron_classes:
            for key in ("control", "conditioned", "extinguished"):
                value = getattr(self.neuron_classes, key)
                if value not in names:
                    raise ValueError(f"neuron_classes.{key} = {value!r}: not a phase ({names})")
        for index, phase in enumerate(self.phases):
            if phase.context is not None and phase.context not in self.contexts:
                raise ValueError(f"phases.{index}.context = {phase.context!r}: not one of "
                                 f"contexts {sorted(self.contexts)}")
            if phase.us and self.us_input is None:
                raise ValueError(f"phases.{index}.us is true but no us_input is given")
        return self


class LfpProxy(Strict):
    """LFP proxy in the style of Mazzoni et al. 2015 (PLoS Comput Biol 11:e1004584): the sum
    over the first ``cells`` neurons of ``population`` (a random sample: connections are random)
    of the absolute synaptic currents |I| of ``channels``, sampled every ``interval``."""

    population: Identifier
    channels: list[Identifier] = Field(min_length=1)
    cells: PositiveInt = 50
    interval: Time = "1 ms"

    @model_validator(mode="after")
    def _positive(self) -> LfpProxy:
        _positive_times(self, "interval")
        return self


class BackgroundActivity(Strict):
    """Protocol: the network under its background drive alone, for ``duration``, one run.

    Readouts, over [``settle``, ``duration``): mean rate of every population, power and
    fraction of power (of ``total``) in each of ``bands`` of the population rate (``bin``
    bins) of ``spectra`` populations and of the ``lfp`` proxy, and their spectral peaks.
    Spectra are Welch averages of ``segment``-long windows.
    """

    kind: Literal["background"]
    duration: Time
    settle: Time = "500 ms"            # start transient, left out of every readout
    spectra: list[Identifier] = []     # populations whose population-rate spectra are read out
    lfp: LfpProxy | None = None
    bands: dict[Identifier, tuple[Rate, Rate]] = {"theta": ("6 Hz", "12 Hz")}
    total: tuple[Rate, Rate] = ("1 Hz", "100 Hz")
    bin: Time = "1 ms"
    segment: Time = "1 s"

    def network_problems(self, experiment: ExperimentSpec, net: NetworkSpec) -> list[Problem]:
        """Closed-loop synthesis and stress belong to the fear protocol; the spectra and LFP
        populations, the LFP channels (received by its population) and its cell count must fit
        ``net``."""
        problems: list[Problem] = [
            (field, "<given>", "not supported by protocol 'background'")
            for field, used in (("drugs.synthesis", experiment.drugs.synthesis),
                                ("stress", experiment.stress)) if used]
        names = {f"spectra.{i}": (pop, net.populations) for i, pop in enumerate(self.spectra)}
        lfp = self.lfp
        if lfp:
            names["lfp.population"] = (lfp.population, net.populations)
            if lfp.population in net.populations:
                received = received_synapses(net, lfp.population)
                names |= {f"lfp.channels.{i}": (ch, received)
                          for i, ch in enumerate(lfp.channels)}
                n = net.populations[lfp.population].n
                if lfp.cells > n:
                    problems.append(("protocol.lfp.cells", lfp.cells,
                                     f"more than the {n} neurons of {lfp.population!r}"))
        return problems + undefined_names(net, names)

    @model_validator(mode="after")
    def _windows(self) -> BackgroundActivity:
        _positive_times(self, "duration", "bin", "segment")
        window = to_seconds(self.duration) - to_seconds(self.settle)
        if window < to_seconds(self.segment):
            raise ValueError(f"duration - settle = {window:g} s is shorter than segment "
                             f"{self.segment}: no whole spectral window")
        low, high = (to_hz(f) for f in self.total)
        for name, (a, b) in self.bands.items():
            if not low <= to_hz(a) < to_hz(b) <= high:
                raise ValueError(f"bands.{name} = [{a}, {b}]: need total[0] <= low < high <= "
                                 f"total[1] ({self.total[0]}, {self.total[1]})")
        return self


Protocol = Annotated[IpscDoseResponse | FearConditioning | BackgroundActivity,
                     Field(discriminator="kind")]


class ExperimentSpec(Strict):
    """One experiment: the contents of one ``experiments/*.yaml``."""

    name: Identifier
    description: str = ""
    network: str
    seed: int = Field(default=1, ge=0, lt=2**31)
    device: Literal["runtime", "standalone", "cuda"] = "standalone"
    clock: Clock = Clock()
    drugs: Drugs = Drugs()
    stress: Stress | None = None  # an acute stressor (glutamate surge, stress-driven synthesis)
    protocol: Protocol
