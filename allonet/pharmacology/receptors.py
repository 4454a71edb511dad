"""ALLO and benzodiazepine effects on GABA-A receptors, as pure functions (no Brian2).

Concentrations are bath-equivalent (slice) concentrations in nM. Every effect is a dimensionless
factor built on :func:`hill_factor`, which works unchanged on Python floats, numpy arrays and sympy
symbols. :func:`brian_expression` calls it on sympy symbols to produce the text of the model's
Brian2 equations, so the simulated formula is the one these functions (and their tests) define.

Sources and tags ([src] stated in the source, [fit] fitted to sourced points, [est] estimate) follow
``science.md`` section 1.
"""

from __future__ import annotations

import keyword
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Number
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import sympy

# --------------------------------------------------------------------------------------------
# The curve


def hill_factor(c: Any, emax: Any, ec50: Any, n: Any) -> Any:
    """``1 + (emax - 1) * c**n / (c**n + ec50**n)``: 1 at ``c = 0``, ``emax`` at saturation.

    ``c`` and ``ec50`` share one concentration unit (nM here); the result is dimensionless. Plain
    operators only, so it works on floats, numpy arrays and sympy symbols alike.
    """
    return 1 + (emax - 1) * c**n / (c**n + ec50**n)


def _is_sympy(value: Any) -> bool:
    """Whether ``value`` is a sympy object (sympy, 0.3 s to import, is imported only to write
    model code: a value cannot be sympy's before)."""
    sympy = sys.modules.get("sympy")
    return sympy is not None and isinstance(value, sympy.Basic)


def _is_numeric(value: Any) -> bool:
    """True for numbers, numpy arrays and sequences of numbers; False for sympy expressions."""
    if _is_sympy(value):
        return False
    return isinstance(value, Number | np.ndarray | np.generic | list | tuple)


def _check_concentration(c_nM: Any, name: str = "c_nM") -> Any:
    """Numeric input as a float array (ValueError unless finite and ≥ 0); symbols pass through."""
    if not _is_numeric(c_nM):
        return c_nM
    values = np.asarray(c_nM, dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"concentration {name} = {c_nM!r}: must be finite and ≥ 0 nM")
    return values


def _as_output(result: Any) -> Any:
    """A 0-d array becomes a Python float; arrays and sympy expressions are returned as they are."""
    if isinstance(result, np.ndarray | np.generic) and np.ndim(result) == 0:
        return float(result)
    return result


def _ones_like(c_nM: Any) -> Any:
    """1 with the shape of ``c_nM``: float or float array for numbers, sympy 1 for symbols."""
    if _is_numeric(c_nM):
        return _as_output(np.ones_like(np.asarray(c_nM, dtype=float)))
    import sympy

    return sympy.Integer(1)


def _check_curve(name: str, emax: float, ec50_nM: float, hill: float = 1.0) -> None:
    """ValueError unless the Hill-curve parameters of profile ``name`` are usable."""
    for label, value in (("emax", emax), ("ec50_nM", ec50_nM), ("hill", hill)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"profile {name!r}: {label} = {value!r}: must be finite and > 0")


def _lookup[P](profile: str | P, table: Mapping[str, P], kind: type, what: str) -> P:
    """``profile`` itself if it is a ``kind``, else ``table[profile]``; KeyError lists names."""
    if isinstance(profile, kind):
        return profile
    try:
        return table[profile]  # type: ignore[index]
    except (KeyError, TypeError):
        allowed = ", ".join(repr(name) for name in table)
        raise KeyError(f"unknown {what} {profile!r}; allowed: {allowed}") from None


# --------------------------------------------------------------------------------------------
# Phasic (synaptic, γ2-containing) receptors: decay time constant


@dataclass(frozen=True)
class SensitivityProfile:
    """ALLO sensitivity of the decay of synaptic (phasic, γ2) GABA-A currents.

    ``tau_decay(C) = tau0 * hill_factor(C, emax, ec50_nM, hill)`` with ``C`` in nM.
    """

    name: str
    emax: float     # decay factor at saturation (dimensionless)
    ec50_nM: float  # half-maximal concentration (nM)
    hill: float     # Hill coefficient (dimensionless)
    source: str

    def __post_init__(self) -> None:
        _check_curve(self.name, self.emax, self.ec50_nM, self.hill)


