"""The Poisson background's sampler (``allonet.model.background_drive``) draws, step by step,
exactly independent Binomial(n, p) event counts (what Brian2's ``PoissonInput`` draws): its C++
functions (compiled here with allonet's flags) and Brian2's numpy and Cython runtimes. The
cpp_standalone templates that visit only the neurons with events are tested in
``tests/test_random_subsets.py``."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from allonet import toolchain
from allonet.model.background_drive import CONSTANTS, COUNT, EVENTS, Sampler, functions, source
from conftest import check_binomial

#: (n, p): the main network's drives (100 sources at 6 Hz and 200 at 7 Hz, dt 0.1 ms), Vlachos
#: 2011's (1000 at 5 Hz), and a dense one (many events per step)
CASES = [(100, 6e-4), (200, 7e-4), (1000, 5e-4), (50, 0.1)]

#: one chain of this many steps on C++
CPP_STEPS = 2_000_000

_HARNESS = """
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
static std::mt19937 gen(7);
inline double _rand(const int) {  // Brian2's standalone uniform: 53 random bits
    const long a = gen() >> 5, b = gen() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}
%COUNT%
%EVENTS%
int main() {
    const double n = %N%, visit = %VISIT%, first = %FIRST%, ratio = %RATIO%;
    for (long step = 0; step < %STEPS%; step++) {
        const int32_t count = background_events(visit, n, first, ratio, 0);
        std::fwrite(&count, sizeof count, 1, stdout);
    }
    return 0;
}
"""


def _chain(tmp_path, sampler: Sampler, steps: int) -> np.ndarray:
    """Counts of one neuron's drive over ``steps`` steps, from the C++ source compiled with
    allonet's flags."""
    code = _HARNESS.replace("%STEPS%", str(steps))
    code = code.replace("%COUNT%", source(COUNT, "cpp")).replace("%EVENTS%", source(EVENTS, "cpp"))
    for name, value in sampler.constants().items():
        code = code.replace(f"%{name.upper()}%", repr(value))
    (tmp_path / "harness.cpp").write_text(code)
    flags = [f for f in toolchain.compile_flags() if f != "-w"]
    subprocess.run([toolchain.compiler_command(), *flags, "harness.cpp", "-o", "harness"],
                   cwd=tmp_path, check=True)
    out = subprocess.run(["./harness"], cwd=tmp_path, check=True, capture_output=True).stdout
    return np.frombuffer(out, dtype=np.int32)


needs_compiler = pytest.mark.skipif(shutil.which(toolchain.compiler_command()) is None,
                                    reason="no C++ compiler")


@needs_compiler
@pytest.mark.parametrize(("n", "p"), CASES)
def test_cpp_sampler_draws_independent_binomial_counts(tmp_path, n, p):
    counts = _chain(tmp_path, Sampler(n, p), CPP_STEPS)
    check_binomial(counts, n, p)
    # Consecutive steps are independent: P(events at t and t+1) = P(events)^2.
    both = np.mean((counts[1:] > 0) & (counts[:-1] > 0))
    single = 1 - (1 - p) ** n
    assert abs(both - single**2) < 5 * np.sqrt(single**2 * (1 - single**2) / counts.size)


@needs_compiler
def test_silent_drive_draws_no_event(tmp_path):
    assert not _chain(tmp_path, Sampler(100, 0.0), 10_000).any()
    with pytest.raises(ValueError, match=r"rate\*dt = 1.0"):
        Sampler(10, 1.0)


@pytest.mark.slow
@pytest.mark.parametrize("target", ["numpy", "cython"])
def test_runtime_sampler_draws_binomial_counts(target):
    import brian2 as b2

    n, p = CASES[0]
    previous = b2.prefs.codegen.target
    b2.prefs.codegen.target = target
    try:
        b2.start_scope()
        b2.seed(11)
        shared = "".join(f"{c} : 1 (constant, shared)\n" for c in CONSTANTS)
        group = b2.NeuronGroup(1000, shared + "count : integer", namespace=functions(),
                               dt=0.1 * b2.ms)
        for name, value in Sampler(n, p).constants().items():
            setattr(group, name, value)
        group.run_regularly("count = background_events(visit, n, first, ratio)")
        monitor = b2.StateMonitor(group, "count", record=True)
        b2.Network(group, monitor).run(200 * b2.ms)
    finally:
        b2.prefs.codegen.target = previous
    check_binomial(np.asarray(monitor.count).ravel(), n, p)
