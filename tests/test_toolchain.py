"""What compiled code is built for (allonet.toolchain): the CPU's instruction set and the
compiler are part of every standalone binary's cache key, and run files record them with the
provenance of the code (allonet.provenance); the flags and header vectorise neuron state updates
with an accurate vector ``exp``."""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import allonet
from allonet import provenance, toolchain
from allonet.engine import structure_hash

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cpuinfo(tmp_path, monkeypatch):
    """Point toolchain at a fake /proc/cpuinfo written by the test."""
    path = tmp_path / "cpuinfo"
    monkeypatch.setattr(toolchain, "CPUINFO", path)
    toolchain._cpuinfo.cache_clear()
    yield path
    toolchain._cpuinfo.cache_clear()


def _cpu(model: str, flags: str) -> str:
    block = f"processor\t: {{}}\nmodel name\t: {model}\nflags\t\t: {flags}\n"
    return "\n".join(block.format(n) for n in range(2))


def test_cpu_flags_digest_ignores_order_and_tells_instruction_sets_apart(cpuinfo):
    cpuinfo.write_text(_cpu("Xeon A", "fpu sse2 avx2"))
    first = toolchain.cpu_flags()
    assert toolchain.cpu_model() == "Xeon A" and re.fullmatch("[0-9a-f]{16}", first)
    toolchain._cpuinfo.cache_clear()
    cpuinfo.write_text(_cpu("Xeon A", "avx2 fpu sse2"))
    assert toolchain.cpu_flags() == first
    toolchain._cpuinfo.cache_clear()
    cpuinfo.write_text(_cpu("Xeon A", "fpu sse2 avx2 avx512f"))
    assert toolchain.cpu_flags() != first


def test_binary_cache_key_holds_cpu_and_compiler(monkeypatch):
    structure = {"family": "demo", "n": 3}
    here = structure_hash(structure)
    monkeypatch.setattr(toolchain, "cpu_flags", lambda: "another-cpu")
    other_cpu = structure_hash(structure)
    monkeypatch.setattr(toolchain, "compiler", lambda: "clang version 18")
    assert len({here, other_cpu, structure_hash(structure)}) == 3


def test_build_environment_names_the_toolchain():
    build = provenance.build_environment()
    assert {"sympy", "cython", "cpu", "cpu_flags", "compiler", "compile_flags"} <= set(build)
    assert "-march=native" in build["compile_flags"]  # why the CPU is part of the key
    assert build["compiler"] and build["cpu"]


def test_commit_is_allonets_own_checkout():
    assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", provenance.git_commit())


def test_installed_copy_in_another_repository_does_not_report_its_commit(tmp_path):
    """allonet copied into site-packages inside the user's own git repository (a venv in the
    project) reports its version, not the user's commit."""
    git_path = shutil.which("git")
    if git_path is None:
        pytest.skip("git is not installed")
    user = tmp_path / "user_project"
    site = user / ".venv" / "lib" / "site-packages"
    shutil.copytree(REPO / "allonet", site / "allonet",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(user), "-c", "user.name=u", "-c", "user.email=u@x"]
    subprocess.run(["git", "init", "-q", str(user)], check=True)
    (user / "pyproject.toml").write_text('[project]\nname = "not-allonet"\n')
    subprocess.run([*git, "add", "pyproject.toml"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "user"], check=True)
    code = "from allonet import provenance; print(provenance.git_commit())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=user,
                         env={"PYTHONPATH": str(site), "PATH": str(Path(git_path).parent)})
    user_commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True,
                                 check=True).stdout.strip()
    assert out.stdout.strip() == f"allonet-{allonet.__version__}" != user_commit


