"""Scaling of the main experiment with ``scale``, against the COBA kernel limit (issue 7, item 3).

    .venv/bin/python benchmarks/scaling.py [--scales 1 2 4 8 16] [--quick]

For each ``scale`` (``--set network.scale=K``: population and input sizes times K, in-degrees
kept, so synapses grow as K), the main experiment (``experiments/fear_extinction.yaml``, 10 s
simulated) runs on cpp_standalone in a child process, and once more if that run compiled (the
user's cache lacked that size; the first build's seconds are reported), for warm numbers: wall
seconds per simulated second (simulation only, and the whole run), synaptic events per second
of simulation (presynaptic spikes times outgoing synapses, recurrent and input projections;
``common.synaptic_events``), and peak memory (MB, the child and the binary it waited for).

The same session runs the COBA benchmark (``benchmarks/reference/coba.py``: 4000 LIF, ~80
synapses per neuron, 5 s, cpp_standalone) for the kernel's events per second on this machine,
and COBA with 0%, 10% and 100% of its neurons' spikes recorded, for the cost of recording.
COBA is also run once under Brian2's profiler: most of its time goes to neuron state updates,
not to synaptic events, so neuron updates per second (neurons x time steps / simulation time)
are compared as well: after the first warm runs, COBA and each scale run ``--repeats`` - 1 more
times in turn (default 3 in all), and the ratio of neuron updates per second is given as the
median of the rounds' ratios with its range (one warm run of each swings by ~20% on a shared
machine).

``--quick``: scales 1 and 2 only, COBA for 2 s. Scale 16 compiles for 10-20 minutes and runs
for several more on a 2-core machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from common import (
    MAIN_SPEC,
    PYTHON,
    REPO,
    Measurement,
    allonet_command,
    bench_dir,
    cache_env,
    load_average,
    measure,
    measure_warm,
    ratio,
    table,
)

COBA = REPO / "benchmarks" / "reference" / "coba.py"


def coba(duration: float, record: float = 1.0, profile: bool = False) -> Measurement:
    """COBA on cpp_standalone in the benchmark cache, measured warm (run again if it compiled)."""
    command = [PYTHON, str(COBA), "--device", "standalone", "--duration", str(duration),
               "--record", str(record), "--build-dir", str(bench_dir() / "coba")]
    label = f"COBA {duration:g} s, record {record:g}" + (", profiled" if profile else "")
    return measure_warm(label, command + (["--profile"] if profile else []))[1]


def state_update_share(profile: dict[str, float]) -> float:
    """Fraction of a profiled run's time spent in neuron state updates."""
    return sum(s for name, s in profile.items() if "stateupdater" in name) / sum(profile.values())


def updates_per_s(run: Measurement) -> float:
    """Neuron state updates per second of an allonet run's simulation (neurons x steps / s)."""
    events = run.result["events"]
    return events["neurons"] * events["steps"] / run.result["run_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--quick", action="store_true", help="scales 1 and 2, COBA for 2 s")
    parser.add_argument("--repeats", type=int, default=3,
                        help="warm rounds of COBA and each scale for the neuron-update ratio")
    args = parser.parse_args()
    scales = [1.0, 2.0] if args.quick else args.scales
    coba_s = 2.0 if args.quick else 5.0
    print(f"load average before: {load_average()}")

    kernel = coba(coba_s)
    profiled = coba(coba_s, profile=True)
    recording = [coba(coba_s, record) for record in (0.0, 0.1)] + [kernel]

    runs: list[tuple[float, Measurement, Measurement]] = []
    with tempfile.TemporaryDirectory(prefix="allonet-bench-") as tmp:
        commands = {scale: allonet_command(MAIN_SPEC, ["device=standalone",
                                                       f"network.scale={scale:g}"],
                                           Path(tmp) / f"scale{scale:g}.h5")
                    for scale in scales}
        for scale, command in commands.items():
            runs.append((scale, *measure_warm(f"main scale {scale:g}", command, cache_env())))
        # rounds of warm runs in turn, so that a slow spell of the machine hits both sides
        rounds = [(kernel, [warm for _, _, warm in runs])]
        for _ in range(args.repeats - 1):
            coba_round = coba(coba_s)
            rounds.append((coba_round, [measure(f"main scale {scale:g}", command, cache_env())
                                        for scale, command in commands.items()]))

    rows = []
    for scale, first, warm in runs:
        r, ev = warm.result, warm.result["events"]
        rows.append([f"{scale:g}", f"{ev['neurons']:.0f}", f"{ev['synapses']:.3g}",
                     f"{first.result['build_s']:.0f}" if first.result["compiled"] else "cached",
                     f"{r['run_s'] / ev['duration_s']:.2f}",
                     f"{warm.wall_s / ev['duration_s']:.2f}",
                     f"{ev['synaptic'] / r['run_s']:.3g}",
                     f"{warm.peak_mb:.0f}"])
    print("\nmain experiment (cpp_standalone, warm):")
    print(table(["scale", "neurons", "synapses", "first build s", "sim s / sim s",
                 "wall s / sim s", "events / s", "peak MB"], rows))
    base_scale, _, base = runs[0]
    per_syn = base.result["run_s"] / base.result["events"]["synapses"]
    print("\nsimulation time per synapse relative to the smallest scale "
          "(<= 1.00x: no worse than linear in synapses):")
    for scale, _, warm in runs[1:]:
        this = warm.result["run_s"] / warm.result["events"]["synapses"]
        print(f"  scale {scale:g} vs {base_scale:g}: {ratio(this, per_syn)}")

    k = kernel.result
    print(f"\nCOBA kernel limit: {k['events_per_s']:.3g} events/s ({k['synapses']} synapses, "
          f"{k['rate_hz']:.1f} Hz, {k['run_s']:.2f} s for {coba_s:g} s)")
    for scale, _, warm in runs:
        ev = warm.result["events"]
        print(f"  main scale {scale:g}: {ev['synaptic'] / warm.result['run_s']:.3g} events/s = "
              f"{ev['synaptic'] / warm.result['run_s'] / k['events_per_s']:.1%} of COBA")

    # COBA's time goes mostly to neuron state updates, not to synaptic events: the rate of neuron
    # updates is the kernel limit that compares across networks of different activity
    share = state_update_share(profiled.result["profile"])
    coba_updates = statistics.median(c.result["updates_per_s"] for c, _ in rounds)
    print(f"\nCOBA neuron updates: {coba_updates:.3g}/s (median); {share:.0%} of its simulation "
          "time is neuron state updates (Brian2 profiler)")
    for i, scale in enumerate(scales):
        ratios = [updates_per_s(mains[i]) / c.result["updates_per_s"] for c, mains in rounds]
        updates = statistics.median(updates_per_s(mains[i]) for _, mains in rounds)
        print(f"  main scale {scale:g}: {updates:.3g} neuron updates/s = "
              f"{statistics.median(ratios):.1%} of COBA (median of {len(ratios)} rounds; "
              f"{min(ratios):.1%}-{max(ratios):.1%})")

    print("\nrecording cost (COBA, spikes of a fraction of the neurons recorded):")
    print(table(["recorded", "simulate s", "vs none", "peak MB"],
                [[f"{m.result['record']:.0%}", f"{m.result['run_s']:.3f}",
                  ratio(m.result["run_s"], recording[0].result["run_s"]), f"{m.peak_mb:.0f}"]
                 for m in recording]))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
