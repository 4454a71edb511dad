"""Read spec files, apply dotted-path overrides, turn every problem into a one-line SpecError."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from allonet.errors import SpecError
from allonet.pharmacology import DRUGS
from allonet.spec.experiment import ExperimentSpec
from allonet.spec.network import NetworkSpec, received_synapses, scaled
from allonet.spec.runtime import network_without_run_time, without_run_time
from allonet.units import to_seconds

# Pydantic error types that only say "this union member did not fit"; a sibling error is clearer.
_GENERIC_ERRORS = {"dict_type", "model_type", "model_attributes_type", "string_type",
                   "union_tag_invalid", "is_instance_of"}


@dataclass(frozen=True)
class ResolvedSpecs:
    """An experiment with its network, validated and with overrides applied."""

    experiment: ExperimentSpec
    network: NetworkSpec
    experiment_path: Path
    network_path: Path
    #: the network's ``scale`` as the spec (with overrides) gave it; ``network`` has it applied
    scale: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        """The fully resolved specs as plain data (every default made explicit)."""
        return {
            "experiment": self.experiment.model_dump(mode="json"),
            "network": self.network.model_dump(mode="json"),
        }

    def fixed_part(self) -> dict[str, Any]:
        """:meth:`as_dict` without the run-time fields of :mod:`allonet.spec.runtime` (network
        values marked; experiment fields that choose the set of conditions kept): runs that
        agree on it can share a compiled binary's run layout."""
        data = self.as_dict()
        data["experiment"] = without_run_time(data["experiment"], layout=True)
        data["network"] = network_without_run_time(data["network"])
        return data


