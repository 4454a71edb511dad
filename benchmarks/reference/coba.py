"""COBA benchmark network in plain Brian2: the kernel speed limit of this machine.

    .venv/bin/python benchmarks/reference/coba.py --device standalone --duration 5

The conductance-based LIF network of Brette et al. 2007 (J Comput Neurosci 23:349, benchmark 1,
after Vogels & Abbott 2005) at its usual benchmark size: 4000 neurons (3200 excitatory, 800
inhibitory), random connections with p = 0.02 (about 80 synapses per neuron), exponential
synapses (5 ms excitatory, 10 ms inhibitory), weights 6 nS / 67 nS, C 200 pF, gL 10 nS,
rest = reset -60 mV, threshold -50 mV, refractory 5 ms, exponential Euler, dt 0.1 ms. Activity
is self-sustained from random initial potentials and conductances.

``--record`` is the fraction of neurons whose spikes are recorded (1 = all, 0 = no monitor),
for the recording-cost benchmark.

The last line printed is JSON (times in s): ``build_s`` (construction, code generation and
compilation; on runtime devices code generation happens inside ``run``), ``run_s``
(simulation), ``wall_s`` (from before ``import brian2``), ``spikes``, ``synaptic_events``
(each spike times the number of its outgoing synapses), ``events_per_s`` (= events / run_s) and
``updates_per_s`` (neuron state updates per second of simulation: neurons x time steps / run_s).
``--profile`` (cpp_standalone only) adds ``profile``: seconds per code object, from Brian2's
profiler, in a build folder of its own.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

T_START = time.perf_counter()

import brian2 as b2  # noqa: E402  (timed from before the import)
import numpy as np  # noqa: E402
from brian2 import ms, mV, nS, pF, second  # noqa: E402

N, N_E = 4000, 3200
C, G_L, E_L, V_T, V_R = 200 * pF, 10 * nS, -60 * mV, -50 * mV, -60 * mV
E_EXC, E_INH, TAU_E, TAU_I = 0 * mV, -80 * mV, 5 * ms, 10 * ms
W_EXC, W_INH, P_CONNECT = 6 * nS, 67 * nS, 0.02


def _count(folder: str | None) -> int:
    """Number of files below ``folder`` (0 if unset or missing)."""
    return sum(1 for _ in Path(folder).rglob("*")) if folder and Path(folder).exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["standalone", "cython", "numpy"],
                        default="standalone")
    parser.add_argument("--duration", type=float, default=5.0, help="simulated time (s)")
    parser.add_argument("--record", type=float, default=1.0,
                        help="fraction of neurons whose spikes are recorded (0..1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="time every code object (cpp_standalone; a build of its own)")
    parser.add_argument("--build-dir", type=Path,
                        default=Path.home() / ".cache" / "allonet-bench" / "coba")
    args = parser.parse_args()

    if args.device == "standalone":
        # one folder per recorded fraction, so each stays compiled between runs
        suffix = f"-record{args.record:g}" + ("-profile" if args.profile else "")
        build_dir = args.build_dir.with_name(args.build_dir.name + suffix)
        b2.set_device("cpp_standalone", directory=str(build_dir), build_on_run=False,
                      profile=args.profile)
    elif args.profile:
        parser.error("--profile needs --device standalone")
    else:
        b2.prefs.codegen.target = args.device
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(args.seed)

    eqs = """
    dv/dt = (G_L*(E_L - v) + ge*(E_EXC - v) + gi*(E_INH - v))/C : volt (unless refractory)
    dge/dt = -ge/TAU_E : siemens
    dgi/dt = -gi/TAU_I : siemens
    """
    group = b2.NeuronGroup(N, eqs, threshold="v > V_T", reset="v = V_R", refractory=5 * ms,
                           method="exponential_euler")
    group.v = "V_R + rand()*(V_T - V_R)"
    group.ge = "(randn()*1.5 + 4)*10*nS"
    group.gi = "(randn()*12 + 20)*10*nS"
    exc = b2.Synapses(group[:N_E], group, on_pre="ge_post += W_EXC")
    exc.connect(p=P_CONNECT)
    inh = b2.Synapses(group[N_E:], group, on_pre="gi_post += W_INH")
    inh.connect(p=P_CONNECT)
    objects: list = [group, exc, inh]
    n_record = int(round(args.record * N))
    monitor = counter = None
    if n_record:
        monitor = b2.SpikeMonitor(group[:n_record])
        objects.append(monitor)
    if n_record < N:
        counter = b2.PopulationRateMonitor(group)  # spikes of all neurons, to count events
        objects.append(counter)
    net = b2.Network(*objects)
    binary = build_dir / "main" if args.device == "standalone" else None
    stamp = binary.stat().st_mtime_ns if binary is not None and binary.exists() else None
    cython_cache = b2.prefs.codegen.runtime.cython.cache_dir
    cython_files = _count(cython_cache)
    t0 = time.perf_counter()
    net.run(args.duration * second)
    if args.device == "standalone":
        b2.device.build(directory=str(build_dir), compile=True, run=True, with_output=False)
        run_s = float(b2.device.timers["run_binary"])
        build_s = time.perf_counter() - t0 - run_s
    else:
        run_s = time.perf_counter() - t0
        build_s = t0 - T_START
    # was the binary rebuilt, or were Cython extensions added to a cache set by the caller
    compiled = (binary.stat().st_mtime_ns != stamp if binary is not None
                else _count(cython_cache) != cython_files if cython_cache else None)

    if counter is not None:
        spikes = int(round(float(np.sum(counter.rate[:])) * float(b2.defaultclock.dt) * N))
        mean_out = (len(exc) + len(inh)) / N  # recorded neurons are not all: mean out-degree
        events = int(round(spikes * mean_out))
    else:
        spikes = int(monitor.num_spikes)
        out = (np.bincount(np.asarray(exc.i[:]), minlength=N_E).tolist()
               + np.bincount(np.asarray(inh.i[:]), minlength=N - N_E).tolist())
        events = int(np.sum(np.asarray(out)[np.asarray(monitor.i[:])]))
    steps = int(round(args.duration * second / b2.defaultclock.dt))
    profile = ({name: float(seconds) for name, seconds in net.profiling_info}
               if args.profile else None)
    print(json.dumps({"device": args.device, "duration_s": args.duration,
                      "record": args.record, "build_s": build_s, "run_s": run_s,
                      "compiled": compiled,
                      "wall_s": time.perf_counter() - T_START, "spikes": spikes,
                      "synapses": len(exc) + len(inh), "synaptic_events": events,
                      "events_per_s": events / run_s,
                      "updates_per_s": N * steps / run_s,
                      "rate_hz": spikes / N / args.duration, "profile": profile}))


if __name__ == "__main__":
    main()
