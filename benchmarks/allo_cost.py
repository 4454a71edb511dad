"""The cost of the ALLO machinery: ALLO-scaled vs fixed GABA-A decay (issue 7, item 4).

    .venv/bin/python benchmarks/allo_cost.py [--quick] [--repeats N]

Runs the main experiment (``experiments/fear_extinction.yaml``, cpp_standalone) twice over:

- *ALLO-scaled*: the circuit as specified. Every GABA-A synapse is a transmitter pulse (a second,
  delayed event ends it) followed by a decay ``tau0 x factor(ALLO)`` whose time constant and gain
  are per-neuron variables that a drug update sets every concentration sample (100 ms).
- *fixed decay*: the same network with every ``gaba_a`` synapse type replaced, through ``--set``
  overrides (no code change), by a plain ``dual_exponential`` conductance with the same reversal
  potential, ``tau_decay = tau0`` and ``tau_rise = pulse / 2``: what a model without ALLO would
  use. Neurons keep the (then unused) drug state, so the difference is the synapse machinery.

Each variant is compiled once if the user's cache lacks it (10-15 minutes on a 2-core machine
for the fixed-decay variant), then measured warm ``--repeats`` times (default 3; 1 with
``--quick``), alternating the variants so that load drifts hit both. Printed: simulation seconds
(median), synaptic events per second, and the ratio ALLO-scaled / fixed (<= 1.10 wanted). The
variants' spiking differs a little (the synapse shapes are not identical), so the events per
second are printed too.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from common import MAIN_SPEC, Measurement, allonet_command, cache_env, load_average, measure, ratio

BASE = ["device=standalone"]


def fixed_decay_overrides() -> list[str]:
    """``--set`` overrides turning every gaba_a synapse type of the main network into a fixed
    dual exponential (same E, tau_decay = tau0, tau_rise = pulse / 2)."""
    from allonet.spec import load_experiment
    from allonet.units import parse_quantity

    net = load_experiment(MAIN_SPEC, BASE).network
    out = []
    for name, syn in net.synapses.items():
        if syn.kind != "gaba_a":
            continue
        rise_ms = float(parse_quantity(syn.pulse)) * 1e3 / 2
        out.append(f"network.synapses.{name}={{kind: dual_exponential, E: '{syn.E}', "
                   f"tau_rise: '{rise_ms:g} ms', tau_decay: '{syn.tau0}'}}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one measured run per variant")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    variants = {"ALLO-scaled": BASE, "fixed decay": BASE + fixed_decay_overrides()}
    print(f"load average before: {load_average()}")
    runs: dict[str, list[Measurement]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory(prefix="allonet-bench-") as tmp:
        commands = {name: allonet_command(MAIN_SPEC, o, Path(tmp) / f"{k}.h5")
                    for k, (name, o) in enumerate(variants.items())}
        built = {name: measure(f"{name} prepare", c, cache_env()) for name, c in commands.items()}
        for k in range(repeats):
            for name, command in commands.items():
                runs[name].append(measure(f"{name} warm {k + 1}", command, cache_env()))

    def median(name: str, key: str) -> float:
        return statistics.median(m.result[key] for m in runs[name])

    print(f"\n{'variant':<13}{'first build s':>14}{'simulate s':>12}{'wall s':>9}"
          f"{'events':>11}{'events/s':>11}")
    for name in variants:
        first = built[name].result
        events = statistics.median(m.result["events"]["synaptic"] for m in runs[name])
        wall = statistics.median(m.wall_s for m in runs[name])
        build = f"{first['build_s']:.0f}" if first["compiled"] else "cached"
        print(f"{name:<13}{build:>14}{median(name, 'run_s'):>12.2f}{wall:>9.1f}"
              f"{events:>11.3g}{events / median(name, 'run_s'):>11.3g}")
    print(f"\nALLO-scaled / fixed decay, simulation (median of {repeats}): "
          f"{ratio(median('ALLO-scaled', 'run_s'), median('fixed decay', 'run_s'))} "
          "(<= 1.10x wanted)")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
