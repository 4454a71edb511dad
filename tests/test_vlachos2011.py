"""Reproduction of Vlachos et al. 2011 (science.md §2-3, results 2, 4, 6 and 9), means over seeds.

Rates are CS-window rates of the fear (context A) and extinction (context B) groups.
"""

from __future__ import annotations

import numpy as np
import pytest

from allonet.analysis.fear import rates_by_trial
from allonet.store import read_run
from conftest import REPO, run_cli
from vlachos_criteria import (
    assert_block_fourfold,
    assert_block_releases_extinction_group,
    assert_conditioning,
    assert_extinction,
    assert_renewal,
)

SPEC = REPO / "experiments" / "vlachos2011.yaml"
SEEDS = (1, 2, 3, 4, 5)

pytestmark = [pytest.mark.science, pytest.mark.slow]


def _run(out, name, *args):
    path = out / f"{name}.h5"
    assert run_cli("run", SPEC, "-o", path, "-q", "--no-figure", *args) == 0
    return read_run(path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("vlachos")
    baseline = [_run(out, f"seed{s}", "--seed", str(s)) for s in SEEDS]
    silenced = {f: [_run(out, f"silence{f}_seed{s}", "--seed", str(s), "--set",
                         f"protocol.phases.1.silence={{I: {f}}}") for s in SEEDS[:2]]
                for f in (0.5, 0.9)}
    return baseline, silenced


def _mean(runs, group, phase):
    return np.mean([rates_by_trial(r.table("readouts/cs_rates"), group, phase) for r in runs],
                   axis=0)


def test_result2_conditioning(runs):
    assert_conditioning(_mean(runs[0], "fear", "conditioning"),
                        _mean(runs[0], "extinction", "conditioning"))


def test_result4_extinction(runs):
    assert_extinction(_mean(runs[0], "fear", "conditioning"), _mean(runs[0], "fear", "extinction"),
                      _mean(runs[0], "extinction", "extinction"))


def test_result6_renewal(runs):
    assert_renewal(_mean(runs[0], "fear", "extinction"), _mean(runs[0], "extinction", "extinction"),
                   _mean(runs[0], "fear", "renewal")[0], _mean(runs[0], "extinction", "renewal")[0])


def test_result6_weights_unchanged_across_the_switch(runs):
    for run in runs[0]:
        t = run.data["weights/E/t"]
        w = run.data["weights/E/w_cs"]
        end_ext = run.data["phases/stop"][list(run.data["phases/name"]).index("extinction")]
        cs = run.data["epochs/cs_start"][-1]
        before, after = w[np.searchsorted(t, end_ext)], w[np.searchsorted(t, cs) - 1]
        assert np.max(np.abs(after - before) / before) < 0.05


def test_result9_interneuron_block_releases_extinction_group(runs):
    baseline = _mean(runs[0][:2], "extinction", "extinction")[-1]
    half = _mean(runs[1][0.5], "extinction", "extinction")[-1]
    most = _mean(runs[1][0.9], "extinction", "extinction")[-1]
    assert_block_releases_extinction_group(baseline, half)
    assert_block_fourfold(baseline, most)


def test_seeds_and_silencing_levels_share_binaries(runs):
    """Seeds and silenced fractions are run-time values (``silenceable``): one binary for all."""
    builds = [r.attrs["build"] for r in runs[0] + runs[1][0.5] + runs[1][0.9]]
    assert len({b["structure_hash"] for b in builds}) == 1
    assert sum(b["compiled"] for b in builds[1:]) == 0
