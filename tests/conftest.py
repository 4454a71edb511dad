"""Shared fixtures: simulations run once per session and reused by every test that reads them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("ALLONET_CACHE", str(REPO / ".cache" / "allonet"))

IPSC_SPEC = REPO / "experiments" / "ipsc_dose_response.yaml"
#: Fixtures below that simulate: a test using one (directly or through another fixture) is slow.
SIMULATING_FIXTURES = frozenset({"ipsc_runs", "fear_runs"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that simulates through a shared fixture, and every ``science``
    test (each asserts a simulated result), so that ``-m "not slow"`` runs no simulation."""
    for item in items:
        if item.get_closest_marker("science") or SIMULATING_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)


def run_cli(*args: str) -> int:
    from allonet.cli import main

    return main([str(a) for a in args])


def sweep_spec_file(tmp_path: Path, body: dict, name: str = "sweep.yaml") -> Path:
    """A sweep spec of the IPSC experiment (spec fields ``body``) written to ``tmp_path/name``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"name": "t", "experiment": str(IPSC_SPEC), **body}))
    return path


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


FEAR_SPEC = REPO / "experiments" / "fear_extinction.yaml"
CONTEXT_SPEC = REPO / "experiments" / "contextual_fear.yaml"
#: seeds per condition of the fear-extinction science tests (science.md: means over >= 10 seeds)
FEAR_SEEDS = tuple(range(1, 11))
#: a drug on day 1 (extinction) only: ALLO 300 nM in the amygdala from 12 h to 36 h
DAY1_ALLO = ("drugs.allo={amygdala: {kind: steps, initial: 10 nM, times: [12 h, 36 h], "
             "values: [300 nM, 10 nM]}}")


def _run_one(job: tuple[str, list[str], str]) -> str:
    from allonet.runner import run_experiment

    spec, overrides, output = job
    run_experiment(Path(spec), overrides, Path(output), overwrite=True, quiet=True)
    return output


def run_jobs(jobs: dict) -> dict:
    """Run every job ``key -> (spec, overrides, output)`` and read the run files back
    (``key -> RunFile``). The first job of the first spec runs in this process (it compiles that
    spec's binary); everything else runs on two worker processes (2 cores), the first job of each
    other spec at the head of the queue, so that its compile overlaps the first spec's runs, and
    that spec's other jobs at the tail, by when its binary is built."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from allonet.store import read_run

    jobs = {key: (str(spec), list(overrides), str(output))
            for key, (spec, overrides, output) in jobs.items()}
    firsts = {}
    for key, job in jobs.items():
        firsts.setdefault(job[0], key)
    first, *others = firsts.values()
    _run_one(jobs[first])
    built_first = [job for key, job in jobs.items()
                   if key != first and job[0] == jobs[first][0]]
    rest = [job for key, job in jobs.items()
            if job[0] != jobs[first][0] and key not in others]
    queue = [jobs[key] for key in others] + built_first + rest
    with ProcessPoolExecutor(2, mp_context=get_context("spawn")) as pool:
        list(pool.map(_run_one, queue))
    return {key: read_run(Path(output)) for key, (_, _, output) in jobs.items()}


def fear_conditions() -> dict[str, tuple[Path, list[list[str]]]]:
    """Spec and override lists per condition of the fear-extinction science tests."""
    seeds = [[f"seed={s}"] for s in FEAR_SEEDS]
    tests = (4, 5, 6)  # test_B, test_A, test_C: hippocampal output silenced in every test
    ca1_off = [f"protocol.phases.{k}.silence={{CA1_pc: 1.0}}" for k in tests]
    no_extinction = ["protocol.phases.3.cs=false"]  # day 1 in B without CS (non-extinguished)
    conditions = {"base": seeds}
    conditions |= {f"allo{c}": [o + [f"drugs.allo_default={c} nM"] for o in seeds]
                   for c in (0, 30, 100, 300, 1000)}
    conditions["ca1_off"] = [o + ca1_off for o in seeds]
    conditions["no_ext"] = [o + no_extinction for o in seeds]
    conditions["no_ext_ca1_off"] = [o + no_extinction + ca1_off for o in seeds]
    for fraction in (50, 90):
        block = f"protocol.phases.3.silence={{BA_pv: {fraction / 100}, BA_som: {fraction / 100}}}"
        conditions[f"block{fraction}"] = [o + [block] for o in seeds]  # result 9: >= 10 seeds
    conditions["day1_allo"] = [["seed=1", DAY1_ALLO]]
    out = {name: (FEAR_SPEC, runs) for name, runs in conditions.items()}
    out["context"] = (CONTEXT_SPEC, seeds)
    return out


@pytest.fixture(scope="session")
def fear_runs(tmp_path_factory):
    """Every fear-extinction and contextual-fear run of the science tests, read back:
    condition -> list of runs.

    The first run of each spec compiles its binary; the rest run on two worker processes (2 cores).
    """
    out = tmp_path_factory.mktemp("fear")
    jobs = {(name, k): (spec, overrides, out / f"{name}_{k}.h5")
            for name, (spec, runs) in fear_conditions().items()
            for k, overrides in enumerate(runs)}
    runs: dict[str, list] = {}
    for (name, _), run in run_jobs(jobs).items():
        runs.setdefault(name, []).append(run)
    return runs


def check_binomial(counts: np.ndarray, n: int, p: float) -> None:
    """Counts match Binomial(n, p): chi-square over the classes with >= 20 expected, and mean
    and variance within 5 standard errors."""
    size = counts.size
    top = int(stats.binom.ppf(1 - 20 / size, n, p))
    observed = np.bincount(np.minimum(counts, top + 1), minlength=top + 2)
    expected = np.append(stats.binom.pmf(np.arange(top + 1), n, p),
                         stats.binom.sf(top, n, p)) * size
    keep = expected >= 20
    observed = np.append(observed[keep], observed[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    observed, expected = observed[expected > 0], expected[expected > 0]
    assert stats.chisquare(observed, expected).pvalue > 1e-4, (observed, expected.round())
    mean, var = n * p, n * p * (1 - p)
    assert abs(counts.mean() - mean) < 5 * np.sqrt(var / size)
    squares = (counts - mean) ** 2
    assert abs(squares.mean() - var) < 5 * squares.std() / np.sqrt(size)
