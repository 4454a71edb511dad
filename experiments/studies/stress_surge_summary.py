"""Summary of study 2 (acute stress surge): table (printed + CSV) and figure.

    .venv/bin/python experiments/studies/stress_surge_summary.py results/stress_surge

Reads the sweep's index.csv and run files (nothing is simulated). Writes
``stress_surge_summary.csv`` and ``figures/stress_surge.{png,pdf}`` into the sweep directory
(beside the sweep's own report, ``summary.csv``): per day the surge falls on, the amygdala ALLO
applied in each session (nM), the BA fear group's CS weight after conditioning (nS: what was
learned), CS-evoked BA rates (Hz) and the freezing proxy per phase, mean ± s.e.m. over seeds,
and the paired difference of each point from the control.
"""

from __future__ import annotations

from pathlib import Path

from allonet.analysis import study_summary
from allonet.analysis.study_summary import by_condition, paired, read_index, stat
from allonet.plotting import style

#: (clock.session_start, amygdala surge onset) of each point -> its label
LABELS = {("-1 h", ""): "control", ("7 min", ""): "surge at conditioning (day 0)",
          ("", "1433 min"): "surge at extinction (day 1)",
          ("", "2873 min"): "surge at tests (day 2)"}
PHASES = ["conditioning", "recall", "extinction", "test_B", "test_A", "test_C"]
#: (index column, label, unit, factor from the index's SI value to the unit)
MEASURES = [(f"sessions.amygdala.{day}.allo_mean", f"amygdala ALLO, {day}", "nM", 1.0)
            for day in ("day0", "day1", "day2")] + [
    (f"freezing.{p}.freezing", f"freezing {p}", "1", 1.0) for p in PHASES] + [
    ("context_freezing.test_A.freezing", "freezing to context A before the ABA CS", "1", 1.0),
    ("weights.recall.fear.w_cs", "BA fear group, CS weight after conditioning", "nS", 1e9),
    ("weights.recall.LA.w_cs", "LA, CS weight after conditioning", "nS", 1e9),
    ("weights.end.extinction.w_cs", "BA extinction group, CS weight after extinction", "nS", 1e9),
    ("cs_rates.conditioning.fear", "BA fear group, conditioning CS", "Hz", 1.0),
    ("cs_rates.recall.fear", "BA fear group, recall CS", "Hz", 1.0),
    ("cs_rates.extinction.extinction", "BA extinction group, extinction CS", "Hz", 1.0),
    ("cs_rates.test_A.fear", "BA fear group, ABA CS", "Hz", 1.0),
]


def condition(row: dict[str, str]) -> str:
    """The point's label from ``clock.session_start`` and the surge onset."""
    key = (row.get("clock.session_start", ""), row.get("drugs.allo.amygdala.onset", ""))
    return LABELS.get(key, f"start {key[0]}, onset {key[1]}")


def summarize(sweep_dir: Path) -> tuple[list[str], list[list[object]]]:
    """Header and rows: measure, unit, mean ± s.e.m. per condition, paired d vs control."""
    rows = read_index(sweep_dir)
    columns = {label: {name: {seed: v * factor for seed, v in values.items()}
                       for name, values in by_condition(rows, condition, column).items()}
               for column, label, _, factor in MEASURES}
    units = {label: u for _, label, u, _ in MEASURES}
    names = list(next(iter(columns.values())))
    control = names[0]
    header = ["measure", "unit", *names, *[f"d ({n} - {control})" for n in names[1:]]]
    table = []
    for label, groups in columns.items():
        cells = [stat(list(groups[n].values())).text(2) for n in names]
        effects = []
        for n in names[1:]:
            p = paired(groups[control], groups[n])
            effects.append(f"{p.difference:+.3f} (d {p.cohen_d:.2f}, {p.b_greater}/{p.n})")
        table.append([label, units[label], *cells, *effects])
    return header, table


def figure(sweep_dir: Path) -> list[Path]:
    """Freezing proxy per phase (mean ± s.e.m.), one line per placement."""
    rows = read_index(sweep_dir)
    fig = style.figure(width=style.SINGLE_COLUMN, height=2.4)
    ax = fig.subplots()
    for k, phase in enumerate(PHASES):
        groups = by_condition(rows, condition, f"freezing.{phase}.freezing")
        for j, name in enumerate(groups):
            s = stat(list(groups[name].values()))
            ax.errorbar(k + 0.12 * (j - 1.5), s.mean, yerr=s.sem, fmt="o", ms=3,
                        color=style.CYCLE[j], label=name if k == 0 else None)
    ax.set_xticks(range(len(PHASES)), PHASES, rotation=30)
    ax.set(ylabel="freezing proxy (CeM, 1)")
    ax.legend(frameon=False, fontsize=6)
    return style.save(fig, Path(sweep_dir) / "figures" / "stress_surge")


if __name__ == "__main__":
    study_summary.main(__doc__.splitlines()[0], summarize, figure, "stress_surge_summary.csv")
