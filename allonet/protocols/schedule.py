"""From protocol phases to a timeline: epochs (CS, US, context per trial) and input-rate arrays.

Times in seconds, rates in Hz. Pure numpy: tested without Brian2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allonet.spec.experiment import Clock, FearConditioning
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
    #: (session, start, stop) on the simulation clock: its first phase's start to its last's stop
    session_bounds: list[tuple[str, float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class SessionClock:
    """Simulation time (s) to biological time (h) when the phases are sessions on separate days.

    Session k's biological clock runs from ``bio_start[k]`` at its simulated start ``sim_start[k]``
    at ``time_scale`` biological seconds per simulated second; it holds from the end of the
    session before (the home-cage gap leads up to the session) to the session's own end,
    inclusive.
    """

    sim_start: np.ndarray  # s
    sim_stop: np.ndarray   # s
    bio_start: np.ndarray  # h
    time_scale: float

    def session_index(self, t_sim_s: np.ndarray) -> np.ndarray:
        """Index of the session whose clock holds at each simulated time."""
        k = np.searchsorted(self.sim_stop, np.asarray(t_sim_s, dtype=float), side="left")
        return np.minimum(k, len(self.sim_stop) - 1)

    def bio_hours(self, t_sim_s: np.ndarray) -> np.ndarray:
        t = np.asarray(t_sim_s, dtype=float)
        k = self.session_index(t)
        return self.bio_start[k] + self.time_scale * (t - self.sim_start[k]) / 3600.0

    def sim_seconds(self, t_bio_h: float) -> float:
        """Simulated time of biological time ``t_bio_h``, on the last session starting before."""
        k = max(0, int(np.searchsorted(self.bio_start, t_bio_h, side="right")) - 1)
        return float(self.sim_start[k] + (t_bio_h - self.bio_start[k]) * 3600.0 / self.time_scale)


def session_clock(proto: FearConditioning, clock: Clock, line: Timeline) -> SessionClock | None:
    """The sessions' clock of a protocol with ``sessions`` (None without: one session, whose
    biological time is ``clock.bio_hours``)."""
    if not line.session_bounds:
        return None
    offset = clock.bio_hours(np.zeros(1))[0]
    return SessionClock(
        np.array([b[1] for b in line.session_bounds]),
        np.array([b[2] for b in line.session_bounds]),
        np.array([offset + to_seconds(proto.sessions[b[0]].start) / 3600.0
                  for b in line.session_bounds]),
        clock.time_scale)


def timeline(proto: FearConditioning) -> Timeline:
    """Lay the phases end to end after ``settle``; CS k of a phase starts at
    ``start + lead + k * cs_interval``; the context stays on for the whole phase. Between two
    sessions, ``session_gap`` follows the last phase's ``gap_after``."""
    t = to_seconds(proto.settle)
    us_len = to_seconds(proto.us_duration)
    epochs, phases, contexts = [], [], []
    sessions: list[tuple[str, float, float]] = []
    for index, phase in enumerate(proto.phases):
        if index and phase.session != proto.phases[index - 1].session:
            t += to_seconds(proto.session_gap)
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
        if phase.session is not None:
            if sessions and sessions[-1][0] == phase.session:
                sessions[-1] = (phase.session, sessions[-1][1], stop)
            else:
                sessions.append((phase.session, start, stop))
        t = stop + to_seconds(phase.gap_after)
    return Timeline(t, epochs, phases, contexts, sessions)


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
