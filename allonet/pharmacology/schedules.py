"""Concentration schedules on a biological clock: time in hours, concentration in nM.

Concentrations are bath-equivalent brain concentrations (science.md §1). Every schedule is
vectorised over ``t_h`` (float or array, hours) and returns a float ndarray of its shape, never
negative. Bad arguments raise ValueError naming the argument, its value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: Molar mass of allopregnanolone, C21H34O2 (g/mol).
ALLO_MOLAR_MASS = 318.5

_MINUTE_H = 1.0 / 60.0

# --------------------------------------------------------------------------------------------
# Argument checks


def _require(condition: bool, name: str, value: object, allowed: str) -> None:
    """ValueError ``"name = value: allowed"`` unless ``condition``."""
    if not condition:
        raise ValueError(f"{name} = {value!r}: {allowed}")


def _nonneg(name: str, value: float) -> None:
    _require(bool(np.isfinite(value) and value >= 0), name, value, "must be finite and ≥ 0")


def _positive(name: str, value: float) -> None:
    _require(bool(np.isfinite(value) and value > 0), name, value, "must be finite and > 0")


def _finite(name: str, value: float) -> None:
    _require(bool(np.isfinite(value)), name, value, "must be a finite number of hours")


def _times(t_h: float | np.ndarray) -> np.ndarray:
    """``t_h`` as a float array (any shape)."""
    return np.asarray(t_h, dtype=float)


def _output(values: np.ndarray | float, t: np.ndarray) -> np.ndarray:
    """``values`` as a float ndarray of the shape of ``t``, clipped at 0 against rounding."""
    out = np.broadcast_to(np.asarray(values, dtype=float), t.shape)
    return np.array(np.maximum(out, 0.0), dtype=float)


# --------------------------------------------------------------------------------------------
# Simple schedules


def constant(t_h: float | np.ndarray, c_nM: float) -> np.ndarray:
    """``c_nM`` (nM) at every time ``t_h`` (h)."""
    _nonneg("c_nM", c_nM)
    t = _times(t_h)
    return _output(float(c_nM), t)


def steps(t_h: float | np.ndarray, times_h: Sequence[float], values_nM: Sequence[float],
          initial_nM: float) -> np.ndarray:
    """Piecewise constant: ``initial_nM`` before ``times_h[0]``, ``values_nM[k]`` from
    ``times_h[k]`` (h, strictly increasing) until the next step. Concentrations in nM."""
    _nonneg("initial_nM", initial_nM)
    _require(len(times_h) == len(values_nM), "times_h", list(times_h),
             f"needs as many entries as values_nM ({len(values_nM)})")
    for time in times_h:
        _finite("times_h", time)
    _require(bool(np.all(np.diff(times_h) > 0)), "times_h", list(times_h),
             "must be strictly increasing")
    for value in values_nM:
        _nonneg("values_nM", value)
    t = _times(t_h)
    levels = np.concatenate([[float(initial_nM)], np.asarray(values_nM, dtype=float)])
    index = np.searchsorted(np.asarray(times_h, dtype=float), t, side="right")
    return _output(levels[index], t)


# --------------------------------------------------------------------------------------------
# Acute stress


@dataclass(frozen=True)
class StressSurgePreset:
    """Parameters of :func:`stress_surge` for one stress paradigm (fold x baseline, hours)."""

    peak_fold: float
    tau_rise_h: float
    tau_clear_h: float
    source: str

    def kwargs(self) -> dict[str, float]:
        """Keyword arguments for :func:`stress_surge`."""
        return {"peak_fold": self.peak_fold, "tau_rise_h": self.tau_rise_h,
                "tau_clear_h": self.tau_clear_h}


#: Time constants of the default surge [fit]: tau_rise 3 min puts the peak at ~7 min (Purdy et al.
#: 1991 PNAS 88:4553: brain ALLO up 4-20x within 5 min of swim stress); tau_clear 25 min brings an
#: 8-fold surge within 10% of baseline by 2 h (Barbaccia et al. 1996: baseline by 120 min).
DEFAULT_TAU_RISE_H = 3.0 * _MINUTE_H
DEFAULT_TAU_CLEAR_H = 25.0 * _MINUTE_H

STRESS_SURGE_PRESETS: dict[str, StressSurgePreset] = {
    "swim": StressSurgePreset(
        8.0, DEFAULT_TAU_RISE_H, DEFAULT_TAU_CLEAR_H,
        "acute swim stress, rat brain: 4-20x within ~5 min [src: Purdy et al. 1991 PNAS "
        "88:4553]; fold 8 inside that range [est]; time constants [fit], back by 2 h "
        "[src: Barbaccia et al. 1996]",
    ),
    "co2": StressSurgePreset(
        5.4, DEFAULT_TAU_RISE_H, DEFAULT_TAU_CLEAR_H,
        "acute CO2 stress, rat cortex: +200% at 30 min, baseline by 120 min [src: Barbaccia "
        "et al. 1996]; fold 5.4 makes the default curve 3x baseline at 30 min [fit]",
    ),
}


def _surge_shape(since_h: np.ndarray, tau_a_h: float, tau_b_h: float) -> np.ndarray:
    """Difference of exponentials with time constants ``tau_a_h``, ``tau_b_h`` (either order),
    scaled to a peak of 1; the limit t/tau * exp(1 - t/tau) when they are equal."""
    fast, slow = sorted((tau_a_h, tau_b_h))
    if math.isclose(fast, slow, rel_tol=1e-9):
        return since_h / slow * np.exp(1.0 - since_h / slow)
    rate = 1.0 / fast - 1.0 / slow  # > 0; expm1 keeps near-equal taus accurate

    def curve(s: np.ndarray | float) -> np.ndarray:
        return -np.exp(-np.asarray(s) / slow) * np.expm1(-rate * np.asarray(s))

    t_peak = math.log(slow / fast) / rate
    return curve(since_h) / curve(t_peak)


def stress_surge(t_h: float | np.ndarray, baseline_nM: float, peak_fold: float,
                 onset_h: float = 0.0, tau_rise_h: float = DEFAULT_TAU_RISE_H,
                 tau_clear_h: float = DEFAULT_TAU_CLEAR_H) -> np.ndarray:
    """Baseline (nM) plus a stress-induced surge starting at ``onset_h`` (h).

    The surge is a difference of exponentials (``tau_rise_h``, ``tau_clear_h``, hours) scaled so
    that the peak is exactly ``peak_fold`` x ``baseline_nM``. See :data:`STRESS_SURGE_PRESETS`.
    """
    _nonneg("baseline_nM", baseline_nM)
    _require(bool(np.isfinite(peak_fold) and peak_fold >= 1), "peak_fold", peak_fold,
             "must be finite and ≥ 1 (a fold over baseline)")
    _finite("onset_h", onset_h)
    _positive("tau_rise_h", tau_rise_h)
    _positive("tau_clear_h", tau_clear_h)
    t = _times(t_h)
    since = np.clip(t - onset_h, 0.0, None)
    shape = _surge_shape(since, tau_rise_h, tau_clear_h)
    return _output(baseline_nM * (1.0 + (peak_fold - 1.0) * shape), t)


# --------------------------------------------------------------------------------------------
# Pharmacokinetics


def _check_rate_steps(rate_steps: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Start times (h) and rates (µg/kg/h) of ``rate_steps`` as arrays, validated."""
    _require(len(rate_steps) > 0, "rate_steps", list(rate_steps),
             "needs at least one (start_h, rate_ug_per_kg_per_h) step")
    starts = np.array([float(s) for s, _ in rate_steps])
    rates = np.array([float(r) for _, r in rate_steps])
    _require(bool(np.all(np.isfinite(starts))), "rate_steps", list(rate_steps),
             "start times must be finite hours")
    _require(bool(np.all(np.diff(starts) > 0)), "rate_steps", list(rate_steps),
             "start times must be strictly increasing")
    _require(bool(np.all(np.isfinite(rates) & (rates >= 0))), "rate_steps", list(rate_steps),
             "rates must be finite and ≥ 0 µg/kg/h")
    return starts, rates


