"""The ``allonet`` command: run, inspect, validate, describe, cache.

User errors (bad spec, bad override, existing output) print one line and exit with code 2, writing
nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import NoReturn

from allonet import __version__, cache
from allonet.engine import DEVICES
from allonet.errors import UserError
from allonet.report import metadata_table, readout_table
from allonet.spec import ResolvedSpecs, load_experiment
from allonet.spec.loading import load_network, read_yaml
from allonet.spec.network import scaled
from allonet.store import check_writable, read_run


def command() -> NoReturn:
    """The ``allonet`` executable: :func:`main`, then exit. Before exiting, every object is moved
    out of the collector's reach (``gc.freeze``): the process ends, so the collection that
    Python's shutdown runs over every object would only cost time (~40 ms after a run)."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    # The command only writes figure files; a library import must not choose this for notebooks.
    os.environ["MPLBACKEND"] = "Agg"
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allonet", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"allonet {__version__}")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run an experiment spec and write its HDF5 run file")
    run.add_argument("spec", type=Path, help="experiments/*.yaml")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help='override a spec value by dotted path, e.g. synapses.gaba_a.tau0="8 ms"')
    run.add_argument("-o", "--output", type=Path, help="run file (default results/<name>.h5)")
    run.add_argument("--seed", type=int, help="random seed (overrides the spec)")
    run.add_argument("--device", choices=sorted(DEVICES), help="Brian2 device")
    run.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    run.add_argument("--no-figure", action="store_true", help="do not draw the run's figure")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    run.add_argument("--max-memory", metavar="SIZE",
                     help="refuse a run whose estimated memory exceeds SIZE (e.g. '8 GB'; "
                          "default: the memory available now)")
    run.set_defaults(func=_cmd_run)
    inspect = sub.add_parser("inspect", help="show a run file's metadata and readouts")
    inspect.add_argument("file", type=Path)
    inspect.set_defaults(func=_cmd_inspect)
    validate = sub.add_parser("validate", help="check an experiment spec (and its network)")
    validate.add_argument("spec", type=Path)
    validate.add_argument("--set", dest="overrides", action="append", default=[],
                          metavar="KEY=VALUE")
    validate.set_defaults(func=_cmd_validate)
    describe = sub.add_parser("describe", help="write a model description (Markdown) of a spec")
    describe.add_argument("spec", type=Path, help="experiments/*.yaml or networks/*.yaml")
    describe.add_argument("-o", "--output", type=Path, help="Markdown file (default: stdout)")
    describe.set_defaults(func=_cmd_describe)
    cache_cmd = sub.add_parser("cache", help="show (or --clear) the compiled-code cache")
    cache_cmd.add_argument("--clear", action="store_true")
    cache_cmd.set_defaults(func=_cmd_cache)
    from allonet.export.cli import add_parser as add_export_parser
    from allonet.plotting.cli import add_parser as add_plot_parser

    add_plot_parser(sub)
    add_export_parser(sub)
    from allonet.sweep.cli import add_parser as add_sweep_parser

    add_sweep_parser(sub)
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from allonet.resources import parse_memory
    from allonet.runner import run_experiment

    overrides = list(args.overrides)
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.device is not None:
        overrides.append(f"device={args.device}")
    limit = None if args.max_memory is None else parse_memory(args.max_memory)
    result = run_experiment(args.spec, overrides, args.output, args.overwrite, args.quiet, limit)
    print(readout_table(result.run))
    print(f"run file: {result.path}")
    kind = result.run.spec["experiment"]["protocol"]["kind"]
    if args.no_figure:
        return 0
    from allonet.plotting import FIGURES, save  # Matplotlib: 0.5 s, only to draw

    if kind in FIGURES:
        paths = save(FIGURES[kind](result.run), result.path.with_suffix(""))
        print("figure: " + ", ".join(str(p) for p in paths))
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UserError(f"{args.file}: file not found")
    try:
        run = read_run(args.file)
    except (OSError, ValueError) as error:
        raise UserError(f"{args.file}: not a readable allonet run file ({error})") from None
    print(metadata_table(run))
    print()
    print(readout_table(run))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    specs = load_experiment(args.spec, args.overrides)
    print(f"{args.spec}: ok (experiment {specs.experiment.name!r}, network "
          f"{specs.network.name!r} from {specs.network_path})")
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from allonet.describe import describe

    text = describe(_load_for_description(args.spec))
    if args.output:
        check_writable(args.output, overwrite=True)
        args.output.write_text(text)
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


def _load_for_description(path: Path) -> ResolvedSpecs:
    """An experiment spec with its network, or a network spec alone."""
    data = read_yaml(path)
    if "populations" in data:
        return ResolvedSpecs(None, scaled(load_network(path)), None, path)
    return load_experiment(path)


def _cmd_cache(args: argparse.Namespace) -> int:
    root = cache.cache_root()
    if args.clear:
        print(f"cleared {root} ({cache.clear() / 1e6:.1f} MB)")
        return 0
    standalone = root / "standalone"
    builds = [p for p in standalone.iterdir() if p.is_dir()] if standalone.exists() else []
    print(f"cache: {root}")
    print(f"  cython extensions: {cache.size_bytes(cache.cython_dir()) / 1e6:.1f} MB")
    print(f"  standalone builds: {len(builds)} ({cache.size_bytes(standalone) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
