"""Helpers shared by the fear-run figures: what a run holds, session shading, binned rates.

Everything reads a :class:`~allonet.store.RunFile` (times in s, rates in Hz, weights in S).
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from allonet.plotting.style import ROLE_COLORS, context_shade
from allonet.store import RunFile


@dataclass(frozen=True)
class Phase:
    """One protocol phase: name, context ('' for none), start and stop (s)."""

    name: str
    context: str
    start: float
    stop: float


def kind(run: RunFile) -> str:
    """Protocol kind of ``run`` (e.g. ``fear_conditioning``)."""
    return str(run.spec.get("experiment", {}).get("protocol", {}).get("kind", ""))


def protocol(run: RunFile) -> dict:
    """The resolved protocol section of the experiment spec."""
    return run.spec["experiment"]["protocol"]


def populations(run: RunFile) -> list[str]:
    """Populations with a spike record, in network-spec order."""
    recorded = {k.split("/")[1] for k in run.data if k.startswith("spikes/")
                and k.endswith("/timestamps")}
    order = list(run.spec.get("network", {}).get("populations", {}))
    return [p for p in order if p in recorded] + sorted(recorded - set(order))


def population_size(run: RunFile, population: str) -> int:
    """Number of neurons of ``population`` (from the network spec, else from its spikes)."""
    spec = run.spec.get("network", {}).get("populations", {}).get(population)
    if spec and "n" in spec:
        return int(spec["n"])
    ids = run.data.get(f"spikes/{population}/node_ids", np.zeros(0))
    return int(ids.max()) + 1 if ids.size else 1


def region_of(run: RunFile, population: str) -> str:
    """Region of ``population`` from the network spec ('' if unknown)."""
    return str(run.spec.get("network", {}).get("populations", {}).get(population, {})
               .get("region", ""))


def subgroups(run: RunFile, population: str) -> dict[str, tuple[int, int]]:
    """Named index ranges ``[first, last)`` of ``population`` (e.g. fear and extinction neurons)."""
    spec = run.spec.get("network", {}).get("populations", {}).get(population, {})
    return {k: (int(v[0]), int(v[1])) for k, v in (spec.get("subgroups") or {}).items()}


def readout_population(run: RunFile) -> str | None:
    """The protocol's readout population, if it was recorded."""
    name = protocol(run).get("readout_population")
    return name if name in populations(run) else None


def spikes(run: RunFile, population: str) -> tuple[np.ndarray, np.ndarray]:
    """Spike times (s) and neuron indices of ``population``."""
    return (np.asarray(run.data[f"spikes/{population}/timestamps"], dtype=float),
            np.asarray(run.data[f"spikes/{population}/node_ids"]).astype(np.int64))


def phases(run: RunFile) -> list[Phase]:
    """The protocol phases with their contexts and bounds (s)."""
    names = run.data.get("phases/name", np.array([]))
    contexts = run.data.get("phases/context")
    if contexts is None:
        contexts = [_phase_context(run, str(n)) for n in names]
    return [Phase(str(n), str(c), float(a), float(b)) for n, c, a, b in
            zip(names, contexts, run.data["phases/start"], run.data["phases/stop"], strict=True)]


def _phase_context(run: RunFile, phase: str) -> str:
    rows = run.data["epochs/phase"] == phase
    return str(run.data["epochs/context"][rows][0]) if rows.any() else ""


def duration(run: RunFile) -> float:
    """End of the session (s): the last phase stop."""
    return float(np.max(run.data["phases/stop"]))


def us_mask(run: RunFile) -> np.ndarray:
    """Which epochs (CS rows) have a US."""
    start, stop = run.data["epochs/us_start"], run.data["epochs/us_stop"]
    return np.isfinite(start) & np.isfinite(stop) & (stop > start)


