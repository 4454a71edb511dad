"""Text tables for the terminal: run metadata and readouts, read from a run file."""

from __future__ import annotations

import numpy as np

from allonet.pharmacology import DRUGS
from allonet.spec.experiment import IpscDoseResponse
from allonet.store import RunFile

SWEPT, SWEPT_COLUMN = IpscDoseResponse.swept_drug, IpscDoseResponse.swept_column


def metadata_table(run: RunFile) -> str:
    """Key facts about a run: what, when, with which code."""
    attrs = run.attrs
    build = attrs.get("build", {})
    versions = attrs.get("versions", {})
    rows = [
        ("file", str(run.path)),
        ("experiment", attrs.get("experiment", "?")),
        ("protocol", run.spec["experiment"]["protocol"]["kind"]),
        ("network", run.spec["network"]["name"]),
        ("seed", attrs.get("seed", "?")),
        ("device", attrs.get("device", "?")),
        ("compiled this run", build.get("compiled", "?")),
        ("structure hash", build.get("structure_hash", "?")),
        ("wall time", f"{attrs.get('wall_time_s', float('nan')):.2f} s"),
        ("created (UTC)", attrs.get("created_utc", "?")),
        ("git commit", attrs.get("git_commit", "?")),
        ("versions", ", ".join(f"{k} {v}" for k, v in versions.items())),
        ("overrides", " ".join(run.overrides) or "none"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def ipsc_table(run: RunFile) -> str:
    """Fitted decay (ms) and fold per concentration (rows) and profile (columns)."""
    table = run.table("readouts/ipsc")
    profiles = list(dict.fromkeys(table["profile"]))
    concentrations = sorted(set(table[SWEPT_COLUMN].tolist()))
    header = f"{DRUGS[SWEPT].label + ' (nM)':>10} " + " ".join(f"{p + ' τ(ms) fold':>20}"
                                                               for p in profiles)
    header += f" {'peak (pA)':>10} {'rise (ms)':>10}"
    lines = [header, "-" * len(header)]
    for c in concentrations:
        cells = []
        for p in profiles:
            row = np.nonzero((table[SWEPT_COLUMN] == c) & (table["profile"] == p))[0][0]
            cells.append(f"{table['tau_decay'][row] * 1e3:12.2f} {table['fold'][row]:7.2f}")
        first = np.nonzero((table[SWEPT_COLUMN] == c) & (table["profile"] == profiles[0]))[0][0]
        peak_pA, rise_ms = table["peak"][first] * 1e12, table["rise_10_90"][first] * 1e3
        cells.append(f"{peak_pA:10.2f} {rise_ms:10.3f}")
        lines.append(f"{c:>10g} " + " ".join(cells))
    lines.append(f"(peak and 10-90% rise shown for the {profiles[0]} profile)")
    return "\n".join(lines)


def fear_table(run: RunFile) -> str:
    """CS-window rates (Hz) per phase and trial for every readout group, with the fear ratio."""
    table = run.table("readouts/cs_rates")
    groups = list(dict.fromkeys(table["group"]))
    has_ratio = {"fear", "extinction"} <= set(groups)
    header = f"{'phase':<14}{'CS':>3} {'context':>8} " + "".join(f"{g:>11}" for g in groups)
    header += f"{'fear ratio':>11}" if has_ratio else ""
    lines = [header, "-" * len(header)]
    with_cs = run.data.get("epochs/cs", np.ones(len(run.data["epochs/phase"])))
    epochs = list(zip(run.data["epochs/phase"], run.data["epochs/trial"],
                      run.data["epochs/context"], with_cs, strict=True))
    for phase, trial, context, cs in epochs:
        here = (table["phase"] == phase) & (table["trial"] == trial)
        rate = {g: float(table["rate"][here & (table["group"] == g)][0]) for g in groups}
        mark = "" if cs else "*"
        line = f"{phase:<14}{mark + str(trial + 1):>3} {context:>8} " + "".join(
            f"{rate[g]:>11.2f}" for g in groups)
        if has_ratio:
            total = rate["fear"] + rate["extinction"]
            line += f"{(rate['fear'] / total if total else 0.5):>11.2f}"
        lines.append(line)
    lines.append("(CS-window population rates in Hz; * marks a window of the context alone)")
    if "readouts/sessions/session" in run.data:
        lines += ["", sessions_table(run)]
    return "\n".join(lines)


def sessions_table(run: RunFile) -> str:
    """Per session of a multi-day fear run: its start on the biological clock (h), its phases,
    the mean ALLO (nM) per region and the mean cued and contextual freezing."""
    table = run.table("readouts/sessions")
    regions = list(dict.fromkeys(table["region"]))
    phases = dict(zip(run.data["phases/name"], run.data["phases/session"], strict=True))
    header = (f"{'session':<9}{'bio start':>10} " + "".join(f"{'ALLO ' + r:>18}" for r in regions)
              + f"{'freezing':>10}{'context':>9}  phases")
    lines = [header, "-" * len(header)]
    for session in dict.fromkeys(table["session"]):
        rows = {r: np.flatnonzero((table["session"] == session) & (table["region"] == r))[0]
                for r in regions}
        first = rows[regions[0]]
        line = f"{session:<9}{table['bio_start'][first]:>8.2f} h "
        line += "".join(f"{table['allo_mean'][k]:>15.1f} nM" for k in rows.values())
        line += f"{table['freezing'][first]:>10.2f}{table['context_freezing'][first]:>9.2f}  "
        lines.append(line + ", ".join(p for p, s in phases.items() if s == session))
    lines.append("(ALLO: mean over the session; freezing: CS windows; context: the context "
                 "alone, before the first CS)")
    return "\n".join(lines)


def background_table(run: RunFile) -> str:
    """Mean rates, band power and band fraction of the population rates and the LFP proxy, and
    the spectral peaks, of a ``background`` run."""
    rates = run.table("readouts/rates")
    lines = ["mean rate (Hz): " + ", ".join(
        f"{p} {r:.2f}" for p, r in zip(rates["population"], rates["rate"], strict=True))]
    header = f"{'signal':<8}{'band':<8}{'power':>12}{'fraction':>10}"
    lines += [header, "-" * len(header)]
    rhythms = run.table("readouts/rhythms")
    for pop, band, power, fraction in zip(*(rhythms.get(k, []) for k in
                                            ("population", "band", "power", "fraction")),
                                          strict=True):
        lines.append(f"{pop:<8}{band:<8}{power:>12.4g}{fraction:>10.3f}")
    lfp = run.table("readouts/lfp")
    for band, power, fraction in zip(*(lfp.get(k, []) for k in ("band", "power", "fraction")),
                                     strict=True):
        lines.append(f"{'lfp':<8}{band:<8}{power:>12.4g}{fraction:>10.3f}")
    peaks = run.table("readouts/peaks")
    if peaks:
        lines.append("spectral peak (Hz): " + ", ".join(
            f"{s} {f:.0f}" for s, f in zip(peaks["signal"], peaks["frequency"], strict=True)))
    lines.append("(power: Hz^2 for population rates, pA^2 for the LFP proxy; fraction of the "
                 "power in the protocol's total range)")
    return "\n".join(lines)


#: protocol kind -> readout table formatter
READOUT_TABLES = {"ipsc_dose_response": ipsc_table, "fear_conditioning": fear_table,
                  "background": background_table}


def readout_table(run: RunFile) -> str:
    """The readout table of a run, chosen by its protocol."""
    kind = run.spec["experiment"]["protocol"]["kind"]
    formatter = READOUT_TABLES.get(kind)
    return formatter(run) if formatter else f"(no readout table for protocol {kind!r})"
