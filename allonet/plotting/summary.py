"""Study summary figure: one panel per readout, conditions on x, mean ± s.e.m. over seeds with each
seed as a dot; the baseline condition in grey (drawn by :mod:`allonet.sweep.report`)."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from allonet.analysis.study_summary import Stat
from allonet.plotting.style import CYCLE, DOUBLE_COLUMN, RC, SINGLE_COLUMN, panel_label

BASELINE_COLOR = "#999999"
PANEL_HEIGHT = 1.7  # in, plot area and title of one panel
COLUMNS = 3  # panels per row at most
WRAP = 16  # characters per line of a condition label
TITLE_WIDTH = 34  # characters per line of a panel title
CHAR_WIDTH = 0.055  # in, of a 7-pt tick label character (a generous average)
JITTER = 0.12  # half-width of the seed dots' horizontal spread (condition spacing 1)


@dataclass(frozen=True)
class Panel:
    """One readout: its label, unit, and per condition the values by seed and their statistic."""

    label: str
    unit: str
    values: list[dict[int, float]]
    stats: list[Stat]


def draw_summary(conditions: list[str], baseline: str, panels: list[Panel]) -> plt.Figure:
    """A grid of panels (up to three a row), conditions in order on every x axis."""
    columns = min(COLUMNS, len(panels))
    rows = math.ceil(len(panels) / columns)
    width = SINGLE_COLUMN if columns == 1 else DOUBLE_COLUMN
    ticks, rotate = tick_labels(conditions, width / columns - 0.5)
    tick_height = max(t.count("\n") + 1 for t in ticks) * 0.12
    if rotate:
        tick_height = 0.7 * max(len(line) for t in ticks for line in t.split("\n")) * CHAR_WIDTH
    with plt.rc_context(RC):
        fig = plt.figure(figsize=(width, rows * (PANEL_HEIGHT + tick_height)),
                         layout="constrained")
        axes = fig.subplots(rows, columns, squeeze=False).ravel()
        colors = condition_colors(conditions, baseline)
        for k, (ax, panel) in enumerate(zip(axes, panels, strict=False)):
            _panel(ax, panel, ticks, rotate, colors)
            if len(panels) > 1:
                panel_label(ax, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[k % 26], x=-0.3)
        for ax in axes[len(panels):]:
            ax.set_visible(False)
    return fig


def tick_labels(conditions: list[str], panel_width: float) -> tuple[list[str], bool]:
    """Condition labels for a panel ``panel_width`` inches wide, and whether they are rotated:
    wrapped to :data:`WRAP` characters a line when that fits them side by side, else on one
    line each, rotated (parallel slanted lines cannot overlap)."""
    wrapped = ["\n".join(textwrap.wrap(c, WRAP)) or c for c in conditions]
    widest = max(len(line) for t in wrapped for line in t.split("\n"))
    if widest * CHAR_WIDTH <= 0.9 * panel_width / len(conditions):
        return wrapped, False
    return list(conditions), True


def condition_colors(conditions: list[str], baseline: str) -> list[str]:
    """Grey for the baseline, the palette in order for the others."""
    palette = iter([c for c in CYCLE if c != BASELINE_COLOR] * len(conditions))
    return [BASELINE_COLOR if c == baseline else next(palette) for c in conditions]


def _panel(ax: plt.Axes, panel: Panel, ticks: list[str], rotate: bool,
           colors: list[str]) -> None:
    rng = np.random.default_rng(0)
    for x, (values, s, color) in enumerate(zip(panel.values, panel.stats, colors, strict=True)):
        seeds = np.array([v for v in values.values() if np.isfinite(v)])
        ax.plot(x + rng.uniform(-JITTER, JITTER, seeds.size), seeds, "o", ms=2.2, color=color,
                alpha=0.45, mec="none", zorder=2)
        if s.n:
            ax.errorbar(x, s.mean, yerr=s.sem if s.n > 1 else None, fmt="o", ms=5, color=color,
                        mec="white", mew=0.6, elinewidth=1.0, capsize=3, capthick=1.0, zorder=3)
    ax.set_xlim(-0.6, len(ticks) - 0.4)
    if rotate:
        ax.set_xticks(range(len(ticks)), ticks, rotation=35, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(range(len(ticks)), ticks)
    ax.set_title(balanced_wrap(panel.label, TITLE_WIDTH))
    if panel.unit not in ("", "1"):
        ax.set_ylabel(panel.unit)
    finite = [v for values in panel.values for v in values.values() if np.isfinite(v)]
    finite += [s.mean + s.sem for s in panel.stats if s.n > 1 and np.isfinite(s.sem)]
    if finite and min(finite) >= 0:
        top = max(finite) or 1.0
        ax.set_ylim(-0.04 * top, 1.06 * top)  # from zero (just above the axis) to every point


def balanced_wrap(text: str, width: int) -> str:
    """``text`` on as few lines of at most ``width`` characters as needed, of similar length."""
    lines = math.ceil(len(text) / width)
    return "\n".join(textwrap.wrap(text, math.ceil(len(text) / lines) + 4)) if lines > 1 else text
