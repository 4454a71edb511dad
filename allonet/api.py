"""The Python front door (re-exported by :mod:`allonet`): load a spec, run an experiment in
memory or into a run file, read a run file, run and read a sweep.

    import allonet
    run = allonet.run("experiments/ipsc_dose_response.yaml", {"protocol.profiles": "[default]"},
                      seed=2)                          # in memory: nothing is written
    times, ids = run.spikes("interneuron", condition=0)   # s, neuron index
    table = run.readout("ipsc")                       # column -> array
    frame = run.frame("ipsc")                         # the same as a pandas DataFrame
    run.save("results/my.h5")                         # or allonet.run(..., output="results/my.h5")
    same = allonet.read_run("results/my.h5")
    index = allonet.read_sweep("results/allo_seeds")  # column -> array, partial sweeps too
    frame = allonet.load_sweep("results/allo_seeds")  # the same as a pandas DataFrame
    allonet.run_sweep({"name": "seeds", "experiment": "experiments/bla_theta.yaml",
                       "seeds": [1, 2, 3]}, "results/seeds")   # a sweep spec as a mapping

Overrides are the ``--set`` paths of the command line, as ``{"path": value}`` or ``"path=value"``
strings; keyword arguments set top-level experiment fields (``seed=2``, ``device="runtime"``).
Values that are not text are written as JSON, which the spec loader reads as YAML. Errors in a
spec raise :class:`allonet.errors.UserError` (its message is the command's one-line error).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from allonet import store

if TYPE_CHECKING:
    import pandas

    from allonet.spec import ResolvedSpecs

Overrides = Mapping[str, Any] | Iterable[str] | None


@dataclass
class Run(store.RunFile):
    """One run: read from a run file or just simulated (then ``path`` is None until
    :meth:`save`). ``data`` and ``units`` hold every dataset by its HDF5 path."""

    @property
    def populations(self) -> list[str]:
        """Names of the populations whose spikes were recorded."""
        return sorted({k.split("/")[1] for k in self.data
                       if k.startswith("spikes/") and k.endswith("/timestamps")})

    def spikes(self, population: str, condition: int | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Spike times (s) and neuron indices of ``population``; ``condition`` (a row of
        ``/conditions``) selects one condition of a run that has several (the IPSC protocol)."""
        key = f"spikes/{population}"
        if f"{key}/timestamps" not in self.data:
            raise KeyError(f"no spikes of {population!r}; recorded: {', '.join(self.populations)}")
        times = np.asarray(self.data[f"{key}/timestamps"], dtype=float)
        ids = np.asarray(self.data[f"{key}/node_ids"]).astype(np.int64)
        if condition is None:
            return times, ids
        if f"{key}/condition" not in self.data:
            raise KeyError(f"{population!r} has no conditions: leave condition=None")
        keep = np.asarray(self.data[f"{key}/condition"]) == condition
        return times[keep], ids[keep]

    @property
    def readouts(self) -> list[str]:
        """Names of the readout tables under ``/readouts``."""
        return sorted({k.split("/")[1] for k in self.data if k.startswith("readouts/")})

    def readout(self, name: str) -> dict[str, np.ndarray]:
        """The readout table ``name`` (e.g. ``"cs_rates"``, ``"ipsc"``): column -> array, units
        in ``self.units["readouts/<name>/<column>"]``; ``pandas.DataFrame(...)`` takes it."""
        if name not in self.readouts:
            raise KeyError(f"no readout {name!r}; this run has: {', '.join(self.readouts)}")
        return self.table(f"readouts/{name}")

    def frame(self, name: str) -> pandas.DataFrame:
        """The readout table ``name`` as a pandas DataFrame (units in ``self.units``)."""
        return _pandas("Run.frame").DataFrame(self.readout(name))

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write this run as a run file (atomically; an existing file only with ``overwrite``)
        and remember ``path``."""
        if not self.spec:
            raise ValueError("this run was read without its specs (groups=...); it cannot be saved")
        datasets = {k: store.Column(v, self.units[k]) for k, v in self.data.items()}
        attrs = {k: v for k, v in self.attrs.items() if k != "format"}
        self.path = store.write_run(path, store.RunData(attrs, self.spec, self.overrides, datasets),
                                    overwrite=overwrite)
        return self.path


def load_spec(spec: str | Path, overrides: Overrides = None, **fields: Any) -> ResolvedSpecs:
    """Load and validate an experiment spec and its network with ``overrides`` and ``fields``
    applied (see the module docstring); raises :class:`~allonet.errors.UserError`."""
    from allonet.spec import load_experiment

    return load_experiment(Path(spec), override_strings(overrides, fields))


def run(spec: str | Path | ResolvedSpecs, overrides: Overrides = None, *,
        output: str | Path | None = None, overwrite: bool = False, quiet: bool = True,
        **fields: Any) -> Run:
    """Simulate an experiment (a spec file, or specs from :func:`load_spec`) and return the run.

    Without ``output`` nothing is written (:meth:`Run.save` writes later); with it the run file
    is written (an existing one only with ``overwrite``). Either way the run holds what reading
    its file back would give (:func:`allonet.store.run_file`). ``quiet=False`` prints progress
    to stderr.
    """
    from allonet.runner import simulate
    from allonet.spec import ResolvedSpecs

    texts = override_strings(overrides, fields)
    if isinstance(spec, ResolvedSpecs):
        if texts:
            raise ValueError("overrides need a spec path: pass allonet.load_spec(path, ...) "
                             "its overrides instead")
        specs = spec
    else:
        specs = load_spec(spec, texts)
    if output is not None:
        store.check_writable(Path(output), overwrite)
    data = simulate(specs, texts, quiet)
    if output is not None:
        store.write_run(output, data, overwrite=overwrite)
    return _as_run(store.run_file(data, None if output is None else Path(output)))


def read_run(path: str | Path, groups: Collection[str] | None = None) -> Run:
    """Read a run file; ``groups`` limits what is read (as :func:`allonet.store.read_run`)."""
    return _as_run(store.read_run(path, groups))


def _as_run(found: store.RunFile) -> Run:
    return Run(found.path, found.attrs, found.spec, found.overrides, found.data, found.units)


def read_sweep(sweep_dir: str | Path, refresh: bool = False) -> dict[str, np.ndarray]:
    """The index of the sweep in ``sweep_dir``: column -> array, one row per point (``status``
    says which are done; a partial sweep has rows for every point). The index is rebuilt from
    the run files first when it is missing, older than a run or attempt file, or ``refresh``."""
    from allonet.sweep.index import build_index, read_index

    sweep_dir = Path(sweep_dir)
    index = sweep_dir / "index.h5"
    if refresh or _stale(index, [sweep_dir / "runs", sweep_dir / "attempts"]):
        build_index(sweep_dir)
    return read_index(index)


def load_sweep(sweep_dir: str | Path, refresh: bool = False) -> pandas.DataFrame:
    """The index of the sweep in ``sweep_dir`` as a pandas DataFrame, one row per point,
    partial sweeps too (see :func:`read_sweep`; units of the columns are in the sweep's
    ``index.h5``). Needs pandas (``pip install allonet[notebook]``)."""
    return _pandas("allonet.load_sweep").DataFrame(read_sweep(sweep_dir, refresh))


def _pandas(caller: str):  # -> the pandas module (an optional dependency)
    try:
        import pandas
    except ImportError:
        raise ImportError(f"{caller} needs pandas: pip install 'allonet[notebook]' (or use the "
                          f"column -> array tables allonet returns without it)") from None
    return pandas


def run_sweep(spec: str | Path | Mapping[str, Any], sweep_dir: str | Path | None = None, *,
              quiet: bool = True, **options: Any) -> dict[str, np.ndarray]:
    """Create or resume the sweep of ``spec`` in ``sweep_dir`` (default ``results/<name>``),
    run what is missing and return its index (:func:`read_sweep`).

    ``spec`` is a sweep spec file, or its contents as a mapping (``experiment`` relative to the
    current folder), which is written to ``<sweep_dir>.yaml`` beside the sweep directory (the
    spec the manifest names). ``options`` are those of :func:`allonet.sweep.run_sweep`
    (``executor``, ``workers``, ``scheduler``, ``retry_failed``, ...)."""
    from allonet.sweep import run_sweep as drive_sweep

    if isinstance(spec, Mapping):
        sweep_dir = Path(sweep_dir or Path("results") / str(spec.get("name", "sweep")))
        spec = write_sweep_spec(spec, sweep_dir.with_name(f"{sweep_dir.name}.yaml"))
    done_dir, _ = drive_sweep(spec, sweep_dir, quiet=quiet, **options)
    return read_sweep(done_dir)


def write_sweep_spec(spec: Mapping[str, Any], path: Path) -> Path:
    """Write the sweep spec ``spec`` (a mapping as its YAML file holds) to ``path``, with its
    ``experiment`` made absolute (it was relative to the current folder)."""
    import yaml

    data = dict(spec)
    if isinstance(data.get("experiment"), str | Path):
        data["experiment"] = str(Path(data["experiment"]).resolve())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def override_strings(overrides: Overrides, fields: Mapping[str, Any] | None = None) -> list[str]:
    """``KEY=VALUE`` strings from a mapping or strings plus keyword fields; non-text values
    become JSON (which YAML reads)."""
    if overrides is None:
        pairs: list[tuple[str, Any]] = []
    elif isinstance(overrides, Mapping):
        pairs = list(overrides.items())
    elif isinstance(overrides, str):
        raise TypeError("overrides: a mapping or a list of 'path=value' strings, not one string")
    else:
        return list(overrides) + override_strings(None, fields)
    pairs += list((fields or {}).items())
    return [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in pairs]


def _stale(index: Path, folders: Iterable[Path]) -> bool:
    if not index.is_file():
        return True
    built = index.stat().st_mtime
    return any(f.stat().st_mtime > built for folder in folders if folder.is_dir()
               for f in folder.iterdir())


__all__ = ["Run", "load_spec", "load_sweep", "override_strings", "read_run", "read_sweep", "run",
           "run_sweep", "write_sweep_spec"]
