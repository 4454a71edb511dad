"""The network's run-time parameters: each run-time network field's Brian2 variable and value.

:data:`allonet.spec.runtime.NETWORK_RUN_TIME_FIELDS` says which network fields are run-time
(weights, synaptic time constants and reversal potentials, membrane and tonic constants,
Poisson rates, plasticity constants); this module says where each value goes in the model: a
Brian2 run-argument name, ``<object>.<variable>`` (e.g. ``LA_to_CeM.w``) or
``<TimedArray>.values`` (a Poisson input's rate), with its value in SI units. The builder sets
the values from here (runtime device) or has the binary take them from its command line
(cpp_standalone), and the protocols pass the same values to the engine, so a sweep over any of
them runs one compiled binary.

Some values derive from several fields (an AMPA channel's peak normalisation from both of its
time constants; a neuron's initial v from EL); a :class:`Parameter` names every field it reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from allonet.model.background_drive import Sampler, background_weight, constant_variable
from allonet.model.neurons import neuron_model
from allonet.model.synapses import peak_normalisation
from allonet.spec.network import NetworkSpec, Population, Projection, received_synapses
from allonet.units import parse_si, to_nM


@dataclass(frozen=True)
class Parameter:
    """One run-time value of the model."""

    #: Brian2 run-argument name: ``<object>.<variable>`` or ``<TimedArray>.values``
    target: str
    #: value in SI units (Hz for rates, 1 for dimensionless constants, mM for Mg2+)
    value: float
    #: the network fields it is computed from (dotted paths)
    paths: tuple[str, ...]


def base_rate_array(input_name: str) -> str:
    """Name of the one-sample TimedArray (Hz) holding Poisson input ``input_name``'s rate."""
    return f"{input_name}_rate"


def _si(text: str) -> float:
    return parse_si(text)[0]


def run_time_parameters(spec: NetworkSpec) -> list[Parameter]:
    """Every run-time value of the model of ``spec``, in the order the builder sets them."""
    out: list[Parameter] = []
    for name, pop in spec.populations.items():
        out += _population(spec, name, pop)
    for name, inp in spec.inputs.items():
        if inp.kind == "poisson":
            out.append(Parameter(f"{base_rate_array(name)}.values", _si(inp.rate),
                                 (f"inputs.{name}.rate",)))
    for name, proj in spec.projections.items():
        out += _projection(spec, name, proj)
    return out


def run_time_values(spec: NetworkSpec) -> dict[str, float]:
    """:func:`run_time_parameters` as ``{Brian2 run-argument name: value}``."""
    return {p.target: p.value for p in run_time_parameters(spec)}


def _population(spec: NetworkSpec, name: str, pop: Population) -> Iterator[Parameter]:
    base = f"populations.{name}"

    def field(variable: str, path: str) -> Parameter:
        return Parameter(f"{name}.{variable}", _si(_lookup(pop, path.removeprefix(base + "."))),
                         (path,))

    params = f"{base}.params"
    for variable, spec_field in [("C", "C"), ("gL", "gL"), ("EL", "EL"), ("VT", "VT"),
                                 ("Vr", "Vr"), ("t_ref", "refractory")]:
        yield field(variable, f"{params}.{spec_field}")
    if pop.clamp is None:
        for variable, spec_field in neuron_model(pop.model).parameters:
            yield field(variable, f"{params}.{spec_field}")
        if _si(pop.v_init_sd) == 0:
            yield field("v", f"{params}.EL")
    dt = _si(spec.integration.dt)
    for k, bg in enumerate(pop.background):
        drive = f"{base}.background.{k}"
        yield Parameter(f"{name}.{background_weight(k)}", _si(bg.weight), (f"{drive}.weight",))
        for constant, value in Sampler(bg.n, _si(bg.rate) * dt).constants().items():
            yield Parameter(f"{name}.{constant_variable(constant, k)}", value,
                            (f"{drive}.n", f"{drive}.rate"))
    yield field("g_tonic0", f"{base}.tonic.g0")
    yield field("E_tonic", f"{base}.tonic.E")
    for channel in received_synapses(spec, name):
        yield from _channel(spec, name, channel)
    if pop.coincidence is not None:
        rule = f"{base}.coincidence"
        for variable, spec_field in [("tau_c", "tau_c"), ("tau_h", "tau_h"),
                                     ("w_cs0", "w_cs"), ("w_cs_sd", "w_cs_sd"),
                                     ("w_ctx0", "w_ctx"), ("w_ctx_sd", "w_ctx_sd")]:
            yield field(variable, f"{rule}.{spec_field}")


def _channel(spec: NetworkSpec, population: str, channel: str) -> Iterator[Parameter]:
    syn = spec.synapses[channel]
    base = f"synapses.{channel}"

    def on(variable: str, value: float, *fields: str) -> Parameter:
        return Parameter(f"{population}.{variable}_{channel}", value,
                         tuple(f"{base}.{f}" for f in fields))

    yield on("E", _si(syn.E), "E")
    if syn.kind == "gaba_a":
        yield on("tau0", _si(syn.tau0), "tau0")
        return
    rise, decay = _si(syn.tau_rise), _si(syn.tau_decay)
    yield on("taur", rise, "tau_rise")
    yield on("taud", decay, "tau_decay")
    yield on("norm", peak_normalisation(rise, decay), "tau_rise", "tau_decay")
    if syn.kind == "nmda":
        yield on("mg", to_nM(syn.mg) / 1e6, "mg")


#: A plastic projection's constants (Synapses variable = field of its target's coincidence
#: rule, Brian2 unit); ``context_depression`` only where the rule has that term (nonzero).
PLASTICITY_CONSTANTS = (("alpha", "1"), ("depression", "1"), ("c_u", "1"), ("h_u", "1"),
                        ("window", "second"), ("w_min", "siemens"), ("w_max", "siemens"))


def plasticity_constants(rule) -> list[tuple[str, str]]:
    """(Synapses variable, unit) of each constant of a plastic projection under coincidence
    ``rule`` (a ``spec.network.Coincidence``)."""
    extra = [("context_depression", "1")] if rule.context_depression > 0 else []
    return [*PLASTICITY_CONSTANTS, *extra]


def _projection(spec: NetworkSpec, name: str, proj: Projection) -> Iterator[Parameter]:
    base = f"projections.{name}"
    if _si(proj.weight_sd) > 0:
        yield Parameter(f"{name}.w_mean", _si(proj.weight), (f"{base}.weight",))
        yield Parameter(f"{name}.w_sd", _si(proj.weight_sd), (f"{base}.weight_sd",))
    else:
        yield Parameter(f"{name}.w", _si(proj.weight), (f"{base}.weight",))
    if proj.plastic:
        rule = spec.populations[proj.target].coincidence
        for variable, _ in plasticity_constants(rule):
            value = getattr(rule, variable)
            value = _si(value) if isinstance(value, str) else float(value)
            yield Parameter(f"{name}.{variable}", value,
                            (f"populations.{proj.target}.coincidence.{variable}",))


def _lookup(node, path: str) -> str:
    for part in path.split("."):
        node = getattr(node, part)
    return node
