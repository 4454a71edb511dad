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


def test_every_protocol_checks_itself_against_the_network():
    """Each protocol spec class lists its own problems with a network (issue 16): the loader
    has no per-kind branches, so a new protocol kind cannot fall through to another's checks."""
    import typing

    from allonet.spec.experiment import Protocol

    kinds = typing.get_args(typing.get_args(Protocol)[0])
    assert len(kinds) == 3
    for kind in kinds:
        assert "network_problems" in vars(kind), kind.__name__


def test_a_protocol_reports_the_first_name_the_network_lacks():
    with pytest.raises(SpecError, match="protocol.target = 'nobody': not defined in network"):
        load_experiment(IPSC_SPEC, ["protocol.target=nobody"])
