"""allonet's ``vlachos2011`` vs the same network written by hand in Brian2 (issue 7, item 2).

    .venv/bin/python benchmarks/vlachos_reference.py [--quick] [--seed 1]

Both sides run ``experiments/vlachos2011.yaml``'s network and protocol (2.7 s simulated):
allonet through ``allonet.runner.run_experiment``, the reference as
``benchmarks/reference/vlachos2011_ba.py`` (plain Brian2, one script). Each case runs in a child
process, and once more if that run compiled anything, for warm numbers: simulation
seconds (the standalone binary's run, or ``Network.run`` on the runtime device) and the whole
child's wall time (interpreter start, imports, construction, code generation, compile check,
simulation, and for allonet the readouts and the run file), plus peak memory.

Ratios: allonet / reference on the same device (cpp_standalone; Cython runtime too unless
``--quick``), and the reference on the Cython runtime / allonet on cpp_standalone (what a user
gains by switching to allonet's default device). The mean CS-window rates of the fear and
extinction groups per phase are printed for both, to show that it is the same model (one seed
each: expect agreement within trial-to-trial noise, not identity: the random streams differ).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import (
    PYTHON,
    REPO,
    VLACHOS_SPEC,
    Measurement,
    allonet_command,
    bench_dir,
    cache_env,
    load_average,
    measure_warm,
    ratio,
    table,
)

REFERENCE = REPO / "benchmarks" / "reference" / "vlachos2011_ba.py"
PHASES = ("conditioning", "extinction", "renewal")


def reference(device: str, seed: int) -> Measurement:
    """The hand-written script on ``device`` (standalone or cython), measured warm."""
    command = [PYTHON, str(REFERENCE), "--device", device, "--seed", str(seed),
               "--build-dir", str(bench_dir() / "vlachos2011_ba")]
    env = cache_env()
    if device == "cython":  # a Cython cache of its own, kept apart from allonet's
        cython_cache = str(bench_dir() / "cython")
        command = [PYTHON, "-c", "import brian2, runpy, sys; "
                   f"brian2.prefs.codegen.runtime.cython.cache_dir = {cython_cache!r}; "
                   f"sys.argv = {[str(REFERENCE), *command[2:]]!r}; "
                   f"runpy.run_path({str(REFERENCE)!r}, run_name='__main__')"]
    return measure_warm(f"reference {device}", command, env)[1]


def allonet(device: str, seed: int, out: Path) -> tuple[Measurement, Path]:
    """allonet's vlachos2011 on ``device`` (standalone or runtime), measured warm."""
    path = out / f"allonet-{device}.h5"
    command = allonet_command(VLACHOS_SPEC, [f"device={device}", f"seed={seed}"], path)
    return measure_warm(f"allonet {device}", command, cache_env())[1], path


def allonet_rates(path: Path) -> dict[str, list[float]]:
    """Mean CS-window rates (Hz) of the fear and extinction groups per phase of a run file."""
    from allonet.analysis.fear import rates_by_trial
    from allonet.store import read_run

    rates = read_run(path).table("readouts/cs_rates")
    return {p: [float(rates_by_trial(rates, g, p).mean()) for g in ("fear", "extinction")]
            for p in PHASES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip allonet on the runtime device")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="allonet-bench-") as tmp:
        cases = {"reference standalone": reference("standalone", args.seed),
                 "reference cython": reference("cython", args.seed)}
        a_sa, path = allonet("standalone", args.seed, Path(tmp))
        cases["allonet standalone"] = a_sa
        if not args.quick:
            cases["allonet runtime"] = allonet("runtime", args.seed, Path(tmp))[0]
        ours = allonet_rates(path)

    def sim(name: str) -> float:
        return float(cases[name].result["run_s"])

    print(table(["case", "simulate s", "wall s", "peak MB"],
                [[name, f"{sim(name):.2f}", f"{m.wall_s:.1f}", f"{m.peak_mb:.0f}"]
                 for name, m in cases.items()]))
    def compare(a: str, b: str) -> str:
        return (f"simulation {ratio(sim(a), sim(b))}, "
                f"whole run {ratio(cases[a].wall_s, cases[b].wall_s)}")

    print("\nallonet / reference, same device (<= 1.2x: the framework adds little):")
    print(f"  cpp_standalone: {compare('allonet standalone', 'reference standalone')}")
    if "allonet runtime" in cases:
        print(f"  Cython runtime: {compare('allonet runtime', 'reference cython')}")
    print("reference on Cython runtime / allonet on cpp_standalone (>= 3x wanted): "
          f"{compare('reference cython', 'allonet standalone')}")

    theirs = cases["reference standalone"].result["cs_rates_hz"]
    print(f"\nmean CS-window rate (Hz), seed {args.seed}: fear / extinction group")
    print(table(["phase", "allonet", "reference"],
                [[p, f"{ours[p][0]:.2f} / {ours[p][1]:.2f}",
                  f"{theirs[p][0]:.2f} / {theirs[p][1]:.2f}"] for p in PHASES]))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
