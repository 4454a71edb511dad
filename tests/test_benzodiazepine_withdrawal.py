"""Issue 21, acceptance 3: benzodiazepine sensitivity falls after ALLO withdrawal (Smith et al.
1998 Nature 392:926), in the IPSC protocol with receptor plasticity on. Runs the four points of
``experiments/studies/benzodiazepine_withdrawal.yaml`` (one compiled binary, a few seconds each).
"""

from __future__ import annotations

import numpy as np
import pytest

import allonet
from allonet.pharmacology import bz_amplitude_factor, bz_decay_factor
from allonet.pharmacology.receptor_plasticity import insensitive_mix
from allonet.sweep.spec import load_sweep
from conftest import IPSC_SPEC, REPO

STUDY = REPO / "experiments" / "studies" / "benzodiazepine_withdrawal.yaml"
DIAZEPAM_nM = 1000.0


@pytest.fixture(scope="module")
def runs() -> dict[str, allonet.Run]:
    """Run of each study point (naive / withdrawn, without / with diazepam), in memory."""
    study = load_sweep(STUDY)
    labels = study.summary.conditions
    return {label: allonet.run(IPSC_SPEC, dict(study.set) | point)
            for label, point in zip(labels, study.parameters.points, strict=True)}


def _at_zero_allo(run: allonet.Run, column: str) -> float:
    table = run.table("readouts/ipsc")
    [row] = np.nonzero(table["allo_nM"] == 0.0)[0]
    return float(table[column][row])


@pytest.mark.slow
def test_withdrawal_lowers_benzodiazepine_sensitivity(runs):
    alpha4 = float(runs["withdrawn + diazepam"].data["receptors/slice/alpha4"][0])
    assert alpha4 > 0.3  # Smith 1998: alpha4 up 24 h after withdrawal
    assert float(runs["naive + diazepam"].data["receptors/slice/alpha4"][0]) == 0.0

    tau = {label: _at_zero_allo(run, "tau_decay") for label, run in runs.items()}
    peak = {label: _at_zero_allo(run, "peak") for label, run in runs.items()}
    # without the benzodiazepine, the withdrawn slice's IPSC is the naive one (alpha4 here only
    # removes the benzodiazepine site)
    assert tau["withdrawn"] == pytest.approx(tau["naive"], rel=1e-3)
    naive_gain = tau["naive + diazepam"] / tau["naive"] - 1
    withdrawn_gain = tau["withdrawn + diazepam"] / tau["withdrawn"] - 1
    assert naive_gain == pytest.approx(bz_decay_factor(DIAZEPAM_nM) - 1, rel=0.02)
    # the fitted prolongation falls by the alpha4 fraction, as the tested formula says
    assert withdrawn_gain < 0.7 * naive_gain
    assert 1 + withdrawn_gain == pytest.approx(
        insensitive_mix(bz_decay_factor(DIAZEPAM_nM), alpha4), rel=0.02)
    assert peak["withdrawn + diazepam"] / peak["withdrawn"] == pytest.approx(
        insensitive_mix(bz_amplitude_factor(DIAZEPAM_nM), alpha4), rel=0.02)
