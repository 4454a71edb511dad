"""Parameter sweeps: many runs of one experiment, each its own run file, plus an index.

A sweep spec (:mod:`allonet.sweep.spec`) expands into a manifest of points
(:mod:`allonet.sweep.manifest`); an executor (:mod:`allonet.sweep.executors`: local processes,
Dask, SLURM array) runs the missing ones through :func:`allonet.sweep.worker.run_point`; the index
(:mod:`allonet.sweep.index`) maps parameters to readouts. Resumable: a point is done when its run
file exists and opens; failed points are retried up to a limit; no two processes write one file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allonet.sweep.driver import Summary, run_sweep, summarize
    from allonet.sweep.index import build_index, read_index
    from allonet.sweep.manifest import Manifest, Point, load_manifest
    from allonet.sweep.spec import SweepSpec, load_sweep

#: Each public name's module, imported on first use: ``allonet run`` registers the sweep
#: command's parser but runs no sweep.
_HOMES = {"Summary": "driver", "run_sweep": "driver", "summarize": "driver",
          "build_index": "index", "read_index": "index", "Manifest": "manifest",
          "Point": "manifest", "load_manifest": "manifest", "SweepSpec": "spec",
          "load_sweep": "spec"}

__all__ = [
    "Manifest", "Point", "Summary", "SweepSpec", "build_index", "load_manifest", "load_sweep",
    "read_index", "run_sweep", "summarize",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"allonet.sweep.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
