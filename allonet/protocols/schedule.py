"""From protocol phases to a timeline: epochs (CS, US, context per trial) and input-rate arrays.

Times in seconds, rates in Hz. Pure numpy: tested without Brian2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allonet.spec.experiment import FearConditioning
from allonet.units import to_hz, to_seconds


@dataclass(frozen=True)
class Epoch:
    """One CS presentation (a trial) with its phase, context and US window."""

    phase: str
    phase_index: int
    trial: int
    context: str
    cs_start: float
    cs_stop: float
    us_start: float
    us_stop: float
    plastic: bool
    cs: bool = True  # false: a context-alone window (no CS), timed like a CS


@dataclass(frozen=True)
class Timeline:
    """Everything time-dependent in a fear protocol run."""

    duration: float
    epochs: list[Epoch]
    phase_bounds: list[tuple[str, float, float]]
    context_bounds: list[tuple[str, float, float]]


def timeline(proto: FearConditioning) -> Timeline:
    """Lay the phases end to end after ``settle``; CS k of a phase starts at
    ``start + lead + k * cs_interval``; the context stays on for the whole phase."""
    t = to_seconds(proto.settle)
    us_len = to_seconds(proto.us_duration)
    epochs, phases, contexts = [], [], []
    for index, phase in enumerate(proto.phases):
        start = t
        lead, interval = to_seconds(phase.lead), to_seconds(phase.cs_interval)
        length = to_seconds(phase.cs_duration)
        for trial in range(phase.n_cs):
            cs_start = start + lead + trial * interval
            cs_stop = cs_start + length
            us = (cs_stop - us_len, cs_stop) if phase.us else (cs_stop, cs_stop)
            epochs.append(Epoch(phase.name, index, trial, phase.context or "", cs_start, cs_stop,
                                us[0], us[1], phase.plastic, phase.cs))
        stop = start + lead + phase.n_cs * interval
        phases.append((phase.name, start, stop))
        if phase.context:
            contexts.append((phase.context, start, stop))
        t = stop + to_seconds(phase.gap_after)
    return Timeline(t, epochs, phases, contexts)


def _grid(line: Timeline, resolution: float) -> np.ndarray:
    return (np.arange(int(np.ceil(line.duration / resolution)) + 1) + 0.5) * resolution


def rate_arrays(proto: FearConditioning, line: Timeline) -> dict[str, np.ndarray]:
    """Rate (Hz) of each protocol-driven input on a grid of ``proto.resolution``, plus the 0/1
    plasticity gate (``plasticity_gate``); keys are input names."""
    resolution = to_seconds(proto.resolution)
    mid = _grid(line, resolution)  # bin centres: robust to float edges
    cs = np.zeros_like(mid)
    us = np.zeros_like(mid)
    gate = np.zeros_like(mid)
    for e in line.epochs:
        on = (mid >= e.cs_start) & (mid < e.cs_stop)
        if e.cs:
            cs[on] = to_hz(proto.cs_rate)
        if e.plastic:
            gate[on] = 1.0
        us[(mid >= e.us_start) & (mid < e.us_stop)] = to_hz(proto.us_rate)
    arrays = {proto.cs_input: cs, "plasticity_gate": gate}
    for name, ctx in proto.contexts.items():
        rate = np.zeros_like(mid)
        for context, start, stop in line.context_bounds:
            if context == name:
                rate[(mid >= start) & (mid < stop)] = to_hz(ctx.rate)
        arrays[ctx.input] = rate
    if proto.us_input:
        arrays[proto.us_input] = us
    return arrays


def silence_arrays(proto: FearConditioning, line: Timeline) -> dict[str, np.ndarray]:
    """Fraction of each population kept silent, on the same grid as :func:`rate_arrays`, for the
    populations in ``proto.silenceable`` and those that some phase silences."""
    mid = _grid(line, to_seconds(proto.resolution))
    arrays = {pop: np.zeros_like(mid) for pop in proto.silenceable}
    for phase, (_, start, stop) in zip(proto.phases, line.phase_bounds, strict=True):
        for pop, fraction in phase.silence.items():
            values = arrays.setdefault(pop, np.zeros_like(mid))
            values[(mid >= start) & (mid < stop)] = fraction
    return arrays
