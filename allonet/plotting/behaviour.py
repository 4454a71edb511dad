"""Fear readouts per trial: the freezing proxy, and fear vs extinction neurons (rates, fractions).

Rates in Hz, the freezing proxy and fractions dimensionless (0-1).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.analysis.fear import FreezingCurve, fear_ratio
from allonet.plotting import common
from allonet.plotting.style import (
    DOUBLE_COLUMN,
    RC,
    SINGLE_COLUMN,
    context_shade,
    panel_label,
    role_color,
)
from allonet.store import RunFile


def freezing_source(run: RunFile) -> tuple[dict[str, np.ndarray], str, str]:
    """The per-trial fear measure to plot: (table with phase, trial, value), y label, note.

    ``readouts/freezing`` when present; else the CS rate of CeM (the central amygdala output);
    else the CS rate of the readout population.
    """
    table = run.table("readouts/freezing")
    if "freezing" in table:
        cs = table.get("cs", np.ones(len(table["phase"]), dtype=np.int8))
        return ({"phase": table["phase"], "trial": table["trial"], "value": table["freezing"],
                 "cs": cs}, "freezing proxy (0-1)", _freezing_note(run))
    rates = run.table("readouts/cs_rates")
    for group in ("CeM", common.readout_population(run)):
        rows = rates.get("group", np.array([])) == group
        if group and rows.any():
            return ({"phase": rates["phase"][rows], "trial": rates["trial"][rows],
                     "value": rates["rate"][rows], "cs": np.ones(int(rows.sum()), dtype=np.int8)},
                    f"{group} CS rate (Hz)", f"proxy: {group} CS-window rate (no freezing table)")
    raise ValueError("no readouts/freezing table and no CS rates to stand in for it")


def _freezing_note(run: RunFile) -> str:
    spec = common.protocol(run).get("freezing") or {}
    if spec:
        return FreezingCurve.from_spec(spec).describe(spec.get("population", "?"))
    return "proxy from readouts/freezing"


def freezing_figure(run: RunFile) -> plt.Figure:
    """(A) freezing proxy per CS across phases (context-shaded; open markers: windows of the
    context alone), (B) mean ± s.e.m. per phase, with freezing to the context before the first
    CS (hatched) where the run has it."""
    table, ylabel, note = freezing_source(run)
    with plt.rc_context(RC):
        fig, (trials, means) = plt.subplots(1, 2, figsize=(DOUBLE_COLUMN, 2.3),
                                            width_ratios=[2.2, 1], layout="constrained")
        positions = common.trial_axis(trials, run)
        for phase in common.phases(run):
            rows = table["phase"] == phase.name
            x = [positions[(phase.name, int(k))] for k in table["trial"][rows]]
            order = np.argsort(x)
            cs = table["cs"][rows][order].astype(bool)
            values, xs = table["value"][rows][order], np.array(x)[order]
            trials.plot(xs, values, "o-", color="0.1", ms=3, lw=0.9)
            if not cs.all():
                trials.plot(xs[~cs], values[~cs], "o", mfc="white", mec="0.1", ms=3)
        trials.set_ylabel(ylabel)
        trials.set_ylim(bottom=0)
        fig.suptitle(note, fontsize=7, color="0.3")
        _phase_means(means, run, table)
        means.set_ylabel(ylabel)
        for ax, label in zip((trials, means), "AB", strict=True):
            panel_label(ax, label, x=-0.12 if ax is trials else -0.3)
    return fig


def _phase_means(ax: plt.Axes, run: RunFile, table: dict[str, np.ndarray]) -> None:
    names, means, sems, shades, context = [], [], [], [], []
    alone = run.table("readouts/context_freezing")
    for phase in common.phases(run):
        values = table["value"][table["phase"] == phase.name]
        if values.size == 0:
            continue
        names.append(phase.name.replace("_", " "))
        means.append(values.mean())
        sems.append(values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0)
        shades.append(phase.context)
        before = alone.get("freezing", np.array([]))[alone.get("phase", np.array([])) ==
                                                      phase.name]
        context.append(float(before[0]) if before.size else np.nan)
    x = np.arange(len(names))
    width = 0.8 if np.all(np.isnan(context)) else 0.42
    ax.bar(x - (0.8 - width) / 2, means, width, yerr=sems,
           color=[context_shade(c) for c in shades], edgecolor="0.2", lw=0.6, capsize=2,
           error_kw={"lw": 0.7}, label="CS windows")
    if width < 0.8:
        ax.bar(x + width / 2, context, width, color=[context_shade(c) for c in shades],
               edgecolor="0.2", lw=0.6, hatch="////", label="context alone, before CS")
        ax.legend(frameon=False, fontsize=5, loc="upper right")
    ax.set_xticks(x, names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel("phase (mean ± s.e.m. over CS)")
    ax.set_ylim(bottom=0)


def neuron_groups(run: RunFile) -> dict[str, str]:
    """Subgroup name -> readout-table group label of the readout population (fear, extinction)."""
    readout = common.readout_population(run)
    groups = run.table("readouts/cs_rates").get("group", np.array([]))
    if not readout:
        return {}
    return {name: label for name in common.subgroups(run, readout)
            for label in (name, f"{readout}_{name}", f"{readout}.{name}", f"{readout} {name}")
            if np.any(groups == label)}


def neurons_figure(run: RunFile) -> plt.Figure:
    """(A) CS-window rates of the fear and extinction neurons per CS across phases; (B) neuron
    class fractions (``readouts/neuron_classes``) or, without that table, the fear ratio
    r_fear / (r_fear + r_ext) per CS."""
    groups = neuron_groups(run)
    if not groups:
        raise ValueError("the readout population has no subgroups with CS rates")
    rates = run.table("readouts/cs_rates")
    classes = run.table("readouts/neuron_classes")
    with plt.rc_context(RC):
        fig, (ax_rates, ax_b) = plt.subplots(1, 2, figsize=(DOUBLE_COLUMN, 2.4),
                                             width_ratios=[2.2, 1] if classes else [1, 1],
                                             layout="constrained")
        positions = common.trial_axis(ax_rates, run)
        series = {}
        for index, (name, label) in enumerate(groups.items()):
            x, y = _trial_series(run, rates, label, positions)
            series[name] = (x, y)
            ax_rates.plot(x, y, "o-", ms=3, lw=0.9, color=role_color(name, index),
                          label=f"{name} neurons")
        ax_rates.set_ylabel("CS-window rate (Hz)")
        ax_rates.set_ylim(bottom=0)
        fig.legend(*ax_rates.get_legend_handles_labels(), loc="outside upper left", ncol=2,
                   fontsize=6)
        if classes:
            _class_bars(ax_b, classes)
        else:
            _ratio(ax_b, run, series, positions)
        for ax, label in zip((ax_rates, ax_b), "AB", strict=True):
            panel_label(ax, label, x=-0.12 if ax is ax_rates else -0.25)
    return fig


def _trial_series(run: RunFile, rates: dict[str, np.ndarray], group: str,
                  positions: dict[tuple[str, int], int]) -> tuple[np.ndarray, np.ndarray]:
    rows = rates["group"] == group
    x = np.array([positions[(str(p), int(t))] for p, t in
                  zip(rates["phase"][rows], rates["trial"][rows], strict=True)])
    order = np.argsort(x)
    return x[order], rates["rate"][rows][order]


def _class_bars(ax: plt.Axes, classes: dict[str, np.ndarray]) -> None:
    names = [str(c) for c in classes["class"]]
    keep = [k for k, c in enumerate(names) if c != "fear_responsive"]
    x = np.arange(len(keep))
    ax.bar(x, classes["fraction"][keep] * 100,
           color=[role_color(names[k], k) for k in keep], edgecolor="0.2", lw=0.6)
    for xi, k in zip(x, keep, strict=True):
        ax.text(xi, classes["fraction"][k] * 100, f"n={int(classes['n'][k])}", ha="center",
                va="bottom", fontsize=6)
    ax.set_xticks(x, [names[k].replace("_", " ") for k in keep], rotation=30, ha="right",
                  rotation_mode="anchor")
    ax.set_ylabel("neurons (% of population)")
    ax.set_xlabel("class (overlap: % of responsive)")
    ax.set_ylim(0, max(5.0, float(classes["fraction"][keep].max()) * 100 * 1.25))


def _ratio(ax: plt.Axes, run: RunFile, series: dict, positions: dict) -> None:
    common.trial_axis(ax, run)
    if "fear" in series and "extinction" in series:
        (x, fear), (_, ext) = series["fear"], series["extinction"]
        ax.plot(x, fear_ratio(fear, ext), "o-", ms=3, lw=0.9, color="0.1")
    ax.axhline(0.5, color="0.5", lw=0.6, ls="--")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("fear ratio r_fear / (r_fear + r_ext)")


def ensembles_figure(run: RunFile) -> plt.Figure:
    """Context ensembles (``readouts/ensemble_overlap``): Jaccard overlap of the active sets of the
    ensemble population between each pair of contexts, with the set sizes; single column."""
    table = run.table("readouts/ensemble_overlap")
    population = common.protocol(run).get("ensemble_population") or "ensemble population"
    threshold = common.protocol(run).get("ensemble_threshold", "?")
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(SINGLE_COLUMN, 2.4), layout="constrained")
        x = np.arange(len(table["pair"]))
        ax.bar(x, table["overlap"], color=role_color("overlap"), edgecolor="0.2", lw=0.6)
        for xi, overlap, n_a, n_b in zip(x, table["overlap"], table["n_a"], table["n_b"],
                                         strict=True):
            ax.text(xi, overlap, f"{int(n_a)} / {int(n_b)}", ha="center", va="bottom", fontsize=6)
        ax.set_xticks(x, [f"{p}" for p in table["pair"]])
        ax.set_xlabel("context pair (numbers: active neurons in each)")
        ax.set_ylabel("ensemble overlap (Jaccard, 0-1)")
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{population} ensembles (active ≥ {threshold})", fontsize=8)
    return fig
