"""Shared figure style: sizes for journal columns, fonts, and saving as PNG + PDF."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Two-column journal width in inches (Cell Press / J Neurosci ~ 7 in).
DOUBLE_COLUMN = 7.0

RC = {
    "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "legend.fontsize": 7,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False,
    "axes.spines.right": False, "figure.dpi": 150, "savefig.dpi": 300, "pdf.fonttype": 42,
}


def panel_label(ax: plt.Axes, label: str) -> None:
    """Bold panel letter at the top left, outside the axes."""
    ax.text(-0.25, 1.02, label, transform=ax.transAxes, fontsize=10, fontweight="bold",
            va="bottom", ha="left")


def save(fig: plt.Figure, stem: Path) -> list[Path]:
    """Save ``fig`` as ``stem.png`` and ``stem.pdf`` (vector); returns the paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
    for path in paths:
        fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return paths
