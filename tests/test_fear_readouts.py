"""Fear readout tables computed from a CS-rate table (no simulation)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from allonet.analysis.fear import FreezingCurve, fear_ratio_table
from allonet.spec.experiment import Freezing


def _cs_table(rows: list[tuple[str, int, str, float]]) -> dict[str, np.ndarray]:
    phase, trial, group, rate = zip(*rows, strict=True)
    return {"phase": np.array(phase), "trial": np.array(trial),
            "context": np.array(["A"] * len(rows)), "group": np.array(group),
            "rate": np.array(rate)}


def test_fear_ratio_per_phase_and_last_cs():
    table = _cs_table([
        ("extinction", 0, "fear", 6.0), ("extinction", 0, "extinction", 2.0),
        ("extinction", 1, "fear", 1.0), ("extinction", 1, "extinction", 9.0),
        ("test_A", 0, "fear", 8.0), ("test_A", 0, "extinction", 0.0),
        ("test_A", 0, "CeM", 5.0),
    ])
    out = fear_ratio_table(table)
    assert list(out["phase"]) == ["extinction", "test_A"]
    np.testing.assert_allclose(out["fear"], [3.5, 8.0])
    np.testing.assert_allclose(out["ratio"], [3.5 / (3.5 + 5.5), 1.0])
    assert out["ratio_last"][0] == pytest.approx(0.1)


def test_fear_ratio_silent_groups_and_missing_group():
    table = _cs_table([("test_B", 0, "fear", 0.0), ("test_B", 0, "extinction", 0.0)])
    assert fear_ratio_table(table)["ratio"][0] == 0.5
    assert len(fear_ratio_table(_cs_table([("test_B", 0, "CeM", 3.0)]))["phase"]) == 0


def test_freezing_curves():
    """The Hill curve is 1/2 at half_max, rises monotonically and stays below 1; the linear one
    reaches 1 at saturation and clips; both read rates as spec text or Hz."""
    hill = FreezingCurve.from_spec({"half_max": "7 Hz", "hill": 1.4})
    rates = np.array([0.0, 3.5, 7.0, 14.0, 1e3])
    y = hill(rates)
    assert y[0] == 0.0 and y[2] == pytest.approx(0.5)
    assert np.all(np.diff(y) > 0) and y[-1] < 1.0
    assert y[3] == pytest.approx(2**1.4 / (2**1.4 + 1))
    linear = FreezingCurve.from_spec({"saturation": 16.0})
    assert linear(np.array([8.0, 16.0, 40.0, -1.0])).tolist() == [0.5, 1.0, 1.0, 0.0]
    assert "7 Hz" in hill.describe("CeM") and "16 Hz" in linear.describe("CeM")


@pytest.mark.parametrize("fields", [{}, {"saturation": "16 Hz", "half_max": "7 Hz", "hill": 1.4},
                                    {"half_max": "7 Hz"}, {"saturation": "16 Hz", "hill": 2}])
def test_freezing_spec_takes_one_curve(fields):
    with pytest.raises(ValidationError, match="either saturation"):
        Freezing(population="CeM", **fields)