PROFILES: dict[str, SensitivityProfile] = {
    p.name: p
    for p in (
        SensitivityProfile(
            "default", 4.0, 300.0, 1.2,
            "[fit] to Cooper, Johnston & Edwards 1999 J Physiol 521:437 (THDOC, close analogue): "
            "decay 1.25-1.5x at 50-100 nM, ~4x at 2 uM; amplitude and rise unchanged [src]",
        ),
        SensitivityProfile(
            "CA1", 4.0, 170.0, 1.2,
            "CA1 pyramidal: prolonged IPSCs from low nM [src qualitative: Belelli & Herd 2003 "
            "J Neurosci 23:10013]; EC50 ~150-200 nM [fit est]; Emax and n as default [est]",
        ),
        SensitivityProfile(
            "DG", 4.0, 600.0, 1.2,
            "adult dentate granule cells: weak at <= 100 nM [src: Cooper et al. 1999; Belelli & "
            "Herd 2003 (local 3alpha-HSOR breaks ALLO down)]; EC50 ~600 nM [est]",
        ),
        SensitivityProfile(
            "BLA", 4.0, 300.0, 1.2,
            "BLA principal cells: no direct data, default curve [est]",
        ),
        SensitivityProfile(
            "insensitive", 1.0, 300.0, 1.2,
            "PKC-high state (e.g. postpartum SON): ALLO-insensitive, Emax 1 [src: Koksma et al. "
            "2003 J Neurosci]",
        ),
    )
}


def get_profile(name: str | SensitivityProfile) -> SensitivityProfile:
    """The phasic sensitivity profile called ``name`` (a profile is returned as it is).

    Raises KeyError listing the allowed names.
    """
    return _lookup(name, PROFILES, SensitivityProfile, "sensitivity profile")


def decay_factor(c_nM: Any, profile: str | SensitivityProfile = "default") -> Any:
    """Factor (≥ 1, dimensionless) multiplying the phasic GABA-A decay time at ALLO ``c_nM`` nM."""
    p = get_profile(profile)
    return _as_output(hill_factor(_check_concentration(c_nM), p.emax, p.ec50_nM, p.hill))


# --------------------------------------------------------------------------------------------
# Tonic (extrasynaptic, δ-containing) receptors: conductance


@dataclass(frozen=True)
class TonicProfile:
    """ALLO sensitivity of the tonic (extrasynaptic δ) conductance: a Hill curve with n = 1.

    ``g_tonic(C) = g0 * hill_factor(C, emax, ec50_nM, 1)`` with ``C`` in nM.
    """

    name: str
    emax: float     # tonic conductance factor at saturation (dimensionless)
    ec50_nM: float  # half-maximal concentration (nM)
    source: str

    def __post_init__(self) -> None:
        _check_curve(self.name, self.emax, self.ec50_nM)


TONIC_PROFILES: dict[str, TonicProfile] = {
    p.name: p
    for p in (
        TonicProfile(
            "default", 3.0, 21.0,
            "EC50 21 nM [src anchor: potentiation EC50 in adult dentate granule cells, "
            "Mtchedlishvili et al., PMC2895320]; Et 3 [est]; tonic more sensitive than phasic "
            "[src: Stell et al. 2003 PNAS 100:14439; Carver & Reddy 2013 Psychopharmacology "
            "230:151]",
        ),
        TonicProfile(
            "insensitive", 1.0, 21.0,
            "no tonic modulation (Et 1), e.g. cells without delta subunits [est]",
        ),
    )
}


def get_tonic_profile(name: str | TonicProfile) -> TonicProfile:
    """The tonic profile called ``name`` (a profile is returned as it is); KeyError lists names."""
    return _lookup(name, TONIC_PROFILES, TonicProfile, "tonic profile")


