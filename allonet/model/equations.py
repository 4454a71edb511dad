"""Brian2 equation text for neurons and synaptic channels.

Every ALLO and benzodiazepine effect enters through expressions generated from the tested functions
in :mod:`allonet.pharmacology` (via :func:`~allonet.pharmacology.brian_expression`), so the
simulated model and the unit-tested formula cannot drift apart.

Units: conductances in siemens, voltages in volt, times in second; drug concentrations are
dimensionless numbers in nM read from the region-indexed TimedArrays ``allo_conc(t, region_id)`` and
``bz_conc(t, region_id)``.
"""

from __future__ import annotations

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


def membrane_equations(model: str, clamped: bool) -> str:
    """Membrane equations for ``model`` ('lif' or 'adex'); ``clamped`` holds v fixed."""
    params = """
C : farad (constant)
gL : siemens (constant)
EL : volt (constant)
VT : volt (constant)
Vr : volt (constant)
t_ref : second (constant)
I_ext : amp
"""
    if clamped:
        return "v : volt (constant)\n" + params
    if model == "lif":
        return "dv/dt = (gL*(EL - v) + I_syn + I_ext)/C : volt (unless refractory)\n" + params
    if model == "adex":
        return (
            "dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + I_syn + I_ext - w_ad)/C"
            " : volt (unless refractory)\n"
            "dw_ad/dt = (a_ad*(v - EL) - w_ad)/tau_w : amp\n"
            "DeltaT : volt (constant)\na_ad : siemens (constant)\nb_ad : amp (constant)\n"
            "tau_w : second (constant)\nV_peak : volt (constant)\n" + params
        )
    raise ValueError(f"unknown neuron model {model!r}")


def drug_equations() -> str:
    """Per-neuron drug concentrations (nM) and ALLO sensitivity of phasic and tonic GABA-A."""
    return f"""
allo_C = {ALLO_ARRAY}(t, region_id) : 1
bz_C = {BZ_ARRAY}(t, region_id) : 1
allo_factor = {_ALLO_FACTOR} : 1
region_id : integer (constant)
allo_emax : 1 (constant)
allo_ec50 : 1 (constant)
allo_hill : 1 (constant)
tonic_emax : 1 (constant)
tonic_ec50 : 1 (constant)
g_tonic0 : siemens (constant)
E_tonic : volt (constant)
I_tonic = g_tonic0*({_TONIC_FACTOR})*(E_tonic - v) : amp
"""


def gaba_a_equations(name: str, gamma2: bool) -> str:
    """GABA-A channel ``name``: a transmitter pulse then an ALLO-scaled exponential decay.

    Synapses add their weight to ``T_<name>`` at spike arrival and remove it ``pulse`` later. During
    the pulse g rises towards the weight, normalised so that it reaches exactly the weight at the
    pulse end whatever the decay; afterwards it decays with ``tau_<name> = tau0 * allo_factor``
    (times the benzodiazepine factor for γ2 receptors). Peak and 10-90% rise (0.8 * pulse) are
    therefore independent of ALLO, as measured (Cooper et al. 1999).
    """
    bz_decay = f"({_BZ_DECAY})" if gamma2 else "1"
    bz_amp = f"({_BZ_AMPLITUDE})" if gamma2 else "1"
    return f"""
dg_{name}/dt = {bz_amp}*T_{name}/(tau_{name}*(1 - exp(-pulse_{name}/tau_{name})))"""\
        f""" - g_{name}/tau_{name} : siemens
T_{name} : siemens
tau_{name} = tau0_{name}*allo_factor*{bz_decay} : second
I_{name} = g_{name}*(E_{name} - v) : amp
tau0_{name} : second (constant)
pulse_{name} : second (constant)
E_{name} : volt (constant)
"""


def bz_parameter_equations() -> str:
    """Benzodiazepine constants, shared by all γ2 channels of a neuron."""
    return """
bz_decay_emax : 1 (constant)
bz_amp_emax : 1 (constant)
bz_ec50 : 1 (constant)
bz_hill : 1 (constant)
"""


def exponential_pair_equations(name: str, nmda: bool) -> str:
    """AMPA or NMDA channel ``name``: difference of exponentials with peak = weight.

    ``h_<name>`` receives the weights; ``norm_<name>`` (1/s) makes one event peak at its weight.
    NMDA adds the Jahr & Stevens (1990) Mg2+ block with ``mg_<name>`` in mM.
    """
    block = f"/(1 + mg_{name}/3.57*exp(-0.062*v/mV))" if nmda else ""
    extra = f"mg_{name} : 1 (constant)\n" if nmda else ""
    return f"""
dg_{name}/dt = norm_{name}*h_{name} - g_{name}/taud_{name} : siemens
dh_{name}/dt = -h_{name}/taur_{name} : siemens
I_{name} = g_{name}*(E_{name} - v){block} : amp
taud_{name} : second (constant)
taur_{name} : second (constant)
norm_{name} : hertz (constant)
E_{name} : volt (constant)
""" + extra


def synaptic_current(channels: list[str]) -> str:
    """``I_syn`` as the sum of the channel currents and the tonic current."""
    terms = [f"I_{name}" for name in channels] + ["I_tonic"]
    return f"I_syn = {' + '.join(terms)} : amp\n"


def peak_normalisation(tau_rise: float, tau_decay: float) -> float:
    """``norm`` (1/s) so that dg/dt = norm*h - g/taud, dh/dt = -h/taur peaks at h(0)."""
    if tau_decay == tau_rise:
        raise ValueError("tau_rise must differ from tau_decay")
    ratio = tau_rise / tau_decay
    peak_shape = ratio ** (tau_rise / (tau_decay - tau_rise)) - ratio ** (
        tau_decay / (tau_decay - tau_rise)
    )
    return (tau_decay - tau_rise) / (tau_decay * tau_rise * peak_shape)
