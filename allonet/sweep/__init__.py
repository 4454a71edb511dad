"""Parameter sweeps: many runs of one experiment, each its own run file, plus an index.

A sweep spec (:mod:`allonet.sweep.spec`) expands into a manifest of points
(:mod:`allonet.sweep.manifest`); an executor (:mod:`allonet.sweep.executors`: local processes,
Dask, SLURM array) runs the missing ones through :func:`allonet.sweep.worker.run_point`; the index
(:mod:`allonet.sweep.index`) maps parameters to readouts. Resumable: a point is done when its run
file exists and opens; failed points are retried up to a limit; no two processes write one file.
"""

from allonet.sweep.driver import Summary, run_sweep, summarize
from allonet.sweep.index import build_index, read_index
from allonet.sweep.manifest import Manifest, Point, load_manifest
from allonet.sweep.spec import SweepSpec, load_sweep

__all__ = [
    "Manifest", "Point", "Summary", "SweepSpec", "build_index", "load_manifest", "load_sweep",
    "read_index", "run_sweep", "summarize",
]
