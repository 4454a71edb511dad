"""Parse quantities written as text ("10 ms", "0.5 nS", "100 nM", "5 Hz"): to SI floats, or to
Brian2 quantities for building models.

Units are Brian2's (every prefix, names and symbols) plus the clock units min, h, day and d,
read from ``unit_table.json`` (written from Brian2 by ``tools/unit_table.py`` and checked
against it by the tests), so that loading specs and running a cached binary need not import
Brian2 (1.7 s). Concentrations are kept as plain floats in nM throughout allonet (see
:func:`to_nM`), because Hill terms raise them to non-integer powers, which dimensioned
quantities cannot do.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import brian2 as b2

#: Exponents of metre, kilogram, second, ampere, kelvin, mole and candela.
Dimension = tuple[float, ...]
#: Shown when a unit is unknown and nothing known is close to it.
_EXAMPLES = "ms, mV, nS, pA, pF, Mohm, Hz, nM, min, h"
#: ``<number> <unit>``: the one pattern of a quantity written as text (the unit may be absent).
_PATTERN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ]*)\s*$")
_TABLE = Path(__file__).with_name("unit_table.json")
_NONE: Dimension = (0.0,) * 7
_BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")


@functools.cache
def unit_table() -> dict[str, tuple[float, Dimension]]:
    """Every unit a spec may write: name -> (value in SI units, dimension)."""
    return {name: (value, tuple(dims))
            for name, (value, dims) in json.loads(_TABLE.read_text()).items()}


def _dimension(unit: str) -> Dimension:
    return unit_table()[unit][1]


#: Named dimensions a spec field may require, with an example for error messages.
DIMENSIONS: dict[str, tuple[Dimension, str]] = {
    "time": (_dimension("second"), "a time such as '10 ms'"),
    "voltage": (_dimension("volt"), "a voltage such as '-70 mV'"),
    "conductance": (_dimension("siemens"), "a conductance such as '0.5 nS'"),
    "current": (_dimension("amp"), "a current such as '50 pA'"),
    "capacitance": (_dimension("farad"), "a capacitance such as '250 pF'"),
    "rate": (_dimension("hertz"), "a rate such as '5 Hz'"),
    "concentration": (_dimension("molar"), "a concentration such as '100 nM'"),
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


def parse_si(text: str | float | int) -> tuple[float, Dimension]:
    """Parse ``"<number> <unit>"`` into its value in SI units and its dimension; a bare number
    is dimensionless."""
    if isinstance(text, bool):
        raise UnitParseError("expected a number with a unit, got a boolean")
    if isinstance(text, int | float):
        return float(text), _NONE
    split = split_quantity(str(text))
    if split is None:
        raise UnitParseError(f"cannot parse {text!r} as '<number> <unit>'")
    number, unit = split[0], split[1].replace("µ", "u")
    if not unit:
        return number, _NONE
    units = unit_table()
    if unit not in units:
        close = difflib.get_close_matches(unit, units, n=4)
        hint = f"did you mean {', '.join(close)}?" if close else f"e.g. {_EXAMPLES}"
        raise UnitParseError(f"unknown unit {unit!r} (Brian2's units and min, h, day); {hint}")
    scale, dimension = units[unit]
    return number * scale, dimension


def parse_quantity(text: str | float | int) -> b2.Quantity:
    """Parse ``"<number> <unit>"`` into a Brian2 quantity; a bare number is dimensionless."""
    import brian2 as b2
    from brian2.units.fundamentalunits import get_or_create_dimension

    value, dimension = parse_si(text)
    return b2.Quantity(value, dim=get_or_create_dimension(dimension))


def parse_dimensioned(text: str | float | int, dimension: str) -> float:
    """Parse ``text``, check it has ``dimension`` (a key of :data:`DIMENSIONS`) and return its
    value in SI units."""
    reference, example = DIMENSIONS[dimension]
    if isinstance(text, int | float) and not isinstance(text, bool):
        raise UnitParseError(f"a bare number has no unit; expected {example}")
    value, found = parse_si(text)
    if found != reference:
        raise UnitParseError(f"{_describe_dimension(found)}, expected {example}")
    return value


def _describe_dimension(dimension: Dimension) -> str:
    if dimension == _NONE:
        return "has no unit"
    for name, (reference, _) in DIMENSIONS.items():
        if dimension == reference:
            return f"is a {name}"
    text = " ".join(symbol if power == 1 else f"{symbol}^{power:g}"
                    for symbol, power in zip(_BASE_SYMBOLS, dimension, strict=True) if power)
    return f"has dimension {text}"


def to_nM(text: str | float) -> float:
    """Concentration text ("100 nM", "0.3 uM") as a float in nM; must be ≥ 0."""
    value = parse_dimensioned(text, "concentration") / unit_table()["nmolar"][0]
    value = float(f"{value:.12g}")  # drop unit-scaling round-off
    if value < 0:
        raise UnitParseError("concentration must be ≥ 0 nM")
    return value


def to_seconds(text: str | float) -> float:
    """Time text ("10 ms", "2 h") as a float in seconds."""
    return parse_dimensioned(text, "time")


def to_hz(text: str | float) -> float:
    """Rate text ("20 Hz") as a float in Hz."""
    return parse_dimensioned(text, "rate")


__all__ = [
    "DIMENSIONS", "UnitParseError", "parse_dimensioned", "parse_quantity", "parse_si",
    "split_quantity", "to_hz", "to_nM", "to_seconds", "unit_table",
]
