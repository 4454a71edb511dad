"""Poisson background drive: ``n`` independent Poisson sources at ``rate`` onto one synaptic
channel of every neuron of a population, as binomial event counts per time step (the model of
Brian2's ``PoissonInput``), drawn only for the neurons whose step carries events.

With the main network's drives (n 100, 2-7 Hz, dt 0.1 ms) a neuron's step carries an event with
probability ``visit = 1 - (1 - p)**n`` = 0.02-0.07 (``p = rate*dt``). Each step, the neurons with
events are a Bernoulli(visit) subset (:mod:`allonet.model.random_subsets`: on cpp_standalone the
loop jumps from one to the next), and each of them gets a count drawn from Binomial(n, p)
conditioned on at least one event. Step by step this is exactly the sequence of independent
Binomial(n, p) counts that ``PoissonInput`` draws; only which random numbers are drawn differs
(``tests/test_background_drive.py`` checks the distribution). Per step and population::

    visit = bg_visit_<k>
    h_<channel> += background_count(bg_n_<k>, bg_first_<k>, bg_ratio_<k>) * bg_weight_<k>

at the selected neurons. On Brian2's runtime and on cuda_standalone every neuron draws its
selection (``background_events``, the same distribution).

Every number of a drive is a run-time value of the compiled model: the weight ``bg_weight_<k>``
and the sampler's constants (:class:`Sampler`, from ``n``, ``rate`` and dt; ``bg_n_<k>`` and
``bg_visit_<k>`` 0 for a silent drive), all shared variables of the population.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allonet.model import random_subsets
from allonet.spec.network import Population

if TYPE_CHECKING:  # Brian2 only where a model is built: direct runs read the constants alone
    import brian2 as b2

#: Names of the two sampling functions in generated code: the count at a selected neuron, and
#: (Brian2's runtime and cuda_standalone) the selection and count together.
COUNT, EVENTS = "background_count", "background_events"
#: A sampler's constants, as :meth:`Sampler.constants` returns them and the code reads them.
CONSTANTS = ("n", "visit", "first", "ratio")


def background_weight(index: int) -> str:
    """Shared variable (siemens) holding the weight of a population's background drive
    ``index``."""
    return f"bg_weight_{index}"


def constant_variable(name: str, index: int) -> str:
    """Shared variable (1) holding sampler constant ``name`` (a :meth:`Sampler.constants` key) of
    drive ``index``."""
    return f"bg_{name}_{index}"


@dataclass(frozen=True)
class Sampler:
    """One drive's sampler: ``n`` sources, each spiking in a step with probability ``p`` (rate
    times dt, 1)."""

    n: int
    p: float

    def __post_init__(self) -> None:
        if not 0 <= self.p < 1:
            raise ValueError(f"background: rate*dt = {self.p} must be in [0, 1)")

    @property
    def silent(self) -> bool:
        """True for a drive that never fires (0 Hz or no sources)."""
        return self.p == 0 or self.n == 0

    def constants(self) -> dict[str, float]:
        """The values the generated code reads: ``n`` (0 when silent); ``visit``, the
        probability that a neuron's step carries events, 1 - (1-p)**n; ``first``,
        P(count = 1 | count >= 1) = n p (1-p)**(n-1) / visit; ``ratio``, p/(1-p)
        (P(count = x+1)/P(count = x) = (n-x)/(x+1) times it)."""
        if self.silent:
            return dict.fromkeys(CONSTANTS, 0.0)
        log_q = math.log1p(-self.p)
        visit = -math.expm1(self.n * log_q)
        return {"n": float(self.n), "visit": visit,
                "first": self.n * self.p * math.exp((self.n - 1) * log_q) / visit,
                "ratio": self.p / (1.0 - self.p)}


#: Arguments of each function (their Brian2 names are :func:`constant_variable`'s).
ARGUMENTS = {COUNT: ("n", "first", "ratio"), EVENTS: ("visit", "n", "first", "ratio")}

#: The functions in C++ and Cython.
SOURCES = {COUNT: {"cpp": """
int32_t background_count(const double n, const double first, const double ratio,
                         const int _vectorisation_idx)
{
    if (n < 1) return 0;
    double U = _rand(_vectorisation_idx);
    double px = first;
    int32_t x = 1;
    while (U > px && x < n)
    {
        U -= px;
        px *= (n - x) * ratio / (x + 1);
        x++;
    }
    return x;
}
""", "cython": """
cdef int background_count(double n, double first, double ratio, int _vectorisation_idx):
    if n < 1:
        return 0
    cdef double U = _rand(_vectorisation_idx)
    cdef double px = first
    cdef int x = 1
    while U > px and x < n:
        U -= px
        px *= (n - x) * ratio / (x + 1)
        x += 1
    return x
