"""The basal-amygdala network of Vlachos et al. 2011, written directly in Brian2 (no allonet).

    .venv/bin/python benchmarks/reference/vlachos2011_ba.py --device standalone --seed 1

This is the reference for ``benchmarks/vlachos_reference.py``: the network and protocol of
``networks/vlachos2011_ba.yaml`` + ``experiments/vlachos2011.yaml`` (parameters from the public
Brian2 replication, see ``/work/shared/science.md`` section 2), written the way a user would write
one script for one model: 3400 E + 600 I conductance-based LIF neurons (RK4, dt 0.1 ms), alpha
synapses (tau 0.326 ms), Poisson background through ``PoissonInput``, one CS Poisson train per
neuron, one context train per neuron of the fear (context A) and extinction (context B) groups,
and the CS x context coincidence rule on each E neuron's CS and context weight.

Protocol: 100 ms settling, 5 CS of 50 ms every 200 ms in context A, 100 ms gap, 6 CS in context B,
100 ms gap, 1 CS back in A; 2.7 s in all. It records the spikes of E and I and both weights of
every E neuron every 50 ms, and prints the CS-window rates (Hz) of the fear and extinction groups.

The last line printed is JSON with timings in seconds: ``build_s`` (network construction, code
generation and compilation; on runtime devices code generation and the Cython compile happen
inside ``run``, so there it is construction only), ``run_s`` (simulation), ``wall_s`` (from before
``import brian2`` to the end), spike counts, synaptic events (presynaptic spikes times their
outgoing synapses, recurrent and input synapses; the Poisson background is not counted) and the
mean CS-window rates (Hz) of the fear and extinction groups per phase (``cs_rates_hz``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

T_START = time.perf_counter()

import brian2 as b2  # noqa: E402  (timed from before the import)
import numpy as np  # noqa: E402
from brian2 import Hz, ms, mV, nS, pF, second  # noqa: E402

# --- network (networks/vlachos2011_ba.yaml) -------------------------------------------------
N_E, N_I = 3400, 600
FEAR = (0, 680)               # context-A group of E: neurons [0, 680)
EXTINCTION = (2720, 3400)     # context-B group of E
C, G_L, E_L = 250 * pF, 16.7 * nS, -70 * mV
V_T, V_R, T_REF = -50 * mV, -70 * mV, 2 * ms
E_EXC, E_INH = 0 * mV, -80 * mV
TAU_SYN = 0.326 * ms          # alpha synapse, excitatory and inhibitory
W_E, W_I, W_SD = 1.25 * nS, 2.5 * nS, 0.1 * nS
DELAY, DELAY_SD = 2 * ms, 0.1 * ms
P = {"EE": 0.01, "EI": 0.15, "IE": 0.15, "II": 0.10}
# plasticity (coincidence rule)
ALPHA, TAU_C, TAU_H, C_U, H_U = 1.6e-3, 10 * ms, 10 * ms, 0.35, 0.35
WINDOW, W_MIN, W_MAX = 100 * ms, 0.4 * nS, 4 * nS
# --- protocol (experiments/vlachos2011.yaml) ------------------------------------------------
SETTLE, CS_LEN, CS_EVERY, GAP = 0.1, 0.05, 0.2, 0.1    # seconds
PHASES = [("conditioning", "A", 5), ("extinction", "B", 6), ("renewal", "A", 1)]
CS_RATE, CTX_RATE = 500, 300                             # Hz
RESOLUTION = 1 * ms                                      # rate arrays


def schedule() -> tuple[list[tuple[str, int, float]], dict[str, np.ndarray], float]:
    """CS onsets (phase, trial, start in s), rate arrays (Hz on a 1 ms grid), duration (s)."""
    t, onsets, contexts = SETTLE, [], []
    for k, (name, context, n_cs) in enumerate(PHASES):
        onsets += [(name, i, t + i * CS_EVERY) for i in range(n_cs)]
        contexts.append((context, t, t + n_cs * CS_EVERY))
        t += n_cs * CS_EVERY + (GAP if k < len(PHASES) - 1 else 0.0)
    mid = (np.arange(int(round(t / float(RESOLUTION))) + 1) + 0.5) * float(RESOLUTION)
    cs, gate = np.zeros_like(mid), np.zeros_like(mid)
    for _, _, start in onsets:
        on = (mid >= start) & (mid < start + CS_LEN)
        cs[on], gate[on] = CS_RATE, 1.0
    ctx = {"A": np.zeros_like(mid), "B": np.zeros_like(mid)}
    for context, start, stop in contexts:
        ctx[context][(mid >= start) & (mid < stop)] = CTX_RATE
    return onsets, {"cs": cs, "gate": gate, "A": ctx["A"], "B": ctx["B"]}, t


def _count(folder: str | None) -> int:
    """Number of files below ``folder`` (0 if unset or missing)."""
    return sum(1 for _ in Path(folder).rglob("*")) if folder and Path(folder).exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["standalone", "cython", "numpy"],
                        default="standalone")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--build-dir", type=Path,
                        default=Path.home() / ".cache" / "allonet-bench" / "vlachos2011_ba",
                        help="standalone project folder (reused: a second run compiles nothing)")
    args = parser.parse_args()

    build_dir = args.build_dir
    if args.device == "standalone":
        b2.set_device("cpp_standalone", directory=str(build_dir), build_on_run=False)
    else:
        b2.prefs.codegen.target = args.device
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(args.seed)

    onsets, rates, duration = schedule()
    timed = {"cs_rate": b2.TimedArray(rates["cs"] * Hz, dt=RESOLUTION),
             "ctx_a_rate": b2.TimedArray(rates["A"] * Hz, dt=RESOLUTION),
             "ctx_b_rate": b2.TimedArray(rates["B"] * Hz, dt=RESOLUTION),
             "gate": b2.TimedArray(rates["gate"], dt=RESOLUTION)}

    neuron = """
    dv/dt = (G_L*(E_L - v) + ge*(E_EXC - v) + gi*(E_INH - v))/C : volt (unless refractory)
    dge/dt = (ye - ge)/TAU_SYN : siemens
    dye/dt = -ye/TAU_SYN : siemens
    dgi/dt = (yi - gi)/TAU_SYN : siemens
    dyi/dt = -yi/TAU_SYN : siemens
    """
    plastic = """
    dc/dt = -c/TAU_C : 1
    dh/dt = -h/TAU_H : 1
    t_cs : second
    t_ctx : second
    w_cs : siemens
    w_ctx : siemens
    """
    exc = b2.NeuronGroup(N_E, neuron + plastic, threshold="v > V_T", reset="v = V_R",
                       refractory=T_REF, method="rk4")
    inh = b2.NeuronGroup(N_I, neuron, threshold="v > V_T", reset="v = V_R", refractory=T_REF,
                       method="rk4")
    exc.v = "E_L + 3*mV*randn()"
    inh.v = "E_L + 3*mV*randn()"
    exc.t_cs = exc.t_ctx = -1 * second
    exc.w_cs = "0.9*nS + 0.1*nS*randn()"
    exc.w_ctx = "0.4*nS + 0.05*nS*randn()"
    # an alpha synapse peaks at the weight when x jumps by e*w
    bg_e = b2.PoissonInput(exc, "ye", 1000, 5 * Hz, weight=np.e * W_E)
    bg_i = b2.PoissonInput(inh, "ye", 1000, 6 * Hz, weight=np.e * W_E)

    recurrent = []
    projections = {"EE": (exc, exc, "ye", W_E), "EI": (exc, inh, "ye", W_E),
                   "IE": (inh, exc, "yi", W_I), "II": (inh, inh, "yi", W_I)}
    for name, (pre, post, channel, w_mean) in projections.items():
        syn = b2.Synapses(pre, post, "w : siemens", on_pre=f"{channel}_post += e*w", name=name)
        syn.connect(condition="i != j" if pre is post else None, p=P[name])
        syn.w = f"{float(w_mean / nS)!r}*nS + {float(W_SD / nS)!r}*nS*randn()"
        syn.delay = f"{float(DELAY / ms)!r}*ms + {float(DELAY_SD / ms)!r}*ms*randn()"
        recurrent.append(syn)

    # CS and context inputs: one Poisson train per target neuron
    cs = b2.PoissonGroup(N_E + N_I, rates="cs_rate(t)", namespace=timed)
    ctx_a = b2.PoissonGroup(FEAR[1] - FEAR[0], rates="ctx_a_rate(t)", namespace=timed)
    ctx_b = b2.PoissonGroup(EXTINCTION[1] - EXTINCTION[0], rates="ctx_b_rate(t)", namespace=timed)
    learn = """
    paired = int(abs(t_cs_post - t_ctx_post) < WINDOW)
    w_cs_post += gate(t)*ALPHA*c_post*(paired*h_post*abs(W_MAX - w_cs_post) - (1 - paired)*abs(W_MIN - w_cs_post))
    w_ctx_post += gate(t)*ALPHA*c_post*(paired*h_post*abs(W_MAX - w_ctx_post) - (1 - paired)*abs(W_MIN - w_ctx_post))
    """  # noqa: E501
    # several inputs may update one neuron's weights in a step; Brian2 applies them in turn
    b2.BrianLogger.suppress_hierarchy("brian2.codegen.generators.base")
    cs_e = b2.Synapses(cs[:N_E], exc, on_pre="t_cs_post = t\nc_post += C_U\n" + learn
                       + "ye_post += e*w_cs_post", delay=0.1 * ms, namespace=timed)
    cs_e.connect(j="i")
    cs_i = b2.Synapses(cs[N_E:], inh, "w : siemens", on_pre="ye_post += e*w", delay=0.1 * ms)
    cs_i.connect(j="i")
    cs_i.w = "0.9*nS + 0.1*nS*randn()"
    context_synapses = []
    for source, (start, stop) in ((ctx_a, FEAR), (ctx_b, EXTINCTION)):
        syn = b2.Synapses(source, exc[start:stop], on_pre="t_ctx_post = t\nh_post += H_U\n"
                          + learn + "ye_post += e*w_ctx_post", delay=0.1 * ms, namespace=timed)
        syn.connect(j="i")
        context_synapses.append(syn)

    spikes_e, spikes_i = b2.SpikeMonitor(exc), b2.SpikeMonitor(inh)
    weights = b2.StateMonitor(exc, ["w_cs", "w_ctx"], record=True, dt=50 * ms)
    net = b2.Network(exc, inh, bg_e, bg_i, *recurrent, cs, ctx_a, ctx_b, cs_e, cs_i,
                     *context_synapses, spikes_e, spikes_i, weights)
    binary = build_dir / "main" if args.device == "standalone" else None
    stamp = binary.stat().st_mtime_ns if binary is not None and binary.exists() else None
    cython_cache = b2.prefs.codegen.runtime.cython.cache_dir
    cython_files = _count(cython_cache)
    t0 = time.perf_counter()
    net.run(duration * second)
    if args.device == "standalone":
        b2.device.build(directory=str(build_dir), compile=True, run=True,
                        with_output=False)
        run_s = float(b2.device.timers["run_binary"])
        build_s = time.perf_counter() - t0 - run_s
    else:
        run_s = time.perf_counter() - t0
        build_s = t0 - T_START
    # was the binary rebuilt, or were Cython extensions added to a cache set by the caller
    compiled = (binary.stat().st_mtime_ns != stamp if binary is not None
                else _count(cython_cache) != cython_files if cython_cache else None)

    # CS-window rates (Hz) of the fear and extinction groups, per CS
    t_e, i_e = np.asarray(spikes_e.t / second), np.asarray(spikes_e.i[:])
    print(f"{'phase':<14}{'CS':>3}{'fear (Hz)':>11}{'extinction (Hz)':>17}")
    by_phase: dict[str, list[list[float]]] = {}
    for phase, trial, start in onsets:
        inside = (t_e >= start) & (t_e < start + CS_LEN)
        fear = np.sum(inside & (i_e >= FEAR[0]) & (i_e < FEAR[1])) / (FEAR[1] - FEAR[0]) / CS_LEN
        ext = (np.sum(inside & (i_e >= EXTINCTION[0]) & (i_e < EXTINCTION[1]))
               / (EXTINCTION[1] - EXTINCTION[0]) / CS_LEN)
        print(f"{phase:<14}{trial + 1:>3}{fear:>11.2f}{ext:>17.2f}")
        by_phase.setdefault(phase, []).append([float(fear), float(ext)])

    n_spikes_e, n_spikes_i = int(spikes_e.num_spikes), int(spikes_i.num_spikes)
    out_e = np.bincount(np.asarray(recurrent[0].i[:]), minlength=N_E) + np.bincount(
        np.asarray(recurrent[1].i[:]), minlength=N_E)
    out_i = np.bincount(np.asarray(recurrent[2].i[:]), minlength=N_I) + np.bincount(
        np.asarray(recurrent[3].i[:]), minlength=N_I)
    events = int(np.sum(out_e[i_e]) + np.sum(out_i[np.asarray(spikes_i.i[:])]))
    # input trains (one synapse each): expected spikes from the rate arrays
    step = float(RESOLUTION)
    events += int(round((N_E + N_I) * rates["cs"].sum() * step
                        + (FEAR[1] - FEAR[0]) * rates["A"].sum() * step
                        + (EXTINCTION[1] - EXTINCTION[0]) * rates["B"].sum() * step))
    print(json.dumps({"device": args.device, "seed": args.seed, "duration_s": duration,
                      "build_s": build_s, "run_s": run_s, "compiled": compiled,
                      "wall_s": time.perf_counter() - T_START,
                      "spikes": {"E": n_spikes_e, "I": n_spikes_i},
                      "synaptic_events": events,
                      "cs_rates_hz": {p: np.mean(v, axis=0).tolist() for p, v in by_phase.items()}
                      }))


if __name__ == "__main__":
    main()
