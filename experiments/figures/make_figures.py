"""Draw the paper's figure set from results/ (no simulation): ``make figures``.

    .venv/bin/python experiments/figures/make_figures.py [SPEC] [--strict]

SPEC (default ``experiments/figures/paper.yaml``) lists entries: a run file or sweep directory in
``results/``, the catalogue figures to draw from it (``allonet plot --list``) and, for sweeps,
optional readout patterns. Each figure is written as ``<output>/<entry>/<figure>.<format>`` with the
source file and commits in its metadata. A missing source is reported with the command that makes it
and skipped, as is one that cannot be drawn yet (e.g. a sweep without its index); ``--strict``
fails instead. If nothing could be drawn the script exits 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SPEC = Path(__file__).with_name("paper.yaml")


def draw_entry(entry: dict, output: Path, formats: list[str]) -> list[Path]:
    """Draw one entry's figures; returns the files written."""
    from allonet.plotting import catalogue
    from allonet.plotting.style import save

    source = catalogue.load_source(REPO / entry["source"])
    if entry.get("readouts"):
        source = source.select(readouts=list(entry["readouts"]))
    catalogue.check_figures(source, list(entry["figures"]))
    written = []
    for name in entry["figures"]:
        written += save(catalogue.draw(source, name), output / entry["name"] / name, formats)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit code."""
    from allonet.errors import UserError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--strict", action="store_true", help="fail on a missing source")
    args = parser.parse_args(argv)
    spec = yaml.safe_load(args.spec.read_text())
    output, formats = REPO / spec["output"], list(spec.get("formats", ["pdf"]))
    drawn = 0
    for entry in spec["entries"]:
        if not (REPO / entry["source"]).exists():
            message = f"{entry['name']}: {entry['source']} missing; make it with: {entry['make']}"
            if args.strict:
                print(f"error: {message}", file=sys.stderr)
                return 2
            print(f"skip {message}")
            continue
        try:
            paths = draw_entry(entry, output, formats)
        except UserError as error:
            if args.strict:
                print(f"error: {entry['name']}: {error}", file=sys.stderr)
                return 2
            print(f"skip {entry['name']}: {error} (make it with: {entry['make']})")
            continue
        drawn += 1
        print(f"{entry['name']}: {len(paths)} files in {output / entry['name']}")
    if not drawn:
        print("error: no results to draw from yet (see the commands above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
