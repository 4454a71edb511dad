"""ALLO and benzodiazepine effects on GABA-A receptors, as pure functions (no Brian2).

Concentrations are bath-equivalent nM. Every function works on floats and numpy arrays, and
:func:`hill_factor` also on sympy symbols, which is how the model's Brian2 expressions are
generated from the same code that the tests check (:func:`brian_expression`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Number

import numpy as np
import sympy


def hill_factor(c, emax, ec50, n):
    """``1 + (emax - 1) * c**n / (c**n + ec50**n)``: 1 at c = 0, emax at saturation.

    Plain operators only, so that it also builds sympy expressions.
    """
    return 1 + (emax - 1) * c**n / (c**n + ec50**n)


def _check_concentration(c_nM):
    if isinstance(c_nM, Number | np.ndarray | list | tuple):
        values = np.asarray(c_nM, dtype=float)
        if np.any(values < 0) or np.any(np.isnan(values)):
            raise ValueError(f"concentration must be ≥ 0 nM, got {c_nM!r}")
        return values
    return c_nM


@dataclass(frozen=True)
class SensitivityProfile:
    """ALLO sensitivity of synaptic (phasic, γ2) GABA-A decay: Hill curve of the decay factor."""

    name: str
    emax: float       # decay factor at saturation
    ec50_nM: float    # half-maximal concentration (nM)
    hill: float       # Hill coefficient
    source: str


PROFILES: dict[str, SensitivityProfile] = {
    p.name: p
    for p in (
        SensitivityProfile(
            "default", 4.0, 300.0, 1.2,
            "[fit] to Cooper, Johnston & Edwards 1999 J Physiol 521:437 (THDOC): 1.25-1.5x at "
            "50-100 nM, ~4x at 2 uM",
        ),
        SensitivityProfile(
            "CA1", 4.0, 170.0, 1.2,
            "[src qualitative] Belelli & Herd 2003 J Neurosci 23:10013: CA1 pyramidal IPSCs "
            "prolonged from low nM; EC50 ~150-200 nM [fit est]",
        ),
        SensitivityProfile(
            "DG", 4.0, 600.0, 1.2,
            "[src] Cooper et al. 1999 (no effect <= 100 nM in dentate granule cells); Belelli & "
            "Herd 2003 (local 3alpha-HSOR metabolism); EC50 ~600 nM [est]",
        ),
        SensitivityProfile(
            "BLA", 4.0, 300.0, 1.2,
            "[est] no direct data for BLA principal cells; default curve",
        ),
        SensitivityProfile(
            "insensitive", 1.0, 300.0, 1.2,
            "[src] Koksma et al. 2003 J Neurosci: PKC-high state (postpartum SON) insensitive",
        ),
    )
}


def get_profile(profile: str | SensitivityProfile) -> SensitivityProfile:
    """A profile by name (or the profile itself); KeyError lists the allowed names."""
    if isinstance(profile, SensitivityProfile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise KeyError(f"unknown profile {profile!r}; allowed: {', '.join(PROFILES)}") from None


def decay_factor(c_nM, profile: str | SensitivityProfile = "default"):
    """Factor multiplying the GABA-A decay time constant at ALLO ``c_nM`` (nM)."""
    p = get_profile(profile)
    return hill_factor(_check_concentration(c_nM), p.emax, p.ec50_nM, p.hill)


@dataclass(frozen=True)
class TonicProfile:
    """ALLO sensitivity of tonic (extrasynaptic δ) conductance: Hill-1 curve of g_tonic/g0."""

    name: str
    emax: float
    ec50_nM: float
    source: str


TONIC_PROFILES: dict[str, TonicProfile] = {
    p.name: p
    for p in (
        TonicProfile(
            "default", 3.0, 21.0,
            "EC50 [src anchor] 21 nM potentiation in adult dentate granule cells "
            "(Mtchedlishvili et al., PMC2895320); Et = 3 [est]; more sensitive than phasic "
            "(Stell et al. 2003 PNAS 100:14439; Carver & Reddy 2013)",
        ),
        TonicProfile("insensitive", 1.0, 21.0, "no tonic modulation"),
    )
}


def tonic_factor(c_nM, profile: str = "default"):
    """Tonic conductance relative to its ALLO-free value at ``c_nM`` (nM)."""
    p = TONIC_PROFILES[profile]
    return hill_factor(_check_concentration(c_nM), p.emax, p.ec50_nM, 1)


def tonic_conductance(c_nM, g0, profile: str = "default"):
    """Tonic GABA-A conductance (units of ``g0``) at ALLO ``c_nM`` (nM)."""
    return g0 * tonic_factor(c_nM, profile)


@dataclass(frozen=True)
class BenzodiazepineProfile:
    """A benzodiazepine-site modulator: γ2 synapses only, modest ceiling, no tonic effect."""

    name: str
    decay_emax: float
    amplitude_emax: float
    ec50_nM: float
    hill: float
    source: str


BENZODIAZEPINES: dict[str, BenzodiazepineProfile] = {
    "diazepam": BenzodiazepineProfile(
        "diazepam", 1.6, 1.3, 60.0, 1.0,
        "[est] magnitudes; [src qualitative] Geracitano 2012, Althaus 2020: raises IPSC "
        "amplitude and decay modestly, lower efficacy ceiling than neurosteroids; acts on "
        "gamma2 synapses, not on delta (tonic) receptors",
    ),
}


def bz_decay_factor(c_nM, profile: str = "diazepam"):
    """Decay-time factor of γ2 synaptic GABA-A receptors at benzodiazepine ``c_nM`` (nM)."""
    p = BENZODIAZEPINES[profile]
    return hill_factor(_check_concentration(c_nM), p.decay_emax, p.ec50_nM, p.hill)


def bz_amplitude_factor(c_nM, profile: str = "diazepam"):
    """Peak-conductance factor of γ2 synaptic GABA-A receptors at ``c_nM`` (nM)."""
    p = BENZODIAZEPINES[profile]
    return hill_factor(_check_concentration(c_nM), p.amplitude_emax, p.ec50_nM, p.hill)


def bz_tonic_factor(c_nM, profile: str = "diazepam"):
    """Tonic factor of a benzodiazepine: 1 (δ-containing receptors are BZ-insensitive)."""
    BENZODIAZEPINES[profile]
    return np.ones_like(np.asarray(_check_concentration(c_nM), dtype=float))


def brian_expression(func: Callable, **names: str) -> str:
    """Expression text for Brian2 obtained by calling ``func`` on sympy symbols.

    ``names`` maps each argument of ``func`` to a variable name, or to a number written as text.
    Example: ``brian_expression(hill_factor, c="allo_C", emax="allo_emax", ec50="allo_ec50",
    n="allo_hill")``.
    """
    args = {}
    for arg, name in names.items():
        try:
            args[arg] = sympy.Integer(int(name)) if name.isdigit() else sympy.Float(float(name))
        except ValueError:
            args[arg] = sympy.Symbol(name, real=True, nonnegative=True)
    return str(func(**args))
