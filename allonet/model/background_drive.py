"""Poisson background drive: ``n`` independent Poisson sources at ``rate`` onto one synaptic
channel of every neuron of a population, as binomial event counts per time step (the model of
Brian2's ``PoissonInput``), sampled by skipping the steps that carry no event.

With the main network's drives (n 100, 2-7 Hz, dt 0.1 ms) a step carries an event with
probability 0.02-0.07, and drawing a binomial number for every neuron and step took ~27% of the
main experiment's binary time (``perf``, session 12). Here each neuron keeps ``bg_wait_<k>``, the
number of steps to its next step with events, and draws only there: the gaps between such steps
are geometric with success probability ``1 - (1 - p)**n`` (``p = rate*dt``), and the count at
such a step is Binomial(n, p) conditioned on at least one event. Step by step this is exactly the
sequence of independent Binomial(n, p) counts that ``PoissonInput`` draws; only which random
numbers are drawn differs (``tests/test_background_drive.py`` checks the distribution).

Per step, in the order of the generated code::

    bg_wait_k -= 1
    h_<channel> += <pop>_background_k_count(bg_wait_k) * bg_weight_k   # 0 unless bg_wait_k <= 0
    bg_wait_k += <pop>_background_k_gap(bg_wait_k)                     # 0 unless bg_wait_k <= 0

Each population's ``n`` and ``rate`` are structure (the sampler's code holds them); the weight is
the run-time ``bg_weight_<k>``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import brian2 as b2
import numpy as np
from brian2.core.functions import DEFAULT_FUNCTIONS, Function

from allonet.model.parameters import background_weight
from allonet.spec.network import Population
from allonet.units import parse_si

#: Largest gap in steps (a draw beyond it is cut here: 2**30 steps are ~30 h at dt 0.1 ms).
MAX_GAP = 2**30


def wait_variable(index: int) -> str:
    """Per-neuron integer variable: steps to the next step with events of background ``index``."""
    return f"bg_wait_{index}"


@dataclass(frozen=True)
class Sampler:
    """The constants of one drive's sampler: ``n`` sources, each spiking in a step with
    probability ``p`` (rate times dt, 1)."""

    n: int
    p: float

    def __post_init__(self) -> None:
        if not 0 <= self.p < 1:
            raise ValueError(f"background: rate*dt = {self.p} must be in [0, 1)")

    @property
    def silent(self) -> bool:
        """True for a drive at 0 Hz (no step ever carries an event)."""
        return self.p == 0

    @property
    def inverse_log_q_n(self) -> float:
        """1/log((1-p)**n): a gap is 1 + floor(log(U) * this) for U uniform in (0, 1]."""
        return 1.0 / (self.n * math.log1p(-self.p))

    @property
    def first_count(self) -> float:
        """P(count = 1 | count >= 1) = n p (1-p)**(n-1) / (1 - (1-p)**n)."""
        log_q = math.log1p(-self.p)
        return self.n * self.p * math.exp((self.n - 1) * log_q) / -math.expm1(self.n * log_q)

    @property
    def ratio(self) -> float:
        """p/(1-p): P(count = x+1)/P(count = x) = (n-x)/(x+1) times this."""
        return self.p / (1.0 - self.p)


#: C++ (``%T%``/``%F%``: the language's true and false) and Cython templates of the two functions.
_GAP = {"cpp": """
int32_t %NAME%_gap(const int32_t wait, const int _vectorisation_idx)
{
    if (wait > 0) return 0;
    if (%SILENT%) return %MAX%;
    const double gap = 1.0 + floor(log(1.0 - _rand(_vectorisation_idx)) * %INV%);
    return gap < %MAX% ? (int32_t)gap : %MAX%;
}
""", "cython": """
cdef int %NAME%_gap(int wait, int _vectorisation_idx):
    if wait > 0:
        return 0
    if %SILENT%:
        return %MAX%
    cdef double gap = 1.0 + floor(log(1.0 - _rand(_vectorisation_idx)) * %INV%)
    return <int>gap if gap < %MAX% else %MAX%
"""}
_COUNT = {"cpp": """
int32_t %NAME%_count(const int32_t wait, const int _vectorisation_idx)
{
    if (%SILENT% || wait > 0) return 0;
    double U = _rand(_vectorisation_idx);
    double px = %FIRST%;
    int32_t x = 1;
    while (U > px && x < %N%)
    {
        U -= px;
        px *= (%N% - x) * %RATIO% / (x + 1);
        x++;
    }
    return x;
}
""", "cython": """
cdef int %NAME%_count(int wait, int _vectorisation_idx):
    if %SILENT% or wait > 0:
        return 0
    cdef double U = _rand(_vectorisation_idx)
    cdef double px = %FIRST%
    cdef int x = 1
    while U > px and x < %N%:
        U -= px
        px *= (%N% - x) * %RATIO% / (x + 1)
        x += 1
    return x
