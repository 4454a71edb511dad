"""Parse quantities written as text ("10 ms", "0.5 nS", "100 nM", "5 Hz") into Brian2 quantities.

Concentrations are kept as plain floats in nM throughout allonet (see :func:`to_nM`), because Hill
terms raise them to non-integer powers, which dimensioned quantities cannot do.
"""

from __future__ import annotations

import difflib
import functools
import re

import brian2 as b2
from brian2.units.fundamentalunits import DimensionMismatchError, get_dimensions

#: Clock units Brian2 does not define (protocols span hours and days).
_CLOCK_UNITS: dict[str, b2.Quantity] = {
    "min": 60 * b2.second, "h": 3600 * b2.second, "day": 86400 * b2.second,
    "d": 86400 * b2.second,
}
#: Shown when a unit is unknown and nothing known is close to it.
_EXAMPLES = "ms, mV, nS, pA, pF, Mohm, Hz, nM, min, h"
#: ``<number> <unit>``: the one pattern of a quantity written as text (the unit may be absent).
_PATTERN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ]*)\s*$")

#: Named dimensions a spec field may require, with an example for error messages.
DIMENSIONS: dict[str, tuple[b2.Quantity, str]] = {
    "time": (b2.second, "a time such as '10 ms'"),
    "voltage": (b2.volt, "a voltage such as '-70 mV'"),
    "conductance": (b2.siemens, "a conductance such as '0.5 nS'"),
    "current": (b2.amp, "a current such as '50 pA'"),
    "capacitance": (b2.farad, "a capacitance such as '250 pF'"),
    "rate": (b2.Hz, "a rate such as '5 Hz'"),
    "concentration": (b2.molar, "a concentration such as '100 nM'"),
}


class UnitParseError(ValueError):
    """A quantity string could not be parsed or has the wrong dimension."""


def split_quantity(value: object) -> tuple[float, str] | None:
    """``"100 nM"`` -> ``(100.0, "nM")``, ``3`` -> ``(3.0, "")``: the number and the unit symbol
    as written (not checked); None if ``value`` is not a number, optionally with a unit."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), ""
    match = _PATTERN.match(value) if isinstance(value, str) else None
    return (float(match.group(1)), match.group(2)) if match else None


def parse_quantity(text: str | float | int) -> b2.Quantity:
    """Parse ``"<number> <unit>"`` into a Brian2 quantity; a bare number is dimensionless."""
    if isinstance(text, bool):
        raise UnitParseError("expected a number with a unit, got a boolean")
    if isinstance(text, int | float):
        return b2.Quantity(float(text))
    split = split_quantity(str(text))
    if split is None:
        raise UnitParseError(f"cannot parse {text!r} as '<number> <unit>'")
    number, unit = split[0], split[1].replace("µ", "u")
    if not unit:
        return b2.Quantity(number)
    units = _unit_namespace()
    if unit not in units:
        close = difflib.get_close_matches(unit, units, n=4)
        hint = f"did you mean {', '.join(close)}?" if close else f"e.g. {_EXAMPLES}"
        raise UnitParseError(f"unknown unit {unit!r} (Brian2's units and min, h, day); {hint}")
    return number * units[unit]


@functools.cache
def _unit_namespace() -> dict[str, b2.Quantity]:
    """Every unit Brian2 knows, by name (``nsiemens``, ``nmolar``) and by symbol (``nS``,
    ``nM``, ``s``), plus :data:`_CLOCK_UNITS`."""
    from brian2.core.namespace import DEFAULT_UNITS
    from brian2.units import allunits
    from brian2.units.fundamentalunits import Unit

    named = {k: v for k, v in vars(allunits).items() if isinstance(v, Unit)} | DEFAULT_UNITS
    by_symbol = {unit.dispname: unit for unit in named.values()}
    return by_symbol | named | _CLOCK_UNITS


def parse_dimensioned(text: str | float | int, dimension: str) -> b2.Quantity:
    """Parse ``text`` and check it has ``dimension`` (a key of :data:`DIMENSIONS`)."""
    reference, example = DIMENSIONS[dimension]
    if isinstance(text, int | float) and not isinstance(text, bool):
        raise UnitParseError(f"a bare number has no unit; expected {example}")
    quantity = parse_quantity(text)
    if not quantity.has_same_dimensions(reference):
        raise UnitParseError(f"{_describe_dimension(quantity)}, expected {example}")
    return quantity


def _describe_dimension(quantity: b2.Quantity) -> str:
    if quantity.is_dimensionless:
        return "has no unit"
    for name, (reference, _) in DIMENSIONS.items():
        if quantity.has_same_dimensions(reference):
            return f"is a {name}"
    return f"has dimension {get_dimensions(quantity)!s}"


def to_nM(text: str | float) -> float:
    """Concentration text ("100 nM", "0.3 uM") as a float in nM; must be ≥ 0."""
    quantity = parse_dimensioned(text, "concentration")
    value = float(f"{float(quantity / b2.nmolar):.12g}")  # drop unit-scaling round-off
    if value < 0:
        raise UnitParseError("concentration must be ≥ 0 nM")
    return value


def to_seconds(text: str | float) -> float:
    """Time text ("10 ms", "2 h") as a float in seconds."""
    return float(parse_dimensioned(text, "time") / b2.second)


def to_hz(text: str | float) -> float:
    """Rate text ("20 Hz") as a float in Hz."""
    return float(parse_dimensioned(text, "rate") / b2.Hz)


def format_quantity(quantity: b2.Quantity) -> str:
    """Inverse of :func:`parse_quantity` for reporting (Brian2's own best-unit string)."""
    return str(quantity)


__all__ = [
    "DIMENSIONS", "DimensionMismatchError", "UnitParseError", "format_quantity",
    "parse_dimensioned",
    "parse_quantity", "split_quantity", "to_nM", "to_seconds",
]
