"""Readouts of an acute stressor: the excitatory overshoot of populations, and the ALLO peak.

Inputs are a run's own datasets (``spikes/<pop>/timestamps`` in s, ``allo/<region>/...``);
rates in Hz, times in s of the simulation clock.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: unit of every column of the stress tables
STRESS_UNITS = {"baseline_hz": "Hz", "peak_hz": "Hz", "peak_excess_hz": "Hz", "t_peak_s": "s",
                "duration_s": "s", "excess_spikes": "1", "onset_nM": "nM", "peak_nM": "nM",
                "fold": "1", "group": "str", "region": "str"}


def binned_rate(times: np.ndarray, n: int, edges: np.ndarray) -> np.ndarray:
    """Population rate (Hz per neuron) of ``n`` neurons' spike ``times`` in bins ``edges`` (s)."""
    counts, _ = np.histogram(times, bins=edges)
    return counts / (n * np.diff(edges))


def overshoot(times: np.ndarray, n: int, onset: float, stop: float, baseline: float,
              bin_width: float, threshold: float) -> dict[str, float]:
    """The activity overshoot after ``onset`` (s) until ``stop`` (s).

    Baseline: mean rate over ``[onset - baseline, onset)``. After onset, rates in bins of
    ``bin_width``: peak (highest bin), its excess over baseline and time from onset, ``duration``
    (total time of the bins whose rate exceeds baseline by more than ``threshold`` Hz) and
    ``excess_spikes`` (excess rate integrated over time: extra spikes per neuron).
    """
    times = np.asarray(times, dtype=float)
    base = np.count_nonzero((times >= onset - baseline) & (times < onset)) / (n * baseline)
    n_bins = max(1, int(np.floor((stop - onset) / bin_width + 1e-9)))
    edges = onset + np.arange(n_bins + 1) * bin_width
    rate = binned_rate(times, n, edges)
    excess = rate - base
    k = int(np.argmax(rate))
    return {"baseline_hz": float(base), "peak_hz": float(rate[k]),
            "peak_excess_hz": float(excess[k]), "t_peak_s": float(edges[k] - onset),
            "duration_s": float(np.count_nonzero(excess > threshold) * bin_width),
            "excess_spikes": float(np.sum(excess) * bin_width)}


def stress_response(data: Mapping[str, np.ndarray], populations: Mapping[str, int],
                    onset: float, stop: float, baseline: float, bin_width: float,
                    threshold: float) -> dict[str, np.ndarray]:
    """:func:`overshoot` per population (sizes ``populations``) and for all of them pooled
    (group ``all``): one row per group."""
    rows: dict[str, list] = {"group": []}
    pooled = []
    for name, n in populations.items():
        times = np.asarray(data[f"spikes/{name}/timestamps"], dtype=float)
        pooled.append(times)
        for key, value in [("group", name), *overshoot(times, n, onset, stop, baseline,
                                                        bin_width, threshold).items()]:
            rows.setdefault(key, []).append(value)
    if len(populations) > 1:
        every = overshoot(np.concatenate(pooled), sum(populations.values()), onset, stop,
                          baseline, bin_width, threshold)
        for key, value in [("group", "all"), *every.items()]:
            rows[key].append(value)
    return {k: np.array(v) for k, v in rows.items()}


def allo_peaks(data: Mapping[str, np.ndarray], regions: list[str],
               onset: float) -> dict[str, np.ndarray]:
    """Per region: ALLO at ``onset`` (s), its peak after onset, the peak's time from onset and
    fold over the onset value (from ``allo/<region>/concentration`` and ``t_sim``)."""
    rows: dict[str, list] = {k: [] for k in ("region", "onset_nM", "peak_nM", "t_peak_s",
                                             "fold")}
    for region in regions:
        t = np.asarray(data[f"allo/{region}/t_sim"], dtype=float)
        c = np.asarray(data[f"allo/{region}/concentration"], dtype=float)
        start = int(np.clip(np.searchsorted(t, onset, side="right") - 1, 0, len(t) - 1))
        k = start + int(np.argmax(c[start:]))
        rows["region"].append(region)
        rows["onset_nM"].append(float(c[start]))
        rows["peak_nM"].append(float(c[k]))
        rows["t_peak_s"].append(float(t[k] - onset))
        rows["fold"].append(float(c[k] / c[start]) if c[start] > 0 else float("nan"))
    return {k: np.array(v) for k, v in rows.items()}
