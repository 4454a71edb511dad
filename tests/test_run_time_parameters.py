"""Every number of a network that does not change its shape is a run-time value of the compiled
model: the spec's list of run-time fields and the model's run-time variables agree, the structure
ignores their values, and a sweep over a GABA-A decay, a weight, a Poisson rate and a plasticity
rate (4 values each) compiles once while every value reaches the simulation (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from allonet.model.neurons import neuron_model
from allonet.model.parameters import run_time_parameters
from allonet.spec import load_experiment
from allonet.spec.runtime import RUN_TIME_MARK, is_run_time, network_structure
from allonet.store import read_run
from allonet.sweep import run_sweep
from allonet.sweep.manifest import load_manifest
from conftest import REPO

MAIN = REPO / "experiments" / "fear_extinction.yaml"
VLACHOS = REPO / "experiments" / "vlachos2011.yaml"
COMMON_PARAMS = {"C", "gL", "EL", "VT", "Vr", "refractory"}


def _marked(node, path: str = "") -> set[str]:
    """Paths of the values :func:`network_structure` marked as run-time."""
    if isinstance(node, dict | list):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        return set().union(set(), *(_marked(v, f"{path}.{k}" if path else str(k))
                                    for k, v in items))
    return {path} if node == RUN_TIME_MARK else set()


@pytest.mark.parametrize("experiment", [MAIN, VLACHOS], ids=["main", "vlachos"])
def test_spec_run_time_fields_and_model_variables_agree(experiment):
    net = load_experiment(experiment).network
    marked = _marked(network_structure(net))
    read = {path for p in run_time_parameters(net) for path in p.paths}
    assert read <= marked, sorted(read - marked)  # the model reads no structural field at run time
    unused = set()
    for name, pop in net.populations.items():
        used = COMMON_PARAMS | {f for _, f in neuron_model(pop.model).parameters}
        unused |= {f"populations.{name}.params.{f}" for f in type(pop.params).model_fields
                   if f not in used or pop.clamp is not None and f not in COMMON_PARAMS}
    assert marked - read <= unused, sorted(marked - read - unused)
    targets = [p.target for p in run_time_parameters(net)]
    assert len(targets) == len(set(targets))


def test_structure_ignores_run_time_values_but_not_a_spread_becoming_nonzero():
    base = network_structure(load_experiment(MAIN).network)
    values = ["synapses.gaba_pv.tau0=12 ms", "projections.LA_CeLon.weight=0.7 nS",
              "inputs.ec.rate=7 Hz", "populations.LA.coincidence.alpha=0.02",
              "populations.CeM.params.VT=-52 mV", "synapses.ampa.tau_decay=6 ms",
              "populations.LA.background.0.weight=0.9 nS",
              "populations.LA.background.0.rate=8 Hz", "populations.LA.background.0.n=150"]
    for override in values:
        path = override.split("=")[0]
        assert is_run_time(path) and is_run_time("network." + path), path
        assert network_structure(load_experiment(MAIN, [override]).network) == base, override
    spread = "projections.LA_CeLon.weight_sd"
    assert not is_run_time(spread)
    assert network_structure(load_experiment(MAIN, [f"{spread}=0.1 nS"]).network) != base
    for path in ["populations.LA.n", "projections.LA_CeLon.p", "projections.LA_CeLon.delay",
                 "synapses.gaba_pv.pulse"]:
        assert not is_run_time(path), path


#: One value of each swept field per point: the base (first) and three more of each.
SWEPT = {"network.synapses.inh.tau0": ["0.5 ms", "1 ms", "2 ms", "4 ms"],
         "network.projections.IE.weight": ["2.5 nS", "1.5 nS", "3.5 nS", "5 nS"],
         "network.inputs.ctx_B.rate": ["0 Hz", "20 Hz", "60 Hz", "150 Hz"],
         "network.populations.E.coincidence.alpha": [1.6e-3, 0.4e-3, 6.4e-3, 25.6e-3]}


@pytest.fixture(scope="module")
def one_binary_sweep(tmp_path_factory):
    """The shortened Vlachos run of the figure fixture (ALLO-scaled GABA-A inhibition), swept
    one field at a time: 13 points."""
    out = tmp_path_factory.mktemp("run_time_sweep")
    base = {path: values[0] for path, values in SWEPT.items()}
    points = [base] + [{path: value} for path, values in SWEPT.items() for value in values[1:]]
    fixture = yaml.safe_load((REPO / "tests" / "data" / "sweep.yaml").read_text())
    spec = out / "sweep.yaml"
    spec.write_text(yaml.safe_dump({
        "name": "run_time", "experiment": str(VLACHOS), "set": fixture["set"],
        "parameters": {"kind": "list", "points": points}, "retries": 0}))
    run_sweep(spec, out / "sweep", workers=1, quiet=True)
    manifest = load_manifest(out / "sweep")
    return [(p.params, read_run(out / "sweep" / p.run_file)) for p in manifest.points]


@pytest.mark.slow
def test_sweep_over_four_kinds_of_number_compiles_once(one_binary_sweep):
    builds = [run.attrs["build"] for _, run in one_binary_sweep]
    assert len({b["structure_hash"] for b in builds}) == 1
    assert sum(b["compiled"] for b in builds) <= 1  # 0 when an earlier session compiled it
    assert all(b["direct"] for b in builds[1:])  # no model built in Python after the first


@pytest.mark.slow
@pytest.mark.parametrize("path", list(SWEPT))
def test_every_swept_value_reaches_the_simulation(one_binary_sweep, path):
    """Each value of a field gives its own spikes (the binary did not keep a build-time value)."""
    counts = {}
    for params, run in one_binary_sweep:
        if path in params:
            counts[params[path]] = sum(np.size(run.data[f"spikes/{p}/timestamps"])
                                       for p in ("E", "I"))
    assert len(counts) == len(SWEPT[path])
    assert len(set(counts.values())) == len(counts), counts
