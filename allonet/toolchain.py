"""What compiled code is built for and how: the C++ compiler, its flags, the CPU and allonet's
additions to Brian2's makefile.

Brian2 compiles with ``-march=native``, so a binary runs only on CPUs with the instruction set
of the one it was built on; a cache shared by nodes with mixed CPUs must keep their binaries
apart (:func:`key`, part of every standalone project's hash). Run files record the same facts
(:func:`description`) in their ``build`` attributes.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

#: Where Linux describes the CPU (one block per core; the first is read).
CPUINFO = Path("/proc/cpuinfo")


@functools.cache
def _cpuinfo() -> dict[str, str]:
    """Fields of the first processor in :data:`CPUINFO` (empty where there is none)."""
    try:
        text = CPUINFO.read_text()
    except OSError:
        return {}
    fields: dict[str, str] = {}
    for line in text.split("\n\n", 1)[0].splitlines():
        name, _, value = line.partition(":")
        fields.setdefault(name.strip(), value.strip())
    return fields


def cpu_model() -> str:
    """The CPU's marketing name (e.g. "AMD EPYC 7B13"), or the platform's processor string."""
    info = _cpuinfo()
    return info.get("model name") or info.get("Model") or platform.processor() or "unknown"


def cpu_flags() -> str:
    """SHA-256 (16 hex digits) of the CPU's instruction-set extensions (``flags`` on x86,
    ``Features`` on Arm): what ``-march=native`` compiles for. Falls back to the machine name."""
    info = _cpuinfo()
    flags = info.get("flags") or info.get("Features")
    text = " ".join(sorted(flags.split())) if flags else platform.machine()
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def compiler_command() -> str:
    """The C++ compiler the standalone makefile runs: ``$CXX``, else make's default ``g++``."""
    return os.environ.get("CXX") or "g++"


