"""Spec loading: defaults resolved, overrides by dotted path, cross references checked."""

from __future__ import annotations

import pytest

from allonet.errors import SpecError
from allonet.spec import load_experiment
from conftest import IPSC_SPEC


def test_loads_and_resolves_defaults():
    specs = load_experiment(IPSC_SPEC)
    resolved = specs.as_dict()
    assert resolved["network"]["synapses"]["gaba_a"]["tau0"] == "7 ms"
    assert resolved["network"]["populations"]["post"]["tonic"]["g0"] == "0 nS"  # default explicit
    assert resolved["experiment"]["protocol"]["profiles"] == ["default", "CA1", "DG", "BLA"]


def test_overrides_reach_both_specs():
    specs = load_experiment(IPSC_SPEC, ['synapses.gaba_a.tau0="8 ms"', "seed=7",
                                        "network.populations.post.n=3", "device=runtime"])
    assert specs.network.synapses["gaba_a"].tau0 == "8 ms"
    assert specs.network.populations["post"].n == 3
    assert specs.experiment.seed == 7 and specs.experiment.device == "runtime"


def test_override_errors_name_path_and_allowed_keys():
    with pytest.raises(SpecError, match=r"tau_zero.*allowed there: kind, E, tau0"):
        load_experiment(IPSC_SPEC, ["synapses.gaba_a.tau_zero=8 ms"])
    with pytest.raises(SpecError, match="expected KEY=VALUE"):
        load_experiment(IPSC_SPEC, ["seed"])


def test_cross_reference_errors():
    with pytest.raises(SpecError, match="protocol.target"):
        load_experiment(IPSC_SPEC, ["protocol.target=nobody"])
    with pytest.raises(SpecError, match="region"):
        load_experiment(IPSC_SPEC, ["network.populations.post.region=amygdala"])
