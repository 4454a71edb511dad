"""Shared helpers of the benchmarks: run a case in a child process, count synaptic events.

Every benchmark case runs in its own child process (``measure``), so that Brian2's device state,
imports and memory of one case never leak into the next. The child prints one JSON line last;
the parent adds the child's wall time (s) and peak resident memory (MB; the maximum over the child
and every process it waited for, e.g. the standalone binary or the compiler, from ``wait4``).

As a script this module is the allonet child: ``python benchmarks/common.py SPEC [KEY=VALUE ...]``
runs ``allonet.runner.run_experiment`` and prints the build record, the timings and the synaptic
events of the run (see :func:`synaptic_events`).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MAIN_SPEC = REPO / "experiments" / "fear_extinction.yaml"
VLACHOS_SPEC = REPO / "experiments" / "vlachos2011.yaml"


@dataclass
class Measurement:
    """One child process: wall time (s), peak RSS (MB) and the JSON it printed last."""

    label: str
    wall_s: float
    peak_mb: float
    result: dict[str, Any] = field(default_factory=dict)
    returncode: int = 0
    log: str = ""


def cache_env(cache: Path | None = None) -> dict[str, str]:
    """Environment for a child: ``ALLONET_CACHE`` = ``cache`` (default: the user's cache)."""
    env = dict(os.environ)
    if cache is not None:
        env["ALLONET_CACHE"] = str(cache)
    return env


def bench_dir() -> Path:
    """Where the reference scripts keep their standalone projects and Cython caches: inside the
    allonet cache, so ``allonet cache --clear`` removes them too."""
    root = Path(os.environ.get("ALLONET_CACHE") or Path.home() / ".cache" / "allonet")
    path = root / "benchmarks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def measure(label: str, command: list[str], env: dict[str, str] | None = None,
            verbose: bool = True) -> Measurement:
    """Run ``command`` as a child process; wall time, peak memory and its last JSON line.

    Raises ``RuntimeError`` with the child's output tail if it fails or prints no JSON.
    """
    if verbose:
        print(f"  running {label} ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=REPO, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        log = out.read()
    result: dict[str, Any] = {}
    for line in reversed(log.splitlines()):
        if line.startswith("{"):
            result = json.loads(line)
            break
    if proc.returncode != 0 or not result:
        raise RuntimeError(f"{label} failed (exit {proc.returncode}):\n{log[-3000:]}")
    # ru_maxrss is in kB on Linux
    measurement = Measurement(label, wall, usage.ru_maxrss / 1024, result, proc.returncode, log)
    if verbose:
        print(f"    {wall:.1f} s wall, {measurement.peak_mb:.0f} MB peak", file=sys.stderr,
              flush=True)
    return measurement


def measure_warm(label: str, command: list[str], env: dict[str, str] | None = None
                 ) -> tuple[Measurement, Measurement]:
    """Run ``command``; run it again if that run compiled anything (its JSON says ``compiled``)
    or was an allonet standalone run that built its model in Brian2 (``direct`` false: the
    binary's run layout was not stored yet; every later run starts the binary directly).

    Returns (first run, warm run); they are the same measurement when the first was warm.
    """
    first = measure(label, command, env)
    if not first.result.get("compiled", False) and first.result.get("direct", True):
        return first, first
    return first, measure(label, command, env)


def allonet_command(spec: Path, overrides: list[str], output: Path) -> list[str]:
    """Command line of the allonet child (this module run as a script)."""
    return [PYTHON, str(Path(__file__).resolve()), str(spec), str(output), *overrides]


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ratio(a: float, b: float) -> str:
    """``a / b`` formatted as ``"1.23x"`` (``"-"`` if undefined)."""
    return f"{a / b:.2f}x" if b and math.isfinite(a / b) else "-"


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A plain text table (numbers formatted by the caller)."""
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(header))]
    lines = ["  ".join(c.rjust(w) if k else c.ljust(w) for k, (c, w) in
                       enumerate(zip(row, widths, strict=True))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --- synaptic events of a fear_conditioning run -------------------------------------------------

def _mean_out_degree(proj: dict[str, Any], n_source: int, n_target: int, same: bool):
    """Expected number of outgoing synapses per source neuron (scalar, or an array per source
    neuron for topographic projections)."""
    import numpy as np

    kind = proj["connect"]
    if kind == "one_to_one":
        return min(n_source, n_target) / n_source
    if kind == "all_to_all":
        return n_target - (1 if same and not proj["autapses"] else 0)
    if kind == "random":
        return min(1.0, proj["p"]) * (n_target - (1 if same and not proj["autapses"] else 0))
    j = np.arange(n_target) / n_target
    degree = np.empty(n_source)
    for i in range(n_source):
        p = proj["p"] * np.exp(-((i / n_source - j) ** 2) / (2 * proj["sigma"] ** 2))
        degree[i] = np.minimum(p, 1.0).sum()
    return degree


def synaptic_events(spec_path: Path, overrides: list[str], run_file: Path) -> dict[str, float]:
    """Synaptic events of a fear_conditioning run: presynaptic spikes times outgoing synapses.

    Population spikes come from the run file; each is multiplied by its neuron's expected number of
    outgoing synapses (from the connection rule; the realised number differs by sampling noise,
    well under 1% here). Poisson inputs are not recorded: their spikes are the expected count
    from the protocol's rate arrays. A GABA-A spike also schedules the end of its transmitter
    pulse (a second event on the same synapse), not counted here. ``background`` is the Poisson
    background drive (events per neuron summed, drawn as one binomial number per neuron and step,
    so not synaptic events in Brian2's sense); ``synaptic`` excludes it. ``synapses`` is the
    expected number of synapses (recurrent and input projections). ``neurons`` and ``steps``
    (duration / dt) give the neuron updates of the run.
    """
    import numpy as np

    from allonet.protocols.schedule import rate_arrays, timeline
    from allonet.spec import load_experiment
    from allonet.store import read_run
    from allonet.units import to_hz, to_seconds

    specs = load_experiment(spec_path, overrides)
    net = specs.network.model_dump(mode="json")
    proto = specs.experiment.protocol
    line = timeline(proto)
    rates = rate_arrays(proto, line)
    step = to_seconds(proto.resolution)
    run = read_run(run_file)
    sizes = {name: pop["n"] for name, pop in net["populations"].items()}
    sizes |= {name: inp["n"] for name, inp in net["inputs"].items()}

    def input_spikes(name: str, lo: int, hi: int) -> float:
        """Expected spikes of input ``name``'s cells [lo, hi) over the run."""
        inp = net["inputs"][name]
        if inp["kind"] != "poisson":
            return float(len(inp["times"]) * (hi - lo))
        total = to_hz(inp["rate"]) * line.duration * (hi - lo)
        if name in rates:
            total += rates[name].sum() * step * (hi - lo)
        for channel, (a, b) in inp["channels"].items():
            if channel in rates:
                total += rates[channel].sum() * step * max(0, min(b, hi) - max(a, lo))
        return float(total)

    events = {"recurrent": 0.0, "input": 0.0, "background": 0.0, "synapses": 0.0}
    for proj in net["projections"].values():
        src, tgt = proj["source"], proj["target"]
        lo, hi = proj["source_range"] or (0, sizes[src])
        t_lo, t_hi = proj["target_range"] or (0, sizes[tgt])
        degree = _mean_out_degree(proj, hi - lo, t_hi - t_lo, src == tgt)
        events["synapses"] += float(np.sum(degree)) if np.ndim(degree) else degree * (hi - lo)
        if src in net["populations"]:
            ids = np.asarray(run.data[f"spikes/{src}/node_ids"]).astype(np.int64)
            ids = ids[(ids >= lo) & (ids < hi)] - lo
            counts = np.bincount(ids, minlength=hi - lo)
            events["recurrent"] += float(np.sum(counts * degree))
        else:
            events["input"] += input_spikes(src, lo, hi) * float(np.mean(degree))
    for pop in net["populations"].values():
        for bg in pop["background"]:
            events["background"] += bg["n"] * to_hz(bg["rate"]) * line.duration * pop["n"]
    events["synaptic"] = events["recurrent"] + events["input"]
    events["duration_s"] = line.duration
    events["neurons"] = float(sum(pop["n"] for pop in net["populations"].values()))
    events["steps"] = line.duration / to_seconds(specs.network.integration.dt)
    return events


def _child(argv: list[str]) -> None:
    """Run one experiment (``SPEC OUTPUT [KEY=VALUE ...]``) and print a JSON summary."""
    from allonet.cache import cache_root
    from allonet.runner import run_experiment

    spec, output, overrides = Path(argv[0]), Path(argv[1]), argv[2:]
    start = time.perf_counter()
    result = run_experiment(spec, overrides, output, overwrite=True, quiet=True)
    wall = time.perf_counter() - start
    build = result.run.attrs["build"]
    summary = {"wall_in_process_s": wall, "compiled": bool(build["compiled"]),
               "build_s": float(build["build_seconds"]), "run_s": float(sum(build["run_seconds"])),
               "structure_hash": build["structure_hash"], "device": build["device"],
               "direct": bool(build.get("direct", True)) if build["device"] == "standalone"
               else True}
    if build.get("project_dir"):  # standalone: how many compiled code objects run each step
        project = cache_root() / build["project_dir"]  # relative to the cache root
        summary["code_objects"] = len(list(project.glob("code_objects/*.cpp")))
    if result.run.spec["experiment"]["protocol"]["kind"] == "fear_conditioning":
        summary["events"] = synaptic_events(spec, overrides, output)
        summary["spikes"] = int(sum(len(v) for k, v in result.run.data.items()
                                    if k.startswith("spikes/") and k.endswith("/node_ids")))
    print(json.dumps(summary))


if __name__ == "__main__":
    _child(sys.argv[1:])
