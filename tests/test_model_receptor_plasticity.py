"""Receptor plasticity inside the model: the generated drug update is the tested formula, the
states reach the model as per-sample arrays, and with plasticity off nothing changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from allonet.errors import SpecError
from allonet.model.equations import drug_update_code
from allonet.pharmacology import BENZODIAZEPINES, bz_amplitude_factor, bz_decay_factor, tonic_factor
from allonet.pharmacology import receptor_plasticity as rp
from allonet.protocols.drugs import drug_concentrations, drug_structure
from allonet.spec import load_experiment
from conftest import REPO

IPSC = REPO / "experiments" / "ipsc_dose_response.yaml"
ON = "drugs.receptor_plasticity.enabled=true"


def _run_update(code: str, allo: float, bz: float, delta: float, alpha4: float) -> dict:
    """Execute the generated update code as Python for one neuron (TimedArrays as constants)."""
    bz_profile = BENZODIAZEPINES["diazepam"]
    env = {"exp": math.exp, "region_id": 0, "t": 0.0, "g_tonic0": 1.0, "tau0_gaba_a": 1.0,
           "pulse_gaba_a": 1.0,
           "allo_conc": lambda t, r: allo, "bz_conc": lambda t, r: bz,
           "receptor_delta": lambda t, r: delta, "receptor_alpha4": lambda t, r: alpha4,
           "allo_emax": 4.0, "allo_ec50": 300.0, "allo_hill": 1.2,
           "tonic_emax": 3.0, "tonic_ec50": 21.0,
           "bz_decay_emax": bz_profile.decay_emax, "bz_amp_emax": bz_profile.amplitude_emax,
           "bz_ec50": bz_profile.ec50_nM, "bz_hill": bz_profile.hill}
    for line in code.splitlines():
        name, _, expression = line.partition(" = ")
        env[name] = eval(expression, env)
    return env


def test_without_plasticity_the_update_reads_no_receptor_state():
    code = drug_update_code({"gaba_a": True})
    assert "receptor_" not in code
    assert drug_update_code({"gaba_a": True}, plasticity=False) == code


def test_the_generated_update_is_the_tested_formula():
    allo, bz, delta, alpha4 = 40.0, 500.0, 0.7, 0.35
    env = _run_update(drug_update_code({"gaba_a": True}, plasticity=True), allo, bz, delta,
                      alpha4)
    assert env["g_tonic"] == pytest.approx(rp.tonic_scale(delta) * tonic_factor(allo))
    assert env["bz_decay"] == pytest.approx(rp.insensitive_mix(bz_decay_factor(bz), alpha4))
    assert env["bz_amp"] == pytest.approx(rp.insensitive_mix(bz_amplitude_factor(bz), alpha4))
    # an α4-rich population is less benzodiazepine-sensitive (Smith et al. 1998)
    naive = _run_update(drug_update_code({"gaba_a": True}, plasticity=True), allo, bz, delta, 0.0)
    assert 1.0 < env["bz_decay"] < naive["bz_decay"]
    # ALLO's own phasic factor is not mixed
    assert env["allo_factor"] == naive["allo_factor"]


def test_states_reach_the_drug_arrays_only_when_enabled():
    t_bio = np.array([0.0, 1.0])
    off = load_experiment(IPSC)
    assert set(drug_concentrations(off, t_bio)) == {"allo", "bz"}
    assert drug_structure(off.experiment.drugs) == {}
    withdrawn = load_experiment(IPSC, [
        ON, 'drugs.allo={"slice": {"kind": "steps", "initial": "0 nM", "times": ["-504 h", '
            '"-24 h"], "values": ["300 nM", "0 nM"]}}'])
    arrays = drug_concentrations(withdrawn, t_bio)
    assert set(arrays) == {"allo", "bz", *rp.STATE_ARRAYS.values()}
    alpha4 = arrays["receptor_alpha4"]
    assert alpha4.shape == arrays["allo"].shape and np.all(alpha4 > 0.3)
    assert drug_structure(withdrawn.experiment.drugs) == {"receptor_plasticity": True}
    naive = drug_concentrations(load_experiment(IPSC, [ON]), t_bio)
    assert np.all(naive["receptor_alpha4"] == 0.0) and np.all(naive["receptor_delta"] == 1.0)


def test_a_bad_history_step_is_a_spec_error():
    with pytest.raises(SpecError, match="step"):
        load_experiment(IPSC, [ON, "drugs.receptor_plasticity.step=0 h"])


def test_a_history_starting_after_the_run_is_a_spec_error():
    specs = load_experiment(IPSC, [ON, "clock.session_start=-100 day"])
    with pytest.raises(SpecError, match="history_start.*-2400 h"):
        drug_concentrations(specs, specs.experiment.clock.bio_hours(np.zeros(1)))


def test_constants_from_the_experiment_reach_the_states():
    t_bio = np.array([0.0])
    pregnant = ('drugs.allo={"slice": {"kind": "postpartum_withdrawal", "pregnancy": "1000000 nM", '
                '"baseline": "0 nM", "delivery": "100 h"}}')
    default = drug_concentrations(load_experiment(IPSC, [ON, pregnant]), t_bio)
    deeper = drug_concentrations(load_experiment(IPSC, [
        ON, pregnant, "drugs.receptor_plasticity.constants={delta_min: 0.2}"]), t_bio)
    assert default["receptor_delta"][0, 0] == pytest.approx(rp.DEFAULT.delta_min, abs=1e-3)
    assert deeper["receptor_delta"][0, 0] == pytest.approx(0.2, abs=1e-3)
    with pytest.raises(SpecError, match="tau_delta.*unknown"):
        load_experiment(IPSC, [ON, "drugs.receptor_plasticity.constants={tau_delta: 48}"])