def _infused_amount(t: np.ndarray, starts: np.ndarray, rates: np.ndarray,
                    decay_per_h: Sequence[float], weights: Sequence[float]) -> np.ndarray:
    """Amount (µg/kg) in the dosed compartment of a linear system at times ``t`` (h).

    The system's unit-impulse response is ``sum_i weights[i] e^{-decay_per_h[i] t}``; each rate
    (µg/kg/h) holds from its start (h) to the next one. A constant rate R from ``start`` to
    ``end`` adds ``w R/r (1 - e^{-r d}) e^{-r (t - end)}`` per mode, d the time infused so far:
    the exact convolution, so there is no step-size error.
    """
    amount = np.zeros_like(t)
    ends = np.append(starts[1:], np.inf)
    for start, end, rate in zip(starts, ends, rates, strict=True):
        infused_h = np.clip(np.minimum(t, end) - start, 0.0, None)
        since_end_h = np.clip(t - end, 0.0, None)
        for decay, weight in zip(decay_per_h, weights, strict=True):
            amount += (weight * rate / decay * -np.expm1(-decay * infused_h)
                       * np.exp(-decay * since_end_h))
    return amount


def _plasma_output(amount: np.ndarray, volume_L_per_kg: float, molar_mass_g_per_mol: float,
                   brain_plasma_ratio: float, t: np.ndarray) -> np.ndarray:
    """``amount`` (µg/kg) in ``volume_L_per_kg`` as nM (µg/L -> nmol/L) x ``brain_plasma_ratio``."""
    _positive("molar_mass_g_per_mol", molar_mass_g_per_mol)
    _positive("brain_plasma_ratio", brain_plasma_ratio)
    plasma_nM = amount / volume_L_per_kg * 1e3 / molar_mass_g_per_mol
    return _output(plasma_nM * brain_plasma_ratio, t)


