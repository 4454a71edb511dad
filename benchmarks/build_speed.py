"""What a user waits for on the main experiment: the first build and a warm run (issue 18).

    .venv/bin/python benchmarks/build_speed.py [--skip-cold | --quick]

Cases, in child processes, in this one session:

- *cold first run*: ``experiments/fear_extinction.yaml`` with a fresh, empty ``ALLONET_CACHE``:
  code generation, the compile (``build_s``) and the run, interpreter start to run file.
- *compile, Brian2's makefile vs allonet's make rules*: the project that run generated, its
  object files deleted, compiled by ``make -j2`` with Brian2's makefile alone, then with
  ``-f allonet.mk`` as the engine does (``toolchain.MAKE_RULES``: a precompiled header for the
  code objects, ``objects.cpp`` unoptimised): the same sources, side by side.
- *warm whole run*: ``allonet run`` of the same spec on the warm cache (a direct run of the
  binary, no figure), ``--repeats`` times: the command's wall time, process start to exit, over
  the binary's time (started, run, results read back; ``run_seconds`` of the run file).

The load average is printed with the ratios.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import (
    MAIN_SPEC,
    PYTHON,
    REPO,
    allonet_command,
    cache_env,
    load_average,
    measure,
    measure_warm,
    ratio,
    table,
)

from allonet.store import read_run


def compile_seconds(project: Path, rules: bool) -> float:
    """Seconds of ``make -j2`` on a copy of ``project`` with no object files, with Brian2's
    makefile alone or with allonet's make rules too."""
    from allonet import toolchain

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(project, copy, ignore=shutil.ignore_patterns("results", "*.gch"))
        for path in [copy / "main", *copy.rglob("*.o")]:
            path.unlink(missing_ok=True)
        args = toolchain.make_arguments(2) if rules else ["-j2"]
        start = time.perf_counter()
        subprocess.run(["make", *args], cwd=copy, check=True, capture_output=True)
        return time.perf_counter() - start


def warm_command_run(out: Path) -> tuple[float, float]:
    """What a user waits for on a warm cache: ``allonet run`` of the main experiment (no figure)
    from process start to exit, and the binary's time (``run_seconds`` in its run file: the
    binary started, run and its results read back), in seconds."""
    command = [PYTHON, "-m", "allonet", "run", str(MAIN_SPEC), "-o", str(out), "--overwrite",
               "--no-figure", "-q"]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, env=cache_env(), stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    return wall, float(sum(read_run(out, groups=()).attrs["build"]["run_seconds"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-cold", "--quick", action="store_true",
                        help="no cold first run or compile comparison (warm run only)")
    parser.add_argument("--repeats", type=int, default=3, help="warm runs of `allonet run`")
    args = parser.parse_args()
    print(f"load average before: {load_average()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.h5"
        if not args.skip_cold:
            cache = Path(tmp) / "cache"
            cold = measure("cold first run", allonet_command(MAIN_SPEC, [], out),
                           cache_env(cache))
            rows.append(["cold first run (empty cache)", f"{cold.wall_s:.1f}",
                         f"{cold.result['build_s']:.1f}", f"{cold.result['run_s']:.2f}", ""])
            project = cache / "standalone" / cold.result["structure_hash"]
            plain, fast = compile_seconds(project, False), compile_seconds(project, True)
            rows.append(["compile, Brian2's makefile", "", f"{plain:.1f}", "", ""])
            rows.append(["compile, + allonet.mk", "", f"{fast:.1f}", "",
                         f"{ratio(plain, fast)} faster"])
        measure_warm("warm-up run", allonet_command(MAIN_SPEC, [], out), cache_env())
        for k in range(args.repeats):
            wall, binary = warm_command_run(out)
            rows.append([f"warm whole run, `allonet run` ({k + 1})", f"{wall:.2f}", "",
                         f"{binary:.2f}", f"whole/binary {ratio(wall, binary)}"])
    print(table(["case", "wall s", "build s", "binary s", "ratio"], rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
