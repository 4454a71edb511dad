"""Regenerate the small committed fixtures the plotting and export tests read (each < 1 MB).

    .venv/bin/python tests/data/make_fixtures.py [--only fear ipsc sweep] [--fear-raw RUN.h5]

- ``fear_extinction.h5``: the main fear-extinction experiment (all phases, every population,
  freezing / neuron-class / ensemble readouts) with a stress surge of ALLO in the amygdala and a
  biological clock 360x faster than simulation time. To stay small it keeps every
  ``STRIDE``-th neuron of each population (indices renumbered, population sizes and subgroups in
  the stored spec scaled to match, weights kept for the same neurons) and recomputes every readout
  from the kept spikes with allonet's own analysis functions, so readouts and spikes agree.
- ``ipsc.h5``: the IPSC dose-response at 4 concentrations for 2 profiles (as written).
- ``sweep/``: the sweep of ``sweep.yaml`` (a shortened Vlachos 2011 run at 3 ALLO levels x 2 CS
  rates x 2 seeds) run by ``allonet sweep``'s driver: ``index.csv``, ``index.h5``,
  ``manifest.json``, ``runs/point-XXXXX.h5``. The sweep swaps the replication's inhibitory alpha
  synapse for the ALLO-scaled GABA-A synapse so that ALLO acts. Point 0 is kept whole (it is also
  the fixture for the Vlachos run layout); the others drop their weight samples to stay small.

Simulations take minutes (compilation first); ``--fear-raw`` reuses a fear-extinction run file
made with the same overrides.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
STRIDE = 5

FEAR_OVERRIDES = [
    "drugs.allo={amygdala: {kind: stress_surge, baseline: 10 nM, peak_fold: 8, onset: 0.1 h, "
    "tau_rise: 3 min, tau_clear: 25 min}}",
    "clock.time_scale=360",
]
IPSC_OVERRIDES = ["protocol.concentrations=[0 nM, 30 nM, 300 nM, 3000 nM]",
                  "protocol.profiles=[default, BLA]"]


def allonet_run(spec: str, output: Path, overrides: list[str], seed: int | None = None) -> None:
    """``allonet run`` in a subprocess (the current interpreter and PYTHONPATH)."""
    command = [sys.executable, "-m", "allonet", "run", str(REPO / spec), "-o", str(output), "-q",
               "--no-figure", "--overwrite"]
    for item in overrides:
        command += ["--set", item]
    if seed is not None:
        command += ["--seed", str(seed)]
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)


# --- fear-extinction run, thinned -------------------------------------------------------------

def thin_fear_run(raw: Path, output: Path, stride: int = STRIDE) -> None:
    """Copy ``raw`` keeping every ``stride``-th neuron (renumbered); recompute the readouts."""
    from allonet.analysis.fear import READOUT_UNITS

    with h5py.File(raw, "r") as src, h5py.File(output, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        dst.attrs["fixture"] = (f"thinned by tests/data/make_fixtures.py: every {stride}th neuron "
                                "kept and renumbered, readouts recomputed")
        experiment = json.loads(src["spec/experiment"][()])
        network = json.loads(src["spec/network"][()])
        _thin_network(network, stride)
        dst.create_dataset("spec/experiment", data=json.dumps(experiment, indent=1))
        dst.create_dataset("spec/network", data=json.dumps(network, indent=1))
        dst.create_dataset("spec/overrides", data=src["spec/overrides"][()])
        data = {}
        for key in _datasets(src):
            if key.startswith("readouts/") or key.startswith("spikes/"):
                continue
            data[key] = _thin_weights(key, _read(src[key]), stride)
            _write(dst, key, data[key], src[key].attrs["unit"])
        for pop in src["spikes"]:
            t, i = src[f"spikes/{pop}/timestamps"][()], src[f"spikes/{pop}/node_ids"][()]
            keep = i % stride == 0
            for name, value, unit in (("timestamps", t[keep], "s"),
                                      ("node_ids", i[keep] // stride, "1")):
                data[f"spikes/{pop}/{name}"] = value
                _write(dst, f"spikes/{pop}/{name}", value, unit)
        for name, table in _readouts(experiment, network, data).items():
            for column, values in table.items():
                _write(dst, f"readouts/{name}/{column}", values, READOUT_UNITS.get(column, "1"))


def _thin_network(network: dict, stride: int) -> None:
    """Scale population sizes and subgroup ranges of ``network`` in place."""
    for pop in network["populations"].values():
        pop["n"] = math.ceil(pop["n"] / stride)
        pop["subgroups"] = {k: [math.ceil(a / stride), math.ceil(b / stride)]
                            for k, (a, b) in (pop.get("subgroups") or {}).items()}


def _thin_weights(key: str, value: np.ndarray, stride: int) -> np.ndarray:
    parts = key.split("/")
    if parts[0] == "weights" and parts[-1] in ("w_cs", "w_ctx"):
        return value[:, ::stride]
    return value


def _read(dataset: h5py.Dataset) -> np.ndarray:
    if dataset.dtype.kind == "O":
        return np.asarray(dataset.asstr()[()], dtype=object)
    return np.asarray(dataset[()])


def _datasets(h5: h5py.File) -> list[str]:
    keys: list[str] = []
    h5.visititems(lambda name, obj: keys.append(name) if isinstance(obj, h5py.Dataset)
                  and not name.startswith("spec/") else None)
    return keys


def _write(h5: h5py.File, key: str, value: np.ndarray, unit: str) -> None:
    value = np.asarray(value)
    if value.dtype.kind in "OUS":
        dataset = h5.create_dataset(key, data=value.astype(object).astype(h5py.string_dtype()))
    elif value.size > 1024:
        dataset = h5.create_dataset(key, data=value, compression="gzip", compression_opts=9,
                                    shuffle=True, chunks=True)
    else:
        dataset = h5.create_dataset(key, data=value)
    dataset.attrs["unit"] = unit


def _readouts(experiment: dict, network: dict, data: dict) -> dict[str, dict]:
    """The fear protocol's readout tables, from the thinned data (as the protocol computes them)."""
    from allonet.analysis import fear
    from allonet.units import parse_dimensioned

    def hz(text: str) -> float:
        return float(parse_dimensioned(text, "rate"))

    proto, pops = experiment["protocol"], network["populations"]
    readout = proto["readout_population"]
    groups = {name: (name, 0, pop["n"]) for name, pop in pops.items()}
    groups |= {sub: (readout, a, b) for sub, (a, b) in pops[readout]["subgroups"].items()}
    tables = {"cs_rates": fear.cs_rates(data, groups)}
    if proto.get("freezing"):
        tables["freezing"] = fear.freezing_table(tables["cs_rates"],
                                                 proto["freezing"]["population"],
                                                 fear.FreezingCurve.from_spec(proto["freezing"]),
                                                 data.get("epochs/cs",
                                                          np.ones(len(data["epochs/phase"]))))
    if proto.get("neuron_classes"):
        c = proto["neuron_classes"]
        tables["neuron_classes"] = fear.neuron_classes(
            data, readout, pops[readout]["n"], c["control"], c["conditioned"], c["extinguished"],
            c["last_trials"], hz(c["min_rate"]))
    if proto.get("ensemble_population"):
        name = proto["ensemble_population"]
        tables["ensemble_overlap"] = fear.ensemble_overlap(data, name, pops[name]["n"],
                                                           hz(proto["ensemble_threshold"]))
    plastic = {n: {k: tuple(v) for k, v in p["subgroups"].items()} for n, p in pops.items()
               if p.get("coincidence")}
    if plastic:
        tables["weights"] = fear.weights_at_phases(data, plastic)
    return tables


