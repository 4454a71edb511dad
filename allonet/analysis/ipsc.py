"""IPSC kinetics: peak, 10-90% rise time and the exponential decay constant of a single event.

Times in seconds, currents in ampere; the trace must be a single IPSC with its baseline before
``onset``. The sign is irrelevant (the deflection from baseline is analysed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IpscKinetics:
    """Kinetics of one IPSC (SI units: A, s)."""

    peak: float          # peak deflection from baseline (A), positive
    t_peak: float        # time of the peak (s)
    rise_10_90: float    # 10-90% rise time (s)
    tau_decay: float     # fitted exponential decay constant (s)
    fit_r2: float        # goodness of the tail fit


def ipsc_kinetics(t: np.ndarray, current: np.ndarray, onset: float,
                  tail_floor: float = 0.02) -> IpscKinetics:
    """Measure one IPSC: peak, 10-90% rise, and a single-exponential fit of the tail.

    The tail runs from the peak until the deflection first falls below ``tail_floor`` x peak
    (or the end of the trace).
    """
    t = np.asarray(t, dtype=float)
    current = np.asarray(current, dtype=float)
    before = t < onset
    baseline = float(np.mean(current[before])) if before.any() else 0.0
    deflection = current - baseline
    if np.abs(deflection.max()) < np.abs(deflection.min()):
        deflection = -deflection
    i_peak = int(np.argmax(deflection))
    peak = float(deflection[i_peak])
    if peak <= 0:
        raise ValueError("no IPSC in the trace")
    rise = _crossing(t, deflection, 0.9 * peak, i_peak) - _crossing(t, deflection, 0.1 * peak,
                                                                      i_peak)
    tau, r2 = _fit_tail(t[i_peak:], deflection[i_peak:], tail_floor * peak)
    return IpscKinetics(peak, float(t[i_peak]), rise, tau, r2)


def _crossing(t: np.ndarray, y: np.ndarray, level: float, stop: int) -> float:
    """First time before index ``stop`` at which ``y`` rises through ``level`` (interpolated)."""
    above = np.nonzero(y[: stop + 1] >= level)[0]
    i = int(above[0])
    if i == 0:
        return float(t[0])
    return float(t[i - 1] + (level - y[i - 1]) * (t[i] - t[i - 1]) / (y[i] - y[i - 1]))


def _fit_tail(t: np.ndarray, y: np.ndarray, floor: float) -> tuple[float, float]:
    below = np.nonzero(y < floor)[0]
    end = int(below[0]) if below.size else len(y)
    if end < 5:
        raise ValueError("IPSC tail too short to fit")
    t_tail, y_tail = t[:end] - t[0], y[:end]
    slope, intercept = np.polyfit(t_tail, np.log(y_tail), 1)
    guess = (float(np.exp(intercept)), -1.0 / slope if slope < 0 else t_tail[-1])
    from scipy.optimize import curve_fit  # 0.5 s to import: only when a fit is made

    (amplitude, tau), _ = curve_fit(lambda s, a, k: a * np.exp(-s / k), t_tail, y_tail, p0=guess,
                                    maxfev=5000)
    fitted = amplitude * np.exp(-t_tail / tau)
    residual = np.sum((y_tail - fitted) ** 2)
    total = np.sum((y_tail - y_tail.mean()) ** 2)
    return float(tau), float(1.0 - residual / total)
