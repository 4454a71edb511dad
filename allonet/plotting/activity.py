"""Spiking activity of a fear run: raster, population rates, CS-aligned PSTHs per phase.

Times in s (ms for PSTHs), rates in Hz per neuron.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.plotting import common
from allonet.plotting.style import DOUBLE_COLUMN, RC, role_color
from allonet.store import RunFile

#: Most neurons drawn per population in the raster (an even subsample of larger populations);
#: the readout population, the focus of fear studies, is drawn whole in a band three times as
#: high as the others.
RASTER_MAX_NEURONS = 60
RASTER_MAX_READOUT = 5000
READOUT_BAND = 3.0


def raster_figure(run: RunFile) -> plt.Figure:
    """Raster of every population stacked (each an even subsample of at most
    ``RASTER_MAX_NEURONS`` neurons; the readout population whole, in a taller band), readout
    subgroups coloured, over phases shaded by context with CS and US spans."""
    bands = _bands(run)
    with plt.rc_context(RC):
        height = float(np.clip(1.3 + 0.32 * sum(bands.values()), 2.6, 7.5))
        fig, ax = plt.subplots(figsize=(DOUBLE_COLUMN, height), layout="constrained")
        draw_raster(ax, run, unit_pt=(height - 1.0) * 72 / sum(bands.values()))
        handles = common.session_legend_handles(run) + _group_handles(run)
        fig.legend(handles=handles, loc="outside upper center", ncol=len(handles), fontsize=6)
    return fig


def draw_raster(ax: plt.Axes, run: RunFile, unit_pt: float | None = None) -> plt.Axes:
    """Draw the raster of :func:`raster_figure` into ``ax`` (any run with spikes; phases are
    shaded where the run has them) and return ``ax``. ``unit_pt``: height (points) of one
    population's band, which sizes the markers; by default from ``ax``'s height."""
    bands = _bands(run)
    if unit_pt is None:
        unit_pt = ax.get_position().height * ax.figure.get_figheight() * 72 / sum(bands.values())
    if "phases/stop" in run.data:
        common.shade_session(ax, run)
    offset, ticks = 0.0, []
    for pop in reversed(list(bands)):
        shown = _shown_neurons(run, pop)
        _draw_band(ax, run, pop, shown, offset, bands[pop], unit_pt)
        n = common.population_size(run, pop)
        label = pop if shown.size == n else f"{pop} ({shown.size}/{n})"
        ticks.append((offset + bands[pop] / 2, label))
        ax.axhline(offset, color="0.6", lw=0.4, zorder=1)
        offset += bands[pop]
    ax.set_ylim(0, offset)
    ax.set_yticks([t for t, _ in ticks], [n for _, n in ticks],
                  fontsize=7 if len(bands) < 10 else 6)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, _end(run))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("neuron (index)")
    return ax


def _bands(run: RunFile) -> dict[str, float]:
    """Height of each population's band (the readout population's is taller)."""
    readout = common.readout_population(run)
    return {pop: READOUT_BAND if pop == readout else 1.0 for pop in common.populations(run)}


def _end(run: RunFile) -> float:
    """End of the time axis (s): the session's end, else the last spike."""
    if "phases/stop" in run.data:
        return common.duration(run)
    last = [float(np.max(common.spikes(run, p)[0], initial=0.0)) for p in common.populations(run)]
    return max(last, default=0.0) or 1.0


def _shown_neurons(run: RunFile, pop: str) -> np.ndarray:
    """Neuron indices drawn for ``pop``: all, or an even subsample (every subgroup keeps its
    share)."""
    n = common.population_size(run, pop)
    limit = RASTER_MAX_READOUT if pop == common.readout_population(run) else RASTER_MAX_NEURONS
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _draw_band(ax: plt.Axes, run: RunFile, pop: str, shown: np.ndarray, offset: float,
               band: float, unit_pt: float) -> None:
    """Spikes of the ``shown`` neurons of ``pop`` in the band ``[offset, offset + band)``."""
    t, i = common.spikes(run, pop)
    row = np.full(common.population_size(run, pop), -1)
    row[shown] = np.arange(shown.size)
    keep = row[np.clip(i, 0, row.size - 1)] >= 0
    colors = np.full(i.size, "0.2", dtype=object)
    for index, (name, (first, last)) in enumerate(common.subgroups(run, pop).items()):
        colors[(i >= first) & (i < last)] = role_color(name, index)
    y = offset + (row[i[keep]] + 0.5) * band / shown.size
    row_pt = band * unit_pt / shown.size
    ax.scatter(t[keep], y, s=float(np.clip(row_pt, 1.8, 5.0)) ** 2, c=list(colors[keep]),
               marker="|", linewidths=0.6, rasterized=True, zorder=2)


def _group_handles(run: RunFile) -> list:
    from matplotlib.lines import Line2D

    handles = []
    for pop in common.populations(run):
        for index, name in enumerate(common.subgroups(run, pop)):
            handles.append(Line2D([], [], color=role_color(name, index), marker="|", ls="",
                                  label=f"{pop} {name}"))
    return handles


