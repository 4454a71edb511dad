"""The figure catalogue: every figure ``allonet plot`` can draw, what it needs, and how to draw it.

A figure is drawn from a *source*: a run file (:class:`~allonet.store.RunFile`) or a sweep
directory (:class:`~allonet.plotting.sweep.Sweep`). Each entry says which source it takes and checks
that the source holds what it needs (``missing`` returns the reason it cannot be drawn, or None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from allonet.errors import UserError
from allonet.plotting import activity, behaviour, common, drug, plasticity, sweep
from allonet.plotting.fear import fear_figure
from allonet.plotting.ipsc import ipsc_figure, ipsc_fold_figure, ipsc_traces_figure
from allonet.plotting.style import provenance
from allonet.store import RunFile, read_run

Source = RunFile | sweep.Sweep


@dataclass(frozen=True)
class Entry:
    """One catalogue figure: name, one-line description, source kind ('run' or 'sweep'), the
    function drawing it and the check of what it needs."""

    name: str
    description: str
    source: str
    draw: Callable[[Any], plt.Figure]
    missing: Callable[[Any], str | None]


def _fear(run: RunFile) -> str | None:
    if common.kind(run) != "fear_conditioning":
        return f"needs a fear_conditioning run (this is {common.kind(run) or 'unknown'})"
    if "phases/start" not in run.data or "epochs/cs_start" not in run.data:
        return "needs the phases/* and epochs/* tables"
    return None


def _fear_and(check: Callable[[RunFile], str | None]) -> Callable[[RunFile], str | None]:
    return lambda run: _fear(run) or check(run)


def _has_spikes(run: RunFile) -> str | None:
    return None if common.populations(run) else "needs spikes/<population>/*"


def _has_psth_groups(run: RunFile) -> str | None:
    return None if activity.psth_groups(run) else "needs a recorded readout population"


def _has_freezing(run: RunFile) -> str | None:
    try:
        behaviour.freezing_source(run)
    except ValueError as error:
        return str(error)
    return None


def _has_groups(run: RunFile) -> str | None:
    return None if behaviour.neuron_groups(run) else \
        "needs CS rates of the readout population's subgroups (e.g. fear, extinction)"


def _has_ensembles(run: RunFile) -> str | None:
    return None if "overlap" in run.table("readouts/ensemble_overlap") else \
        "needs the readouts/ensemble_overlap table"


def _has_weights(run: RunFile) -> str | None:
    return None if plasticity.plastic_populations(run) else "needs weights/<population>/*"


def _has_allo(run: RunFile) -> str | None:
    return None if drug.allo_regions(run) else "needs allo/<region>/{concentration,t_sim,t_bio}"


def _ipsc(run: RunFile) -> str | None:
    if common.kind(run) != "ipsc_dose_response" or "readouts/ipsc/fold" not in run.data:
        return f"needs an ipsc_dose_response run (this is {common.kind(run) or 'unknown'})"
    return None


def _two_params(s: sweep.Sweep) -> str | None:
    return None if len(s.params) >= 2 else \
        f"needs two varied parameters (the sweep varies {', '.join(s.params)})"


CATALOGUE: dict[str, Entry] = {e.name: e for e in (
    Entry("raster", "spike raster of every population; phases shaded by context, CS and US",
          "run", activity.raster_figure, _fear_and(_has_spikes)),
    Entry("rates", "population rates (Hz) over the session, one panel per population", "run",
          activity.rates_figure, _fear_and(_has_spikes)),
    Entry("psth", "CS-aligned PSTHs per phase: readout population, its subgroups, CeM", "run",
          activity.psth_figure, _fear_and(_has_psth_groups)),
    Entry("freezing", "freezing proxy per CS across phases and its phase means", "run",
          behaviour.freezing_figure, _fear_and(_has_freezing)),
    Entry("neurons", "fear vs extinction neurons: CS rates per trial and class fractions",
          "run", behaviour.neurons_figure, _fear_and(_has_groups)),
    Entry("ensembles", "overlap of context ensembles (readouts/ensemble_overlap)", "run",
          behaviour.ensembles_figure, _fear_and(_has_ensembles)),
    Entry("weights", "CS and context weight trajectories (nS) of the plastic populations",
          "run", plasticity.weights_figure, _fear_and(_has_weights)),
    Entry("allo", "regional ALLO on the simulation and biological clocks, GABA-A decay fold",
          "run", drug.allo_figure, _fear_and(_has_allo)),
    Entry("fear_overview", "raster, CS rates per trial and weights on one page (allonet run)",
          "run", fear_figure, _fear_and(_has_groups)),
    Entry("ipsc_traces", "IPSC traces at each ALLO concentration, per sensitivity profile",
          "run", ipsc_traces_figure, _ipsc),
    Entry("ipsc_fold", "fitted IPSC decay fold vs ALLO with formula and literature ranges",
          "run", ipsc_fold_figure, _ipsc),
    Entry("ipsc_overview", "traces, decay fold, peak and rise on one page (allonet run)", "run",
          ipsc_figure, _ipsc),
    Entry("dose_response", "readouts vs the first parameter, mean ± s.e.m. over seeds",
          "sweep", sweep.dose_response_figure, lambda s: None),
    Entry("heatmap", "mean readouts over the grid of the first two parameters", "sweep",
          sweep.heatmap_figure, _two_params),
)}


def catalogue_text() -> str:
    """The catalogue as aligned lines: name, source kind, description."""
    width = max(map(len, CATALOGUE))
    return "\n".join(f"{e.name:<{width}}  {e.source:<5}  {e.description}"
                     for e in CATALOGUE.values())


def load_source(path: Path) -> Source:
    """A run file or a sweep directory; UserError (one line) for anything else."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or directory")
    if path.is_dir():
        if not sweep.is_sweep_dir(path):
            raise UserError(f"{path}: not a sweep directory (no index.csv)")
        try:
            return sweep.read_sweep(path)
        except (OSError, ValueError) as error:
            raise UserError(_one_line(error)) from None
    try:
        return read_run(path)
    except (OSError, ValueError, KeyError) as error:
        raise UserError(f"{path}: not a readable allonet run file ({_one_line(error)})") from None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def source_kind(source: Source) -> str:
    """'sweep' or 'run'."""
    return "sweep" if isinstance(source, sweep.Sweep) else "run"


