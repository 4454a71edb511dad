"""Fear readout tables computed from a CS-rate table (no simulation)."""

from __future__ import annotations

import numpy as np
import pytest

from allonet.analysis.fear import fear_ratio_table


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
