"""Main experiment on cpp_standalone vs Brian2's Cython runtime, warm and cold (issue 7, item 1).

    .venv/bin/python benchmarks/main_devices.py [--quick]

Runs ``experiments/fear_extinction.yaml`` (about 2,000 LIF neurons, 10 s simulated) in child
processes and prints, per case: whether anything was compiled, the build seconds (standalone:
code generation excluded, compiling included; runtime: model construction, code generation and
Cython compiles), the simulation seconds (the binary's run, or ``Network.run``), the child's
whole wall time (interpreter start to run file written) and its peak memory.

- *warm*: the user's ``ALLONET_CACHE`` (run twice if the first run compiled anything). A
  second standalone run with another seed and ALLO level shows that nothing is compiled again
  (the engine's build record, also asserted by ``tests/test_fear_extinction.py``).
- *cold* (an hour or more on a 2-core machine: the Cython runtime compiles ~400 code objects
  one by one): a fresh, empty cache per device, so the first
  compile is measured too.

``--quick`` skips the cold runs and the repeated warm runs (one measured run per device).
Ratios are taken within this one session; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import (
    MAIN_SPEC,
    Measurement,
    allonet_command,
    cache_env,
    load_average,
    measure,
    measure_warm,
    ratio,
    table,
)


def run_case(label: str, device: str, out: Path, extra: list[str] | None = None,
             cache: Path | None = None) -> Measurement:
    """One main-experiment run on ``device`` in a child process."""
    overrides = [f"device={device}", *(extra or [])]
    return measure(label, allonet_command(MAIN_SPEC, overrides, out / f"{label}.h5"),
                   cache_env(cache))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="no cold runs, no repetitions")
    args = parser.parse_args()
    cold = not args.quick
    print(f"load average before: {load_average()}")
    rows: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="allonet-bench-") as tmp:
        out = Path(tmp)
        if cold:
            for device in ("standalone", "runtime"):
                rows.append(run_case(f"{device} cold", device, out, cache=out / f"cache-{device}"))
        for device in ("standalone", "runtime"):
            # the user's cache; a second run if the first compiled (a cold case did already)
            command = allonet_command(MAIN_SPEC, [f"device={device}"], out / f"{device}.h5")
            rows.append(measure_warm(f"{device} warm", command, cache_env())[1])
        rows.append(run_case("standalone warm, seed 2, 300 nM", "standalone", out,
                             ["seed=2", "drugs.allo_default=300 nM"]))
        if not args.quick:
            rows.append(run_case("standalone warm (repeat)", "standalone", out))
            rows.append(run_case("runtime warm (repeat)", "runtime", out))
    print(table(["case", "compiled", "build s", "simulate s", "wall s", "peak MB"],
                [[m.label, m.result["compiled"], f"{m.result['build_s']:.1f}",
                  f"{m.result['run_s']:.1f}", f"{m.wall_s:.1f}", f"{m.peak_mb:.0f}"]
                 for m in rows]))
    by = {m.label: m for m in rows}
    sa, rt = by["standalone warm"], by["runtime warm"]
    print("\nwarm, runtime / standalone: simulation "
          f"{ratio(rt.result['run_s'], sa.result['run_s'])}, "
          f"whole run {ratio(rt.wall_s, sa.wall_s)}")
    if cold:
        for device in ("standalone", "runtime"):
            first, warm = by[f"{device} cold"], by[f"{device} warm"]
            print(f"{device}: cold / warm whole run {ratio(first.wall_s, warm.wall_s)} "
                  f"(first build {first.result['build_s']:.0f} s)")
    again = by["standalone warm, seed 2, 300 nM"]
    print(f"another seed and ALLO level compiled anything: {again.result['compiled']} "
          f"(structure {again.result['structure_hash']} vs {sa.result['structure_hash']})")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