def infusion_pk(t_h: float | np.ndarray, rate_steps: Sequence[tuple[float, float]],
                half_life_h: float, clearance_L_per_h_per_kg: float,
                molar_mass_g_per_mol: float = ALLO_MOLAR_MASS,
                brain_plasma_ratio: float = 1.0) -> np.ndarray:
    """Concentration (nM) during an intravenous infusion, one-compartment model, solved exactly.

    ``rate_steps``: ``(start_h, rate in µg/kg/h)`` pairs; each rate holds until the next step
    (end an infusion with a step to 0); no drug before the first step. dA/dt = R(t) - k A with
    k = ln2 / ``half_life_h`` and volume V = CL / k (L/kg), solved exactly per constant-rate
    segment. Plasma A/V (µg/L) is converted to nM with ``molar_mass_g_per_mol`` and multiplied
    by ``brain_plasma_ratio``. For a terminal phase slower than the distribution phase use
    :func:`infusion_pk_2c`.
    """
    starts, rates = _check_rate_steps(rate_steps)
    _positive("half_life_h", half_life_h)
    _positive("clearance_L_per_h_per_kg", clearance_L_per_h_per_kg)
    k = math.log(2.0) / half_life_h  # 1/h
    t = _times(t_h)
    amount = _infused_amount(t, starts, rates, (k,), (1.0,))
    return _plasma_output(amount, clearance_L_per_h_per_kg / k, molar_mass_g_per_mol,
                          brain_plasma_ratio, t)


