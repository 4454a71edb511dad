"""The device registry: the names specs and ``--device`` accept are its back-ends."""

from __future__ import annotations

import subprocess
import sys
import typing

import numpy as np
import pytest

from allonet.engine import DEVICES, Condition, cuda, run_conditions
from allonet.spec import ExperimentSpec
from allonet.store import read_run
from conftest import IPSC_SPEC, REPO


def test_spec_devices_are_the_registered_back_ends():
    allowed = typing.get_args(ExperimentSpec.model_fields["device"].annotation)
    assert set(allowed) == set(DEVICES)
    assert all(device.name == name for name, device in DEVICES.items())


def test_unknown_device_names_the_known_ones():
    condition = Condition("c", {"allo": np.zeros((1, 1)), "bz": np.zeros((1, 1))})
    with pytest.raises(ValueError, match="unknown device 'gpu'; known: \\['cuda', 'runtime', "):
        run_conditions("gpu", None, None, [condition], 0.1, 1e-4, 1, {})


@pytest.mark.skipif(not cuda.missing(), reason="this machine has what the GPU back-end needs")
def test_gpu_device_without_a_gpu_fails_with_one_line(tmp_path):
    """Without Brian2CUDA, nvcc or a GPU, asking for the cuda device is one line naming what is
    missing (exit 2, no traceback, no run file)."""
    out = tmp_path / "gpu.h5"
    result = subprocess.run([sys.executable, "-m", "allonet", "run", str(IPSC_SPEC), "-o",
                             str(out), "--device", "cuda", "-q", "--no-figure"], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "device 'cuda' needs" in lines[0]
    for need in cuda.missing():
        assert need.split(" (")[0] in lines[0]
    assert not out.exists()


def test_gpu_flags_are_raised_to_cpp17():
    assert cuda._with_standard(["-w", "-std=c++11", "-use_fast_math"]) == [
        "-w", "-use_fast_math", "-std=c++17"]


@pytest.mark.slow
@pytest.mark.skipif(bool(cuda.missing()), reason="needs Brian2CUDA, nvcc and an NVIDIA GPU")
def test_gpu_device_gives_the_cpu_ipsc_kinetics(tmp_path):
    """The IPSC experiment on cuda_standalone gives standalone's decay times (within 1%)."""
    runs = {}
    for device in ("standalone", "cuda"):
        out = tmp_path / f"{device}.h5"
        subprocess.run([sys.executable, "-m", "allonet", "run", str(IPSC_SPEC), "-o", str(out),
                        "--device", device, "-q", "--no-figure"], cwd=REPO, check=True)
        runs[device] = read_run(out).table("readouts/ipsc")
    for column, values in runs["standalone"].items():
        if np.issubdtype(np.asarray(values).dtype, np.floating):
            np.testing.assert_allclose(runs["cuda"][column], values, rtol=0.01, err_msg=column)
