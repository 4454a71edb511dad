"""Sweep designs (grid, list, random, Latin hypercube, Sobol): their spec models, and their
expansion x seeds into parameter sets.

Latin hypercube and Sobol points come from :mod:`scipy.stats.qmc`, seeded by the design's
``seed``; :data:`DESIGN_VERSION` (recorded in every sweep manifest) names the algorithm that drew
them, so a sweep is never resumed with points drawn another way.
"""

from __future__ import annotations

import inspect
import itertools
import math
import re
from typing import Annotated, Any, Literal, Protocol

import numpy as np
from pydantic import AfterValidator, Field, model_validator

from allonet.spec.fields import Strict
from allonet.units import split_quantity

#: How sampled designs are drawn: 1, allonet's own Latin hypercube (before scipy.stats.qmc);
#: 2, scipy.stats.qmc's LatinHypercube and scrambled Sobol.
DESIGN_VERSION = 2

_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


def _check_path(path: str) -> str:
    if not _PATH.match(path):
        raise ValueError(f"{path!r} is not a dotted parameter path such as 'drugs.allo_default'")
    if path == "seed":
        raise ValueError("vary the seed with the sweep's 'seeds' field, not as a parameter")
    return path


ParamPath = Annotated[str, AfterValidator(_check_path)]


class GridDesign(Strict):
    """Every combination of the listed values (cartesian product, first path varies slowest)."""

    kind: Literal["grid"]
    values: dict[ParamPath, list[Any]] = Field(min_length=1)

    @property
    def size(self) -> int:
        """Number of design points: the product of the value counts."""
        return math.prod(len(v) for v in self.values.values())

    @model_validator(mode="after")
    def _non_empty(self) -> GridDesign:
        for path, values in self.values.items():
            if not values:
                raise ValueError(f"values.{path}: needs at least one value")
        return self


class ListDesign(Strict):
    """Explicit points, each a mapping of parameter path to value."""

    kind: Literal["list"]
    points: list[dict[ParamPath, Any]] = Field(min_length=1)

    @property
    def size(self) -> int:
        """Number of design points."""
        return len(self.points)


class Range(Strict):
    """A numeric interval ``[low, high]`` written with one unit (``"1 nM"``, ``"1000 nM"``)."""

    low: Any
    high: Any
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False  # round draws to whole numbers (e.g. population sizes)

    @model_validator(mode="after")
    def _numbers_in_one_unit(self) -> Range:
        low, high = split_quantity(self.low), split_quantity(self.high)
        if low is None or high is None:
            raise ValueError("low and high must be numbers, optionally with a unit ('100 nM')")
        if low[1] != high[1]:
            raise ValueError(f"low and high must use the same unit (got {low[1]!r}, {high[1]!r})")
        if not low[0] < high[0]:
            raise ValueError(f"low must be below high (got {self.low}, {self.high})")
        if self.scale == "log" and low[0] <= 0:
            raise ValueError("a log scale needs low > 0")
        return self

    @property
    def bounds(self) -> tuple[float, float, str]:
        """``(low, high, unit)`` as numbers in the unit written."""
        (low, unit), (high, _) = split_quantity(self.low), split_quantity(self.high)
        return low, high, unit


class SampledDesign(Strict):
    """``n`` points drawn at random (``random``), stratified (``latin_hypercube``) or from a
    scrambled Sobol sequence (``sobol``, ``n`` a power of 2), reproducibly from ``seed``.

    Each parameter is a :class:`Range` or a list of choices.
    """

    kind: Literal["random", "latin_hypercube", "sobol"]
    n: int = Field(ge=1, le=1_000_000)
    seed: int = Field(default=0, ge=0)  # of the design's random generator (not the model's)
    digits: int = Field(default=4, ge=1, le=15)  # significant digits kept in drawn values
    ranges: dict[ParamPath, Range | list[Any]] = Field(min_length=1)

    @property
    def size(self) -> int:
        """Number of design points."""
        return self.n

    @model_validator(mode="after")
    def _sobol_power_of_two(self) -> SampledDesign:
        # Sobol points are balanced (every stratum equally filled) only in blocks of 2^m
        if self.kind == "sobol" and self.n & (self.n - 1):
            low = 1 << (self.n.bit_length() - 1)
            raise ValueError(f"n: a Sobol design needs a power of 2 (got {self.n}); use "
                             f"{low} or {low * 2}")
        return self


Design = Annotated[GridDesign | ListDesign | SampledDesign, Field(discriminator="kind")]


class Designed(Protocol):
    """What expansion reads of a sweep spec (:class:`allonet.sweep.spec.SweepSpec`)."""

    name: str
    parameters: Design | None

    @property
    def seed_list(self) -> list[int | None]: ...


def expand(spec: Designed) -> list[tuple[dict[str, Any], int | None]]:
    """Every point of the sweep as ``(parameters, seed)``: design points x seeds, seeds fastest."""
    return [(params, seed) for params in design_points(spec) for seed in spec.seed_list]


def design_points(spec: Designed) -> list[dict[str, Any]]:
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
    paths = list(design.ranges)
    unit = unit_sample(design.kind, design.n, len(paths), design.seed)
    return [{path: _value(design.ranges[path], u, design.digits)
             for path, u in zip(paths, row, strict=True)} for row in unit]


def unit_sample(kind: str, n: int, dims: int, seed: int) -> np.ndarray:
    """``n`` points in ``[0, 1)^dims`` of the design ``kind`` (``random``, ``latin_hypercube``:
    one point in each of ``n`` equal strata per dimension, ``sobol``: scrambled Sobol), the
    same for the same ``seed``."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        return rng.random((n, dims))
    from scipy.stats import qmc

    engine = {"latin_hypercube": qmc.LatinHypercube, "sobol": qmc.Sobol}[kind]
    # scipy >= 1.15 names the generator rng; the floor (1.13) only knows seed
    key = "rng" if "rng" in inspect.signature(engine).parameters else "seed"
    return engine(dims, **{key: rng}).random(n)


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


def point_labels(spec: Designed) -> list[str]:
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
