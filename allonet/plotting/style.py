"""Publication style of every allonet figure: column widths, fonts, palette, provenance.

One place decides how figures look and what their files carry:

- widths of one (85 mm) and two (180 mm) journal columns, in inches for Matplotlib;
- fonts and sizes (sans-serif 7-9 pt), no top/right spines, TrueType fonts embedded in PDF;
- the Okabe-Ito colour-blind-safe palette as the default colour cycle, with fixed colours for the
  roles that recur across figures (fear / extinction neurons, CS, US, contexts);
- :func:`save` writes vector PDF (or SVG) by default, PNG on request, and stamps each file's
  metadata with the run file(s) the figure was drawn from and the git commits of the data and of
  the plotting code (PDF info dictionary, SVG Dublin Core fields, PNG text chunks).

Importing plotting leaves Matplotlib's backend as it is (a notebook keeps its inline figures); the
``allonet`` command chooses the file-only Agg backend for itself (:func:`allonet.cli.main`).

Every axis label carries its unit in parentheses (``"time (s)"``); dimensionless quantities say so
(``"fraction (1)"`` is not used; a ratio is labelled as a ratio, e.g. ``"fear ratio"``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
from cycler import cycler

MM_PER_INCH = 25.4
#: Single-column width: 85 mm, in inches.
SINGLE_COLUMN = 85 / MM_PER_INCH
#: Double-column (full page) width: 180 mm, in inches.
DOUBLE_COLUMN = 180 / MM_PER_INCH

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
#: Colour cycle for lines. Yellow is left out: it marks CS windows; grey comes last.
CYCLE = [OKABE_ITO[k] for k in ("blue", "vermillion", "green", "orange", "sky_blue", "purple",
                                "black")] + ["#999999"]
#: Fixed colours for recurring roles.
ROLE_COLORS = {
    "fear": OKABE_ITO["vermillion"], "extinction": OKABE_ITO["blue"],
    "persistent": OKABE_ITO["orange"], "fear_responsive": OKABE_ITO["purple"],
    "overlap": OKABE_ITO["green"], "all": OKABE_ITO["black"], "other": "#999999",
    "cs": OKABE_ITO["yellow"], "us": OKABE_ITO["purple"],
}
#: Light, distinguishable shades for contexts (behind data) by context name.
CONTEXT_SHADES = {"A": "#DCEBF7", "B": "#FBE3D6", "C": "#DDF2E9", "": "#FFFFFF"}
_EXTRA_SHADES = ("#EFE3F1", "#FCF1CF", "#E6E6E6")

RC = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Helvetica", "Liberation Sans", "DejaVu Sans"],
    "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.titleweight": "normal",
    "axes.spines.top": False, "axes.spines.right": False, "axes.linewidth": 0.6,
    "xtick.major.width": 0.6, "ytick.major.width": 0.6, "xtick.major.size": 2.5,
    "ytick.major.size": 2.5, "lines.linewidth": 1.0, "lines.markersize": 3.5,
    "legend.frameon": False, "legend.handlelength": 1.4, "axes.prop_cycle": cycler(color=CYCLE),
    "figure.dpi": 150, "savefig.dpi": 300, "pdf.fonttype": 42, "ps.fonttype": 42,
    "svg.fonttype": "none", "image.cmap": "viridis",
}

#: Output formats :func:`save` can write; vector formats first.
FORMATS = ("pdf", "svg", "png")


def context_shade(context: str) -> str:
    """Background colour of a context (A, B, C fixed; others from a spare set)."""
    if context in CONTEXT_SHADES:
        return CONTEXT_SHADES[context]
    return _EXTRA_SHADES[sum(map(ord, context)) % len(_EXTRA_SHADES)]


def role_color(name: str, index: int = 0) -> str:
    """Colour of a named role (fear, extinction, ...) or else the ``index``-th cycle colour."""
    return ROLE_COLORS.get(name, CYCLE[index % len(CYCLE)])


def panel_label(ax: plt.Axes, label: str, x: float = -0.25) -> None:
    """Bold panel letter at the top left, outside the axes."""
    ax.text(x, 1.02, label, transform=ax.transAxes, fontsize=10, fontweight="bold",
            va="bottom", ha="left")


def figure(width: float = DOUBLE_COLUMN, height: float = 2.4) -> plt.Figure:
    """A new figure in the publication style (``width``, ``height`` in inches)."""
    with plt.rc_context(RC):
        return plt.figure(figsize=(width, height), layout="constrained")


def provenance(sources: Iterable[str | Path], data_commits: Iterable[str], title: str
               ) -> dict[str, str]:
    """Plain provenance fields of a figure: title, source files, data and code commits."""
    from allonet import provenance as prov

    files = [str(Path(s)) for s in sources]
    commits = sorted({c for c in data_commits if c})
    return {"title": title, "sources": "; ".join(files), "data_commit": ", ".join(commits),
            "code_commit": prov.git_commit(), "software": f"allonet {_version()}"}


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("allonet")
    except metadata.PackageNotFoundError:
        return "unknown"


def file_metadata(fmt: str, info: dict[str, str]) -> dict[str, str]:
    """``info`` (from :func:`provenance`) as the metadata keys the ``fmt`` writer accepts."""
    summary = (f"drawn from {info['sources']} (data commit {info['data_commit'] or 'unknown'}) "
               f"by {info['software']} at commit {info['code_commit']}")
    if fmt == "pdf":
        return {"Title": info["title"], "Subject": summary, "Creator": info["software"],
                "Keywords": f"source={info['sources']}; data_commit={info['data_commit']}; "
                            f"code_commit={info['code_commit']}"}
    if fmt == "svg":
        return {"Title": info["title"], "Description": summary, "Source": info["sources"],
                "Identifier": info["code_commit"], "Creator": info["software"],
                "Keywords": [f"data_commit={info['data_commit']}",
                             f"code_commit={info['code_commit']}"]}
    return {"Title": info["title"], "Description": summary, "Source": info["sources"],
            "Software": info["software"], "allonet:data_commit": info["data_commit"],
            "allonet:code_commit": info["code_commit"]}


def save(fig: plt.Figure, stem: Path, formats: Sequence[str] = ("png", "pdf"),
         info: dict[str, str] | None = None) -> list[Path]:
    """Save ``fig`` as ``stem.<format>`` for each of ``formats``; returns the paths written.

    ``info`` (see :func:`provenance`; default: the ``allonet_provenance`` the catalogue attached
    to ``fig``) is written into each file's metadata. The figure is closed.
    """
    info = info or getattr(fig, "allonet_provenance", None)
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        meta = file_metadata(fmt, info) if info else None
        fig.savefig(path, bbox_inches="tight", metadata=meta)
        paths.append(path)
    plt.close(fig)
    return paths