@functools.cache
def _version_line(command: str) -> str:
    path = shutil.which(command.split()[0]) if command else None
    if path is None:
        return f"{command} (not found)"
    try:
        out = subprocess.run([*command.split(), "--version"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return f"{command} (version unknown)"
    return out.splitlines()[0].strip() if out.strip() else f"{command} (version unknown)"


def compiler() -> str:
    """Name and version of the C++ compiler (first line of ``--version``), e.g.
    "g++ (Debian 12.2.0-14+deb12u1) 12.2.0"."""
    return _version_line(compiler_command())


#: The flags allonet compiles standalone code with (Brian2's ``codegen.cpp.extra_compile_args``,
#: set by the engine before every build; Brian2 drops those the compiler does not know when it
#: writes the makefile). Brian2 2.11's defaults, with C++17 on 2.10.1 as well, and one more:
#: Brian2's state-update loops read and write a dozen arrays through pointers GCC cannot prove
#: apart, so it declines to vectorise them (the ~60 run-time overlap checks exceed its default
#: of 10). Allowing 200 lets GCC 12 vectorise every neuron state update of the main network,
#: with one overlap check per loop call, not per neuron (with :data:`VECTOR_MATH`).
COMPILE_FLAGS = ("-w", "-O3", "-ffast-math", "-fno-finite-math-only", "-march=native",
                 "-std=c++17", "--param=vect-max-version-for-alias-checks=200")


def compile_flags() -> list[str]:
    """The flags standalone code is compiled with (:data:`COMPILE_FLAGS`)."""
    return list(COMPILE_FLAGS)


#: Declares glibc's vector ``exp`` (libmvec, x86-64, GCC): the membrane step of exponential
#: Euler calls ``exp`` once per neuron and step, and a vectorised loop can only call a vector
#: variant that is declared. glibc declares them itself only under ``-ffinite-math-only``, which
#: Brian2 turns off (infinities must keep working, e.g. ``clip(x, 0, inf)``). libmvec's ``exp`` is
#: within 4 ulp (glibc's bound; ~3 ulp measured, ``tests/test_toolchain.py``) where the scalar
#: one is within 1, far below the error of the integration step.
VECTOR_MATH = """\
#include <cmath>
#if defined(__GNUC__) && __GNUC__ >= 6 && !defined(__clang__) && defined(__x86_64__) \\
    && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 22))
extern "C" __attribute__((__simd__("notinbranch"))) double exp(double) noexcept;
#endif
"""

#: Header that every generated code object of a standalone project includes first
#: (:data:`MAKE_RULES` precompiles it once per project): parsing these headers took ~70% of a
#: code object's compile time (0.44 of 0.64 s), and the main network has ~400 code objects.
PRECOMPILED_HEADER = """\
// allonet: the headers every Brian2 code object includes, precompiled once per project
#include "objects.h"
#include "brianlib/common_math.h"
#include "brianlib/stdint_compat.h"
#include "synapses_classes.h"
#include <chrono>
#include <climits>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
""" + VECTOR_MATH
#: File names of :data:`PRECOMPILED_HEADER` and :data:`MAKE_RULES` in a standalone project.
PCH_FILE, MAKE_FILE = "allonet_pch.h", "allonet.mk"
#: Make rules read after Brian2's makefile (``make -f makefile -f allonet.mk``):
#:
#: - ``objects.cpp`` (allocating, loading and writing arrays; no simulation code) is compiled
#:   without optimisation: at -O3 it took 77 s of one core for the main network, at -O0 5 s.
#: - every code object includes :data:`PRECOMPILED_HEADER` (built before them; an order-only
#:   prerequisite, so a header rebuilt for a later partial build does not recompile the rest;
#:   its rule remakes it when ``objects.h`` changes). GCC ignores a header it cannot use.
MAKE_RULES = f"""\
objects.o: CXXFLAGS += -O0
PCH_OBJS := $(filter code_objects/%,$(OBJS))
$(PCH_OBJS): CXXFLAGS += -include {PCH_FILE}
$(PCH_OBJS): | {PCH_FILE}.gch
{PCH_FILE}.gch: {PCH_FILE} objects.h makefile
\t$(CXX) $(filter-out -c,$(CXXFLAGS)) -x c++-header {PCH_FILE} -o $@
"""


def make_arguments(jobs: int) -> list[str]:
    """Arguments of Brian2's ``make`` call: ``jobs`` parallel compiles, Brian2's makefile and
    :data:`MAKE_RULES`."""
    return [f"-j{jobs}", "-f", "makefile", "-f", MAKE_FILE]


def write_build_files(project: Path) -> None:
    """Put :data:`PRECOMPILED_HEADER` and :data:`MAKE_RULES` in ``project`` (rewritten only if
    they differ: make compares timestamps)."""
    for name, text in ((PCH_FILE, PRECOMPILED_HEADER), (MAKE_FILE, MAKE_RULES)):
        path = project / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)


def remove_precompiled_header(project: Path) -> None:
    """Delete the project's compiled header (~60 MB) once its binary is linked; a later partial
    build of the project (or of a copy seeded from it) makes it again in a few seconds."""
    (project / f"{PCH_FILE}.gch").unlink(missing_ok=True)


@functools.cache
def brian2_version() -> str:
    """The installed Brian2's version, without importing it (1.7 s)."""
    return importlib.metadata.version("brian2")


def identity() -> dict[str, object]:
    """Everything compiled code depends on besides its source: CPU flags, compiler, flags (and
    allonet's make rules, by digest)."""
    rules = hashlib.sha256((PRECOMPILED_HEADER + MAKE_RULES).encode()).hexdigest()[:12]
    return {"cpu_flags": cpu_flags(), "compiler": compiler(), "compile_flags": compile_flags(),
            "make_rules": rules}


def key() -> str:
    """Short digest of :func:`identity`, for cache keys."""
    text = json.dumps(identity(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def description() -> dict[str, object]:
    """What a run file's ``build`` attribute records about the toolchain: the CPU model and
    :func:`identity`."""
    return {"cpu": cpu_model(), **identity()}
