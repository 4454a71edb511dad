"""Record the fixed-seed spike digests that ``tests/test_fixed_seed_spikes.py`` checks.

    .venv/bin/python tools/spike_digests.py

Runs the main experiment and the contextual-fear experiment with seed 1 and writes, to
``tests/data/spike_digests.json``, a SHA-256 of every ``spikes/*`` dataset of each run, with the
toolchain they were computed on (``allonet.toolchain.key()``: compiler, flags, CPU). Rerun it only
when a change is meant to move the spikes (a science change), and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DIGESTS = REPO / "tests" / "data" / "spike_digests.json"
#: label -> experiment spec, each run with seed 1
RUNS = {"fear_extinction seed 1": REPO / "experiments" / "fear_extinction.yaml",
        "contextual_fear seed 1": REPO / "experiments" / "contextual_fear.yaml"}


def spike_digest(data: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over every ``spikes/*`` dataset of a run's ``data``, in name order (each name,
    dtype and bytes)."""
    digest = hashlib.sha256()
    for name in sorted(k for k in data if k.startswith("spikes/")):
        values = np.ascontiguousarray(data[name])
        digest.update(f"{name}:{values.dtype.str}:".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def main() -> int:
    from allonet import toolchain
    from allonet.runner import run_experiment
    from allonet.store import read_run

    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, spec in RUNS.items():
            out = Path(tmp) / "run.h5"
            run_experiment(spec, ["seed=1"], out, overwrite=True, quiet=True)
            runs[label] = spike_digest(read_run(out).data)
            print(f"{label}: {runs[label]}")
    DIGESTS.write_text(json.dumps({"toolchain": toolchain.key(), "runs": runs}, indent=2) + "\n")
    print(f"wrote {DIGESTS.relative_to(REPO)} (toolchain {toolchain.key()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
