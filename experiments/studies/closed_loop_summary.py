"""Summary of study 3 (closed-loop ALLO synthesis vs finasteride): table (printed + CSV) and figure.

    .venv/bin/python experiments/studies/closed_loop_summary.py results/closed_loop_synthesis

Reads the sweep's index.csv and run files (nothing is simulated). Writes
``closed_loop_summary.csv`` and ``figures/closed_loop.{png,pdf}`` into the sweep directory (beside
the sweep's own report, ``summary.csv``). Rates in Hz, times in s of the simulation clock
(x ``clock.time_scale`` for biological time), concentrations in nM.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from allonet.analysis import study_summary
from allonet.analysis.stress import binned_rate
from allonet.analysis.study_summary import by_condition, paired, read_index, stat
from allonet.plotting import style
from allonet.store import read_run

MEASURES = [  # (index column, label, unit)
    ("stress_response.all.baseline_hz", "LA+BA baseline", "Hz"),
    ("stress_response.all.peak_excess_hz", "LA+BA peak excess", "Hz"),
    ("stress_response.all.duration_s", "LA+BA overshoot duration", "s"),
    ("stress_response.all.excess_spikes", "LA+BA extra spikes per cell", "1"),
    ("stress_response.LA.peak_excess_hz", "LA peak excess", "Hz"),
    ("stress_response.BA.peak_excess_hz", "BA peak excess", "Hz"),
    ("allo_peak.amygdala.peak_nM", "amygdala ALLO peak", "nM"),
]


def condition(row: dict[str, str]) -> str:
    """``synthesis`` or ``finasteride <fraction>`` from the point's parameters."""
    raw = row.get("drugs.finasteride", "")
    try:
        fraction = float(json.loads(raw.replace("'", '"')).get("amygdala", 0.0)) if raw else 0.0
    except (ValueError, AttributeError):
        fraction = 0.0
    return "synthesis" if fraction == 0 else f"finasteride {fraction:g}"


def summarize(sweep_dir: Path) -> tuple[list[str], list[list[object]]]:
    """Header and rows: measure, unit, mean ± s.e.m. per condition, paired effect (2 - 1)."""
    rows = read_index(sweep_dir)
    names = list(by_condition(rows, condition, MEASURES[0][0]))
    header = ["measure", "unit", *names, f"paired difference ({' - '.join(names[::-1])})"]
    out = []
    for column, label, unit in MEASURES:
        groups = by_condition(rows, condition, column)
        cells = [stat(list(groups[n].values())).text() for n in names]
        effect = ""
        if len(names) == 2:
            p = paired(groups[names[0]], groups[names[1]])
            effect = (f"{p.difference:+.2f} (d = {p.cohen_d:.2f}; {names[1]} > {names[0]} in "
                      f"{p.b_greater}/{p.n} seeds)")
        out.append([label, unit, *cells, effect])
    return header, out


def figure(sweep_dir: Path) -> list[Path]:
    """ALLO and LA+BA rate over time (mean over seeds) per condition, and paired peaks."""
    rows = read_index(sweep_dir)
    fig = style.figure(height=2.3)
    axes = fig.subplots(1, 3)
    traces: dict[str, dict[str, list]] = {}
    for row in rows:
        run = read_run(sweep_dir / row["run_file"]) if not Path(row["run_file"]).is_absolute() \
            else read_run(row["run_file"])
        name = condition(row)
        t = run.data["allo/amygdala/t_sim"]
        stop = float(run.data["phases/stop"][-1])
        edges = np.arange(0.0, stop + 1e-9, 0.05)
        sizes = {p: run.spec["network"]["populations"][p]["n"] for p in ("LA", "BA")}
        times = np.concatenate([run.data[f"spikes/{p}/timestamps"] for p in sizes])
        entry = traces.setdefault(name, {"t": t, "allo": [], "edges": edges, "rate": []})
        entry["allo"].append(run.data["allo/amygdala/concentration"])
        entry["rate"].append(binned_rate(times, sum(sizes.values()), edges))
    for k, (name, entry) in enumerate(traces.items()):
        color = style.CYCLE[k]
        axes[0].plot(entry["t"], np.mean(entry["allo"], axis=0), color=color, label=name)
        mid = 0.5 * (entry["edges"][1:] + entry["edges"][:-1])
        axes[1].plot(mid, np.mean(entry["rate"], axis=0), color=color, label=name)
    axes[0].set(xlabel="time (s, simulated)", ylabel="amygdala ALLO (nM)")
    axes[1].set(xlabel="time (s, simulated)", ylabel="LA+BA rate (Hz)")
    axes[0].legend(frameon=False)
    peaks = by_condition(rows, condition, "stress_response.all.peak_excess_hz")
    names = list(peaks)
    seeds = sorted(set.intersection(*(set(v) for v in peaks.values())))
    for seed in seeds:
        axes[2].plot(range(len(names)), [peaks[n][seed] for n in names], color="0.7", lw=0.6)
    for k, n in enumerate(names):
        s = stat(list(peaks[n].values()))
        axes[2].errorbar(k, s.mean, yerr=s.sem, fmt="o", color=style.CYCLE[k])
    axes[2].set_xticks(range(len(names)), names)
    axes[2].set(ylabel="LA+BA peak excess (Hz)", xlim=(-0.5, len(names) - 0.5))
    for ax, label in zip(axes, "ABC", strict=True):
        style.panel_label(ax, label)
    return style.save(fig, sweep_dir / "figures" / "closed_loop")


if __name__ == "__main__":
    study_summary.main(__doc__.splitlines()[0], summarize, figure, "closed_loop_summary.csv")
