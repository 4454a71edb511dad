"""On cpp_standalone, the Poisson background and the Poisson inputs visit each step only a random
subset of neurons (``allonet.model.random_subsets``, by geometric gaps between selected
indices). What they draw must be exactly what drawing every neuron would give: per step and
neuron, Binomial(n, p) background counts, and input spikes with probability min(1, rate*dt),
independent across neurons and steps. One small standalone project (built in a child process
with the builder's own functions) checks both."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from allonet.model.background_drive import Sampler
from conftest import REPO, check_binomial

DT = 1e-4  # s
STEPS = 3000  # three segments of 100 ms
#: background drive: neurons, sources and p = rate*dt (the main network's LA drive, 6 Hz)
BG_N, BG_SOURCES, BG_P = 500, 100, 6e-4
#: Poisson input: cells, and each segment's rates (Hz, STEPS // 3 steps each) for the input as a
#: whole and its two overlapping channels; the last segment saturates cells 30-99 (p >= 1)
CELLS, CHANNELS = 100, {"A": (0, 40), "B": (30, 100)}
RATES = {"inp": [20.0, 0.0, 5.0], "A": [0.0, 300.0, 50.0], "B": [200.0, 0.0, 12_000.0]}

_SCRIPT = """
import sys
from types import SimpleNamespace
import brian2 as b2, numpy as np
from allonet.model import background_drive, builder, random_subsets
from allonet.spec.network import Background, PoissonInput

out, bg_n, sources, p, cells, dt, steps = sys.argv[1], *map(float, sys.argv[2:])
b2.set_device("cpp_standalone", build_on_run=False, directory=out + "/project")
b2.defaultclock.dt = dt * b2.second
assert random_subsets.available()
drive = Background(synapse="x", n=int(sources), rate=f"{p / dt} Hz", weight="1 nS")
pop = b2.NeuronGroup(int(bg_n), "h_x : siemens\\n" + background_drive.equations(
    SimpleNamespace(background=[drive])), name="pop")
background_drive.add_drives("pop", SimpleNamespace(background=[drive]), pop)
for name, value in background_drive.Sampler(int(sources), p).constants().items():
    setattr(pop, background_drive.constant_variable(name, 0), value)
pop.bg_weight_0 = 1 * b2.nS
pop.run_regularly("h_x = 0*nS", when="start")
counts = b2.StateMonitor(pop, "h_x", record=True, when="end")
rates = %RATES%
segment = steps * dt / 3 * b2.second
namespace = {f"rate_{k}": b2.TimedArray(v * b2.Hz, dt=segment, name=f"rate_{k}")
             for k, v in rates.items()}
spec = PoissonInput(kind="poisson", n=int(cells), rate="0 Hz", channels=%CHANNELS%)
inp = builder._poisson_input("inp", spec, namespace)
spikes = b2.SpikeMonitor(inp)
b2.Network(pop, counts, inp, spikes).run(steps * dt * b2.second)
b2.device.build(run=True, directory=out + "/project")
np.savez(out + "/result.npz", counts=np.rint(counts.h_x / b2.nS).astype(int),
         i=np.asarray(spikes.i), step=np.rint(np.asarray(spikes.t) / dt).astype(int))
"""


@pytest.fixture(scope="module")
def standalone_draws(tmp_path_factory) -> dict[str, np.ndarray]:
    out = tmp_path_factory.mktemp("random_subsets")
    script = _SCRIPT.replace("%RATES%", repr(RATES)).replace("%CHANNELS%", repr(CHANNELS))
    args = [BG_N, BG_SOURCES, BG_P, CELLS, DT, STEPS]
    subprocess.run([sys.executable, "-c", script, str(out), *map(str, args)], check=True,
                   cwd=REPO)
    with np.load(out / "result.npz") as data:
        return dict(data)


def _expected_p(cell: int, segment: int) -> float:
    """Spike probability per step of input cell ``cell`` in ``segment``."""
    rate = RATES["inp"][segment] + sum(RATES[name][segment] for name, (lo, hi) in
                                       CHANNELS.items() if lo <= cell < hi)
    return min(1.0, rate * DT)


@pytest.mark.slow
def test_background_counts_are_binomial_per_neuron_and_step(standalone_draws):
    counts = standalone_draws["counts"]  # (neurons, steps)
    assert counts.shape == (BG_N, STEPS)
    check_binomial(counts.ravel(), BG_SOURCES, BG_P)
    # Independent across neighbouring neurons (the ones a gap of 1 joins) and across steps.
    events = counts > 0
    single = 1 - (1 - BG_P) ** BG_SOURCES
    expected_sd = np.sqrt(single**2 * (1 - single**2) / events[1:].size)
    for both in (np.mean(events[1:] & events[:-1]), np.mean(events[:, 1:] & events[:, :-1])):
        assert abs(both - single**2) < 5 * expected_sd
    assert Sampler(BG_SOURCES, BG_P).constants()["visit"] == pytest.approx(single)


@pytest.mark.slow
def test_input_cells_spike_with_probability_rate_dt(standalone_draws):
    i, step = standalone_draws["i"], standalone_draws["step"]
    length = STEPS // 3
    spiked = np.zeros((CELLS, STEPS), dtype=bool)
    spiked[i, step] = True
    assert len(i) == spiked.sum()  # one spike per cell and step at most
    for segment in range(3):
        window = spiked[:, segment * length:(segment + 1) * length]
        expected = np.array([_expected_p(c, segment) for c in range(CELLS)])
        for p in np.unique(expected):
            cells = window[expected == p]
            if p in (0.0, 1.0):
                assert cells.all() if p else not cells.any(), (segment, p)
                continue
            se = np.sqrt(p * (1 - p) / cells.size)
            assert abs(cells.mean() - p) < 5 * se, (segment, p, cells.mean())
    # Neighbouring cells spike independently (segment 0, cells 30-39: 220 Hz each).
    first = spiked[30:40, :length]
    p = _expected_p(30, 0)
    both = np.mean(first[1:] & first[:-1])
    assert abs(both - p * p) < 5 * np.sqrt(p * p / first[1:].size)


def test_sparse_thresholder_needs_a_visit_probability():
    import brian2 as b2

    from allonet.model import random_subsets

    group = b2.NeuronGroup(3, "v : 1", threshold="v > 1")
    with pytest.raises(ValueError, match="shared subexpression 'visit'"):
        random_subsets.sparse_thresholder(group)
