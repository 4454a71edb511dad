"""BLA theta at rest: ALLO's tonic (delta) term vs a benzodiazepine (study 8; issue 17's criterion).

Antonoudiou et al. 2022 (Biol Psychiatry 91:283) and Takasu et al. 2024 (Front Cell Neurosci
17:1274459): ALLO, but not diazepam, raises BLA 6-12 Hz power through delta-GABA-A receptors on
interneurons. The runs are points of ``experiments/studies/bla_theta.yaml`` (control, ALLO 300
and 100 nM with PV delta receptors, ALLO 100 nM without them, diazepam 1000 nM), 10 seeds each,
read back from run files. The earlier criterion (the LFP theta *fraction*) rose with any slowing
of GABA-A decay, diazepam's included; issue 17 replaced it with absolute power around a theta
peak, which this circuit does not have at rest (docs/studies.md, study 8).
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
POINTS = {"control": 0, "diazepam": 4, "allo100": 5, "allo100_no_delta": 6}


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


def test_study_points_are_the_tested_conditions():
    assert study_overrides(POINTS["control"]) == ["drugs.allo={}"]
    assert study_overrides(POINTS["diazepam"]) == ["drugs.benzodiazepine={amygdala: 1000 nM}"]
    assert study_overrides(POINTS["allo100"]) == ["drugs.allo={amygdala: 100 nM}"]


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
    builds = [r.attrs["build"] for name, runs in theta_runs.items() for r in runs
              if name != "allo100_no_delta"]  # removing PV delta receptors changes the model
    assert len({b["structure_hash"] for b in builds}) == 1  # drugs are run-time values
    assert sum(b["compiled"] for b in builds) <= 1


def lfp_band_power(run, band: str) -> float:
    """Absolute LFP proxy power (pA^2) in ``band`` of the run's readout."""
    table = run.table("readouts/lfp")
    return float(table["power"][list(table["band"]).index(band)])


def lfp_peak(run) -> float:
    """The LFP proxy's spectral peak (Hz)."""
    table = run.table("readouts/peaks")
    return float(table["frequency"][list(table["signal"]).index("lfp")])


def _powers(runs: dict[str, list], name: str, band: str = "theta") -> np.ndarray:
    return np.array([lfp_band_power(r, band) for r in runs[name]])


@pytest.mark.science
@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "no theta generator at rest: the control LFP peaks at ~31 Hz (PV-principal gamma), not in "
    "6-12 Hz; every generator tried is in docs/studies.md, study 8"))
def test_bla_theta_faithful_criterion(theta_runs):
    """Issue 17's criterion (Antonoudiou et al. 2022; Takasu et al. 2024): (1) the control LFP
    peaks in 6-12 Hz with >= 1.5x the 12-20 Hz power; (2) ALLO 100 nM raises absolute 6-12 Hz
    power in >= 8/10 paired seeds and moves the peak by < 1.5 Hz; (3) the same ALLO without PV
    delta receptors gives <= 25 % of that rise; (4) diazepam at a matched phasic effect (decay
    x1.57 vs ALLO's x1.63) <= 1.1x control theta power."""
    control = theta_runs["control"]
    peaks = np.array([lfp_peak(r) for r in control])
    assert np.all((peaks >= 6.0) & (peaks <= 12.0)), peaks
    theta, beta = _powers(theta_runs, "control"), _powers(theta_runs, "control", "beta")
    assert theta.mean() >= 1.5 * beta.mean(), (theta, beta)
    allo = _powers(theta_runs, "allo100")
    assert np.sum(allo > theta) >= 8, (allo, theta)
    shift = np.array([lfp_peak(r) for r in theta_runs["allo100"]]) - peaks
    assert np.all(np.abs(shift) < 1.5), shift
    knockout = _powers(theta_runs, "allo100_no_delta")
    assert knockout.mean() - theta.mean() <= 0.25 * (allo.mean() - theta.mean()), knockout
    assert _powers(theta_runs, "diazepam").mean() <= 1.1 * theta.mean()
