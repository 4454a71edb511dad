"""Same spec + seed + device -> the same spikes, across commits: the fixed-seed runs of the fear
fixture against the digests recorded by ``tools/spike_digests.py`` (on this toolchain).

A refactor must keep every spike. A change meant to move them (a science change) records the
digests anew and says why in its commit. Digests depend on the compiler, its flags and the CPU
(``-march=native``, ``-ffast-math``), so on another toolchain the test skips.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from allonet import toolchain
from conftest import REPO

_spec = importlib.util.spec_from_file_location("spike_digests", REPO / "tools" / "spike_digests.py")
spike_digests = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(spike_digests)

pytestmark = pytest.mark.science


@pytest.fixture(scope="module")
def recorded():
    data = json.loads(spike_digests.DIGESTS.read_text())
    if data["toolchain"] != toolchain.key():
        pytest.skip(f"spike digests were recorded on toolchain {data['toolchain']}, this is "
                    f"{toolchain.key()}: record them here with tools/spike_digests.py")
    return data["runs"]


@pytest.mark.parametrize(("label", "condition"), [("fear_extinction seed 1", "base"),
                                                  ("contextual_fear seed 1", "context")])
def test_fixed_seed_spikes_are_unchanged(fear_runs, recorded, label, condition):
    [run] = [r for r in fear_runs[condition] if r.spec["experiment"]["seed"] == 1]
    assert spike_digests.spike_digest(run.data) == recorded[label], (
        f"{label}: the spikes changed; if that is meant, record them with tools/spike_digests.py "
        "and say why in the commit")
