"""Concentration schedules on a biological clock: time in hours, concentration in nM.

Every function is vectorised over ``t_h`` and returns a float array of its shape, never negative.
Bad arguments raise ValueError naming the argument, its value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: Molar mass of allopregnanolone (C21H34O2), g/mol.
ALLO_MOLAR_MASS = 318.5


def _require(condition: bool, name: str, value: object, allowed: str) -> None:
    if not condition:
        raise ValueError(f"{name} = {value!r}: {allowed}")


def _nonneg(name: str, value: float) -> None:
    _require(value >= 0, name, value, "must be ≥ 0")


def _positive(name: str, value: float) -> None:
    _require(value > 0, name, value, "must be > 0")


def _times(t_h) -> np.ndarray:
    return np.asarray(t_h, dtype=float)


def constant(t_h, c_nM: float) -> np.ndarray:
    """``c_nM`` at every time."""
    _nonneg("c_nM", c_nM)
    return np.full(np.shape(t_h), float(c_nM))


def steps(t_h, times_h: Sequence[float], values_nM: Sequence[float],
          initial_nM: float) -> np.ndarray:
    """``initial_nM`` until ``times_h[0]``, then ``values_nM[k]`` from ``times_h[k]`` on."""
    _nonneg("initial_nM", initial_nM)
    _require(len(times_h) == len(values_nM), "times_h", list(times_h),
             f"needs as many entries as values_nM ({len(values_nM)})")
    _require(bool(np.all(np.diff(times_h) > 0)), "times_h", list(times_h),
             "must be strictly increasing")
    for value in values_nM:
        _nonneg("values_nM", value)
    levels = np.concatenate([[initial_nM], np.asarray(values_nM, dtype=float)])
    return levels[np.searchsorted(np.asarray(times_h, dtype=float), _times(t_h), side="right")]


def stress_surge(t_h, baseline_nM: float, peak_fold: float, onset_h: float = 0.0,
                 tau_rise_h: float = 0.05, tau_clear_h: float = 25 / 60) -> np.ndarray:
    """Baseline plus a surge that peaks at ``peak_fold`` x baseline and clears.

    The surge is a difference of exponentials (rise ``tau_rise_h``, clearance ``tau_clear_h``)
    normalised to its peak. Defaults [fit]: tau_rise 3 min, tau_clear 25 min put the peak at
    ~7 min (Purdy et al. 1991: brain ALLO up 4-20x within 5 min of swim stress) and the level
    within 10% of baseline by 2 h (Barbaccia et al. 1996: baseline by 120 min).
    """
    _nonneg("baseline_nM", baseline_nM)
    _require(peak_fold >= 1, "peak_fold", peak_fold, "must be ≥ 1")
    _positive("tau_rise_h", tau_rise_h)
    _positive("tau_clear_h", tau_clear_h)
    _require(tau_rise_h != tau_clear_h, "tau_rise_h", tau_rise_h, "must differ from tau_clear_h")
    since = np.clip(_times(t_h) - onset_h, 0.0, None)
    t_peak = tau_rise_h * tau_clear_h / (tau_clear_h - tau_rise_h) * np.log(
        tau_clear_h / tau_rise_h)
    peak_shape = np.exp(-t_peak / tau_clear_h) - np.exp(-t_peak / tau_rise_h)
    shape = (np.exp(-since / tau_clear_h) - np.exp(-since / tau_rise_h)) / peak_shape
    return baseline_nM * (1.0 + (peak_fold - 1.0) * np.clip(shape, 0.0, None))


def infusion_pk(t_h, rate_steps: Sequence[tuple[float, float]], half_life_h: float,
                clearance_L_per_h_per_kg: float, molar_mass_g_per_mol: float = ALLO_MOLAR_MASS,
                brain_plasma_ratio: float = 1.0) -> np.ndarray:
    """One-compartment pharmacokinetics of an intravenous infusion, solved exactly.

    ``rate_steps``: (start_h, rate in µg/kg/h), each rate holding until the next step (add a step
    to 0 to stop). dA/dt = R(t) - k A with k = ln2/t½ and V = CL/k per kg; plasma concentration
    A/V in µg/L is converted to nM, then scaled by ``brain_plasma_ratio``.
    """
    _positive("half_life_h", half_life_h)
    _positive("clearance_L_per_h_per_kg", clearance_L_per_h_per_kg)
    _positive("brain_plasma_ratio", brain_plasma_ratio)
    starts = np.array([s for s, _ in rate_steps], dtype=float)
    rates = np.array([r for _, r in rate_steps], dtype=float)
    _require(len(starts) > 0, "rate_steps", list(rate_steps), "needs at least one step")
    _require(bool(np.all(np.diff(starts) > 0)), "rate_steps", list(rate_steps),
             "start times must be strictly increasing")
    _require(bool(np.all(rates >= 0)), "rate_steps", list(rate_steps), "rates must be ≥ 0")
    k = np.log(2) / half_life_h
    volume = clearance_L_per_h_per_kg / k  # L/kg
    t = _times(t_h)
    amount = np.zeros_like(t)  # µg/kg in the body at each t
    for start, end, rate in zip(starts, np.append(starts[1:], np.inf), rates, strict=True):
        # contribution of this segment's infusion, exact solution of dA/dt = R - kA
        active = np.clip(np.minimum(t, end) - start, 0.0, None)
        after = np.clip(t - end, 0.0, None)
        amount += rate / k * (1 - np.exp(-k * active)) * np.exp(-k * after)
    plasma_ug_per_L = amount / volume
    return plasma_ug_per_L * 1e3 / molar_mass_g_per_mol * brain_plasma_ratio


@dataclass(frozen=True)
class InfusionPreset:
    """A named infusion protocol and the pharmacokinetic constants that reproduce it."""

    rate_steps: tuple[tuple[float, float], ...]
    half_life_h: float
    clearance_L_per_h_per_kg: float
    source: str


BREXANOLONE_60H = InfusionPreset(
    rate_steps=((0.0, 30.0), (4.0, 60.0), (24.0, 90.0), (52.0, 60.0), (56.0, 30.0), (60.0, 0.0)),
    half_life_h=2.0,
    clearance_L_per_h_per_kg=1.0,
    source="Protocol and targets: Wald et al. 2022 Clin Pharmacokinet 61:1307 (60-h infusion "
           "30-60-90-60-30 ug/kg/h; plasma Cavg 222 nM, Cmax 282 nM; terminal t1/2 9-11 h). "
           "CL 1.0 L/h/kg and V ~3 L/kg (ZULRESSO label) give a one-compartment half-life of "
           "2.0 h [fit]: Cavg(0-60 h) 214 nM (-4%), Cmax 283 nM. A one-compartment model cannot "
           "also carry the 9-11 h terminal phase (slow redistribution), so the post-infusion "
           "tail falls faster than measured.",
)


def brexanolone_60h(t_h, brain_plasma_ratio: float = 1.0) -> np.ndarray:
    """Plasma-derived ALLO (nM) during and after the 60-h brexanolone infusion from t = 0."""
    p = BREXANOLONE_60H
    return infusion_pk(t_h, p.rate_steps, p.half_life_h, p.clearance_L_per_h_per_kg,
                       brain_plasma_ratio=brain_plasma_ratio)


def postpartum_withdrawal(t_h, pregnancy_nM: float, baseline_nM: float, delivery_h: float = 0.0,
                          tau_drop_h: float = 12.0) -> np.ndarray:
    """Late-pregnancy level until delivery, then an exponential fall to baseline.

    Magnitudes [est]; the abrupt drop within hours-days after delivery is qualitative
    (science.md §1).
    """
    _nonneg("pregnancy_nM", pregnancy_nM)
    _nonneg("baseline_nM", baseline_nM)
    _positive("tau_drop_h", tau_drop_h)
    since = np.clip(_times(t_h) - delivery_h, 0.0, None)
    return baseline_nM + (pregnancy_nM - baseline_nM) * np.exp(-since / tau_drop_h)


def cycle(t_h, low_nM: float, high_nM: float, period_h: float = 24 * 28,
          luteal_start_frac: float = 0.5, tau_h: float = 24.0) -> np.ndarray:
    """Ovarian-cycle-like pattern: ``low_nM`` in the follicular phase, ``high_nM`` in the luteal
    phase (from ``luteal_start_frac`` of the period to its end), with logistic transitions of
    width ``tau_h``. Several-fold luteal rise: Genazzani et al. 1998 [src qualitative; est]."""
    _nonneg("low_nM", low_nM)
    _nonneg("high_nM", high_nM)
    _positive("period_h", period_h)
    _require(0 < luteal_start_frac < 1, "luteal_start_frac", luteal_start_frac, "must be in (0, 1)")
    _positive("tau_h", tau_h)
    t = _times(t_h)
    cycle_index = np.floor(t / period_h)
    luteal = np.zeros_like(t)
    for shift in (-1.0, 0.0, 1.0):
        begin = (cycle_index + shift + luteal_start_frac) * period_h
        end = (cycle_index + shift + 1.0) * period_h
        luteal += _logistic((t - begin) / tau_h) - _logistic((t - end) / tau_h)
    return low_nM + (high_nM - low_nM) * np.clip(luteal, 0.0, 1.0)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


SCHEDULE_FUNCTIONS: dict[str, Callable[..., np.ndarray]] = {
    "constant": constant,
    "steps": steps,
    "stress_surge": stress_surge,
    "infusion": infusion_pk,
    "brexanolone_60h": brexanolone_60h,
    "postpartum_withdrawal": postpartum_withdrawal,
    "cycle": cycle,
}