def shade_session(ax: plt.Axes, run: RunFile, label: bool = True, events: bool = True) -> None:
    """Shade each phase by its context, draw CS (yellow) and US (purple) spans, and name the
    phases above the axes (shortened, or left out, where a name would not fit its phase)."""
    width_pt = ax.figure.get_figwidth() * 72 * ax.get_position().width
    span = duration(run)
    for phase in phases(run):
        ax.axvspan(phase.start, phase.stop, color=context_shade(phase.context), zorder=0, lw=0)
        text = _fitting_name(phase.name, (phase.stop - phase.start) / span * width_pt)
        if label and text:
            ax.text((phase.start + phase.stop) / 2, 1.01, text,
                    transform=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize=6)
    if not events:
        return
    for start, stop in zip(run.data["epochs/cs_start"], run.data["epochs/cs_stop"], strict=True):
        ax.axvspan(start, stop, color=ROLE_COLORS["cs"], alpha=0.45, zorder=0, lw=0)
    us = us_mask(run)
    for start, stop in zip(run.data["epochs/us_start"][us], run.data["epochs/us_stop"][us],
                           strict=True):
        ax.axvspan(start, stop, color=ROLE_COLORS["us"], alpha=0.6, zorder=0.6, lw=0)


def _short(name: str) -> str:
    """Phase names shortened to fit above narrow phases."""
    return {"conditioning": "cond.", "habituation": "habit.", "extinction": "ext.",
            "renewal": "renew."}.get(name, name.replace("_", " "))


#: Width of one 6 pt character, roughly (pt).
_CHAR_PT = 3.3


def _fitting_name(name: str, room_pt: float) -> str:
    """The longest of the phase's names (full, short, initials) that fits in ``room_pt``."""
    parts = name.split("_")
    initials = parts[0][:1] + "".join(p[:1] for p in parts[1:])
    for text in (name.replace("_", " "), _short(name), initials):
        if len(text) * _CHAR_PT <= room_pt:
            return text
    return ""


def session_legend_handles(run: RunFile) -> list[Patch]:
    """Legend patches for the contexts, CS and US drawn by :func:`shade_session`."""
    contexts = list(dict.fromkeys(p.context for p in phases(run) if p.context))
    handles = [Patch(color=context_shade(c), label=f"context {c}") for c in contexts]
    handles.append(Patch(color=ROLE_COLORS["cs"], alpha=0.45, label="CS"))
    if us_mask(run).any():
        handles.append(Patch(color=ROLE_COLORS["us"], alpha=0.6, label="US"))
    return handles


def binned_rate(times: np.ndarray, n_neurons: int, stop: float, bin_s: float,
                start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Population rate (Hz per neuron) in bins of ``bin_s`` seconds: (bin centres (s), rates)."""
    edges = np.arange(start, stop + bin_s / 2, bin_s)
    counts, _ = np.histogram(times, edges)
    return (edges[:-1] + edges[1:]) / 2, counts / (max(n_neurons, 1) * bin_s)


def trial_axis(ax: plt.Axes, run: RunFile) -> dict[tuple[str, int], int]:
    """Lay out CS presentations along x (1, 2, ...), shading phases by context; returns the x
    position of each (phase, trial)."""
    positions: dict[tuple[str, int], int] = {}
    x = 0
    for phase in phases(run):
        rows = run.data["epochs/phase"] == phase.name
        trials = np.sort(run.data["epochs/trial"][rows])
        if trials.size == 0:
            continue
        first = x + 1
        for trial in trials:
            x += 1
            positions[(phase.name, int(trial))] = x
        ax.axvspan(first - 0.5, x + 0.5, color=context_shade(phase.context), lw=0, zorder=0)
        rows_pt = ax.figure.get_figwidth() * 72 * ax.get_position().width
        text = _fitting_name(phase.name, (x - first + 1) / max(1, _n_trials(run)) * rows_pt)
        ax.text((first + x) / 2, 1.01, text, transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=6)
    ax.set_xlim(0.5, x + 0.5)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, nbins=8))
    ax.set_xlabel("CS presentation (no.)")
    return positions


def _n_trials(run: RunFile) -> int:
    return len(run.data["epochs/cs_start"])
