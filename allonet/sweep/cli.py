"""``allonet sweep``: run a parameter sweep, show its status, rebuild its index, run its points,
report a study.

::

    allonet sweep SPEC [-o DIR] [--workers N] [--executor local|dask|slurm]
                       [--scheduler tcp://HOST:PORT] [--retry-failed] [--submit [--wait]] [-q]
    allonet sweep status DIR
    allonet sweep index DIR
    allonet sweep report DIR [--spec SPEC]
    allonet sweep worker DIR [--index I [--chunk M]] [-q]
    allonet sweep finish DIR

A complete sweep whose spec has a ``summary`` section ends with its study report: a table printed
and written to ``DIR/summary.csv``, and ``DIR/figures/summary.{png,pdf}``
(:mod:`allonet.sweep.report`); ``sweep report`` (re)builds it, from the runs done so far.
``sweep finish`` indexes, prints the status and writes the report of a complete sweep: what the
SLURM job that runs after the array (``finish.sbatch``) does.

Exit codes: 0 all points done (or the SLURM script written / submitted), 1 some points failed or
are still pending, 2 bad input (spec, directory, options).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from allonet.errors import UserError

_FORMS = ("status", "index", "report", "worker", "finish")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``sweep`` on the ``allonet`` command's sub-parsers.

    ``sweep`` takes a spec file or one of the words status / index / report / worker / finish,
    so its arguments are parsed here, by the parser of the form used.
    """
    sweep = subparsers.add_parser(
        "sweep", help="run a parameter sweep (or: sweep status|index|report|worker|finish DIR)",
        add_help=False, prefix_chars="\0", usage=__doc__.split("::")[1].split("\n\n")[0])
    sweep.add_argument("argv", nargs=argparse.REMAINDER)
    sweep.set_defaults(func=_dispatch)


def _dispatch(args: argparse.Namespace) -> int:
    argv = list(args.argv)
    form = argv[0] if argv and argv[0] in _FORMS else "run"
    parser = {"run": _run_parser, "status": _status_parser, "index": _index_parser,
              "report": _report_parser, "worker": _worker_parser,
              "finish": _finish_parser}[form]()
    parsed = parser.parse_args(argv[1:] if form != "run" else argv)
    return parsed.func(parsed)


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="allonet sweep", description="Run a parameter sweep (resumable: run it again to "
        "finish what is missing). Also: allonet sweep status|index|report|worker|finish DIR.")
    parser.add_argument("spec", type=Path, help="sweep spec (experiments/sweeps/*.yaml)")
    parser.add_argument("-o", "--output", type=Path,
                        help="sweep directory (default results/<sweep name>)")
    parser.add_argument("--executor", choices=["local", "dask", "slurm"], default="local",
                        help="local process pool (default), Dask cluster, or SLURM job array")
    parser.add_argument("--workers", type=int,
                        help="local processes, or Dask LocalCluster workers (default: cores)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://HOST:PORT)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="give failed points (even out of attempts) a fresh set of attempts")
    parser.add_argument("--submit", action="store_true", help="slurm: submit with sbatch")
    parser.add_argument("--wait", action="store_true",
                        help="slurm: with --submit, wait for the array to end, then index")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=_cmd_run)
    return parser


def _dir_parser(form: str, text: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"allonet sweep {form}", description=text)
    parser.add_argument("dir", type=Path, help="sweep directory")
    return parser


def _status_parser() -> argparse.ArgumentParser:
    parser = _dir_parser("status", "Print how many points are done / failed / running / pending.")
    parser.set_defaults(func=_cmd_status)
    return parser


def _index_parser() -> argparse.ArgumentParser:
    parser = _dir_parser("index", "Rebuild DIR/index.h5 and DIR/index.csv from the run files.")
    parser.set_defaults(func=_cmd_index)
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = _dir_parser("report", "Write the study report (DIR/summary.csv, "
                         "DIR/figures/summary.png and .pdf) from the runs done so far, as the "
                         "sweep spec's 'summary' section says; rebuilds a stale index first.")
    parser.add_argument("--spec", type=Path,
                        help="sweep spec (default: the one the sweep was created from)")
    parser.set_defaults(func=_cmd_report)
    return parser


