"""Every shipped study and sweep spec expands, and every one of its points resolves to a valid
experiment (no simulation): a typo in a study is caught here, not hours into a cluster run."""

from __future__ import annotations

from pathlib import Path

import pytest

from allonet.spec.loading import load_experiment
from allonet.sweep.manifest import build_manifest
from allonet.sweep.spec import experiment_path, load_sweep
from conftest import REPO

SPECS = sorted((REPO / "experiments" / "studies").glob("*.yaml")) + sorted(
    (REPO / "experiments" / "sweeps").glob("*.yaml"))


def _is_sweep(path: Path) -> bool:
    return "experiment:" in path.read_text() and "parameters:" in path.read_text()


@pytest.mark.parametrize("path", [p for p in SPECS if _is_sweep(p)], ids=lambda p: p.stem)
def test_every_point_of_a_study_resolves(path):
    spec = load_sweep(path)
    manifest = build_manifest(spec, path)
    assert manifest.points
    invalid = [p.index for p in manifest.points if p.group.startswith("invalid")]
    assert invalid == [], invalid
    experiment = experiment_path(spec, path)
    for point in manifest.points[:: max(1, len(manifest.points) // 8)]:
        load_experiment(experiment, point.overrides)
