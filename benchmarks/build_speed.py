"""What a user waits for on the main experiment: the first build and a warm run (issue 18).

    .venv/bin/python benchmarks/build_speed.py [--skip-cold | --quick]

Cases, in child processes, in this one session:

- *cold first run*: ``experiments/fear_extinction.yaml`` with a fresh, empty ``ALLONET_CACHE``:
  code generation, the compile (``build_s``) and the run, interpreter start to run file.
- *compile, Brian2's makefile vs allonet's make rules*: the project that run generated, its
  object files deleted, compiled by ``make -j2`` with Brian2's makefile alone, then with
  ``-f allonet.mk`` as the engine does (``toolchain.MAKE_RULES``: a precompiled header for the
  code objects, ``objects.cpp`` unoptimised): the same sources, side by side.
- *warm whole run*: the same spec on the warm cache (a direct run of the binary): the child's
  wall time over the binary's simulation time.

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
    allonet_command,
    cache_env,
    load_average,
    measure,
    measure_warm,
    ratio,
    table,
)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-cold", "--quick", action="store_true",
                        help="no cold first run or compile comparison (warm run only)")
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
        _, warm = measure_warm("warm run", allonet_command(MAIN_SPEC, [], out), cache_env())
        rows.append(["warm whole run (direct)", f"{warm.wall_s:.2f}", "",
                     f"{warm.result['run_s']:.2f}",
                     f"whole/binary {ratio(warm.wall_s, warm.result['run_s'])}"])
    print(table(["case", "wall s", "build s", "binary s", "ratio"], rows))
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
