"""Shared fixtures: simulations run once per session and reused by every test that reads them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("ALLONET_CACHE", str(REPO / ".cache" / "allonet"))

IPSC_SPEC = REPO / "experiments" / "ipsc_dose_response.yaml"


def run_cli(*args: str) -> int:
    from allonet.cli import main

    return main([str(a) for a in args])


@pytest.fixture(scope="session")
def ipsc_runs(tmp_path_factory) -> dict[str, Path]:
    """The IPSC dose-response run on both devices, plus a standalone repeat with another level.

    Returns paths to run files keyed 'standalone', 'runtime', 'standalone_repeat' (same seed and
    spec as 'standalone') and 'standalone_other' (a different concentration list).
    """
    out = tmp_path_factory.mktemp("ipsc")
    paths = {
        "standalone": out / "standalone.h5",
        "standalone_repeat": out / "standalone_repeat.h5",
        "runtime": out / "runtime.h5",
        "standalone_other": out / "standalone_other.h5",
    }
    for key in ("standalone", "standalone_repeat"):
        assert run_cli("run", IPSC_SPEC, "-o", paths[key], "--device", "standalone", "-q",
                       "--no-figure") == 0
    assert run_cli("run", IPSC_SPEC, "-o", paths["runtime"], "--device", "runtime", "-q",
                   "--no-figure") == 0
    assert run_cli("run", IPSC_SPEC, "-o", paths["standalone_other"], "--device", "standalone",
                   "-q", "--no-figure", "--set",
                   "protocol.concentrations=[0 nM, 20 nM, 50 nM, 200 nM, 500 nM, 2000 nM, 2500 nM]"
                   ) == 0
    return paths
