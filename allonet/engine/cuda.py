"""The GPU back-end's requirements and settings: Brian2CUDA's ``cuda_standalone`` device.

Brian2CUDA 1.0b1 pins brian2 == 2.10.1 (so Python 3.12, the ``gpu`` extra); on CUDA 13 its code
builds only with C++17 on both compilers (Thrust, CUB and libcu++ refuse older dialects), so
:func:`configure` raises Brian2's host flag and Brian2CUDA's nvcc flag from ``-std=c++11``.
Without Brian2CUDA, nvcc or an NVIDIA GPU, asking for the device fails with one line naming
what is missing (:func:`missing`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

#: The C++ dialect both compilers need for CUDA 13's headers.
CXX_STANDARD = "-std=c++17"


def _nvcc() -> str | None:
    """Path of nvcc: on PATH, else under ``$CUDA_PATH`` or ``$CUDA_HOME``."""
    found = shutil.which("nvcc")
    for root in (os.environ.get("CUDA_PATH"), os.environ.get("CUDA_HOME")):
        if found is None and root and (Path(root) / "bin" / "nvcc").is_file():
            found = str(Path(root) / "bin" / "nvcc")
    return found


def _gpus() -> list[str]:
    """The NVIDIA GPUs ``nvidia-smi -L`` lists (none if it is missing or fails)."""
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30,
                             check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line for line in out.splitlines() if line.startswith("GPU")]


def missing() -> list[str]:
    """What the GPU back-end needs and this machine lacks (empty when it can run)."""
    needs = []
    if importlib.util.find_spec("brian2cuda") is None:
        needs.append("brian2cuda (pip install 'allonet[gpu]' on Python 3.12)")
    if _nvcc() is None:
        needs.append("nvcc (the CUDA toolkit, on PATH or in $CUDA_PATH)")
    if not _gpus():
        needs.append("an NVIDIA GPU (nvidia-smi lists none)")
    return needs


def _with_standard(flags: list[str]) -> list[str]:
    return [f for f in flags if not f.startswith("-std=")] + [CXX_STANDARD]


def configure(b2: Any) -> None:
    """Set Brian2's and Brian2CUDA's compiler flags for CUDA 13 (call after ``set_device``)."""
    cpp = b2.prefs.codegen.cpp
    cpp.extra_compile_args_gcc = _with_standard(list(cpp.extra_compile_args_gcc))
    backend = b2.prefs.devices.cuda_standalone.cuda_backend
    backend.extra_compile_args_nvcc = _with_standard(list(backend.extra_compile_args_nvcc))
