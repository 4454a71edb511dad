"""Reproduction of Vlachos et al. 2011 (science.md §2-3, results 2, 4, 6 and 9), means over seeds.

Rates are CS-window rates of the fear (context A) and extinction (context B) groups.
"""

from __future__ import annotations

import numpy as np
import pytest

from allonet.analysis.fear import rates_by_trial
from conftest import REPO, run_jobs
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


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Baseline over SEEDS, and the interneuron block (50 %, 90 % of I silenced during
    extinction) over two of them; one binary, two worker processes."""
    out = tmp_path_factory.mktemp("vlachos")
    jobs = {("base", s): (SPEC, [f"seed={s}"], out / f"seed{s}.h5") for s in SEEDS}
    jobs |= {(f, s): (SPEC, [f"seed={s}", f"protocol.phases.1.silence={{I: {f}}}"],
                      out / f"silence{f}_seed{s}.h5") for f in (0.5, 0.9) for s in SEEDS[:2]}
    done = run_jobs(jobs)
    baseline = [done["base", s] for s in SEEDS]
    silenced = {f: [done[f, s] for s in SEEDS[:2]] for f in (0.5, 0.9)}
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