def tonic_factor(c_nM: Any, profile: str | TonicProfile = "default") -> Any:
    """Tonic conductance relative to its ALLO-free value (≥ 1, dimensionless) at ``c_nM`` nM."""
    p = get_tonic_profile(profile)
    return _as_output(hill_factor(_check_concentration(c_nM), p.emax, p.ec50_nM, 1))


def tonic_conductance(c_nM: Any, g0: Any, profile: str | TonicProfile = "default") -> Any:
    """Tonic GABA-A conductance at ALLO ``c_nM`` nM, in the units of ``g0`` (ALLO-free value)."""
    return g0 * tonic_factor(c_nM, profile)


# --------------------------------------------------------------------------------------------
# Presynaptic glutamate release (not a GABA-A effect)


@dataclass(frozen=True)
class ReleaseProfile:
    """ALLO's presynaptic inhibition of evoked glutamate release: the fraction of a spike's
    release that remains, ``hill_factor(C, emax, ec50_nM, hill)`` with ``C`` in nM (1 without
    ALLO, ``emax`` < 1 at saturation)."""

    emax: float     # release factor at saturation (dimensionless, 0 < emax <= 1)
    ec50_nM: float  # half-maximal concentration (nM)
    hill: float
    source: str

    def __post_init__(self) -> None:
        if not 0 < self.emax <= 1 or self.ec50_nM <= 0 or self.hill <= 0:
            raise ValueError(f"release profile: emax {self.emax} must be in (0, 1], ec50 "
                             f"{self.ec50_nM} nM and hill {self.hill} > 0")


#: The default release curve. Hu et al. 2007 (Neuropsychopharmacology 32:1477; rat mPFC slices)
#: give the direction and the locus: evoked EPSCs fall with paired-pulse facilitation up and
#: mEPSC frequency unchanged, through L-type Ca2+ channels, and not in striatum. They give no
#: concentration-response that we could use, so all three numbers are estimates.
PRESYNAPTIC_RELEASE = ReleaseProfile(
    emax=0.5, ec50_nM=1000.0, hill=1.0,
    source="Hu et al. 2007 [src: direction, presynaptic locus]; emax 0.5 [est]; EC50 1 uM [est: "
           "above the 10-300 nM of ALLO's GABA-A actions, so release falls only at pregnancy or "
           "infusion levels]; hill 1 [est]")


def release_factor(c_nM: Any, profile: ReleaseProfile = PRESYNAPTIC_RELEASE) -> Any:
    """Evoked glutamate release relative to its ALLO-free value (<= 1, dimensionless) at
    ``c_nM`` nM."""
    return _as_output(hill_factor(_check_concentration(c_nM), profile.emax, profile.ec50_nM,
                                  profile.hill))


# --------------------------------------------------------------------------------------------
# Benzodiazepine-site modulators, for contrast


@dataclass(frozen=True)
class BenzodiazepineProfile:
    """A benzodiazepine-site modulator: γ2 synapses only, modest ceiling, no tonic (δ) effect.

    Decay and peak conductance of phasic currents each follow ``hill_factor`` in ``C`` (nM).
    """

    name: str
    decay_emax: float      # decay factor at saturation (dimensionless)
    amplitude_emax: float  # peak-conductance factor at saturation (dimensionless)
    ec50_nM: float         # half-maximal concentration (nM)
    hill: float            # Hill coefficient (dimensionless)
    source: str

    def __post_init__(self) -> None:
        _check_curve(self.name, self.decay_emax, self.ec50_nM, self.hill)
        _check_curve(self.name, self.amplitude_emax, self.ec50_nM, self.hill)


BENZODIAZEPINES: dict[str, BenzodiazepineProfile] = {
    "diazepam": BenzodiazepineProfile(
        "diazepam", 1.6, 1.3, 60.0, 1.0,
        "magnitudes [est]: decay ceiling 1.6x, amplitude 1.3x, EC50 60 nM, n 1; raises IPSC "
        "amplitude and decay modestly with a lower efficacy ceiling than neurosteroids, on "
        "gamma2 synapses only, not on delta (tonic) receptors [src qualitative: Geracitano "
        "2012; Althaus 2020]",
    ),
}


