"""Build Brian2 objects from a validated :class:`~allonet.spec.NetworkSpec`.

All objects get explicit names taken from the spec, so the same spec always produces the same
generated code (a requirement for reusing compiled standalone binaries).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import brian2 as b2
import numpy as np

from allonet.errors import SpecError
from allonet.model import equations as eq
from allonet.pharmacology import BENZODIAZEPINES, PROFILES, TONIC_PROFILES
from allonet.spec.network import GabaASynapse, NetworkSpec, NmdaSynapse, Population
from allonet.units import parse_quantity, to_nM

_NONLINEAR_SAFE = {"euler", "heun", "rk2", "rk4"}


@dataclass
class Model:
    """The Brian2 objects of one network, before monitors are added."""

    groups: dict[str, b2.Group]
    synapses: dict[str, b2.Synapses]
    allo_array: b2.TimedArray
    bz_array: b2.TimedArray
    regions: list[str]
    extra: list = field(default_factory=list)

    def network(self, *monitors: b2.BrianObject) -> b2.Network:
        """A Brian2 Network holding every object of the model plus ``monitors``."""
        return b2.Network(*self.groups.values(), *self.synapses.values(), *self.extra, *monitors)


def q(text: str) -> b2.Quantity:
    """Shorthand: spec text to a Brian2 quantity."""
    return parse_quantity(text)


def build_model(
    spec: NetworkSpec,
    allo_nM: np.ndarray,
    bz_nM: np.ndarray,
    sample_dt: float,
    benzodiazepine: str = "diazepam",
) -> Model:
    """Create neuron groups, inputs and synapses of ``spec``.

    ``allo_nM`` and ``bz_nM`` have shape (n_samples, n_regions): the concentration in each region
    (nM), one row per ``sample_dt`` seconds of simulated time (the last row holds afterwards).
    """
    n_regions = len(spec.regions)
    for label, values in (("allo", allo_nM), ("benzodiazepine", bz_nM)):
        if values.ndim != 2 or values.shape[1] != n_regions:
            raise ValueError(f"{label} array must be (n_samples, {n_regions}), got {values.shape}")
    allo_array = b2.TimedArray(allo_nM, dt=sample_dt * b2.second, name=eq.ALLO_ARRAY)
    bz_array = b2.TimedArray(bz_nM, dt=sample_dt * b2.second, name=eq.BZ_ARRAY)
    namespace = {eq.ALLO_ARRAY: allo_array, eq.BZ_ARRAY: bz_array}
    groups: dict[str, b2.Group] = {}
    for name, pop in spec.populations.items():
        groups[name] = _population(spec, name, pop, namespace, benzodiazepine)
    for name, inp in spec.inputs.items():
        groups[name] = _input(name, inp)
    synapses = {
        name: _projection(spec, name, proj, groups) for name, proj in spec.projections.items()
    }
    return Model(groups, synapses, allo_array, bz_array, list(spec.regions))


def received_synapses(spec: NetworkSpec, population: str) -> list[str]:
    """Names of the synapse types projecting onto ``population`` (sorted, stable)."""
    return sorted({p.synapse for p in spec.projections.values() if p.target == population})


def _population(spec: NetworkSpec, name: str, pop: Population, namespace: dict,
                benzodiazepine: str) -> b2.NeuronGroup:
    channels = received_synapses(spec, name)
    method = pop.method or spec.integration.method
    if method not in _NONLINEAR_SAFE and (
        pop.model == "adex" or any(isinstance(spec.synapses[c], NmdaSynapse) for c in channels)
    ) and pop.clamp is None:
        raise SpecError(None, f"populations.{name}.method", method,
                        "AdEx and NMDA Mg block are nonlinear in v; use one of "
                        f"{sorted(_NONLINEAR_SAFE)}")
    text = eq.membrane_equations(pop.model, pop.clamp is not None) + eq.drug_equations()
    gaba = {c: spec.synapses[c].gamma2 for c in channels
            if isinstance(spec.synapses[c], GabaASynapse)}
    for channel in channels:
        syn = spec.synapses[channel]
        if isinstance(syn, GabaASynapse):
            text += eq.gaba_a_equations(channel)
        else:
            text += eq.exponential_pair_equations(channel, isinstance(syn, NmdaSynapse))
    text += eq.synaptic_current(channels)
    kwargs = {}
    if pop.clamp is None:
        threshold = "v > V_peak" if pop.model == "adex" else "v > VT"
        reset = "v = Vr\nw_ad += b_ad" if pop.model == "adex" else "v = Vr"
        kwargs = dict(threshold=threshold, reset=reset, refractory="t_ref")
    # All objects share defaultclock (set by the engine to integration.dt): per-group clocks
    # would make Brian2's generated main.cpp order them differently in every process.
    group = b2.NeuronGroup(pop.n, b2.Equations(text), method=method, namespace=dict(namespace),
                           name=name, **kwargs)
    _set_parameters(group, spec, pop, channels, benzodiazepine)
    # Every step, on the group's own clock: a second clock would make Brian2's generated code
    # order its clocks differently in every process (and so recompile).
    group.run_regularly(eq.drug_update_code(gaba), when="start", name=f"{name}_drugs")
    return group


def _set_parameters(group: b2.NeuronGroup, spec: NetworkSpec, pop: Population,
                    channels: list[str], benzodiazepine: str) -> None:
    p = pop.params
    group.C, group.gL, group.EL = q(p.C), q(p.gL), q(p.EL)
    group.VT, group.Vr, group.t_ref = q(p.VT), q(p.Vr), q(p.refractory)
    group.v = q(pop.clamp) if pop.clamp is not None else q(p.EL)
    if pop.model == "adex":
        group.DeltaT, group.a_ad, group.b_ad = q(p.DeltaT), q(p.a), q(p.b)
        group.tau_w, group.V_peak = q(p.tau_w), q(p.V_peak)
    group.region_id = spec.regions.index(pop.region)
    profile = PROFILES[pop.allo_profile]
    group.allo_emax, group.allo_ec50, group.allo_hill = profile.emax, profile.ec50_nM, profile.hill
    tonic = TONIC_PROFILES[pop.tonic.profile]
    group.tonic_emax, group.tonic_ec50 = tonic.emax, tonic.ec50_nM
    group.g_tonic0, group.E_tonic = q(pop.tonic.g0), q(pop.tonic.E)
    bz = BENZODIAZEPINES[benzodiazepine]
    group.bz_decay_emax, group.bz_amp_emax = bz.decay_emax, bz.amplitude_emax
    group.bz_ec50, group.bz_hill = bz.ec50_nM, bz.hill
    for channel in channels:
        syn = spec.synapses[channel]
        setattr(group, f"E_{channel}", q(syn.E))
        if isinstance(syn, GabaASynapse):
            setattr(group, f"tau0_{channel}", q(syn.tau0))
            setattr(group, f"pulse_{channel}", q(syn.pulse))
            continue
        rise, decay = float(q(syn.tau_rise)), float(q(syn.tau_decay))
        setattr(group, f"taur_{channel}", rise * b2.second)
        setattr(group, f"taud_{channel}", decay * b2.second)
        setattr(group, f"norm_{channel}", eq.peak_normalisation(rise, decay) * b2.Hz)
        if isinstance(syn, NmdaSynapse):
            setattr(group, f"mg_{channel}", to_nM(syn.mg) / 1e6)


def _input(name: str, inp) -> b2.Group:
    if inp.kind == "poisson":
        return b2.PoissonGroup(inp.n, rates=q(inp.rate), name=name)
    times = np.array([float(q(t)) for t in inp.times])
    if inp.indices is None:
        indices = np.repeat(np.arange(inp.n), len(times))
        times = np.tile(times, inp.n)
    else:
        indices = np.asarray(inp.indices)
    return b2.SpikeGeneratorGroup(inp.n, indices, times * b2.second, name=name)


def _projection(spec: NetworkSpec, name: str, proj, groups: dict[str, b2.Group]) -> b2.Synapses:
    syn = spec.synapses[proj.synapse]
    channel = proj.synapse
    if isinstance(syn, GabaASynapse):
        on_pre = {"pre": f"T_{channel}_post += w", "off": f"T_{channel}_post -= w"}
    else:
        on_pre = {"pre": f"h_{channel}_post += w"}
    synapses = b2.Synapses(groups[proj.source], groups[proj.target], model="w : siemens",
                           on_pre=on_pre, name=name)
    if proj.connect == "all_to_all":
        synapses.connect()
    elif proj.connect == "one_to_one":
        synapses.connect(j="i")
    else:
        synapses.connect(p=proj.p)
    synapses.w = q(proj.weight)
    synapses.pre.delay = q(proj.delay)
    if isinstance(syn, GabaASynapse):
        synapses.off.delay = q(proj.delay) + q(syn.pulse)
    return synapses
