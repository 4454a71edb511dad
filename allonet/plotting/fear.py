"""Figure of a ``fear_conditioning`` run: raster with phases and CS, rates per trial, weights."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.plotting.style import DOUBLE_COLUMN, RC, panel_label
from allonet.store import RunFile

_GROUP_COLORS = {"fear": "#D55E00", "extinction": "#0072B2"}  # Okabe-Ito, colour-blind safe
_PHASE_SHADES = ("#f2f2f2", "#ffffff")


def fear_figure(run: RunFile) -> plt.Figure:
    """(A) raster of the readout population and interneurons with phases and CS shaded, (B) CS
    rates of the fear and extinction groups per trial, (C) mean CS and context weights."""
    proto = run.spec["experiment"]["protocol"]
    net = run.spec["network"]
    readout = proto["readout_population"]
    subgroups = net["populations"][readout]["subgroups"]
    with plt.rc_context(RC):
        fig = plt.figure(figsize=(DOUBLE_COLUMN, 5.2), constrained_layout=True)
        grid = fig.add_gridspec(2, 2, height_ratios=[1.3, 1])
        raster = fig.add_subplot(grid[0, :])
        rates = fig.add_subplot(grid[1, 0])
        weights = fig.add_subplot(grid[1, 1], sharex=raster)
        _raster(raster, run, readout, subgroups)
        _rates(rates, run, subgroups)
        _weights(weights, run, readout, subgroups)
        for ax, label in zip((raster, rates, weights), "ABC", strict=True):
            panel_label(ax, label)
    return fig


def _shade(ax: plt.Axes, run: RunFile, label: bool = True) -> None:
    names, starts, stops = (run.data[f"phases/{k}"] for k in ("name", "start", "stop"))
    for k, (name, start, stop) in enumerate(zip(names, starts, stops, strict=True)):
        ax.axvspan(start, stop, color=_PHASE_SHADES[k % 2], zorder=0, lw=0)
        if label:
            ax.text((start + stop) / 2, 1.01, name, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=7)
    for start, stop in zip(run.data["epochs/cs_start"], run.data["epochs/cs_stop"], strict=True):
        ax.axvspan(start, stop, color="#F0E442", alpha=0.35, zorder=0, lw=0)
    us = run.data["epochs/us_stop"] > run.data["epochs/us_start"]
    for start, stop in zip(run.data["epochs/us_start"][us], run.data["epochs/us_stop"][us],
                           strict=True):
        ax.axvspan(start, stop, color="#CC79A7", alpha=0.5, zorder=0, lw=0)


def _raster(ax: plt.Axes, run: RunFile, readout: str, subgroups: dict) -> None:
    _shade(ax, run)
    t = run.data[f"spikes/{readout}/timestamps"]
    i = run.data[f"spikes/{readout}/node_ids"].astype(int)
    ax.plot(t, i, ",", color="0.45", rasterized=True)
    for name, (first, last) in subgroups.items():
        sel = (i >= first) & (i < last)
        ax.plot(t[sel], i[sel], ",", color=_GROUP_COLORS.get(name, "C2"), rasterized=True)
    ax.set_xlim(0, run.data["phases/stop"].max())
    ax.set_ylabel(f"{readout} neuron")
    ax.set_xlabel("time (s)")


def _rates(ax: plt.Axes, run: RunFile, subgroups: dict) -> None:
    table = run.table("readouts/cs_rates")
    phases = list(dict.fromkeys(run.data["epochs/phase"]))
    offset = 0
    for k, phase in enumerate(phases):
        n = int(np.sum(run.data["epochs/phase"] == phase))
        ax.axvspan(offset + 0.5, offset + n + 0.5, color=_PHASE_SHADES[k % 2], lw=0, zorder=0)
        ax.text(offset + (n + 1) / 2, 1.01, phase, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7)
        for name in subgroups:
            rows = (table["group"] == name) & (table["phase"] == phase)
            order = np.argsort(table["trial"][rows])
            ax.plot(offset + 1 + np.arange(n), table["rate"][rows][order], "o-", ms=3, lw=1,
                    color=_GROUP_COLORS.get(name, "C2"), label=name if k == 0 else None)
        offset += n
    ax.set_xlim(0.5, offset + 0.5)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_xlabel("CS presentation")
    ax.set_ylabel("CS-window rate (Hz)")
    ax.legend(frameon=False, loc="upper left")


def _weights(ax: plt.Axes, run: RunFile, readout: str, subgroups: dict) -> None:
    key = f"weights/{readout}"
    if f"{key}/t" not in run.data:
        ax.set_axis_off()
        return
    _shade(ax, run, label=False)
    t = run.data[f"{key}/t"]
    for name, (first, last) in subgroups.items():
        color = _GROUP_COLORS.get(name, "C2")
        ax.plot(t, run.data[f"{key}/w_cs"][:, first:last].mean(axis=1) * 1e9, color=color,
                lw=1.2, label=f"CS → {name}")
        ax.plot(t, run.data[f"{key}/w_ctx"][:, first:last].mean(axis=1) * 1e9, color=color,
                lw=1.0, ls="--", label=f"context → {name}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mean weight (nS)")
    ax.legend(frameon=False, fontsize=6, loc="upper left")
