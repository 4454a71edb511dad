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
