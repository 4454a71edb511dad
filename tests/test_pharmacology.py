"""Pharmacology: receptor effects and concentration schedules (pure functions).

The numbers asserted come from science.md §1: the default decay-factor table (fit to Cooper et al.
1999), regional sensitivity, the tonic/phasic sensitivity ratio, the benzodiazepine contrast, the
stress time course (Purdy 1991; Barbaccia 1996) and the brexanolone exposure (Wald et al. 2022).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from allonet.pharmacology import (
    BENZODIAZEPINES,
    PROFILES,
    TONIC_PROFILES,
    SensitivityProfile,
    brian_expression,
    bz_amplitude_factor,
    bz_decay_factor,
    bz_tonic_factor,
    decay_factor,
    get_profile,
    hill_factor,
    tonic_conductance,
    tonic_factor,
)
from allonet.pharmacology import schedules as sch

concentrations = st.floats(min_value=0, max_value=1e6, allow_nan=False)
profile_names = st.sampled_from(sorted(PROFILES))
tonic_names = st.sampled_from(sorted(TONIC_PROFILES))


# --- phasic decay factor ------------------------------------------------------------------------


def test_profile_names_and_sources():
    assert set(PROFILES) == {"default", "CA1", "DG", "BLA", "insensitive"}
    for profile in PROFILES.values():
        assert any(tag in profile.source for tag in ("[src", "[fit", "[est"))


@given(profile_names)
def test_factor_is_exactly_one_without_allo(profile):
    assert decay_factor(0.0, profile) == 1.0
    assert decay_factor(0, profile) == 1.0


@given(profile_names, concentrations, concentrations)
def test_factor_monotone_and_bounded(profile, a, b):
    low, high = sorted((a, b))
    emax = get_profile(profile).emax
    f_low, f_high = decay_factor(low, profile), decay_factor(high, profile)
    assert 1.0 <= f_low <= f_high + 1e-12
    assert f_high <= emax + 1e-12


@pytest.mark.parametrize(("c_nM", "fold"), [(10, 1.05), (30, 1.18), (100, 1.63), (300, 2.5),
                                            (1000, 3.4), (3000, 3.8)])
def test_default_folds_match_science_table(c_nM, fold):
    assert decay_factor(c_nM) == pytest.approx(fold, abs=0.06)


def test_default_matches_cooper_1999_ranges():
    assert 1.25 <= decay_factor(100) <= 1.7                   # 1.25-1.5x at 50-100 nM
    assert all(3.5 <= decay_factor(c) <= 4.5 for c in (2000, 2500, 3000))  # ~4x at 2 uM


def test_regional_sensitivity():
    assert decay_factor(100, "DG") < decay_factor(100, "CA1")  # Cooper 1999; Belelli & Herd 2003
    assert decay_factor(100, "DG") < decay_factor(100, "default") < decay_factor(100, "CA1")
    assert decay_factor(250, "BLA") == decay_factor(250, "default")


@given(st.lists(concentrations, min_size=1, max_size=10))
def test_insensitive_profile_is_always_one(cs):
    np.testing.assert_array_equal(decay_factor(np.array(cs), "insensitive"), 1.0)


def test_vectorised_and_profile_objects():
    cs = np.array([0.0, 100.0, 1000.0])
    expected = [decay_factor(c) for c in cs]
    np.testing.assert_allclose(decay_factor(cs), expected)
    custom = SensitivityProfile("custom", 2.0, 50.0, 1.0, "[est] test")
    assert decay_factor(50.0, custom) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="ec50_nM"):
        SensitivityProfile("bad", 2.0, 0.0, 1.0, "[est]")


def test_bad_concentration_and_profile_rejected():
    with pytest.raises(ValueError, match="≥ 0"):
        decay_factor(-1.0)
    with pytest.raises(ValueError, match="-5"):
        tonic_factor(np.array([1.0, -5.0]))
    with pytest.raises(ValueError, match="≥ 0"):
        bz_decay_factor(float("nan"))
    with pytest.raises(KeyError, match="allowed: 'default', 'CA1'"):
        decay_factor(10.0, "cerebellum")
    with pytest.raises(KeyError, match="'insensitive'"):
        tonic_factor(10.0, "cerebellum")
    with pytest.raises(KeyError, match="'diazepam'"):
        bz_decay_factor(10.0, "lorazepam?")


# --- tonic and benzodiazepine --------------------------------------------------------------------


@given(tonic_names, concentrations, concentrations)
def test_tonic_monotone_and_bounded(profile, a, b):
    low, high = sorted((a, b))
    assert tonic_factor(0.0, profile) == 1.0
    assert 1.0 <= tonic_factor(low, profile) <= tonic_factor(high, profile) + 1e-12
    assert tonic_factor(high, profile) <= TONIC_PROFILES[profile].emax + 1e-12


def test_tonic_more_sensitive_than_phasic():
    tonic, phasic = TONIC_PROFILES["default"], PROFILES["default"]
    assert tonic.ec50_nM <= phasic.ec50_nM / 5                 # Stell 2003; Mtchedlishvili
    assert 20 <= tonic.ec50_nM <= 30                            # 21 nM anchor
    half = 1 + (tonic.emax - 1) / 2
    assert tonic_factor(tonic.ec50_nM) == pytest.approx(half)   # n = 1: half-max at EC50
    # at 30 nM the tonic current is past half-maximal while phasic decay has barely moved
    assert tonic_factor(30.0) - 1 > (tonic.emax - 1) / 2
    assert decay_factor(30.0) - 1 < (phasic.emax - 1) / 10
    assert tonic_conductance(30.0, 0.4) == pytest.approx(0.4 * tonic_factor(30.0))
    assert np.all(tonic_factor(np.logspace(0, 5, 20), "insensitive") == 1.0)


@given(concentrations)
def test_benzodiazepine_contrast(c):
    diazepam = BENZODIAZEPINES["diazepam"]
    assert diazepam.decay_emax < PROFILES["default"].emax       # lower ceiling
    assert 1.0 <= bz_decay_factor(c) <= diazepam.decay_emax + 1e-12
    assert 1.0 <= bz_amplitude_factor(c) <= diazepam.amplitude_emax + 1e-12
    assert bz_tonic_factor(c) == 1.0                            # delta receptors BZ-insensitive
    assert bz_decay_factor(0.0) == bz_amplitude_factor(0.0) == 1.0


def test_benzodiazepine_ceiling_below_allo_at_high_doses():
    assert bz_decay_factor(1e5) < decay_factor(3000)
    assert bz_amplitude_factor(1e5) > 1.2                       # amplitude up, unlike ALLO
    np.testing.assert_array_equal(bz_tonic_factor([0.0, 100.0, 1e4]), 1.0)


# --- Brian2 expressions: the model uses the tested formula ---------------------------------------


@given(st.lists(st.floats(0, 5000), min_size=1, max_size=5), st.floats(0.5, 6), st.floats(1, 5),
       st.floats(1, 2000))
def test_brian_expression_is_the_tested_formula(cs, n, emax, ec50):
    text = brian_expression(hill_factor, c="allo_C", emax="gaba_emax", ec50="gaba_ec50",
                            n="gaba_hill")
    c = np.array(cs)
    namespace = {"allo_C": c, "gaba_emax": emax, "gaba_ec50": ec50, "gaba_hill": n}
    evaluated = eval(text, {"__builtins__": {}}, namespace)
    np.testing.assert_allclose(evaluated, hill_factor(c, emax, ec50, n), rtol=1e-12)


@given(st.lists(concentrations, min_size=1, max_size=5), tonic_names)
def test_tonic_brian_expression_with_numeric_hill(cs, profile):
    text = brian_expression(hill_factor, c="allo_C", emax="tonic_emax", ec50="tonic_ec50", n="1")
    p = TONIC_PROFILES[profile]
    c = np.array(cs)
    evaluated = eval(text, {"__builtins__": {}},
                     {"allo_C": c, "tonic_emax": p.emax, "tonic_ec50": p.ec50_nM})
    np.testing.assert_allclose(evaluated, tonic_factor(c, profile), rtol=1e-12)


def test_brian_expression_text_is_brian_compatible():
    text = brian_expression(hill_factor, c="allo_C", emax="gaba_emax", ec50="gaba_ec50",
                            n="gaba_hill")
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"
                            " +-*/().")
    assert brian_expression(lambda c: c / 2, c="x") == "0.5*x"  # no integer division in C
    with pytest.raises(ValueError, match="Abs"):
        brian_expression(lambda c: abs(c - 1), c="x")
    with pytest.raises(ValueError, match="variable name"):
        brian_expression(hill_factor, c="allo C", emax="e", ec50="k", n="n")


def test_decay_factor_on_symbols_matches_numbers():
    c = sympy.Symbol("c", real=True, nonnegative=True)
    expr = decay_factor(c, "CA1")
    assert float(expr.subs(c, 123.0)) == pytest.approx(decay_factor(123.0, "CA1"), rel=1e-12)


# --- schedules -----------------------------------------------------------------------------------

times = st.lists(st.floats(-100, 2000, allow_nan=False), min_size=1, max_size=20).map(np.array)
levels = st.floats(0, 500)


@given(times, levels, st.lists(levels, min_size=1, max_size=5), levels)
def test_constant_and_steps_nonnegative(t, c, values, initial):
    assert np.all(sch.constant(t, c) == c)
    step_times = [float(k) for k in range(len(values))]
    result = sch.steps(t, step_times, values, initial)
    assert result.shape == t.shape and np.all(result >= 0)
    assert set(result) <= {initial, *values}


@given(times, levels, st.floats(1, 20), st.floats(-5, 5), st.floats(0.01, 1),
       st.floats(0.2, 20))
def test_stress_surge_nonnegative_and_bounded(t, baseline, fold, onset, tau_rise, clear_ratio):
    c = sch.stress_surge(t, baseline, fold, onset, tau_rise, tau_rise * clear_ratio)
    assert np.all(c >= 0)
    assert np.all(c >= baseline * (1 - 1e-12))
    assert np.all(c <= baseline * fold * (1 + 1e-9) + 1e-12)


@given(times, levels, levels, st.floats(-50, 50), st.floats(0.1, 100))
def test_withdrawal_and_cycle_nonnegative(t, a, b, delivery, tau):
    assert np.all(sch.postpartum_withdrawal(t, a, b, delivery, tau) >= 0)
    cyc = sch.cycle(t, min(a, b), max(a, b), 672.0, 0.5, tau)
    assert np.all(cyc >= min(a, b) - 1e-9) and np.all(cyc <= max(a, b) + 1e-9)


@given(times, st.lists(st.floats(0, 200), min_size=1, max_size=5), st.floats(0.5, 20),
       st.floats(0.1, 5))
def test_infusion_nonnegative(t, rates, half_life, clearance):
    rate_steps = [(float(k), r) for k, r in enumerate(rates)]
    assert np.all(sch.infusion_pk(t, rate_steps, half_life, clearance) >= 0)


@given(times, st.lists(st.floats(0, 200), min_size=1, max_size=5), st.floats(0.1, 5),
       st.floats(0.1, 10), st.floats(1e-3, 10), st.floats(0.1, 50))
def test_two_compartment_infusion_nonnegative(t, rates, clearance, v1, q, v2):
    rate_steps = [(float(k), r) for k, r in enumerate(rates)]
    assert np.all(sch.infusion_pk_2c(t, rate_steps, clearance, v1, q, v2) >= 0)


@pytest.mark.parametrize("t", [0.5, np.array([[0.0, 1.0], [2.0, 3.0]]), [0.0, 1.0]])
def test_schedules_return_float_arrays_of_the_shape_of_t(t):
    shape = np.shape(t)
    for result in (sch.constant(t, 3), sch.steps(t, [1.0], [2.0], 1.0),
                   sch.stress_surge(t, 1.0, 2.0), sch.brexanolone_60h(t),
                   sch.postpartum_withdrawal(t, 100.0, 10.0), sch.cycle(t, 5.0, 20.0)):
        assert isinstance(result, np.ndarray) and result.dtype == float
        assert result.shape == shape


@pytest.mark.parametrize("preset", sorted(sch.STRESS_SURGE_PRESETS))
def test_stress_surge_time_course(preset):
    kwargs = sch.STRESS_SURGE_PRESETS[preset].kwargs()
    t = np.linspace(0, 3, 180001)
    c = sch.stress_surge(t, 10.0, onset_h=0.0, **kwargs)
    assert c.max() == pytest.approx(10.0 * kwargs["peak_fold"], rel=0.01)
    assert t[np.argmax(c)] <= 10 / 60                           # peak within minutes (Purdy)
    assert c[np.searchsorted(t, 2.0)] <= 11.0                   # baseline by 2 h (Barbaccia)
    assert c[0] == 10.0


def test_stress_presets_match_sources():
    swim, co2 = sch.STRESS_SURGE_PRESETS["swim"], sch.STRESS_SURGE_PRESETS["co2"]
    assert 4 <= swim.peak_fold <= 20                            # Purdy 1991: 4-20x
    at_5_min = sch.stress_surge(5 / 60, 1.0, **swim.kwargs())
    assert at_5_min >= 4                                        # already >= 4x at 5 min
    at_30_min = sch.stress_surge(0.5, 1.0, **co2.kwargs())
    assert at_30_min == pytest.approx(3.0, rel=0.05)            # Barbaccia 1996: +200% at 30 min


def test_stress_surge_onset_and_equal_time_constants():
    c = sch.stress_surge(np.array([0.9, 1.0, 1.5]), 2.0, 5.0, onset_h=1.0)
    assert c[0] == c[1] == 2.0 and c[2] > 2.0
    t = np.linspace(0, 5, 50001)
    alpha = sch.stress_surge(t, 1.0, 3.0, 0.0, 0.5, 0.5)
    near = sch.stress_surge(t, 1.0, 3.0, 0.0, 0.5, 0.5 * (1 + 1e-7))
    assert alpha.max() == pytest.approx(3.0, rel=1e-6)
    assert t[np.argmax(alpha)] == pytest.approx(0.5, abs=1e-3)
    np.testing.assert_allclose(near, alpha, rtol=1e-5)
    swapped = sch.stress_surge(t, 1.0, 3.0, 0.0, 0.4, 0.1)      # order of taus does not matter
    np.testing.assert_allclose(swapped, sch.stress_surge(t, 1.0, 3.0, 0.0, 0.1, 0.4))


def test_brexanolone_matches_wald_2022():
    t = np.linspace(0, 60, 60001)
    c = sch.brexanolone_60h(t)
    assert 190 <= np.trapezoid(c, t) / 60 <= 250                # Cavg(0-60 h), Wald: 222 nM
    assert 260 <= c.max() <= 300                                # Cmax, Wald: 282 nM
    assert 24 <= t[np.argmax(c)] <= 52                          # peak during the 90 ug/kg/h step
    assert sch.brexanolone_60h(0.0) == 0.0
    np.testing.assert_allclose(sch.brexanolone_60h(t, 0.5), 0.5 * c)


def test_brexanolone_terminal_half_life_from_the_curve():
    t = np.linspace(72, 120, 481)                               # 12-60 h after the infusion
    slope, _ = np.polyfit(t, np.log(sch.brexanolone_60h(t)), 1)
    assert 9 <= -math.log(2) / slope <= 11.5                    # Wald: terminal t1/2 9-11 h
    after = sch.brexanolone_60h(np.linspace(60, 200, 1401))
    assert np.all(np.diff(after) < 0)                           # falls once the infusion ends


def test_infusion_is_the_exact_solution():
    half_life, clearance, rate = 3.0, 0.8, 50.0
    k = math.log(2) / half_life
    volume = clearance / k
    t = np.array([0.0, 1.0, 5.0, 10.0, 12.0, 30.0])
    c = sch.infusion_pk(t, [(0.0, rate), (10.0, 0.0)], half_life, clearance, 1000.0)
    amount = np.where(t <= 10, rate / k * (1 - np.exp(-k * t)),
                      rate / k * (1 - np.exp(-k * 10)) * np.exp(-k * (t - 10)))
    np.testing.assert_allclose(c, amount / volume, rtol=1e-12)
    steady = sch.infusion_pk(np.array([1000.0]), [(0.0, rate)], half_life, clearance, 1000.0)
    assert steady[0] == pytest.approx(rate / clearance, rel=1e-9)  # Css = R / CL


def _two_compartment_by_integration(t_eval, rate_steps, cl, v1, q, v2):
    """Central concentration (µg/L) from scipy's RK45 at rtol 1e-11, one call per segment."""
    starts = [s for s, _ in rate_steps] + [max(t_eval) + 1.0]
    state, out = np.zeros(2), np.zeros(len(t_eval))
    for (start, rate), end in zip(rate_steps, starts[1:], strict=True):
        def rhs(_t, a, rate=rate):
            return [rate - (cl + q) / v1 * a[0] + q / v2 * a[1], q / v1 * a[0] - q / v2 * a[1]]
        inside = (t_eval >= start) & (t_eval < end)
        sol = solve_ivp(rhs, (start, end), state, t_eval=np.append(t_eval[inside], end),
                        rtol=1e-11, atol=1e-12)
        out[inside], state = sol.y[0, :-1] / v1, sol.y[:, -1]
    return out


