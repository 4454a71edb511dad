"""Field types for specs: quantities stay as the text the user wrote, checked for dimension.

Keeping the text (not a Brian2 object) makes a resolved spec plain data: it round-trips through YAML
and JSON and is stored verbatim in every run file. Convert with :func:`allonet.units.parse_quantity`
at build time.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from allonet.pharmacology import PROFILES, TONIC_PROFILES
from allonet.units import UnitParseError, parse_dimensioned, to_nM


class Strict(BaseModel):
    """Base for every spec model: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _reject_bare_numbers(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Let the dimension check explain what a unit-bearing value looks like.
        return str(value)
    return value


def _dimension_checker(dimension: str, minimum: float | None = None):
    def check(text: str) -> str:
        try:
            quantity = parse_dimensioned(text, dimension)
        except UnitParseError as error:
            raise ValueError(str(error)) from None
        if minimum is not None and float(quantity) < minimum:
            raise ValueError(f"must be ≥ {minimum:g} (got {text})")
        return text.strip()

    return check


def _quantity(dimension: str, minimum: float | None = None):
    return Annotated[
        str,
        BeforeValidator(_reject_bare_numbers),
        AfterValidator(_dimension_checker(dimension, minimum)),
    ]


def _check_concentration(text: str) -> str:
    try:
        to_nM(text)
    except UnitParseError as error:
        raise ValueError(str(error)) from None
    return text.strip()


Time = _quantity("time", minimum=0.0)
SignedTime = _quantity("time")
Voltage = _quantity("voltage")
Conductance = _quantity("conductance", minimum=0.0)
Current = _quantity("current")
Capacitance = _quantity("capacitance", minimum=0.0)
Rate = _quantity("rate", minimum=0.0)
Concentration = Annotated[
    str, BeforeValidator(_reject_bare_numbers), AfterValidator(_check_concentration)
]
def _known(names: dict, what: str):
    def check(name: str) -> str:
        if name not in names:
            raise ValueError(f"unknown {what} {name!r}; allowed: {', '.join(sorted(names))}")
        return name

    return check


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")]
#: Name of an ALLO sensitivity profile of phasic GABA-A receptors (allonet.pharmacology.PROFILES).
ProfileName = Annotated[str, AfterValidator(_known(PROFILES, "profile"))]
#: Name of a tonic (extrasynaptic δ) sensitivity profile.
TonicProfileName = Annotated[str, AfterValidator(_known(TONIC_PROFILES, "tonic profile"))]
