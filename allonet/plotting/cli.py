"""``allonet plot``: draw catalogue figures from a run file or a sweep directory.

Every requested figure is checked and drawn in memory before anything is written, so bad input
(missing file, unknown figure, a figure the source cannot draw) writes nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from allonet.errors import UserError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from allonet.plotting.catalogue import Source


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``allonet plot`` on ``subparsers``."""
    plot = subparsers.add_parser(
        "plot", help="draw paper figures from a run file or a sweep directory",
        description="Draw catalogue figures (allonet plot --list) from RUN.h5 or SWEEP_DIR. "
                    "Without --figure, every figure the source can draw.")
    plot.add_argument("source", type=Path, nargs="?", help="run file (.h5) or sweep directory")
    plot.add_argument("--figure", action="append", default=[], metavar="NAME",
                      help="catalogue figure to draw (repeatable; default: all that apply)")
    plot.add_argument("--format", dest="formats", action="append", default=[],
                      choices=["pdf", "svg", "png"],
                      help="output format (repeatable; default pdf)")
    plot.add_argument("-o", "--output", type=Path, metavar="DIR",
                      help="output folder (default: RUN-figures/ beside a run file, "
                           "SWEEP_DIR/figures/ for a sweep)")
    plot.add_argument("--param", action="append", default=[], metavar="PATH",
                      help="sweep: parameter column for x (then heatmap y), repeatable")
    plot.add_argument("--readout", action="append", default=[], metavar="NAME",
                      help="sweep: readout column(s) to draw (default: all, up to 4)")
    plot.add_argument("--list", action="store_true", help="list the figure catalogue and exit")
    plot.set_defaults(func=cmd_plot)
    return plot


def cmd_plot(args: argparse.Namespace) -> int:
    """Run ``allonet plot``; returns the exit code (UserError for bad input)."""
    from allonet.plotting import catalogue
    from allonet.plotting.style import save

    if args.list:
        print(catalogue.catalogue_text())
        return 0
    if args.source is None:
        raise UserError("plot: give a run file or a sweep directory (or --list)")
    source = _select(catalogue.load_source(args.source), args)
    names = list(dict.fromkeys(args.figure)) or catalogue.applicable(source)
    catalogue.check_figures(source, names)
    if not names:
        raise UserError(f"{args.source}: no catalogue figure applies to this file")
    figures = {name: _draw(catalogue, source, name) for name in names}
    out = args.output or _default_output(args.source)
    formats = list(dict.fromkeys(args.formats)) or ["pdf"]
    for name, fig in figures.items():
        for path in save(fig, out / name, formats):
            print(f"figure: {path}")
    return 0


def _select(source: Source, args: argparse.Namespace) -> Source:
    """The sweep with ``--param`` / ``--readout`` applied (run files take neither)."""
    from allonet.plotting.sweep import Sweep

    if not isinstance(source, Sweep):
        if args.param or args.readout:
            raise UserError(f"{args.source}: --param and --readout apply to sweep directories")
        return source
    try:
        return source.select(args.param, args.readout)
    except ValueError as error:
        raise UserError(f"{args.source}: {error}") from None


def _draw(catalogue: ModuleType, source: Source, name: str) -> Figure:
    """Draw ``name``; a figure that fails on this source's data is a one-line UserError."""
    try:
        return catalogue.draw(source, name)
    except (KeyError, ValueError, IndexError) as error:
        raise UserError(f"{source.path}: cannot draw {name}: {' '.join(str(error).split())}"
                        ) from None


def _default_output(source: Path) -> Path:
    """``RUN-figures/`` beside a run file; ``SWEEP_DIR/figures/`` for a sweep."""
    if source.is_dir():
        return source / "figures"
    return source.with_name(f"{source.stem}-figures")
