"""What a run will need, estimated from its resolved spec before anything is built: neurons,
synapses, recorded values and memory; and the guard that refuses a run that cannot fit.

Counts follow the connection rules exactly in expectation (``p`` times the pairs a rule allows,
a Gaussian profile integrated for ``topographic``). Recorded spikes are a guess: every recorded
cell at :data:`RATE_GUESS_HZ` for the whole simulated time. Memory is the sum of the Python
process (interpreter, Brian2 and allonet imported: :data:`BASE_BYTES`) and of per-item costs;
it ignores the C++ compiler of a first build, which runs before the simulation, not with it.

The constants were set from measured peaks of the main experiment (``tests/test_resources.py``;
the README's scaling table: 220 MB at scale 1, 319 MB at 16); they lean high, as a guard
should.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from allonet.errors import MemoryLimitError, UserError
from allonet.spec import ResolvedSpecs
from allonet.spec.experiment import ExperimentSpec
from allonet.spec.network import NetworkSpec, Projection, scaled

#: Assumed mean rate (Hz) of every recorded cell: the main experiment's populations average
#: 7.4 Hz (seed 1, 2026-12-04); a run far above it records more spikes than estimated.
RATE_GUESS_HZ = 10.0
#: Resident memory (bytes) of ``allonet run`` besides the model's own arrays: Python with
#: allonet, Brian2, h5py and matplotlib imported (217 MB, ``ru_maxrss``), plus building the
#: model in Brian2 and generating its code (the main experiment peaked at 301 MB on that path
#: and at 241 MB on a direct run of its cached binary, ``/usr/bin/time -v``, 2026-12-04).
BASE_BYTES = 280e6
#: Bytes per neuron or input cell: Brian2 state variables (~40 doubles), spike queue and
#: monitor bookkeeping, in the binary and again when read back.
BYTES_PER_CELL = 1000
#: Bytes per synapse in cpp_standalone: pre and post indices, weight, delay, the spike queue's
#: entries for each pathway, and the spare capacity of growing vectors.
BYTES_PER_SYNAPSE = 100
#: Bytes per recorded spike: time (float64) and index (int32) in the binary's growing vectors,
#: again when read back, and node ids as uint64 for the run file.
BYTES_PER_SPIKE = 40
#: Bytes per recorded state value: a double in the binary and again in Python.
BYTES_PER_SAMPLE = 16


@dataclass(frozen=True)
class Estimate:
    """Expected size of one run (counts are expectations; memory in bytes)."""

    neurons: int
    input_cells: int
    synapses: int
    recorded_spikes: int
    recorded_samples: int
    simulated_s: float
    memory_bytes: int
    synapses_by_projection: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: memory, then the counts it comes from."""
        return (f"{format_bytes(self.memory_bytes)} ({self.neurons:.3g} neurons, "
                f"{self.input_cells:.3g} input cells, {self.synapses:.3g} synapses, "
                f"~{self.recorded_spikes:.2g} recorded spikes at {RATE_GUESS_HZ:g} Hz over "
                f"{self.simulated_s:g} s simulated)")


def format_bytes(n: float) -> str:
    """``n`` bytes as text in decimal units (``"240 MB"``, ``"6.3 TB"``)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


_MEMORY = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(?:([kKMGT])(i)?B?|B)?\s*$")
_PREFIXES = "kMGT"


def parse_memory(text: str) -> int:
    """Bytes from ``"4 GB"``, ``"512MB"``, ``"2GiB"``, ``"8G"`` or a plain number of bytes
    (decimal prefixes, binary with ``i``); a UserError naming ``--max-memory`` otherwise."""
    match = _MEMORY.match(str(text))
    if not match or float(match[1]) <= 0:
        raise UserError(f"--max-memory = {text!r}: expected a positive size such as '4 GB', "
                        f"'512 MB' or '2 GiB'")
    power = _PREFIXES.index(match[2].replace("K", "k")) + 1 if match[2] else 0
    return int(float(match[1]) * (1024 if match[3] else 1000) ** power)


def available_memory() -> tuple[int, str] | None:
    """Memory (bytes) this process may still use, and where the number comes from: Linux's
    ``MemAvailable``, lowered to a cgroup's remaining limit (a container or a SLURM job);
    elsewhere psutil if installed, else ``sysconf``; None when nothing says."""
    found: list[tuple[int, str]] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append((int(line.split()[1]) * 1024, "MemAvailable in /proc/meminfo"))
    except (OSError, ValueError, IndexError):
        pass
    for folder, limit, usage, cache in (
            ("/sys/fs/cgroup", "memory.max", "memory.current", "inactive_file"),
            ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes",
             "total_inactive_file")):
        try:
            cap = Path(folder, limit).read_text().strip()
            if cap.isdigit() and int(cap) < 2**60:
                used = int(Path(folder, usage).read_text())
                # the kernel reclaims inactive page cache before it kills anything
                stat = dict(line.split() for line in Path(folder, "memory.stat").read_text()
                            .splitlines() if line.count(" ") == 1)
                used -= int(stat.get(cache, 0))
                found.append((int(cap) - used, f"the cgroup's {folder}/{limit}"))
        except (OSError, ValueError):
            pass
    if found:
        return min(found)
    try:
        import psutil  # optional: not a dependency of allonet

        return int(psutil.virtual_memory().available), "psutil"
    except ImportError:
        pass
    try:
        pages = os.sysconf("SC_AVPHYS_PAGES")
        return pages * os.sysconf("SC_PAGE_SIZE"), "sysconf(SC_AVPHYS_PAGES)"
    except (AttributeError, OSError, ValueError):
        return None


def expected_synapses(network: NetworkSpec, projection: Projection) -> float:
    """Expected number of synapses ``projection`` of ``network`` creates (as the builder
    connects it: index ranges, autapses, and ``p`` per rule)."""
    sizes = {**{k: p.n for k, p in network.populations.items()},
             **{k: i.n for k, i in network.inputs.items()}}

    def span(name: str, index_range: tuple[int, int] | None) -> int:
        return sizes[name] if index_range is None else index_range[1] - index_range[0]

    n_pre = span(projection.source, projection.source_range)
    n_post = span(projection.target, projection.target_range)
    if projection.connect == "one_to_one":
        return float(min(n_pre, n_post))
    # the builder's condition i != j (no autapses) removes one pair per index both sides have
    diagonal = 0 if projection.autapses or projection.source != projection.target else min(
        n_pre, n_post)
    if projection.connect == "all_to_all":
        return float(n_pre * n_post - diagonal)
    if projection.connect == "random":
        return projection.p * (n_pre * n_post - diagonal)
    # topographic: p * exp(-(x - y)^2 / (2 sigma^2)) over relative positions x, y in [0, 1),
    # integrated over the unit square
    s = projection.sigma
    mean = (s * math.sqrt(2 * math.pi) * math.erf(1 / (s * math.sqrt(2)))
            - 2 * s * s * (1 - math.exp(-1 / (2 * s * s))))
    return projection.p * (n_pre * n_post * mean - diagonal)


def _protocol(experiment: ExperimentSpec):
    """The module of the experiment's protocol kind (imported here: it imports Brian2)."""
    from allonet.protocols import PROTOCOLS

    return PROTOCOLS[experiment.protocol.kind]


