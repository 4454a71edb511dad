"""Figure of an ``ipsc_dose_response`` run: traces, decay fold vs concentration, peak and rise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from allonet.pharmacology import DRUGS, decay_factor
from allonet.plotting.style import DOUBLE_COLUMN, RC, SINGLE_COLUMN, panel_label
from allonet.spec.experiment import IpscDoseResponse
from allonet.store import RunFile
from allonet.units import to_nM

SWEPT, SWEPT_COLUMN = IpscDoseResponse.swept_drug, IpscDoseResponse.swept_column

_ZERO_AT = 3.0  # nM: where 0 nM is drawn on the log axis


def ipsc_figure(run: RunFile) -> plt.Figure:
    """Three panels: (A) IPSCs at each concentration (first profile), (B) fitted decay fold vs
    concentration per profile with the formula and literature ranges, (C) peak and rise relative to
    0 nM."""
    table = run.table("readouts/ipsc")
    proto = run.spec["experiment"]["protocol"]
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 3, figsize=(DOUBLE_COLUMN, 2.4), constrained_layout=True)
        _traces(axes[0], run, proto)
        _folds(axes[1], table, proto)
        _invariants(axes[2], table, proto)
        for ax, label in zip(axes, "ABC", strict=True):
            panel_label(ax, label)
    return fig


def _x(concentration: np.ndarray) -> np.ndarray:
    return np.where(concentration > 0, concentration, _ZERO_AT)


def _traces(ax: plt.Axes, run: RunFile, proto: dict, neuron: int = 0) -> None:
    """IPSCs of clamped cell ``neuron`` (one per profile, in profile order) at each condition."""
    t_ms = run.data["traces/t"] * 1e3
    profile = proto["profiles"][neuron]
    traces = run.data[f"traces/{proto['target']}/I_clamp"][:, neuron, :] * 1e12
    concentrations = run.data[f"conditions/{SWEPT_COLUMN}"]
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(concentrations)))
    for trace, c, color in zip(traces, concentrations, colors, strict=True):
        ax.plot(t_ms, trace, color=color, lw=0.9, label=f"{c:g} nM")
    onset = t_ms[np.argmax(np.abs(traces).max(axis=0) > 0)]
    ax.set_xlim(onset - 5, min(t_ms[-1], onset + 150))
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("IPSC, outward (pA)")
    ax.set_title(f"IPSCs ({profile} profile)")
    ax.legend(frameon=False, ncol=1, loc="upper right", handlelength=1.2)


def _folds(ax: plt.Axes, table: dict, proto: dict) -> None:
    dense = np.logspace(np.log10(_ZERO_AT), np.log10(max(table[SWEPT_COLUMN].max(), 3000)), 200)
    for index, profile in enumerate(proto["profiles"]):
        rows = table["profile"] == profile
        color, style = f"C{index}", ("-", "--", ":", "-.")[index % 4]
        ax.plot(dense, decay_factor(dense, profile) / decay_factor(0.0, profile), color=color,
                lw=0.8, ls=style, alpha=0.8)
        ax.plot(_x(table[SWEPT_COLUMN][rows]), table["fold"][rows], "o", color=color,
                ms=4.5 - index, mfc="none" if index % 2 else color, label=profile)
    for name, (conc, low, high) in proto.get("literature", {}).items():
        c = to_nM(conc)
        ax.add_patch(plt.Rectangle((c / 1.15, low), c * 0.3, high - low, color="0.6", alpha=0.35,
                                   lw=0, label="literature" if name == next(iter(
                                       proto["literature"])) else None))
    ax.set_xscale("log")
    ax.set_xlabel(f"{DRUGS[SWEPT].label} (nM; 0 drawn at 3)")
    ax.set_ylabel("decay fold (τ / τ at 0 nM)")
    ax.set_title("decay: fit (dots), formula (lines)")
    ax.legend(frameon=False, loc="upper left")


def _invariants(ax: plt.Axes, table: dict, proto: dict) -> None:
    profile = proto["profiles"][0]
    rows = table["profile"] == profile
    x = _x(table[SWEPT_COLUMN][rows])
    zero = int(np.argmin(table[SWEPT_COLUMN][rows]))
    for key, label, marker in (("peak", "peak", "o"), ("rise_10_90", "10-90% rise", "s")):
        values = table[key][rows]
        ax.plot(x, values / values[zero], marker, ls="-", ms=3.5, lw=0.8, label=label)
    ax.axhspan(0.9, 1.1, color="0.85", lw=0, label="±10%")
    ax.set_xscale("log")
    ax.set_ylim(0.5, 1.5)
    ax.set_xlabel(f"{DRUGS[SWEPT].label} (nM; 0 drawn at 3)")
    ax.set_ylabel("relative to 0 nM (ratio)")
    ax.set_title("peak and rise")
    ax.legend(frameon=False, loc="upper left")


def ipsc_traces_figure(run: RunFile) -> plt.Figure:
    """IPSC traces (pA, outward) at each ALLO concentration, one panel per sensitivity profile
    recorded (at most four)."""
    proto = run.spec["experiment"]["protocol"]
    profiles = list(proto["profiles"])[:4]
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, len(profiles), figsize=(DOUBLE_COLUMN, 2.3), sharey=True,
                                 squeeze=False, layout="constrained")
        for index, (ax, profile) in enumerate(zip(axes[0], profiles, strict=True)):
            _traces(ax, run, proto, index)
            ax.set_title(f"{profile} profile")
            if index:
                ax.set_ylabel("")
                ax.get_legend().remove()
    return fig


def ipsc_fold_figure(run: RunFile) -> plt.Figure:
    """Fitted IPSC decay fold (tau / tau at 0 nM) vs ALLO concentration per profile, with the
    formula and the literature ranges; single column."""
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(SINGLE_COLUMN, 2.6), layout="constrained")
        draw_ipsc_folds(ax, run)
    return fig


def draw_ipsc_folds(ax: plt.Axes, run: RunFile) -> plt.Axes:
    """Draw :func:`ipsc_fold_figure`'s panel (decay fold vs ALLO in nM, per profile) into
    ``ax`` and return it."""
    _folds(ax, run.table("readouts/ipsc"), run.spec["experiment"]["protocol"])
    return ax
