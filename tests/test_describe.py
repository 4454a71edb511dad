"""Every number in networks/ and experiments/ has a source; `allonet describe` lists them."""

from __future__ import annotations

import pytest

from allonet.describe import describe, missing_sources, parameters
from allonet.pharmacology import receptor_plasticity
from allonet.spec import load_experiment
from conftest import IPSC_SPEC, REPO

SPEC_FILES = sorted((REPO / "networks").glob("*.yaml")) + sorted(
    (REPO / "experiments").glob("*.yaml"))


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_every_number_has_a_source(path):
    assert parameters(path), "no parameters found: the walker is broken"
    assert missing_sources(path) == []


def test_unsourced_number_is_caught(tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text("synapses:\n  gaba_a:\n    tau0: 7 ms  # Feng 2019\n    E: -75 mV\n"
                    "populations:\n  post:  # Vlachos 2011\n    n: 3\n")
    assert missing_sources(spec) == ["synapses.gaba_a.E"]


def test_description_lists_parameters_with_sources():
    text = describe(load_experiment(IPSC_SPEC))
    assert "| `synapses.gaba_a.tau0` | 7 ms | PV basket -> principal decay" in text
    assert "**MISSING**" not in text
    assert "dg_gaba_a/dt" in text


def test_describe_network_spec_lists_every_parameter_with_source(tmp_path):
    from conftest import run_cli

    out = tmp_path / "model.md"
    assert run_cli("describe", REPO / "networks" / "amygdala_hippocampus.yaml", "-o", out) == 0
    text = out.read_text()
    assert "**MISSING**" not in text
    assert "## Plasticity" in text and "CA1_BAfear" in text
    assert "| `synapses.gaba_som.tau0` | 29 ms |" in text


def test_describe_shows_the_equations_of_the_neuron_model_used():
    adex = load_experiment(IPSC_SPEC, ["populations.post.model=adex",
                                       "populations.post.params.DeltaT=2 mV"])
    text = describe(adex)
    assert "# neuron model adex: adaptive exponential" in text
    assert "gL*DeltaT*exp((v - VT)/DeltaT)" in text and "dw_ad/dt" in text
    assert "threshold: v > V_peak" in text and "reset: v = Vr; w_ad += b_ad" in text
    assert "# neuron model lif" not in text
    lif = describe(load_experiment(IPSC_SPEC))
    assert "# neuron model lif" in lif and "dw_ad/dt" not in lif


def test_describe_shows_receptor_plasticity_only_when_it_is_on():
    off = describe(load_experiment(IPSC_SPEC))
    assert "receptor_delta" not in off and "Receptor plasticity" not in off
    on = describe(load_experiment(IPSC_SPEC, ["drugs.receptor_plasticity.enabled=true"]))
    assert "g_tonic = g_tonic*(receptor_delta(t, region_id))" in on
    assert "## Receptor plasticity" in on
    assert all(f"`{name}`" in on for name in receptor_plasticity.SOURCES)
