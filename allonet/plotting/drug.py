"""Regional ALLO on both clocks: concentration (nM) over simulation time (s) and biological time,
and the GABA-A decay fold it produces in each region."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.pharmacology import decay_factor
from allonet.plotting import common
from allonet.plotting.style import DOUBLE_COLUMN, RC, panel_label, role_color
from allonet.store import RunFile


def allo_regions(run: RunFile) -> list[str]:
    """Regions with an ALLO record on both clocks (``allo/<region>/t_sim`` and ``t_bio``)."""
    return sorted({k.split("/")[1] for k in run.data if k.startswith("allo/")
                   and k.endswith("/t_bio") and f"allo/{k.split('/')[1]}/t_sim" in run.data})


def region_profiles(run: RunFile, region: str) -> dict[str, list[str]]:
    """GABA-A sensitivity profiles used in ``region`` -> the populations using each
    (``{"default": []}`` when the network names no population there)."""
    found: dict[str, list[str]] = {}
    for name, spec in run.spec.get("network", {}).get("populations", {}).items():
        if spec.get("region") == region:
            found.setdefault(str(spec.get("allo_profile") or "default"), []).append(name)
    return found or {"default": []}


def bio_unit(t_bio_h: np.ndarray) -> tuple[float, str]:
    """A readable unit for a biological-time span given in hours: (factor from h, name)."""
    span = float(np.ptp(t_bio_h)) if t_bio_h.size else 0.0
    if span >= 2:
        return 1.0, "h"
    if span >= 2 / 60:
        return 60.0, "min"
    return 3600.0, "s"


def receptor_regions(run: RunFile) -> list[str]:
    """Regions with receptor states in the run (``receptors/<region>/delta``; receptor
    plasticity on)."""
    return sorted({k.split("/")[1] for k in run.data
                   if k.startswith("receptors/") and k.endswith("/delta")})


def allo_figure(run: RunFile) -> plt.Figure:
    """(A) ALLO per region (nM) over simulation time (s), phases shaded, the biological clock on
    the top axis; (B) the GABA-A decay fold (tau / tau at 0 nM) over biological time for each
    sensitivity profile used in each region; (C), with receptor plasticity, δ expression and the
    α4 fraction per region over biological time."""
    regions = allo_regions(run)
    states = receptor_regions(run)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 3 if states else 2, figsize=(DOUBLE_COLUMN, 2.5),
                                 layout="constrained")
        ax_c, ax_f = axes[:2]
        common.shade_session(ax_c, run, label=False)
        all_bio = np.concatenate([run.data[f"allo/{r}/t_bio"] for r in regions])
        factor, unit = bio_unit(all_bio)
        styles = ("-", "--", ":", "-.")
        for index, region in enumerate(regions):
            c = run.data[f"allo/{region}/concentration"]
            t_sim, t_bio = run.data[f"allo/{region}/t_sim"], run.data[f"allo/{region}/t_bio"]
            color, style = role_color("", index), styles[index % len(styles)]
            inside = t_sim <= common.duration(run) + 1e-9
            ax_c.plot(t_sim[inside], c[inside], color=color, ls=style, lw=1.2, label=region,
                      zorder=3, clip_on=False)
            for k, (profile, pops) in enumerate(region_profiles(run, region).items()):
                fold = decay_factor(c, profile) / decay_factor(0.0, profile)
                ax_f.plot(t_bio[inside] * factor, fold[inside], color=color,
                          ls=styles[k % len(styles)], lw=1.2,
                          label=f"{region}, {profile} profile ({len(pops)} pop.)")
        ax_c.set_xlim(0, common.duration(run))
        ax_c.set_ylim(bottom=0, top=_top(run, regions))
        ax_c.set_xlabel("simulation time (s)")
        ax_c.set_ylabel("ALLO (nM)")
        ax_c.legend(loc="best", fontsize=6)
        _bio_axis(ax_c, run, regions[0], factor, unit)
        ax_f.set_xlabel(f"biological time ({unit})")
        ax_f.set_ylabel("GABA-A decay fold (τ / τ at 0 nM)")
        # headroom: the curves stay in the lower 55% of the axis, the legend above them
        fold_max = max((float(np.max(line.get_ydata())) for line in ax_f.get_lines()), default=1.0)
        ax_f.set_ylim(0.9, max(1.2, 0.9 + (fold_max - 0.9) / 0.55))
        ax_f.legend(loc="upper right", fontsize=6)
        if states:
            _receptor_panel(axes[2], run, states, factor, unit)
        for ax, label in zip(axes, "ABC", strict=False):
            panel_label(ax, label, x=-0.2)
    return fig


def _receptor_panel(ax: plt.Axes, run: RunFile, regions: list[str], factor: float,
                    unit: str) -> None:
    """δ expression (solid, ALLO-free = 1) and α4 fraction (dashed) per region over biological
    time."""
    for index, region in enumerate(regions):
        t_bio = run.data[f"receptors/{region}/t_bio"] * factor
        color = role_color("", index)
        ax.plot(t_bio, run.data[f"receptors/{region}/delta"], color=color, lw=1.2,
                label=f"{region}: δ")
        ax.plot(t_bio, run.data[f"receptors/{region}/alpha4"], color=color, ls="--", lw=1.2,
                label=f"{region}: α4")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(f"biological time ({unit})")
    ax.set_ylabel("receptor state (1)")
    ax.legend(loc="center right", fontsize=6)


def _top(run: RunFile, regions: list[str]) -> float:
    peak = max(float(np.max(run.data[f"allo/{r}/concentration"])) for r in regions)
    return max(1.0, peak * 1.25)


def _bio_axis(ax: plt.Axes, run: RunFile, region: str, factor: float, unit: str) -> None:
    """Top axis of ``ax``: biological time for the simulation time below (a linear clock)."""
    t_sim, t_bio = run.data[f"allo/{region}/t_sim"], run.data[f"allo/{region}/t_bio"] * factor
    if t_sim.size > 1 and np.ptp(t_sim) > 0:
        slope, offset = np.polyfit(t_sim, t_bio, 1)
    else:
        slope, offset = 1.0, float(t_bio[0] - t_sim[0]) if t_sim.size else 0.0
    top = ax.secondary_xaxis("top", functions=(lambda s: offset + slope * s,
                                               lambda b: (b - offset) / slope))
    top.set_xlabel(f"biological time ({unit})", fontsize=7)
    top.tick_params(labelsize=6)
