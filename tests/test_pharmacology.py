"""Pharmacology: receptor effects and schedules (pure functions), with property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from allonet.pharmacology import (
    BENZODIAZEPINES,
    PROFILES,
    TONIC_PROFILES,
    brian_expression,
    bz_amplitude_factor,
    bz_decay_factor,
    bz_tonic_factor,
    decay_factor,
    get_profile,
    hill_factor,
    tonic_factor,
)
from allonet.pharmacology import schedules as sch

concentrations = st.floats(min_value=0, max_value=1e6, allow_nan=False)
profile_names = st.sampled_from(sorted(PROFILES))


@given(profile_names)
def test_factor_is_one_without_allo(profile):
    assert decay_factor(0.0, profile) == 1.0


@given(profile_names, concentrations, concentrations)
def test_factor_monotone_and_bounded(profile, a, b):
    low, high = sorted((a, b))
    p = get_profile(profile)
    f_low, f_high = decay_factor(low, profile), decay_factor(high, profile)
    assert 1.0 <= f_low <= f_high + 1e-12
    assert f_high <= p.emax + 1e-12


@pytest.mark.parametrize(("c", "fold"), [(10, 1.05), (30, 1.18), (100, 1.63), (300, 2.5),
                                         (1000, 3.4), (3000, 3.8)])
def test_default_folds_match_science_table(c, fold):
    assert decay_factor(c) == pytest.approx(fold, abs=0.06)


def test_default_literature_ranges_and_regions():
    assert 1.25 <= decay_factor(100) <= 1.7          # Cooper 1999, 50-100 nM
    assert all(3.5 <= decay_factor(c) <= 4.5 for c in (2000, 2500, 3000))  # ~4x at 2-3 uM
    assert decay_factor(100, "DG") < decay_factor(100, "CA1")
    assert np.all(decay_factor(np.logspace(0, 5, 50), "insensitive") == 1.0)
    for profile in PROFILES.values():
        assert profile.source


def test_tonic_more_sensitive_than_phasic():
    assert TONIC_PROFILES["default"].ec50_nM <= PROFILES["default"].ec50_nM / 5
    half = 1 + (TONIC_PROFILES["default"].emax - 1) / 2
    assert tonic_factor(TONIC_PROFILES["default"].ec50_nM) == pytest.approx(half)
    assert tonic_factor(0.0) == 1.0


def test_benzodiazepine_contrast():
    diazepam = BENZODIAZEPINES["diazepam"]
    assert diazepam.decay_emax < PROFILES["default"].emax
    assert 1.0 < bz_decay_factor(1e6) <= diazepam.decay_emax
    assert 1.0 < bz_amplitude_factor(1e6) <= diazepam.amplitude_emax
    assert np.all(bz_tonic_factor([0.0, 100.0, 1e4]) == 1.0)


def test_negative_concentration_rejected():
    with pytest.raises(ValueError, match="≥ 0"):
        decay_factor(-1.0)
    with pytest.raises(KeyError, match="allowed"):
        decay_factor(10.0, "cerebellum")


@given(st.lists(st.floats(0, 5000), min_size=1, max_size=5), st.floats(0.5, 6), st.floats(1, 5),
       st.floats(1, 2000))
def test_brian_expression_is_the_tested_formula(cs, n, emax, ec50):
    text = brian_expression(hill_factor, c="c", emax="emax", ec50="ec50", n="n")
    c = np.array(cs)
    evaluated = eval(text, {"__builtins__": {}}, {"c": c, "emax": emax, "ec50": ec50, "n": n})
    np.testing.assert_allclose(evaluated, hill_factor(c, emax, ec50, n), rtol=1e-12)


times = st.lists(st.floats(-100, 2000, allow_nan=False), min_size=1, max_size=20).map(np.array)


@given(times, st.floats(0, 500), st.floats(1, 20), st.floats(0.01, 1), st.floats(1.1, 5))
def test_stress_surge_nonnegative(t, baseline, fold, tau_rise, clear_ratio):
    c = sch.stress_surge(t, baseline, fold, 0.0, tau_rise, tau_rise * clear_ratio)
    assert np.all(c >= 0) and np.all(c >= baseline - 1e-9)


@given(times, st.floats(0, 500), st.floats(0, 500), st.floats(0.1, 100))
def test_withdrawal_and_cycle_nonnegative(t, a, b, tau):
    assert np.all(sch.postpartum_withdrawal(t, a, b, 0.0, tau) >= 0)
    assert np.all(sch.cycle(t, min(a, b), max(a, b), 672.0, 0.5, tau) >= 0)


@given(times, st.lists(st.floats(0, 200), min_size=1, max_size=5), st.floats(0.5, 20))
def test_infusion_nonnegative(t, rates, half_life):
    steps = [(float(k), r) for k, r in enumerate(rates)]
    assert np.all(sch.infusion_pk(t, steps, half_life, 1.0) >= 0)


def test_stress_surge_shape():
    t = np.linspace(0, 3, 30001)
    c = sch.stress_surge(t, 10.0, 8.0)
    assert c.max() == pytest.approx(80.0, rel=0.01)      # peak = baseline x fold
    assert t[np.argmax(c)] < 10 / 60                      # within minutes (Purdy 1991)
    assert c[np.searchsorted(t, 2.0)] <= 11.0             # back by 2 h (Barbaccia 1996)


def test_brexanolone_matches_wald_2022():
    t = np.linspace(0, 60, 60001)
    c = sch.brexanolone_60h(t)
    assert c.mean() == pytest.approx(222, rel=0.10)
    assert c.max() == pytest.approx(282, rel=0.10)
    assert sch.brexanolone_60h(np.array([80.0]))[0] < 0.01 * c.max()  # washed out after the stop


def test_steps_exact_and_errors():
    c = sch.steps(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), [0.0, 1.0], [5.0, 7.0], 2.0)
    np.testing.assert_array_equal(c, [2.0, 5.0, 5.0, 7.0, 7.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        sch.steps(np.zeros(1), [1.0, 0.5], [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="initial_nM"):
        sch.steps(np.zeros(1), [1.0], [1.0], -3.0)
    with pytest.raises(ValueError, match="peak_fold"):
        sch.stress_surge(np.zeros(1), 10.0, 0.5)
    with pytest.raises(ValueError, match="tau_drop_h"):
        sch.postpartum_withdrawal(np.zeros(1), 100.0, 10.0, 0.0, -1.0)
    assert set(sch.SCHEDULE_FUNCTIONS) == {"constant", "steps", "stress_surge", "infusion",
                                           "brexanolone_60h", "postpartum_withdrawal", "cycle"}