def test_two_compartment_infusion_matches_numerical_integration():
    rng = np.random.default_rng(7)
    starts = np.cumsum(rng.uniform(0.5, 12.0, 6))
    rate_steps = [(float(s), float(r)) for s, r in zip(starts, rng.uniform(0, 120, 6),
                                                          strict=True)] + [(starts[-1] + 8, 0.0)]
    cl, v1, q, v2 = 0.7, 1.3, 0.4, 2.5
    t = np.sort(rng.uniform(starts[0], starts[-1] + 60, 200))
    exact = sch.infusion_pk_2c(t, rate_steps, cl, v1, q, v2, molar_mass_g_per_mol=1000.0)
    numeric = _two_compartment_by_integration(t, rate_steps, cl, v1, q, v2)
    np.testing.assert_allclose(exact, numeric, rtol=1e-7, atol=1e-9)
    before = sch.infusion_pk_2c(np.array([-5.0, starts[0]]), rate_steps, cl, v1, q, v2)
    np.testing.assert_array_equal(before, [0.0, 0.0])           # no drug before the first step


def test_two_compartment_steady_state_and_mass_balance():
    cl, v1, q, v2, rate = 0.9, 2.0, 0.3, 4.0, 60.0
    steady = sch.infusion_pk_2c(np.array([2000.0]), [(0.0, rate)], cl, v1, q, v2, 1000.0)
    assert steady[0] == pytest.approx(rate / cl, rel=1e-9)      # Css = R / CL (µg/L)
    t = np.linspace(0, 600, 600001)                             # > 40 terminal half-lives
    c = sch.infusion_pk_2c(t, [(0.0, rate), (10.0, 0.0)], cl, v1, q, v2, 1000.0)
    eliminated = cl * np.trapezoid(c, t)                        # µg/kg cleared from plasma
    assert eliminated == pytest.approx(rate * 10.0, rel=1e-6)   # = dose: nothing lost or made


