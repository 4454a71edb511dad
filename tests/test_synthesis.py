"""Endogenous ALLO synthesis (closed loop), the stress drive and finasteride.

Pure functions first (allonet.pharmacology.synthesis), then the small circuit of
tests/data/stress_network.yaml on the standalone device (one compiled binary for every seed and
finasteride level): the simulated loop follows the tested formula, stays in its region, leaves
runs without synthesis unchanged, and — the science — damps the amygdala's overshoot after a
glutamate surge, which is larger and lasts longer when finasteride blocks synthesis.
"""

from __future__ import annotations

import numpy as np
import pytest

from allonet.errors import SpecError
from allonet.pharmacology.synthesis import (
    integrate,
    rate_constants,
    stress_intensity,
    synthesis_rate,
)
from allonet.runner import run_experiment
from allonet.spec import load_experiment
from conftest import REPO, run_jobs

SPEC = REPO / "tests" / "data" / "stress_loop.yaml"
SEEDS = range(1, 11)  # acceptance 4 of issue 4: >= 10 seeds
BLOCKED = "drugs.finasteride={amygdala: 1.0}"


# --- pure functions ------------------------------------------------------------------------


def test_rate_constants_give_the_stated_steady_state():
    k_act, k_stress, tau = rate_constants(60.0, 300.0, 25 * 60.0, 600.0)
    assert tau == pytest.approx(2.5)  # 25 min at 10 min per simulated second
    # at steady state synthesis balances clearance: c = gain * drive
    assert synthesis_rate(60.0 * 2.0, 2.0, 0.0, k_act, k_stress, 0.0, tau) == pytest.approx(0.0)
    assert synthesis_rate(300.0, 0.0, 1.0, k_act, k_stress, 0.0, tau) == pytest.approx(0.0)
    assert synthesis_rate(0.0, 2.0, 1.0, k_act, k_stress, 1.0, tau) == 0.0  # fully blocked
    with pytest.raises(ValueError, match="tau_clear"):
        rate_constants(60.0, 300.0, 0.0, 600.0)


def test_stress_drive_alone_gives_a_purdy_barbaccia_surge():
    """With the spec's constants, stress-driven synthesis alone raises ALLO 4-20x over the basal
    10 nM within minutes (Purdy et al. 1991) and it is back within 10% by 120 min (Barbaccia et
    al. 1996)."""
    t_h = np.arange(0, 150 * 60 + 1) / 3600.0  # 1-s grid, hours
    stress = stress_intensity(t_h, 0.0, 1 / 60, 5 / 60)
    assert stress.max() == pytest.approx(1.0, abs=1e-4)  # the peak falls between grid points
    _, k_stress, tau = rate_constants(60.0, 300.0, 25 * 60.0, 1.0)
    excess = integrate(t_h * 3600, np.zeros_like(t_h), stress, 0.0, k_stress, 0.0, tau)
    fold = (10.0 + excess) / 10.0
    assert 4.0 <= fold[:10 * 60 + 1].max() <= 20.0
    assert fold.max() <= 20.0
    assert abs(fold[120 * 60] - 1.0) <= 0.1


# --- spec errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("override", "field"), [
    ("drugs.synthesis={nowhere: {populations: [PN], activity_gain: 1 nM, tau_clear: 1 min}}",
     "drugs.synthesis.nowhere"),
    ("drugs.synthesis={amygdala: {populations: [CX], activity_gain: 1 nM, tau_clear: 1 min}}",
     "drugs.synthesis.amygdala.populations.0"),
    ("drugs.synthesis={amygdala: {populations: [PN], activity_gain: 1 nM, tau_clear: 0 min}}",
     "drugs.synthesis.amygdala"),
    ("drugs.finasteride={cortex: 0.5}", "drugs"),
    ("drugs.finasteride={amygdala: 1.5}", "drugs.finasteride.amygdala"),
    ("stress.glutamate={PN: {synapse: gaba_pv, n: 1, rate: 1 Hz, weight: 1 nS}}",
     "stress.glutamate.PN.synapse"),
    ("stress.readout.populations=[XX]", "stress.readout.populations.0"),
])
def test_bad_synthesis_or_stress_spec_names_the_field(override, field):
    with pytest.raises(SpecError) as info:
        load_experiment(SPEC, [override])
    assert info.value.field == field


@pytest.mark.slow
def test_onset_outside_the_run_is_a_spec_error(tmp_path):
    with pytest.raises(SpecError, match="stress.onset"):
        run_experiment(SPEC, ["stress.onset=1 h"], tmp_path / "x.h5")


