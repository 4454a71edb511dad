"""Quantity parsing: units, dimensions, concentrations."""

from __future__ import annotations

import brian2 as b2
import pytest

from allonet.units import (
    UnitParseError,
    parse_dimensioned,
    parse_quantity,
    to_nM,
    to_seconds,
    unit_table,
)
from conftest import REPO


@pytest.mark.parametrize(("text", "expected"), [
    ("10 ms", 10 * b2.ms), ("0.5 nS", 0.5 * b2.nS), ("5 Hz", 5 * b2.Hz), ("-70 mV", -70 * b2.mV),
    ("250 pF", 250 * b2.pF), ("1e-3 s", 1 * b2.ms), ("2 h", 7200 * b2.second),
    ("100 nM", 100 * b2.nmolar), ("0.3 µM", 300 * b2.nmolar),
])
def test_parse(text, expected):
    assert abs(float(parse_quantity(text) / expected) - 1) < 1e-12


def test_concentrations_in_nM():
    assert to_nM("0.3 uM") == pytest.approx(300)
    assert to_nM("1 mM") == pytest.approx(1e6)
    assert to_seconds("25 min") == pytest.approx(1500)
    with pytest.raises(UnitParseError, match="≥ 0"):
        to_nM("-1 nM")


@pytest.mark.parametrize(("text", "dimension", "message"), [
    ("10", "time", "no unit"), (10, "time", "no unit"), ("10 mV", "time", "is a voltage"),
    ("ten ms", "time", "cannot parse"), ("3 parsec", "time", "unknown unit"),
    ("5 nS", "rate", "is a conductance"),
])
def test_dimension_errors(text, dimension, message):
    with pytest.raises(UnitParseError, match=message):
        parse_dimensioned(text, dimension)


@pytest.mark.parametrize(("text", "expected"), [
    ("5 pS", 5 * b2.psiemens), ("2 nsiemens", 2 * b2.nS), ("3 kohm", 3000 * b2.ohm),
    ("4 pM", 4e-3 * b2.nmolar), ("1 M", 1 * b2.molar), ("1 d", 86400 * b2.second),
    ("3 min", 180 * b2.second), ("2 usecond", 2e-6 * b2.second),
])
def test_any_unit_of_brian2s_namespace(text, expected):
    """Units come from Brian2's own namespace (every prefix, names and symbols), plus the clock
    units min, h, day Brian2 does not have."""
    assert abs(float(parse_quantity(text) / expected) - 1) < 1e-12


def test_unknown_unit_suggests_close_ones():
    with pytest.raises(UnitParseError, match=r"unknown unit 'nz'.*did you mean .*nHz"):
        parse_quantity("3 nz")
    with pytest.raises(UnitParseError, match=r"unknown unit 'qqq'.*e\.g\. ms, mV"):
        parse_quantity("3 qqq")


def test_unit_table_is_brian2s_namespace():
    """allonet parses specs without importing Brian2, from a table of Brian2's units: it must be
    the installed Brian2's (regenerate with ``python tools/unit_table.py``)."""
    import json
    import sys

    sys.path.insert(0, str(REPO / "tools"))
    try:
        from unit_table import brian2_units
    finally:
        sys.path.remove(str(REPO / "tools"))
    assert {k: (v, tuple(d)) for k, (v, d) in brian2_units().items()} == unit_table()
    assert json.loads((REPO / "allonet" / "unit_table.json").read_text()).keys() == \
        unit_table().keys()


def test_parsing_specs_imports_no_brian2():
    import subprocess
    import sys

    code = ("import sys; from allonet.spec import load_experiment; "
            "load_experiment('experiments/fear_extinction.yaml'); "
            "assert 'brian2' not in sys.modules, 'brian2 imported'")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
