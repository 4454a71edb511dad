"""Endogenous ALLO synthesis (closed loop): pure functions, shared by the model and its tests.

ALLO is made on demand from progesterone by 5α-reductase and 3α-HSD in neurons and glia, during
stress and activity, and cleared in minutes to hours (science.md §1). allonet models the locally
synthesised excess ``c`` (nM, on top of the region's scheduled concentration) as

    dc/dt = (1 - block) * (k_activity * excess_rate + k_stress * stress) - c / tau_clear

with ``excess_rate`` the mean rate (Hz) of the region's listed excitatory populations above a
reference rate (never negative), ``stress`` a dimensionless stress intensity (peak 1),
``k_activity`` in nM per (Hz s) (= nM per spike per neuron), ``k_stress`` in nM/s, ``tau_clear`` in
s, and ``block`` the fraction of 5α-reductase blocked by finasteride. The Brian2 equation is
generated from :func:`synthesis_rate`, so the simulated loop cannot drift from this formula.

Spec values are given on the biological clock as steady-state gains; :func:`rate_constants`
converts them to the simulation clock.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from allonet.pharmacology.schedules import _surge_shape


def synthesis_rate(c: Any, excess_rate: Any, stress: Any, k_activity: Any, k_stress: Any,
                   block: Any, tau_clear: Any) -> Any:
    """dc/dt (nM/s) of the synthesised ALLO excess ``c`` (nM).

    ``excess_rate`` (Hz, ≥ 0), ``stress`` (1), ``k_activity`` (nM per Hz per s), ``k_stress``
    (nM/s), ``block`` (fraction of synthesis blocked, 0-1), ``tau_clear`` (s). Works on numbers,
    numpy arrays and sympy symbols (for :func:`~allonet.pharmacology.brian_expression`).
    """
    return (1 - block) * (k_activity * excess_rate + k_stress * stress) - c / tau_clear


def rate_constants(activity_gain_nM_per_hz: float, stress_gain_nM: float, tau_clear_bio_s: float,
                   time_scale: float) -> tuple[float, float, float]:
    """``(k_activity, k_stress, tau_clear)`` on the simulation clock from steady-state gains.

    ``activity_gain_nM_per_hz``: the excess (nM) a sustained 1 Hz above the reference rate holds
    at steady state; ``stress_gain_nM``: the excess held at a sustained stress intensity of 1;
    ``tau_clear_bio_s``: clearance time constant on the biological clock (s); ``time_scale``:
    biological seconds per simulated second. Returns nM/(Hz s), nM/s and s (simulation clock).
    """
    gains = (("activity_gain", activity_gain_nM_per_hz), ("stress_gain", stress_gain_nM))
    for name, value in gains:
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} = {value!r}: must be finite and ≥ 0")
    for name, value in (("tau_clear", tau_clear_bio_s), ("time_scale", time_scale)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} = {value!r}: must be finite and > 0")
    tau = tau_clear_bio_s / time_scale
    return activity_gain_nM_per_hz / tau, stress_gain_nM / tau, tau


def stress_intensity(t_h: float | np.ndarray, onset_h: float, tau_rise_h: float,
                     tau_decay_h: float) -> np.ndarray:
    """Stress intensity (1, peak exactly 1) at biological times ``t_h`` (h): zero before
    ``onset_h``, then a difference of exponentials rising with ``tau_rise_h`` and decaying with
    ``tau_decay_h`` (hours)."""
    for name, value in (("tau_rise_h", tau_rise_h), ("tau_decay_h", tau_decay_h)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} = {value!r}: must be finite and > 0")
    since = np.clip(np.asarray(t_h, dtype=float) - onset_h, 0.0, None)
    return np.asarray(_surge_shape(since, tau_rise_h, tau_decay_h), dtype=float)


def integrate(t: np.ndarray, excess_rate: np.ndarray,
              stress: np.ndarray, k_activity: float, k_stress: float, block: float,
              tau_clear: float) -> np.ndarray:
    """Reference solution of :func:`synthesis_rate` on the grid ``t`` (s), exact for inputs held
    constant over each step (exponential Euler); ``excess_rate`` and ``stress`` are given per grid
    point. Returns the excess ``c`` (nM), starting at 0."""
    t = np.asarray(t, dtype=float)
    rate = np.asarray(excess_rate, dtype=float)
    stress = np.asarray(stress, dtype=float)
    c = np.zeros_like(t)
    for k in range(1, len(t)):
        dt = t[k] - t[k - 1]
        source = (1 - block) * (k_activity * rate[k - 1] + k_stress * stress[k - 1])
        steady = source * tau_clear
        c[k] = steady + (c[k - 1] - steady) * math.exp(-dt / tau_clear)
    return c
