"""Receptor states per session of a fear study sweep (issue 21): ALLO, δ and α4 per region.

    .venv/bin/python experiments/studies/receptor_states.py results/menstrual_cycle [REGION ...]

Reads the sweep's manifest and run files (nothing is simulated). For each condition of the
spec's ``summary.conditions`` it takes the first finished run (the states follow the ALLO
schedule alone, so every seed of a condition has the same ones) and prints, per session and
region, the biological start (h), the mean ALLO applied during the session (nM) and the δ
expression and α4 fraction (dimensionless; ALLO-free δ = 1) at the session's first sample, as
recorded in ``/receptors/<region>/...``. Runs without receptor plasticity have no states: "off".
Writes ``receptor_states.csv`` into the sweep directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from allonet.analysis.study_summary import format_table, read_index, write_table
from allonet.store import read_run
from allonet.sweep.manifest import load_manifest
from allonet.sweep.spec import load_sweep


def session_states(run_file: Path, regions: list[str]) -> list[list[object]]:
    """Rows (session, bio start h, region, ALLO nM, δ, α4) of one run file."""
    data = read_run(run_file).data
    rows = []
    for name, start, stop, bio in zip(data["sessions/name"], data["sessions/start"],
                                      data["sessions/stop"], data["sessions/bio_start"],
                                      strict=True):
        for region in regions:
            t, c = data[f"allo/{region}/t_sim"], data[f"allo/{region}/concentration"]
            allo = float(c[(t >= start) & (t <= stop)].mean())
            key = f"receptors/{region}"
            if f"{key}/delta" in data:
                ts = data[f"{key}/t_sim"]
                k = int(np.searchsorted(ts, start))
                delta, alpha4 = (f"{data[f'{key}/{s}'][k]:.3f}" for s in ("delta", "alpha4"))
            else:
                delta = alpha4 = "off"
            rows.append([str(name), f"{float(bio):.0f}", region, f"{allo:.1f}", delta, alpha4])
    return rows


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    sweep_dir = Path(argv[0])
    regions = argv[1:] or ["amygdala", "hippocampus"]
    manifest = load_manifest(sweep_dir)
    spec = load_sweep(manifest.sweep_file)
    conditions, n_seeds = spec.condition_labels, len(spec.seed_list)
    first: dict[str, Path] = {}
    for row in read_index(sweep_dir):
        label = conditions[int(row["point"]) // n_seeds]
        first.setdefault(label, sweep_dir / row["run_file"])
    header = ["condition", "session", "bio start (h)", "region", "ALLO (nM)", "delta", "alpha4"]
    table = [[label, *r] for label in conditions if label in first
             for r in session_states(first[label], regions)]
    write_table(sweep_dir / "receptor_states.csv", header, table)
    print(format_table(header, table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
