"""Closed-loop ALLO synthesis and the stress drive, as Brian2 objects.

One group ``allo_synthesis`` holds one neuron per region of the network with the synthesised ALLO
excess ``allo_syn`` (nM) and a rate estimate ``syn_rate`` (Hz) fed by synapses from the region's
listed populations (each spike adds ``1/(N * rate_window)``, so ``syn_rate`` is the populations'
mean rate filtered with ``rate_window``). Neurons of the region receive ``allo_syn`` through a
summed variable and add it to the scheduled concentration at every drug update. Every number
of a region is set from arrays (data, not code), so conditions that differ only in values (e.g.
finasteride levels) share one compiled standalone binary.

Units: times in s and rates in Hz of the simulation clock, concentrations in nM.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allonet.pharmacology import brian_expression
from allonet.pharmacology.synthesis import synthesis_rate

if TYPE_CHECKING:
    import brian2 as b2

SYNTHESIS_GROUP = "allo_synthesis"
#: TimedArray name of the stress intensity (1) on the simulation clock
STRESS_ARRAY = "stress_level"


@functools.cache
def _rate() -> str:
    """``d allo_syn/dt`` as Brian2 text (made with sympy, so only when a model is built: a
    direct run of a cached binary imports neither)."""
    return brian_expression(synthesis_rate, c="allo_syn", excess_rate="syn_excess",
                            stress="syn_stress", k_activity="syn_k_act",
                            k_stress="syn_k_stress", block="syn_block", tau_clear="syn_tau")


@dataclass(frozen=True)
class RegionSynthesis:
    """Synthesis constants of one region on the simulation clock."""

    populations: tuple[str, ...]
    k_activity: float     # nM per spike per neuron (nM/s per Hz)
    reference_rate: float  # Hz
    k_stress: float       # nM/s at stress intensity 1
    tau_clear: float      # s
    block: float          # fraction of synthesis blocked (finasteride), 0-1
    rate_window: float    # s, time constant of the rate estimate


@dataclass(frozen=True)
class GlutamateDrive:
    """Poisson excitation at stress intensity 1: ``n`` sources at ``rate`` (Hz) of ``weight``
    (S) through channel ``synapse``."""

    synapse: str
    n: int
    rate: float
    weight: float


def synthesis_equations(stress: bool) -> str:
    """Equations of the synthesis group; ``stress`` adds the ``stress_level(t)`` drive."""
    drive = f"{STRESS_ARRAY}(t)" if stress else "0"
    return f"""
dallo_syn/dt = {_rate()} : 1
dsyn_rate/dt = -syn_rate/syn_window : hertz
syn_excess = clip(syn_rate - syn_r_ref, 0*Hz, inf*Hz) : hertz
syn_stress = {drive} : 1
syn_k_act : 1 (constant)
syn_k_stress : hertz (constant)
syn_r_ref : hertz (constant)
syn_block : 1 (constant)
syn_tau : second (constant)
syn_window : second (constant)
"""


#: constants of a region without synthesis: nothing is made, so its excess stays 0
INERT = RegionSynthesis((), 0.0, 0.0, 0.0, 1.0, 0.0, 1.0)


def synthesis_group(regions: list[str], synthesis: dict[str, RegionSynthesis],
                    namespace: dict) -> b2.NeuronGroup:
    """The group integrating each region's synthesised ALLO excess: one neuron per region of the
    network (in the order of ``regions``; regions not in ``synthesis`` are inert). One neuron per
    region, not per synthesising region, keeps every constant an array of at least two values
    in networks of several regions, which Brian2's standalone device stores as data (a single
    value would be written into the code, recompiling it for every finasteride level)."""
    import brian2 as b2

    group = b2.NeuronGroup(len(regions), synthesis_equations(STRESS_ARRAY in namespace),
                           method="exponential_euler", namespace=dict(namespace),
                           name=SYNTHESIS_GROUP)
    values = [synthesis.get(region, INERT) for region in regions]

    def column(key: str) -> np.ndarray:
        return np.array([getattr(v, key) for v in values], dtype=float)

    group.syn_k_act = column("k_activity")
    group.syn_k_stress = column("k_stress") * b2.Hz
    group.syn_r_ref = column("reference_rate") * b2.Hz
    group.syn_block = column("block")
    group.syn_tau = column("tau_clear") * b2.second
    group.syn_window = column("rate_window") * b2.second
    return group


def rate_synapses(region_index: int, synthesis: RegionSynthesis, groups: dict[str, b2.Group],
                  target: b2.NeuronGroup) -> list[b2.Synapses]:
    """Synapses from every listed population onto its region's neuron of ``target``; each spike
    adds ``1/(N * rate_window)`` Hz to ``syn_rate`` (N: the listed populations' total size)."""
    import brian2 as b2

    total = sum(len(groups[p]) for p in synthesis.populations)
    out = []
    for pop in synthesis.populations:
        syn = b2.Synapses(groups[pop], target, model="syn_w : hertz (constant)",
                          on_pre="syn_rate_post += syn_w", name=f"{pop}_to_{SYNTHESIS_GROUP}")
        n = len(groups[pop])
        syn.connect(i=np.arange(n), j=np.full(n, region_index))
        syn.syn_w = np.full(n, 1.0 / (total * synthesis.rate_window)) * b2.Hz
        out.append(syn)
    return out


def concentration_synapses(synthesis: b2.NeuronGroup, group: b2.NeuronGroup, name: str,
                           region_index: int) -> b2.Synapses:
    """Copy the region's synthesised excess into ``group.allo_syn`` before every step's group
    updates (a summed variable over one synapse per neuron).

    Brian2 cannot link variables of a group that other synapses address through subgroups, and
    it orders a summed variable's update before its target's: the drug update (at the start of a
    step) reads the excess of the previous step's start, 0.1 ms earlier, which is what the run
    file records (from ``group.allo_syn`` itself)."""
    n = len(group)
    import brian2 as b2

    copy = b2.Synapses(synthesis, group, model="allo_syn_post = allo_syn_pre : 1 (summed)",
                       name=f"{SYNTHESIS_GROUP}_to_{name}")
    copy.connect(i=np.full(n, region_index), j=np.arange(n))
    return copy


def add_glutamate_drive(group: b2.NeuronGroup, name: str, drive: GlutamateDrive) -> None:
    """Stress-gated Poisson excitation: every time step each neuron of ``group`` receives
    ``poisson(n * rate * stress_level(t) * dt)`` events of ``weight`` on channel ``synapse``."""
    n = len(group)
    import brian2 as b2

    group.stress_weight = np.full(n, drive.weight) * b2.siemens
    group.stress_events = np.full(n, drive.n * drive.rate * float(b2.defaultclock.dt))
    group.run_regularly(
        f"h_{drive.synapse} += stress_weight*poisson(stress_events*{STRESS_ARRAY}(t))",
        when="synapses", name=f"{name}_stress_drive")


GLUTAMATE_EQUATIONS = "stress_weight : siemens (constant)\nstress_events : 1 (constant)\n"
#: a neuron's copy of its region's synthesised excess (nM), added to the synthesised drug's
#: scheduled concentration (:data:`allonet.pharmacology.Drug.synthesised`)
LINK_VARIABLE = "allo_syn"
LINK_EQUATIONS = f"{LINK_VARIABLE} : 1\n"