"""}
_BOOLEANS = {"cpp": ("true", "false"), "cython": ("True", "False")}


def source(kind: str, target: str, name: str, sampler: Sampler) -> str:
    """Source of function ``<name>_<kind>`` (kind ``gap`` or ``count``) for ``target`` (``cpp`` or
    ``cython``), with ``sampler``'s constants written in."""
    template = {"gap": _GAP, "count": _COUNT}[kind][target]
    true, false = _BOOLEANS[target]
    silent = sampler.silent
    values = {"%NAME%": name, "%N%": str(sampler.n), "%MAX%": str(MAX_GAP),
              "%SILENT%": true if silent else false,
              "%INV%": "0.0" if silent else repr(sampler.inverse_log_q_n),
              "%FIRST%": "1.0" if silent else repr(sampler.first_count),
              "%RATIO%": repr(sampler.ratio)}
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def _due(wait, vectorisation_idx) -> np.ndarray:
    """The numpy target's mask of neurons whose wait has run out (``wait`` may be a scalar)."""
    size = np.size(vectorisation_idx) if np.ndim(vectorisation_idx) else int(vectorisation_idx)
    return np.broadcast_to(np.asarray(wait) <= 0, (size,))


def _numpy_gap(sampler: Sampler):
    def gap(wait, vectorisation_idx):
        due = _due(wait, vectorisation_idx)
        out = np.zeros(due.shape, dtype=np.int32)
        if sampler.silent:
            out[due] = MAX_GAP
            return out
        draws = 1.0 + np.floor(np.log1p(-np.random.rand(int(due.sum())))
                               * sampler.inverse_log_q_n)
        out[due] = np.minimum(draws, MAX_GAP)
        return out
    return gap


def _numpy_count(sampler: Sampler):
    def count(wait, vectorisation_idx):
        due = _due(wait, vectorisation_idx)
        out = np.zeros(due.shape, dtype=np.int32)
        if sampler.silent:
            return out
        draws = np.random.binomial(sampler.n, sampler.p, int(due.sum()))
        while (zero := draws == 0).any():  # conditioned on >= 1 event, by rejection
            draws[zero] = np.random.binomial(sampler.n, sampler.p, int(zero.sum()))
        out[due] = draws
        return out
    return count


def sampler_functions(name: str, sampler: Sampler) -> dict[str, Function]:
    """Brian2 functions ``<name>_gap`` and ``<name>_count`` (integer wait -> integer) for the
    C++, Cython and numpy targets, by name."""
    rand = {"_rand": DEFAULT_FUNCTIONS["rand"]}
    out = {}
    for kind, numpy_impl in (("gap", _numpy_gap(sampler)), ("count", _numpy_count(sampler))):
        function = Function(lambda wait, _numpy=numpy_impl: _numpy(wait, 1), arg_units=[1],
                            return_unit=1, arg_types=["integer"], return_type="integer",
                            stateless=False, auto_vectorise=True)
        function.implementations.add_implementation("numpy", numpy_impl)
        function.implementations.add_implementation(
            "cpp", {"support_code": source(kind, "cpp", name, sampler)}, dependencies=rand,
            name=f"{name}_{kind}")
        function.implementations.add_implementation(
            "cython", source(kind, "cython", name, sampler), dependencies=rand,
            name=f"{name}_{kind}")
        out[f"{name}_{kind}"] = function
    return out


def equations(pop: Population) -> str:
    """Equation lines of ``pop``'s background drives: each one's weight (run-time, shared) and
    wait (per neuron)."""
    return "".join(f"{background_weight(k)} : siemens (constant, shared)\n"
                   f"{wait_variable(k)} : integer\n" for k in range(len(pop.background)))


def add_drives(name: str, pop: Population, group: b2.NeuronGroup) -> None:
    """Give ``group`` (population ``name``) its background drives: the samplers in its namespace
    and one step-wise update each (in the ``synapses`` slot, where ``PoissonInput`` adds its
    events)."""
    dt = float(b2.defaultclock.dt)
    for k, bg in enumerate(pop.background):
        label = f"{name}_background_{k}"
        functions = sampler_functions(label, Sampler(bg.n, parse_si(bg.rate)[0] * dt))
        group.namespace.update(functions)
        wait = wait_variable(k)
        group.run_regularly(f"{wait} -= 1\n"
                            f"h_{bg.synapse} += {label}_count({wait})*{background_weight(k)}\n"
                            f"{wait} += {label}_gap({wait})",
                            when="synapses", name=f"{label}_drive")


def initialise(name: str, pop: Population, group: b2.NeuronGroup) -> None:
    """Draw each neuron's first waits (geometric, which is memoryless: the drive is stationary
    from t = 0)."""
    for k in range(len(pop.background)):
        setattr(group, wait_variable(k), f"{name}_background_{k}_gap(0)")
