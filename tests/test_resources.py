"""The memory guard: neurons, synapses, recorded values and memory estimated from the resolved
spec before anything is built, and a run that cannot fit refused at once (exit 2, one line,
nothing written). Nothing here simulates."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from allonet import resources
from allonet.errors import MemoryLimitError, UserError
from allonet.spec import load_experiment
from allonet.spec.network import NetworkSpec
from conftest import FEAR_SPEC, IPSC_SPEC, run_cli

#: Peak resident memory (MB) of one real run of the main experiment at scale 1, measured once
#: with ``/usr/bin/time -v allonet run experiments/fear_extinction.yaml`` ("Maximum resident
#: set size": the largest of the process and the binary it waited for), 2026-12-04 on the
#: 2-core development machine: 301 MB (293,560 KiB) for the first run of the model (built in
#: Brian2; 3 C++ files recompiled), 241 MB (235,348 KiB) for a direct run of the cached binary
#: with ``--seed 2``. The README's scaling table gives 220 MB (session 6).
MEASURED_PEAK_MB = {"brian2 build": 301.0, "direct run": 241.0}


def _network(projection: dict, n_pre: int = 40, n_post: int = 30) -> NetworkSpec:
    params = {"C": "100 pF", "gL": "10 nS", "EL": "-70 mV", "VT": "-50 mV", "Vr": "-60 mV"}
    return NetworkSpec.model_validate({
        "name": "toy", "regions": ["r"], "synapses": {"ampa": {"kind": "ampa"}},
        "populations": {"a": {"n": n_pre, "region": "r", "params": params},
                        "b": {"n": n_post, "region": "r", "params": params}},
        "projections": {"p": {"source": "a", "target": "b", "synapse": "ampa",
                              "weight": "1 nS", **projection}}})


@pytest.mark.parametrize(("projection", "expected"), [
    ({"connect": "all_to_all"}, 40 * 30),
    ({"connect": "one_to_one"}, 30),
    ({"connect": "random", "p": 0.25}, 0.25 * 40 * 30),
    ({"connect": "all_to_all", "source_range": (10, 20), "target_range": (0, 5)}, 10 * 5),
])
def test_expected_synapses_follow_the_connection_rule(projection, expected):
    net = _network(projection)
    assert resources.expected_synapses(net, net.projections["p"]) == pytest.approx(expected)


def test_no_autapses_remove_the_diagonal():
    net = _network({"connect": "all_to_all", "autapses": False})
    data = net.model_dump(mode="json")
    data["projections"]["p"]["source"] = "b"
    recurrent = NetworkSpec.model_validate(data)
    assert resources.expected_synapses(recurrent, recurrent.projections["p"]) == 30 * 30 - 30


@pytest.mark.parametrize("sigma", [0.05, 0.1, 0.3, 2.0])
def test_topographic_count_is_the_sum_of_its_probabilities(sigma):
    """The closed-form integral against the builder's own per-pair probability, summed."""
    n_pre, n_post, p = 400, 300, 0.6
    net = _network({"connect": "topographic", "p": p, "sigma": sigma}, n_pre, n_post)
    i, j = np.meshgrid(np.arange(n_pre) / n_pre, np.arange(n_post) / n_post, indexing="ij")
    exact = (p * np.exp(-(i - j) ** 2 / (2 * sigma ** 2))).sum()
    assert resources.expected_synapses(net, net.projections["p"]) == pytest.approx(exact,
                                                                                     rel=0.02)


def test_main_network_counts_match_the_readme():
    """README scaling table: 1,945 neurons and 9.0e4 synapses at scale 1, 16 times both at 16."""
    one = resources.estimate(load_experiment(FEAR_SPEC).network)
    assert one.neurons == 1945
    assert one.synapses == pytest.approx(9.0e4, rel=0.02)
    sixteen = resources.estimate(load_experiment(FEAR_SPEC, ["scale=16"]).network)
    assert sixteen.neurons == pytest.approx(16 * 1945, rel=0.01)
    assert sixteen.synapses == pytest.approx(1.44e6, rel=0.02)


