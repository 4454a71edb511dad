"""Neuron models: one registry entry per ``populations.<name>.model`` of a network spec.

An entry is everything allonet knows of a model: its membrane equations (Brian2 text), spike
threshold and reset, the spec parameters it reads beyond the common ones, and a line for model
descriptions. The builder assembles neuron groups from these entries and ``allonet describe``
prints the same text, so the described model is the simulated one.

Units: voltages in volt, conductances in siemens, currents in amp, times in second.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Parameters every neuron model has, set from the spec's ``params`` (shared per population);
#: ``I_ext`` is a per-neuron injected current (amp).
COMMON_PARAMETERS = """
C : farad (constant, shared)
gL : siemens (constant, shared)
EL : volt (constant, shared)
VT : volt (constant, shared)
Vr : volt (constant, shared)
t_ref : second (constant, shared)
I_ext : amp
"""
#: The membrane of a voltage-clamped population, whatever its model: v held at the clamp value.
CLAMPED = "v : volt (constant)\n"


@dataclass(frozen=True)
class NeuronModel:
    """One neuron model (an entry of :data:`NEURON_MODELS`)."""

    #: what the model is, with its source (for model descriptions)
    description: str
    #: Brian2 equations of v (and any adaptation state) and the model's own parameters
    equations: str
    #: spike condition and reset code (Brian2)
    threshold: str
    reset: str
    #: (Brian2 variable, field of the spec's ``params``) for the model's own parameters, in the
    #: order they are set
    parameters: tuple[tuple[str, str], ...] = ()
    #: nonlinear in v, so only integration methods that handle that are allowed
    nonlinear: bool = False


NEURON_MODELS: dict[str, NeuronModel] = {
    "lif": NeuronModel(
        description="conductance-based leaky integrate-and-fire",
        equations="dv/dt = (gL*(EL - v) + I_syn + I_ext)/C : volt (unless refractory)\n",
        threshold="v > VT",
        reset="v = Vr",
    ),
    "adex": NeuronModel(
        description="adaptive exponential integrate-and-fire (Brette & Gerstner 2005)",
        equations=(
            "dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + I_syn + I_ext - w_ad)/C"
            " : volt (unless refractory)\n"
            "dw_ad/dt = (a_ad*(v - EL) - w_ad)/tau_w : amp\n"
            "DeltaT : volt (constant, shared)\na_ad : siemens (constant, shared)\n"
            "b_ad : amp (constant, shared)\ntau_w : second (constant, shared)\n"
            "V_peak : volt (constant, shared)\n"
        ),
        threshold="v > V_peak",
        reset="v = Vr\nw_ad += b_ad",
        parameters=(("DeltaT", "DeltaT"), ("a_ad", "a"), ("b_ad", "b"), ("tau_w", "tau_w"),
                    ("V_peak", "V_peak")),
        nonlinear=True,
    ),
    "eif": NeuronModel(
        description="exponential integrate-and-fire (Fourcaud-Trocme et al. 2003; AdEx of "
                    "Brette & Gerstner 2005 without adaptation): spike initiation sharpness "
                    "DeltaT, rheobase gL*(VT - EL - DeltaT)",
        equations=(
            "dv/dt = (gL*(EL - v) + gL*DeltaT*exp((v - VT)/DeltaT) + I_syn + I_ext)/C"
            " : volt (unless refractory)\n"
            "DeltaT : volt (constant, shared)\nV_peak : volt (constant, shared)\n"
        ),
        threshold="v > V_peak",
        reset="v = Vr",
        parameters=(("DeltaT", "DeltaT"), ("V_peak", "V_peak")),
        nonlinear=True,
    ),
}


def neuron_model(name: str) -> NeuronModel:
    """The registry entry of neuron model ``name``; ValueError naming the known models."""
    if name not in NEURON_MODELS:
        raise ValueError(f"unknown neuron model {name!r}; known: {sorted(NEURON_MODELS)}")
    return NEURON_MODELS[name]


def membrane_equations(model: str, clamped: bool) -> str:
    """Membrane equations for ``model`` (a key of :data:`NEURON_MODELS`); ``clamped`` holds v
    fixed (the model's own equations and parameters are then left out)."""
    head = CLAMPED if clamped else neuron_model(model).equations
    return head + COMMON_PARAMETERS
