"""The manifest: every point of a sweep (overrides, seed, structure group, run file), on disk.

Created once per sweep directory (``DIR/manifest.json``, written atomically). Running the same sweep
spec into the same directory again resumes it; a spec whose points or resolved experiment differ is
refused rather than mixed into the old results.

Points are grouped by model *structure*: the resolved experiment and network without the values a
compiled standalone binary takes at run time (:data:`allonet.spec.runtime.RUN_TIME_FIELDS`). The
driver submits the first point of every group first, so that groups compile side by side; the
engine's build lock makes sure a structure compiles once, whichever worker gets there first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from allonet import provenance
from allonet.errors import SpecError, UserError
from allonet.spec import load_experiment
from allonet.spec.runtime import is_run_time, network_without_run_time, without_run_time
from allonet.sweep import state
from allonet.sweep.design import DESIGN_VERSION, SampledDesign, expand
from allonet.sweep.spec import SweepSpec, experiment_path

FORMAT = "allonet-sweep/1"


@dataclass(frozen=True)
class Point:
    """One run of the sweep."""

    index: int
    params: dict[str, Any]  # design values by dotted path, as written ("100 nM")
    seed: int | None  # None: the experiment's own seed
    overrides: list[str]  # everything passed to the runner as --set (fixed + params + seed)
    group: str  # structure group (points of a group share a compiled binary)
    run_file: str  # relative to the sweep directory


@dataclass
class Manifest:
    """A sweep directory's manifest."""

    name: str
    sweep_file: str
    experiment: str  # absolute path
    max_attempts: int
    parameters: list[str]  # varied paths, in column order
    base_hash: str  # hash of the resolved experiment + network with the fixed overrides
    points: list[Point]
    cluster: dict[str, Any] | None = None
    created_utc: str = ""
    format: str = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)
    #: how sampled points were drawn (:data:`allonet.sweep.design.DESIGN_VERSION`); manifests
    #: written before it was recorded drew with version 1
    design_version: int = 1

    @property
    def groups(self) -> dict[str, list[Point]]:
        """Points by structure group, in index order."""
        out: dict[str, list[Point]] = {}
        for point in self.points:
            out.setdefault(point.group, []).append(point)
        return out

    def save(self, sweep_dir: Path) -> None:
        state.write_json_atomic(Path(sweep_dir) / state.MANIFEST, asdict(self))


def load_manifest(sweep_dir: str | Path) -> Manifest:
    """Read ``DIR/manifest.json``; a UserError if ``DIR`` is not a sweep directory."""
    path = Path(sweep_dir) / state.MANIFEST
    if not path.is_file():
        raise UserError(f"{sweep_dir}: not a sweep directory (no {state.MANIFEST})")
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise UserError(f"{path}: unreadable manifest ({error})") from None
    if data.get("format") != FORMAT:
        raise UserError(f"{path}: format {data.get('format')!r}, expected {FORMAT!r}")
    data["points"] = [Point(**p) for p in data["points"]]
    return Manifest(**data)


def override_text(path: str, value: Any) -> str:
    """``path=value`` as ``--set`` takes it: text as written, anything else as JSON (valid YAML)."""
    if isinstance(value, str):
        reparsed = _yaml_or_none(value)
        return f"{path}={value}" if reparsed == value else f"{path}={json.dumps(value)}"
    return f"{path}={json.dumps(value)}"


