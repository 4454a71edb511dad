"""Weight trajectories of the plastic populations: CS and context weights (nS) over the session."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.plotting import common
from allonet.plotting.style import DOUBLE_COLUMN, RC, role_color
from allonet.store import RunFile


def plastic_populations(run: RunFile) -> list[str]:
    """Populations with recorded weights (``weights/<population>/t``)."""
    found = {k.split("/")[1] for k in run.data if k.startswith("weights/") and k.endswith("/t")}
    order = common.populations(run)
    return [p for p in order if p in found] + sorted(found - set(order))


def weight_groups(run: RunFile, pop: str) -> dict[str, tuple[int, int]]:
    """Neuron ranges to average: each subgroup and the rest of the population (``other``)."""
    n = run.data[f"weights/{pop}/w_cs"].shape[1]
    groups = dict(common.subgroups(run, pop))
    inside = np.zeros(n, bool)
    for first, last in groups.values():
        inside[first:last] = True
    if not groups:
        return {"all": (0, n)}
    if not inside.all():
        groups["other"] = (-1, -1)  # marker: the neurons outside every subgroup
    return groups


def _members(run: RunFile, pop: str, span: tuple[int, int]) -> np.ndarray:
    n = run.data[f"weights/{pop}/w_cs"].shape[1]
    if span != (-1, -1):
        return np.arange(span[0], span[1])
    inside = np.zeros(n, bool)
    for first, last in common.subgroups(run, pop).values():
        inside[first:last] = True
    return np.flatnonzero(~inside)


def weights_figure(run: RunFile) -> plt.Figure:
    """Mean ± s.d. over neurons of the CS and the context weights (nS) of every plastic
    population and its subgroups, over phases shaded by context with CS and US spans."""
    pops = plastic_populations(run)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(len(pops), 2, figsize=(DOUBLE_COLUMN, 0.5 + 1.7 * len(pops)),
                                 squeeze=False, sharex=True, layout="constrained")
        for row, pop in enumerate(pops):
            for col, (var, what) in enumerate((("w_cs", "CS"), ("w_ctx", "context"))):
                ax = axes[row, col]
                common.shade_session(ax, run, label=row == 0)
                _trajectories(ax, run, pop, var, prefix=f"{pop} " if len(pops) > 1 else "")
                ax.set_ylabel(f"{what} → {pop} weight (nS)")
                ax.set_xlim(0, common.duration(run))
        for ax in axes[-1]:
            ax.set_xlabel("time (s)")
        handles = common.session_legend_handles(run)
        for row in axes:
            handles += row[0].get_legend_handles_labels()[0]
        fig.legend(handles=handles, loc="outside upper center",
                   ncol=len(handles) if len(handles) <= 8 else -(-len(handles) // 2), fontsize=6)
    return fig


def _trajectories(ax: plt.Axes, run: RunFile, pop: str, var: str, prefix: str = "") -> None:
    t = run.data[f"weights/{pop}/t"]
    w = run.data[f"weights/{pop}/{var}"] * 1e9
    for index, (name, span) in enumerate(weight_groups(run, pop).items()):
        cols = _members(run, pop, span)
        if cols.size == 0:
            continue
        mean, sd = w[:, cols].mean(axis=1), w[:, cols].std(axis=1)
        color = role_color(name, index)
        ax.fill_between(t, mean - sd, mean + sd, color=color, alpha=0.2, lw=0)
        ax.plot(t, mean, color=color, lw=1.1, label=f"{prefix}{name} (n={cols.size})")