def applicable(source: Source) -> list[str]:
    """Names of the catalogue figures ``source`` can draw, in catalogue order."""
    kind = source_kind(source)
    return [e.name for e in CATALOGUE.values() if e.source == kind and e.missing(source) is None]


def check_figures(source: Source, names: list[str]) -> None:
    """UserError (one line) for an unknown name or a figure ``source`` cannot draw."""
    where = source.path
    for name in names:
        entry = CATALOGUE.get(name)
        if entry is None:
            raise UserError(f"--figure {name}: unknown figure; choose from "
                            f"{', '.join(CATALOGUE)} (allonet plot --list)")
        if entry.source != source_kind(source):
            raise UserError(f"{where}: --figure {name} draws from a {entry.source}, "
                            f"not a {source_kind(source)}")
        reason = entry.missing(source)
        if reason:
            raise UserError(f"{where}: --figure {name} {reason}")


def draw(source: Source, name: str) -> plt.Figure:
    """Draw catalogue figure ``name`` from ``source`` with its provenance attached."""
    fig = CATALOGUE[name].draw(source)
    attach_provenance(fig, source, name)
    return fig


def attach_provenance(fig: plt.Figure, source: Source, name: str) -> None:
    """Store the source file(s) and commits on ``fig`` for :func:`~allonet.plotting.save`."""
    if isinstance(source, sweep.Sweep):
        files = [source.path / "index.csv"]
        commits = source.data_commits()
    else:
        files = [source.path]
        commits = [str(source.attrs.get("git_commit", ""))]
    fig.allonet_provenance = provenance(files, commits, f"allonet {name}: {source.path.name}")
