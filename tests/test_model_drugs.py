"""Drug effects inside the Brian2 model: time-varying ALLO, tonic current, benzodiazepine contrast.

Each test builds the IPSC cell directly and checks the simulated currents against the pure
functions of allonet.pharmacology (the tested formulas).
"""

from __future__ import annotations

import brian2 as b2
import numpy as np
import pytest

from allonet.analysis import ipsc_kinetics
from allonet.engine import Condition, run_conditions
from allonet.model import build_model
from allonet.pharmacology import (
    BENZODIAZEPINES,
    bz_amplitude_factor,
    bz_decay_factor,
    decay_factor,
    tonic_conductance,
)
from allonet.spec import load_network
from conftest import REPO

NETWORK = REPO / "networks" / "ipsc_cell.yaml"
DT = 25e-6


def _simulate(overrides, allo, bz, duration, monitor=("I_gaba_a",)):
    net = load_network(NETWORK, overrides)

    def factory(drugs):
        model = build_model(net, drugs, sample_dt=sample_dt)
        return model, {"m": b2.StateMonitor(model.groups["post"], list(monitor), record=True,
                                            name="m")}

    def collect(recording):
        return {name: recording["m"][name][0] for name in monitor} | {"t": recording["m"]["t"]}

    sample_dt = duration / allo.shape[0]
    condition = Condition("c", {"allo": allo, "bz": bz})
    [result], _ = run_conditions("runtime", factory, collect, [condition], duration, DT, seed=1,
                                 structure={"test": "drugs"})
    return result


@pytest.mark.slow
def test_concentration_can_change_during_a_run():
    """0 nM for 200 ms, then 1000 nM: the second IPSC decays 3.4x slower than the first."""
    allo = np.array([[0.0], [1000.0]])
    result = _simulate([("inputs.interneuron.times", ["20 ms", "220 ms"])], allo,
                       np.zeros_like(allo), duration=0.4)
    t, current = result["t"], -result["I_gaba_a"]
    first = ipsc_kinetics(t[t < 0.2], current[t < 0.2], onset=0.02)
    second = ipsc_kinetics(t[t >= 0.2], current[t >= 0.2], onset=0.22)
    assert first.tau_decay == pytest.approx(7e-3 * decay_factor(0.0), rel=0.01)
    assert second.tau_decay == pytest.approx(7e-3 * decay_factor(1000.0), rel=0.01)
    assert second.peak == pytest.approx(first.peak, rel=0.01)


@pytest.mark.slow
@pytest.mark.parametrize("concentration", [0.0, 21.0, 100.0, 1000.0])
def test_tonic_current_follows_formula(concentration):
    overrides = [("populations.post.tonic.g0", "1 nS")]
    allo = np.array([[concentration]])
    result = _simulate(overrides, allo, np.zeros_like(allo), 0.01, monitor=("I_tonic",))
    expected = tonic_conductance(concentration, 1e-9) * (-75e-3 - 0.0)
    assert result["I_tonic"][-1] == pytest.approx(expected, rel=1e-6)


@pytest.mark.slow
def test_benzodiazepine_acts_on_gamma2_synapses_only():
    bz = np.array([[300.0]])
    none = np.zeros_like(bz)
    base = _simulate([], none, none, 0.2)
    drug = _simulate([], none, bz, 0.2)
    not_gamma2 = _simulate([("synapses.gaba_a.gamma2", False)], none, bz, 0.2)
    k = {name: ipsc_kinetics(r["t"], -r["I_gaba_a"], 0.02)
         for name, r in (("base", base), ("drug", drug), ("not_gamma2", not_gamma2))}
    profile = BENZODIAZEPINES["diazepam"]
    assert k["drug"].tau_decay / k["base"].tau_decay == pytest.approx(
        bz_decay_factor(300.0, profile.name), rel=0.01)
    assert k["drug"].peak / k["base"].peak == pytest.approx(
        bz_amplitude_factor(300.0, profile.name), rel=0.01)
    assert k["not_gamma2"].tau_decay == pytest.approx(k["base"].tau_decay, rel=1e-3)
    assert k["not_gamma2"].peak == pytest.approx(k["base"].peak, rel=1e-3)
    # the benzodiazepine's ceiling stays below the neurosteroid's
    assert bz_decay_factor(1e6, profile.name) < decay_factor(1e6)


def _scalar_flags(model, population: str, names: list[str]) -> dict[str, bool]:
    variables = model.groups[population].variables
    return {name: variables[name].scalar for name in names}


PARAMETERS = ["C", "gL", "EL", "tau0_gaba_a", "E_gaba_a", "region_id", "allo_ec50", "g_tonic0"]
DRUG_STATE = ["allo_factor", "g_tonic", "tau_gaba_a", "gain_gaba_a"]


def test_population_wide_values_are_shared_and_profiles_can_be_per_neuron():
    # Shared values are read once per step by the state updater (issue 7: the main experiment's
    # binary ran 1.8x faster); a population whose neurons carry their own profile keeps its drug
    # state per neuron.
    net = load_network(NETWORK)
    zeros = np.zeros((1, len(net.regions)))
    shared = build_model(net, {"allo": zeros, "bz": zeros}, sample_dt=0.1)
    assert all(_scalar_flags(shared, "post", PARAMETERS + DRUG_STATE).values())
    own = build_model(net, {"allo": zeros, "bz": zeros}, sample_dt=0.1,
                      per_neuron_drugs=frozenset({"post"}))
    flags = _scalar_flags(own, "post", PARAMETERS + DRUG_STATE)
    assert all(flags[name] for name in ["C", "gL", "EL", "tau0_gaba_a", "E_gaba_a"]), flags
    assert not any(flags[name] for name in DRUG_STATE + ["region_id", "allo_ec50"]), flags