#: A loop shaped like Brian2's neuron state update (its arrays reached through pointers GCC cannot
#: prove apart, a refractory flag, the exponential-Euler membrane step), and a check of its
#: ``exp`` against ``expl``: prints the largest error in units in the last place.
_STATE_UPDATE = r"""
#include <cmath>
#include <cstdio>
#include <vector>
const int N = 400000;
double *g_a, *g_b, *g_c, *g_v, *g_x, *g_y, *g_last;  // heap arrays, as Brian2's
char* g_ok;

__attribute__((noinline)) void update(double dt, double t) {
    double* __restrict a = g_a; double* __restrict b = g_b; double* __restrict c = g_c;
    double* __restrict v = g_v; double* __restrict x = g_x; double* __restrict y = g_y;
    const double* __restrict last = g_last; char* __restrict ok = g_ok;
    for (int i = 0; i < N; i++) {
        const char free = (t - last[i]) >= 0.002;
        const double g = a[i] + b[i] + c[i];
        a[i] *= 0.99; b[i] *= 0.98; c[i] *= 0.97;
        const double rest = x[i] / (1.0 + g);
        const double e = exp(-dt * (50.0 + 1000.0 * g));  // the membrane step's factor
        y[i] = e;
        if (free) v[i] = rest + (v[i] - rest) * e;
        ok[i] = free;
    }
}

int main() {
    for (double** p : {&g_a, &g_b, &g_c, &g_v, &g_x, &g_y, &g_last}) *p = new double[N];
    g_ok = new char[N];
    for (int i = 0; i < N; i++) {  // exp's argument: -0.105 to -0.005 (tau 1-20 ms)
        g_a[i] = i * (1.0 / N); g_b[i] = g_c[i] = 0.0; g_x[i] = -0.07; g_v[i] = -0.065;
        g_last[i] = (i % 7) * 1e-3;
    }
    std::vector<double> arg(N);
    for (int i = 0; i < N; i++) arg[i] = -1e-4 * (50.0 + 1000.0 * g_a[i]);
    update(1e-4, 0.1);
    double worst = 0.0;
    for (int i = 0; i < N; i++) {
        const long double exact = expl((long double)arg[i]);
        const double ulp = nextafter((double)exact, 1.0) - (double)exact;
        worst = fmax(worst, (double)fabsl((g_y[i] - exact) / ulp));
    }
    printf("%.3f\n", worst);
}
"""

_VECTOR_LIBM = (sys.platform == "linux" and platform.machine() == "x86_64"
                and "g++" in toolchain.compiler().lower() and "clang" not in toolchain.compiler())


@pytest.mark.skipif(not _VECTOR_LIBM, reason="glibc's vector exp: GCC on x86-64 Linux only")
def test_state_update_loops_vectorise_with_an_accurate_vector_exp(tmp_path):
    (tmp_path / "vector_math.h").write_text(toolchain.VECTOR_MATH)
    (tmp_path / "kernel.cpp").write_text(_STATE_UPDATE)
    flags = [f for f in toolchain.compile_flags() if f != "-w"]
    built = subprocess.run([toolchain.compiler_command(), *flags, "-include", "vector_math.h",
                            "-fopt-info-vec-optimized", "kernel.cpp", "-o", "kernel"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    lines = [line for line in built.stderr.splitlines() if "loop vectorized" in line]
    loop = next(n for n, line in enumerate(_STATE_UPDATE.splitlines(), 1) if "i < N" in line)
    assert any(f"kernel.cpp:{loop}:" in line for line in lines), built.stderr
    symbols = subprocess.run(["nm", "kernel"], cwd=tmp_path, capture_output=True, text=True,
                             check=True).stdout
    assert re.search(r"_ZGV\w+_exp", symbols), "the loop does not call libmvec's exp"
    worst = float(subprocess.run(["./kernel"], cwd=tmp_path, capture_output=True, text=True,
                                 check=True).stdout)
    # glibc's bound for its vector functions; one ulp is ~2e-16 of the factor, while one
    # exponential-Euler step of 0.1 ms errs by ~1e-6 against the exact conductance trajectory
    assert worst <= 4.0, f"vector exp off by {worst} ulp"
