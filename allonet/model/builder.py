"""Build Brian2 objects from a validated :class:`~allonet.spec.NetworkSpec`.

All objects get explicit names taken from the spec, so the same spec always produces the same
generated code (a requirement for reusing compiled standalone binaries). Objects share
``defaultclock``, which the engine sets to ``integration.dt``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import brian2 as b2
import numpy as np
from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

from allonet.errors import SpecError
from allonet.model import background_drive, random_subsets
from allonet.model import equations as eq
from allonet.model import synthesis as synth
from allonet.model.equations import PLASTICITY_GATE
from allonet.model.neurons import membrane_equations, neuron_model
from allonet.model.parameters import (
    base_rate_array,
    plasticity_constants,
    run_time_values,
)
from allonet.model.synapses import SYNAPSE_MODELS
from allonet.pharmacology import DRUGS, ReleaseProfile
from allonet.pharmacology.drugs import release_drug
from allonet.pharmacology.receptor_plasticity import STATE_ARRAYS
from allonet.spec.network import NetworkSpec, Population, Projection, received_synapses
from allonet.units import parse_quantity

_NONLINEAR_SAFE = {"euler", "heun", "rk2", "rk4"}


@dataclass
class Model:
    """The Brian2 objects of one network, before monitors are added."""

    groups: dict[str, b2.Group]
    synapses: dict[str, b2.Synapses]
    #: each drug's concentration TimedArray (nM), by drug key (:data:`~allonet.pharmacology.DRUGS`),
    #: and with receptor plasticity each state's TimedArray (1), by its name (``STATE_ARRAYS``)
    drug_arrays: dict[str, b2.TimedArray]
    regions: list[str]
    extra: list = field(default_factory=list)
    #: clock of the drug updates (every concentration sample)
    drug_clock: b2.Clock | None = None
    #: closed-loop synthesis group (one neuron per region, in ``regions`` order), if any
    synthesis: b2.NeuronGroup | None = None
    #: every TimedArray the model reads, by name (drug arrays and protocol inputs)
    timed: dict[str, b2.TimedArray] = field(default_factory=dict)

    def network(self, *monitors: b2.BrianObject) -> b2.Network:
        """A Brian2 Network holding every object of the model plus ``monitors``."""
        return b2.Network(*self.groups.values(), *self.synapses.values(), *self.extra, *monitors)


def q(text: str) -> b2.Quantity:
    """Shorthand: spec text to a Brian2 quantity."""
    return parse_quantity(text)


def si(text: str) -> float:
    """Spec text to its value in SI units (float)."""
    return float(parse_quantity(text))


def build_model(
    spec: NetworkSpec,
    drugs: Mapping[str, np.ndarray],
    sample_dt: float,
    profiles: Mapping[str, str] | None = None,
    timed: dict[str, b2.TimedArray] | None = None,
    sample_every: dict[str, int] | None = None,
    synthesis: dict[str, synth.RegionSynthesis] | None = None,
    glutamate: dict[str, synth.GlutamateDrive] | None = None,
    per_neuron_drugs: frozenset[str] = frozenset(),
    release: Mapping[str, ReleaseProfile] | None = None,
) -> Model:
    """Create neuron groups, inputs and synapses of ``spec``.

    ``drugs`` maps every key of :data:`~allonet.pharmacology.DRUGS` to an array of shape
    (n_samples, n_regions): the drug's concentration in each region (nM), one row per
    ``sample_dt`` seconds of simulated time (the last row holds afterwards). ``profiles`` names
    the profile of drugs chosen per experiment (drug key -> name, e.g. ``{"bz": "diazepam"}``;
    :func:`~allonet.pharmacology.chosen_profiles`). With receptor plasticity, ``drugs`` also
    holds each receptor state (1, same shape) under its array name
    (:data:`~allonet.pharmacology.receptor_plasticity.STATE_ARRAYS`): δ expression then scales
    the tonic conductance and the α4 fraction the benzodiazepine-site factors.
    ``timed`` adds protocol TimedArrays: ``rate_<input>`` (Hz) drives that Poisson input,
    ``plasticity_gate`` gates coincidence plasticity, and ``silence_<population>`` is the fraction
    of that population kept from firing (neurons whose random rank is below it).
    ``sample_every`` gives populations a ``sample`` event every that many time steps, for
    recording state (e.g. weights) with an ``EventMonitor`` on the network's single clock.
    ``synthesis`` makes regions closed-loop (region -> constants, simulation clock): their
    neurons' concentration of the synthesised drug is the scheduled one plus the synthesised
    excess (:mod:`allonet.model.synthesis`).
    ``glutamate`` adds a stress-gated Poisson drive to populations; it and stress-driven synthesis
    read ``timed['stress_level']`` (intensity, 1). Without either, the model is exactly the one
    built before they existed (same code, same random streams).
    Drug sensitivities and factors are shared by a population's neurons (one scalar update per
    population), except in closed-loop regions and in the populations of ``per_neuron_drugs``,
    whose neurons may be given sensitivity profiles of their own.
    ``release`` maps excitatory projections to the curve by which ALLO in their target's region
    lowers the weight each spike delivers (presynaptic release; none by default).
    """
    arrays = _drug_timed_arrays(drugs, len(spec.regions), sample_dt)
    namespace = {array.name: array for array in arrays.values()} | dict(timed or {})
    plasticity = set(STATE_ARRAYS.values()) <= set(arrays)
    namespace.setdefault(PLASTICITY_GATE, b2.TimedArray([1.0], dt=1 * b2.second,
                                                        name=PLASTICITY_GATE))
    groups: dict[str, b2.Group] = {}
    extra: list = []
    drug_clock = b2.Clock(sample_dt * b2.second, name="drug_clock")
    synthesis = dict(synthesis or {})
    glutamate = dict(glutamate or {})
    if (glutamate or any(s.k_stress for s in synthesis.values())) and \
            synth.STRESS_ARRAY not in namespace:
        raise ValueError(f"a stress drive needs timed[{synth.STRESS_ARRAY!r}]")
    regions = list(spec.regions)
    loop = synth.synthesis_group(regions, synthesis, namespace) if synthesis else None
    for name, pop in spec.populations.items():
        groups[name] = _population(spec, name, pop, namespace, dict(profiles or {}), drug_clock,
                                   (sample_every or {}).get(name), pop.region in synthesis,
                                   glutamate.get(name), name in per_neuron_drugs, plasticity)
        background_drive.add_drives(name, pop, groups[name])
    for name, inp in spec.inputs.items():
        groups[name] = _input(name, inp, namespace)
    release = dict(release or {})
    synapses = {name: _projection_object(spec, name, proj, groups, namespace,
                                         name in release)
                for name, proj in spec.projections.items()}
    for name in release:
        region = regions.index(spec.populations[spec.projections[name].target].region)
        synapses[name].run_regularly(eq.release_update_code(region), clock=drug_clock,
                                     when="start", name=f"{name}_release")
    values = _run_time_values(spec)
    for name, group in groups.items():
        _set_values(group, values.get(name, {}))
    # Initial values drawn at random read the run-time values, and come after them in the
    # same order as always (one random stream).
    for name, pop in spec.populations.items():
        _initialise(groups[name], name, pop, namespace)
    for name, proj in spec.projections.items():
        kind = spec.synapses[proj.synapse]
        _connect(synapses[name], proj, q(kind.pulse) if SYNAPSE_MODELS[kind.kind].pulsed else None,
                 values.get(name, {}) | _release_constants(release.get(name)))
    if loop is not None:
        extra.append(loop)
        for region, constants in synthesis.items():
            for pop in constants.populations:
                if spec.populations[pop].region != region:
                    raise ValueError(f"synthesis population {pop!r} is not in region {region!r}")
            extra += synth.rate_synapses(regions.index(region), constants, groups, loop)
        for name, pop in spec.populations.items():
            if pop.region in synthesis:
                extra.append(synth.concentration_synapses(loop, groups[name], name,
                                                          regions.index(pop.region)))
    timed_arrays = {k: v for k, v in namespace.items() if isinstance(v, b2.TimedArray)}
    return Model(groups, synapses, arrays, regions, extra, drug_clock, loop, timed_arrays)


def _drug_timed_arrays(drugs: Mapping[str, np.ndarray], n_regions: int,
                       sample_dt: float) -> dict[str, b2.TimedArray]:
    """One TimedArray per registered drug (``DRUGS`` order) from its concentrations (nM,
    (n_samples, n_regions)) sampled every ``sample_dt`` seconds, then one per receptor state
    if ``drugs`` has them all (keys and names ``STATE_ARRAYS``'s values); ValueError for a
    missing or unknown array or a wrong shape."""
    states = [name for name in STATE_ARRAYS.values() if name in drugs]
    if set(drugs) != set(DRUGS) | set(states) or states not in ([], list(STATE_ARRAYS.values())):
        raise ValueError(f"drug arrays for {sorted(drugs)}; the model needs {sorted(DRUGS)}, "
                         f"and all or none of {sorted(STATE_ARRAYS.values())}")
    names = {key: drug.array for key, drug in DRUGS.items()} | {name: name for name in states}
    arrays = {}
    for key, name in names.items():
        values = drugs[key]
        if values.ndim != 2 or values.shape[1] != n_regions:
            what = DRUGS[key].name if key in DRUGS else name
            raise ValueError(f"{what} array must be (n_samples, {n_regions}), "
                             f"got {values.shape}")
        arrays[key] = b2.TimedArray(values, dt=sample_dt * b2.second, name=name)
    return arrays


def _population(spec: NetworkSpec, name: str, pop: Population, namespace: dict,
                profiles: dict[str, str], drug_clock: b2.Clock,
                sample_every: int | None = None, closed_loop: bool = False,
                glutamate: synth.GlutamateDrive | None = None,
                per_neuron_drugs: bool = False, plasticity: bool = False) -> b2.NeuronGroup:
    channels = received_synapses(spec, name)
    kinds = {c: SYNAPSE_MODELS[spec.synapses[c].kind] for c in channels}
    neuron = neuron_model(pop.model)
    method = pop.method or spec.integration.method
    if method not in _NONLINEAR_SAFE and (
        neuron.nonlinear or any(k.nonlinear for k in kinds.values())
    ) and pop.clamp is None:
        raise SpecError(None, f"populations.{name}.method", method,
                        "AdEx and NMDA Mg block are nonlinear in v; use one of "
                        f"{sorted(_NONLINEAR_SAFE)}")
    per_neuron = closed_loop or per_neuron_drugs
    text = membrane_equations(pop.model, pop.clamp is not None) + eq.drug_equations(per_neuron)
    gaba = {c: spec.synapses[c].gamma2 for c, kind in kinds.items() if kind.drug_scaled}
    for channel, kind in kinds.items():
        text += kind.equations(channel, per_neuron)
    text += eq.synaptic_current(channels)
    if closed_loop:
        text += synth.LINK_EQUATIONS
    if glutamate is not None:
        text += synth.GLUTAMATE_EQUATIONS
    text += background_drive.equations(pop)
    local = dict(namespace)
    if pop.coincidence:
        text += eq.coincidence_equations()
    kwargs = {}
    silence = f"silence_{name}"
    if silence in namespace:
        text += "silence_rank : 1 (constant)\n"
    if pop.clamp is None:
        threshold = neuron.threshold
        if silence in namespace:
            threshold += f" and silence_rank >= {silence}(t)"
        kwargs = dict(threshold=threshold, reset=neuron.reset, refractory="t_ref")
    if sample_every:
        # An event on the group's own clock: a StateMonitor with its own dt would add a second
        # clock, and Brian2 orders clocks differently in every process (so recompiles).
        kwargs["events"] = {"sample": f"timestep(t, dt) % {int(sample_every)} == 0"}
    group = b2.NeuronGroup(pop.n, b2.Equations(text), method=method, namespace=local, name=name,
                           **kwargs)
    _set_parameters(group, spec, pop, channels, profiles)
    # Concentrations are piecewise constant over sample_dt, so updating the drug factors at the
    # same instants gives exactly the per-step values at a fraction of the cost.
    group.run_regularly(eq.drug_update_code(gaba, closed_loop, plasticity), clock=drug_clock,
                        when="start",
                        name=f"{name}_drugs")
    if glutamate is not None:
        synth.add_glutamate_drive(group, name, glutamate)
    return group


def _gaussian(mean: str, sd: str, unit: str) -> str:
    """Brian2 expression: a Gaussian draw with mean and s.d. (variables of the object, SI
    ``unit``), clipped below at 0."""
    return f"clip({mean} + {sd}*randn(), 0*{unit}, inf*{unit})"


def _set_parameters(group: b2.NeuronGroup, spec: NetworkSpec, pop: Population,
                    channels: list[str], profiles: dict[str, str]) -> None:
    """The population's build-time values (run-time ones: :func:`_run_time_values`)."""
    if pop.clamp is not None:
        group.v = q(pop.clamp)
    group.region_id = spec.regions.index(pop.region)
    for key, drug in DRUGS.items():
        for variable, value in drug.parameter_values(pop, profiles.get(key)).items():
            setattr(group, variable, value)
    for channel in channels:
        syn = spec.synapses[channel]
        for variable, value in SYNAPSE_MODELS[syn.kind].values(channel, syn):
            setattr(group, variable, value)
    if pop.coincidence:
        group.t_cs = group.t_ctx = -1 * b2.second  # no spike yet: never "paired" at start


def _run_time_values(spec: NetworkSpec) -> dict[str, dict[str, float]]:
    """The model's run-time values (:func:`~allonet.model.parameters.run_time_values`) by
    object and variable, to set on the runtime device. On cpp_standalone none: the binary takes
    them from its command line at this point of its initialisation, so the code and the
    build-time arrays do not depend on them. Poisson rates are set where their arrays are
    made."""
    if _standalone():
        b2.get_device().apply_run_args()
        return {}
    out: dict[str, dict[str, float]] = {}
    for target, value in run_time_values(spec).items():
        name, variable = target.rsplit(".", 1)
        if variable != "values":
            out.setdefault(name, {})[variable] = value
    return out


def _set_values(obj: b2.Group, values: Mapping[str, float]) -> None:
    """Set ``obj``'s variables from SI ``values`` (by variable name)."""
    for variable, value in values.items():
        setattr(obj, f"{variable}_", value)


def _standalone() -> bool:
    return isinstance(b2.get_device(), CPPStandaloneDevice)


def _initialise(group: b2.NeuronGroup, name: str, pop: Population, namespace: dict) -> None:
    """Initial values drawn at random (from the run-time means)."""
    if pop.clamp is None and si(pop.v_init_sd) > 0:
        group.v = f"EL + {si(pop.v_init_sd)!r}*volt*randn()"
    if pop.coincidence:
        group.w_cs = _gaussian("w_cs0", "w_cs_sd", "siemens")
        group.w_ctx = _gaussian("w_ctx0", "w_ctx_sd", "siemens")
    if f"silence_{name}" in namespace:
        group.silence_rank = "rand()"


def _input(name: str, inp, namespace: dict) -> b2.Group:
    if inp.kind == "poisson":
        return _poisson_input(name, inp, namespace)
    times = np.array([si(t) for t in inp.times])
    if inp.indices is None:
        indices = np.repeat(np.arange(inp.n), len(times))
        times = np.tile(times, inp.n)
    else:
        indices = np.asarray(inp.indices)
    return b2.SpikeGeneratorGroup(inp.n, indices, times * b2.second, name=name)


def _poisson_input(name: str, inp, namespace: dict) -> b2.NeuronGroup:
    """Poisson input ``name``: each cell spikes in a step with probability ``rates*dt``, its rate
    the base rate plus each protocol rate whose span (``inp.channels``) holds it. On
    cpp_standalone only a random subset of cells is tested each step (:mod:`random_subsets`):
    each with probability ``visit``, dt times the sum of all rates (at least any cell's), and a
    candidate spikes with probability ``rates*dt/visit``."""
    # The base rate is a one-sample TimedArray so that the binary takes it at run time
    # (placeholder 0 Hz in a standalone build: the command line sets it).
    base = base_rate_array(name)
    rate = 0.0 if _standalone() else si(inp.rate)
    local = {base: b2.TimedArray([rate] * b2.Hz, dt=1 * b2.second, name=base)}
    terms, spans = [f"{base}(t)"], [f"{base}(t)"]
    for driven, span in [(name, None), *inp.channels.items()]:
        timed = f"rate_{driven}"
        if timed not in namespace:
            continue
        local[timed] = namespace[timed]
        terms.append(f"{timed}(t)")
        inside = "" if span is None else f"*int(i >= {span[0]} and i < {span[1]})"
        spans.append(f"{timed}(t){inside}")
    rates = f"rates = {' + '.join(spans)} : Hz\n"
    if not random_subsets.available():
        return b2.NeuronGroup(inp.n, rates, threshold="rand() < rates*dt", namespace=local,
                              name=name)
    visit = f"{random_subsets.VISIT} = clip(dt*({' + '.join(terms)}), 0, 1) : 1 (shared)\n"
    group = b2.NeuronGroup(inp.n, rates + visit,
                           threshold=f"rand()*{random_subsets.VISIT} < rates*dt",
                           namespace=local, name=name)
    random_subsets.sparse_thresholder(group)
    return group


def _release_constants(profile: ReleaseProfile | None) -> dict[str, float]:
    """The ``release_*`` constants of a projection under presynaptic modulation (none if not)."""
    if profile is None:
        return {}
    return {"release_emax": profile.emax, "release_ec50": profile.ec50_nM,
            "release_hill": profile.hill}


def _subgroup(group: b2.Group, index_range: tuple[int, int] | None) -> b2.Group:
    return group if index_range is None else group[index_range[0]:index_range[1]]


def _projection_object(spec: NetworkSpec, name: str, proj: Projection,
                       groups: dict[str, b2.Group], namespace: dict,
                       release: bool = False) -> b2.Synapses:
    """The projection's Synapses, not yet connected; its weight (and a plastic projection's
    rule constants) are run-time variables: one shared weight, or for a Gaussian spread
    (``weight_sd`` > 0) a mean and s.d. from which :func:`_connect` draws each synapse's.
    With ``release``, each spike delivers its weight times the shared ``release`` factor."""
    syn = spec.synapses[proj.synapse]
    channel = proj.synapse
    local: dict = {}
    heterogeneous = si(proj.weight_sd) > 0
    model = ("w : siemens\nw_mean : siemens (constant, shared)\nw_sd : siemens (constant, shared)\n"
             if heterogeneous else "w : siemens (constant, shared)\n")
    if proj.plastic:
        # Several synapses may update one neuron's weights in a step; Brian2's runtime and
        # standalone code apply them one after another (the rule's updates are small and
        # commute to first order), but Brian2 cannot prove that and would warn.
        b2.BrianLogger.suppress_hierarchy("brian2.codegen.generators.base")
        rule = spec.populations[proj.target].coincidence
        on_pre = {"pre": eq.rule_on_pre(proj.plastic, channel, rule,
                                        "*release" if release else "")}
        model += "".join(f"{variable} : {unit} (constant, shared)\n"
                         for variable, unit in plasticity_constants(rule))
        local = {PLASTICITY_GATE: namespace[PLASTICITY_GATE]}
    else:
        on_pre = SYNAPSE_MODELS[syn.kind].on_pre(channel, "w*release" if release else "w")
    if release:
        model += eq.RELEASE_EQUATIONS
        array = release_drug().array
        local[array] = namespace[array]
    if si(proj.delay_sd) > 0:
        model += "d : second (constant)\n"
    source = _subgroup(groups[proj.source], proj.source_range)
    target = _subgroup(groups[proj.target], proj.target_range)
    return b2.Synapses(source, target, model=model, on_pre=on_pre, namespace=local, name=name)


def _connect(synapses: b2.Synapses, proj: Projection, pulse: b2.Quantity | None,
             values: Mapping[str, float]) -> None:
    """Create the projection's synapses, set its run-time ``values`` (runtime device; Brian2
    allows no write before ``connect``) and draw its random weights and delays."""
    condition = None if proj.autapses or proj.source != proj.target else "i != j"
    if proj.connect == "all_to_all":
        synapses.connect(condition=condition)
    elif proj.connect == "one_to_one":
        synapses.connect(j="i")
    elif proj.connect == "random":
        synapses.connect(condition=condition, p=proj.p)
    else:
        distance = "(1.0*i/N_pre - 1.0*j/N_post)"
        synapses.connect(condition=condition,
                         p=f"{proj.p!r}*exp(-{distance}**2/(2*{proj.sigma!r}**2))")
    _set_values(synapses, values)
    if si(proj.weight_sd) > 0:
        synapses.w = _gaussian("w_mean", "w_sd", "siemens")
    if si(proj.delay_sd) > 0:
        synapses.d = (f"clip({si(proj.delay)!r}*second + {si(proj.delay_sd)!r}*second*randn(), "
                      f"0.0*second, inf*second)")
        synapses.pre.delay = "d"
        if pulse is not None:
            synapses.off.delay = f"d + {float(pulse)!r}*second"
    else:
        synapses.pre.delay = q(proj.delay)
        if pulse is not None:
            synapses.off.delay = q(proj.delay) + pulse
