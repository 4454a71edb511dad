"""Slow GABA-A receptor plasticity driven by the ALLO history, on the biological clock (hours).

Two states per region, each a first-order relaxation toward a steady state set by ALLO:

* ``delta``: δ-subunit expression relative to the ALLO-free level (1). Sustained high ALLO, as in
  late pregnancy, lowers it towards ``delta_min``; it recovers after ALLO falls (Maguire & Mody
  2008 Neuron 59:207). It scales the tonic (extrasynaptic δ) conductance: ``g_tonic ∝ delta``.
* ``alpha4``: the extra fraction of synaptic receptors that contain α4, which withdrawal from ALLO
  raises and which lack benzodiazepine sensitivity (Smith et al. 1998 Nature 392:926). Its steady
  state is ``alpha4_max`` x the withdrawal drive ``max(memory - x(C), 0)``, where
  ``x(C) = C / (C + alpha4_ec50)`` is the receptors' current exposure and ``memory`` the exposure
  they adapted to (a low-pass of ``x`` with ``tau_memory``): 0 at any constant ALLO level, up
  after a fall. A benzodiazepine's factor ``f`` becomes ``1 + (1 - alpha4) (f - 1)``.

Limitation: ``delta`` falls with ALLO at every level (pregnancy); the rise of δ in the
high-progesterone phase of the ovarian cycle (Maguire et al. 2005 Nat Neurosci 8:797) is not
produced.

Concentrations are held constant between the given times (zero-order hold); over each step the
update is the exact solution of the ODEs, so the result does not depend on the step except
through the hold. Pure numpy (and sympy-compatible for the fast-model couplings); units: time in
hours, concentrations in nM, states dimensionless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

#: Brian2 names of the region-indexed TimedArrays holding each state per sample (dimensionless).
STATE_ARRAYS: dict[str, str] = {"delta": "receptor_delta", "alpha4": "receptor_alpha4"}


@dataclass(frozen=True)
class PlasticityConstants:
    """Constants of the two receptor states (hours, nM, dimensionless); see :data:`SOURCES`."""

    delta_min: float = 0.5        # δ expression at saturating ALLO (ALLO-free = 1)
    delta_ec50_nM: float = 50.0   # ALLO giving half the maximal down-regulation
    tau_delta_down_h: float = 72.0  # down-regulation under high ALLO
    tau_delta_up_h: float = 24.0    # recovery after ALLO falls
    alpha4_max: float = 0.8       # α4 fraction at the strongest withdrawal
    alpha4_ec50_nM: float = 50.0  # exposure x(C) = C / (C + alpha4_ec50)
    tau_memory_h: float = 48.0    # time over which the receptors adapt to an ALLO level
    tau_alpha4_h: float = 12.0    # α4 expression following the withdrawal drive

    def __post_init__(self) -> None:
        for name in ("delta_ec50_nM", "tau_delta_down_h", "tau_delta_up_h", "alpha4_ec50_nM",
                     "tau_memory_h", "tau_alpha4_h"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} = {value!r}: must be finite and > 0")
        for name in ("delta_min", "alpha4_max"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} = {value!r}: must lie in [0, 1]")
        if self.tau_memory_h == self.tau_alpha4_h:
            raise ValueError(f"tau_memory_h = tau_alpha4_h = {self.tau_alpha4_h!r}: must differ "
                             f"(the exact step has a 1/(tau_memory - tau_alpha4) term)")


#: Where each constant comes from ([src] stated in the source, [est] estimate and its anchor).
SOURCES: dict[str, str] = {
    "delta_min": "[est] anchored to Maguire & Mody 2008 Neuron 59:207 (delta expression and tonic "
                 "current reduced in late pregnancy [src qualitative]; depth est)",
    "delta_ec50_nM": "[est] between basal brain ALLO (~10 nM) and late pregnancy (100-150 nM, "
                     "science.md section 1), so pregnancy levels down-regulate and basal ones "
                     "barely do",
    "tau_delta_down_h": "[est] down-regulation builds over the days of late pregnancy (Maguire & "
                        "Mody 2008 [src qualitative])",
    "tau_delta_up_h": "[est] anchored to Maguire & Mody 2008 (delta expression back towards "
                      "virgin levels within the first days postpartum [src qualitative])",
    "alpha4_max": "[est] anchored to Smith et al. 1998 Nature 392:926 (after withdrawal the "
                  "receptor becomes benzodiazepine-insensitive [src qualitative]; a large but "
                  "incomplete fraction)",
    "alpha4_ec50_nM": "[est] as delta_ec50_nM",
    "tau_memory_h": "[est] Smith et al. 1998 withdrew after days-to-weeks of exposure; an "
                    "adaptation over ~2 days",
    "tau_alpha4_h": "[est] Smith et al. 1998: alpha4 up and benzodiazepine insensitivity 24 h "
                    "after withdrawal [src qualitative]; tau half that",
}

DEFAULT = PlasticityConstants()


class ReceptorStates(NamedTuple):
    """The states at each time (arrays of the concentration's shape, dimensionless)."""

    delta: np.ndarray
    alpha4: np.ndarray
    memory: np.ndarray


# --------------------------------------------------------------------------------------------
# Steady states


def exposure(c_nM: Any, p: PlasticityConstants = DEFAULT) -> Any:
    """The receptors' exposure to ALLO at ``c_nM`` nM: ``C / (C + alpha4_ec50)`` in [0, 1)."""
    return c_nM / (c_nM + p.alpha4_ec50_nM)


def delta_steady_state(c_nM: Any, p: PlasticityConstants = DEFAULT) -> Any:
    """δ expression (ALLO-free = 1) that a constant ALLO ``c_nM`` (nM) sustains."""
    return 1 - (1 - p.delta_min) * c_nM / (c_nM + p.delta_ec50_nM)


def alpha4_steady_state(memory: Any, c_nM: Any, p: PlasticityConstants = DEFAULT) -> Any:
    """α4 fraction that the withdrawal drive ``max(memory - exposure(C), 0)`` sustains."""
    return p.alpha4_max * np.maximum(memory - exposure(c_nM, p), 0.0)


# --------------------------------------------------------------------------------------------
# Exact steps


def relax(state: Any, target: Any, tau_h: Any, dt_h: Any) -> Any:
    """First-order relaxation towards a constant ``target`` after ``dt_h`` hours (time constant
    ``tau_h`` hours), exactly: ``target + (state - target) exp(-dt / tau)``."""
    return target + (state - target) * np.exp(-dt_h / tau_h)


def _delta_step(delta: np.ndarray, c: np.ndarray, dt: float, p: PlasticityConstants
                ) -> np.ndarray:
    target = delta_steady_state(c, p)
    tau = np.where(target < delta, p.tau_delta_down_h, p.tau_delta_up_h)
    return relax(delta, target, tau, dt)


def _alpha4_step(alpha4: np.ndarray, memory: np.ndarray, c: np.ndarray, dt: float,
                 p: PlasticityConstants) -> np.ndarray:
    """α4 after ``dt`` hours at constant ALLO ``c``: the drive ``memory - x`` decays with
    ``tau_memory`` (it keeps its sign), so ``dalpha4/dt = (A w0 e^(-t/tau_m) - alpha4) / tau_a``
    has the closed form used here."""
    drive = alpha4_steady_state(memory, c, p)
    tm, ta = p.tau_memory_h, p.tau_alpha4_h
    return alpha4 * np.exp(-dt / ta) + drive * tm / (tm - ta) * (np.exp(-dt / tm)
                                                                  - np.exp(-dt / ta))


def integrate(t_h: np.ndarray, c_nM: np.ndarray, p: PlasticityConstants = DEFAULT
              ) -> ReceptorStates:
    """The states at times ``t_h`` (h, non-decreasing, shape (n,)) under concentrations ``c_nM``
    (nM, shape (n, ...), held from each time to the next), starting at the steady state of
    ``c_nM[0]``. Every trailing axis (e.g. regions) is integrated independently."""
    t = np.asarray(t_h, dtype=float)
    c = np.asarray(c_nM, dtype=float)
    if t.ndim != 1 or c.shape[:1] != t.shape:
        raise ValueError(f"t_h has shape {t.shape} and c_nM {c.shape}: need (n,) and (n, ...)")
    if np.any(np.diff(t) < 0) or not np.all(np.isfinite(t)):
        raise ValueError("t_h must be finite and non-decreasing")
    if not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError("c_nM must be finite and >= 0 nM")
    delta, alpha4, memory = np.empty_like(c), np.empty_like(c), np.empty_like(c)
    if len(t) == 0:
        return ReceptorStates(delta, alpha4, memory)
    delta[0], alpha4[0], memory[0] = delta_steady_state(c[0], p), 0.0, exposure(c[0], p)
    for k in range(1, len(t)):
        dt, held = t[k] - t[k - 1], c[k - 1]
        delta[k] = _delta_step(delta[k - 1], held, dt, p)
        alpha4[k] = _alpha4_step(alpha4[k - 1], memory[k - 1], held, dt, p)
        memory[k] = relax(memory[k - 1], exposure(held, p), p.tau_memory_h, dt)
    return ReceptorStates(delta, alpha4, memory)


def states_at_hours(concentration: Callable[[np.ndarray], np.ndarray], t_h: np.ndarray,
                    start_h: float, step_h: float, p: PlasticityConstants = DEFAULT
                    ) -> ReceptorStates:
    """The states at times ``t_h`` (h) under the schedule ``concentration`` (biological hours
    -> nM, vectorised; trailing axes such as regions allowed), sampled every ``step_h`` hours
    from ``start_h`` (where the states are at the steady state of its concentration) and at every
    time of ``t_h``."""
    if not (np.isfinite(step_h) and step_h > 0):
        raise ValueError(f"step_h = {step_h!r}: must be finite and > 0")
    query = np.asarray(t_h, dtype=float)
    if np.any(query < start_h):
        raise ValueError(f"times before start_h = {start_h!r} h: the history must start "
                         f"before the first session")
    end = float(query.max()) if query.size else start_h
    grid = np.union1d(np.arange(start_h, end, step_h), query.ravel())
    states = integrate(grid, concentration(grid), p)
    index = np.searchsorted(grid, query)
    return ReceptorStates(*(s[index] for s in states))


# --------------------------------------------------------------------------------------------
# Effects on the fast model (also called on sympy symbols to write the Brian2 code)


def tonic_scale(delta: Any) -> Any:
    """Factor on the tonic conductance from δ expression ``delta`` (1 at the ALLO-free level):
    tonic current is carried by δ-containing receptors, so it scales with their number."""
    return delta


def insensitive_mix(factor: Any, fraction: Any) -> Any:
    """A modulator's factor on a receptor population of which ``fraction`` is insensitive to it
    (factor 1 there): ``1 + (1 - fraction) (factor - 1)``. Used for benzodiazepine factors with
    the α4 fraction."""
    return 1 + (1 - fraction) * (factor - 1)


__all__ = ["DEFAULT", "SOURCES", "STATE_ARRAYS", "PlasticityConstants", "ReceptorStates",
           "alpha4_steady_state", "delta_steady_state", "exposure", "insensitive_mix",
           "integrate", "relax", "states_at_hours", "tonic_scale"]