def two_compartment_modes(clearance_L_per_h_per_kg: float, v1_L_per_kg: float,
                          q_L_per_h_per_kg: float, v2_L_per_kg: float
                          ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Eigen-decomposition of the linear two-compartment model, dosed into the central one.

    With k10 = CL/V1, k12 = Q/V1, k21 = Q/V2 (1/h), the central amount after a unit bolus is
    ``w_a e^{-alpha t} + w_b e^{-beta t}``: alpha > beta > 0 the eigenvalues of
    [[-(k10 + k12), k21], [k12, -k21]] negated (1/h), w_a = (alpha - k21)/(alpha - beta) and
    w_b = (k21 - beta)/(alpha - beta), both in [0, 1] and summing to 1. Returns
    ``((alpha, beta), (w_a, w_b))``; the terminal half-life is ln2 / beta.
    """
    _positive("clearance_L_per_h_per_kg", clearance_L_per_h_per_kg)
    _positive("v1_L_per_kg", v1_L_per_kg)
    _positive("q_L_per_h_per_kg", q_L_per_h_per_kg)
    _positive("v2_L_per_kg", v2_L_per_kg)
    k10 = clearance_L_per_h_per_kg / v1_L_per_kg
    k12 = q_L_per_h_per_kg / v1_L_per_kg
    k21 = q_L_per_h_per_kg / v2_L_per_kg
    gap = math.hypot(k10 + k12 - k21, 2.0 * math.sqrt(k12 * k21))  # alpha - beta > 0
    alpha = 0.5 * (k10 + k12 + k21 + gap)
    beta = k10 * k21 / alpha  # alpha beta = k10 k21; avoids cancellation in a difference
    return (alpha, beta), ((alpha - k21) / gap, (k21 - beta) / gap)


def infusion_pk_2c(t_h: float | np.ndarray, rate_steps: Sequence[tuple[float, float]],
                   clearance_L_per_h_per_kg: float, v1_L_per_kg: float,
                   q_L_per_h_per_kg: float, v2_L_per_kg: float,
                   molar_mass_g_per_mol: float = ALLO_MOLAR_MASS,
                   brain_plasma_ratio: float = 1.0) -> np.ndarray:
    """Concentration (nM) during an intravenous infusion, two-compartment model, solved exactly.

    ``rate_steps`` as in :func:`infusion_pk` (µg/kg/h into the central compartment). Linear
    central (V1, L/kg) and peripheral (V2, L/kg) compartments exchange with intercompartmental
    clearance Q (L/h/kg); elimination CL (L/h/kg) is from the central one:
    dA1/dt = R(t) - (CL + Q)/V1 A1 + Q/V2 A2, dA2/dt = Q/V1 A1 - Q/V2 A2. Each constant-rate
    segment is convolved exactly with the two modes of :func:`two_compartment_modes`, so there
    is no step-size error; constant infusion R tends to A1/V1 = R / CL. Plasma A1/V1 (µg/L) is
    converted to nM with ``molar_mass_g_per_mol`` and multiplied by ``brain_plasma_ratio``.
    """
    starts, rates = _check_rate_steps(rate_steps)
    decay, weights = two_compartment_modes(clearance_L_per_h_per_kg, v1_L_per_kg,
                                           q_L_per_h_per_kg, v2_L_per_kg)
    t = _times(t_h)
    amount = _infused_amount(t, starts, rates, decay, weights)
    return _plasma_output(amount, v1_L_per_kg, molar_mass_g_per_mol, brain_plasma_ratio, t)


@dataclass(frozen=True)
class InfusionPreset:
    """A named infusion protocol and the two-compartment constants that reproduce it
    (:func:`infusion_pk_2c`; volumes in L/kg, clearances in L/h/kg)."""

    rate_steps: tuple[tuple[float, float], ...]  # (start h, µg/kg/h)
    clearance_L_per_h_per_kg: float
    v1_L_per_kg: float
    q_L_per_h_per_kg: float
    v2_L_per_kg: float
    source: str

    def kwargs(self) -> dict[str, float]:
        """Keyword arguments for :func:`infusion_pk_2c` (all but ``t_h`` and ``rate_steps``)."""
        return {"clearance_L_per_h_per_kg": self.clearance_L_per_h_per_kg,
                "v1_L_per_kg": self.v1_L_per_kg, "q_L_per_h_per_kg": self.q_L_per_h_per_kg,
                "v2_L_per_kg": self.v2_L_per_kg}


#: Brexanolone (IV ALLO) 60-h infusion. Protocol and targets [src: Wald et al. 2022 Clin
#: Pharmacokinet 61:1307]: 30 (0-4 h), 60 (4-24 h), 90 (24-52 h), 60 (52-56 h), 30 (56-60 h)
#: µg/kg/h; plasma Cavg(0-60 h) 222 nM, Cmax 282 nM; terminal t½ 9-11 h; Wald et al. describe
#: the profile with a linear two-compartment model.
#:
#: Two compartments, so that one curve carries both the infusion-tracking exposure and the
#: 9-11 h terminal phase (one compartment cannot: with t½ = 9 h its Cmax/Cavg is 1.53 against
#: the measured 1.27). Constraints: total volume V1 + V2 = 3.0 L/kg, CL ~1 L/h/kg (the fit's
#: start) [ZULRESSO US label §12.3; not in science.md, verify]; terminal t½ = ln2/beta fixed at
#: 10 h, the middle of Wald's 9-11 h. [fit], one-off (not run at import): CL and V1 by least
#: squares on log(Cavg/222) and log(Cmax/282), Cavg the trapezoid mean over 0-60 h on a 0.001-h
#: grid, Q solved for t½ = 10 h at each trial, V2 = 3 - V1; optimum CL 0.9783, V1 2.472, Q 0.03830,
#: V2 0.528. Rounded as below they give Cavg 217.4 nM (-2.1%), Cmax 287.8 nM (+2.1%, at 52 h),
#: terminal t½ 10.05 h analytic and 9.91 h from the log-linear slope over 72-120 h; the fast
#: phase has t½ 1.67 h. The two targets pull as in the former one-compartment fit (effective
#: t½ 2.0 h, CL 0.982: -1.9% / +2.0%): their ratio favours a small slow phase, so the fit keeps
#: it small (5.4% of a bolus's AUC; 5.8 nM left 12 h after the end, 0.97 nM at 36 h). The same
#: trial hints at a heavier tail (breast milk, 1.36x plasma, below 5 ng/mL in most women only
#: by ~3 days after the end [src: Wald et al. phase 1b abstract; not in science.md]), so the
#: hours after the infusion are probably under-estimated.
BREXANOLONE_60H = InfusionPreset(
    rate_steps=((0.0, 30.0), (4.0, 60.0), (24.0, 90.0), (52.0, 60.0), (56.0, 30.0), (60.0, 0.0)),
    clearance_L_per_h_per_kg=0.978,
    v1_L_per_kg=2.47,
    q_L_per_h_per_kg=0.0383,
    v2_L_per_kg=0.53,
    source="protocol, Cavg 222 nM, Cmax 282 nM, terminal t1/2 9-11 h, two compartments [src: "
           "Wald et al. 2022 Clin Pharmacokinet 61:1307]; V1 + V2 = 3 L/kg, CL ~1 L/h/kg "
           "[ZULRESSO label, verify]; CL 0.978, V1 2.47, Q 0.0383, V2 0.53 [fit, t1/2 fixed "
           "at 10 h]: Cavg 217.4 nM, Cmax 287.8 nM, terminal t1/2 9.9-10.05 h",
)


def brexanolone_60h(t_h: float | np.ndarray, brain_plasma_ratio: float = 1.0) -> np.ndarray:
    """ALLO (nM, plasma x ``brain_plasma_ratio``) for the 60-h brexanolone infusion from t = 0 h.

    Two-compartment model (:func:`infusion_pk_2c`); see :data:`BREXANOLONE_60H` for the
    protocol, fit and limits.
    """
    p = BREXANOLONE_60H
    return infusion_pk_2c(t_h, p.rate_steps, **p.kwargs(), brain_plasma_ratio=brain_plasma_ratio)


# --------------------------------------------------------------------------------------------
# Reproductive states


def postpartum_withdrawal(t_h: float | np.ndarray, pregnancy_nM: float, baseline_nM: float,
                          delivery_h: float = 0.0, tau_drop_h: float = 12.0) -> np.ndarray:
    """Late-pregnancy level (nM) until ``delivery_h`` (h), then an exponential fall with time
    constant ``tau_drop_h`` (h) to ``baseline_nM``.

    High (~100-150 nM plasma) late in pregnancy, then an abrupt drop within hours to days
    [src qualitative; magnitudes and the 12-h default est] (science.md §1).
    """
    _nonneg("pregnancy_nM", pregnancy_nM)
    _nonneg("baseline_nM", baseline_nM)
    _finite("delivery_h", delivery_h)
    _positive("tau_drop_h", tau_drop_h)
    t = _times(t_h)
    since = np.clip(t - delivery_h, 0.0, None)
    return _output(baseline_nM + (pregnancy_nM - baseline_nM) * np.exp(-since / tau_drop_h), t)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def cycle(t_h: float | np.ndarray, low_nM: float, high_nM: float, period_h: float = 24 * 28,
          luteal_start_frac: float = 0.5, tau_h: float = 24.0) -> np.ndarray:
    """Ovarian-cycle-like pattern (nM): ``low_nM`` in the follicular phase, ``high_nM`` in the
    luteal phase (from ``luteal_start_frac`` of each ``period_h``-hour cycle to its end, the
    cycle starting at t = 0), with logistic transitions of time constant ``tau_h`` (h).

    The luteal rise is several-fold [src qualitative: Genazzani et al. 1998; magnitude est].
    The result is smooth and exactly periodic (neighbouring cycles are summed until their
    tails are below e^-20).
    """
    _nonneg("low_nM", low_nM)
    _nonneg("high_nM", high_nM)
    _require(high_nM >= low_nM, "high_nM", high_nM, f"must be ≥ low_nM ({low_nM!r})")
    _positive("period_h", period_h)
    _require(0 < luteal_start_frac < 1, "luteal_start_frac", luteal_start_frac,
             "must be in (0, 1)")
    _positive("tau_h", tau_h)
    _require(tau_h <= period_h / 4, "tau_h", tau_h,
             f"must be > 0 and ≤ period_h / 4 ({period_h / 4!r} h): transitions inside a cycle")
    t = _times(t_h)
    index = np.floor(t / period_h)
    reach = math.ceil(20.0 * tau_h / period_h) + 1
    luteal = np.zeros_like(t)
    for shift in range(-reach, reach + 1):
        begin = (index + shift + luteal_start_frac) * period_h
        end = (index + shift + 1.0) * period_h
        luteal += _logistic((t - begin) / tau_h) - _logistic((t - end) / tau_h)
    return _output(low_nM + (high_nM - low_nM) * np.clip(luteal, 0.0, 1.0), t)


#: Schedule kinds (as named in experiment specs) and their functions.
SCHEDULE_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "constant": constant,
    "steps": steps,
    "stress_surge": stress_surge,
    "infusion": infusion_pk,
    "brexanolone_60h": brexanolone_60h,
    "postpartum_withdrawal": postpartum_withdrawal,
    "cycle": cycle,
}
