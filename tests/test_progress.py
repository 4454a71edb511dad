"""Users see progress: the fraction simulated while a standalone binary runs (its own reports,
parsed), a line per finished condition, and compiled files during a build."""

from __future__ import annotations

import os
import time

from allonet.progress import watch_compile
from allonet.protocols import PROTOCOLS
from allonet.spec import load_experiment
from conftest import IPSC_SPEC


def test_standalone_runs_report_the_fraction_simulated(ipsc_runs):
    calls: list[tuple[float, int, str]] = []
    specs = load_experiment(IPSC_SPEC, ["seed=5"])
    PROTOCOLS["ipsc_dose_response"].run(specs, "standalone",
                                        lambda *call: calls.append(call))
    n = len(specs.experiment.protocol.concentrations)
    finished = [done for done, _, _ in calls if float(done).is_integer()]
    assert finished == list(range(1, n + 1))
    partial = [(done, label) for done, _, label in calls if not float(done).is_integer()]
    assert partial and all(label.endswith("% simulated") for _, label in partial)
    assert any(label.endswith("100% simulated") for _, label in partial)
    # partial progress of condition k lies between k - 1 and k finished conditions
    assert all(0 < done < n for done, _ in partial)
    assert [d for d, _ in partial] == sorted(d for d, _ in partial)


def test_compile_watch_counts_object_files_written_during_the_build(tmp_path):
    (tmp_path / "code_objects").mkdir()
    for k in range(4):
        (tmp_path / "code_objects" / f"c{k}.cpp").write_text("")
    old = tmp_path / "code_objects" / "c0.o"
    old.write_text("")
    os.utime(old, (time.time() - 60, time.time() - 60))  # compiled by an earlier build
    reports: list[tuple[int, int]] = []
    with watch_compile(tmp_path, lambda done, sources: reports.append((done, sources)),
                       interval=0.05):
        time.sleep(0.02)
        (tmp_path / "code_objects" / "c1.o").write_text("")
        (tmp_path / "code_objects" / "c2.o").write_text("")
        time.sleep(0.3)
    assert reports and reports[-1] == (2, 4)