def make_fear(raw: Path | None) -> Path:
    """Run (or reuse) the fear-extinction experiment and write the thinned fixture."""
    output = HERE / "fear_extinction.h5"
    with tempfile.TemporaryDirectory() as tmp:
        if raw is None:
            raw = Path(tmp) / "fear_extinction_raw.h5"
            allonet_run("experiments/fear_extinction.yaml", raw, FEAR_OVERRIDES)
        thin_fear_run(raw, output)
    return output


def _repack(path: Path) -> None:
    """Rewrite ``path`` without the space freed by deletions."""
    tmp = path.with_suffix(".repack.h5")
    with h5py.File(path, "r") as src, h5py.File(tmp, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        for name in src:
            src.copy(src[name], dst, name=name)
    tmp.replace(path)


# --- IPSC -------------------------------------------------------------------------------------

def make_ipsc() -> Path:
    """The IPSC dose-response at 4 concentrations and 2 profiles."""
    output = HERE / "ipsc.h5"
    allonet_run("experiments/ipsc_dose_response.yaml", output, IPSC_OVERRIDES)
    return output


# --- sweep ------------------------------------------------------------------------------------

def make_sweep() -> Path:
    """The sweep of ``sweep.yaml`` run with allonet's sweep driver (one local worker), then the
    weight samples dropped from every point but the first and the index rebuilt."""
    from allonet.sweep.driver import run_sweep
    from allonet.sweep.index import build_index

    root = HERE / "sweep"
    shutil.rmtree(root, ignore_errors=True)
    sweep_dir, summary = run_sweep(HERE / "sweep.yaml", root, "local", 1, quiet=True)
    if not summary.complete:
        raise SystemExit(f"fixture sweep incomplete: {summary.line()}")
    for path in sorted((sweep_dir / "runs").glob("*.h5"))[1:]:
        _drop_weights(path)
    for lock in sweep_dir.rglob("*.lock"):
        lock.unlink()
    if (sweep_dir / "locks").is_dir() and not any((sweep_dir / "locks").iterdir()):
        (sweep_dir / "locks").rmdir()
    build_index(sweep_dir)
    return sweep_dir


def _drop_weights(path: Path) -> None:
    with h5py.File(path, "a") as h5:
        if "weights" in h5:
            del h5["weights"]
    _repack(path)


def main() -> None:
    """Command line: regenerate the chosen fixtures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=["fear", "ipsc", "sweep"],
                        default=["fear", "ipsc", "sweep"])
    parser.add_argument("--fear-raw", type=Path, help="reuse this fear-extinction run file")
    args = parser.parse_args()
    made = []
    if "fear" in args.only:
        made.append(make_fear(args.fear_raw))
    if "ipsc" in args.only:
        made.append(make_ipsc())
    if "sweep" in args.only:
        made.append(make_sweep())
    for path in made:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            print(f"{file.relative_to(REPO)}: {file.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
