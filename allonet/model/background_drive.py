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

Per step, in the order of the generated code (``count`` and ``gap`` return 0 unless the wait
has run out)::

    bg_wait_k -= 1
    h_<channel> += background_count(bg_wait_k, bg_n_k, bg_first_k, bg_ratio_k) * bg_weight_k
    bg_wait_k += background_gap(bg_wait_k, bg_n_k, bg_inv_k)

Every number of a drive is a run-time value of the compiled model: the weight ``bg_weight_<k>``
and the sampler's constants (:class:`Sampler`, from ``n``, ``rate`` and dt; ``bg_n_<k>`` 0 for a
silent drive), all shared variables of the population.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from allonet.spec.network import Population

if TYPE_CHECKING:  # Brian2 only where a model is built: direct runs read the constants alone
    import brian2 as b2

#: Largest gap in steps (a draw beyond it is cut here: 2**30 steps are ~30 h at dt 0.1 ms).
MAX_GAP = 2**30
#: Names of the two sampling functions in generated code.
GAP, COUNT = "background_gap", "background_count"
#: A sampler's constants, as :meth:`Sampler.constants` returns them and the code reads them.
CONSTANTS = ("n", "inv", "first", "ratio")


def background_weight(index: int) -> str:
    """Shared variable (siemens) holding the weight of a population's background drive
    ``index``."""
    return f"bg_weight_{index}"


def wait_variable(index: int) -> str:
    """Per-neuron integer variable: steps to the next step with events of drive ``index``."""
    return f"bg_wait_{index}"


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
        """The values the generated code reads: ``n`` (0 when silent); ``inv``, 1/log((1-p)**n)
        (a gap is 1 + floor(log(U) * inv) for U uniform in (0, 1]); ``first``,
        P(count = 1 | count >= 1) = n p (1-p)**(n-1) / (1 - (1-p)**n); ``ratio``, p/(1-p)
        (P(count = x+1)/P(count = x) = (n-x)/(x+1) times it)."""
        if self.silent:
            return dict.fromkeys(CONSTANTS, 0.0)
        log_q = math.log1p(-self.p)
        return {"n": float(self.n), "inv": 1.0 / (self.n * log_q),
                "first": self.n * self.p * math.exp((self.n - 1) * log_q)
                / -math.expm1(self.n * log_q),
                "ratio": self.p / (1.0 - self.p)}


#: Arguments of each function after the wait (their Brian2 names are
#: :func:`constant_variable`'s).
ARGUMENTS = {GAP: ("n", "inv"), COUNT: ("n", "first", "ratio")}

#: The functions in C++ and Cython (``%MAX%``: :data:`MAX_GAP`).
SOURCES = {GAP: {"cpp": """
int32_t background_gap(const int32_t wait, const double n, const double inv,
                       const int _vectorisation_idx)
{
    if (wait > 0) return 0;
    if (n < 1) return %MAX%;
    const double gap = 1.0 + floor(log(1.0 - _rand(_vectorisation_idx)) * inv);
    return gap < %MAX% ? (int32_t)gap : %MAX%;
}
""", "cython": """
cdef int background_gap(int wait, double n, double inv, int _vectorisation_idx):
    if wait > 0:
        return 0
    if n < 1:
        return %MAX%
    cdef double gap = 1.0 + floor(log(1.0 - _rand(_vectorisation_idx)) * inv)
    return <int>gap if gap < %MAX% else %MAX%
"""}, COUNT: {"cpp": """
int32_t background_count(const int32_t wait, const double n, const double first,
                         const double ratio, const int _vectorisation_idx)
{
    if (wait > 0 || n < 1) return 0;
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
cdef int background_count(int wait, double n, double first, double ratio,
                          int _vectorisation_idx):
    if wait > 0 or n < 1:
        return 0
    cdef double U = _rand(_vectorisation_idx)
    cdef double px = first
    cdef int x = 1
    while U > px and x < n:
        U -= px
        px *= (n - x) * ratio / (x + 1)
        x += 1
    return x
"""}}


def source(function: str, target: str) -> str:
    """Source of ``function`` (:data:`GAP` or :data:`COUNT`) for ``target`` (cpp or cython)."""
    return SOURCES[function][target].replace("%MAX%", str(MAX_GAP))


