"""Brian2 equation text shared by every neuron: drug state and update, the summed synaptic
current, and the coincidence plasticity rule. Neuron and synapse models are registry entries
(:mod:`allonet.model.neurons`, :mod:`allonet.model.synapses`).

Every ALLO and benzodiazepine effect enters through expressions generated from the tested functions
in :mod:`allonet.pharmacology` (via :func:`~allonet.pharmacology.brian_expression`), so the
simulated model and the unit-tested formula cannot drift apart.

Units: conductances in siemens, voltages in volt, times in second; drug concentrations are
dimensionless numbers in nM read from the region-indexed TimedArrays ``allo_conc(t, region_id)`` and
``bz_conc(t, region_id)``.
"""

from __future__ import annotations

import re

from allonet.pharmacology import brian_expression, hill_factor

ALLO_ARRAY = "allo_conc"
BZ_ARRAY = "bz_conc"

_ALLO_FACTOR = brian_expression(hill_factor, c="allo_C", emax="allo_emax", ec50="allo_ec50",
                                n="allo_hill")
_TONIC_FACTOR = brian_expression(hill_factor, c="allo_C", emax="tonic_emax", ec50="tonic_ec50",
                                 n="1")
_BZ_DECAY = brian_expression(hill_factor, c="bz_C", emax="bz_decay_emax", ec50="bz_ec50",
                             n="bz_hill")
_BZ_AMPLITUDE = brian_expression(hill_factor, c="bz_C", emax="bz_amp_emax", ec50="bz_ec50",
                                 n="bz_hill")


def drug_equations(per_neuron: bool = False) -> str:
    """Drug state: ALLO and benzodiazepine sensitivities and the factors the drug update sets.

    Shared by the population's neurons (one scalar update per population), unless ``per_neuron``:
    closed-loop synthesis (each neuron adds its region's synthesised ALLO) or neurons given
    sensitivity profiles of their own (e.g. one cell per profile in the IPSC protocol).
    """
    constant = "(constant)" if per_neuron else "(constant, shared)"
    state = "" if per_neuron else " (shared)"
    parameters = ["allo_emax : 1", "allo_ec50 : 1", "allo_hill : 1", "tonic_emax : 1",
                  "tonic_ec50 : 1", "bz_decay_emax : 1", "bz_amp_emax : 1", "bz_ec50 : 1",
                  "bz_hill : 1", "g_tonic0 : siemens", "E_tonic : volt"]
    factors = ["allo_factor : 1", "bz_decay : 1", "bz_amp : 1", "g_tonic : siemens"]
    return "\n".join(
        [f"region_id : integer {constant}"]
        + [f"{line} {constant}" for line in parameters]
        + [f"{line}{state}" for line in factors]
        + ["I_tonic = g_tonic*(E_tonic - v) : amp", ""])


def _substitute(expression: str, name: str, value: str) -> str:
    """``expression`` with every occurrence of the identifier ``name`` replaced by ``value``."""
    return re.sub(rf"\b{name}\b", value, expression)


def drug_update_code(gaba_channels: dict[str, bool], closed_loop: bool = False) -> str:
    """Code run at every concentration sample: drug factors from the region's concentrations.

    ``gaba_channels`` maps GABA-A channel names to whether they are γ2 (benzodiazepine-sensitive).
    ``closed_loop`` adds the region's synthesised ALLO (the linked variable ``allo_syn``, nM) to
    the scheduled concentration.
    Keeping these factors out of the differential equations keeps the integrated system linear
    in g and its generated code small.
    """
    # The concentrations are written into each expression, not held in temporaries: Brian2
    # cannot tell that a temporary holding a TimedArray value is scalar, which the shared
    # (population-wide) factors require.
    allo_c = f"({ALLO_ARRAY}(t, region_id)" + (" + allo_syn)" if closed_loop else ")")
    bz_c = f"{BZ_ARRAY}(t, region_id)"
    lines = [
        "allo_factor = " + _substitute(_ALLO_FACTOR, "allo_C", allo_c),
        "g_tonic = g_tonic0*(" + _substitute(_TONIC_FACTOR, "allo_C", allo_c) + ")",
        "bz_decay = " + _substitute(_BZ_DECAY, "bz_C", bz_c),
        "bz_amp = " + _substitute(_BZ_AMPLITUDE, "bz_C", bz_c),
    ]
    for name, gamma2 in sorted(gaba_channels.items()):
        bz_decay, bz_amp = ("bz_decay", "bz_amp") if gamma2 else ("1", "1")
        lines.append(f"tau_{name} = tau0_{name}*allo_factor*{bz_decay}")
        lines.append(f"gain_{name} = {bz_amp}/(tau_{name}*(1 - exp(-pulse_{name}/tau_{name})))")
    return "\n".join(lines)


def synaptic_current(channels: list[str]) -> str:
    """``I_syn`` as the sum of the channel currents and the tonic current."""
    terms = [f"I_{name}" for name in channels] + ["I_tonic"]
    return f"I_syn = {' + '.join(terms)} : amp\n"


def coincidence_equations() -> str:
    """Per-neuron state of the CS x context coincidence rule (Vlachos et al. 2011)."""
    return """
dc_cs/dt = -c_cs/tau_c : 1
dh_ctx/dt = -h_ctx/tau_h : 1
t_cs : second
t_ctx : second
w_cs : siemens
w_ctx : siemens
"""


def rule_on_pre(role: str, channel: str, rule) -> str:
    """:func:`coincidence_on_pre` for a plastic input under a population's coincidence ``rule``
    (a ``spec.network.Coincidence``): which optional terms the rule has is structure."""
    return coincidence_on_pre(role, channel, rule.context_depression > 0, rule.synapse_specific)


def coincidence_on_pre(role: str, channel: str, context_depression: bool = False,
                       synapse_specific: bool = False) -> str:
    """Synaptic code of a plastic CS (``role='cs'``) or context input under the coincidence rule.

    Each spike records its time, bumps its trace, then moves both of the neuron's weights: towards
    w_max by alpha*h*c*|w_max - w| if the last CS and context spikes are within ``window``, else
    towards w_min by depression*alpha*c*|w_min - w|, only while ``plasticity_gate(t)`` is 1.
    With ``context_depression``, a context spike with no CS within ``window`` also moves the
    context weight towards w_min by context_depression*alpha*h*|w_min - w| (context extinction:
    the context without its CS or US). With ``synapse_specific``, a spike moves only its own
    input's weight (a synapse changes only when it is active).
    """
    if role == "cs":
        head = ["t_cs_post = t", "c_cs_post += c_u"]
        weight = "w_cs_post"
    else:
        head = ["t_ctx_post = t", "h_ctx_post += h_u"]
        weight = "w_ctx_post"
    lines = head + [
        "paired = 1.0*(abs(t_cs_post - t_ctx_post) < window)",
        "gate = plasticity_gate(t)",
    ]
    for w in (weight,) if synapse_specific else ("w_cs_post", "w_ctx_post"):
        lines.append(
            f"{w} += gate*alpha*c_cs_post*(paired*h_ctx_post*abs(w_max - {w})"
            f" - depression*(1 - paired)*abs(w_min - {w}))"
        )
    if context_depression and role != "cs":
        lines.append("w_ctx_post -= gate*context_depression*alpha*h_ctx_post*(1 - paired)"
                     "*abs(w_min - w_ctx_post)")
    lines.append(f"h_{channel}_post += {weight}")
    return "\n".join(lines)