@pytest.mark.parametrize("path", sorted(MEASURED_PEAK_MB))
def test_memory_estimate_of_the_main_experiment_is_within_a_factor_2_of_its_peak(path):
    specs = load_experiment(FEAR_SPEC)
    found = resources.estimate(specs.network, specs.experiment)
    assert found.simulated_s == pytest.approx(10.8)  # three sessions, two 400 ms gaps
    assert found.recorded_spikes == round(1945 * resources.RATE_GUESS_HZ * 10.8)
    ratio = found.memory_bytes / (MEASURED_PEAK_MB[path] * 1e6)
    assert 0.5 <= ratio <= 2.0, ratio


def test_scale_16_fits_in_8_gb():
    """Issue 7's acceptance runs scale 16 under 8 GB: the guard must let it through."""
    specs = load_experiment(FEAR_SPEC, ["scale=16"])
    assert resources.check_memory(specs, 8_000_000_000).memory_bytes < 8e9


def test_refusal_names_the_estimate_and_the_largest_scale_that_fits():
    specs = load_experiment(FEAR_SPEC, ["scale=1000000"])
    limit = 4_000_000_000
    with pytest.raises(MemoryLimitError) as caught:
        resources.check_memory(specs, limit)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in ("fear_extinction.yaml", "network.scale = 1e+06", "TB", "synapses",
                     "4 GB", "--max-memory", "largest scale that fits is"):
        assert fragment in message, (fragment, message)
    best = float(message.split("largest scale that fits is ")[1].split(":")[0])
    fits = load_experiment(FEAR_SPEC, [f"scale={best:g}"])
    assert resources.estimate(fits.network, fits.experiment).memory_bytes <= limit
    above = load_experiment(FEAR_SPEC, [f"scale={best * 1.2:g}"])
    assert resources.estimate(above.network, above.experiment).memory_bytes > limit


def test_huge_scale_is_refused_at_once_with_exit_2_and_nothing_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out.h5"
    args = ["run", FEAR_SPEC, "--set", "scale=1000000", "-o", out, "-q", "--no-figure"]
    run_cli(*args[:1], IPSC_SPEC, "--max-memory", "1 kB")  # import everything first
    start = time.perf_counter()
    assert run_cli(*args) == 2
    in_process = time.perf_counter() - start
    assert in_process < 2.0, in_process  # ~0.2 s (README); loose: CI may be loaded
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "allonet", *map(str, args)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    whole = time.perf_counter() - start
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "largest scale that fits" in result.stderr
    # issue 19 asks for under 5 s with interpreter start and imports (~3.5 s measured, README);
    # the bound is loose so a loaded machine does not fail a test of behaviour, not of speed
    assert whole < 30.0, whole
    assert list(tmp_path.iterdir()) == []


def test_max_memory_below_any_run_says_no_scale_fits(capsys):
    assert run_cli("run", IPSC_SPEC, "--max-memory", "10 MB", "-o", "never.h5") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no scale of this network fits" in err
    assert "--max-memory" in err


@pytest.mark.parametrize(("text", "expected"), [
    ("4 GB", 4e9), ("512MB", 512e6), ("2GiB", 2 * 1024**3), ("8G", 8e9), ("1.5 kB", 1500),
    ("100", 100), ("3 MiB", 3 * 1024**2), ("1 TB", 1e12),
])
def test_parse_memory(text, expected):
    assert resources.parse_memory(text) == expected


@pytest.mark.parametrize("text", ["", "lots", "-1 GB", "0", "4 GX", "4 mb"])
def test_bad_max_memory_is_a_user_error(text):
    with pytest.raises(UserError, match="--max-memory"):
        resources.parse_memory(text)


def test_available_memory_is_read_from_the_system():
    found = resources.available_memory()
    if sys.platform.startswith("linux"):
        assert found is not None
    if found is not None:
        assert found[0] > 0 and found[1]


def test_format_bytes():
    assert resources.format_bytes(253e6) == "253 MB"
    assert resources.format_bytes(2.32e13) == "23.2 TB"
    assert resources.format_bytes(12) == "12 B"


def test_describe_prints_the_estimate():
    from allonet.describe import describe

    text = describe(load_experiment(FEAR_SPEC))
    assert "## Estimated resources" in text
    assert "| Synapses (expected) | 91,087 |" in text  # 90,447 + BA fear -> CeL ON (80 x 40 x 0.2)
    assert "| Memory (estimate) |" in text
