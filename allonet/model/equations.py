"""Brian2 equation text shared by every neuron: drug state and update, the summed synaptic
current, and the coincidence plasticity rule. Neuron and synapse models are registry entries
(:mod:`allonet.model.neurons`, :mod:`allonet.model.synapses`), and so are drugs
(:data:`allonet.pharmacology.DRUGS`): the drug state and update are generated from its entries.

Every drug effect enters through expressions generated from the tested functions in
:mod:`allonet.pharmacology` (via :func:`~allonet.pharmacology.brian_expression`), so the
simulated model and the unit-tested formula cannot drift apart.

Units: conductances in siemens, voltages in volt, times in second; drug concentrations are
dimensionless numbers in nM read from each drug's region-indexed TimedArray
``<drug.array>(t, region_id)``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from allonet.model.synthesis import LINK_VARIABLE
from allonet.pharmacology import DRUGS, Drug, Effect, brian_expression, hill_factor
from allonet.pharmacology.drugs import release_drug
from allonet.pharmacology.receptor_plasticity import STATE_ARRAYS, insensitive_mix, tonic_scale

#: name of the TimedArray (0/1) that gates coincidence plasticity; constant 1 if not given
PLASTICITY_GATE = "plasticity_gate"

def drug_equations(per_neuron: bool = False) -> str:
    """Drug state: every drug's sensitivity parameters and the factors the drug update sets.

    Shared by the population's neurons (one scalar update per population), unless ``per_neuron``:
    closed-loop synthesis (each neuron adds its region's synthesised drug) or neurons given
    sensitivity profiles of their own (e.g. one cell per profile in the IPSC protocol).
    """
    constant = "(constant)" if per_neuron else "(constant, shared)"
    state = "" if per_neuron else " (shared)"
    parameters = [f"{name} : 1" for drug in DRUGS.values() for name in drug.parameters]
    parameters += ["g_tonic0 : siemens", "E_tonic : volt"]
    factors = [f"{e.variable} : 1" for drug in DRUGS.values() for e in drug.effects
               if e.variable is not None] + ["g_tonic : siemens"]
    return "\n".join(
        [f"region_id : integer {constant}"]
        + [f"{line} {constant}" for line in parameters]
        + [f"{line}{state}" for line in factors]
        + ["I_tonic = g_tonic*(E_tonic - v) : amp", ""])


def _substitute(expression: str, name: str, value: str) -> str:
    """``expression`` with every occurrence of the identifier ``name`` replaced by ``value``."""
    return re.sub(rf"\b{name}\b", value, expression)


@functools.cache
def _expression(function: Callable, symbol: str, arguments: tuple[tuple[str, str], ...]) -> str:
    """Brian2 text of ``function`` with its concentration named ``symbol`` (cached: sympy is
    slow and every population asks for the same expressions)."""
    return brian_expression(function, c=symbol, **dict(arguments))


_cached_expression = functools.cache(brian_expression)


def _factor(drug: Drug, effect: Effect, closed_loop: bool) -> str:
    """Brian2 expression of ``effect`` at the region's concentration of ``drug``."""
    concentration = f"{drug.array}(t, region_id)"
    if drug.synthesised:
        concentration = f"({concentration}" + (f" + {LINK_VARIABLE})" if closed_loop else ")")
    return _substitute(_expression(effect.function, drug.symbol, effect.arguments),
                       drug.symbol, concentration)


def _state(name: str) -> str:
    """Brian2 expression of receptor state ``name`` in the neuron's region."""
    return f"{STATE_ARRAYS[name]}(t, region_id)"


def _with_alpha4(factor: str) -> str:
    """``factor`` of a benzodiazepine-site effect on receptors of which the region's α4 fraction
    is insensitive (:func:`insensitive_mix`)."""
    text = _cached_expression(insensitive_mix, factor="factor", fraction="alpha4_fraction")
    return _substitute(_substitute(text, "factor", f"({factor})"), "alpha4_fraction",
                       _state("alpha4"))


def _delta_scale() -> str:
    """Factor on the tonic conductance from the region's δ expression (:func:`tonic_scale`)."""
    return _substitute(_cached_expression(tonic_scale, delta="delta"), "delta", _state("delta"))


def _phasic_factors(target: str, gamma2: bool) -> list[str]:
    """Names of the factors on ``target`` (decay or amplitude) that reach a synaptic channel,
    ``1`` for those that do not."""
    return [e.variable if e.reaches(gamma2) else "1" for drug in DRUGS.values()
            for e in drug.effects if e.target == target]


def drug_update_code(gaba_channels: dict[str, bool], closed_loop: bool = False,
                     plasticity: bool = False) -> str:
    """Code run at every concentration sample: drug factors from the region's concentrations.

    ``gaba_channels`` maps GABA-A channel names to whether they are γ2 (benzodiazepine-sensitive).
    ``closed_loop`` adds the region's synthesised excess (the linked variable
    ``LINK_VARIABLE``, nM) to the scheduled concentration of the synthesised drug.
    ``plasticity`` scales the tonic conductance by the region's δ expression and mixes every
    benzodiazepine-site (γ2) factor with the region's α4 fraction, from the receptor-state
    TimedArrays (:mod:`allonet.pharmacology.receptor_plasticity`).
    Keeping these factors out of the differential equations keeps the integrated system linear
    in g and its generated code small.
    """
    # The concentrations are written into each expression, not held in temporaries: Brian2
    # cannot tell that a temporary holding a TimedArray value is scalar, which the shared
    # (population-wide) factors require.
    lines = []
    tonic = "g_tonic0"
    for drug in DRUGS.values():
        for effect in drug.effects:
            factor = _factor(drug, effect, closed_loop)
            if plasticity and effect.receptors == "gamma2":
                factor = _with_alpha4(factor)
            if effect.variable is None:  # tonic: each drug multiplies the conductance in turn
                lines.append(f"g_tonic = {tonic}*({factor})")
                tonic = "g_tonic"
            else:
                lines.append(f"{effect.variable} = {factor}")
    if plasticity:
        lines.append(f"g_tonic = {tonic}*({_delta_scale()})")
    elif tonic == "g_tonic0":
        lines.append("g_tonic = g_tonic0")
    for name, gamma2 in sorted(gaba_channels.items()):
        decay = "*".join([f"tau0_{name}", *_phasic_factors("decay", gamma2)])
        amplitude = "*".join(_phasic_factors("amplitude", gamma2)) or "1"
        lines.append(f"tau_{name} = {decay}")
        lines.append(f"gain_{name} = {amplitude}/(tau_{name}*(1 - exp(-pulse_{name}/tau_{name})))")
    return "\n".join(lines)


def synaptic_current(channels: list[str]) -> str:
    """``I_syn`` as the sum of the channel currents and the tonic current."""
    terms = [f"I_{name}" for name in channels] + ["I_tonic"]
    return f"I_syn = {' + '.join(terms)} : amp\n"


def coincidence_equations() -> str:
    """Per-neuron state of the CS x context coincidence rule (Vlachos et al. 2011), with the
    rule's trace time constants and initial weight distributions (mean and s.d.)."""
    return """
dc_cs/dt = -c_cs/tau_c : 1
dh_ctx/dt = -h_ctx/tau_h : 1
t_cs : second
t_ctx : second
w_cs : siemens
w_ctx : siemens
tau_c : second (constant, shared)
tau_h : second (constant, shared)
w_cs0 : siemens (constant, shared)
w_cs_sd : siemens (constant, shared)
w_ctx0 : siemens (constant, shared)
w_ctx_sd : siemens (constant, shared)
"""



def rule_on_pre(role: str, channel: str, rule, scale: str = "") -> str:
    """:func:`coincidence_on_pre` for a plastic input under a population's coincidence ``rule``
    (a ``spec.network.Coincidence``): which optional terms the rule has is structure."""
    return coincidence_on_pre(role, channel, rule.context_depression > 0, rule.synapse_specific,
                              scale)


#: Synapses variables of presynaptic release modulation: the factor the update sets, and the
#: curve's constants (:class:`~allonet.pharmacology.ReleaseProfile`)
RELEASE_EQUATIONS = """
release : 1 (shared)
release_emax : 1 (constant, shared)
release_ec50 : 1 (constant, shared)
release_hill : 1 (constant, shared)
"""


def release_update_code(region: int | str) -> str:
    """Code run at every concentration sample on a projection under presynaptic release
    modulation: ``release`` = :func:`~allonet.pharmacology.hill_factor` of the concentration (nM)
    of the drug that lowers release (:func:`~allonet.pharmacology.drugs.release_drug`) in region
    ``region`` (an index, or an expression for descriptions; where the terminals are), with
    the projection's ``release_*`` constants. The scheduled concentration: a closed-loop
    region's synthesised excess is not added."""
    drug = release_drug()
    text = _expression(hill_factor, drug.symbol, (("emax", "release_emax"),
                                                  ("ec50", "release_ec50"), ("n", "release_hill")))
    return "release = " + _substitute(text, drug.symbol, f"{drug.array}(t, {region})")


def coincidence_on_pre(role: str, channel: str, context_depression: bool = False,
                       synapse_specific: bool = False, scale: str = "") -> str:
    """Synaptic code of a plastic CS (``role='cs'``) or context input under the coincidence rule.

    Each spike records its time, bumps its trace, then moves both of the neuron's weights: towards
    w_max by alpha*h*c*|w_max - w| if the last CS and context spikes are within ``window``, else
    towards w_min by depression*alpha*c*|w_min - w|, only while ``plasticity_gate(t)`` is 1.
    With ``context_depression``, a context spike with no CS within ``window`` also moves the
    context weight towards w_min by context_depression*alpha*h*|w_min - w| (context extinction:
    the context without its CS or US). With ``synapse_specific``, a spike moves only its own
    input's weight (a synapse changes only when it is active). ``scale`` (e.g. ``*release``)
    multiplies the weight the spike delivers, not the learned weight.
    """
    if role == "cs":
        head = ["t_cs_post = t", "c_cs_post += c_u"]
        weight = "w_cs_post"
    else:
        head = ["t_ctx_post = t", "h_ctx_post += h_u"]
        weight = "w_ctx_post"
    lines = head + [
        "paired = 1.0*(abs(t_cs_post - t_ctx_post) < window)",
        f"gate = {PLASTICITY_GATE}(t)",
    ]
    for w in (weight,) if synapse_specific else ("w_cs_post", "w_ctx_post"):
        lines.append(
            f"{w} += gate*alpha*c_cs_post*(paired*h_ctx_post*abs(w_max - {w})"
            f" - depression*(1 - paired)*abs(w_min - {w}))"
        )
    if context_depression and role != "cs":
        lines.append("w_ctx_post -= gate*context_depression*alpha*h_ctx_post*(1 - paired)"
                     "*abs(w_min - w_ctx_post)")
    lines.append(f"h_{channel}_post += {weight}{scale}")
    return "\n".join(lines)
