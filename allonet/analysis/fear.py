"""Fear-protocol readouts from run-file arrays: CS-window rates per group and trial, fear ratio.

Rates in Hz; times in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from allonet.units import to_hz


def window_rate(times: np.ndarray, ids: np.ndarray, start: float, stop: float, first: int,
                last: int) -> float:
    """Mean rate (Hz) of neurons ``first..last-1`` between ``start`` and ``stop``."""
    hit = (times >= start) & (times < stop) & (ids >= first) & (ids < last)
    return float(hit.sum()) / ((last - first) * (stop - start))


def cs_window(data: Mapping[str, np.ndarray], k: int) -> tuple[float, float]:
    """Start and stop (s) of trial ``k``'s CS-evoked window: the CS up to the US onset, so that
    US-evoked firing in conditioning is not counted as a CS response."""
    start, stop = float(data["epochs/cs_start"][k]), float(data["epochs/cs_stop"][k])
    return start, min(stop, float(data["epochs/us_start"][k]))


def cs_rates(data: Mapping[str, np.ndarray], groups: Mapping[str, tuple[str, int, int]]
             ) -> dict[str, np.ndarray]:
    """Table of CS-window rates (see :func:`cs_window`): one row per (trial, group).

    ``groups`` maps a group label to (population, first, last) neuron indices; trials come from
    the ``epochs/*`` table.
    """
    rows: dict[str, list] = {k: [] for k in ("phase", "trial", "context", "group", "rate")}
    for k in range(len(data["epochs/phase"])):
        start, stop = cs_window(data, k)
        for label, (pop, first, last) in groups.items():
            rate = window_rate(data[f"spikes/{pop}/timestamps"], data[f"spikes/{pop}/node_ids"],
                               start, stop, first, last)
            rows["phase"].append(str(data["epochs/phase"][k]))
            rows["trial"].append(int(data["epochs/trial"][k]))
            rows["context"].append(str(data["epochs/context"][k]))
            rows["group"].append(label)
            rows["rate"].append(rate)
    return {k: np.array(v) for k, v in rows.items()}


def rates_by_trial(table: Mapping[str, np.ndarray], group: str, phase: str) -> np.ndarray:
    """CS-window rates of ``group`` over the trials of ``phase``, in trial order."""
    rows = (table["group"] == group) & (table["phase"] == phase)
    order = np.argsort(table["trial"][rows])
    return table["rate"][rows][order]


def fear_ratio(r_fear: np.ndarray, r_ext: np.ndarray) -> np.ndarray:
    """``r_fear / (r_fear + r_ext)`` (0.5 where both are silent)."""
    total = np.asarray(r_fear) + np.asarray(r_ext)
    return np.where(total > 0, np.asarray(r_fear) / np.where(total > 0, total, 1), 0.5)


def fear_ratio_table(table: Mapping[str, np.ndarray], fear: str = "fear",
                     extinction: str = "extinction") -> dict[str, np.ndarray]:
    """Fear ratio per phase (in order of appearance) from a :func:`cs_rates` table.

    ``ratio`` uses the phase's mean CS rates of the two groups (Hz), ``ratio_last`` its last CS
    (the end of extinction, say). Empty when the table lacks either group.
    """
    groups = set(table["group"].tolist())
    rows: dict[str, list] = {k: [] for k in ("phase", "fear", "extinction", "ratio", "ratio_last")}
    if {fear, extinction} <= groups:
        for phase in dict.fromkeys(table["phase"].tolist()):
            r_fear = rates_by_trial(table, fear, phase)
            r_ext = rates_by_trial(table, extinction, phase)
            rows["phase"].append(phase)
            rows["fear"].append(float(r_fear.mean()))
            rows["extinction"].append(float(r_ext.mean()))
            rows["ratio"].append(float(fear_ratio(r_fear.mean(), r_ext.mean())))
            rows["ratio_last"].append(float(fear_ratio(r_fear[-1], r_ext[-1])))
    return {k: np.array(v) for k, v in rows.items()}


#: Units of readout-table columns ("1": dimensionless, "str": text).
READOUT_UNITS = {
    "phase": "str", "trial": "1", "context": "str", "group": "str", "rate": "Hz",
    "freezing": "1", "class": "str", "n": "1", "fraction": "1", "pair": "str", "overlap": "1",
    "fear": "Hz", "extinction": "Hz", "ratio": "1", "ratio_last": "1",
    "n_a": "1", "n_b": "1", "population": "str", "time": "s", "w_cs": "S", "w_ctx": "S",
    "cs": "1", "session": "str", "bio_start": "h", "region": "str", "allo_mean": "nM",
    "allo_min": "nM", "allo_max": "nM", "context_freezing": "1",
}


@dataclass(frozen=True)
class FreezingCurve:
    """Freezing proxy (0-1) of a rate r (Hz): the Hill curve ``r**hill / (r**hill +
    half_max_hz**hill)`` where ``half_max_hz`` is set, else ``clip(r / saturation_hz, 0, 1)``."""

    saturation_hz: float | None = None
    half_max_hz: float | None = None
    hill: float | None = None

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> FreezingCurve:
        """From a ``protocol.freezing`` mapping (rates as text, "16 Hz", or floats in Hz)."""
        def hz(key: str) -> float | None:
            value = spec.get(key)
            if value is None:
                return None
            return float(value) if isinstance(value, int | float) else to_hz(value)
        hill = spec.get("hill")
        return cls(hz("saturation"), hz("half_max"), None if hill is None else float(hill))

    def __call__(self, rate_hz: np.ndarray) -> np.ndarray:
        rate = np.maximum(np.asarray(rate_hz, dtype=float), 0.0)
        if self.half_max_hz is not None:
            powered = rate ** self.hill
            return powered / (powered + self.half_max_hz ** self.hill)
        return np.clip(rate / self.saturation_hz, 0.0, 1.0)

    def describe(self, population: str) -> str:
        """The curve in words, for figure notes."""
        if self.half_max_hz is not None:
            return (f"proxy: Hill curve of {population} rate, half-maximal at "
                    f"{self.half_max_hz:g} Hz, exponent {self.hill:g}")
        return f"proxy: {population} rate / {self.saturation_hz:g} Hz, clipped to 1"


def freezing_table(cs_table: Mapping[str, np.ndarray], population: str, curve: FreezingCurve,
                   cs: np.ndarray) -> dict[str, np.ndarray]:
    """Freezing proxy ``curve(r)`` per trial of ``population``'s CS-window rate r; ``cs`` (1/0
    per trial, the run's ``epochs/cs``) marks windows that carried a CS (0: the context alone in
    a CS-timed window)."""
    rows = cs_table["group"] == population
    rate = cs_table["rate"][rows]
    return {"phase": cs_table["phase"][rows], "trial": cs_table["trial"][rows],
            "context": cs_table["context"][rows], "cs": np.asarray(cs, dtype=np.int8),
            "rate": rate, "freezing": curve(rate)}


def context_freezing_table(data: Mapping[str, np.ndarray], population: str, n: int,
                           curve: FreezingCurve) -> dict[str, np.ndarray]:
    """Freezing to the context alone: ``curve(r)`` of ``population``'s mean rate r (Hz, neurons
    ``0..n-1``) from the start of each phase that has a context to its first CS (the whole phase
    if it has none), so no CS-evoked firing is counted."""
    rows: dict[str, list] = {"phase": [], "context": [], "rate": []}
    times, ids = data[f"spikes/{population}/timestamps"], data[f"spikes/{population}/node_ids"]
    for name, ctx, start, stop in zip(data["phases/name"], data["phases/context"],
                                      data["phases/start"], data["phases/stop"], strict=True):
        if not str(ctx):
            continue
        trials = np.flatnonzero(data["epochs/phase"] == name)
        end = float(data["epochs/cs_start"][trials[0]]) if trials.size else float(stop)
        if end <= start:
            continue
        rows["phase"].append(str(name))
        rows["context"].append(str(ctx))
        rows["rate"].append(window_rate(times, ids, float(start), end, 0, n))
    rate = np.array(rows["rate"], dtype=float)
    return {"phase": np.array(rows["phase"]), "context": np.array(rows["context"]), "rate": rate,
            "freezing": curve(rate)}


def session_table(data: Mapping[str, np.ndarray], regions: list[str]) -> dict[str, np.ndarray]:
    """One row per session and region: the session's biological start (h), the mean, minimum
    and maximum ALLO (nM) applied in the region during the session's simulated span, and the
    session's mean cued (CS windows) and contextual freezing (see :func:`context_freezing_table`;
    NaN where the run has no freezing readout or the session no such window)."""
    rows: dict[str, list] = {k: [] for k in ("session", "bio_start", "region", "allo_mean",
                                             "allo_min", "allo_max", "freezing",
                                             "context_freezing")}
    phase_session = dict(zip(data["phases/name"], data["phases/session"], strict=True))
    cued = data.get("readouts/freezing/freezing")
    for name, start, stop, bio in zip(data["sessions/name"], data["sessions/start"],
                                      data["sessions/stop"], data["sessions/bio_start"],
                                      strict=True):
        phases = [p for p, s in phase_session.items() if s == name]
        freezing = context = float("nan")
        if cued is not None:
            mask = np.isin(data["readouts/freezing/phase"], phases) & (
                data["readouts/freezing/cs"] == 1)
            freezing = float(cued[mask].mean()) if mask.any() else float("nan")
            mask = np.isin(data["readouts/context_freezing/phase"], phases)
            values = data["readouts/context_freezing/freezing"][mask]
            context = float(values.mean()) if values.size else float("nan")
        for region in regions:
            t, c = data[f"allo/{region}/t_sim"], data[f"allo/{region}/concentration"]
            inside = c[(t >= start) & (t <= stop)]
            rows["session"].append(str(name))
            rows["bio_start"].append(float(bio))
            rows["region"].append(region)
            rows["allo_mean"].append(float(inside.mean()))
            rows["allo_min"].append(float(inside.min()))
            rows["allo_max"].append(float(inside.max()))
            rows["freezing"].append(freezing)
            rows["context_freezing"].append(context)
    return {k: np.array(v) for k, v in rows.items()}


def per_neuron_cs_rate(data: Mapping[str, np.ndarray], population: str, n: int, phase: str,
                       last: int | None = None) -> np.ndarray:
    """Each neuron's mean rate (Hz) over the CS windows of ``phase`` (its ``last`` trials)."""
    rows = np.flatnonzero(data["epochs/phase"] == phase)
    if last:
        rows = rows[-last:]
    if rows.size == 0:
        raise ValueError(f"no CS in phase {phase!r}")
    times, ids = data[f"spikes/{population}/timestamps"], data[f"spikes/{population}/node_ids"]
    counts = np.zeros(n)
    duration = 0.0
    for k in rows:
        start, stop = cs_window(data, k)
        hit = (times >= start) & (times < stop)
        counts += np.bincount(ids[hit].astype(np.int64), minlength=n)[:n]
        duration += stop - start
    return counts / duration


def classify_neurons(r_ctrl: np.ndarray, r_a: np.ndarray, r_b: np.ndarray,
                     min_rate: float) -> dict[str, np.ndarray]:
    """Boolean masks of neuron classes (Duggins & Eliasmith criteria, rates in Hz).

    fear: r_A > 1.5 r_ctrl and r_B < 0.5 r_A; extinction: r_B > 1.5 r_A; persistent:
    r_A > 1.5 r_ctrl and r_B >= 0.5 r_A; ``fear_responsive``: r_A > 1.5 r_ctrl (fear or
    persistent). The responding rate (r_A, or r_B for extinction) must also reach ``min_rate``.
    """
    responsive = (r_a > 1.5 * r_ctrl) & (r_a >= min_rate)
    return {
        "fear": responsive & (r_b < 0.5 * r_a),
        "extinction": (r_b > 1.5 * r_a) & (r_b >= min_rate),
        "persistent": responsive & (r_b >= 0.5 * r_a),
        "fear_responsive": responsive,
    }


def neuron_classes(data: Mapping[str, np.ndarray], population: str, n: int, control: str,
                   conditioned: str, extinguished: str, last_trials: int,
                   min_rate: float) -> dict[str, np.ndarray]:
    """Counts and fractions of fear / extinction / persistent neurons of ``population``.

    r_ctrl: CS rate in phase ``control``; r_A: in phase ``conditioned``; r_B: the last
    ``last_trials`` CS of phase ``extinguished``. A last row ``overlap`` gives the Jaccard overlap
    of the fear-responsive and extinction sets (its ``n`` is the size of their intersection).
    """
    r_ctrl = per_neuron_cs_rate(data, population, n, control)
    r_a = per_neuron_cs_rate(data, population, n, conditioned)
    r_b = per_neuron_cs_rate(data, population, n, extinguished, last_trials)
    masks = classify_neurons(r_ctrl, r_a, r_b, min_rate)
    names = list(masks)
    counts = [int(masks[k].sum()) for k in names]
    both = masks["fear_responsive"] & masks["extinction"]
    either = masks["fear_responsive"] | masks["extinction"]
    names.append("overlap")
    counts.append(int(both.sum()))
    fractions = [c / n for c in counts[:-1]] + [both.sum() / max(1, either.sum())]
    return {"class": np.array(names), "n": np.array(counts), "fraction": np.array(fractions)}


def context_windows(data: Mapping[str, np.ndarray]) -> dict[str, list[tuple[float, float]]]:
    """Time windows (s) during which each context was on: its phases, from ``phases/*``."""
    windows: dict[str, list[tuple[float, float]]] = {}
    for ctx, start, stop in zip(data["phases/context"], data["phases/start"],
                                data["phases/stop"], strict=True):
        if str(ctx):
            windows.setdefault(str(ctx), []).append((float(start), float(stop)))
    return windows


def ensemble_overlap(data: Mapping[str, np.ndarray], population: str, n: int,
                     threshold_hz: float) -> dict[str, np.ndarray]:
    """Jaccard overlap of ``population``'s active sets between every pair of contexts.

    A neuron is active in a context if its mean rate over that context's phases (whole phase,
    CS included) is at least ``threshold_hz``.
    """
    times, ids = data[f"spikes/{population}/timestamps"], data[f"spikes/{population}/node_ids"]
    active = {}
    for ctx, spans in sorted(context_windows(data).items()):
        counts = np.zeros(n)
        for start, stop in spans:
            hit = (times >= start) & (times < stop)
            counts += np.bincount(ids[hit].astype(np.int64), minlength=n)[:n]
        active[ctx] = counts / sum(stop - start for start, stop in spans) >= threshold_hz
    rows: dict[str, list] = {"pair": [], "overlap": [], "n_a": [], "n_b": []}
    names = sorted(active)
    for a_index, a in enumerate(names):
        for b in names[a_index + 1:]:
            union = (active[a] | active[b]).sum()
            rows["pair"].append(f"{a}-{b}")
            rows["overlap"].append(float((active[a] & active[b]).sum() / union) if union else 0.0)
            rows["n_a"].append(int(active[a].sum()))
            rows["n_b"].append(int(active[b].sum()))
    return {k: np.array(v) for k, v in rows.items()}


def weights_at_phases(data: Mapping[str, np.ndarray],
                      groups: Mapping[str, Mapping[str, tuple[int, int]]]) -> dict[str, np.ndarray]:
    """Mean CS and context weights (S) at the start of every phase and at the end of the run,
    per plastic population and its subgroups (``groups``: population -> subgroup ranges)."""
    rows: dict[str, list] = {k: [] for k in ("population", "group", "phase", "time", "w_cs",
                                             "w_ctx")}
    marks = list(zip(data["phases/name"], data["phases/start"], strict=True))
    marks.append(("end", data["phases/stop"][-1]))
    for pop, subgroups in groups.items():
        t = data[f"weights/{pop}/t"]
        spans = {pop: (0, data[f"weights/{pop}/w_cs"].shape[1]), **subgroups}
        for phase, time in marks:
            k = min(int(np.searchsorted(t, time)), len(t) - 1)
            for group, (first, last) in spans.items():
                rows["population"].append(pop)
                rows["group"].append(group)
                rows["phase"].append(str(phase))
                rows["time"].append(float(t[k]))
                rows["w_cs"].append(float(data[f"weights/{pop}/w_cs"][k, first:last].mean()))
                rows["w_ctx"].append(float(data[f"weights/{pop}/w_ctx"][k, first:last].mean()))
    return {k: np.array(v) for k, v in rows.items()}


def baseline_rates(data: Mapping[str, np.ndarray], sizes: Mapping[str, int], start: float,
                   stop: float) -> dict[str, np.ndarray]:
    """Mean rate (Hz) of each population between ``start`` and ``stop`` (background only)."""
    names = list(sizes)
    rates = [window_rate(data[f"spikes/{p}/timestamps"], data[f"spikes/{p}/node_ids"], start,
                         stop, 0, sizes[p]) for p in names]
    return {"population": np.array(names), "rate": np.array(rates)}
