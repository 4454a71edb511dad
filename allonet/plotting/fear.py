"""Overview of a ``fear_conditioning`` run (drawn by ``allonet run``): raster of the readout
population, CS rates of its subgroups per trial, and their mean CS and context weights."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.plotting import common
from allonet.plotting.style import DOUBLE_COLUMN, RC, panel_label, role_color
from allonet.store import RunFile


def fear_figure(run: RunFile) -> plt.Figure:
    """(A) raster of the readout population (subgroups coloured) over phases shaded by context,
    with CS and US spans; (B) CS-window rates (Hz) of its subgroups per CS; (C) mean CS (solid)
    and context (dashed) weights (nS) of its subgroups."""
    readout = common.protocol(run)["readout_population"]
    subgroups = common.subgroups(run, readout)
    with plt.rc_context(RC):
        fig = plt.figure(figsize=(DOUBLE_COLUMN, 5.0), layout="constrained")
        grid = fig.add_gridspec(2, 2, height_ratios=[1.3, 1])
        raster = fig.add_subplot(grid[0, :])
        rates = fig.add_subplot(grid[1, 0])
        weights = fig.add_subplot(grid[1, 1])
        _raster(raster, run, readout, subgroups)
        _rates(rates, run, subgroups)
        _weights(weights, run, readout, subgroups)
        for ax, label in zip((raster, rates, weights), "ABC", strict=True):
            panel_label(ax, label, x=-0.06 if ax is raster else -0.17)
        handles = common.session_legend_handles(run) + [
            plt.Line2D([], [], color=role_color(name, k), marker="o", ms=3, label=name)
            for k, name in enumerate(subgroups)] + [
            plt.Line2D([], [], color="0.2", lw=1.2, label="CS weight"),
            plt.Line2D([], [], color="0.2", lw=1.0, ls="--", label="context weight")]
        fig.legend(handles=handles, loc="outside upper center", ncol=len(handles), fontsize=6)
    return fig


def _raster(ax: plt.Axes, run: RunFile, readout: str, subgroups: dict) -> None:
    common.shade_session(ax, run)
    t, i = common.spikes(run, readout)
    colors = np.full(i.size, "0.35", dtype=object)
    for k, (name, (first, last)) in enumerate(subgroups.items()):
        colors[(i >= first) & (i < last)] = role_color(name, k)
    ax.scatter(t, i, s=1.5, c=list(colors), marker=".", lw=0, rasterized=True, zorder=2)
    ax.set_xlim(0, common.duration(run))
    ax.set_ylim(-0.5, common.population_size(run, readout) - 0.5)
    ax.set_ylabel(f"{readout} neuron (index)")
    ax.set_xlabel("time (s)")


def _rates(ax: plt.Axes, run: RunFile, subgroups: dict) -> None:
    table = run.table("readouts/cs_rates")
    positions = common.trial_axis(ax, run)
    for k, name in enumerate(subgroups):
        rows = table["group"] == name
        x = np.array([positions[(str(p), int(t))] for p, t in
                      zip(table["phase"][rows], table["trial"][rows], strict=True)])
        order = np.argsort(x)
        ax.plot(x[order], table["rate"][rows][order], "o-", ms=3, lw=1,
                color=role_color(name, k))
    ax.set_ylabel("CS-window rate (Hz)")
    ax.set_ylim(bottom=0)


def _weights(ax: plt.Axes, run: RunFile, readout: str, subgroups: dict) -> None:
    key = f"weights/{readout}"
    if f"{key}/t" not in run.data:
        ax.text(0.5, 0.5, "no weights recorded", transform=ax.transAxes, ha="center")
        ax.set_axis_off()
        return
    common.shade_session(ax, run, label=False)
    t = run.data[f"{key}/t"]
    for k, (name, (first, last)) in enumerate(subgroups.items()):
        color = role_color(name, k)
        ax.plot(t, run.data[f"{key}/w_cs"][:, first:last].mean(axis=1) * 1e9, color=color,
                lw=1.2)
        ax.plot(t, run.data[f"{key}/w_ctx"][:, first:last].mean(axis=1) * 1e9, color=color,
                lw=1.0, ls="--")
    ax.set_xlim(0, common.duration(run))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mean weight (nS)")