def test_two_compartment_modes():
    cl, v1, q, v2 = 0.9, 2.0, 0.3, 4.0
    (alpha, beta), (w_a, w_b) = sch.two_compartment_modes(cl, v1, q, v2)
    k10, k12, k21 = cl / v1, q / v1, q / v2
    assert alpha > beta > 0 and 0 <= w_a <= 1 and 0 <= w_b <= 1
    assert alpha + beta == pytest.approx(k10 + k12 + k21, rel=1e-12)
    assert alpha * beta == pytest.approx(k10 * k21, rel=1e-12)
    assert w_a + w_b == pytest.approx(1.0, rel=1e-12)
    # a vanishing exchange leaves one compartment with V = V1, t1/2 = ln2 V1 / CL
    t = np.linspace(0, 40, 401)
    nearly_one = sch.infusion_pk_2c(t, [(0.0, 50.0), (10.0, 0.0)], cl, v1, 1e-9, v2)
    one = sch.infusion_pk(t, [(0.0, 50.0), (10.0, 0.0)], math.log(2) * v1 / cl, cl)
    np.testing.assert_allclose(nearly_one, one, rtol=1e-6)


def test_postpartum_withdrawal_shape():
    t = np.array([-100.0, 0.0, 12.0, 240.0])
    c = sch.postpartum_withdrawal(t, 120.0, 10.0, delivery_h=0.0, tau_drop_h=12.0)
    assert c[0] == c[1] == 120.0
    assert c[2] == pytest.approx(10 + 110 / math.e)
    assert c[3] == pytest.approx(10.0, abs=1e-6)


