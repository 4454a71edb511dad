"""BLA theta at rest: ALLO's tonic (delta) term vs a benzodiazepine (issue 4, study 8).

Antonoudiou et al. 2022 (Biol Psychiatry 91:283): ALLO raises BLA theta (6-12 Hz) through
delta-GABA-A receptors on PV interneurons; benzodiazepines, which act on gamma2 synapses only,
do not. The runs are points 0 (control), 1 (ALLO 300 nM with PV delta receptors) and 4 (diazepam
1000 nM) of ``experiments/studies/bla_theta.yaml``, 10 seeds each, read back from run files; the
readout is the theta fraction (6-12 Hz power over 1-100 Hz power) of the LFP proxy.

Measured (10 seeds, 2.5 s analysed): theta fraction 0.068 +- 0.003 (control), 0.150 +- 0.012
(ALLO + delta, 2.2x, 10/10 seeds), 0.090 +- 0.009 (diazepam, 1.32x): the diazepam criterion
fails. The study's other points show why: ALLO acting on synaptic decay alone (no delta) raises
the fraction as much (2.6x) and ALLO's delta term alone does not (0.9x); the fraction follows the
slowing of every GABA-A current, which diazepam shares at a lower ceiling (decay x1.57 vs x2.5).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from allonet.spec import read_yaml
from allonet.store import read_run
from conftest import REPO

STUDY = REPO / "experiments" / "studies" / "bla_theta.yaml"
SPEC = REPO / "experiments" / "bla_theta.yaml"
SEEDS = tuple(range(1, 11))  # science.md section 3: >= 10 seeds
#: condition -> index of its point in the study
POINTS = {"control": 0, "allo_delta": 1, "diazepam": 4}


def study_overrides(index: int) -> list[str]:
    """The ``--set`` overrides of point ``index`` of the study, as ``path=value`` strings."""
    point = read_yaml(STUDY)["parameters"]["points"][index]
    return [f"{path}={yaml.safe_dump(value, default_flow_style=True).strip()}"
            for path, value in point.items()]


def _run(job: tuple[list[str], str]) -> str:
    from allonet.runner import run_experiment

    overrides, output = job
    run_experiment(SPEC, overrides, Path(output), overwrite=True, quiet=True)
    return output


@pytest.fixture(scope="module")
def theta_runs(tmp_path_factory) -> dict[str, list]:
    """Condition -> run files (read back) over SEEDS; one binary, the first run compiles it."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    out = tmp_path_factory.mktemp("bla_theta")
    jobs = {(name, seed): (study_overrides(index) + [f"seed={seed}"],
                           str(out / f"{name}_{seed}.h5"))
            for name, index in POINTS.items() for seed in SEEDS}
    first = next(iter(jobs))
    _run(jobs[first])
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_run, [job for key, job in jobs.items() if key != first]))
    return {name: [read_run(Path(jobs[name, seed][1])) for seed in SEEDS] for name in POINTS}


def lfp_theta_fraction(run) -> float:
    table = run.table("readouts/lfp")
    return float(table["fraction"][list(table["band"]).index("theta")])


def _fractions(runs: dict[str, list], name: str) -> np.ndarray:
    return np.array([lfp_theta_fraction(r) for r in runs[name]])


def test_study_points_are_the_tested_conditions():
    assert study_overrides(POINTS["control"]) == ["drugs.allo={}"]
    assert study_overrides(POINTS["allo_delta"]) == ["drugs.allo={amygdala: 300 nM}"]
    assert study_overrides(POINTS["diazepam"]) == ["drugs.benzodiazepine={amygdala: 1000 nM}"]


@pytest.mark.science
@pytest.mark.slow
def test_resting_state_is_active_and_compiles_once(theta_runs):
    # Nair-lab BLA model baseline (github tjbanks/AmygdalaTheta): PN ~0.8 Hz, interneurons
    # tens of Hz; the brief: principal cells active at rest
    control = theta_runs["control"]
    rates = {p: np.mean([dict(zip(r.table("readouts/rates")["population"],
                                  r.table("readouts/rates")["rate"], strict=True))[p]
                         for r in control]) for p in ("PN", "PV", "SOM")}
    assert 0.3 <= rates["PN"] <= 5.0, rates
    assert 5.0 <= rates["PV"] <= 60.0 and 2.0 <= rates["SOM"] <= 60.0, rates
    builds = [r.attrs["build"] for runs in theta_runs.values() for r in runs]
    assert len({b["structure_hash"] for b in builds}) == 1  # drugs are run-time values
    assert sum(b["compiled"] for b in builds) <= 1


@pytest.mark.science
@pytest.mark.slow
def test_allo_with_tonic_term_raises_bla_theta(theta_runs):
    control, allo = _fractions(theta_runs, "control"), _fractions(theta_runs, "allo_delta")
    # Antonoudiou et al. 2022: ALLO raises BLA theta; margin: >= 1.3x on average and higher
    # than control in >= 8 of 10 paired seeds
    assert allo.mean() >= 1.3 * control.mean(), (allo, control)
    assert np.sum(allo > control) >= 8, (allo, control)


@pytest.mark.science
@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "known deviation: diazepam 1000 nM raises the LFP theta fraction 1.32x (0.068 -> 0.090, "
    "10 seeds; 1.31x with 8 s analysed); in this circuit the fraction rises with the slowing of "
    "GABA-A decay, which ALLO (x2.5 at 300 nM) and diazepam (x1.57) share"))
def test_benzodiazepine_does_not_raise_bla_theta(theta_runs):
    control, diazepam = _fractions(theta_runs, "control"), _fractions(theta_runs, "diazepam")
    # Antonoudiou et al. 2022: no theta increase with a benzodiazepine (gamma2 synapses only)
    assert diazepam.mean() <= 1.1 * control.mean(), (diazepam, control)
