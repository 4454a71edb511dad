"""``allonet export RUN.h5 --to nwb|neo [-o PATH]``: a run file as NWB or Neo."""

from __future__ import annotations

import argparse
from pathlib import Path

from allonet.errors import UserError

#: Default output suffix per target.
SUFFIX = {"nwb": ".nwb", "neo": ".pkl"}


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``allonet export`` on ``subparsers``."""
    export = subparsers.add_parser(
        "export", help="export a run file to NWB or Neo",
        description="Write a run file's spikes, epochs, drug levels and readouts as NWB (pynwb) "
                    "or a Neo Block (.pkl, or .nix with nixio).")
    export.add_argument("file", type=Path, help="run file (.h5)")
    export.add_argument("--to", required=True, choices=sorted(SUFFIX), help="target format")
    export.add_argument("-o", "--output", type=Path,
                        help="output file (default: the run file with .nwb / .pkl)")
    export.add_argument("--overwrite", action="store_true", help="replace an existing output")
    export.set_defaults(func=cmd_export)
    return export


def cmd_export(args: argparse.Namespace) -> int:
    """Run ``allonet export``; returns the exit code (UserError for bad input)."""
    from allonet.export import common

    output = args.output or args.file.with_suffix(SUFFIX[args.to])
    if output.resolve() == args.file.resolve():
        raise UserError(f"{output}: the output would replace the run file")
    run = common.load_run(args.file)
    if args.to == "nwb":
        from allonet.export.nwb import write_nwb

        path = write_nwb(run, output, args.overwrite)
    else:
        from allonet.export.neo import write_neo

        path = write_neo(run, output, args.overwrite)
    print(f"{args.to}: {path}")
    return 0