def _due(wait, vectorisation_idx) -> np.ndarray:
    """The numpy target's mask of neurons whose wait has run out (``wait`` may be a scalar)."""
    size = np.size(vectorisation_idx) if np.ndim(vectorisation_idx) else int(vectorisation_idx)
    return np.broadcast_to(np.asarray(wait) <= 0, (size,))


def _scalar(value) -> float:
    """A shared variable's value as the numpy target passes it (a number or a 1-element
    array)."""
    return float(np.asarray(value).reshape(-1)[0])


def _numpy_gap(wait, n, inv, vectorisation_idx):
    due = _due(wait, vectorisation_idx)
    out = np.zeros(due.shape, dtype=np.int32)
    if _scalar(n) < 1:
        out[due] = MAX_GAP
        return out
    draws = 1.0 + np.floor(np.log1p(-np.random.rand(int(due.sum()))) * _scalar(inv))
    out[due] = np.minimum(draws, MAX_GAP)
    return out


def _numpy_count(wait, n, first, ratio, vectorisation_idx):
    due = _due(wait, vectorisation_idx)
    out = np.zeros(due.shape, dtype=np.int32)
    if _scalar(n) < 1:
        return out
    sources, p = int(_scalar(n)), _scalar(ratio) / (1.0 + _scalar(ratio))
    draws = np.random.binomial(sources, p, int(due.sum()))
    while (zero := draws == 0).any():  # conditioned on >= 1 event, by rejection
        draws[zero] = np.random.binomial(sources, p, int(zero.sum()))
    out[due] = draws
    return out


def _function(name: str, numpy_impl) -> b2.Function:
    from brian2.core.functions import DEFAULT_FUNCTIONS, Function

    arguments = ARGUMENTS[name]
    function = Function(lambda *args: numpy_impl(*args, 1), arg_units=[1] * (1 + len(arguments)),
                        return_unit=1, arg_types=["integer"] + ["float"] * len(arguments),
                        return_type="integer", stateless=False, auto_vectorise=True)
    rand = {"_rand": DEFAULT_FUNCTIONS["rand"]}
    function.implementations.add_implementation("numpy", numpy_impl)
    function.implementations.add_implementation("cpp", {"support_code": source(name, "cpp")},
                                                dependencies=rand, name=name)
    function.implementations.add_implementation("cython", source(name, "cython"),
                                                dependencies=rand, name=name)
    return function


@functools.cache
def functions() -> dict[str, b2.Function]:
    """The two Brian2 functions, by name (C++, Cython and numpy targets)."""
    return {GAP: _function(GAP, _numpy_gap), COUNT: _function(COUNT, _numpy_count)}


def _call(name: str, index: int, wait: str | None = None) -> str:
    """Code calling function ``name`` for drive ``index`` (on its wait variable, or ``wait``)."""
    args = ", ".join([wait or wait_variable(index)]
                     + [constant_variable(a, index) for a in ARGUMENTS[name]])
    return f"{name}({args})"


def equations(pop: Population) -> str:
    """Equation lines of ``pop``'s background drives: each one's weight and sampler constants
    (run-time, shared) and its wait (per neuron)."""
    lines = []
    for k in range(len(pop.background)):
        lines.append(f"{background_weight(k)} : siemens (constant, shared)")
        lines += [f"{constant_variable(c, k)} : 1 (constant, shared)" for c in CONSTANTS]
        lines.append(f"{wait_variable(k)} : integer")
    return "".join(line + "\n" for line in lines)


def add_drives(name: str, pop: Population, group: b2.NeuronGroup) -> None:
    """Give ``group`` (population ``name``) its background drives: one step-wise update each, in
    the ``synapses`` slot, where ``PoissonInput`` adds its events."""
    group.namespace.update(functions())
    for k, bg in enumerate(pop.background):
        wait = wait_variable(k)
        group.run_regularly(f"{wait} -= 1\n"
                            f"h_{bg.synapse} += {_call(COUNT, k)}*{background_weight(k)}\n"
                            f"{wait} += {_call(GAP, k)}",
                            when="synapses", name=f"{name}_background_{k}_drive")


def initialise(pop: Population, group: b2.NeuronGroup) -> None:
    """Draw each neuron's first waits (geometric, which is memoryless: the drive is stationary
    from t = 0); after the run-time constants are set."""
    for k in range(len(pop.background)):
        setattr(group, wait_variable(k), _call(GAP, k, wait="0"))