def get_benzodiazepine(name: str | BenzodiazepineProfile) -> BenzodiazepineProfile:
    """The benzodiazepine profile called ``name``; KeyError lists the allowed names."""
    return _lookup(name, BENZODIAZEPINES, BenzodiazepineProfile, "benzodiazepine")


def bz_decay_factor(c_nM: Any, profile: str | BenzodiazepineProfile = "diazepam") -> Any:
    """Phasic GABA-A decay-time factor (≥ 1) at benzodiazepine ``c_nM`` nM."""
    p = get_benzodiazepine(profile)
    return _as_output(hill_factor(_check_concentration(c_nM), p.decay_emax, p.ec50_nM, p.hill))


def bz_amplitude_factor(c_nM: Any, profile: str | BenzodiazepineProfile = "diazepam") -> Any:
    """Phasic GABA-A peak-conductance factor (≥ 1) at benzodiazepine ``c_nM`` nM."""
    p = get_benzodiazepine(profile)
    return _as_output(
        hill_factor(_check_concentration(c_nM), p.amplitude_emax, p.ec50_nM, p.hill))


def bz_tonic_factor(c_nM: Any, profile: str | BenzodiazepineProfile = "diazepam") -> Any:
    """Tonic-conductance factor of a benzodiazepine: always 1.

    δ-containing extrasynaptic receptors lack the benzodiazepine site (science.md §1; in BLA
    benzodiazepines do not reproduce ALLO's δ-mediated theta effect, Antonoudiou et al. 2022).
    """
    get_benzodiazepine(profile)
    return _ones_like(_check_concentration(c_nM))


# --------------------------------------------------------------------------------------------
# Brian2 expression text from the same functions

#: Functions whose sympy ``str()`` is also a Brian2 (and C) function name.
_BRIAN_FUNCTIONS = frozenset({"exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh"})


def _symbol_or_number(arg: str, text: str) -> sympy.Expr:
    """A sympy number if ``text`` is numeric, else a real non-negative symbol named ``text``."""
    import sympy

    try:
        number = float(text)
    except ValueError:
        if not text.isidentifier() or keyword.iskeyword(text):
            raise ValueError(f"{arg} = {text!r}: must be a variable name or a number") from None
        return sympy.Symbol(text, real=True, nonnegative=True)
    return sympy.Integer(int(number)) if number.is_integer() else sympy.Float(number)


def _check_brian_compatible(expr: sympy.Expr) -> None:
    """ValueError if ``expr`` contains a function or constant that Brian2 would not parse."""
    import sympy
    from sympy.core.function import Application

    # sympy constants whose ``str()`` Brian2 would not understand (``pi`` it knows)
    forbidden = (sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.I, sympy.E)
    unknown = {type(f).__name__ for f in expr.atoms(Application)} - _BRIAN_FUNCTIONS
    if unknown or expr.has(*forbidden):
        bad = sorted(unknown) or [str(a) for a in forbidden if expr.has(a)]
        raise ValueError(f"expression {expr} uses {bad}: not available in Brian2 equations")


def brian_expression(func: Callable[..., Any], **symbol_names: str) -> str:
    """Brian2/C expression text obtained by calling ``func`` on sympy symbols.

    ``symbol_names`` maps each argument of ``func`` to a model variable name, or to a number
    written as text (e.g. ``n="1"``). Example::

        brian_expression(hill_factor, c="allo_C", emax="gaba_emax", ec50="gaba_ec50",
                         n="gaba_hill")
        # 'allo_C**gaba_hill*(gaba_emax - 1)/(allo_C**gaba_hill + gaba_ec50**gaba_hill) + 1'

    Non-integer rationals become decimals (no integer division in generated C code); functions
    and constants that Brian2 does not know raise ValueError.
    """
    import sympy

    args = {arg: _symbol_or_number(arg, text) for arg, text in symbol_names.items()}
    expr = sympy.sympify(func(**args))
    rationals = {r: sympy.Float(r) for r in expr.atoms(sympy.Rational) if not r.is_Integer}
    expr = expr.xreplace(rationals)
    _check_brian_compatible(expr)
    return str(expr)
