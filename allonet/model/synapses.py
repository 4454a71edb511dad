"""Synapse models: one registry entry per ``synapses.<name>.kind`` of a network spec.

An entry holds the channel's equations on the postsynaptic neuron, the code a presynaptic spike
runs, the values it takes from the spec, and a line for model descriptions; the builder and
``allonet describe`` both read it. Channel variables carry the synapse type's name
(``g_<name>``, ``I_<name>``, ...), so one neuron can receive several types of one kind.

Units: conductances in siemens, voltages in volt, times in second, rates in hertz.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from allonet.units import parse_quantity


def gaba_a_equations(name: str, per_neuron: bool = False) -> str:
    """GABA-A channel ``name``: a transmitter pulse then an ALLO-scaled exponential decay.

    Synapses add their weight to ``T_<name>`` at spike arrival and remove it ``pulse`` later.
    During the pulse g rises towards the weight, with ``gain = A/(tau*(1 - exp(-pulse/tau)))`` so
    that it reaches exactly the weight (times the benzodiazepine amplitude factor A) at the pulse
    end whatever the decay; afterwards it decays with ``tau = tau0 * allo_factor`` (times the
    benzodiazepine decay factor for γ2 receptors). Peak and 10-90% rise (0.8 * pulse) are thus
    independent of ALLO, as measured (Cooper et al. 1999). ``tau`` and ``gain`` are set by
    :func:`allonet.model.equations.drug_update_code` whenever the concentration samples change
    (``sample_dt``); they are shared by the population's neurons unless ``per_neuron`` (see
    :func:`allonet.model.equations.drug_equations`).
    """
    flag = "" if per_neuron else " (shared)"
    return f"""
dg_{name}/dt = gain_{name}*T_{name} - g_{name}/tau_{name} : siemens
T_{name} : siemens
tau_{name} : second{flag}
gain_{name} : hertz{flag}
I_{name} = g_{name}*(E_{name} - v) : amp
tau0_{name} : second (constant, shared)
pulse_{name} : second (constant, shared)
E_{name} : volt (constant, shared)
"""


def exponential_pair_equations(name: str, nmda: bool) -> str:
    """AMPA or NMDA channel ``name``: difference of exponentials with peak = weight.

    ``h_<name>`` receives the weights; ``norm_<name>`` (1/s) makes one event peak at its weight.
    NMDA adds the Jahr & Stevens (1990) Mg2+ block with ``mg_<name>`` in mM.
    """
    block = f"/(1 + mg_{name}/3.57*exp(-0.062*v/mV))" if nmda else ""
    extra = f"mg_{name} : 1 (constant, shared)\n" if nmda else ""
    return f"""
dg_{name}/dt = norm_{name}*h_{name} - g_{name}/taud_{name} : siemens
dh_{name}/dt = -h_{name}/taur_{name} : siemens
I_{name} = g_{name}*(E_{name} - v){block} : amp
taud_{name} : second (constant, shared)
taur_{name} : second (constant, shared)
norm_{name} : hertz (constant, shared)
E_{name} : volt (constant, shared)
""" + extra


def peak_normalisation(tau_rise: float, tau_decay: float) -> float:
    """``norm`` (1/s) so that dg/dt = norm*h - g/taud, dh/dt = -h/taur peaks at h(0).

    Equal time constants give the alpha function ``norm*h0*t*exp(-t/tau)``, peaking at t = tau.
    """
    if abs(tau_decay - tau_rise) <= 1e-12 * tau_decay:
        return float(np.e / tau_decay)
    ratio = tau_rise / tau_decay
    peak_shape = ratio ** (tau_rise / (tau_decay - tau_rise)) - ratio ** (
        tau_decay / (tau_decay - tau_rise)
    )
    return (tau_decay - tau_rise) / (tau_decay * tau_rise * peak_shape)


@dataclass(frozen=True)
class SynapseModel:
    """One synapse model (an entry of :data:`SYNAPSE_MODELS`)."""

    #: what the model is, with its source (for model descriptions)
    description: str
    #: ``(channel name, per_neuron) -> Brian2 equations`` added to the postsynaptic neuron;
    #: ``per_neuron`` makes drug-set variables per neuron instead of shared
    equations: Callable[[str, bool], str]
    #: ``(channel name, delivered weight) -> {pathway: code}`` of a presynaptic spike (the
    #: weight expression, siemens: ``w``, or ``w*release`` under presynaptic modulation)
    on_pre: Callable[[str, str], dict[str, str]]
    #: ``(channel name, synapse spec) -> [(variable, value)]``: the channel's build-time
    #: (structural) parameters on the postsynaptic group; its run-time ones (reversal potential,
    #: time constants) are :func:`allonet.model.parameters.run_time_parameters`
    values: Callable[[str, Any], list[tuple[str, Any]]]
    #: a GABA-A channel: the drug update sets its decay and amplitude factors from the drugs'
    #: phasic effects (:data:`allonet.pharmacology.DRUGS`; γ2-only effects if ``gamma2``)
    drug_scaled: bool = False
    #: transmitter is present for the spec's ``pulse`` after each spike: the ``off`` pathway
    #: of :attr:`on_pre` runs that long after ``pre``
    pulsed: bool = False
    #: nonlinear in v, so only integration methods that handle that are allowed
    nonlinear: bool = False


def _pulse_on_pre(channel: str, weight: str = "w") -> dict[str, str]:
    return {"pre": f"T_{channel}_post += {weight}", "off": f"T_{channel}_post -= {weight}"}


def _pair_on_pre(channel: str, weight: str = "w") -> dict[str, str]:
    return {"pre": f"h_{channel}_post += {weight}"}


def _gaba_a_values(channel: str, syn: Any) -> list[tuple[str, Any]]:
    # the pulse also sets the delay of the transmitter's removal: structure, not run-time
    return [(f"pulse_{channel}", parse_quantity(syn.pulse))]


def _no_values(channel: str, syn: Any) -> list[tuple[str, Any]]:
    return []


SYNAPSE_MODELS: dict[str, SynapseModel] = {
    "gaba_a": SynapseModel(
        description="GABA-A: transmitter pulse, then decay tau0 x ALLO factor (x benzodiazepine "
                    "factor if γ2); peak and rise independent of ALLO (Cooper et al. 1999)",
        equations=gaba_a_equations, on_pre=_pulse_on_pre, values=_gaba_a_values,
        drug_scaled=True, pulsed=True),
    "ampa": SynapseModel(
        description="AMPA: difference of exponentials, peak = weight, not ALLO-modulated",
        equations=lambda channel, per_neuron: exponential_pair_equations(channel, False),
        on_pre=_pair_on_pre, values=_no_values),
    "nmda": SynapseModel(
        description="NMDA: difference of exponentials with Jahr & Stevens (1990) Mg2+ block",
        equations=lambda channel, per_neuron: exponential_pair_equations(channel, True),
        on_pre=_pair_on_pre, values=_no_values, nonlinear=True),
    "dual_exponential": SynapseModel(
        description="unmodulated difference of exponentials (alpha function if taus are equal)",
        equations=lambda channel, per_neuron: exponential_pair_equations(channel, False),
        on_pre=_pair_on_pre, values=_no_values),
}
