"""The neuron and synapse model registries: one entry per model the spec allows, and the
builder gives Brian2 exactly the entries' text."""

from __future__ import annotations

import re
import typing

import brian2 as b2
import numpy as np
import pytest

from allonet.model import build_model
from allonet.model.neurons import NEURON_MODELS, membrane_equations, neuron_model
from allonet.model.synapses import SYNAPSE_MODELS
from allonet.spec import load_experiment
from allonet.spec.network import Population, SynapseType
from conftest import IPSC_SPEC


def test_every_model_the_spec_allows_has_an_entry():
    assert set(typing.get_args(Population.model_fields["model"].annotation)) == set(NEURON_MODELS)
    union = typing.get_args(SynapseType)[0]
    kinds = {typing.get_args(m.model_fields["kind"].annotation)[0]
             for m in typing.get_args(union)}
    assert kinds == set(SYNAPSE_MODELS)


def test_unknown_neuron_model_names_the_known_ones():
    with pytest.raises(ValueError, match=re.escape("known: ['adex', 'eif', 'lif']")):
        neuron_model("izhikevich")


@pytest.mark.parametrize("model", sorted(NEURON_MODELS))
def test_builder_uses_the_entry_of_the_population_model(model):
    overrides = [f"populations.post.model={model}", "populations.post.params.DeltaT=2 mV",
                 "populations.post.clamp=null", "populations.post.method=rk4"]
    net = load_experiment(IPSC_SPEC, overrides).network
    b2.start_scope()
    zeros = np.zeros((1, len(net.regions)))
    group = build_model(net, {"allo": zeros, "bz": zeros}, sample_dt=0.1).groups["post"]
    entry = NEURON_MODELS[model]
    assert group.events["spike"] == entry.threshold
    expected = b2.Equations(membrane_equations(model, clamped=False) + "I_syn : amp")
    for name in expected.names - {"I_syn"}:  # I_syn: a placeholder here, the sum in the group
        assert str(group.user_equations[name]) == str(expected[name]), name


def test_models_that_read_delta_t_are_the_spec_exponential_models():
    from allonet.spec.network import EXPONENTIAL_MODELS

    reads = {name for name, entry in NEURON_MODELS.items()
             if any(field == "DeltaT" for _, field in entry.parameters)}
    assert reads == EXPONENTIAL_MODELS
