"""Receptor plasticity on the biological clock (pure functions): δ expression and the α4 fraction.

Directions from Maguire & Mody 2008 (δ down in late pregnancy, back after delivery) and Smith et
al. 1998 (α4 up after ALLO withdrawal, benzodiazepine-insensitive receptors); time constants are
the module's stated [est] values, recovered here from fitted exponentials.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from allonet.pharmacology import brian_expression, bz_decay_factor, tonic_factor
from allonet.pharmacology import receptor_plasticity as rp
from allonet.pharmacology import schedules as sch

P = rp.DEFAULT


def _fitted_tau(t: np.ndarray, values: np.ndarray, final: float) -> float:
    """Time constant (h) of a line fitted to log|value - final| against t."""
    slope = np.polyfit(t, np.log(np.abs(values - final)), 1)[0]
    return -1.0 / slope


def _step_history(before: float, after: float, hours_before: float = 24 * 60,
                  hours_after: float = 24 * 10, step: float = 0.5):
    """States on a grid under ``before`` nM until time 0 and ``after`` nM from then on."""
    t = np.arange(-hours_before, hours_after + step, step)
    return t, rp.integrate(t, sch.steps(t, [0.0], [after], before))


def test_steady_states_and_their_direction():
    c = np.array([0.0, 10.0, 50.0, 120.0, 1e6])
    delta = rp.delta_steady_state(c)
    assert delta[0] == 1.0 and delta[2] == pytest.approx(0.5 * (1 + P.delta_min))
    assert delta[-1] == pytest.approx(P.delta_min, abs=1e-4)
    assert np.all(np.diff(delta) < 0)  # more ALLO, less δ (Maguire & Mody 2008)
    # constant ALLO is a steady state: δ stays put and no α4 is recruited
    t = np.arange(0.0, 500.0, 1.0)
    for level in (0.0, 10.0, 120.0):
        states = rp.integrate(t, np.full_like(t, level))
        assert np.allclose(states.delta, rp.delta_steady_state(level))
        assert np.all(states.alpha4 == 0.0)


def test_fitted_time_constants_are_the_stated_ones():
    t, rise = _step_history(0.0, 300.0)
    after = t > 0
    assert _fitted_tau(t[after], rise.delta[after], rp.delta_steady_state(300.0)) == \
        pytest.approx(P.tau_delta_down_h, rel=1e-6)
    t, fall = _step_history(300.0, 0.0)
    assert _fitted_tau(t[after], fall.delta[after], 1.0) == pytest.approx(P.tau_delta_up_h,
                                                                          rel=1e-6)
    # long after withdrawal α4 returns with the slower of its two time constants (the memory)
    late = t > 10 * P.tau_alpha4_h
    assert _fitted_tau(t[late], fall.alpha4[late], 0.0) == pytest.approx(P.tau_memory_h, rel=0.02)


def test_withdrawal_raises_alpha4_transiently_and_more_after_more_allo():
    t, fall = _step_history(300.0, 0.0)
    day = np.searchsorted(t, 24.0)
    assert fall.alpha4[day] > 0.3  # Smith et al. 1998: α4 up 24 h after withdrawal
    peak = int(np.argmax(fall.alpha4))
    assert 12.0 < t[peak] < 72.0 and fall.alpha4[-1] < 0.1 * fall.alpha4[peak]
    peaks = [_step_history(level, 0.0)[1].alpha4.max() for level in (30.0, 100.0, 300.0)]
    assert np.all(np.diff(peaks) > 0)
    # a rise in ALLO is no withdrawal
    assert np.all(_step_history(0.0, 300.0)[1].alpha4 == 0.0)


def test_the_exact_step_solves_the_odes():
    """The step-wise closed form against a numerical solution of the three ODEs at a constant
    concentration, from an adapted state (after a fall from 200 to 20 nM)."""
    c, t_end = 20.0, 60.0
    start = rp.ReceptorStates(np.array(0.6), np.array(0.05), rp.exposure(np.array(200.0)))

    def rhs(_, y):
        delta, alpha4, memory = y
        tau = P.tau_delta_down_h if rp.delta_steady_state(c) < delta else P.tau_delta_up_h
        return [(rp.delta_steady_state(c) - delta) / tau,
                (rp.alpha4_steady_state(memory, c) - alpha4) / P.tau_alpha4_h,
                (rp.exposure(c) - memory) / P.tau_memory_h]

    y0 = [float(start.delta), float(start.alpha4), float(start.memory)]
    numeric = solve_ivp(rhs, (0, t_end), y0, rtol=1e-10, atol=1e-12).y[:, -1]
    exact = [rp._delta_step(start.delta, c, t_end, P),
             rp._alpha4_step(start.alpha4, start.memory, c, t_end, P),
             rp.relax(start.memory, rp.exposure(c), P.tau_memory_h, t_end)]
    assert np.allclose(exact, numeric, atol=1e-8)


def test_the_history_step_does_not_change_exact_results():
    t_query = np.array([-5.0, 12.0, 36.0, 100.0])
    schedule = lambda t: sch.steps(t, [-240.0, 0.0], [150.0, 10.0], 10.0)  # noqa: E731
    coarse = rp.states_at_hours(schedule, t_query, -24 * 30, 1.0)
    fine = rp.states_at_hours(schedule, t_query, -24 * 30, 0.125)
    for a, b in zip(coarse, fine, strict=True):
        assert np.allclose(a, b, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=5000.0), min_size=2, max_size=40),
       st.floats(min_value=0.1, max_value=100.0))
def test_states_stay_in_their_bounds(levels, step):
    c = np.array(levels)
    t = np.arange(len(c)) * step
    states = rp.integrate(t, c)
    assert np.all((states.delta >= P.delta_min - 1e-12) & (states.delta <= 1 + 1e-12))
    assert np.all((states.alpha4 >= 0) & (states.alpha4 <= P.alpha4_max + 1e-12))
    assert np.all((states.memory >= 0) & (states.memory < 1))


def test_regions_are_integrated_independently():
    t = np.arange(0.0, 100.0, 1.0)
    both = rp.integrate(t, np.stack([np.full_like(t, 5.0), sch.steps(t, [50.0], [0.0], 200.0)],
                                    axis=1))
    alone = rp.integrate(t, sch.steps(t, [50.0], [0.0], 200.0))
    assert np.array_equal(both.alpha4[:, 1], alone.alpha4)
    assert np.all(both.alpha4[:, 0] == 0.0)


def test_postpartum_tonic_inhibition_falls_below_pre_pregnancy_and_recovers_with_tau_up():
    """Acceptance 2 (states): 120 nM through late pregnancy (science.md §1, 100-150 nM), an
    abrupt fall to basal 10 nM at delivery. Tonic conductance relative to its ALLO-free value is
    δ x the ALLO potentiation (receptors.tonic_factor)."""
    basal, pregnancy = 10.0, 120.0
    t, states = _step_history(pregnancy, basal, hours_after=24 * 10)
    tonic = rp.tonic_scale(states.delta) * tonic_factor(sch.steps(t, [0.0], [basal], pregnancy))
    before_pregnancy = rp.tonic_scale(rp.delta_steady_state(basal)) * tonic_factor(basal)
    at_12h = tonic[np.searchsorted(t, 12.0)]
    assert at_12h < 0.9 * before_pregnancy
    after = t >= 12.0
    assert _fitted_tau(t[after], tonic[after], before_pregnancy) == \
        pytest.approx(P.tau_delta_up_h, rel=1e-6)


def test_benzodiazepine_sensitivity_falls_with_the_alpha4_fraction():
    factor = bz_decay_factor(1000.0)
    fractions = np.linspace(0.0, 1.0, 5)
    mixed = rp.insensitive_mix(factor, fractions)
    assert mixed[0] == pytest.approx(factor) and mixed[-1] == pytest.approx(1.0)
    assert np.all(np.diff(mixed) < 0)
    text = brian_expression(rp.insensitive_mix, factor="f", fraction="a")
    assert eval(text, {"f": factor, "a": 0.3}) == pytest.approx(rp.insensitive_mix(factor, 0.3))


@pytest.mark.parametrize("field, value", [("tau_alpha4_h", 0.0), ("delta_min", 1.5),
                                          ("tau_memory_h", 12.0)])
def test_bad_constants_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        rp.PlasticityConstants(**{field: value})


def test_every_constant_has_a_source():
    assert set(rp.SOURCES) == set(rp.PlasticityConstants.__dataclass_fields__)