"""}, EVENTS: {"cpp": """
int32_t background_events(const double visit, const double n, const double first,
                          const double ratio, const int _vectorisation_idx)
{
    if (!(_rand(_vectorisation_idx) < visit)) return 0;
    return background_count(n, first, ratio, _vectorisation_idx);
}
""", "cython": """
cdef int background_events(double visit, double n, double first, double ratio,
                           int _vectorisation_idx):
    if not _rand(_vectorisation_idx) < visit:
        return 0
    return background_count(n, first, ratio, _vectorisation_idx)
"""}}


def source(function: str, target: str) -> str:
    """Source of ``function`` (:data:`COUNT` or :data:`EVENTS`) for ``target`` (cpp or
    cython)."""
    return SOURCES[function][target]


def _size(vectorisation_idx) -> int:
    """How many values the numpy target asks for."""
    return np.size(vectorisation_idx) if np.ndim(vectorisation_idx) else int(vectorisation_idx)


def _scalar(value) -> float:
    """A shared variable's value as the numpy target passes it (a number or a 1-element
    array)."""
    return float(np.asarray(value).reshape(-1)[0])


def _numpy_count(n, first, ratio, vectorisation_idx):
    size = _size(vectorisation_idx)
    if _scalar(n) < 1:
        return np.zeros(size, dtype=np.int32)
    sources, p = int(_scalar(n)), _scalar(ratio) / (1.0 + _scalar(ratio))
    draws = np.random.binomial(sources, p, size)
    while (zero := draws == 0).any():  # conditioned on >= 1 event, by rejection
        draws[zero] = np.random.binomial(sources, p, int(zero.sum()))
    return draws.astype(np.int32)


def _numpy_events(visit, n, first, ratio, vectorisation_idx):
    selected = np.random.rand(_size(vectorisation_idx)) < _scalar(visit)
    out = np.zeros(selected.shape, dtype=np.int32)
    out[selected] = _numpy_count(n, first, ratio, int(selected.sum()))
    return out


def _function(name: str, numpy_impl, dependencies: dict) -> b2.Function:
    from brian2.core.functions import Function

    arguments = ARGUMENTS[name]
    function = Function(lambda *args: numpy_impl(*args, 1), arg_units=[1] * len(arguments),
                        return_unit=1, arg_types=["float"] * len(arguments),
                        return_type="integer", stateless=False, auto_vectorise=True)
    function.implementations.add_implementation("numpy", numpy_impl)
    function.implementations.add_implementation("cpp", {"support_code": source(name, "cpp")},
                                                dependencies=dependencies, name=name)
    function.implementations.add_implementation("cython", source(name, "cython"),
                                                dependencies=dependencies, name=name)
    return function


@functools.cache
def functions() -> dict[str, b2.Function]:
    """The two Brian2 functions, by name (C++, Cython and numpy targets)."""
    from brian2.core.functions import DEFAULT_FUNCTIONS

    rand = {"_rand": DEFAULT_FUNCTIONS["rand"]}
    count = _function(COUNT, _numpy_count, rand)
    return {COUNT: count, EVENTS: _function(EVENTS, _numpy_events, rand | {COUNT: count})}


def _call(name: str, index: int) -> str:
    """Code calling function ``name`` for drive ``index``."""
    return f"{name}({', '.join(constant_variable(a, index) for a in ARGUMENTS[name])})"


def equations(pop: Population) -> str:
    """Equation lines of ``pop``'s background drives: each one's weight and sampler constants
    (run-time, shared)."""
    lines = []
    for k in range(len(pop.background)):
        lines.append(f"{background_weight(k)} : siemens (constant, shared)")
        lines += [f"{constant_variable(c, k)} : 1 (constant, shared)" for c in CONSTANTS]
    return "".join(line + "\n" for line in lines)


def add_drives(name: str, pop: Population, group: b2.NeuronGroup) -> None:
    """Give ``group`` (population ``name``) its background drives: one step-wise update each, in
    the ``synapses`` slot, where ``PoissonInput`` adds its events; on cpp_standalone at the
    neurons with events only."""
    group.namespace.update(functions())
    for k, bg in enumerate(pop.background):
        target, weight = f"h_{bg.synapse}", background_weight(k)
        label = f"{name}_background_{k}_drive"
        if random_subsets.available():
            random_subsets.add_update(group, constant_variable("visit", k),
                                      f"{target} += {_call(COUNT, k)}*{weight}",
                                      name=label, when="synapses")
        else:
            group.run_regularly(f"{target} += {_call(EVENTS, k)}*{weight}", when="synapses",
                                name=label)
