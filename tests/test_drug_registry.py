"""The drug registry: a drug is one entry of ``DRUGS`` (plus its experiment field); the spec,
the generated equations, the builder and the engine's run-time arrays follow the entries.

A toy third drug, registered for one test at a time, shows that nothing else names a drug."""

from __future__ import annotations

import re

import brian2 as b2
import numpy as np
import pytest

from allonet.engine import Condition, run_conditions
from allonet.model import build_model
from allonet.model.equations import drug_equations, drug_update_code
from allonet.pharmacology import DRUGS, Drug, Effect, brian_expression, hill_factor
from allonet.spec import load_network
from allonet.spec.experiment import Drugs
from allonet.spec.runtime import is_run_time
from conftest import REPO

NETWORK = REPO / "networks" / "ipsc_cell.yaml"

#: A toy modulator: a γ2-only decay factor and a tonic factor, both Hill curves (nM).
TOY = Drug(
    key="toy", name="toy modulator", label="toy", spec_field="toy", array="toy_conc",
    parameters=("toy_emax", "toy_ec50"),
    effects=(
        Effect("decay", "gamma2", "toy_decay",
               (("emax", "toy_emax"), ("ec50", "toy_ec50"), ("n", "1"))),
        Effect("tonic", "delta", None, (("emax", "toy_emax"), ("ec50", "toy_ec50"), ("n", "2"))),
    ),
    parameter_values=lambda population, profile: {"toy_emax": 2.0, "toy_ec50": 50.0},
)


@pytest.fixture
def toy(monkeypatch) -> Drug:
    """The registry with the toy drug added after the real ones (for this test only)."""
    monkeypatch.setitem(DRUGS, TOY.key, TOY)
    return TOY


def _arrays(net, toy_nM: float | None = None) -> dict[str, np.ndarray]:
    """Drug arrays of one sample: every real drug at 0 nM, the toy (if given) at ``toy_nM``."""
    arrays = {key: np.zeros((1, len(net.regions))) for key in DRUGS if key != TOY.key}
    if toy_nM is not None:
        arrays[TOY.key] = np.full((1, len(net.regions)), toy_nM)
    return arrays


def _value(group: b2.NeuronGroup, name: str) -> float:
    """A (shared or per-neuron) variable of ``group``: its first value, unitless in SI."""
    return float(np.ravel(np.asarray(getattr(group, name)[:]))[0])


def test_every_drug_has_its_experiment_fields_and_run_time_paths():
    for drug in DRUGS.values():
        for field in drug.spec_fields + ((drug.profile_field,) if drug.profile_field else ()):
            assert field in Drugs.model_fields, (drug.key, field)
        for field in drug.spec_fields:
            assert is_run_time(f"drugs.{field}.some_region"), field
        assert drug.profile_field is None or not is_run_time(f"drugs.{drug.profile_field}")


def test_every_drug_sets_the_parameters_it_declares():
    population = load_network(NETWORK).populations["post"]
    for drug in DRUGS.values():
        assert tuple(drug.parameter_values(population, None)) == drug.parameters, drug.key


def test_receptor_classes_of_the_real_drugs():
    """ALLO acts on every synaptic GABA-A receptor and on δ (tonic) ones; a benzodiazepine only on
    γ2-containing synaptic receptors (science.md section 1)."""
    assert DRUGS["allo"].receptors() == {"synaptic", "delta"}
    assert DRUGS["bz"].receptors() == {"gamma2"}


def test_effects_check_their_receptors():
    with pytest.raises(ValueError, match="delta"):
        Effect("decay", "delta", "x", ())
    with pytest.raises(ValueError, match="variable"):
        Effect("amplitude", "gamma2", None, ())


def test_a_registered_drug_reaches_the_generated_equations(toy):
    state = drug_equations()
    assert "toy_emax : 1 (constant, shared)" in state and "toy_ec50 : 1 (constant, shared)" in state
    assert "toy_decay : 1 (shared)" in state
    lines = drug_update_code({"gaba_a": True, "not_gamma2": False}).splitlines()
    concentration = "toy_conc(t, region_id)"
    decay = brian_expression(hill_factor, c="toy_C", emax="toy_emax", ec50="toy_ec50", n="1")
    tonic = brian_expression(hill_factor, c="toy_C", emax="toy_emax", ec50="toy_ec50", n="2")
    assert "toy_decay = " + re.sub(r"\btoy_C\b", concentration, decay) in lines
    # tonic factors multiply in turn: the toy's follows ALLO's
    assert "g_tonic = g_tonic*(" + re.sub(r"\btoy_C\b", concentration, tonic) + ")" in lines
    assert lines.index(next(x for x in lines if x.startswith("g_tonic = g_tonic0*("))) \
        < lines.index("g_tonic = g_tonic*(" + re.sub(r"\btoy_C\b", concentration, tonic) + ")")
    assert "tau_gaba_a = tau0_gaba_a*allo_factor*bz_decay*toy_decay" in lines
    assert "tau_not_gamma2 = tau0_not_gamma2*allo_factor*1*1" in lines


def test_the_builder_makes_a_timed_array_and_parameters_for_a_registered_drug(toy):
    net = load_network(NETWORK)
    b2.start_scope()
    model = build_model(net, _arrays(net, 50.0), sample_dt=0.1)
    assert list(model.drug_arrays) == list(DRUGS)
    assert model.drug_arrays["toy"].name == "toy_conc"
    group = model.groups["post"]
    assert _value(group, "toy_emax") == 2.0 and _value(group, "toy_ec50") == 50.0


def test_the_builder_refuses_missing_drug_arrays(toy):
    net = load_network(NETWORK)
    b2.start_scope()
    with pytest.raises(ValueError, match="the model needs \\['allo', 'bz', 'toy'\\]"):
        build_model(net, _arrays(net), sample_dt=0.1)


@pytest.mark.slow
def test_a_registered_drug_scales_the_simulated_decay(toy):
    """At the toy's EC50 (n = 1) its decay factor is (1 + emax) / 2 = 1.5 on a γ2 synapse."""
    net = load_network(NETWORK)
    variables = ["toy_decay", "tau_gaba_a", "tau0_gaba_a"]

    def factory(drugs):
        model = build_model(net, drugs, sample_dt=0.1)
        return model, {"m": b2.StateMonitor(model.groups["post"], variables, record=[0],
                                            name="m")}

    def collect(recording):
        return {name: recording["m"][name][0] for name in variables}

    [result], _ = run_conditions("runtime", factory, collect, [Condition("c", _arrays(net, 50.0))],
                                 1e-3, 25e-6, seed=1, structure={"test": "toy drug"})
    assert result["toy_decay"][-1] == pytest.approx(1.5)
    assert result["tau_gaba_a"][-1] == pytest.approx(result["tau0_gaba_a"][-1] * 1.5)