def _worker_parser() -> argparse.ArgumentParser:
    parser = _dir_parser("worker", "Run points of a prepared sweep in this process (what SLURM "
                         "array tasks run). Without --index: every point no other process holds.")
    parser.add_argument("--index", type=int, help="point (or, with --chunk, chunk) to run")
    parser.add_argument("--chunk", type=int, default=1,
                        help="points per index: runs points INDEX*CHUNK .. INDEX*CHUNK+CHUNK-1")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.set_defaults(func=_cmd_worker)
    return parser


def _finish_parser() -> argparse.ArgumentParser:
    parser = _dir_parser("finish", "Index the sweep, print its status and, when it is complete "
                         "and its spec has a summary section, write the study report (what the "
                         "SLURM job after the array runs). Exit 1 while points are missing.")
    parser.set_defaults(func=_cmd_finish)
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from allonet.sweep.driver import run_sweep

    if (args.submit or args.wait) and args.executor != "slurm":
        raise UserError("--submit and --wait need --executor slurm")
    sweep_dir, summary = run_sweep(args.spec, args.output, args.executor, args.workers,
                                   args.scheduler, args.retry_failed, args.submit, args.wait,
                                   args.quiet)
    _print_summary(sweep_dir, summary)
    _report_if_complete(sweep_dir, summary, args.spec)
    if args.executor == "slurm" and not args.wait:
        return 0
    return 0 if summary.complete else 1


def _cmd_finish(args: argparse.Namespace) -> int:
    from allonet.sweep.driver import summarize
    from allonet.sweep.index import build_index
    from allonet.sweep.manifest import load_manifest
    from allonet.sweep.worker import check_visible

    manifest = load_manifest(check_visible(args.dir))
    build_index(args.dir)
    summary = summarize(args.dir, manifest)
    _print_summary(args.dir, summary)
    spec = Path(manifest.sweep_file)
    if spec.is_file():
        _report_if_complete(args.dir, summary, spec)
    else:
        print(f"no report: the sweep spec {spec} is not visible here")
    return 0 if summary.complete else 1


def _report_if_complete(sweep_dir: Path, summary, spec: Path) -> None:
    """Write the study report when every point is done and ``spec`` has a summary section."""
    from allonet.sweep.spec import load_sweep

    if summary.complete and load_sweep(spec).summary is not None:
        _write_report(sweep_dir, spec)


def _print_summary(sweep_dir: Path, summary, limit: int = 20) -> None:
    print(f"{sweep_dir}: {summary.line()}")
    for index, attempts, error in summary.failures[:limit]:
        print(f"  failed point {index} ({attempts} attempt{'s' * (attempts != 1)}): {error}")
    if len(summary.failures) > limit:
        print(f"  ... and {len(summary.failures) - limit} more (see {sweep_dir}/index.csv)")


def _cmd_status(args: argparse.Namespace) -> int:
    from allonet.sweep.driver import summarize

    _print_summary(args.dir, summarize(args.dir))
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    from allonet.sweep.index import build_index, read_index

    h5_path, csv_path = build_index(args.dir)
    rows = len(next(iter(read_index(h5_path).values())))
    print(f"wrote {h5_path} and {csv_path} ({rows} rows)")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from allonet.sweep.report import refresh_index

    if refresh_index(args.dir):
        print(f"rebuilt {args.dir / 'index.csv'} from the run files")
    _write_report(args.dir, args.spec)
    return 0


def _write_report(sweep_dir: Path, spec: Path | None) -> None:
    from allonet.sweep.report import build_report, write_report

    report = build_report(sweep_dir, spec)
    paths = write_report(report)
    print(report.text())
    print("wrote " + ", ".join(str(p) for p in paths))


def _cmd_worker(args: argparse.Namespace) -> int:
    from allonet.sweep.manifest import load_manifest
    from allonet.sweep.worker import DONE, SKIPPED, check_visible, work

    total = len(load_manifest(check_visible(args.dir)).points)
    indices = None
    if args.index is not None:
        if args.chunk < 1 or args.index < 0 or args.index * args.chunk >= total:
            raise UserError(f"--index {args.index} --chunk {args.chunk}: the sweep has {total} "
                            f"points (0-{total - 1})")
        indices = list(range(args.index * args.chunk, min((args.index + 1) * args.chunk, total)))

    def report(result) -> None:
        if not args.quiet:
            error = f": {result.error}" if result.error else ""
            print(f"point {result.index}: {result.status}{error}", file=sys.stderr, flush=True)

    results = work(args.dir, indices, wait=indices is not None, report=report)
    return 0 if all(r.status in (DONE, SKIPPED) for r in results) else 1