def _yaml_or_none(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def build_manifest(spec: SweepSpec, sweep_file: Path) -> Manifest:
    """Expand the spec into points, validating paths and grouping points by structure.

    A path the experiment does not have, or fixed overrides that are invalid, is an error of the
    sweep spec (SpecError, exit 2). A *value* that makes one point's spec invalid is not: that point
    is kept and will be recorded as failed with the message, while the rest run.
    """
    experiment = experiment_path(spec, sweep_file)
    fixed = [override_text(k, v) for k, v in spec.set.items()]
    try:
        base = load_experiment(experiment, fixed)
    except SpecError as error:
        raise SpecError(str(sweep_file), "set", None, f"invalid for every point: {error}") from None
    base_group = _structure_hash(base.as_dict())
    points = []
    for index, (params, seed) in enumerate(expand(spec)):
        overrides = fixed + [override_text(k, v) for k, v in params.items()]
        if seed is not None:
            overrides.append(f"seed={seed}")
        group = base_group if all(map(is_run_time, params)) else _group_of(
            experiment, overrides, index, sweep_file, spec)
        points.append(Point(index, params, seed, overrides, group,
                            str(state.run_path(Path(), index))))
    paths = list(dict.fromkeys(k for p in points for k in p.params))
    return Manifest(spec.name, str(Path(sweep_file).resolve()), str(experiment), spec.max_attempts,
                    paths, _hash(base.as_dict()), points,
                    spec.cluster.model_dump() if spec.cluster else None, provenance.now_utc(),
                    design_version=DESIGN_VERSION)


def _group_of(experiment: Path, overrides: list[str], index: int, sweep_file: Path,
              spec: SweepSpec) -> str:
    """Structure group of one point; ``invalid-<index>`` when its values make the spec invalid."""
    try:
        return _structure_hash(load_experiment(experiment, overrides).as_dict())
    except SpecError as error:
        if error.file == "--set":  # the path itself is wrong: every point of the sweep fails
            where = "parameters" if spec.parameters else "set"
            raise SpecError(str(sweep_file), f"{where}: {error.field}", error.value,
                            error.allowed) from None
        return f"invalid-{index}"


def _structure_hash(resolved: dict[str, Any]) -> str:
    return _hash(dict(resolved, experiment=without_run_time(resolved["experiment"]),
                      network=network_without_run_time(resolved["network"])))[:12]


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def prepare(spec: SweepSpec, sweep_file: Path, sweep_dir: Path) -> Manifest:
    """Create the sweep directory and its manifest, or resume the one already there.

    Raises UserError if ``sweep_dir`` holds another sweep (different points or a changed
    experiment) or is a non-empty directory without a manifest.
    """
    sweep_dir = Path(sweep_dir)
    fresh = build_manifest(spec, sweep_file)
    if (sweep_dir / state.MANIFEST).is_file():
        old = load_manifest(sweep_dir)
        if isinstance(spec.parameters, SampledDesign) and old.design_version != DESIGN_VERSION:
            raise UserError(f"{sweep_dir}: its {spec.parameters.kind} points were drawn with "
                            f"design version {old.design_version}, this allonet draws version "
                            f"{DESIGN_VERSION}; finish it with the allonet that created it, or "
                            f"write this sweep to another -o directory")
        _check_same(old, fresh, sweep_dir)
        if (old.max_attempts, old.cluster) != (fresh.max_attempts, fresh.cluster):
            old.max_attempts, old.cluster = fresh.max_attempts, fresh.cluster  # not results
            old.save(sweep_dir)
        return old
    if sweep_dir.exists() and any(sweep_dir.iterdir()):
        raise UserError(f"{sweep_dir}: exists and is not a sweep directory (no "
                        f"{state.MANIFEST}); choose a new or empty directory")
    sweep_dir.mkdir(parents=True, exist_ok=True)
    fresh.save(sweep_dir)
    return fresh


def _check_same(old: Manifest, new: Manifest, sweep_dir: Path) -> None:
    advice = "finish it with the old spec, or write this sweep to another -o directory"
    if old.experiment != new.experiment:
        raise UserError(f"{sweep_dir}: holds a sweep of {old.experiment}, not of "
                        f"{new.experiment}; {advice}")
    old_points, new_points = [p.overrides for p in old.points], [p.overrides for p in new.points]
    if old_points != new_points:
        differ = next((k for k, (a, b) in enumerate(zip(old_points, new_points, strict=False))
                       if a != b), min(len(old_points), len(new_points)))
        raise UserError(f"{sweep_dir}: holds another sweep ({len(old_points)} points, this spec "
                        f"has {len(new_points)}; they differ from point {differ}); {advice}")
    if old.base_hash != new.base_hash:
        raise UserError(f"{sweep_dir}: the experiment or network spec changed since this sweep "
                        f"was created, so old and new runs would differ; {advice}")