def test_cycle_luteal_rise_and_periodicity():
    period = 672.0
    t = np.linspace(0, 3 * period, 20001)
    c = sch.cycle(t, 5.0, 20.0, period, 0.5, 24.0)
    np.testing.assert_allclose(sch.cycle(t + period, 5.0, 20.0, period, 0.5, 24.0), c,
                               atol=1e-9)
    assert sch.cycle(0.25 * period, 5.0, 20.0) == pytest.approx(5.0, rel=0.01)   # follicular
    assert sch.cycle(0.75 * period, 5.0, 20.0) == pytest.approx(20.0, rel=0.01)  # luteal
    assert np.max(np.abs(np.diff(c))) < 1.0                     # smooth, no jumps


def test_steps_exact_values():
    c = sch.steps(np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), [0.0, 1.0], [5.0, 7.0], 2.0)
    np.testing.assert_array_equal(c, [2.0, 5.0, 5.0, 7.0, 7.0])


@pytest.mark.parametrize(("call", "match"), [
    (lambda: sch.steps(0.0, [1.0, 0.5], [1.0, 2.0], 0.0), r"times_h = \[1.0, 0.5\].*increasing"),
    (lambda: sch.steps(0.0, [1.0, 1.0], [1.0, 2.0], 0.0), "strictly increasing"),
    (lambda: sch.steps(0.0, [1.0], [1.0], -3.0), r"initial_nM = -3.0.*≥ 0"),
    (lambda: sch.steps(0.0, [1.0], [-1.0], 0.0), "values_nM"),
    (lambda: sch.steps(0.0, [1.0, 2.0], [1.0], 0.0), "as many entries"),
    (lambda: sch.constant(0.0, -1.0), "c_nM = -1.0"),
    (lambda: sch.stress_surge(0.0, 10.0, 0.5), r"peak_fold = 0.5.*≥ 1"),
    (lambda: sch.stress_surge(0.0, -1.0, 2.0), "baseline_nM"),
    (lambda: sch.stress_surge(0.0, 1.0, 2.0, 0.0, -0.1), r"tau_rise_h = -0.1.*> 0"),
    (lambda: sch.stress_surge(0.0, 1.0, 2.0, 0.0, 0.1, 0.0), "tau_clear_h"),
    (lambda: sch.postpartum_withdrawal(0.0, 100.0, 10.0, 0.0, -1.0), "tau_drop_h = -1.0"),
    (lambda: sch.postpartum_withdrawal(0.0, -100.0, 10.0), "pregnancy_nM"),
    (lambda: sch.cycle(0.0, 20.0, 5.0), "high_nM"),
    (lambda: sch.cycle(0.0, 5.0, 20.0, luteal_start_frac=1.2), "luteal_start_frac"),
    (lambda: sch.cycle(0.0, 5.0, 20.0, tau_h=-1.0), "tau_h"),
    (lambda: sch.infusion_pk(0.0, [(0.0, -5.0)], 9.0, 1.0), "rates must be"),
    (lambda: sch.infusion_pk(0.0, [(1.0, 5.0), (0.0, 0.0)], 9.0, 1.0), "strictly increasing"),
    (lambda: sch.infusion_pk(0.0, [], 9.0, 1.0), "at least one"),
    (lambda: sch.infusion_pk(0.0, [(0.0, 5.0)], -9.0, 1.0), "half_life_h = -9.0"),
    (lambda: sch.infusion_pk(0.0, [(0.0, 5.0)], 9.0, 0.0), "clearance_L_per_h_per_kg"),
    (lambda: sch.brexanolone_60h(0.0, -1.0), "brain_plasma_ratio"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, 5.0)], 0.0, 2.0, 0.1, 1.0),
     r"clearance_L_per_h_per_kg = 0.0: must be finite and > 0"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, 5.0)], 1.0, -2.0, 0.1, 1.0), "v1_L_per_kg = -2.0"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, 5.0)], 1.0, 2.0, 0.0, 1.0), "q_L_per_h_per_kg = 0.0"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, 5.0)], 1.0, 2.0, 0.1, math.inf),
     r"v2_L_per_kg = inf: must be finite"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, 5.0)], 1.0, 2.0, 0.1, 1.0, molar_mass_g_per_mol=0.0),
     "molar_mass_g_per_mol = 0.0"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, 5.0)], 1.0, 2.0, 0.1, 1.0, brain_plasma_ratio=-1.0),
     "brain_plasma_ratio = -1.0"),
    (lambda: sch.infusion_pk_2c(0.0, [(0.0, -5.0)], 1.0, 2.0, 0.1, 1.0), "rates must be"),
    (lambda: sch.infusion_pk_2c(0.0, [(2.0, 5.0), (1.0, 0.0)], 1.0, 2.0, 0.1, 1.0),
     r"rate_steps = .*strictly increasing"),
])
def test_bad_schedule_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_schedule_kinds():
    assert set(sch.SCHEDULE_FUNCTIONS) == {"constant", "steps", "stress_surge", "infusion",
                                           "brexanolone_60h", "postpartum_withdrawal", "cycle"}
    assert sch.SCHEDULE_FUNCTIONS["infusion"] is sch.infusion_pk