def estimate(network: NetworkSpec, experiment: ExperimentSpec | None = None) -> Estimate:
    """Expected size and memory of a run of ``experiment`` on ``network`` (already scaled, as
    :func:`allonet.spec.load_experiment` returns it); without an experiment, of the network
    alone (nothing recorded)."""
    protocol = None if experiment is None else _protocol(experiment)
    net = network if protocol is None else protocol.simulated_network(network,
                                                                      experiment.protocol)
    per_projection = {k: round(expected_synapses(net, p)) for k, p in net.projections.items()}
    neurons = sum(p.n for p in net.populations.values())
    inputs = sum(i.n for i in net.inputs.values())
    synapses = sum(per_projection.values())
    simulated, recorded_cells, samples = (0.0, 0, 0) if protocol is None else \
        protocol.recorded_size(net, experiment.protocol)
    spikes = round(recorded_cells * RATE_GUESS_HZ * simulated)
    memory = (BASE_BYTES + BYTES_PER_CELL * (neurons + inputs) + BYTES_PER_SYNAPSE * synapses
              + BYTES_PER_SPIKE * spikes + BYTES_PER_SAMPLE * samples)
    return Estimate(neurons, inputs, synapses, spikes, samples, simulated, round(memory),
                    per_projection)


def largest_fitting_scale(specs: ResolvedSpecs, limit: float) -> float | None:
    """The largest ``scale`` (in the network spec's terms) whose estimate fits in ``limit``
    bytes, to two significant digits; None when no scale fits or the network cannot be
    scaled."""

    def fits(factor: float) -> bool:
        relative = scaled(specs.network.model_copy(update={"scale": factor}))
        return estimate(relative, specs.experiment).memory_bytes <= limit

    try:
        low, high = 1e-6, 1.0
        if not fits(low):
            return None
        while fits(high):  # the current scale fits: look above it
            low, high = high, high * 4
        for _ in range(40):  # geometric bisection: fits(low) and not fits(high)
            middle = math.sqrt(low * high)
            low, high = (middle, high) if fits(middle) else (low, middle)
            if high / low < 1.001:
                break
    except ValueError:  # e.g. spike_times inputs with explicit indices cannot be scaled
        return None
    best = low * specs.scale
    digits = 10 ** (math.floor(math.log10(best)) - 1)
    return math.floor(best / digits) * digits


def check_memory(specs: ResolvedSpecs, max_memory: int | None = None) -> Estimate:
    """The run's estimate; raises MemoryLimitError when it exceeds ``max_memory`` bytes (if
    given) or else the memory available now (when the system says)."""
    found = estimate(specs.network, specs.experiment)
    limit = (max_memory, "--max-memory") if max_memory is not None else available_memory()
    if limit is None or found.memory_bytes <= limit[0]:
        return found
    scale = largest_fitting_scale(specs, limit[0])
    hint = (f"the largest scale that fits is {scale:g}" if scale is not None
            else "no scale of this network fits")
    raise MemoryLimitError(
        f"{specs.experiment_path}: network.scale = {specs.scale:g}: needs an estimated "
        f"{found.summary()}, more than the {format_bytes(limit[0])} allowed ({limit[1]}); "
        f"{hint}: lower it with --set scale=..., or pass --max-memory if the estimate is wrong")


__all__ = ["Estimate", "available_memory", "check_memory", "estimate", "expected_synapses",
           "format_bytes", "largest_fitting_scale", "parse_memory"]