#: First bytes of every HDF5 file (a run file passed where a spec belongs).
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader (libyaml's parser where PyYAML has it: 10x faster on a network
    spec), refusing a key given twice in one mapping (PyYAML keeps the last silently, so a
    repeated ``protocol:`` would drop the first one's fields)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first: dict[Any, int] = {}
        # Only the mapping's own keys: keys merged in with "<<" may be overridden.
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node,
                                                                          yaml.ScalarNode):
                continue
            key, line = self.construct_object(key_node), key_node.start_mark.line + 1
            if key in first:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (also at line {first[key]}): give each "
                    f"key once", key_node.start_mark)
            first[key] = line
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> dict[str, Any]:
    """Load a YAML mapping, raising SpecError for a missing, unreadable or non-text file,
    malformed YAML or a duplicate key."""
    if path.is_dir():
        raise SpecError(str(path), "", str(path), "a directory, not a spec file: give a YAML "
                        "file such as experiments/fear_extinction.yaml")
    if not path.is_file():
        raise SpecError(str(path), "", str(path), "file not found")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpecError(str(path), "", str(path), f"cannot read the file ({error.strerror}): "
                        f"check its permissions") from None
    if raw.startswith(_HDF5_SIGNATURE):
        raise SpecError(str(path), "", str(path), "an HDF5 file, not a YAML spec: pass an "
                        "experiment spec (experiments/*.yaml); `allonet inspect` reads run files")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SpecError(str(path), "", str(path),
                        f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}): "
                        f"a spec is a YAML file in UTF-8; save it as UTF-8") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "document"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SpecError(str(path), where, "<yaml>", f"malformed YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SpecError(str(path), "", type(data).__name__, "a spec must be a YAML mapping")
    return data


def validate(model: type[BaseModel], data: dict[str, Any], file: str) -> BaseModel:
    """Validate ``data`` as ``model``; the first meaningful error becomes a SpecError."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _to_spec_error(model, error, data, file) from None


def without_anchors(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without its top-level keys starting with "_": in network and sweep specs they
    only hold YAML anchors (shared parameter sets, schedules)."""
    return {k: v for k, v in data.items() if not str(k).startswith("_")}


def load_network(path: str | Path, overrides: list[tuple[str, str]] = ()) -> NetworkSpec:
    """Load and validate a network spec, applying ``(dotted_path, yaml_value)`` overrides."""
    path = Path(path)
    spec = validate(NetworkSpec, without_anchors(read_yaml(path)), str(path))
    return _with_overrides(spec, overrides, str(path))


def load_experiment(path: str | Path, overrides: list[str] = ()) -> ResolvedSpecs:
    """Load an experiment and its network; ``overrides`` are ``"a.b.c=value"`` strings.

    A path beginning with ``network.`` (or with a key only the network spec has, such as
    ``synapses``) addresses the network spec; any other addresses the experiment.
    """
    path = Path(path)
    parsed = [_split_override(text) for text in overrides]
    exp_fields = set(ExperimentSpec.model_fields)
    net_fields = set(NetworkSpec.model_fields)
    exp_overrides, net_overrides = [], []
    for key, value in parsed:
        head, _, rest = key.partition(".")
        if head == "network" and rest:
            net_overrides.append((rest, value))
        elif head in exp_fields:
            exp_overrides.append((key, value))
        elif head in net_fields:
            net_overrides.append((key, value))
        else:
            raise SpecError("--set", key, value, "no such field in the experiment or network spec")
    experiment = validate(ExperimentSpec, read_yaml(path), str(path))
    experiment = _with_overrides(experiment, exp_overrides, str(path))
    network_path = (path.parent / experiment.network).resolve()
    if not network_path.is_file():
        raise SpecError(str(path), "network", experiment.network, "network spec file not found")
    network = load_network(network_path, net_overrides)
    if to_seconds(network.integration.dt) <= 0:
        # a Time field allows 0; a zero step would never advance the simulation
        raise SpecError(str(network_path), "integration.dt", network.integration.dt,
                        "the integration step must be > 0, e.g. '0.1 ms'")
    scale = network.scale
    try:
        network = scaled(network)
    except ValueError as error:
        raise SpecError(str(network_path), "scale", network.scale, str(error)) from None
    _check_experiment_against_network(experiment, network, str(path))
    return ResolvedSpecs(experiment, network, path, network_path, scale)


def _split_override(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise SpecError("--set", text, text, "expected KEY=VALUE with a dotted KEY")
    return key.strip(), value


def _with_overrides(spec: BaseModel, overrides: list[tuple[str, str]], file: str) -> BaseModel:
    if not overrides:
        return spec
    data = spec.model_dump(mode="json")
    for key, raw in overrides:
        _set_path(data, key, _parse_value(raw))
    return validate(type(spec), data, f"{file} (after --set)")


def _parse_value(raw: Any) -> Any:
    """YAML-parse override text ("8 ms", "[a, b]", "3"); non-text values pass through."""
    if not isinstance(raw, str):
        return raw
    try:
        return yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        return raw


def _set_path(data: Any, key: str, value: Any) -> None:
    parts = key.split(".")
    node = data
    for depth, part in enumerate(parts):
        here = ".".join(parts[: depth + 1])
        last = depth == len(parts) - 1
        if isinstance(node, dict):
            if part not in node:
                allowed = ", ".join(map(str, node)) or "nothing"
                raise SpecError("--set", key, value, f"no field {here!r}; allowed there: {allowed}")
            if last:
                node[part] = value
            else:
                node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            if last:
                node[int(part)] = value
            else:
                node = node[int(part)]
        else:
            raise SpecError("--set", key, value, f"no field {here!r} (not a mapping or list index)")


def _check_experiment_against_network(exp: ExperimentSpec, net: NetworkSpec, file: str) -> None:
    regions = set(net.regions)
    for field in (drug.spec_field for drug in DRUGS.values()):
        for region in getattr(exp.drugs, field):
            if region not in regions:
                raise SpecError(file, f"drugs.{field}.{region}", region,
                                f"not a region of network {net.name!r}: {sorted(regions)}")
    _check_synthesis_and_stress(exp, net, file)
    _check_release(exp, net, file)
    # each protocol spec checks itself against the network (the first problem is reported)
    for path, value, reason in exp.protocol.network_problems(exp, net)[:1]:
        raise SpecError(file, path, value, reason)


def _check_release(exp: ExperimentSpec, net: NetworkSpec, file: str) -> None:
    """Projections of ``drugs.presynaptic_release`` exist in ``net`` and are excitatory."""
    release = exp.drugs.presynaptic_release
    if release is None:
        return
    allowed = sorted(name for name, proj in net.projections.items()
                     if net.synapses[proj.synapse].kind != "gaba_a")
    for index, name in enumerate(release.projections):
        if name not in allowed:
            raise SpecError(file, f"drugs.presynaptic_release.projections.{index}", name,
                            f"not an excitatory projection of network {net.name!r}: {allowed}")


def _check_synthesis_and_stress(exp: ExperimentSpec, net: NetworkSpec, file: str) -> None:
    """Synthesis regions and populations, stress targets and their synapses exist in ``net``."""
    regions = set(net.regions)
    for region, synthesis in exp.drugs.synthesis.items():
        if region not in regions:
            raise SpecError(file, f"drugs.synthesis.{region}", region,
                            f"not a region of network {net.name!r}: {sorted(regions)}")
        local = sorted(n for n, p in net.populations.items() if p.region == region)
        for index, pop in enumerate(synthesis.populations):
            if pop not in local:
                raise SpecError(file, f"drugs.synthesis.{region}.populations.{index}", pop,
                                f"not a population of region {region!r}: {local}")
    if exp.stress is None:
        return
    for pop, surge in exp.stress.glutamate.items():
        if pop not in net.populations:
            raise SpecError(file, f"stress.glutamate.{pop}", pop,
                            f"not a population of network {net.name!r}: {sorted(net.populations)}")
        allowed = [c for c in received_synapses(net, pop) if net.synapses[c].kind != "gaba_a"]
        if surge.synapse not in allowed:
            raise SpecError(file, f"stress.glutamate.{pop}.synapse", surge.synapse,
                            f"not an excitatory synapse type that {pop!r} receives: {allowed}")
    if exp.stress.readout:
        for index, pop in enumerate(exp.stress.readout.populations):
            if pop not in net.populations:
                raise SpecError(file, f"stress.readout.populations.{index}", pop,
                                f"not a population of network {net.name!r}: "
                                f"{sorted(net.populations)}")


def _to_spec_error(
    model: type[BaseModel], error: ValidationError, data: Any, file: str
) -> SpecError:
    errors = error.errors(include_url=False)
    specific = [e for e in errors if e["type"] not in _GENERIC_ERRORS]
    chosen = (specific or errors)[0]
    path, value = _clean_location(chosen["loc"], data)
    if chosen["type"] == "extra_forbidden":
        parent = _model_at(model, path[:-1], data)
        allowed = ", ".join(parent.model_fields) if parent else "see the documentation"
        return SpecError(file, ".".join(map(str, path)), value, f"unknown key; allowed: {allowed}")
    if chosen["type"] == "missing":
        return SpecError(file, ".".join(map(str, path)), None, "required field is missing")
    message = chosen["msg"].removeprefix("Value error, ")
    return SpecError(file, ".".join(map(str, path)), value, message)


def _clean_location(loc: tuple, data: Any) -> tuple[list, Any]:
    """Keep only the parts of a pydantic location that index the input (drop union tags)."""
    path, node = [], data
    for part in loc:
        if _indexes(node, part):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part == loc[-1]:
            path.append(part)  # a missing field: name it
            node = None
    return path, node


def _indexes(node: Any, part: Any) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and part < len(node)


def _model_at(model: type[BaseModel], path: list, data: Any) -> type[BaseModel] | None:
    """The spec model class that validates the mapping at ``path`` (for listing allowed keys)."""
    annotation: Any = model
    for part in path:
        annotation = _pick_member(annotation, data)
        if annotation is None:
            return None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if part not in annotation.model_fields:
                return None
            annotation = annotation.model_fields[part].annotation
        else:
            args = typing.get_args(annotation)
            if not args:
                return None
            annotation = args[-1]  # dict value type or list item type
        data = data[part] if isinstance(data, dict | list) else None
    member = _pick_member(annotation, data)
    return member if isinstance(member, type) and issubclass(member, BaseModel) else None


def _pick_member(annotation: Any, data: Any) -> Any:
    """Resolve Annotated/Union to the member that ``data`` is meant to be."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [_pick_member(a, data) for a in typing.get_args(annotation)]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        kind = data.get("kind") if isinstance(data, dict) else None
        for candidate in models:
            field = candidate.model_fields.get("kind")
            if field is not None and kind in typing.get_args(field.annotation):
                return candidate
        if models and isinstance(data, dict):
            return models[0]
        return next((m for m in members if m is not type(None)), None)
    return annotation
