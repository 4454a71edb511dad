"""Sweep overhead: per-point overhead with compile-once vs compile-each, and 1 vs 2 local workers.

    .venv/bin/python benchmarks/sweep_overhead.py [--points N] [--parallel-points M]

Every number comes from sweeps run by ``allonet.sweep.run_sweep`` in this one process, on IPSC
points (cpp_standalone), and is printed as a ratio against a reference measured in the same run:

- *per-point overhead* = a point's wall time in its worker minus its simulation time (the
  binary's run seconds): spec loading, code generation, compiling (if any), writing the run file.
  *compile-once*: N points of one structure in one sweep with a shared, initially empty cache
  (the first point compiles, the rest reuse the binary). *compile-each*: the same N points, each
  with its own empty cache, so each compiles, as a sweep without compile-once would.
- *parallel throughput*: the same M simulation-heavier points (2 s IPSC runs at 20
  concentrations x 4 profiles) with 1 and with 2 local workers (warm cache): whole-sweep wall time
  including the worker pool's start, and the span from the first point's start to the last
  point's end.

Ratios depend on the machine's load: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
EXPERIMENT = REPO / "experiments" / "ipsc_dose_response.yaml"
#: many, longer binary runs per point, so that a point is dominated by simulating: the engine holds
#: a structure's build lock while generating code, which serialises that part across workers
HEAVY_CONCENTRATIONS = [f"{c} nM" for c in (0, 1, 3, 10, 20, 30, 50, 70, 100, 150, 200, 300, 500,
                                           700, 1000, 1500, 2000, 3000, 5000, 10000)]


def write_spec(folder: Path, name: str, seeds: list[int], heavy: bool = False) -> Path:
    """A seeds-only sweep of the IPSC experiment (light: 1 profile, 2 concentrations)."""
    fixed = ({"protocol.profiles": ["default", "CA1", "DG", "BLA"], "protocol.duration": "2 s",
              "protocol.concentrations": HEAVY_CONCENTRATIONS} if heavy else
             {"protocol.profiles": ["default"], "protocol.concentrations": ["0 nM", "100 nM"]})
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "experiment": str(EXPERIMENT), "set": fixed,
                                    "seeds": seeds, "retries": 0}))
    return path


def point_times(sweep_dir: Path) -> list[tuple[float, float, bool]]:
    """Per point: wall time in the worker (s), simulation time (s), whether it compiled."""
    from allonet.store import read_run
    from allonet.sweep import load_manifest, state

    out = []
    for point in load_manifest(sweep_dir).points:
        wall = state.read_attempts(sweep_dir, point.index).wall_time_s
        build = read_run(sweep_dir / point.run_file).attrs["build"]
        out.append((wall, sum(build["run_seconds"]), bool(build["compiled"])))
    return out


def point_overheads(sweep_dir: Path) -> list[tuple[float, bool]]:
    """Per point: (wall time in the worker minus simulation time (s), whether it compiled)."""
    return [(wall - sim, compiled) for wall, sim, compiled in point_times(sweep_dir)]


def points_span(sweep_dir: Path) -> float:
    """Seconds from the first point's start to the last point's end (``events.jsonl``)."""
    from allonet.sweep import state

    times = [e["t"] for e in state.read_events(sweep_dir)]
    return max(times) - min(times)


def run(spec: Path, sweep_dir: Path, cache: Path, workers: int) -> float:
    """Run a sweep with ``cache`` as ALLONET_CACHE; its wall time (s). Fails if incomplete."""
    from allonet.sweep import run_sweep

    os.environ["ALLONET_CACHE"] = str(cache)
    start = time.perf_counter()
    _, summary = run_sweep(spec, sweep_dir, "local", workers, quiet=True)
    elapsed = time.perf_counter() - start
    if not summary.complete:
        sys.exit(f"benchmark sweep {sweep_dir} incomplete: {summary.line()}")
    return elapsed


def compile_once_vs_each(root: Path, n: int) -> None:
    once = run_and_measure(root, "once", list(range(1, n + 1)), root / "cache-shared")
    each: list[tuple[float, bool]] = []
    for k in range(n):
        each += run_and_measure(root, f"each{k}", [k + 1], root / f"cache-{k}")
    steady = [o for o, compiled in once if not compiled] or [math.nan]
    amortized = statistics.mean(o for o, _ in once)
    each_mean = statistics.mean(o for o, _ in each)
    print(f"per-point overhead (wall in worker - simulation), {n} points, 1 worker:")
    print(f"  compile-each : {each_mean:7.2f} s   ({sum(c for _, c in each)}/{n} compiled)")
    print(f"  compile-once : {statistics.mean(steady):7.2f} s steady, {amortized:.2f} s amortized "
          f"over {n} points incl. the one compile ({sum(c for _, c in once)}/{n} compiled)")
    print(f"  ratio compile-each / compile-once: {each_mean / statistics.mean(steady):.1f}x "
          f"steady, {each_mean / amortized:.1f}x amortized over {n}")
    compiles = [o for o, compiled in once if compiled]
    at_24 = (sum(compiles) + (24 - len(compiles)) * statistics.mean(steady)) / 24
    print(f"  (from these numbers, amortized over a 24-point sweep: {at_24:.2f} s per point, "
          f"{each_mean / at_24:.1f}x)")


def run_and_measure(root: Path, name: str, seeds: list[int],
                    cache: Path) -> list[tuple[float, bool]]:
    run(write_spec(root, name, seeds), root / name, cache, 1)
    return point_overheads(root / name)


def parallel(root: Path, m: int) -> None:
    cache = root / "cache-shared"
    run(write_spec(root, "warm", [99], heavy=True), root / "warm", cache, 1)  # compile, untimed
    spec = write_spec(root, "heavy", list(range(1, m + 1)), heavy=True)
    t1 = run(spec, root / "w1", cache, 1)
    t2 = run(spec, root / "w2", cache, 2)
    span1, span2 = points_span(root / "w1"), points_span(root / "w2")
    times = point_times(root / "w1")
    wall, sim = statistics.mean(t[0] for t in times), statistics.mean(t[1] for t in times)
    print(f"parallel throughput, {m} points of {wall:.1f} s each ({sim:.1f} s simulating; warm "
          f"cache, pool start included):")
    print(f"  1 worker {t1:6.1f} s, 2 workers {t2:6.1f} s -> {t1 / t2:.2f}x throughput "
          f"(parallel efficiency {t1 / t2 / 2:.0%})")
    print(f"  without the pool's start (first point start to last point end): {span1:.1f} s vs "
          f"{span2:.1f} s -> {span1 / span2:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5, help="points per overhead measurement")
    parser.add_argument("--parallel-points", type=int, default=8, help="points per parallel run")
    parser.add_argument("--only", choices=["overhead", "parallel"], help="run one part")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"sweep overhead benchmark: IPSC points on cpp_standalone, {cores} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="allonet-bench-") as tmp:
        root = Path(tmp)
        if args.only != "parallel":
            compile_once_vs_each(root, args.points)
        if args.only != "overhead":
            parallel(root, args.parallel_points)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
