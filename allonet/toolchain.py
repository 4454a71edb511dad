"""What compiled code is built for: the C++ compiler, its flags and the CPU.

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
#: writes the makefile). Brian2 2.11's defaults, with C++17 on 2.10.1 as well.
COMPILE_FLAGS = ("-w", "-O3", "-ffast-math", "-fno-finite-math-only", "-march=native",
                 "-std=c++17")


def compile_flags() -> list[str]:
    """The flags standalone code is compiled with (:data:`COMPILE_FLAGS`)."""
    return list(COMPILE_FLAGS)


@functools.cache
def brian2_version() -> str:
    """The installed Brian2's version, without importing it (1.7 s)."""
    return importlib.metadata.version("brian2")


def identity() -> dict[str, object]:
    """Everything compiled code depends on besides its source: CPU flags, compiler, flags."""
    return {"cpu_flags": cpu_flags(), "compiler": compiler(), "compile_flags": compile_flags()}


def key() -> str:
    """Short digest of :func:`identity`, for cache keys."""
    text = json.dumps(identity(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def description() -> dict[str, object]:
    """What a run file's ``build`` attribute records about the toolchain: the CPU model and
    :func:`identity`."""
    return {"cpu": cpu_model(), **identity()}
