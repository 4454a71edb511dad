"""Expand a sweep design (grid, list, random, Latin hypercube) x seeds into parameter sets."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from allonet.sweep.spec import GridDesign, ListDesign, Range, SampledDesign, SweepSpec


def expand(spec: SweepSpec) -> list[tuple[dict[str, Any], int | None]]:
    """Every point of the sweep as ``(parameters, seed)``: design points x seeds, seeds fastest."""
    return [(params, seed) for params in design_points(spec) for seed in spec.seed_list]


def design_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The design's parameter sets (path -> value), in a reproducible order."""
    design = spec.parameters
    if design is None:
        return [{}]
    if isinstance(design, GridDesign):
        paths = list(design.values)
        return [dict(zip(paths, combo, strict=True))
                for combo in itertools.product(*design.values.values())]
    if isinstance(design, ListDesign):
        return [dict(point) for point in design.points]
    return _sampled(design)


def _sampled(design: SampledDesign) -> list[dict[str, Any]]:
    rng = np.random.default_rng(design.seed)
    paths = list(design.ranges)
    if design.kind == "latin_hypercube":
        unit = latin_hypercube(design.n, len(paths), rng)
    else:
        unit = rng.random((design.n, len(paths)))
    return [{path: _value(design.ranges[path], u, design.digits)
             for path, u in zip(paths, row, strict=True)} for row in unit]


def latin_hypercube(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points in ``[0, 1)^dims``, one in each of ``n`` equal strata per dimension."""
    strata = np.stack([rng.permutation(n) for _ in range(dims)], axis=1)
    return (strata + rng.random((n, dims))) / n


def _value(entry: Range | list[Any], u: float, digits: int) -> Any:
    """Map ``u`` in ``[0, 1)`` to a value of ``entry`` (a range in its unit, or a choice)."""
    if isinstance(entry, list):
        return entry[min(int(u * len(entry)), len(entry) - 1)]
    low, high, unit = entry.bounds
    if entry.scale == "log":
        x = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        x = low + u * (high - low)
    number: float | int = round(x) if entry.integer else float(f"{x:.{digits}g}")
    return f"{number if entry.integer else format(number, 'g')} {unit}" if unit else number


def point_labels(spec: SweepSpec) -> list[str]:
    """A readable, unique label per design point from the values that differ between points:
    the value alone when one path varies (``"100 nM"``), else ``leaf=value`` pairs."""
    points = design_points(spec)
    if spec.parameters is None:
        return [spec.name]
    paths = list(dict.fromkeys(path for point in points for path in point))
    varying = [p for p in paths if len({value_text(pt.get(p)) for pt in points}) > 1] or paths
    leaves = [p.rsplit(".", 1)[-1] for p in varying]
    names = leaves if len(set(leaves)) == len(leaves) else varying
    labels = []
    for point in points:
        parts = [(name, value_text(point[path])) for name, path in zip(names, varying, strict=True)
                 if path in point]
        labels.append(parts[0][1] if len(varying) == 1 and parts
                      else ", ".join(f"{n}={v}" for n, v in parts) or "default")
    return [f"{label} ({k + 1})" if labels.count(label) > 1 else label
            for k, label in enumerate(labels)]


def value_text(value: Any) -> str:
    """A design value as short text: ``"100 nM"``, ``0.5``, ``amygdala: 300 nM``, ``none``."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_nested(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list | tuple):
        return f"[{', '.join(value_text(v) for v in value)}]"
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else str(value)


def _nested(value: Any) -> str:
    return f"({value_text(value)})" if isinstance(value, dict) and value else value_text(value)