# --- the simulated loop --------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every seed with synthesis and with finasteride (full block), one binary."""
    out = tmp_path_factory.mktemp("synthesis")
    return run_jobs({(label, seed): (SPEC, [f"seed={seed}", *extra], out / f"{label}_{seed}.h5")
                     for seed in SEEDS
                     for label, extra in (("synthesis", []), ("finasteride", [BLOCKED]))})


def _response(run, column):
    table = run.table("readouts/stress_response")
    return float(table[column][list(table["group"]).index("PN")])


@pytest.mark.slow
def test_synthesis_damps_the_stress_overshoot_over_ten_seeds(runs):
    """Acceptance 4 (issue 4): with synthesis the overshoot's peak and duration are each lower
    than with finasteride, over 10 seeds (paired; effect size as Cohen's d of the differences)."""
    for column in ("peak_excess_hz", "duration_s"):
        on = np.array([_response(runs["synthesis", s], column) for s in SEEDS])
        off = np.array([_response(runs["finasteride", s], column) for s in SEEDS])
        diff = off - on
        d = diff.mean() / diff.std(ddof=1)
        print(f"{column}: synthesis {on.mean():.2f} +- {on.std(ddof=1):.2f}, finasteride "
              f"{off.mean():.2f} +- {off.std(ddof=1):.2f}, paired d = {d:.2f}")
        assert on.mean() < off.mean()
        assert np.count_nonzero(diff > 0) >= 8
        assert d > 1.0


@pytest.mark.slow
def test_run_file_records_the_concentration_actually_used(runs):
    """/allo/amygdala follows the loop (rises after onset, peak 4-20x basal with activity and
    stress); cortex, without synthesis, stays at its schedule; finasteride keeps the basal 10 nM."""
    run = runs["synthesis", 1]
    peaks = run.table("readouts/allo_peak")
    amygdala = list(peaks["region"]).index("amygdala")
    assert 4.0 <= peaks["fold"][amygdala] <= 40.0
    assert np.all(run.data["allo/cortex/concentration"] == 10.0)
    t, c = run.data["allo/amygdala/t_sim"], run.data["allo/amygdala/concentration"]
    assert len(t) == len(c) and c[np.argmax(c)] > 40.0 and t[np.argmax(c)] > 0.3
    assert run.units["allo/amygdala/concentration"] == "nM"
    assert np.allclose(runs["finasteride", 1].data["allo/amygdala/concentration"], 10.0)


@pytest.mark.slow
def test_simulated_loop_follows_the_formula(tmp_path):
    """Stress drive only (activity gain 0): the recorded excess equals the reference solution of
    synthesis_rate driven by the same stress array."""
    run = run_experiment(SPEC, ["drugs.synthesis.amygdala.activity_gain=0 nM"],
                         tmp_path / "stress_only.h5").run
    t = run.data["allo/amygdala/t_sim"]
    excess = run.data["allo/amygdala/concentration"] - 10.0
    stress_t, stress = run.data["stress/t_sim"], run.data["stress/intensity"]
    dt = 1e-4  # the network's integration step: the loop is integrated on it
    grid = np.arange(0, t[-1] + dt / 2, dt)
    drive = stress[np.minimum((grid / (stress_t[1] - stress_t[0])).astype(int), len(stress) - 1)]
    _, k_stress, tau = rate_constants(0.0, 300.0, 25 * 60.0, 600.0)
    reference = integrate(grid, np.zeros_like(grid), drive, 0.0, k_stress, 0.0, tau)
    expected = np.interp(t, grid, reference)
    assert np.max(np.abs(excess - expected)) < 0.01 * excess.max()
    assert excess.max() / 10.0 + 1 == pytest.approx(7.0, rel=0.1)


@pytest.mark.slow
def test_zero_synthesis_leaves_the_spikes_unchanged(tmp_path):
    """A closed loop that makes nothing (gains 0) gives exactly the spikes of the same run without
    synthesis: the loop adds no randomness and only adds its (zero) excess."""
    zero = ["drugs.synthesis.amygdala.activity_gain=0 nM",
            "drugs.synthesis.amygdala.stress_gain=0 nM"]
    with_loop = run_experiment(SPEC, zero, tmp_path / "zero.h5").run
    without = run_experiment(SPEC, ["drugs.synthesis={}"], tmp_path / "open.h5").run
    for pop in ("PN", "PV", "CX"):
        for key in ("timestamps", "node_ids"):
            path = f"spikes/{pop}/{key}"
            assert np.array_equal(with_loop.data[path], without.data[path])
    assert len(with_loop.data["spikes/PN/timestamps"]) > 100
