"""Fear-protocol readouts from run-file arrays: CS-window rates per group and trial, fear ratio.

Rates in Hz; times in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def window_rate(times: np.ndarray, ids: np.ndarray, start: float, stop: float, first: int,
                last: int) -> float:
    """Mean rate (Hz) of neurons ``first..last-1`` between ``start`` and ``stop``."""
    hit = (times >= start) & (times < stop) & (ids >= first) & (ids < last)
    return float(hit.sum()) / ((last - first) * (stop - start))


def cs_rates(data: Mapping[str, np.ndarray], groups: Mapping[str, tuple[str, int, int]]
             ) -> dict[str, np.ndarray]:
    """Table of CS-window rates: one row per (trial, group).

    ``groups`` maps a group label to (population, first, last) neuron indices; trials come from
    the ``epochs/*`` table.
    """
    rows: dict[str, list] = {k: [] for k in ("phase", "trial", "context", "group", "rate")}
    for k in range(len(data["epochs/phase"])):
        start, stop = data["epochs/cs_start"][k], data["epochs/cs_stop"][k]
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