def rates_figure(run: RunFile, bin_s: float = 0.025) -> plt.Figure:
    """Population rates (Hz per neuron, ``bin_s`` bins) over the session, one small panel per
    population, phases shaded by context with CS and US spans."""
    pops = common.populations(run)
    ncols = 1 if len(pops) <= 3 else 2 if len(pops) <= 8 else 3
    nrows = -(-len(pops) // ncols)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(DOUBLE_COLUMN, 0.35 + 1.05 * nrows),
                                 sharex=True, squeeze=False, layout="constrained")
        for index, (ax, pop) in enumerate(zip(axes.flat, pops, strict=False)):
            common.shade_session(ax, run, label=index < ncols)
            t, rate = common.binned_rate(common.spikes(run, pop)[0],
                                         common.population_size(run, pop), common.duration(run),
                                         bin_s)
            ax.plot(t, rate, color="0.15", lw=0.7)
            ax.set_ylim(0, max(1.0, rate.max() * 1.1))
            ax.text(0.01, 0.95, pop, transform=ax.transAxes, ha="left", va="top", fontsize=7,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 1})
        for ax in axes.flat[len(pops):]:
            ax.set_axis_off()
        for ax in axes.flat[max(0, len(pops) - ncols):len(pops)]:
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("time (s)")
        fig.supylabel(f"population rate (Hz; {bin_s * 1e3:g} ms bins)", fontsize=8)
        ax0 = axes.flat[0]
        ax0.set_xlim(0, common.duration(run))
        handles = common.session_legend_handles(run)
        fig.legend(handles=handles, loc="outside upper center", ncol=len(handles), fontsize=6)
    return fig


def psth_groups(run: RunFile) -> list[tuple[str, str, int, int]]:
    """PSTH panels: (label, population, first, last) for the readout population, its subgroups
    and the freezing population (when the protocol names one)."""
    groups = []
    readout = common.readout_population(run)
    if readout:
        groups.append((readout, readout, 0, common.population_size(run, readout)))
        for name, (first, last) in common.subgroups(run, readout).items():
            groups.append((f"{readout} {name}", readout, first, last))
    freezing = (common.protocol(run).get("freezing") or {}).get("population")
    if freezing in common.populations(run) and freezing != readout:
        groups.append((freezing, freezing, 0, common.population_size(run, freezing)))
    return groups


def psth_window(run: RunFile) -> tuple[float, float, float]:
    """(pre, post, bin) in s around CS onsets: a quarter of the CS duration before and after,
    bins of a tenth of it (at least 2 ms)."""
    cs = float(np.median(run.data["epochs/cs_stop"] - run.data["epochs/cs_start"]))
    return 0.5 * cs, 1.5 * cs, max(0.002, cs / 10)


def cs_aligned_rate(times: np.ndarray, ids: np.ndarray, first: int, last: int,
                    onsets: np.ndarray, pre: float, post: float, bin_s: float
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Mean rate (Hz per neuron) of neurons ``first..last-1`` around ``onsets`` (s): bin centres
    (s from onset) and rates averaged over onsets."""
    sel = (ids >= first) & (ids < last)
    edges = np.arange(-pre, post + bin_s / 2, bin_s)
    counts = np.zeros(edges.size - 1)
    for onset in onsets:
        counts += np.histogram(times[sel] - onset, edges)[0]
    rate = counts / (max(1, last - first) * bin_s * max(1, len(onsets)))
    return (edges[:-1] + edges[1:]) / 2, rate


def psth_figure(run: RunFile) -> plt.Figure:
    """CS-aligned PSTHs (Hz per neuron) of the readout population, its subgroups and the freezing
    population, one line per phase, CS and US windows shaded."""
    groups = psth_groups(run)
    pre, post, bin_s = psth_window(run)
    ncols = len(groups) if len(groups) <= 3 else 2 if len(groups) == 4 else 3
    nrows = -(-len(groups) // ncols)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(DOUBLE_COLUMN, 0.6 + 1.8 * nrows),
                                 squeeze=False, layout="constrained")
        for ax, (label, pop, first, last) in zip(axes.flat, groups, strict=False):
            _psth_panel(ax, run, pop, first, last, pre, post, bin_s)
            ax.set_title(label)
        for ax in axes.flat[len(groups):]:
            ax.set_axis_off()
        for ax in axes[:, 0]:
            ax.set_ylabel("rate (Hz)")
        for index, ax in enumerate(axes.flat[:len(groups)]):
            if index + ncols >= len(groups):
                ax.set_xlabel("time from CS onset (ms)")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncol=min(8, len(labels)),
                   fontsize=6)
    return fig


def _psth_panel(ax: plt.Axes, run: RunFile, pop: str, first: int, last: int, pre: float,
                post: float, bin_s: float) -> None:
    times, ids = common.spikes(run, pop)
    cs = float(np.median(run.data["epochs/cs_stop"] - run.data["epochs/cs_start"]))
    ax.axvspan(0, cs * 1e3, color=role_color("cs"), alpha=0.45, lw=0, zorder=0, label="CS")
    us = common.us_mask(run)
    if us.any():
        rel = run.data["epochs/us_start"][us] - run.data["epochs/cs_start"][us]
        width = run.data["epochs/us_stop"][us] - run.data["epochs/us_start"][us]
        ax.axvspan(np.median(rel) * 1e3, (np.median(rel) + np.median(width)) * 1e3,
                   ymin=0.94, ymax=1.0, color=role_color("us"), alpha=0.9, lw=0, zorder=0.5,
                   label="US (" + ", ".join(sorted(set(run.data["epochs/phase"][us]))) + ")")
    for index, phase in enumerate(common.phases(run)):
        rows = run.data["epochs/phase"] == phase.name
        if not rows.any():
            continue
        t, rate = cs_aligned_rate(times, ids, first, last, run.data["epochs/cs_start"][rows],
                                  pre, post, bin_s)
        ax.step(t * 1e3, rate, where="mid", lw=0.9, color=role_color("", index),
                label=f"{phase.name.replace('_', ' ')} ({phase.context or '-'})")
    ax.set_xlim(-pre * 1e3, post * 1e3)
    ax.set_ylim(bottom=0)
